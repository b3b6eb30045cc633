/* PI futexes and robust lists (kernel/futex/pi.c, kernel/futex/core.c).
 *
 * The futex word holds the owner's tid, FUTEX_WAITERS and
 * FUTEX_OWNER_DIED. While waiters are queued, a futex_pi_state names the
 * owner; an unlock or the owner's death hands the lock to the oldest
 * waiter (the word becomes its tid | FUTEX_WAITERS) and wakes it.
 *
 * Deliberate difference: there is no priority inheritance. The model's
 * scheduler gives every task the same slices whatever its priority
 * (kernelmodel/sched_policy.h), so a boost would change nothing; waiters
 * take the lock in FIFO order, as Linux's rt_mutex does among equal
 * priorities. Since every syscall runs to completion on one host thread,
 * Linux's retry loops (a word that changed under a cmpxchg) cannot happen. */
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>

#include "kernelmodel/futex.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* Linux's max_lock_depth: a longer chain of owners counts as a deadlock. */
#define MAX_LOCK_DEPTH 1024

static struct futex_pi_state *pi_states;

void futex_pi_state_put(struct futex_pi_state *ps)
{
	if (--ps->refcount)
		return;
	for (struct futex_pi_state **pp = &pi_states; *pp; pp = &(*pp)->next)
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	free(ps);
}

static int get_word(struct mm *mm, gva_t uaddr, uint32_t *v)
{
	return copy_from_guest(mm, v, uaddr, 4) ? -EFAULT : 0;
}

static int put_word(struct mm *mm, gva_t uaddr, uint32_t v)
{
	return copy_to_guest(mm, uaddr, &v, 4) ? -EFAULT : 0;
}

/* A new pi_state owned by @owner, one reference for the caller. */
static int attach_new(const struct futex_key *key, struct task *owner, struct futex_pi_state **ps)
{
	struct futex_pi_state *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->key = *key;
	p->owner = owner;
	p->refcount = 1;
	p->next = pi_states;
	pi_states = p;
	*ps = p;
	return 0;
}

/* Waiters exist: the word must agree with their pi_state (attach_to_pi_state). */
static int attach_to_pi_state(uint32_t uval, struct futex_pi_state *p, const struct pid_namespace *ns,
			      struct futex_pi_state **ps)
{
	uint32_t pid = uval & FUTEX_TID_MASK;
	if (!p) /* user space mixed PI and non-PI operations on one word */
		return -EINVAL;
	if (!((uval & FUTEX_OWNER_DIED) && !pid)) {
		if (!p->owner || pid != (uint32_t)task_pid_nr_ns(p->owner, ns))
			return -EINVAL; /* the word was changed behind the kernel's back */
	}
	p->refcount++;
	*ps = p;
	return 0;
}

/* The first waiter: the owner is whoever the word names (attach_to_pi_owner). */
static int attach_to_pi_owner(uint32_t uval, const struct futex_key *key,
			      const struct pid_namespace *ns, struct futex_pi_state **ps)
{
	struct task *p = find_task_by_pid_ns((int)(uval & FUTEX_TID_MASK), ns);
	/* No such task, or it has exited (handle_exit_race: the word is bogus). */
	if (!p || !task_is_alive(p))
		return -ESRCH;
	return attach_new(key, p, ps);
}

int futex_lock_pi_atomic(struct task *t, struct mm *mm, gva_t uaddr, const struct futex_key *key,
			 const struct pid_namespace *ns, struct futex_pi_state **ps,
			 bool set_waiters)
{
	uint32_t uval, newval, vpid = (uint32_t)task_pid_nr_ns(t, ns);
	int r;
	*ps = NULL;
	if (get_word(mm, uaddr, &uval))
		return -EFAULT;
	if ((uval & FUTEX_TID_MASK) == vpid)
		return -EDEADLK;
	struct futex_q *top = futex_top_waiter(key);
	if (top)
		return attach_to_pi_state(uval, top->pi_state, ns, ps);
	if (!(uval & FUTEX_TID_MASK)) {
		/* Free (maybe with OWNER_DIED kept for the new owner to see). */
		newval = (uval & FUTEX_OWNER_DIED) | vpid;
		if (set_waiters)
			newval |= FUTEX_WAITERS;
		if ((r = put_word(mm, uaddr, newval)))
			return r;
		if (set_waiters && (r = attach_new(key, t, ps)))
			return r;
		return 1;
	}
	/* Contended: FUTEX_WAITERS goes in first and stays even if the owner
	 * turns out not to exist, as in Linux. */
	newval = uval | FUTEX_WAITERS;
	if ((r = put_word(mm, uaddr, newval)))
		return r;
	return attach_to_pi_owner(newval, key, ns, ps);
}

bool futex_pi_deadlock(const struct task *t, const struct futex_pi_state *ps)
{
	for (int depth = 0; ps; depth++) {
		const struct task *o = ps->owner;
		if (depth >= MAX_LOCK_DEPTH || o == t)
			return true;
		if (!o || !o->futex_q.queued)
			return false;
		ps = o->futex_q.pi_state;
	}
	return false;
}

/* Hand the lock to @top (the oldest waiter): its tid and FUTEX_WAITERS
 * (plus OWNER_DIED when @keep_died and the word has it) go in the word,
 * which @top's mm maps at top->uaddr. */
static int hand_over(struct futex_q *top, const struct pid_namespace *ns, bool keep_died)
{
	struct task *n = top->task;
	struct futex_pi_state *ps = top->pi_state;
	uint32_t uval = 0;
	if (keep_died && get_word(n->mm, top->uaddr, &uval))
		return -EFAULT;
	uint32_t newval = (uval & FUTEX_OWNER_DIED) | FUTEX_WAITERS |
			  (uint32_t)task_pid_nr_ns(n, ns);
	if (put_word(n->mm, top->uaddr, newval))
		return -EFAULT;
	ps->owner = n;
	futex_wake_q(top); /* drops top's reference to ps */
	return 0;
}

int futex_unlock_pi(struct task *t, gva_t uaddr, bool private)
{
	uint32_t uval;
	struct futex_key key;
	if (get_word(t->mm, uaddr, &uval))
		return -EFAULT;
	/* Only the owner unlocks. */
	if ((uval & FUTEX_TID_MASK) != (uint32_t)task_pid_nr_ns(t, t->pid_ns))
		return -EPERM;
	if (uaddr & 3)
		return -EINVAL;
	if (futex_key(t->mm, uaddr, private, &key))
		return -EFAULT;
	struct futex_q *top = futex_top_waiter(&key);
	if (top) {
		/* Waiters that are not PI waiters, or a pi_state owned by
		 * someone else: user space fiddled with the word. */
		if (!top->pi_state || top->pi_state->owner != t)
			return -EINVAL;
		return hand_over(top, t->pid_ns, false);
	}
	/* No waiters: neither FUTEX_WAITERS nor OWNER_DIED is kept. */
	return put_word(t->mm, uaddr, 0);
}

/* The oldest waiter blocked on @ps, or NULL. */
static struct futex_q *pi_top_waiter(const struct futex_pi_state *ps)
{
	struct futex_q *q = futex_top_waiter(&ps->key);
	return q && q->pi_state == ps ? q : NULL;
}

void exit_pi_state_list(struct task *t)
{
	struct futex_pi_state *ps = pi_states;
	while (ps) {
		if (ps->owner != t) {
			ps = ps->next;
			continue;
		}
		struct futex_q *top = pi_top_waiter(ps);
		ps->owner = NULL;
		/* The waiter takes the lock in its own context in Linux
		 * (fixup_pi_owner), so its tid is as its namespace sees it. */
		if (!top || hand_over(top, top->task->pid_ns, true))
			ps = ps->next;
		else
			ps = pi_states; /* hand_over may have freed ps */
	}
}

/* handle_futex_death: @t dies holding the robust futex at @uaddr (PI when
 * @pi); @pending: it is the list_op_pending entry. Returns -1 to stop the
 * walk (a fault), 0 to go on. */
static int handle_futex_death(struct task *t, gva_t uaddr, bool pi, bool pending)
{
	uint32_t uval;
	struct futex_key key;
	if (uaddr & 3)
		return -1;
	if (get_word(t->mm, uaddr, &uval))
		return -1;
	uint32_t owner = uval & FUTEX_TID_MASK;
	/* A non-PI unlock (or a woken waiter) died half-way: wake the next
	 * waiter without touching the word. */
	if (pending && !pi && !owner) {
		if (!futex_key(t->mm, uaddr, false, &key))
			futex_wake(&key, 1, FUTEX_BITSET_MATCH_ANY);
		return 0;
	}
	if (owner != (uint32_t)task_pid_nr_ns(t, t->pid_ns))
		return 0;
	uint32_t mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (put_word(t->mm, uaddr, mval))
		return -1;
	/* PI waiters get the lock from exit_pi_state_list. */
	if (!pi && (uval & FUTEX_WAITERS) && !futex_key(t->mm, uaddr, false, &key))
		futex_wake(&key, 1, FUTEX_BITSET_MATCH_ANY);
	return 0;
}

/* One robust_list pointer: the entry and its PI bit (fetch_robust_entry). */
static int fetch_robust_entry(struct mm *mm, gva_t from, gva_t *entry, bool *pi)
{
	uint64_t v;
	if (copy_from_guest(mm, &v, from, 8))
		return -EFAULT;
	*entry = v & ~1ull;
	*pi = v & 1;
	return 0;
}

void exit_robust_list(struct task *t)
{
	gva_t head = t->robust_list, entry, next, pending;
	bool pi, next_pi, pip;
	int64_t off;
	struct mm *mm = t->mm;
	t->robust_list = 0;
	if (!head || !mm)
		return;
	/* struct robust_list_head: list.next, futex_offset, list_op_pending. */
	if (fetch_robust_entry(mm, head, &entry, &pi) ||
	    copy_from_guest(mm, &off, head + 8, 8) ||
	    fetch_robust_entry(mm, head + 16, &pending, &pip))
		return;
	for (unsigned int limit = ROBUST_LIST_LIMIT; entry != head;) {
		int rc = fetch_robust_entry(mm, entry, &next, &next_pi);
		/* The pending entry may be on the list already: once only. */
		if (entry != pending && handle_futex_death(t, entry + (uint64_t)off, pi, false))
			return;
		if (rc)
			return;
		entry = next;
		pi = next_pi;
		if (!--limit) /* a long or circular list */
			break;
	}
	if (pending)
		handle_futex_death(t, pending + (uint64_t)off, pip, true);
}
