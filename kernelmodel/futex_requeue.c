/* FUTEX_CMP_REQUEUE_PI (kernel/futex/requeue.c): waiters sleeping in
 * FUTEX_WAIT_REQUEUE_PI on a non-PI futex (a condition variable) move to
 * the PI futex they named (its mutex). The oldest takes the lock at once if
 * it is free and is woken; the others become that lock's PI waiters.
 * Plain REQUEUE/CMP_REQUEUE live in futex.c. */
#include <errno.h>

#include "kernelmodel/futex.h"
#include "kernelmodel/task.h"

int futex_requeue_pi(struct task *t, gva_t uaddr1, gva_t uaddr2, bool private, int nr_wake,
		     int nr_requeue, uint32_t cmpval)
{
	struct futex_key k1, k2;
	struct futex_pi_state *ps = NULL;
	uint32_t cur;
	int task_count = 0, ret = 0;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	/* Two distinct words, and waking more than one makes no sense: the
	 * one woken is the one that got the lock. */
	if (uaddr1 == uaddr2 || nr_wake != 1)
		return -EINVAL;
	if ((uaddr1 & 3) || (uaddr2 & 3))
		return -EINVAL;
	if (futex_key(t->mm, uaddr1, private, &k1) || futex_key(t->mm, uaddr2, private, &k2))
		return -EFAULT;
	if (futex_match(&k1, &k2))
		return -EINVAL;
	if (copy_from_guest(t->mm, &cur, uaddr1, 4))
		return -EFAULT;
	if (cur != cmpval)
		return -EAGAIN;
	/* futex_proxy_trylock_atomic: the top waiter tries the PI futex. */
	if (copy_from_guest(t->mm, &cur, uaddr2, 4))
		return -EFAULT;
	struct futex_q *top = futex_top_waiter(&k1);
	if (top) {
		if (!top->requeue_pi || top->pi_state)
			return -EINVAL;
		if (!futex_match(&top->requeue_pi_key, &k2))
			return -EINVAL;
		int r = futex_lock_pi_atomic(top->task, t->mm, uaddr2, &k2, t->pid_ns, &ps,
					     nr_requeue > 0);
		if (r < 0)
			return r;
		if (r == 1) {
			futex_wake_q(top);
			task_count++;
		}
	}
	/* Requeue nr_requeue waiters, one more if the top one did not get it. */
	for (struct futex_q *q = futex_top_waiter(&k1), *next; q && ps; q = next) {
		if (task_count - nr_wake >= nr_requeue)
			break;
		next = futex_next_waiter(q, &k1);
		if (!q->requeue_pi || q->pi_state || !futex_match(&q->requeue_pi_key, &k2)) {
			ret = -EINVAL;
			break;
		}
		if (futex_pi_deadlock(q->task, ps)) {
			ret = -EDEADLK; /* the rest stay where they are */
			break;
		}
		q->key = k2;
		q->uaddr = q->requeue_pi_uaddr;
		q->requeue_pi = false;
		q->pi_state = ps;
		ps->refcount++;
		task_count++;
	}
	if (ps)
		futex_pi_state_put(ps);
	return ret ? ret : task_count;
}
