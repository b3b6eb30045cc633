#include "kernelmodel/futex.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>

#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* All waiters, oldest first (Linux hashes them into buckets; one list keeps
 * the FIFO order across keys, which requeue preserves). */
static struct futex_q *head, *tail;

int futex_key(struct mm *mm, gva_t uaddr, bool private, struct futex_key *key)
{
	const struct vma *v = mm_find_vma(mm, uaddr);
	/* A private key is the address itself: Linux checks only that it is
	 * a user address (access_ok), a shared one needs the page. */
	if (!v && (!private || uaddr > TASK_SIZE - 4))
		return -EFAULT;
	if (private) {
		*key = (struct futex_key){(uintptr_t)mm, uaddr};
		return 0;
	}
	/* get_futex_key takes the page: an unreadable one is EFAULT, and so
	 * is a read-only anonymous one ("will never change"). */
	if (!(v->prot & PROT_READ) ||
	    (!(v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED) && !v->mapping && !v->pages))
		return -EFAULT;
	if (!(v->flags & VMA_SHARED)) {
		*key = (struct futex_key){(uintptr_t)mm, uaddr};
		return 0;
	}
	uint64_t paddr;
	int perms;
	if (mm_fault(mm, uaddr, MM_READ, &paddr, &perms))
		return -EFAULT;
	*key = (struct futex_key){0, paddr + (uaddr & ~PAGE_MASK)};
	return 0;
}

bool futex_match(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->addr == b->addr;
}

void futex_queue_q(struct task *t, struct futex_q *q)
{
	q->task = t;
	q->queued = true;
	q->prev = tail;
	q->next = NULL;
	if (tail)
		tail->next = q;
	else
		head = q;
	tail = q;
}

void futex_queue(struct task *t, const struct futex_key *key, gva_t uaddr, uint32_t bitset)
{
	futex_unqueue(t);
	t->futex_woken = 0;
	t->futex_q = (struct futex_q){.key = *key, .uaddr = uaddr, .bitset = bitset};
	futex_queue_q(t, &t->futex_q);
}

static void unqueue_q(struct futex_q *q)
{
	if (!q->queued)
		return;
	if (q->prev)
		q->prev->next = q->next;
	else
		head = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		tail = q->prev;
	q->next = q->prev = NULL;
	q->queued = false;
	if (q->pi_state)
		futex_pi_state_put(q->pi_state);
	q->pi_state = NULL;
	q->requeue_pi = false;
}

void futex_unqueue(struct task *t)
{
	unqueue_q(&t->futex_q);
	for (unsigned int i = 0; i < t->futex_nqv; i++)
		unqueue_q(&t->futex_qv[i]);
	free(t->futex_qv);
	t->futex_qv = NULL;
	t->futex_nqv = 0;
}

bool futex_task_queued(const struct task *t)
{
	return t->futex_q.queued || t->futex_nqv;
}

/* The entry after @q that stays queued when @q's task leaves every queue. */
static struct futex_q *next_other(const struct futex_q *q)
{
	struct futex_q *n = q->next;
	while (n && n->task == q->task)
		n = n->next;
	return n;
}

void futex_wake_q(struct futex_q *q)
{
	struct task *t = q->task;
	t->futex_woken = q == &t->futex_q ? 1 : (int)(q - t->futex_qv) + 1;
	/* futex_waitv: the other entries leave with it, and their array stays
	 * until the woken syscall reads futex_woken (futex_unqueue frees it). */
	unqueue_q(&t->futex_q);
	for (unsigned int i = 0; i < t->futex_nqv; i++)
		unqueue_q(&t->futex_qv[i]);
	wake_task(t);
}

struct futex_q *futex_next_waiter(const struct futex_q *after, const struct futex_key *key)
{
	for (struct futex_q *q = after ? after->next : head; q; q = q->next)
		if (futex_match(&q->key, key))
			return q;
	return NULL;
}

struct futex_q *futex_top_waiter(const struct futex_key *key)
{
	return futex_next_waiter(NULL, key);
}

int futex_wake(const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;
	for (struct futex_q *q = head, *next; q; q = next) {
		next = q->next;
		if (!futex_match(&q->key, key))
			continue;
		/* PI waiters are woken by FUTEX_UNLOCK_PI only (futex_wake). */
		if (q->pi_state || q->requeue_pi)
			return -EINVAL;
		if (!(q->bitset & bitset))
			continue;
		next = next_other(q);
		futex_wake_q(q);
		if (++woken >= n) /* Linux's test: 0 or less wakes one */
			break;
	}
	return woken;
}

int futex_requeue(const struct futex_key *from, const struct futex_key *to, int nwake,
		  int nrequeue)
{
	int woken = 0, moved = 0;
	for (struct futex_q *q = head, *next; q && woken + moved < nwake + nrequeue; q = next) {
		next = q->next;
		if (!futex_match(&q->key, from))
			continue;
		if (q->pi_state || q->requeue_pi)
			return -EINVAL;
		if (woken < nwake) {
			next = next_other(q);
			futex_wake_q(q);
			woken++;
		} else {
			q->key = *to; /* keeps its place in the FIFO */
			moved++;
		}
	}
	return woken + moved;
}
