/*
 * huge_timeouts: every call that takes a timeout, given the largest one it
 * accepts, waits (Linux saturates at KTIME_MAX, about 292 years) instead of
 * wrapping around into a short wait or overflowing. Each call runs in a
 * child; after the parent has slept a little the child must still be
 * blocked, and is killed.
 *
 *   nanosleep, clock_nanosleep (relative and absolute), select, pselect6,
 *   ppoll, futex FUTEX_WAIT (relative) and FUTEX_WAIT_BITSET (absolute),
 *   rt_sigtimedwait, epoll_pwait2, and a setitimer that must not fire
 */
#include "guest_check.h"

#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#define FUTEX_WAIT 0
#define FUTEX_WAIT_BITSET 9
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static const struct timespec huge_ts = {LONG_MAX, 999999999};

static void block(int which)
{
	struct timespec ts = huge_ts;
	struct timeval tv = {LONG_MAX, 999999};
	static uint32_t word;
	int fds[2];
	sigset_t set;
	switch (which) {
	case 0: nanosleep(&ts, NULL); break;
	case 1: clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL); break;
	case 2: clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL); break;
	case 3: select(0, NULL, NULL, NULL, &tv); break;
	case 4: pselect(0, NULL, NULL, NULL, &ts, NULL); break;
	case 5: {
		if (pipe(fds))
			_exit(5);
		struct pollfd p = {fds[0], POLLIN, 0};
		ppoll(&p, 1, &ts, NULL);
		break;
	}
	case 6: syscall(SYS_futex, &word, FUTEX_WAIT, 0, &ts, NULL, 0); break;
	case 7:
		syscall(SYS_futex, &word, FUTEX_WAIT_BITSET, 0, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
		break;
	case 8:
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigtimedwait(&set, NULL, &ts);
		break;
	case 9: {
		int ep = epoll_create1(0);
		struct epoll_event ev;
		syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8);
		break;
	}
	case 10: {
		struct itimerval it = {{0, 0}, {LONG_MAX / 2, 0}};
		if (setitimer(ITIMER_REAL, &it, NULL))
			_exit(6);
		pause();
		break;
	}
	}
	_exit(3); /* returned early */
}

int main(void)
{
	static const char *const names[] = {
	    "nanosleep",	"clock_nanosleep",	"clock_nanosleep TIMER_ABSTIME",
	    "select",		"pselect6",		"ppoll",
	    "futex FUTEX_WAIT", "futex FUTEX_WAIT_BITSET", "rt_sigtimedwait",
	    "epoll_pwait2",	"setitimer + pause",
	};
	for (int i = 0; i < 11; i++) {
		pid_t pid = guest_fork();
		if (pid == 0)
			block(i);
		struct timespec nap = {0, 50 * 1000000};
		nanosleep(&nap, NULL);
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		check(w == 0, 2, "%s with the largest timeout still waits", names[i]);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	return guest_finish();
}
