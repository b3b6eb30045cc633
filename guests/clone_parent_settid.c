/*
 * clone_parent_settid: the clone flags that choose the parent, publish the
 * tid, and pick the exit signal (raw clone, each child on its own stack).
 *
 *   - CLONE_PARENT, done by a middle process: the new task is the middle
 *     one's sibling: its getppid() is the middle one's getppid(), the middle
 *     one's waitpid on it gives ECHILD, and the top process reaps it
 *   - CLONE_PARENT_SETTID without CLONE_VM: the tid lands in the parent's
 *     memory; the child's copy (taken before the store) still holds 0
 *   - CLONE_CHILD_SETTID without CLONE_VM: the child's memory holds its tid,
 *     the parent's copy stays 0
 *   - CLONE_VM|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID: the child sees its
 *     tid in the shared word; once it has exited (waitpid) the word is 0
 *   - exit signal 0 (a "clone" child): waitpid without __WCLONE/__WALL
 *     gives ECHILD, __WCLONE and __WALL reap it; a SIGCHLD child is
 *     invisible to __WCLONE; a non-SIGCHLD exit signal (SIGURG, ignored by
 *     default) also makes a clone child
 */
#include "guest_check.h"

#include <sched.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static int report_fd;

static int sibling_child(void *p)
{
	(void)p;
	long ppid = getppid();
	write_full(report_fd, &ppid, sizeof(ppid));
	return 6;
}

static void clone_parent(void)
{
	int rep[2], up[2];

	need(pipe(rep) == 0 && pipe(up) == 0, 91, "pipe");
	pid_t mid = guest_fork();
	if (mid == 0) {
		/* middle process: make a sibling, check it, tell the top its pid */
		close(up[0]);
		report_fd = rep[1];
		long gc = raw_clone(CLONE_PARENT | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0,
				    sibling_child, NULL);
		if (gc <= 0)
			_exit(1);
		long ppid = 0;
		if (read_full(rep[0], &ppid, sizeof(ppid)) != sizeof(ppid))
			_exit(2);
		int bad = 0;
		if (ppid != getppid())
			bad |= 4;
		int st;
		if (waitpid(gc, &st, 0) != -1 || errno != ECHILD)
			bad |= 8;
		write_full(up[1], &gc, sizeof(gc));
		_exit(bad);
	}
	close(rep[0]);
	close(rep[1]);
	close(up[1]);
	long gc = 0;
	size_t n = read_full(up[0], &gc, sizeof(gc));
	close(up[0]);
	int st = 0;
	pid_t w = waitpid(mid, &st, 0);
	check(w == mid && WIFEXITED(st), 10, "middle process exited");
	int bad = WEXITSTATUS(st);
	check(n == sizeof(gc) && !(bad & 3), 11, "middle process made the CLONE_PARENT child");
	check(!(bad & 4), 12, "CLONE_PARENT child's getppid() == the middle process's getppid()");
	check(!(bad & 8), 13, "middle process's waitpid on its CLONE_PARENT child -> ECHILD");
	if (n == sizeof(gc))
		expect_status(gc, "exited 6", 14, "top process reaps the CLONE_PARENT child");
}

static int parent_settid_child(void *p)
{
	return *(volatile pid_t *)p == 0 ? 0 : 1;
}

static void parent_settid(void)
{
	pid_t ptid = 0;

	fflush(stdout);
	long pid = raw_clone(CLONE_PARENT_SETTID | SIGCHLD, child_stack + STACK_SIZE, &ptid, NULL, 0,
			     parent_settid_child, &ptid);
	need(pid > 0, 90, "clone(CLONE_PARENT_SETTID)");
	check(ptid == pid, 20, "CLONE_PARENT_SETTID: parent's word == the new tid");
	expect_status(pid, "exited 0", 21, "CLONE_PARENT_SETTID: child's copy of the word is still 0");
}

static pid_t ctid_word;

static int child_settid_child(void *p)
{
	(void)p;
	return *(volatile pid_t *)&ctid_word == raw_gettid() ? 0 : 1;
}

static void child_settid(void)
{
	ctid_word = 0;
	fflush(stdout);
	long pid = raw_clone(CLONE_CHILD_SETTID | SIGCHLD, child_stack + STACK_SIZE, NULL, &ctid_word, 0,
			     child_settid_child, NULL);
	need(pid > 0, 90, "clone(CLONE_CHILD_SETTID)");
	expect_status(pid, "exited 0", 30, "CLONE_CHILD_SETTID: child's word == its gettid()");
	expect_eq(ctid_word, 0, 31, "CLONE_CHILD_SETTID without CLONE_VM: parent's word still 0");
}

static volatile pid_t vm_word;
static volatile long vm_seen, vm_tid;

static int cleartid_child(void *p)
{
	(void)p;
	vm_tid = raw_gettid();
	vm_seen = vm_word;
	return 0;
}

static void child_cleartid(void)
{
	vm_word = -1;
	fflush(stdout);
	long pid = raw_clone(CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
			     child_stack + STACK_SIZE, NULL, (pid_t *)&vm_word, 0, cleartid_child, NULL);
	need(pid > 0, 90, "clone(CLONE_VM|CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID)");
	expect_status(pid, "exited 0", 40, "CLONE_CHILD_CLEARTID child");
	check(vm_seen == pid && vm_tid == pid, 41, "CLONE_CHILD_SETTID|CLONE_VM: child saw its tid in the word");
	expect_eq(vm_word, 0, 42, "CLONE_CHILD_CLEARTID: word is 0 after the child exited");

	/* CLEARTID alone: a preset value is cleared too. */
	vm_word = 12345;
	fflush(stdout);
	pid = raw_clone(CLONE_VM | CLONE_CHILD_CLEARTID | SIGCHLD, child_stack + STACK_SIZE, NULL,
			(pid_t *)&vm_word, 0, cleartid_child, NULL);
	need(pid > 0, 90, "clone(CLONE_VM|CLONE_CHILD_CLEARTID)");
	expect_status(pid, "exited 0", 43, "CLONE_CHILD_CLEARTID-only child");
	check(vm_seen == 12345, 44, "without CLONE_CHILD_SETTID the word kept its preset value while the child ran");
	expect_eq(vm_word, 0, 45, "CLONE_CHILD_CLEARTID: preset word is 0 after exit");
}

static int return_five(void *p)
{
	(void)p;
	return 5;
}

static long clone_with_signal(int sig)
{
	fflush(stdout);
	long pid = raw_clone((unsigned long)sig, child_stack + STACK_SIZE, NULL, NULL, 0, return_five, NULL);
	need(pid > 0, 90, "clone with an exit signal");
	return pid;
}

static void reap_as(long pid, int flags, int code, const char *what)
{
	int st = 0;
	pid_t w = waitpid(pid, &st, flags);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, code, "%s reaps it: %s", what,
	      w == pid ? status_str(st) : errno_name(errno));
}

static void exit_signal_zero(void)
{
	int st;
	long pid = clone_with_signal(0);

	errno = 0;
	long r = waitpid(pid, &st, 0);
	expect_errno(r, errno, ECHILD, 50, "exit signal 0: waitpid(pid, 0)");
	errno = 0;
	r = waitpid(-1, &st, WNOHANG);
	expect_errno(r, errno, ECHILD, 51, "exit signal 0: waitpid(-1, WNOHANG)");
	siginfo_t si;
	errno = 0;
	r = waitid(P_PID, pid, &si, WEXITED);
	expect_errno(r, errno, ECHILD, 52, "exit signal 0: waitid(P_PID, WEXITED)");
	reap_as(pid, __WCLONE, 53, "exit signal 0: waitpid(__WCLONE)");

	pid = clone_with_signal(0);
	reap_as(pid, __WALL, 54, "exit signal 0: waitpid(__WALL)");

	pid = clone_with_signal(SIGCHLD);
	errno = 0;
	r = waitpid(pid, &st, __WCLONE);
	expect_errno(r, errno, ECHILD, 55, "exit signal SIGCHLD: waitpid(__WCLONE)");
	reap_as(pid, 0, 56, "exit signal SIGCHLD: waitpid(0)");

	pid = clone_with_signal(SIGURG);
	errno = 0;
	r = waitpid(pid, &st, 0);
	expect_errno(r, errno, ECHILD, 57, "exit signal SIGURG: waitpid(pid, 0)");
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED | __WCLONE);
	check(r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 5, 58,
	      "exit signal SIGURG: waitid(__WCLONE) reaps it (CLD_EXITED, 5)");
}

int main(void)
{
	clone_parent();
	parent_settid();
	child_settid();
	child_cleartid();
	exit_signal_zero();
	return guest_finish();
}
