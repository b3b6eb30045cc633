/* Run by vclock_settime.sh under cloneemu only (natively it would set the
 * machine's clock): clock_settime/settimeofday move the virtual realtime
 * clock, and a TFD_TIMER_CANCEL_ON_SET timerfd reads ECANCELED once. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int c = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int p = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct itimerspec its = {{0, 0}, {now.tv_sec + 3600, 0}};
	timerfd_settime(c, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
	timerfd_settime(p, TFD_TIMER_ABSTIME, &its, NULL);
	uint64_t ticks;
	printf("before: %s\n", read(c, &ticks, 8) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
	struct timespec set = {2000000000, 0};
	printf("clock_settime: %d\n", clock_settime(CLOCK_REALTIME, &set));
	clock_gettime(CLOCK_REALTIME, &now);
	printf("now >= 2000000000: %s\n", now.tv_sec >= 2000000000 && now.tv_sec < 2000000010 ? "yes" : "no");
	struct pollfd pf = {c, POLLIN, 0};
	printf("poll: %d\n", poll(&pf, 1, 0));
	printf("read: %s\n", read(c, &ticks, 8) < 0 && errno == ECANCELED ? "ECANCELED" : "?");
	printf("again: %s\n", read(c, &ticks, 8) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
	printf("without CANCEL_ON_SET: %s\n", read(p, &ticks, 8) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
	struct timeval tv = {1500000000, 0};
	printf("settimeofday: %d\n", settimeofday(&tv, NULL));
	struct timeval got;
	gettimeofday(&got, NULL);
	printf("gettimeofday near 1500000000: %s\n", got.tv_sec >= 1500000000 && got.tv_sec < 1500000010 ? "yes" : "no");
	int r = clock_settime(CLOCK_MONOTONIC, &set);
	printf("CLOCK_MONOTONIC: %d %s\n", r, strerror(errno));
	set.tv_nsec = 1000000000;
	r = clock_settime(CLOCK_REALTIME, &set);
	printf("bad nsec: %d %s\n", r, strerror(errno));
	tv.tv_usec = -1;
	r = settimeofday(&tv, NULL);
	printf("bad usec: %d %s\n", r, strerror(errno));
	return 0;
}
