#include "kernelmodel/futex.h"

#include <errno.h>

#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* All waiters, oldest first, linked through task->futex_next/prev. */
static struct task *head, *tail;

int futex_key(struct mm *mm, gva_t uaddr, bool private, struct futex_key *key)
{
	const struct vma *v = mm_find_vma(mm, uaddr);
	if (!v)
		return -EFAULT;
	if (private || !(v->flags & VMA_SHARED)) {
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

static bool same_key(const struct futex_key *a, const struct futex_key *b)
{
	return a->mm == b->mm && a->addr == b->addr;
}

void futex_queue(struct task *t, const struct futex_key *key, uint32_t bitset)
{
	futex_unqueue(t);
	t->futex_key = *key;
	t->futex_bitset = bitset;
	t->futex_queued = true;
	t->futex_woken = false;
	t->futex_prev = tail;
	t->futex_next = NULL;
	if (tail)
		tail->futex_next = t;
	else
		head = t;
	tail = t;
}

void futex_unqueue(struct task *t)
{
	if (!t->futex_queued)
		return;
	if (t->futex_prev)
		t->futex_prev->futex_next = t->futex_next;
	else
		head = t->futex_next;
	if (t->futex_next)
		t->futex_next->futex_prev = t->futex_prev;
	else
		tail = t->futex_prev;
	t->futex_next = t->futex_prev = NULL;
	t->futex_queued = false;
}

int futex_wake(const struct futex_key *key, int n, uint32_t bitset)
{
	int woken = 0;
	for (struct task *t = head, *next; t && woken < n; t = next) {
		next = t->futex_next;
		if (!same_key(&t->futex_key, key) || !(t->futex_bitset & bitset))
			continue;
		futex_unqueue(t);
		t->futex_woken = true;
		wake_task(t);
		woken++;
	}
	return woken;
}

int futex_requeue(const struct futex_key *from, const struct futex_key *to, int nwake,
		  int nrequeue)
{
	int woken = futex_wake(from, nwake, ~0u), moved = 0;
	for (struct task *t = head; t && moved < nrequeue; t = t->futex_next) {
		if (!same_key(&t->futex_key, from))
			continue;
		t->futex_key = *to; /* keeps its place in the FIFO */
		moved++;
	}
	return woken + moved;
}
