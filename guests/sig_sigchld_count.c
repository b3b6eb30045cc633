/*
 * sig_sigchld_count: counting children from a SIGCHLD handler, and the two
 * ways of asking the kernel to reap them itself.
 *
 *   - five children released at once (they block on a shared gate pipe that
 *     the parent closes) exit with 1..5; standard signals coalesce, so the
 *     SA_RESTART handler reaps with a waitpid(WNOHANG) loop; the parent
 *     sigsuspends until all five are counted: count 5, sum of statuses 15,
 *     and waitpid afterwards -> ECHILD
 *   - SA_RESTART: the parent blocks in read() on a pipe while a child exits
 *     (SIGCHLD arrives) and another child writes later; read returns the
 *     data instead of failing with EINTR
 *   - SA_SIGINFO: si_code CLD_EXITED / CLD_KILLED, si_pid the child,
 *     si_status the exit code or the signal
 *   - SIGCHLD set to SIG_IGN: children are reaped by the kernel; waitpid(-1)
 *     waits for them all and then fails with ECHILD; so does waitpid(pid)
 *   - SA_NOCLDWAIT with SIG_DFL: the same
 *   - SA_NOCLDWAIT with a handler: the handler still runs (Linux), and the
 *     child is gone already (ECHILD)
 */
#include "guest_check.h"

#include <time.h>

#define NKIDS 5

static volatile sig_atomic_t reaped, status_sum, handler_runs, bad_status;

static void reap_all(int sig)
{
	(void)sig;
	int saved = errno;
	int st;
	pid_t p;
	handler_runs++;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		reaped++;
		if (WIFEXITED(st))
			status_sum += WEXITSTATUS(st);
		else
			bad_status = 1;
	}
	errno = saved;
}

static void install(void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	need(sigaction(SIGCHLD, &sa, NULL) == 0, 91, "sigaction");
}

static void block_chld(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void count_children(void)
{
	sigset_t old;
	int gate[2];

	install(reap_all, SA_RESTART);
	reaped = status_sum = handler_runs = bad_status = 0;
	block_chld(&old);
	need(pipe(gate) == 0, 92, "pipe");
	for (int i = 1; i <= NKIDS; i++) {
		pid_t pid = guest_fork();
		if (pid == 0) {
			char c;
			close(gate[1]);
			while (read(gate[0], &c, 1) > 0)
				;
			_exit(i);
		}
	}
	close(gate[0]);
	close(gate[1]); /* all five see EOF and exit together */
	while (reaped < NKIDS)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	expect_eq(reaped, NKIDS, 10, "SIGCHLD handler with a WNOHANG loop reaped all 5 children");
	expect_eq(status_sum, 15, 11, "  their exit codes add up to 1+2+3+4+5");
	check(!bad_status, 12, "  every child exited normally");
	check(handler_runs >= 1 && handler_runs <= NKIDS, 13, "  the handler ran between 1 and 5 times");
	errno = 0;
	long r = waitpid(-1, NULL, WNOHANG);
	expect_errno(r, errno, ECHILD, 14, "  waitpid(-1) afterwards");
	signal(SIGCHLD, SIG_DFL);
}

static void read_restarts(void)
{
	int data[2];

	install(reap_all, SA_RESTART);
	reaped = status_sum = handler_runs = 0;
	need(pipe(data) == 0, 92, "pipe");
	pid_t quick = guest_fork();
	if (quick == 0)
		_exit(0);
	pid_t slow = guest_fork();
	if (slow == 0) {
		close(data[0]);
		sleep_ms(300);
		if (write(data[1], "late", 4) != 4)
			_exit(1);
		_exit(2);
	}
	close(data[1]);
	char buf[8];
	errno = 0;
	ssize_t n = read(data[0], buf, sizeof(buf)); /* no EINTR retry on purpose */
	check(n == 4 && memcmp(buf, "late", 4) == 0, 20,
	      "SA_RESTART: read() on a pipe survives SIGCHLD and returns the later data (got %ld, errno %s)",
	      (long)n, errno_name(n < 0 ? errno : 0));
	close(data[0]);
	sigset_t old;
	block_chld(&old);
	while (reaped < 2)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	expect_eq(status_sum, 2, 21, "  both children reaped by the handler (statuses 0 and 2)");
	signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t info_seen, info_code, info_status, info_pid_ok;
static volatile pid_t info_expect;

static void on_chld_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	info_seen++;
	info_code = si->si_code;
	info_status = si->si_status;
	info_pid_ok = si->si_pid == info_expect;
}

static void siginfo_fields(void)
{
	struct sigaction sa;
	sigset_t old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld_info;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	need(sigaction(SIGCHLD, &sa, NULL) == 0, 91, "sigaction");
	block_chld(&old);

	info_seen = 0;
	fflush(stdout);
	pid_t pid = fork();
	need(pid >= 0, 90, "fork");
	if (pid == 0)
		_exit(42);
	info_expect = pid;
	while (!info_seen)
		sigsuspend(&old);
	check(info_code == CLD_EXITED, 30, "SA_SIGINFO SIGCHLD for _exit(42): si_code CLD_EXITED");
	expect_eq(info_status, 42, 31, "  si_status 42");
	check(info_pid_ok, 32, "  si_pid is the child");
	expect_status(pid, "exited 42", 33, "  waitpid still reports it");

	info_seen = 0;
	pid = guest_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	info_expect = pid;
	kill(pid, SIGKILL);
	while (!info_seen)
		sigsuspend(&old);
	check(info_code == CLD_KILLED, 34, "SIGCHLD for a child killed by SIGKILL: si_code CLD_KILLED");
	expect_eq(info_status, SIGKILL, 35, "  si_status SIGKILL");
	check(info_pid_ok, 36, "  si_pid is the child");
	expect_status(pid, "killed by signal 9", 37, "  waitpid still reports it");

	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

static void auto_reap(const char *tag, void (*fn)(int), int flags, int code)
{
	install(fn, flags);
	pid_t last = 0;
	for (int i = 0; i < 3; i++) {
		last = guest_fork();
		if (last == 0) {
			sleep_ms(20 * i);
			_exit(7);
		}
	}
	int st = 0;
	errno = 0;
	long r = waitpid(-1, &st, 0);
	expect_errno(r, errno, ECHILD, code, tag);
	errno = 0;
	r = waitpid(last, &st, WNOHANG);
	expect_errno(r, errno, ECHILD, code + 1, "  waitpid(pid of a reaped child)");
	signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t nocldwait_runs;

static void count_only(int sig)
{
	(void)sig;
	nocldwait_runs++;
}

static void nocldwait_with_handler(void)
{
	sigset_t old;

	install(count_only, SA_NOCLDWAIT);
	nocldwait_runs = 0;
	block_chld(&old);
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(5);
	while (!nocldwait_runs)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(1, 60, "SA_NOCLDWAIT with a handler: the handler still runs");
	errno = 0;
	long r = waitpid(pid, NULL, 0);
	expect_errno(r, errno, ECHILD, 61, "  and the child was reaped by the kernel: waitpid(pid)");
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	count_children();
	read_restarts();
	siginfo_fields();
	auto_reap("SIGCHLD SIG_IGN: waitpid(-1) waits for 3 children, then", SIG_IGN, 0, 40);
	auto_reap("SA_NOCLDWAIT (SIG_DFL): waitpid(-1) waits for 3 children, then", SIG_DFL, SA_NOCLDWAIT, 50);
	nocldwait_with_handler();
	return guest_finish();
}
