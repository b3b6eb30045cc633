/*
 * fork_wait: fork and the wait family, the shape of seed 000's example
 * without its thread: the child prints, the parent waits and decodes.
 *
 *   - fork return == the child's getpid(); the child's getppid() == the
 *     parent's getpid() (reported back through a pipe)
 *   - waitpid: WIFEXITED/WEXITSTATUS of the child's exit code
 *   - wait() with no children at all -> ECHILD
 *   - WNOHANG while the child is still blocked (on a pipe read) -> 0, and
 *     waitid(WNOHANG) leaves si_pid 0
 *   - waitid(P_PID, WEXITED): si_signo SIGCHLD, si_code CLD_EXITED,
 *     si_status, si_pid
 *   - waitid(WNOWAIT) leaves the zombie, a second wait reaps it, a third
 *     finds nothing (ECHILD)
 *   - a child blocked on a pipe read and killed with SIGKILL:
 *     WIFSIGNALED, WTERMSIG 9, si_code CLD_KILLED
 *   - a child that calls abort() with RLIMIT_CORE 0: WTERMSIG 6, no
 *     WCOREDUMP (no core is written at a zero core limit)
 *   - waitpid(-1) picks whichever child is a zombie
 *   - SIGCHLD set to SIG_IGN, and SA_NOCLDWAIT with SIG_DFL: exited
 *     children are reaped by the kernel, wait() blocks until they are gone
 *     and then fails with ECHILD
 *   - option errors: wait4 with WNOWAIT or WEXITED -> EINVAL (even with a
 *     child to wait for), waitid without WEXITED/WSTOPPED/WCONTINUED,
 *     with P_PID and pid 0, with an unknown idtype -> EINVAL
 *   - a bad status pointer: EFAULT, and the child is reaped anyway
 *   - kill(zombie, 0) succeeds; kill(reaped pid, 0) -> ESRCH
 * Stopped and continued children: wait_stop_cont.c.
 */
#include "guest_check.h"

#include <sys/resource.h>

/* Child of the first case: report pids, print, exit 7. */
static void first_child(int report_fd)
{
	long ids[2] = {getpid(), getppid()};

	write_full(report_fd, ids, sizeof(ids));
	printf("I am the child\n");
	exit(7);
}

static void fork_and_waitpid(void)
{
	int rep[2];
	pid_t me = getpid();

	need(pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(rep[0]);
		first_child(rep[1]);
	}
	close(rep[1]);
	long ids[2] = {0, 0};
	size_t n = read_full(rep[0], ids, sizeof(ids));
	close(rep[0]);

	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	printf("I am the parent\n");
	check(n == sizeof(ids), 10, "child reported its pids");
	check(ids[0] == pid, 11, "child's getpid() == fork return");
	check(ids[1] == me, 12, "child's getppid() == parent's getpid()");
	check(w == pid, 13, "waitpid returns the child's pid");
	check(WIFEXITED(st), 14, "WIFEXITED");
	expect_eq(WEXITSTATUS(st), 7, 15, "WEXITSTATUS == 7");
	check(!WIFSIGNALED(st) && !WIFSTOPPED(st), 16, "not signalled, not stopped");
}

static void no_children(void)
{
	int st;

	errno = 0;
	long r = wait(&st);
	expect_errno(r, errno, ECHILD, 20, "wait() with no children");
	errno = 0;
	r = waitpid(-1, &st, WNOHANG);
	expect_errno(r, errno, ECHILD, 21, "waitpid(-1, WNOHANG) with no children");
	siginfo_t si;
	errno = 0;
	r = waitid(P_ALL, 0, &si, WEXITED);
	expect_errno(r, errno, ECHILD, 22, "waitid(P_ALL) with no children");
}

static void wnohang_running(void)
{
	int gate_w;
	pid_t pid = fork_gated(3, &gate_w);

	int st = 12345;
	pid_t w = waitpid(pid, &st, WNOHANG);
	expect_eq(w, 0, 30, "waitpid(WNOHANG) on a blocked child returns 0");

	siginfo_t si;
	memset(&si, 0xff, sizeof(si));
	int r = waitid(P_PID, pid, &si, WEXITED | WNOHANG);
	check(r == 0 && si.si_pid == 0, 31, "waitid(WNOHANG) on a blocked child: 0 and si_pid 0");

	close(gate_w); /* EOF wakes the child */
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED);
	expect_eq(r, 0, 32, "waitid(P_PID, WEXITED) returns 0");
	expect_eq(si.si_signo, SIGCHLD, 33, "si_signo == SIGCHLD");
	expect_eq(si.si_code, CLD_EXITED, 34, "si_code == CLD_EXITED");
	expect_eq(si.si_status, 3, 35, "si_status == 3");
	check(si.si_pid == pid, 36, "si_pid == child");
	check(si.si_uid == getuid(), 37, "si_uid == getuid()");

	errno = 0;
	w = waitpid(pid, &st, 0);
	expect_errno(w, errno, ECHILD, 38, "waitpid after waitid reaped it");
}

static void wnowait_then_wait(void)
{
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(42);

	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	check(r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 42, 40,
	      "waitid(WNOWAIT) sees the exit (CLD_EXITED, 42)");
	memset(&si, 0, sizeof(si));
	r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
	check(r == 0 && si.si_pid == pid && si.si_status == 42, 41,
	      "a second waitid(P_ALL, WNOWAIT) still sees it");
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42, 42,
	      "waitpid afterwards reaps it: exited 42");
	errno = 0;
	w = waitpid(pid, &st, 0);
	expect_errno(w, errno, ECHILD, 43, "a third wait");
}

static void killed_while_blocked(void)
{
	int gate_w;
	pid_t pid = fork_gated(0, &gate_w);
	check(kill(pid, SIGKILL) == 0, 50, "kill(child, SIGKILL)");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	check(r == 0 && si.si_code == CLD_KILLED && si.si_status == SIGKILL, 51,
	      "waitid: si_code CLD_KILLED, si_status SIGKILL");
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid, 52, "waitpid returns the killed child");
	check(WIFSIGNALED(st) && !WIFEXITED(st), 53, "WIFSIGNALED");
	expect_eq(WTERMSIG(st), SIGKILL, 54, "WTERMSIG == 9");
	check(!WCOREDUMP(st), 55, "SIGKILL: no WCOREDUMP");
	close(gate_w);
}

static void aborting_child(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		abort();
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	check(r == 0 && si.si_status == SIGABRT, 60, "waitid: si_status SIGABRT");
	printf("abort si_code: %s\n", si.si_code == CLD_DUMPED ? "CLD_DUMPED" :
				      si.si_code == CLD_KILLED ? "CLD_KILLED" : "other");
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st), 61, "abort(): WIFSIGNALED");
	expect_eq(WTERMSIG(st), SIGABRT, 62, "WTERMSIG == 6");
	printf("abort() with RLIMIT_CORE 0: WCOREDUMP %s\n", WCOREDUMP(st) ? "set" : "clear");
}

static void wait_any(void)
{
	int gate_w;
	pid_t blocked = fork_gated(1, &gate_w);
	pid_t quick = guest_fork();
	if (quick == 0)
		_exit(2);
	int st = 0;
	pid_t w = waitpid(-1, &st, 0);
	check(w == quick && WIFEXITED(st) && WEXITSTATUS(st) == 2, 70,
	      "waitpid(-1) returns the child that exited (exited 2)");
	w = waitpid(-1, &st, WNOHANG);
	expect_eq(w, 0, 71, "waitpid(-1, WNOHANG) with one blocked child returns 0");
	close(gate_w);
	w = wait(&st);
	check(w == blocked && WIFEXITED(st) && WEXITSTATUS(st) == 1, 72,
	      "wait() then returns the other one (exited 1)");
}

static void autoreap(void)
{
	int st;

	need(signal(SIGCHLD, SIG_IGN) != SIG_ERR, 93, "signal(SIGCHLD, SIG_IGN)");
	pid_t a = guest_fork();
	if (a == 0)
		_exit(1);
	pid_t b = guest_fork();
	if (b == 0)
		_exit(2);
	errno = 0;
	long r = wait(&st);
	expect_errno(r, errno, ECHILD, 90, "SIGCHLD ignored: wait() once the children have exited");
	signal(SIGCHLD, SIG_DFL);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	need(sigaction(SIGCHLD, &sa, NULL) == 0, 94, "sigaction(SIGCHLD, SA_NOCLDWAIT)");
	a = guest_fork();
	if (a == 0)
		_exit(3);
	errno = 0;
	r = waitpid(a, &st, 0);
	expect_errno(r, errno, ECHILD, 91, "SA_NOCLDWAIT: waitpid(child) once it has exited");
	sa.sa_flags = 0;
	sigaction(SIGCHLD, &sa, NULL);
	a = guest_fork();
	if (a == 0)
		_exit(4);
	expect_status(a, "exited 4", 92, "SIGCHLD back to SIG_DFL: the child is a zombie again");
}

static void option_errors(void)
{
	int gate_w, st;
	siginfo_t si;

	pid_t pid = fork_gated(0, &gate_w);
	errno = 0;
	long r = waitpid(pid, &st, WNOWAIT);
	expect_errno(r, errno, EINVAL, 100, "waitpid(child, WNOWAIT)");
	errno = 0;
	r = waitpid(pid, &st, WEXITED);
	expect_errno(r, errno, EINVAL, 101, "waitpid(child, WEXITED)");
	errno = 0;
	r = waitid(P_PID, pid, &si, WNOHANG);
	expect_errno(r, errno, EINVAL, 102, "waitid without WEXITED/WSTOPPED/WCONTINUED");
	errno = 0;
	r = waitid(P_PID, 0, &si, WEXITED);
	expect_errno(r, errno, EINVAL, 103, "waitid(P_PID, 0)");
	errno = 0;
	r = syscall(SYS_waitid, 42, pid, &si, WEXITED, NULL);
	expect_errno(r, errno, EINVAL, 104, "waitid with idtype 42");
	close(gate_w);
	expect_status(pid, "exited 0", 105, "the child was not disturbed by the bad calls");
}

static void bad_status_pointer(void)
{
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(8);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	need(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0, 95, "waitid(WNOWAIT)");
	check(kill(pid, 0) == 0, 110, "kill(zombie, 0) succeeds");
	errno = 0;
	long r = syscall(SYS_wait4, pid, (int *)8, 0, NULL);
	expect_errno(r, errno, EFAULT, 111, "wait4 with a bad status pointer");
	int st;
	errno = 0;
	r = waitpid(pid, &st, WNOHANG);
	expect_errno(r, errno, ECHILD, 112, "the child was reaped all the same: waitpid");
	errno = 0;
	r = kill(pid, 0);
	expect_errno(r, errno, ESRCH, 113, "kill(reaped pid, 0)");
}

int main(void)
{
	fork_and_waitpid();
	no_children();
	wnohang_running();
	wnowait_then_wait();
	killed_while_blocked();
	aborting_child();
	wait_any();
	autoreap();
	option_errors();
	bad_status_pointer();
	return guest_finish();
}
