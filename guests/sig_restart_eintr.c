/*
 * sig_restart_eintr: a handler interrupts a blocking syscall; whether the
 * syscall is restarted or fails with EINTR depends on SA_RESTART and on the
 * syscall, as Linux decides (ERESTARTSYS vs ERESTARTNOHAND vs
 * ERESTART_RESTARTBLOCK).
 *
 * SIGALRM comes from a one-shot 100 ms ITIMER_REAL. Where data must arrive
 * after the interruption, the SIGALRM handler itself tells the child to
 * produce it (kill(child, SIGUSR1); the child sits in sigwaitinfo), so the
 * order is causal, not timed.
 *
 *   - read() on an empty pipe, SA_RESTART: restarted; returns the data the
 *     child writes after the handler ran
 *   - the same without SA_RESTART: -1 EINTR
 *   - wait4() with SA_RESTART: restarted; reports the child that exits after
 *     the handler ran (exited 7); without SA_RESTART: -1 EINTR
 *   - FUTEX_WAIT without timeout, SA_RESTART: restarted, and the restarted
 *     wait sees the word the handler changed -> EAGAIN; without SA_RESTART
 *     -> EINTR
 *   - FUTEX_WAIT with a timeout, SA_RESTART: EINTR anyway (restart_block)
 *   - nanosleep(2 s), SA_RESTART: EINTR anyway, and rem is filled in with
 *     less than was asked (and more than 0)
 *   - poll() and pause(), SA_RESTART: EINTR anyway
 */
#include "guest_check.h"

#ifndef FUTEX_WAIT_PRIVATE
#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG; musl-gcc has no linux/ headers */
#endif
#include <poll.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t alarms;
static volatile pid_t notify_pid;
static volatile int futex_word;
static volatile int change_futex;

static void on_alarm(int sig)
{
	(void)sig;
	int saved = errno;
	alarms++;
	if (notify_pid)
		kill(notify_pid, SIGUSR1);
	if (change_futex)
		futex_word = 1;
	errno = saved;
}

static void install(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	need(sigaction(SIGALRM, &sa, NULL) == 0, 91, "sigaction");
	alarms = 0;
	notify_pid = 0;
	change_futex = 0;
}

static void arm_ms(long ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	need(setitimer(ITIMER_REAL, &it, NULL) == 0, 92, "setitimer");
}

static void disarm(void)
{
	struct itimerval it = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void wait_usr1(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	while (sigwaitinfo(&s, NULL) != SIGUSR1)
		;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static const char *flags_name(int flags)
{
	return flags & SA_RESTART ? "SA_RESTART" : "no SA_RESTART";
}

static void pipe_read(int flags, int code)
{
	int p[2];
	install(flags);
	need(pipe(p) == 0, 93, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(p[0]);
		if (flags & SA_RESTART)
			wait_usr1();
		else
			sleep_ms(3000); /* a watchdog: normally killed long before */
		if (write(p[1], "data", 4) != 4)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (flags & SA_RESTART)
		notify_pid = pid;
	char buf[8];
	arm_ms(100);
	errno = 0;
	ssize_t n = read(p[0], buf, sizeof(buf));
	int err = errno;
	disarm();
	if (flags & SA_RESTART) {
		if (n == 4 && memcmp(buf, "data", 4) == 0)
			check(1, code, "read() on an empty pipe, SA_RESTART: restarted, returns the data written after the handler");
		else
			check(0, code, "read() on an empty pipe, SA_RESTART: got %ld (errno %s), want the 4 bytes", (long)n,
			      n < 0 ? errno_name(err) : "0");
		expect_status(pid, "exited 0", code + 1, "  writer");
	} else {
		expect_errno(n, err, EINTR, code, "read() on an empty pipe, no SA_RESTART");
		kill(pid, SIGKILL);
		expect_status(pid, "killed by signal 9", code + 1, "  watchdog writer killed");
	}
	expect_eq(alarms, 1, code + 2, "  the SIGALRM handler ran once");
	close(p[0]);
}

static void wait4_restart(int flags, int code)
{
	install(flags);
	pid_t pid = guest_fork();
	if (pid == 0) {
		wait_usr1();
		_exit(7);
	}
	if (flags & SA_RESTART)
		notify_pid = pid;
	int st = 0;
	arm_ms(100);
	errno = 0;
	pid_t r = waitpid(pid, &st, 0);
	int err = errno;
	disarm();
	if (flags & SA_RESTART) {
		check(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, code,
		      "wait4(), SA_RESTART: restarted, reports the child that exits after the handler");
	} else {
		expect_errno(r, err, EINTR, code, "wait4(), no SA_RESTART");
		kill(pid, SIGUSR1);
		expect_status(pid, "exited 7", code + 1, "  the child is still there");
	}
	expect_eq(alarms, 1, code + 2, "  the SIGALRM handler ran once");
}

static long futex_wait(volatile int *addr, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, ts, NULL, 0);
}

static void futex_restart(int flags, int timed, int code)
{
	install(flags);
	futex_word = 0;
	change_futex = 1;
	struct timespec ts = {5, 0};
	arm_ms(100);
	errno = 0;
	long r = futex_wait(&futex_word, 0, timed ? &ts : NULL);
	int err = errno;
	disarm();
	char what[96];
	snprintf(what, sizeof(what), "FUTEX_WAIT %s, %s", timed ? "with a 5 s timeout" : "without timeout",
		 flags_name(flags));
	if ((flags & SA_RESTART) && !timed) {
		strcat(what, ": restarted, sees the changed word");
		expect_errno(r, err, EAGAIN, code, what);
	} else {
		expect_errno(r, err, EINTR, code, what);
	}
	expect_eq(alarms, 1, code + 1, "  the SIGALRM handler ran once");
}

static void nanosleep_eintr(void)
{
	install(SA_RESTART);
	struct timespec req = {2, 0}, rem = {-1, -1};
	arm_ms(100);
	errno = 0;
	long r = nanosleep(&req, &rem);
	int err = errno;
	disarm();
	expect_errno(r, err, EINTR, 50, "nanosleep(2 s), SA_RESTART");
	check(rem.tv_sec >= 0 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000L &&
		      (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 2,
	      51, "  rem is filled in: 0 < rem < requested");
	expect_eq(alarms, 1, 52, "  the SIGALRM handler ran once");
}

static void poll_pause_eintr(void)
{
	int p[2];
	install(SA_RESTART);
	need(pipe(p) == 0, 93, "pipe");
	struct pollfd pfd = {p[0], POLLIN, 0};
	arm_ms(100);
	errno = 0;
	long r = poll(&pfd, 1, -1);
	int err = errno;
	disarm();
	expect_errno(r, err, EINTR, 60, "poll(no timeout), SA_RESTART");
	close(p[0]);
	close(p[1]);

	install(SA_RESTART);
	arm_ms(100);
	errno = 0;
	r = pause();
	err = errno;
	disarm();
	expect_errno(r, err, EINTR, 61, "pause(), SA_RESTART");
	expect_eq(alarms, 1, 62, "  the SIGALRM handler ran once");
}

int main(void)
{
	/* SIGUSR1 is only ever taken with sigwaitinfo, by children */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);

	pipe_read(SA_RESTART, 10);
	pipe_read(0, 15);
	wait4_restart(SA_RESTART, 20);
	wait4_restart(0, 25);
	futex_restart(SA_RESTART, 0, 30);
	futex_restart(0, 0, 33);
	futex_restart(SA_RESTART, 1, 36);
	nanosleep_eintr();
	poll_pause_eintr();
	return guest_finish();
}
