/*
 * orphan: reparenting when a parent dies, with a child subreaper, and the
 * parent-death signal.
 *
 *   - PR_SET_CHILD_SUBREAPER(1) in the top process, PR_GET_CHILD_SUBREAPER
 *     reads it back; a forked child does not inherit it (reads 0)
 *   - top -> middle -> grandchild; the middle one exits; once the top has
 *     reaped it, the grandchild (woken through a pipe) sees getppid() ==
 *     top, and the top reaps the grandchild with its exit status
 *   - the same with the subreaper flag cleared: the grandchild goes to some
 *     ancestor outside this program (init, or a subreaper above us), so it
 *     sees getppid() != the dead middle process and != top, and the top's
 *     waitpid on it gives ECHILD
 *   - PR_SET_PDEATHSIG(SIGKILL) and (SIGTERM) in a grandchild, read back
 *     with PR_GET_PDEATHSIG: when the middle process exits, the grandchild
 *     (blocked on a pipe read) dies of that signal, and the top reaps it
 *     with WTERMSIG == the signal
 *   - a forked child starts with pdeath signal 0
 */
#include "guest_check.h"

#include <sys/prctl.h>

static void xpipe(int p[2])
{
	need(pipe(p) == 0, 91, "pipe");
}

static void subreaper_flag(void)
{
	int v = -1;
	check(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, 10, "PR_SET_CHILD_SUBREAPER 1");
	check(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) == 0 && v == 1, 11, "PR_GET_CHILD_SUBREAPER == 1");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int c = -1;
		_exit(prctl(PR_GET_CHILD_SUBREAPER, &c, 0, 0, 0) == 0 && c == 0 ? 0 : 1);
	}
	expect_status(pid, "exited 0", 12, "forked child's PR_GET_CHILD_SUBREAPER == 0");
}

/*
 * top -> mid -> gc. mid sends gc's pid up and exits. top reaps mid, then
 * opens the gate; gc reports getppid() through `rep` and exits 33.
 */
static void orphan_chain(int subreaper, int code)
{
	int gate[2], rep[2], up[2], done[2];
	pid_t top = getpid();

	prctl(PR_SET_CHILD_SUBREAPER, subreaper, 0, 0, 0);
	xpipe(gate);
	xpipe(rep);
	xpipe(up);
	xpipe(done);
	pid_t mid = guest_fork();
	if (mid == 0) {
		pid_t me = getpid();
		pid_t gc = fork();
		if (gc == 0) {
			char c;
			long ppid;
			close(gate[1]);
			close(done[0]);
			read(gate[0], &c, 1);
			ppid = getppid();
			long words[2] = {ppid, ppid == me ? 1 : 0};
			write_full(rep[1], words, sizeof(words));
			_exit(33); /* closes done[1]: the top knows we are gone */
		}
		write_full(up[1], &gc, sizeof(gc));
		_exit(gc > 0 ? 0 : 1);
	}
	close(gate[0]);
	close(rep[1]);
	close(up[1]);
	close(done[1]);
	pid_t gc = 0;
	size_t n = read_full(up[0], &gc, sizeof(gc));
	const char *tag = subreaper ? "subreaper" : "no subreaper";
	expect_status(mid, "exited 0", code, subreaper ? "subreaper: middle process" : "no subreaper: middle process");
	check(n == sizeof(gc), code + 1, "%s: got the grandchild's pid", tag);

	write_full(gate[1], "g", 1);
	long words[2] = {0, 0};
	n = read_full(rep[0], words, sizeof(words));
	check(n == sizeof(words) && words[1] == 0, code + 2, "%s: grandchild's getppid() != the dead middle process", tag);
	if (subreaper) {
		check(words[0] == top, code + 3, "subreaper: grandchild's getppid() == top");
		expect_status(gc, "exited 33", code + 4, "subreaper: top reaps the grandchild");
	} else {
		check(words[0] != top, code + 3, "no subreaper: grandchild's getppid() != top");
		char c;
		while (read(done[0], &c, 1) > 0)
			; /* wait until it is gone, so nothing outlives us */
		int st;
		errno = 0;
		long r = waitpid(gc, &st, 0);
		expect_errno(r, errno, ECHILD, code + 4, "no subreaper: top's waitpid on the grandchild");
	}
	close(gate[1]);
	close(rep[0]);
	close(up[0]);
	close(done[0]);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void pdeathsig(int sig, int code)
{
	int hold[2], ready[2], up[2];

	xpipe(hold);
	xpipe(ready);
	xpipe(up);
	pid_t mid = guest_fork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			int got = -1;
			char c;
			close(hold[1]); /* so only the top holds it: the read below blocks */
			close(ready[0]);
			prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
			prctl(PR_GET_PDEATHSIG, &got, 0, 0, 0);
			write_full(ready[1], &got, sizeof(got));
			read(hold[0], &c, 1);
			_exit(0); /* reached only if the signal never came */
		}
		int got = -1;
		close(ready[1]);
		if (read_full(ready[0], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		long words[2] = {gc, got};
		write_full(up[1], words, sizeof(words));
		_exit(0); /* the grandchild's parent dies now */
	}
	close(ready[0]);
	close(ready[1]);
	close(up[1]);
	close(hold[0]);
	long words[2] = {0, 0};
	size_t n = read_full(up[0], words, sizeof(words));
	close(up[0]);
	expect_status(mid, "exited 0", code, "pdeathsig: middle process");
	/*
	 * The signal was sent while the middle process exited, before our
	 * waitpid returned, so closing the pipe now cannot let the grandchild
	 * exit normally; it only keeps a missing signal from hanging us.
	 */
	close(hold[1]);
	check(n == sizeof(words), code + 1, "pdeathsig %d: got the grandchild's pid", sig);
	expect_eq(words[1], sig, code + 2, "PR_GET_PDEATHSIG reads back the signal");
	char want[64];
	snprintf(want, sizeof(want), "killed by signal %d", sig);
	expect_status(words[0], want, code + 3, "grandchild with a pdeath signal, after its parent exited");
}

static void pdeathsig_not_inherited(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		pid_t gc = fork();
		if (gc == 0) {
			int v = -1;
			prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
			_exit(v == 0 ? 0 : 1);
		}
		int st = 0;
		waitpid(gc, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
	}
	expect_status(pid, "exited 0", 50, "a forked child's pdeath signal is 0");
}

int main(void)
{
	subreaper_flag();
	orphan_chain(1, 20);
	orphan_chain(0, 30);
	pdeathsig(SIGKILL, 40);
	pdeathsig(SIGTERM, 44);
	pdeathsig_not_inherited();
	return guest_finish();
}
