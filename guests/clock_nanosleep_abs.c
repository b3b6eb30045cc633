/* clock_nanosleep: TIMER_ABSTIME on MONOTONIC and REALTIME (in the
 * future: not before it; in the past: at once), the remaining time after a
 * signal for a relative sleep (and none for an absolute one), CPU clocks,
 * flag bits Linux ignores, errno cases. Relations only. */
#include "guest_check.h"

#include <stdint.h>
#include <time.h>

static long ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void add_ns(struct timespec *ts, long d)
{
	long v = ts->tv_nsec + d;
	ts->tv_sec += v / 1000000000L;
	ts->tv_nsec = v % 1000000000L;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* The raw syscall: glibc and musl return the error number, not -1. */
static long cns(clockid_t c, int flags, const struct timespec *req, struct timespec *rem)
{
	return syscall(SYS_clock_nanosleep, c, flags, req, rem) ? errno : 0;
}

int main(void)
{
	struct timespec t, rem;
	clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};
	const char *names[] = {"MONOTONIC", "REALTIME", "BOOTTIME"};
	for (int i = 0; i < 3; i++) {
		clock_gettime(clocks[i], &t);
		long start = ns(clocks[i]);
		add_ns(&t, 20000000);
		long r = cns(clocks[i], TIMER_ABSTIME, &t, NULL);
		long woke = ns(clocks[i]);
		printf("%s abs: %s, %s\n", names[i], r ? "error" : "0",
		       woke >= start + 20000000 ? "not before the target" : "EARLY");
		t.tv_sec -= 5;
		start = ns(CLOCK_MONOTONIC);
		r = cns(clocks[i], TIMER_ABSTIME, &t, NULL);
		printf("%s abs in the past: %s, %s\n", names[i], r ? "error" : "0",
		       ns(CLOCK_MONOTONIC) - start < 1000000000L ? "at once" : "SLEPT");
	}

	/* Interrupted: a relative sleep reports what was left. */
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(20000, 0);
	t = (struct timespec){5, 0};
	rem = (struct timespec){0, 0};
	long r = cns(CLOCK_MONOTONIC, 0, &t, &rem);
	expect_eq(r, EINTR, 1, "relative sleep interrupted");
	check(rem.tv_sec >= 4 && rem.tv_sec <= 5, 2, "remaining time reported");
	ualarm(20000, 0);
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += 5;
	rem = (struct timespec){7, 7};
	r = cns(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, &rem);
	expect_eq(r, EINTR, 3, "absolute sleep interrupted");
	check(rem.tv_sec == 7 && rem.tv_nsec == 7, 4, "no remaining time for TIMER_ABSTIME");
	ualarm(20000, 0);
	t = (struct timespec){5, 0};
	rem = (struct timespec){0, 0};
	errno = 0;
	expect_eq(nanosleep(&t, &rem), -1, 5, "nanosleep interrupted");
	check(errno == EINTR && rem.tv_sec >= 4, 6, "nanosleep's remaining time");

	/* Flags other than TIMER_ABSTIME are ignored: a relative sleep. */
	t = (struct timespec){0, 1000000};
	expect_eq(cns(CLOCK_MONOTONIC, 2, &t, NULL), 0, 7, "unknown flag bit ignored");
	/* CPU clocks: the process clock sleeps (here: a time already past),
	 * the thread clock cannot. */
	t = (struct timespec){0, 0};
	expect_eq(cns(CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &t, NULL), 0, 8,
		  "process CPU clock, past");
	expect_eq(cns(CLOCK_THREAD_CPUTIME_ID, 0, &t, NULL), EOPNOTSUPP, 9, "thread CPU clock");
	expect_eq(cns(CLOCK_MONOTONIC_RAW, 0, &t, NULL), EOPNOTSUPP, 10, "MONOTONIC_RAW");
	expect_eq(cns(99, 0, &t, NULL), EINVAL, 11, "unknown clock");
	t.tv_nsec = 1000000000;
	expect_eq(cns(CLOCK_MONOTONIC, 0, &t, NULL), EINVAL, 12, "nsec out of range");
	expect_eq(cns(CLOCK_MONOTONIC, 0, (void *)8, NULL), EFAULT, 13, "bad pointer");
	return guest_finish();
}
