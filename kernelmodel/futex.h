/* Futex wait queues (kernel/futex). A waiter is keyed by (mm, address) for
 * private memory, and by physical address for MAP_SHARED memory, so two
 * processes sharing a page wake each other. Waiters queue in FIFO order.
 *
 * One struct futex_q per futex a task waits on: task->futex_q for futex(2),
 * an array of them for futex_waitv. PI futexes (kernelmodel/futex_pi.c)
 * queue the same way, each waiter pointing at the futex_pi_state of the
 * lock it waits for. */
#ifndef KERNELMODEL_FUTEX_H
#define KERNELMODEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct task;
struct pid_namespace;

struct futex_key {
	uintptr_t mm;   /* the mm for private keys, 0 for shared ones */
	uint64_t addr;  /* the guest address, or the physical address */
};

/* The owner side of a contended PI futex (kernel/futex/pi.c): exists while
 * waiters are queued on it (each holds a reference). */
struct futex_pi_state {
	struct futex_key key;
	struct task *owner; /* borrowed: cleared by the owner's exit */
	int refcount;
	struct futex_pi_state *next;
};

struct futex_q {
	struct task *task;
	struct futex_key key;
	gva_t uaddr;           /* the word in task's mm (PI hand-over writes it) */
	uint32_t bitset;
	bool queued;
	struct futex_pi_state *pi_state; /* a PI waiter: the lock it waits for */
	bool requeue_pi;                 /* FUTEX_WAIT_REQUEUE_PI, not yet moved */
	struct futex_key requeue_pi_key; /* ... the PI futex it may be moved to */
	gva_t requeue_pi_uaddr;          /* ... and its address in task's mm */
	struct futex_q *next, *prev;
};

/* Limits from include/uapi/linux/futex.h and kernel/futex. */
#define FUTEX_WAITV_MAX 128
#define ROBUST_LIST_LIMIT 2048

/* The key of @uaddr in @mm (@private: FUTEX_PRIVATE_FLAG). 0 or -EFAULT. */
int futex_key(struct mm *mm, gva_t uaddr, bool private, struct futex_key *key);
bool futex_match(const struct futex_key *a, const struct futex_key *b);
/* Queue @t on @key at @uaddr (it then sleeps; the caller puts it to sleep). */
void futex_queue(struct task *t, const struct futex_key *key, gva_t uaddr, uint32_t bitset);
/* Queue @q (one of @t's futex_waitv entries, @q->key/uaddr/bitset set). */
void futex_queue_q(struct task *t, struct futex_q *q);
/* Remove every queue entry of @t (timeout, signal, exit), dropping PI
 * references and freeing a futex_waitv array. */
void futex_unqueue(struct task *t);
/* Is any of @t's entries queued? */
bool futex_task_queued(const struct task *t);
/* Wake up to @n waiters (at least one, as Linux) on @key whose bitset
 * meets @bitset. Returns how many, or -EINVAL when a PI or requeue-PI
 * waiter sits on @key. */
int futex_wake(const struct futex_key *key, int n, uint32_t bitset);
/* Wake @nwake waiters on @from, move up to @nrequeue more to @to.
 * Returns woken + requeued, or -EINVAL (a PI waiter on @from). */
int futex_requeue(const struct futex_key *from, const struct futex_key *to, int nwake,
		  int nrequeue);
/* The oldest entry queued on @key, or NULL. */
struct futex_q *futex_top_waiter(const struct futex_key *key);
/* The next entry queued on @key after @after (NULL: the oldest), or NULL. */
struct futex_q *futex_next_waiter(const struct futex_q *after, const struct futex_key *key);
/* End @q's wait: wakes its task, which finds q's index + 1 in
 * task->futex_woken. */
void futex_wake_q(struct futex_q *q);

/* futex_pi.c (kernel/futex/pi.c). */
#define FUTEX_TID_MASK_ 0x3fffffffu
/* Try to take the PI futex at @uaddr for @t (the word read is @uval).
 * Returns 1 when taken, 0 when @t must wait (*ps set, a reference for the
 * caller's futex_q), or -EDEADLK/-ESRCH/-EINVAL/-EFAULT. @set_waiters:
 * take it with FUTEX_WAITERS (requeue with more waiters to come). */
int futex_lock_pi_atomic(struct task *t, struct mm *mm, gva_t uaddr, const struct futex_key *key,
			 const struct pid_namespace *ns, struct futex_pi_state **ps,
			 bool set_waiters);
/* Would @t waiting for @ps deadlock (the chain of owners reaches @t)? */
bool futex_pi_deadlock(const struct task *t, const struct futex_pi_state *ps);
void futex_pi_state_put(struct futex_pi_state *ps);
/* FUTEX_UNLOCK_PI by @t: 0 or -EPERM/-EINVAL/-EFAULT/-EAGAIN. */
int futex_unlock_pi(struct task *t, gva_t uaddr, bool private);
/* The exiting @t's PI futexes pass to their top waiters
 * (exit_pi_state_list). */
void exit_pi_state_list(struct task *t);
/* Linux's exit_robust_list: mark @t's held robust futexes FUTEX_OWNER_DIED
 * and wake a waiter of each. */
void exit_robust_list(struct task *t);

/* futex_requeue.c (kernel/futex/requeue.c): FUTEX_CMP_REQUEUE_PI by @t.
 * Returns woken + requeued or -errno. */
int futex_requeue_pi(struct task *t, gva_t uaddr1, gva_t uaddr2, bool private, int nr_wake,
		     int nr_requeue, uint32_t cmpval);

#endif
