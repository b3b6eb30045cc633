/*
 * vfork_exec: vfork shares the parent's memory and suspends the parent
 * until the child execs or exits.
 *
 *   - a child that writes shared variables and _exits: the parent, as soon
 *     as vfork returns (before waiting), sees the writes, including the last
 *     one made just before _exit; the child's getpid() == vfork's return and
 *     its getppid() == the parent
 *   - a child that writes, calls sched_yield (a chance for a wrong scheduler
 *     to run the parent), writes again and then execs this program with
 *     "helper": the parent sees the last write before execve, and the
 *     helper's output and exit status (5) arrive
 *   - exec through /proc/self/exe as well as through argv[0]
 *   - a child whose execve fails (ENOENT) stores errno in the shared memory
 *     and _exits 127, the posix_spawn pattern
 *   - a child killed by a signal (SIGKILL to itself) also releases the
 *     parent
 *
 * Between vfork and exec/_exit the child only stores to memory and makes raw
 * system calls: no stdio, no return from main.
 */
#include "guest_check.h"

#include <sched.h>

static volatile int shared_step;
static volatile long shared_pid, shared_ppid;
static volatile int shared_errno;

static int helper(int argc, char **argv)
{
	printf("helper: running after exec, argc %d, arg [%s]\n", argc, argc > 2 ? argv[2] : "");
	fflush(stdout);
	return 5;
}

static void vfork_exit(void)
{
	shared_step = 0;
	shared_pid = shared_ppid = 0;
	pid_t me = getpid();

	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		shared_pid = syscall(SYS_getpid);
		shared_ppid = syscall(SYS_getppid);
		shared_step = 1;
		sched_yield();
		shared_step = 2;
		_exit(3);
	}
	int step = shared_step; /* read before anything else can happen */
	need(pid > 0, 90, "vfork");
	expect_eq(step, 2, 10, "parent resumed after the child's _exit: sees its last write (2)");
	check(shared_pid == pid, 11, "child's getpid() == vfork return");
	check(shared_ppid == me, 12, "child's getppid() == parent's getpid()");
	expect_status(pid, "exited 3", 13, "vfork child");
}

static void vfork_exec(const char *path, const char *label, int code)
{
	shared_step = 0;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = {(char *)"vfork_exec", (char *)"helper", (char *)label, NULL};
		char *envp[] = {NULL};
		shared_step = 1;
		sched_yield();
		shared_step = 2;
		execve(path, argv, envp);
		shared_step = -1;
		_exit(126);
	}
	int step = shared_step;
	need(pid > 0, 90, "vfork");
	/* Let the helper print first, then report. */
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(step == 2, code, "%s: parent resumed after execve (sees the child's last write)", label);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, code + 1,
	      "%s: exec'd helper exited 5 (%s)", label, status_str(st));
}

static void vfork_exec_fails(void)
{
	shared_errno = 0;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = {(char *)"missing", NULL};
		char *envp[] = {NULL};
		execve("/nonexistent/vfork_exec/missing", argv, envp);
		shared_errno = errno;
		_exit(127);
	}
	int err = shared_errno;
	need(pid > 0, 90, "vfork");
	check(err == ENOENT, 30, "failed execve in the vfork child: errno %s seen by the parent",
	      errno_name(err));
	expect_status(pid, "exited 127", 31, "vfork child after the failed execve");
}

static void vfork_killed(void)
{
	shared_step = 0;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		shared_step = 1;
		syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
		shared_step = 2; /* not reached */
		_exit(0);
	}
	int step = shared_step;
	need(pid > 0, 90, "vfork");
	expect_eq(step, 1, 40, "a vfork child killed by SIGKILL releases the parent (sees 1)");
	expect_status(pid, "killed by signal 9", 41, "vfork child that killed itself");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "helper") == 0)
		return helper(argc, argv);

	vfork_exit();
	vfork_exec(argv[0], "via argv[0]", 20);
	vfork_exec("/proc/self/exe", "via /proc/self/exe", 22);
	vfork_exec_fails();
	vfork_killed();
	return guest_finish();
}
