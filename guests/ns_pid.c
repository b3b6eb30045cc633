/*
 * ns_pid: PID namespaces made with clone(CLONE_NEWPID).
 *
 * Inside (the child is the namespace's init):
 *   - getpid() == 1, getppid() == 0 (its parent lives outside);
 *   - its children get 2, 3, ... and see getppid() == 1;
 *   - an orphan (its parent, a middle process, exits) is reparented to
 *     the namespace's init, not to the real init, and init reaps it under
 *     its inner number;
 *   - init ignores signals from its own namespace that it has no handler
 *     for, SIGKILL included; a signal it does handle arrives with the
 *     sender's inner pid in si_pid.
 * Outside:
 *   - clone's return value is the child's outer pid: waitpid() on it works;
 *   - a member is signalled by its outer number (found as the process whose
 *     parent, in /proc/<pid>/stat, is the init) and the init's waitpid sees
 *     it die under its inner number;
 *   - from the parent namespace, SIGTERM without a handler does not touch
 *     the init, SIGKILL does, and a handled signal shows si_pid 0 (the
 *     sender is not visible inside);
 *   - when the init exits, a member blocked in read() dies with it: the
 *     outer parent is not its parent and cannot wait for it, so it watches
 *     a pipe whose only other writer was that member reach EOF.
 * Only relations are printed: outer pids vary from run to run.
 */
#include "guest_check.h"

#include <dirent.h>
#include <poll.h>
#include <sched.h>

#define STACK_SIZE (64 * 1024)

/* No CLONE_VM: each child has its own copy, so one buffer serves all. */
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static pid_t new_pid_ns(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = clone(fn, child_stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, arg);
	need(pid > 0, 90, "clone(CLONE_NEWPID)");
	return pid;
}

/* waitpid(@arg) must return @want with status @want_st ("exited 0", ...). */
static void expect_wait(pid_t arg, pid_t want, const char *want_st, int code, const char *what)
{
	int st = 0;
	errno = 0;
	pid_t got = waitpid(arg, &st, 0);
	const char *s = status_str(st);

	if (got == want && strcmp(s, want_st) == 0)
		check(1, code, "%s: %s", what, want_st);
	else
		check(0, code, "%s: waitpid(%d) returned %d (errno %s) status %s, want %d %s", what,
		      (int)arg, (int)got, errno_name(errno), got >= 0 ? s : "-", (int)want, want_st);
}

static volatile sig_atomic_t usr1_pid = -1;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1_pid = si->si_pid;
}

static void handle_usr1(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
}

/* ---- case 1: numbering, reparenting and signals inside ---- */

static int init_main(void *arg)
{
	(void)arg;

	expect_eq(getpid(), 1, 13, "init: getpid() == 1");
	expect_eq(getppid(), 0, 14, "init: getppid() == 0 (the parent is outside)");
	expect_eq(syscall(SYS_gettid), 1, 15, "init: gettid() == 1");

	pid_t a = guest_fork();
	if (a == 0)
		_exit(getpid() == 2 && getppid() == 1 ? 0 : 1);
	expect_eq(a, 2, 20, "init: first child is pid 2");
	expect_wait(a, 2, "exited 0", 21,
		    "init: child 2 saw getpid() == 2 and getppid() == 1; waitpid(2) returns 2");

	pid_t b = guest_fork();
	if (b == 0)
		_exit(getpid() == 3 && getppid() == 1 ? 3 : 1);
	expect_eq(b, 3, 22, "init: second child is pid 3");
	expect_wait(-1, 3, "exited 3", 23,
		    "init: child 3 saw getpid() == 3 and getppid() == 1; waitpid(-1) returns 3");

	/* An orphan: middle (4) forks a grandchild (5) and exits first. */
	int up[2], go[2];
	need(pipe(up) == 0 && pipe(go) == 0, 91, "pipe");
	pid_t mid = guest_fork();
	if (mid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			char c;
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(2);
			_exit(getppid() == 1 ? 6 : 7);
		}
		write(up[1], &gc, sizeof(gc));
		_exit(0);
	}
	close(up[1]);
	close(go[0]);
	expect_eq(mid, 4, 24, "init: middle process is pid 4");
	expect_wait(mid, 4, "exited 0", 25, "init: middle exited and was reaped as 4");
	pid_t gc = 0;
	need(read_full(up[0], &gc, sizeof(gc)) == sizeof(gc), 92, "read grandchild pid");
	expect_eq(gc, 5, 26, "init: the orphan is pid 5");
	need(write(go[1], "g", 1) == 1, 93, "write go");
	expect_wait(-1, 5, "exited 6", 27,
		    "init: the orphan saw getppid() == 1 and init reaped it as 5");
	close(up[0]);
	close(go[1]);

	/* Signals from inside: only handled ones reach init. */
	pid_t s = guest_fork();
	if (s == 0) {
		int bad = 0;
		if (kill(1, SIGTERM) != 0)
			bad |= 1;
		if (kill(1, SIGKILL) != 0)
			bad |= 2;
		if (kill(1, 0) != 0)
			bad |= 4;
		_exit(bad);
	}
	expect_wait(s, 6, "exited 0", 28,
		    "init: survives SIGTERM and SIGKILL from its own namespace (kill returned 0)");

	handle_usr1();
	s = guest_fork();
	if (s == 0)
		_exit(kill(1, SIGUSR1) == 0 ? 0 : 1);
	expect_wait(s, 7, "exited 0", 29, "init: a member sent a handled SIGUSR1 to pid 1");
	if (usr1_pid == s)
		check(1, 30, "init: its handler saw si_pid == the sender's inner pid");
	else
		check(0, 30, "init: its handler saw si_pid %d, want %d", (int)usr1_pid, (int)s);

	/* And a member is killable from inside by its inner number. */
	s = guest_fork();
	if (s == 0) {
		pause();
		_exit(1);
	}
	check(kill(s, SIGTERM) == 0, 31, "init: kill(inner pid, SIGTERM)");
	expect_wait(s, 8, "killed by signal 15", 32, "init: the member died of SIGTERM");
	fflush(stdout);
	return 0;
}

static void case_inside(void)
{
	pid_t pid = new_pid_ns(init_main, NULL);
	/* The init prints while we wait: nothing of ours may come in between. */
	expect_wait(pid, pid, "exited 0", 11, "outer: waitpid(clone's return value) returns it");
	check(pid != 1, 10, "outer: clone returned an outer pid, not 1");
}

/* ---- case 2: a member killed from outside by its outer number ---- */

/* The pid of the one process whose parent is @ppid, from /proc. */
static pid_t child_of(pid_t ppid)
{
	DIR *d = opendir("/proc");
	pid_t found = 0;
	int n = 0;
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		char *p = strrchr(buf, ')');
		int pp;
		if (p && sscanf(p + 1, " %*c %d", &pp) == 1 && pp == ppid) {
			found = atoi(e->d_name);
			n++;
		}
	}
	closedir(d);
	return n == 1 ? found : -n;
}

struct member_pipes {
	int ready[2];
};

static int init_with_member(void *arg)
{
	struct member_pipes *mp = arg;
	pid_t m = fork();
	if (m == 0) {
		pause();
		_exit(1);
	}
	close(mp->ready[0]);
	write(mp->ready[1], "r", 1);
	close(mp->ready[1]);
	int st = 0;
	pid_t got = waitpid(-1, &st, 0);
	/* The outer parent prints after it has reaped us. */
	if (got == 2 && m == 2 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
		return 0;
	printf("FAILED: init: member: fork returned %d, waitpid(-1) returned %d status %s, "
	       "want 2 killed by signal 15\n",
	       (int)m, (int)got, status_str(st));
	fflush(stdout);
	return 1;
}

static void case_member_from_outside(void)
{
	struct member_pipes mp;
	need(pipe(mp.ready) == 0, 94, "pipe");
	pid_t init = new_pid_ns(init_with_member, &mp);
	close(mp.ready[1]);
	char c;
	need(read(mp.ready[0], &c, 1) == 1, 95, "read ready");
	close(mp.ready[0]);
	pid_t m = child_of(init);
	int killed = -1;
	if (m > 0)
		killed = kill(m, SIGTERM);
	else
		kill(init, SIGKILL);
	int st = 0;
	pid_t got = waitpid(init, &st, 0);
	if (m > 0 && m != init && m != 2)
		check(1, 40,
		      "outer: the member's outer pid, from /proc/<pid>/stat, is not its inner 2");
	else
		check(0, 40, "outer: the member's outer pid from /proc: %d (init %d)", (int)m,
		      (int)init);
	check(killed == 0, 41, "outer: kill(member's outer pid, SIGTERM)");
	if (got == init && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		check(1, 42, "outer: init reaped the member as pid 2, dead of SIGTERM");
	else
		check(0, 42, "outer: init: waitpid returned %d (init %d) status %s, want exited 0",
		      (int)got, (int)init, status_str(st));
}

/* ---- case 3: signals to the init from the parent namespace ---- */

struct init_pipes {
	int ready[2], go[2];
};

static int init_waits(void *arg)
{
	struct init_pipes *ip = arg;
	int handled = usr1_pid != -1; /* set up by the caller before clone */
	char c;
	close(ip->ready[0]);
	close(ip->go[1]);
	write(ip->ready[1], "r", 1);
	if (read(ip->go[0], &c, 1) != 1)
		return 9;
	if (handled)
		return usr1_pid == 0 ? 11 : 12;
	return 7;
}

static pid_t start_waiting_init(struct init_pipes *ip)
{
	need(pipe(ip->ready) == 0 && pipe(ip->go) == 0, 96, "pipe");
	pid_t pid = new_pid_ns(init_waits, ip);
	close(ip->ready[1]);
	close(ip->go[0]);
	char c;
	need(read(ip->ready[0], &c, 1) == 1, 97, "read ready");
	close(ip->ready[0]);
	return pid;
}

static void case_signals_from_outside(void)
{
	struct init_pipes ip;

	pid_t pid = start_waiting_init(&ip);
	check(kill(pid, SIGTERM) == 0, 50, "outer: kill(init, SIGTERM) returns 0");
	check(kill(pid, 0) == 0, 51, "outer: kill(init, 0): init still exists");
	need(write(ip.go[1], "g", 1) == 1, 98, "write go");
	close(ip.go[1]);
	expect_status(pid, "exited 7", 52, "outer: init ignored SIGTERM it has no handler for");

	pid = start_waiting_init(&ip);
	check(kill(pid, SIGKILL) == 0, 53, "outer: kill(init, SIGKILL)");
	expect_status(pid, "killed by signal 9", 54, "outer: SIGKILL from the parent namespace");
	close(ip.go[1]);

	handle_usr1();
	usr1_pid = -2; /* the child's copy: "a handler is installed" */
	pid = start_waiting_init(&ip);
	usr1_pid = -1;
	check(kill(pid, SIGUSR1) == 0, 55, "outer: kill(init, SIGUSR1) with a handler installed");
	need(write(ip.go[1], "g", 1) == 1, 99, "write go");
	close(ip.go[1]);
	expect_status(pid, "exited 11", 56,
		      "outer: init's handler ran with si_pid 0 (sender outside)");
	signal(SIGUSR1, SIG_DFL);
}

/* ---- case 4: the members die with their init ---- */

struct zap_pipes {
	int eof[2], block[2];
};

static int init_then_exit(void *arg)
{
	struct zap_pipes *zp = arg;
	close(zp->eof[0]);
	close(zp->block[1]);
	pid_t m = fork();
	if (m == 0) {
		char c;
		/* Blocks forever: the outer parent keeps the write end. */
		read(zp->block[0], &c, 1);
		_exit(1);
	}
	close(zp->eof[1]);
	/* Make sure the member runs into its read before we go. */
	sched_yield();
	return m == 2 ? 0 : 1;
}

static void case_members_die_with_init(void)
{
	struct zap_pipes zp;
	need(pipe(zp.eof) == 0 && pipe(zp.block) == 0, 100, "pipe");
	pid_t pid = new_pid_ns(init_then_exit, &zp);
	close(zp.eof[1]);
	close(zp.block[0]);
	expect_status(pid, "exited 0", 60, "outer: init exited while its member blocks");
	struct pollfd p = {.fd = zp.eof[0], .events = POLLIN};
	int r = poll(&p, 1, 10000);
	char c;
	check(r == 1 && read(zp.eof[0], &c, 1) == 0, 61,
	      "outer: the member died with its init (its pipe end reached EOF)");
	close(zp.eof[0]);
	close(zp.block[1]);
}

int main(void)
{
	case_inside();
	case_member_from_outside();
	case_signals_from_outside();
	case_members_die_with_init();
	return guest_finish();
}
