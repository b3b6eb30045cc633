/* futex(2) and futex_waitv(2): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET,
 * REQUEUE, CMP_REQUEUE, WAKE_OP, the PI operations (LOCK_PI, LOCK_PI2,
 * TRYLOCK_PI, UNLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI), with or without
 * FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME. A waiter sleeps and its
 * syscall is retried when it wakes: woken (or handed the PI lock) it
 * returns 0, past its deadline ETIMEDOUT (kernel/futex/syscalls.c). */
#include <linux/futex.h>
#include <stdlib.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/futex.h"
#include "kernelmodel/sched.h"
#include "syscalls/sys.h"

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
/* futex2 flags (include/uapi/linux/futex.h, Linux 6.7+). */
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_MASK 0x03
#define FUTEX2_NUMA 0x04
#define FUTEX2_MPOL 0x08
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

/* futex_cmd_has_timeout: the operations whose 4th argument is a timeout. */
static bool cmd_has_timeout(int op)
{
	return op == FUTEX_WAIT || op == FUTEX_LOCK_PI || op == FUTEX_LOCK_PI2 ||
	       op == FUTEX_WAIT_BITSET || op == FUTEX_WAIT_REQUEUE_PI;
}

/* The wait's deadline on the scheduler's clock (futex_init_timeout):
 * FUTEX_WAIT's timeout is relative, LOCK_PI's absolute on CLOCK_REALTIME,
 * the others' absolute on CLOCK_MONOTONIC or, with FUTEX_CLOCK_REALTIME,
 * CLOCK_REALTIME. A deadline past KTIME_MAX is 0: none. */
static uint64_t futex_deadline(int op, bool realtime, uint64_t ns)
{
	if (op == FUTEX_WAIT)
		return deadline_after(ns);
	return clock_to_sched(realtime || op == FUTEX_LOCK_PI ? CLOCK_REALTIME : CLOCK_MONOTONIC, ns);
}

/* A waiter that slept comes back: woken (0, or @woken_ret), timed out, or
 * asleep again. Returns 1 in *again when the task had not been queued. */
static long wait_restart(struct task *t, const char *why, bool *again)
{
	*again = false;
	if (!t->restarting || !(futex_task_queued(t) || t->futex_woken)) {
		*again = true;
		return 0;
	}
	if (t->futex_woken) {
		long idx = t->futex_woken - 1;
		t->futex_woken = 0;
		futex_unqueue(t); /* frees a futex_waitv array */
		return idx;
	}
	if (t->restart_deadline && now_ns() >= t->restart_deadline) {
		futex_unqueue(t);
		return -ETIMEDOUT;
	}
	return sleep_until(t, t, t->restart_deadline, why);
}

static long futex_wait(struct task *t, int op, bool private, bool timed, const uint64_t *a)
{
	uint32_t bitset = op == FUTEX_WAIT_BITSET ? (uint32_t)a[5] : FUTEX_BITSET_MATCH_ANY;
	struct futex_key key;
	uint32_t cur;
	if (!bitset)
		return -EINVAL;
	if (a[0] & 3)
		return -EINVAL;
	if (futex_key(t->mm, a[0], private, &key) || copy_from_guest(t->mm, &cur, a[0], 4))
		return -EFAULT;
	if (cur != (uint32_t)a[2])
		return -EAGAIN;
	if (timed && t->restart_deadline && now_ns() >= t->restart_deadline)
		return -ETIMEDOUT;
	futex_queue(t, &key, a[0], bitset);
	return sleep_until(t, t, t->restart_deadline, "futex");
}

/* FUTEX_LOCK_PI, LOCK_PI2 and TRYLOCK_PI (futex_lock_pi). */
static long futex_lock_pi(struct task *t, bool private, bool trylock, const uint64_t *a)
{
	struct futex_key key;
	struct futex_pi_state *ps;
	if (a[0] & 3)
		return -EINVAL;
	if (futex_key(t->mm, a[0], private, &key))
		return -EFAULT;
	long r = futex_lock_pi_atomic(t, t->mm, a[0], &key, t->pid_ns, &ps, false);
	if (r)
		return r < 0 ? r : 0;
	if (trylock)
		r = -EAGAIN; /* FUTEX_WAITERS stays set, as in Linux */
	else if (futex_pi_deadlock(t, ps))
		r = -EDEADLK;
	else if (t->restart_deadline && now_ns() >= t->restart_deadline)
		r = -ETIMEDOUT;
	if (r) {
		futex_pi_state_put(ps);
		return r;
	}
	futex_queue(t, &key, a[0], FUTEX_BITSET_MATCH_ANY);
	t->futex_q.pi_state = ps; /* the queue entry owns the reference */
	return sleep_until(t, t, t->restart_deadline, "futex_lock_pi");
}

/* FUTEX_WAIT_REQUEUE_PI (futex_wait_requeue_pi): wait on the non-PI @a[0]
 * until a CMP_REQUEUE_PI moves us to the PI futex @a[4] and we own it. */
static long futex_wait_requeue_pi(struct task *t, bool private, const uint64_t *a)
{
	struct futex_key k1, k2;
	uint32_t cur;
	if (a[0] == a[4])
		return -EINVAL;
	if (a[4] & 3)
		return -EINVAL;
	if (futex_key(t->mm, a[4], private, &k2))
		return -EFAULT;
	if (a[0] & 3)
		return -EINVAL;
	if (futex_key(t->mm, a[0], private, &k1) || copy_from_guest(t->mm, &cur, a[0], 4))
		return -EFAULT;
	if (cur != (uint32_t)a[2])
		return -EAGAIN;
	if (futex_match(&k1, &k2))
		return -EINVAL;
	if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return -ETIMEDOUT;
	futex_queue(t, &k1, a[0], FUTEX_BITSET_MATCH_ANY);
	t->futex_q.requeue_pi = true;
	t->futex_q.requeue_pi_key = k2;
	t->futex_q.requeue_pi_uaddr = a[4];
	return sleep_until(t, t, t->restart_deadline, "futex_wait_requeue_pi");
}

/* FUTEX_WAKE_OP's operation on *uaddr2 and its comparison (futex(2)). */
static long futex_wake_op(struct task *t, bool private, const uint64_t *a)
{
	struct futex_key k1, k2;
	uint32_t encoded = (uint32_t)a[5], old, val;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
	if (encoded & (0x8u << 28)) /* FUTEX_OP_OPARG_SHIFT; Linux masks a wild shift */
		oparg = (int32_t)(1u << (oparg & 31));
	if ((a[0] & 3) || (a[4] & 3))
		return -EINVAL;
	if (futex_key(t->mm, a[0], private, &k1) || futex_key(t->mm, a[4], private, &k2))
		return -EFAULT;
	if (copy_from_guest(t->mm, &old, a[4], 4))
		return -EFAULT;
	switch (op) {
	case FUTEX_OP_SET:
		val = (uint32_t)oparg;
		break;
	case FUTEX_OP_ADD:
		val = old + (uint32_t)oparg;
		break;
	case FUTEX_OP_OR:
		val = old | (uint32_t)oparg;
		break;
	case FUTEX_OP_ANDN:
		val = old & ~(uint32_t)oparg;
		break;
	case FUTEX_OP_XOR:
		val = old ^ (uint32_t)oparg;
		break;
	default:
		return -ENOSYS;
	}
	bool hit;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		hit = (int32_t)old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		hit = (int32_t)old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		hit = (int32_t)old < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		hit = (int32_t)old <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		hit = (int32_t)old > cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		hit = (int32_t)old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	if (copy_to_guest(t->mm, a[4], &val, 4))
		return -EFAULT;
	int n = futex_wake(&k1, (int)a[2], FUTEX_BITSET_MATCH_ANY);
	if (n >= 0 && hit) {
		int n2 = futex_wake(&k2, (int)a[3], FUTEX_BITSET_MATCH_ANY);
		n = n2 < 0 ? n2 : n + n2;
	}
	return n;
}

SYS(futex)
{
	int cmd = (int)a[1];
	int op = cmd & FUTEX_CMD_MASK;
	bool private = cmd & FUTEX_PRIVATE_FLAG, realtime = cmd & FUTEX_CLOCK_REALTIME;
	bool timed = a[3] && cmd_has_timeout(op);
	struct futex_key k1, k2;
	bool again;
	/* A waiter that slept: its result, without reading the arguments
	 * again (a relative timeout keeps its first deadline). */
	if (op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET || op == FUTEX_LOCK_PI ||
	    op == FUTEX_LOCK_PI2 || op == FUTEX_WAIT_REQUEUE_PI) {
		long r = wait_restart(t, "futex", &again);
		if (!again)
			return r;
	}
	t->restart_deadline = 0;
	if (timed) {
		uint64_t ns;
		long r = get_user_timespec_ns(t, a[3], &ns);
		if (r)
			return r;
		t->restart_deadline = futex_deadline(op, realtime, ns);
	}
	/* Only the absolute waits take FUTEX_CLOCK_REALTIME (do_futex). */
	if (realtime && op != FUTEX_WAIT_BITSET && op != FUTEX_WAIT_REQUEUE_PI &&
	    op != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, op, private, timed, a);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bitset = op == FUTEX_WAKE_BITSET ? (uint32_t)a[5] : FUTEX_BITSET_MATCH_ANY;
		if (!bitset || (a[0] & 3))
			return -EINVAL;
		if (futex_key(t->mm, a[0], private, &k1))
			return -EFAULT;
		return futex_wake(&k1, (int)a[2], bitset);
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		if ((int)a[2] < 0 || (int)a[3] < 0 || (a[0] & 3) || (a[4] & 3))
			return -EINVAL;
		if (futex_key(t->mm, a[0], private, &k1) || futex_key(t->mm, a[4], private, &k2))
			return -EFAULT;
		if (op == FUTEX_CMP_REQUEUE) {
			uint32_t cur;
			if (copy_from_guest(t->mm, &cur, a[0], 4))
				return -EFAULT;
			if (cur != (uint32_t)a[5])
				return -EAGAIN;
		}
		return futex_requeue(&k1, &k2, (int)a[2], (int)a[3]);
	}
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, private, a);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return futex_lock_pi(t, private, false, a);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, private, true, a);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, a[0], private);
	case FUTEX_WAIT_REQUEUE_PI:
		return futex_wait_requeue_pi(t, private, a);
	case FUTEX_CMP_REQUEUE_PI:
		return futex_requeue_pi(t, a[0], a[4], private, (int)a[2], (int)a[3], (uint32_t)a[5]);
	default:
		return -ENOSYS;
	}
}

/* FUTEX2_NUMA: the u32 after the futex names a NUMA node. The model has
 * one, node 0: FUTEX_NO_NODE (-1) becomes 0 in the word, as the kernel
 * stores the node it picked; any other node is EINVAL (not possible).
 * FUTEX2_MPOL only chooses a node, which changes nothing here. */
static long futex_numa_node(struct task *t, gva_t naddr)
{
	uint32_t node;
	if (copy_from_guest(t->mm, &node, naddr, 4))
		return -EFAULT;
	if (node == UINT32_MAX) {
		node = 0;
		if (copy_to_guest(t->mm, naddr, &node, 4))
			return -EFAULT;
		return 0;
	}
	return node ? -EINVAL : 0;
}

/* struct futex_waitv (include/uapi/linux/futex.h). */
struct futex_waitv_u {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

/* futex_waitv(waiters, nr_futexes, flags, timeout, clockid): sleep until
 * one of the futexes is woken; returns its index (kernel/futex/syscalls.c
 * and futex_wait_multiple). */
SYS(futex_waitv)
{
	unsigned int nr = (unsigned int)a[1];
	struct futex_waitv_u w[FUTEX_WAITV_MAX];
	struct futex_key keys[FUTEX_WAITV_MAX];
	bool again;
	long r = wait_restart(t, "futex_waitv", &again);
	if (!again)
		return r;
	if ((unsigned int)a[2]) /* no flags defined */
		return -EINVAL;
	if (!nr || nr > FUTEX_WAITV_MAX || !a[0])
		return -EINVAL;
	t->restart_deadline = 0;
	if (a[3]) {
		int clk = (int)a[4];
		uint64_t ns;
		if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
			return -EINVAL;
		if ((r = get_user_timespec_ns(t, a[3], &ns)))
			return r;
		t->restart_deadline = clock_to_sched(clk, ns);
	}
	if (copy_from_guest(t->mm, w, a[0], nr * sizeof(w[0])))
		return -EFAULT;
	for (unsigned int i = 0; i < nr; i++) {
		if ((w[i].flags & ~(FUTEX2_SIZE_MASK | FUTEX2_NUMA | FUTEX2_MPOL | FUTEX2_PRIVATE)) ||
		    w[i].reserved)
			return -EINVAL;
		/* Only 32-bit futexes exist, and the value must fit. */
		if ((w[i].flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32 || w[i].val > UINT32_MAX)
			return -EINVAL;
	}
	for (unsigned int i = 0; i < nr; i++) {
		bool numa = w[i].flags & FUTEX2_NUMA;
		if (w[i].uaddr & (numa ? 7 : 3))
			return -EINVAL;
		if (futex_key(t->mm, w[i].uaddr, w[i].flags & FUTEX2_PRIVATE, &keys[i]))
			return -EFAULT;
		if (numa && (r = futex_numa_node(t, w[i].uaddr + 4)))
			return r;
	}
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t cur;
		if (copy_from_guest(t->mm, &cur, w[i].uaddr, 4))
			return -EFAULT;
		if (cur != (uint32_t)w[i].val)
			return -EAGAIN;
	}
	if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return -ETIMEDOUT;
	struct futex_q *qv = calloc(nr, sizeof(*qv));
	if (!qv)
		return -ENOMEM;
	futex_unqueue(t);
	t->futex_woken = 0;
	t->futex_qv = qv;
	t->futex_nqv = nr;
	for (unsigned int i = 0; i < nr; i++) {
		qv[i] = (struct futex_q){.key = keys[i], .uaddr = w[i].uaddr,
					 .bitset = FUTEX_BITSET_MATCH_ANY};
		futex_queue_q(t, &qv[i]);
	}
	return sleep_until(t, t, t->restart_deadline, "futex_waitv");
}
