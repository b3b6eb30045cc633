/* futex(2): WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE and
 * WAKE_OP, with or without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME.
 * A waiter sleeps and its syscall is retried when it wakes: woken by
 * FUTEX_WAKE it returns 0, past its deadline ETIMEDOUT. The PI and
 * WAIT_REQUEUE_PI operations are not modeled (ENOSYS). */
#include <linux/futex.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/futex.h"
#include "kernelmodel/sched.h"
#include "syscalls/sys.h"

/* The wait's deadline on the scheduler's clock: FUTEX_WAIT's timeout is
 * relative, WAIT_BITSET's absolute on CLOCK_MONOTONIC or CLOCK_REALTIME. */
static long wait_deadline(struct task *t, int op, bool realtime, uint64_t gts, uint64_t *deadline)
{
	uint64_t ns;
	*deadline = 0;
	if (!gts)
		return 0;
	long r = get_user_timespec_ns(t, gts, &ns);
	if (r)
		return r;
	if (op == FUTEX_WAIT_BITSET)
		*deadline = clock_to_sched(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, ns);
	else
		*deadline = deadline_after(ns); /* 0 past KTIME_MAX: no timeout */
	return 0;
}

static long futex_wait(struct task *t, int op, bool private, bool realtime, const uint64_t *a)
{
	uint32_t bitset = op == FUTEX_WAIT_BITSET ? (uint32_t)a[5] : FUTEX_BITSET_MATCH_ANY;
	if (t->restarting && (t->futex_queued || t->futex_woken)) {
		if (t->futex_woken) {
			t->futex_woken = false;
			return 0;
		}
		if (t->restart_deadline && now_ns() >= t->restart_deadline) {
			futex_unqueue(t);
			return -ETIMEDOUT;
		}
		return sleep_until(t, t, t->restart_deadline, "futex");
	}
	if (!bitset)
		return -EINVAL;
	struct futex_key key;
	uint32_t cur;
	if (a[0] & 3)
		return -EINVAL;
	long r = wait_deadline(t, op, realtime, a[3], &t->restart_deadline);
	if (r)
		return r;
	if (futex_key(t->mm, a[0], private, &key) || copy_from_guest(t->mm, &cur, a[0], 4))
		return -EFAULT;
	if (cur != (uint32_t)a[2])
		return -EAGAIN;
	if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return -ETIMEDOUT;
	futex_queue(t, &key, bitset);
	return sleep_until(t, t, t->restart_deadline, "futex");
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
	if (hit)
		n += futex_wake(&k2, (int)a[3], FUTEX_BITSET_MATCH_ANY);
	return n;
}

SYS(futex)
{
	int cmd = (int)a[1];
	int op = cmd & FUTEX_CMD_MASK;
	bool private = cmd & FUTEX_PRIVATE_FLAG, realtime = cmd & FUTEX_CLOCK_REALTIME;
	struct futex_key k1, k2;
	/* Since Linux 5.13 only the absolute waits take FUTEX_CLOCK_REALTIME. */
	if (realtime && op != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, op, private, realtime, a);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bitset = op == FUTEX_WAKE_BITSET ? (uint32_t)a[5] : FUTEX_BITSET_MATCH_ANY;
		if (!bitset || (a[0] & 3))
			return -EINVAL;
		if (futex_key(t->mm, a[0], private, &k1))
			return -EFAULT;
		return futex_wake(&k1, (int)a[2] < 0 ? 0 : (int)a[2], bitset);
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
	default:
		return -ENOSYS; /* PI futexes and WAIT_REQUEUE_PI: not modeled (README) */
	}
}
