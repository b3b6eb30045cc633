/*
 * sig_alarm_timer: alarm() and ITIMER_REAL.
 *
 *   - alarm(1) then pause(): the SIGALRM handler ran once, pause -> EINTR;
 *     alarm(0) afterwards returns 0 (nothing left)
 *   - alarm(10) then alarm(0): alarm(0) cancels and returns what was left
 *     (> 0); getitimer then reads all zero, and no SIGALRM comes
 *   - alarm(5) then alarm(3): the second returns the first's remainder (> 0)
 *   - setitimer(ITIMER_REAL) with a 30 ms interval: SIGALRM fires again and
 *     again; a sigsuspend loop counts at least 3; getitimer meanwhile shows
 *     the interval exactly and a value in (0, interval]; setitimer's old
 *     value returns the same; disarming stops it
 *   - setitimer with tv_usec >= 1000000 -> EINVAL; an unknown timer -> EINVAL
 *   - fork: the child starts with no timer (getitimer zero, alarm(0) -> 0),
 *     the parent's keeps running
 *   - SIGALRM at its default action kills (a child with a 20 ms timer)
 */
#include "guest_check.h"

#include <sys/time.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	need(sigaction(SIGALRM, &sa, NULL) == 0, 91, "sigaction");
}

static int timer_zero(const struct itimerval *it)
{
	return it->it_value.tv_sec == 0 && it->it_value.tv_usec == 0 && it->it_interval.tv_sec == 0 &&
	       it->it_interval.tv_usec == 0;
}

static void alarm_pause(void)
{
	alarms = 0;
	expect_eq(alarm(1), 0, 10, "alarm(1) with no alarm pending returns 0");
	errno = 0;
	long r = pause();
	expect_errno(r, errno, EINTR, 11, "pause() until the alarm");
	expect_eq(alarms, 1, 12, "  the SIGALRM handler ran once");
	expect_eq(alarm(0), 0, 13, "  alarm(0) afterwards returns 0");
}

static void alarm_cancel(void)
{
	alarms = 0;
	alarm(10);
	unsigned left = alarm(0);
	check(left > 0 && left <= 10, 20, "alarm(10); alarm(0) cancels and returns the time left (> 0)");
	struct itimerval it;
	need(getitimer(ITIMER_REAL, &it) == 0, 92, "getitimer");
	check(timer_zero(&it), 21, "  getitimer(ITIMER_REAL) then reads zero");
	alarm(5);
	left = alarm(3);
	check(left > 0 && left <= 5, 22, "alarm(5); alarm(3) returns the first one's remainder (> 0)");
	alarm(0);
	expect_eq(alarms, 0, 23, "  no SIGALRM was delivered");
}

static void interval_timer(void)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	alarms = 0;
	struct itimerval it = {{0, 30000}, {0, 30000}}, got, prev;
	need(setitimer(ITIMER_REAL, &it, NULL) == 0, 93, "setitimer");
	need(getitimer(ITIMER_REAL, &got) == 0, 92, "getitimer");
	check(got.it_interval.tv_sec == 0 && got.it_interval.tv_usec == 30000, 30,
	      "getitimer: it_interval is the 30 ms set");
	long v = got.it_value.tv_sec * 1000000L + got.it_value.tv_usec;
	check(v > 0 && v <= 30000, 31, "getitimer: it_value in (0, 30 ms]");
	while (alarms < 3)
		sigsuspend(&old);
	check(alarms >= 3, 32, "the 30 ms interval timer fired at least 3 times (sigsuspend loop)");
	struct itimerval off = {{0, 0}, {0, 0}};
	need(setitimer(ITIMER_REAL, &off, &prev) == 0, 93, "setitimer");
	check(prev.it_interval.tv_sec == 0 && prev.it_interval.tv_usec == 30000, 33,
	      "  disarming returns the old interval");
	need(getitimer(ITIMER_REAL, &got) == 0, 92, "getitimer");
	check(timer_zero(&got), 34, "  after disarming getitimer reads zero");
	/* drop a SIGALRM that may have become pending meanwhile */
	signal(SIGALRM, SIG_IGN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	install();
	alarms = 0;
	usleep(100000);
	expect_eq(alarms, 0, 35, "  and no SIGALRM comes afterwards");
}

static void bad_args(void)
{
	struct itimerval it = {{0, 0}, {0, 1000000}};
	errno = 0;
	long r = setitimer(ITIMER_REAL, &it, NULL);
	expect_errno(r, errno, EINVAL, 40, "setitimer with tv_usec 1000000");
	struct itimerval got;
	errno = 0;
	r = syscall(SYS_getitimer, 7, &got);
	expect_errno(r, errno, EINVAL, 41, "getitimer(7, ...)");
}

static void fork_clears(void)
{
	alarms = 0;
	struct itimerval it = {{0, 0}, {30, 0}};
	need(setitimer(ITIMER_REAL, &it, NULL) == 0, 93, "setitimer");
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct itimerval got;
		getitimer(ITIMER_REAL, &got);
		int bad = !timer_zero(&got);
		if (alarm(0) != 0)
			bad |= 2;
		_exit(bad);
	}
	expect_status(pid, "exited 0", 50, "fork: the child has no timer (getitimer zero, alarm(0) -> 0)");
	struct itimerval got;
	getitimer(ITIMER_REAL, &got);
	check(got.it_value.tv_sec > 0 && got.it_value.tv_sec <= 30, 51, "  the parent's 30 s timer is still armed");
	alarm(0);
}

static void default_kills(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		struct itimerval it = {{0, 0}, {0, 20000}};
		setitimer(ITIMER_REAL, &it, NULL);
		for (;;)
			pause();
	}
	expect_status(pid, "killed by signal 14", 60, "SIGALRM at its default action kills the child");
}

int main(void)
{
	install();
	alarm_pause();
	alarm_cancel();
	interval_timer();
	bad_args();
	fork_clears();
	default_kills();
	return guest_finish();
}
