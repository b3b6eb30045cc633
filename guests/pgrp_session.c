/*
 * pgrp_session: process groups and sessions as shells use them.
 *
 *   - getpgrp() == getpgid(0) == getpgid(getpid()); getsid(0) == getsid(getpid())
 *   - a child's setpgid(0, 0) makes it a group leader (getpgid(0) ==
 *     getpid()), which the parent sees with getpgid(child); the parent's
 *     own setpgid(child, child) is allowed as well (the race-free shell
 *     idiom), and setpgid(child, our pgrp) moves it back
 *   - setpgid into a group that does not exist in our session -> EPERM;
 *     on a process that is not our child -> ESRCH; negative pgid -> EINVAL
 *   - setsid in a child (not a group leader): returns its pid, which is
 *     then its session id and group id; the parent sees getsid(child);
 *     setsid again (now a leader) -> EPERM; setpgid(0,0) in a session
 *     leader -> EPERM; the parent's setpgid on a child in another session
 *     -> EPERM
 *   - setsid in a group leader -> EPERM
 *   - setpgid on a child after it has exec'd -> EACCES (the exec'd image is
 *     this program in "wait" mode, blocked reading its stdin pipe; a
 *     CLOEXEC pipe tells the parent the exec happened)
 *   - kill(-pgid, SIGKILL) reaches every member of the group
 *   - getpgid of a reaped child -> ESRCH
 *   - waiting by group: waitpid(-pgid) and waitid(P_PGID) see only that
 *     group's children, waitpid(0) only those in our own group (ECHILD when
 *     none is left there); a zombie still answers getpgid
 */
#include "guest_check.h"

#include <fcntl.h>

static void xpipe(int p[2])
{
	need(pipe(p) == 0, 91, "pipe");
}

/* Fork a child that runs fn, writes its result word to a pipe, then blocks until `hold` closes. */
static pid_t spawn_blocked(long (*fn)(void), int *result_fd, int *hold_fd)
{
	int rep[2], hold[2];
	xpipe(rep);
	xpipe(hold);
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(rep[0]);
		close(hold[1]);
		long v = fn ? fn() : 0;
		write_full(rep[1], &v, sizeof(v));
		read(hold[0], &c, 1);
		_exit(0);
	}
	close(rep[1]);
	close(hold[0]);
	*result_fd = rep[0];
	*hold_fd = hold[1];
	return pid;
}

static long get_result(int fd)
{
	long v = -12345;
	read_full(fd, &v, sizeof(v));
	close(fd);
	return v;
}

static void release(pid_t pid, int hold_fd, int code, const char *what)
{
	close(hold_fd);
	expect_status(pid, "exited 0", code, what);
}

static void basics(void)
{
	check(getpgrp() == getpgid(0) && getpgid(0) == getpgid(getpid()), 10,
	      "getpgrp() == getpgid(0) == getpgid(getpid())");
	check(getsid(0) == getsid(getpid()), 11, "getsid(0) == getsid(getpid())");
}

static long become_leader(void)
{
	if (setpgid(0, 0) != 0)
		return -1;
	return getpgid(0) == getpid() && getpgrp() == getpid() ? 1 : 0;
}

static void child_setpgid(void)
{
	int rfd, hfd;
	pid_t pid = spawn_blocked(become_leader, &rfd, &hfd);
	expect_eq(get_result(rfd), 1, 20, "child's setpgid(0, 0): getpgid(0) == getpid()");
	check(getpgid(pid) == pid, 21, "parent sees getpgid(child) == child");
	check(getsid(pid) == getsid(0), 22, "the child is still in our session");
	check(setpgid(pid, pid) == 0, 23, "parent's setpgid(child, child) on a leader of that group");
	check(setpgid(pid, getpgrp()) == 0 && getpgid(pid) == getpgrp(), 24,
	      "setpgid(child, our pgrp) moves it back");

	/* A group that does not exist: the pid of a process that leads no group. */
	int rfd2, hfd2;
	pid_t other = spawn_blocked(NULL, &rfd2, &hfd2);
	get_result(rfd2);
	errno = 0;
	long r = setpgid(pid, other);
	expect_errno(r, errno, EPERM, 25, "setpgid(child, pid that leads no group in our session)");
	errno = 0;
	r = setpgid(pid, -1);
	expect_errno(r, errno, EINVAL, 26, "setpgid(child, -1)");
	release(other, hfd2, 27, "second child");
	release(pid, hfd, 28, "setpgid child");

	errno = 0;
	r = setpgid(getppid(), getppid());
	expect_errno(r, errno, ESRCH, 29, "setpgid on our parent (not a child)");
}

static long new_session(void)
{
	pid_t sid = setsid();
	long ok = sid == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
	errno = 0;
	long again = setsid();
	ok = ok && again == -1 && errno == EPERM;
	errno = 0;
	long r = setpgid(0, 0);
	/* a session leader may not change its group: EPERM */
	ok = ok && r == -1 && errno == EPERM;
	return ok;
}

static void child_setsid(void)
{
	int rfd, hfd;
	pid_t pid = spawn_blocked(new_session, &rfd, &hfd);
	check(get_result(rfd) == 1, 30,
	      "child's setsid() == its pid == getsid(0) == getpgrp(); setsid again and setpgid(0,0) -> EPERM");
	check(getsid(pid) == pid, 31, "parent sees getsid(child) == child");
	check(getpgid(pid) == pid, 32, "parent sees getpgid(child) == child");
	check(getsid(0) != pid, 33, "our session is unchanged");
	errno = 0;
	long r = setpgid(pid, pid);
	expect_errno(r, errno, EPERM, 34, "setpgid on a child in another session");
	release(pid, hfd, 35, "setsid child");
}

static long setsid_as_leader(void)
{
	if (setpgid(0, 0) != 0)
		return -2;
	errno = 0;
	long r = setsid();
	return r == -1 && errno == EPERM ? 1 : 0;
}

static void leader_setsid(void)
{
	int rfd, hfd;
	pid_t pid = spawn_blocked(setsid_as_leader, &rfd, &hfd);
	expect_eq(get_result(rfd), 1, 40, "setsid() in a group leader -> EPERM");
	release(pid, hfd, 41, "group-leader child");
}

static void after_exec(const char *self)
{
	int in[2], execd[2], go[2];
	xpipe(in);
	xpipe(go);
	need(pipe2(execd, O_CLOEXEC) == 0, 92, "pipe2");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(in[1]);
		close(execd[0]);
		close(go[1]);
		read(go[0], &c, 1); /* exec only after the parent's first setpgid */
		close(go[0]);
		dup2(in[0], 0);
		close(in[0]);
		char *argv[] = {(char *)"pgrp_session", (char *)"wait", NULL};
		char *envp[] = {NULL};
		execve(self, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(execd[1]);
	close(go[0]);
	check(setpgid(pid, pid) == 0, 50, "setpgid on a child before it execs");
	close(go[1]);
	char c;
	/* EOF when the exec closed the CLOEXEC end */
	expect_eq(read(execd[0], &c, 1), 0, 51, "child has exec'd (CLOEXEC pipe closed)");
	close(execd[0]);
	errno = 0;
	long r = setpgid(pid, getpgrp());
	expect_errno(r, errno, EACCES, 52, "setpgid on a child after it exec'd");
	check(getpgid(pid) == pid, 53, "exec kept the child's process group");
	close(in[1]);
	expect_status(pid, "exited 0", 54, "exec'd child saw EOF on stdin");
}

static void kill_group(void)
{
	int gate[2];
	xpipe(gate);
	pid_t a = guest_fork();
	if (a == 0) {
		char c;
		close(gate[1]);
		setpgid(0, 0);
		read(gate[0], &c, 1);
		_exit(0);
	}
	setpgid(a, a); /* both sides set it: no race */
	pid_t b = guest_fork();
	if (b == 0) {
		char c;
		close(gate[1]);
		setpgid(0, a);
		read(gate[0], &c, 1);
		_exit(0);
	}
	setpgid(b, a);
	close(gate[0]);
	check(getpgid(a) == a && getpgid(b) == a, 60, "two children in one group led by the first");
	check(kill(-a, SIGKILL) == 0, 61, "kill(-pgid, SIGKILL)");
	expect_status(a, "killed by signal 9", 62, "group leader");
	expect_status(b, "killed by signal 9", 63, "group member");
	close(gate[1]);
	errno = 0;
	long r = getpgid(a);
	expect_errno(r, errno, ESRCH, 64, "getpgid of a reaped child");
	errno = 0;
	r = kill(-a, 0);
	expect_errno(r, errno, ESRCH, 65, "kill(-pgid, 0) once the group is empty");
}

static void wait_by_group(void)
{
	int ga[2], gb[2];
	xpipe(ga);
	xpipe(gb);
	pid_t a = guest_fork();
	if (a == 0) {
		char c;
		close(ga[1]);
		close(gb[1]);
		setpgid(0, 0);
		read(ga[0], &c, 1);
		_exit(1);
	}
	setpgid(a, a);
	pid_t b = guest_fork();
	if (b == 0) {
		char c;
		close(ga[1]);
		close(gb[1]);
		read(gb[0], &c, 1);
		_exit(2);
	}
	close(ga[0]);
	close(gb[0]);
	int st = 0;
	close(gb[1]); /* b exits */
	pid_t w = waitpid(0, &st, 0);
	check(w == b && WIFEXITED(st) && WEXITSTATUS(st) == 2, 70, "waitpid(0) returns the child in our group");
	w = waitpid(-a, &st, WNOHANG);
	expect_eq(w, 0, 71, "waitpid(-pgid, WNOHANG) with that group's child still running");
	errno = 0;
	long r = waitpid(0, &st, WNOHANG);
	expect_errno(r, errno, ECHILD, 72, "waitpid(0) with no child left in our group");
	close(ga[1]); /* a exits */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int rr = waitid(P_PGID, a, &si, WEXITED | WNOWAIT);
	check(rr == 0 && si.si_pid == a && si.si_status == 1, 73, "waitid(P_PGID, WNOWAIT) sees the group's child");
	check(getpgid(a) == a, 74, "a zombie still answers getpgid");
	w = waitpid(-a, &st, 0);
	check(w == a && WIFEXITED(st) && WEXITSTATUS(st) == 1, 75, "waitpid(-pgid) reaps it");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		char c;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	basics();
	child_setpgid();
	child_setsid();
	leader_setsid();
	after_exec(argv[0]);
	kill_group();
	wait_by_group();
	return guest_finish();
}
