/* timerfd: a periodic timer in epoll counts its expirations, one-shot
 * relative and TFD_TIMER_ABSTIME timers, gettime, errno cases. Times are
 * only compared, never printed. */
#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

static volatile uintptr_t bad_ptr = 8;

static long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

int main(void)
{
	uint64_t ticks;
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	need(tfd >= 0, 1, "timerfd_create");
	struct itimerspec its = {{0, 0}, {0, 0}}, old;
	expect_eq(timerfd_gettime(tfd, &old), 0, 2, "gettime disarmed");
	expect_eq(old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0, 1, 3, "disarmed value 0");

	/* Periodic: 10 ms then every 10 ms, waited for through epoll. */
	its.it_value.tv_nsec = 10000000;
	its.it_interval.tv_nsec = 10000000;
	expect_eq(timerfd_settime(tfd, 0, &its, NULL), 0, 4, "settime periodic");
	expect_eq(timerfd_gettime(tfd, &old), 0, 5, "gettime armed");
	check(ns_of(&old.it_value) > 0 && ns_of(&old.it_value) <= 10000000, 6, "value within 10 ms");
	expect_eq(ns_of(&old.it_interval), 10000000, 7, "interval 10 ms");
	int ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN, {.u32 = 1}}, got;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	long total = 0;
	int wakeups = 0;
	while (total < 5) {
		int n = epoll_wait(ep, &got, 1, 2000);
		if (n != 1)
			break;
		wakeups++;
		if (read(tfd, &ticks, 8) == 8)
			total += (long)ticks;
	}
	check(total >= 5 && wakeups >= 1, 8, "periodic timer counted at least 5 expirations");
	/* Sleep over several periods: they accumulate in one read. */
	usleep(35000);
	expect_eq(read(tfd, &ticks, 8), 8, 9, "read after sleeping");
	check(ticks >= 3, 10, "several periods in one read");
	/* Disarm: reads would block; non-blocking gives EAGAIN. */
	its = (struct itimerspec){{0, 0}, {0, 0}};
	expect_eq(timerfd_settime(tfd, 0, &its, &old), 0, 11, "disarm");
	expect_eq(ns_of(&old.it_interval), 10000000, 12, "old interval returned");
	fcntl(tfd, F_SETFL, O_NONBLOCK);
	EXPECT_ERR(read(tfd, &ticks, 8), EAGAIN, 13, "disarmed read");
	EXPECT_ERR(read(tfd, &ticks, 4), EINVAL, 14, "short read");

	/* One-shot relative, blocking read. */
	fcntl(tfd, F_SETFL, 0);
	its.it_value.tv_nsec = 5000000;
	timerfd_settime(tfd, 0, &its, NULL);
	expect_eq(read(tfd, &ticks, 8), 8, 15, "blocking read of a one-shot");
	expect_eq((long)ticks, 1, 16, "one expiration");
	expect_eq(timerfd_gettime(tfd, &old), 0, 17, "gettime after");
	expect_eq(ns_of(&old.it_value), 0, 18, "one-shot disarmed after firing");

	/* Absolute on CLOCK_REALTIME: now + 20 ms; and one in the past. */
	int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){{0, 0}, now};
	its.it_value.tv_nsec += 20000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	expect_eq(timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL), 0,
		  19, "abstime settime");
	EXPECT_ERR(read(rt, &ticks, 8), EAGAIN, 20, "not yet");
	struct pollfd p = {rt, POLLIN, 0};
	expect_eq(poll(&p, 1, 2000), 1, 21, "poll until the absolute time");
	expect_eq(read(rt, &ticks, 8), 8, 22, "abs read");
	expect_eq((long)ticks, 1, 23, "abs ticks");
	its.it_value.tv_sec -= 10; /* ten seconds ago, every second since */
	its.it_interval.tv_sec = 1;
	expect_eq(timerfd_settime(rt, TFD_TIMER_ABSTIME, &its, NULL), 0, 24, "abstime in the past");
	expect_eq(read(rt, &ticks, 8), 8, 25, "past read");
	check(ticks >= 10 && ticks <= 11, 26, "past periods counted (%s)", ticks >= 10 && ticks <= 11 ? "10" : "wrong");

	/* errno cases. */
	EXPECT_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL, 30, "cpu clock");
	EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC, 0x40), EINVAL, 31, "bad create flag");
	EXPECT_ERR(timerfd_settime(tfd, 4, &its, NULL), EINVAL, 32, "bad settime flag");
	its.it_value.tv_nsec = 1000000000;
	EXPECT_ERR(timerfd_settime(tfd, 0, &its, NULL), EINVAL, 33, "nsec out of range");
	EXPECT_ERR(timerfd_settime(tfd, 0, (void *)bad_ptr, NULL), EFAULT, 34, "bad new pointer");
	its.it_value.tv_nsec = 0;
	EXPECT_ERR(timerfd_settime(99, 0, &its, NULL), EBADF, 35, "bad fd");
	EXPECT_ERR(timerfd_settime(ep, 0, &its, NULL), EINVAL, 36, "not a timerfd");
	EXPECT_ERR(timerfd_gettime(0, &old), EINVAL, 37, "gettime of stdin");
	EXPECT_ERR(timerfd_gettime(tfd, (void *)bad_ptr), EFAULT, 38, "gettime bad pointer");
	EXPECT_ERR(write(tfd, &ticks, 8), EINVAL, 39, "write");
	char link[64], path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", tfd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(!strcmp(link, "anon_inode:[timerfd]"), 40, "fd link %s", link);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", tfd);
	FILE *fi = fopen(path, "r");
	char line[128];
	int clk = -1;
	while (fi && fgets(line, sizeof(line), fi))
		sscanf(line, "clockid: %d", &clk);
	if (fi)
		fclose(fi);
	expect_eq(clk, CLOCK_MONOTONIC, 41, "fdinfo clockid");
	return guest_finish();
}
