/*
 * sig_kill_child_status: what waitpid reports for a child that a signal
 * killed, or did not kill.
 *
 *   - default actions: kill(child, SIGTERM / SIGKILL / SIGSEGV / SIGUSR1 /
 *     SIGALRM) -> WIFSIGNALED with that WTERMSIG; RLIMIT_CORE is set to 0 so
 *     no status carries the core flag
 *   - a real fault (store through NULL) -> killed by SIGSEGV
 *   - default-ignored signals (SIGCHLD, SIGURG, SIGWINCH) do not kill: the
 *     child carries on and exits 0
 *   - a child with a SIGTERM handler that calls _exit(3) -> exited 3
 *   - a child ignoring SIGTERM survives it; SIGKILL still kills it
 *   - a child blocking every signal: SIGKILL still kills it; sigaction on
 *     SIGKILL or SIGSTOP fails with EINVAL; SIG_IGN for SIGKILL too
 *   - a child that raise()s SIGTERM on itself -> killed by SIGTERM
 *   - kill() of a zombie succeeds and changes nothing; kill() of a reaped
 *     child fails with ESRCH
 *
 * Children that must be ready (handler installed, mask set) before the
 * signal is sent say so by writing one byte to a pipe.
 */
#include "guest_check.h"

#include <sys/resource.h>

static int ready[2];

static void say_ready(void)
{
	if (write(ready[1], "r", 1) != 1)
		_exit(99);
}

static void wait_ready(void)
{
	char c;
	need(read_full(ready[0], &c, 1) == 1, 92, "child ready");
}

static void idle(void)
{
	for (;;)
		pause();
}

static void killed_by_default(int sig, int code)
{
	pid_t pid = guest_fork();
	if (pid == 0)
		idle();
	need(kill(pid, sig) == 0, 93, "kill");
	char want[64], what[64];
	snprintf(want, sizeof(want), "killed by signal %d", sig);
	snprintf(what, sizeof(what), "kill(child, signal %d) at its default action", sig);
	expect_status(pid, want, code, what);
}

static void null_store(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	expect_status(pid, "killed by signal 11", 20, "child stores through NULL");
}

static void ignored_by_default(int sig, int code)
{
	int go[2];
	need(pipe(go) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		say_ready();
		if (read_full(go[0], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(go[0]);
	wait_ready();
	need(kill(pid, sig) == 0, 93, "kill");
	/* after the signal, let the child finish its read */
	need(write(go[1], "g", 1) == 1, 94, "write");
	close(go[1]);
	char what[64];
	snprintf(what, sizeof(what), "signal %d (ignored by default) does not kill", sig);
	expect_status(pid, "exited 0", code, what);
}

static void term_exits_3(int sig)
{
	(void)sig;
	_exit(3);
}

static void handler_exits(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = term_exits_3;
		sigaction(SIGTERM, &sa, NULL);
		say_ready();
		idle();
	}
	wait_ready();
	need(kill(pid, SIGTERM) == 0, 93, "kill");
	expect_status(pid, "exited 3", 30, "SIGTERM to a child whose handler calls _exit(3)");
}

static void ignoring_child(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		say_ready();
		idle();
	}
	wait_ready();
	need(kill(pid, SIGTERM) == 0, 93, "kill");
	int st;
	usleep(50000);
	expect_eq(waitpid(pid, &st, WNOHANG), 0, 40, "a child ignoring SIGTERM is still alive after it");
	need(kill(pid, SIGKILL) == 0, 93, "kill");
	expect_status(pid, "killed by signal 9", 41, "  SIGKILL kills it");
}

static void blocking_child(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		int bad = 0;
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = term_exits_3;
		if (sigaction(SIGKILL, &sa, NULL) != -1 || errno != EINVAL)
			bad |= 1;
		if (sigaction(SIGSTOP, &sa, NULL) != -1 || errno != EINVAL)
			bad |= 2;
		sa.sa_handler = SIG_IGN;
		if (sigaction(SIGKILL, &sa, NULL) != -1 || errno != EINVAL)
			bad |= 4;
		if (bad)
			_exit(bad);
		say_ready();
		idle();
	}
	wait_ready();
	need(kill(pid, SIGTERM) == 0, 93, "kill");
	need(kill(pid, SIGUSR1) == 0, 93, "kill");
	need(kill(pid, SIGKILL) == 0, 93, "kill");
	expect_status(pid, "killed by signal 9", 50,
		      "child blocking all signals (sigaction on SIGKILL/SIGSTOP -> EINVAL): SIGTERM pends, SIGKILL kills");
}

static void raise_self(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		raise(SIGTERM);
		_exit(0);
	}
	expect_status(pid, "killed by signal 15", 60, "child raise(SIGTERM)");
}

static void zombie_and_reaped(void)
{
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(6);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	need(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0, 95, "waitid");
	expect_eq(kill(pid, SIGKILL), 0, 70, "kill(zombie, SIGKILL) succeeds");
	expect_status(pid, "exited 6", 71, "  the zombie's status is unchanged");
	errno = 0;
	long r = kill(pid, SIGTERM);
	expect_errno(r, errno, ESRCH, 72, "kill(reaped child)");
}

int main(void)
{
	struct rlimit rl = {0, 0};
	getrlimit(RLIMIT_CORE, &rl);
	rl.rlim_cur = 0;
	need(setrlimit(RLIMIT_CORE, &rl) == 0, 90, "setrlimit");
	need(pipe(ready) == 0, 91, "pipe");

	killed_by_default(SIGTERM, 10);
	killed_by_default(SIGKILL, 11);
	killed_by_default(SIGSEGV, 12);
	killed_by_default(SIGUSR1, 13);
	killed_by_default(SIGALRM, 14);
	killed_by_default(SIGQUIT, 15);
	null_store();
	ignored_by_default(SIGCHLD, 21);
	ignored_by_default(SIGURG, 22);
	ignored_by_default(SIGWINCH, 23);
	handler_exits();
	ignoring_child();
	blocking_child();
	raise_self();
	zombie_and_reaped();
	return guest_finish();
}
