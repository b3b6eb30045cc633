/* Time and randomness. Clocks read the model's clock (kernelmodel/clock.c:
 * virtual by default); random bytes from kernelmodel/random.c (the
 * seeded stream, or with --random=host the host's through the
 * record/replay log). */
#include <sys/random.h>
#include <sys/time.h>
#include <linux/capability.h>
#include <time.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/timerfd.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/random.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "syscalls/sys.h"

static bool valid_clock(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return true;
	default:
		return false;
	}
}

SYS(clock_gettime)
{
	struct timespec ts;
	int clk = (int)a[0];
	if (clk < 0 || clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID) {
		/* CPU clocks: the model's accounting (kernelmodel/cputime.c). */
		uint64_t ns;
		int e = cpu_clock_read(t, clk, &ns);
		if (e)
			return e;
		ts.tv_sec = (time_t)(ns / 1000000000ull);
		ts.tv_nsec = (long)(ns % 1000000000ull);
		return copy_to_guest(t->mm, a[1], &ts, sizeof(ts));
	}
	int r = clock_read((clockid_t)a[0], &ts);
	return r ? r : copy_to_guest(t->mm, a[1], &ts, sizeof(ts));
}

SYS(clock_getres)
{
	struct timespec ts;
	if ((int)a[0] < 0) {
		/* A clock_getcpuclockid clock: 1 ns, if it names a task. */
		uint64_t ns;
		int e = cpu_clock_read(t, (int)a[0], &ns);
		if (e)
			return e;
		ts = (struct timespec){0, 1};
		return a[1] ? copy_to_guest(t->mm, a[1], &ts, sizeof(ts)) : 0;
	}
	if (!valid_clock((clockid_t)a[0]))
		return -EINVAL;
	if (clock_getres((clockid_t)a[0], &ts))
		return -errno;
	return a[1] ? copy_to_guest(t->mm, a[1], &ts, sizeof(ts)) : 0;
}

/* do_sys_settimeofday64 for CLOCK_REALTIME: CAP_SYS_TIME, a valid time,
 * then every TFD_TIMER_CANCEL_ON_SET timerfd is cancelled (clock_was_set). */
static long set_realtime(struct task *t, uint64_t sec, int64_t nsec)
{
	if ((int64_t)sec < 0 || nsec < 0 || nsec >= 1000000000 || sec >= 8277292036ull)
		return -EINVAL; /* timespec64_valid_settod: before 1970 or after 2232 */
	if (!capable(t, CAP_SYS_TIME))
		return -EPERM;
	long r = clock_set_realtime(sec * 1000000000ull + (uint64_t)nsec);
	if (!r)
		timerfd_clock_was_set();
	return r;
}

SYS(clock_settime)
{
	struct timespec ts;
	/* do_clock_settime: the clock's clock_set before the time is read. */
	if ((clockid_t)a[0] != CLOCK_REALTIME)
		return -EINVAL; /* only the realtime clock can be set */
	if (copy_from_guest(t->mm, &ts, a[1], sizeof(ts)))
		return -EFAULT;
	return set_realtime(t, (uint64_t)ts.tv_sec, ts.tv_nsec);
}

SYS(settimeofday)
{
	struct timeval tv;
	struct timezone tz;
	if (a[0] && copy_from_guest(t->mm, &tv, a[0], sizeof(tv)))
		return -EFAULT;
	if (a[0] && (tv.tv_usec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (a[1]) {
		if (copy_from_guest(t->mm, &tz, a[1], sizeof(tz)))
			return -EFAULT;
		if (tz.tz_minuteswest < -15 * 60 || tz.tz_minuteswest > 15 * 60)
			return -EINVAL;
		return -EOPNOTSUPP; /* the kernel's timezone (sys_tz) is not modeled */
	}
	if (!a[0])
		return 0;
	return set_realtime(t, (uint64_t)tv.tv_sec, tv.tv_usec * 1000);
}

SYS(gettimeofday)
{
	struct timespec ts;
	clock_read(CLOCK_REALTIME, &ts);
	struct timeval tv = {ts.tv_sec, ts.tv_nsec / 1000};
	if (a[0] && put_guest(t->mm, a[0], &tv, sizeof(tv))) /* put_user per field */
		return -EFAULT;
	if (a[1]) {
		struct timezone tz = {0, 0};
		if (copy_to_guest(t->mm, a[1], &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

SYS(time)
{
	struct timespec ts;
	clock_read(CLOCK_REALTIME, &ts);
	int64_t now = ts.tv_sec;
	if (a[0] && put_guest(t->mm, a[0], &now, sizeof(now)))
		return -EFAULT;
	return now;
}

long get_user_timespec_ns(struct task *t, uint64_t gts, uint64_t *ns)
{
	struct timespec ts;
	if (copy_from_guest(t->mm, &ts, gts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
	return 0;
}

/* A timed sleep in the scheduler: the deadline is fixed on the first
 * attempt and kept across the retries. Signal handlers interrupt it with
 * EINTR and the time left (syscalls/sys_signal.c). */
static long sleep_for(struct task *t, clockid_t clk, int flags, uint64_t greq)
{
	if (!t->restarting) {
		uint64_t want;
		long r = get_user_timespec_ns(t, greq, &want);
		if (r)
			return r;
		t->restart_deadline = flags & TIMER_ABSTIME ? clock_to_sched(clk, want) : deadline_after(want);
	}
	/* No deadline: a sleep past KTIME_MAX, which only a signal ends. */
	if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return 0;
	return sleep_until(t, NULL, t->restart_deadline, "nanosleep");
}

SYS(nanosleep)
{
	return sleep_for(t, CLOCK_MONOTONIC, 0, a[0]);
}

/* posix_cpu_nsleep: until a process CPU clock reaches the time. The
 * sleeper's own process accrues no time while it sleeps (its other threads
 * may): the clock is looked at again every millisecond of (virtual) time. */
static long cpu_nsleep(struct task *t, int clk, int flags, uint64_t greq)
{
	uint64_t now;
	long r = cpu_clock_read(t, clk, &now);
	if (r)
		return r;
	if (!t->restarting) {
		uint64_t want;
		if ((r = get_user_timespec_ns(t, greq, &want)))
			return r;
		t->restart_done = flags & TIMER_ABSTIME ? want : now + want;
	}
	if (now >= t->restart_done)
		return 0;
	return sleep_until(t, NULL, deadline_after(1000000), "clock_nanosleep");
}

SYS(clock_nanosleep)
{
	clockid_t c = (clockid_t)a[0];
	int flags = (int)(a[1] & TIMER_ABSTIME); /* other bits are ignored, as Linux */
	if (c == CLOCK_THREAD_CPUTIME_ID || (c < 0 && (c & 4)))
		return -EOPNOTSUPP; /* thread CPU clocks cannot be slept on */
	if (c == CLOCK_PROCESS_CPUTIME_ID || c < 0)
		return cpu_nsleep(t, (int)c, flags, a[2]);
	if (c != CLOCK_REALTIME && c != CLOCK_MONOTONIC && c != CLOCK_BOOTTIME && c != CLOCK_TAI)
		return valid_clock(c) ? -ENOTSUP : -EINVAL;
	return sleep_for(t, c, flags, a[2]);
}

SYS(getrandom)
{
	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((a[2] & GRND_INSECURE) && (a[2] & GRND_RANDOM))
		return -EINVAL;
	uint8_t buf[256];
	if (a[0] + a[1] < a[0] || a[0] + a[1] > TASK_SIZE)
		return -EFAULT; /* import_ubuf's access_ok, even for 0 bytes */
	size_t len = a[1] > (1u << 25) ? (1u << 25) : a[1], done = 0;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		/* The seeded stream, or the host's bytes (recorded): never blocks,
		 * as Linux once its pool is initialized. */
		get_random_bytes(buf, n);
		size_t c = copy_to_guest_prefix(t->mm, a[0] + done, buf, n);
		done += c;
		if (c < n) /* copy_to_iter: what fits before the fault */
			return done ? (long)done : -EFAULT;
	}
	return (long)done;
}
