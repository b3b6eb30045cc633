/* futex, first slice: with no second task to wait on a futex word, FUTEX_WAKE
 * wakes nobody and FUTEX_WAIT either fails with EAGAIN (the word changed),
 * times out, or would sleep forever. Wait queues, requeue and wake-op come
 * with threads (#4); until then those operations return ENOSYS. */
#include <linux/futex.h>
#include <stdio.h>
#include <time.h>

#include "syscalls/sys.h"

SYS(futex)
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)a[2], cur;
	switch (op) {
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (op == FUTEX_WAKE_BITSET && !(uint32_t)a[5])
			return -EINVAL;
		if (a[0] & 3)
			return -EINVAL;
		return 0; /* no waiters can exist yet */
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		if (a[0] & 3)
			return -EINVAL;
		if (op == FUTEX_WAIT_BITSET && !(uint32_t)a[5])
			return -EINVAL;
		if (copy_from_guest(t->mm, &cur, a[0], sizeof(cur)))
			return -EFAULT;
		if (cur != val)
			return -EAGAIN;
		if (!a[3]) {
			fprintf(stderr, "cloneemu: pid %d: FUTEX_WAIT with nobody to wake it: "
					"deadlock\n", t->tid);
			return -EDEADLK; /* replaced by a real deadlock report with #4 */
		}
		struct timespec ts;
		if (copy_from_guest(t->mm, &ts, a[3], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		clockid_t clk = (a[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
		int flags = op == FUTEX_WAIT_BITSET ? TIMER_ABSTIME : 0;
		clock_nanosleep(clk, flags, &ts, NULL);
		return -ETIMEDOUT;
	}
	default:
		return -ENOSYS;
	}
}
