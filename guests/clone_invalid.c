/*
 * clone_invalid: flag combinations the kernel rejects before creating
 * anything (copy_process/kernel_clone checks), each with its errno. Only
 * combinations that fail the same way natively are listed; the order of the
 * checks matters where a combination breaks two rules.
 *
 * Every attempt passes a private stack and a child function that exits 99
 * at once, so a wrongly accepted combination shows up as "created a child"
 * instead of corrupting the caller.
 *
 * The other side: flags the kernel accepts and ignores for a plain child
 * (CLONE_IO, CLONE_UNTRACED, CLONE_PTRACE with no tracer, CLONE_SYSVSEM,
 * the retired CLONE_DETACHED) must create an ordinary child.
 */
#include "guest_check.h"

#include <sched.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static int exit_99(void *p)
{
	(void)p;
	return 99;
}

struct invalid_case {
	const char *name;
	unsigned long flags;
	int err;
};

static const struct invalid_case cases[] = {
	{"CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD, EINVAL},
	{"CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM, EINVAL},
	{"CLONE_THREAD|CLONE_SIGHAND without CLONE_VM", CLONE_THREAD | CLONE_SIGHAND, EINVAL},
	{"CLONE_NEWNS|CLONE_FS", CLONE_NEWNS | CLONE_FS | SIGCHLD, EINVAL},
	{"CLONE_NEWUSER|CLONE_FS", CLONE_NEWUSER | CLONE_FS | SIGCHLD, EINVAL},
	{"CLONE_NEWNS|CLONE_NEWUSER|CLONE_FS", CLONE_NEWNS | CLONE_NEWUSER | CLONE_FS | SIGCHLD, EINVAL},
	{"CLONE_THREAD|CLONE_SIGHAND|CLONE_VM|CLONE_NEWUSER",
	 CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWUSER, EINVAL},
	{"CLONE_THREAD|CLONE_SIGHAND|CLONE_VM|CLONE_NEWPID",
	 CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID, EINVAL},
	{"CLONE_PIDFD|CLONE_DETACHED", CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, EINVAL},
	{"CLONE_PIDFD|CLONE_PARENT_SETTID (one pointer in legacy clone)",
	 CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, EINVAL},
	{"CLONE_SIGHAND|CLONE_FS without CLONE_VM", CLONE_SIGHAND | CLONE_FS | SIGCHLD, EINVAL},
	{"CLONE_NEWCGROUP|CLONE_NEWNS|CLONE_FS", CLONE_NEWCGROUP | CLONE_NEWNS | CLONE_FS | SIGCHLD, EINVAL},
};

int main(void)
{
	int pidfd_slot = -1;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct invalid_case *c = &cases[i];
		fflush(stdout);
		long r = raw_clone(c->flags, child_stack + STACK_SIZE, &pidfd_slot, NULL, 0, exit_99, NULL);
		if (r > 0) {
			/* Accepted: reap whatever it is, any flavour of child. */
			int st;
			waitpid(r, &st, __WALL);
			check(0, 10 + (int)i, "flags %s: created a child, want errno %s", c->name,
			      errno_name(c->err));
			continue;
		}
		if (-r == c->err)
			check(1, 10 + (int)i, "flags %s: errno %s", c->name, errno_name(-(int)r));
		else
			check(0, 10 + (int)i, "flags %s: errno %s, want %s", c->name, errno_name(-(int)r),
			      errno_name(c->err));
	}
	check(pidfd_slot == -1, 40, "no rejected clone wrote the parent_tid/pidfd slot");

	static const struct invalid_case accepted[] = {
		{"CLONE_IO", CLONE_IO | SIGCHLD, 0},
		{"CLONE_UNTRACED", CLONE_UNTRACED | SIGCHLD, 0},
		{"CLONE_PTRACE (not traced)", CLONE_PTRACE | SIGCHLD, 0},
		{"CLONE_SYSVSEM", CLONE_SYSVSEM | SIGCHLD, 0},
		{"CLONE_DETACHED", CLONE_DETACHED | SIGCHLD, 0},
	};
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		const struct invalid_case *c = &accepted[i];
		fflush(stdout);
		long r = raw_clone(c->flags, child_stack + STACK_SIZE, NULL, NULL, 0, exit_99, NULL);
		if (r <= 0) {
			check(0, 50 + (int)i, "flags %s: errno %s, want a child", c->name, errno_name(-(int)r));
			continue;
		}
		char what[96];
		snprintf(what, sizeof(what), "flags %s: an ordinary child", c->name);
		expect_status(r, "exited 99", 50 + (int)i, what);
	}
	return guest_finish();
}
