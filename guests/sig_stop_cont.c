/*
 * sig_stop_cont: job-control signals with handlers around them (the
 * default-action basics are in wait_stop_cont).
 *
 *   - a child with SIGCONT and SIGUSR1 handlers is stopped with SIGSTOP
 *     (waitpid WUNTRACED: stopped by 19; /proc/<pid>/stat says T); a
 *     SIGUSR1 sent while it is stopped does not run (nothing reported for
 *     200 ms); SIGCONT (waitpid WCONTINUED: continued) runs the SIGCONT
 *     handler and then the SIGUSR1 one, each once
 *   - SIGCONT to a child that is not stopped still runs its handler
 *   - SIGTSTP, SIGTTIN and SIGTTOU at their default action stop (the
 *     child is in its own process group, which is not orphaned)
 *   - SIGTSTP with a handler does not stop: the handler runs
 *   - SIGCONT discards a pending (blocked) SIGTSTP: after unblocking it the
 *     child is not stopped
 *   - waitid(WSTOPPED|WNOWAIT) leaves the stop to be reported again
 *   - the parent's SA_SIGINFO SIGCHLD handler sees CLD_STOPPED (si_status
 *     SIGSTOP) and CLD_CONTINUED (si_status SIGCONT); with SA_NOCLDSTOP
 *     only the exit (CLD_EXITED) is reported
 *   - SIGKILL ends a stopped child
 *
 * Children report by writing one letter per event to a pipe.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>

static int report[2];

static void put(char c)
{
	if (write(report[1], &c, 1) != 1)
		_exit(99);
}

static void on_cont(int sig)
{
	(void)sig;
	put('C');
}

static void on_usr1(int sig)
{
	(void)sig;
	put('U');
}

static void on_tstp(int sig)
{
	(void)sig;
	put('T');
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	need(sigaction(sig, &sa, NULL) == 0, 91, "sigaction");
}

/* Next letter from the children, or 0 if none comes within ms. */
static char next(int ms)
{
	struct pollfd p = {report[0], POLLIN, 0};
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return 0;
	char c;
	return read(report[0], &c, 1) == 1 ? c : 0;
}

static pid_t child_with_handlers(int tstp_handler)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		setpgid(0, 0);
		handle(SIGCONT, on_cont);
		handle(SIGUSR1, on_usr1);
		if (tstp_handler)
			handle(SIGTSTP, on_tstp);
		put('R');
		for (;;)
			pause();
	}
	need(next(10000) == 'R', 92, "child ready");
	return pid;
}

static int waitfor(pid_t pid, int flags, int *st)
{
	pid_t r;
	while ((r = waitpid(pid, st, flags)) < 0 && errno == EINTR)
		;
	return r == pid;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void stop_then_continue(void)
{
	int st = 0;
	pid_t pid = child_with_handlers(0);
	kill(pid, SIGSTOP);
	check(waitfor(pid, WUNTRACED, &st) && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, 10,
	      "SIGSTOP: waitpid(WUNTRACED) reports stopped by SIGSTOP");
	expect_eq(proc_state(pid), 'T', 11, "  /proc/<pid>/stat state is T");
	kill(pid, SIGUSR1);
	expect_eq(next(200), 0, 12, "  SIGUSR1 sent while stopped: no handler runs");
	kill(pid, SIGCONT);
	check(waitfor(pid, WCONTINUED, &st) && WIFCONTINUED(st), 13, "SIGCONT: waitpid(WCONTINUED) reports continued");
	char a = next(10000), b = next(10000);
	check((a == 'C' && b == 'U') || (a == 'U' && b == 'C'), 14,
	      "  the SIGCONT handler and the pending SIGUSR1 handler both ran");
	expect_eq(next(200), 0, 15, "  each once");

	kill(pid, SIGCONT);
	expect_eq(next(10000), 'C', 16, "SIGCONT to a running child: its handler runs");
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", 17, "  SIGKILL ends it");
}

static void default_stops(int sig, int code)
{
	int st = 0;
	pid_t pid = child_with_handlers(0);
	kill(pid, sig);
	check(waitfor(pid, WUNTRACED, &st) && WIFSTOPPED(st) && WSTOPSIG(st) == sig, code,
	      "signal %d at its default action stops the child", sig);
	kill(pid, SIGCONT);
	expect_eq(next(10000), 'C', code + 1, "  SIGCONT resumes it and runs the handler");
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", code + 2, "  then SIGKILL");
}

static void tstp_handled(void)
{
	int st = 0;
	pid_t pid = child_with_handlers(1);
	kill(pid, SIGTSTP);
	expect_eq(next(10000), 'T', 30, "SIGTSTP with a handler: the handler runs");
	expect_eq(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, 31, "  and the child is not stopped");
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", 32, "  SIGKILL");
}

static void cont_discards_tstp(void)
{
	int go[2];
	need(pipe(go) == 0, 93, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		setpgid(0, 0);
		close(go[1]);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGTSTP);
		sigprocmask(SIG_BLOCK, &s, NULL);
		put('R');
		char c;
		if (read_full(go[0], &c, 1) != 1)
			_exit(10);
		sigset_t p;
		sigpending(&p);
		int tstp_pending = sigismember(&p, SIGTSTP);
		sigprocmask(SIG_UNBLOCK, &s, NULL); /* would stop here if it were pending */
		_exit(tstp_pending ? 1 : 0);
	}
	close(go[0]);
	need(next(10000) == 'R', 92, "child ready");
	kill(pid, SIGTSTP);
	kill(pid, SIGCONT);
	need(write(go[1], "g", 1) == 1, 94, "write");
	close(go[1]);
	int st = 0;
	check(waitfor(pid, WUNTRACED, &st) && WIFEXITED(st) && WEXITSTATUS(st) == 0, 40,
	      "SIGCONT discards a pending blocked SIGTSTP: the child unblocks it and exits 0 (%s)", status_str(st));
}

static void waitid_nowait(void)
{
	int st = 0;
	pid_t pid = child_with_handlers(0);
	kill(pid, SIGSTOP);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r;
	while ((r = waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT)) < 0 && errno == EINTR)
		;
	check(r == 0 && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP && si.si_pid == pid, 50,
	      "waitid(WSTOPPED|WNOWAIT): CLD_STOPPED, si_status SIGSTOP");
	check(waitfor(pid, WUNTRACED | WNOHANG, &st) && WIFSTOPPED(st), 51, "  waitpid(WUNTRACED) still reports the stop");
	expect_eq(waitpid(pid, &st, WUNTRACED | WNOHANG), 0, 52, "  but only once");
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", 53, "  SIGKILL ends the stopped child");
}

static volatile sig_atomic_t chld_codes[8], chld_status[8], nchld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nchld < 8) {
		chld_codes[nchld] = si->si_code;
		chld_status[nchld] = si->si_status;
		nchld++;
	}
}

static void sigchld_reports(int nocldstop, int code)
{
	struct sigaction sa;
	sigset_t blk, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | (nocldstop ? SA_NOCLDSTOP : 0);
	need(sigaction(SIGCHLD, &sa, NULL) == 0, 91, "sigaction");
	sigemptyset(&blk);
	sigaddset(&blk, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blk, &old);
	nchld = 0;
	int st;
	pid_t pid = child_with_handlers(0);
	kill(pid, SIGSTOP);
	need(waitfor(pid, WUNTRACED, &st) && WIFSTOPPED(st), 95, "stop");
	sigprocmask(SIG_SETMASK, &old, NULL); /* deliver what is pending */
	sigprocmask(SIG_BLOCK, &blk, NULL);
	int after_stop = nchld;
	kill(pid, SIGCONT);
	need(waitfor(pid, WCONTINUED, &st) && WIFCONTINUED(st), 96, "continue");
	need(next(10000) == 'C', 97, "SIGCONT handler");
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigprocmask(SIG_BLOCK, &blk, NULL);
	int after_cont = nchld;
	kill(pid, SIGTERM);
	need(waitfor(pid, 0, &st), 98, "reap");
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!nocldstop) {
		check(after_stop == 1 && chld_codes[0] == CLD_STOPPED && chld_status[0] == SIGSTOP, code,
		      "parent's SIGCHLD for the stop: CLD_STOPPED, si_status SIGSTOP");
		check(after_cont == 2 && chld_codes[1] == CLD_CONTINUED && chld_status[1] == SIGCONT, code + 1,
		      "parent's SIGCHLD for the continue: CLD_CONTINUED, si_status SIGCONT");
		check(nchld == 3 && chld_codes[2] == CLD_KILLED && chld_status[2] == SIGTERM, code + 2,
		      "parent's SIGCHLD for the SIGTERM death: CLD_KILLED, si_status SIGTERM");
	} else {
		check(after_stop == 0 && after_cont == 0, code, "SA_NOCLDSTOP: no SIGCHLD for stop or continue");
		check(nchld == 1 && chld_codes[0] == CLD_KILLED && chld_status[0] == SIGTERM, code + 1,
		      "  only the death is reported (CLD_KILLED, SIGTERM)");
	}
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	need(pipe(report) == 0, 90, "pipe");
	stop_then_continue();
	default_stops(SIGTSTP, 20);
	default_stops(SIGTTIN, 23);
	default_stops(SIGTTOU, 26);
	tstp_handled();
	cont_discards_tstp();
	waitid_nowait();
	sigchld_reports(0, 60);
	sigchld_reports(1, 70);
	return guest_finish();
}
