/*
 * ns_pid_limits: what a PID namespace does not allow.
 *
 *   - CLONE_PARENT from the init of a PID namespace is EINVAL
 *     (copy_process: the init's siblings would live outside its namespace
 *     and nobody inside could reap them);
 *   - PID namespaces nest at most 32 levels below the initial one
 *     (MAX_PID_NS_LEVEL): the 33rd nested CLONE_NEWPID is ENOSPC.
 *
 * The clone flag tables are in cloneflags_invalid.c.
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
/* Where a child that is itself running on child_stack puts its children
 * (libc's clone writes to the new stack before the child exists). */
static char other_stack[STACK_SIZE] __attribute__((aligned(16)));

static int exit_99(void *p)
{
	(void)p;
	return 99;
}

/* CLONE_PARENT from a namespace's init: printed from inside. */
static int init_tries_parent(void *p)
{
	(void)p;
	guest_first_fail = 0;
	fflush(stdout);
	long r = raw_clone(CLONE_PARENT | SIGCHLD, other_stack + STACK_SIZE, NULL, NULL, 0, exit_99,
			   NULL);
	if (r > 0)
		check(0, 20,
		      "init of a PID namespace: clone(CLONE_PARENT) created a child, want EINVAL");
	else if (r == -EINVAL)
		check(1, 20, "init of a PID namespace: clone(CLONE_PARENT) -> EINVAL");
	else
		check(0, 20, "init of a PID namespace: clone(CLONE_PARENT): errno %s, want EINVAL",
		      errno_name(-(int)r));
	fflush(stdout);
	return guest_finish();
}

static void parent_from_init(void)
{
	fflush(stdout);
	pid_t pid =
	    clone(init_tries_parent, child_stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, NULL);
	need(pid > 0, 90, "clone(CLONE_NEWPID)");
	expect_status(pid, "exited 0", 10, "the namespace init");
}

/* Nest PID namespaces until clone refuses: each level is the init of the
 * next. The refusal travels back as an exit status, 100 + the depth
 * reached, and its errno through a pipe. */
static int report[2];

static int nest(void *p)
{
	int depth = (int)(intptr_t)p;
	char *stack = depth % 2 ? other_stack : child_stack;
	fflush(stdout);
	pid_t pid =
	    clone(nest, stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, (void *)(intptr_t)(depth + 1));
	if (pid < 0) {
		int e = errno;
		write(report[1], &e, sizeof(e));
		return 100 + depth;
	}
	int st = 0;
	/* Only the status matters here (ns_pid checks waitpid's return). */
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

static void nesting(void)
{
	need(pipe(report) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(nest((void *)0));
	close(report[1]);
	int st = 0, e = 0;
	waitpid(pid, &st, 0);
	read_full(report[0], &e, sizeof(e));
	close(report[0]);
	int reached = WIFEXITED(st) ? WEXITSTATUS(st) - 100 : -1;
	if (reached == 32 && e == ENOSPC)
		check(1, 30, "32 nested PID namespaces made; the 33rd CLONE_NEWPID -> ENOSPC");
	else
		check(0, 30,
		      "nested CLONE_NEWPID refused after %d levels with %s, want 32 and ENOSPC",
		      reached, errno_name(e));
}

int main(void)
{
	parent_from_init();
	nesting();
	return guest_finish();
}
