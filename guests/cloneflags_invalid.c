/*
 * cloneflags_invalid: clone flag combinations Linux refuses, through the
 * legacy clone syscall (raw, so libc cannot step in) and through clone3,
 * each printed as "flags NAME: errno NAME". Only combinations that fail the
 * same way natively are listed (kernel/fork.c copy_process, kernel_clone,
 * clone3_args_valid, create_pid_namespace).
 *
 * Besides the flag tables:
 *   - CLONE_THREAD after unshare(CLONE_NEWPID) (the new thread would be in
 *     another namespace than its group): EINVAL;
 *   - a CLONE_PIDFD slot that cannot be written: EFAULT, no child.
 * The PID-namespace limits (CLONE_PARENT from a namespace's init, nesting
 * depth) are in ns_pid_limits.c.
 *
 * Not listed: CLONE_PIDFD|CLONE_THREAD, refused before Linux 6.9 and
 * accepted since (the pidfd then refers to the thread, PIDFD_THREAD).
 *
 * Every attempt runs a child function that exits 99 at once on a private
 * stack, so a combination wrongly accepted shows as "created a child".
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>

#define CLONE_CLEAR_SIGHAND_ 0x100000000ull
#define CLONE_INTO_CGROUP_ 0x200000000ull

struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static int exit_99(void *p)
{
	(void)p;
	return 99;
}

/* One verdict line; r is clone's result (a pid or -errno). */
static void verdict(long r, int want, int code, const char *via, const char *name)
{
	if (r > 0) {
		int st;
		waitpid((pid_t)r, &st, __WALL);
		check(0, code, "%s flags %s: created a child, want errno %s", via, name,
		      errno_name(want));
	} else if (-r == want) {
		check(1, code, "%s flags %s: errno %s", via, name, errno_name(want));
	} else {
		check(0, code, "%s flags %s: errno %s, want %s", via, name, errno_name(-(int)r),
		      errno_name(want));
	}
}

#define TVM (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)

struct flag_case {
	const char *name;
	uint64_t flags;
	int err;
};

/* Legacy clone: the exit signal rides in the low byte. */
static const struct flag_case legacy[] = {
    {"CLONE_NEWNS|CLONE_FS", CLONE_NEWNS | CLONE_FS | SIGCHLD, EINVAL},
    {"CLONE_NEWUSER|CLONE_FS", CLONE_NEWUSER | CLONE_FS | SIGCHLD, EINVAL},
    {"CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM, EINVAL},
    {"CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD, EINVAL},
    {"CLONE_THREAD|CLONE_SIGHAND without CLONE_VM", CLONE_THREAD | CLONE_SIGHAND, EINVAL},
    {"CLONE_NEWPID|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", CLONE_NEWPID | TVM, EINVAL},
    {"CLONE_NEWUSER|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", CLONE_NEWUSER | TVM, EINVAL},
    {"CLONE_NEWUSER|CLONE_THREAD (no CLONE_SIGHAND)", CLONE_NEWUSER | CLONE_THREAD, EINVAL},
    {"CLONE_PIDFD|CLONE_DETACHED", CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, EINVAL},
    {"CLONE_PIDFD|CLONE_PARENT_SETTID", CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, EINVAL},
    {"CLONE_NEWNS|CLONE_NEWUTS|CLONE_FS", CLONE_NEWNS | CLONE_NEWUTS | CLONE_FS | SIGCHLD, EINVAL},
};

/* clone3: exit_signal is a field (0 here, as threads need). */
static const struct flag_case v3[] = {
    {"CLONE_NEWNS|CLONE_FS", CLONE_NEWNS | CLONE_FS, EINVAL},
    {"CLONE_NEWUSER|CLONE_FS", CLONE_NEWUSER | CLONE_FS, EINVAL},
    {"CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM, EINVAL},
    {"CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND, EINVAL},
    {"CLONE_NEWPID|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", CLONE_NEWPID | TVM, EINVAL},
    {"CLONE_NEWUSER|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", CLONE_NEWUSER | TVM, EINVAL},
    {"CLONE_DETACHED", CLONE_DETACHED, EINVAL},
    {"CLONE_PIDFD|CLONE_DETACHED", CLONE_PIDFD | CLONE_DETACHED, EINVAL},
    {"CLONE_SIGHAND|CLONE_VM|CLONE_CLEAR_SIGHAND", CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND_,
     EINVAL},
    {"SIGCHLD in the flags (CSIGNAL byte)", SIGCHLD, EINVAL},
    {"0x01 in the flags (CSIGNAL byte)", 0x01, EINVAL},
    {"0x7f in the flags (CSIGNAL byte)", 0x7f, EINVAL},
    {"CLONE_NEWTIME|0x01 (CSIGNAL byte)", CLONE_NEWTIME | 0x01, EINVAL},
    {"bit 34 (unknown)", 1ull << 34, EINVAL},
    {"bit 63 (unknown)", 1ull << 63, EINVAL},
    {"CLONE_INTO_CGROUP with a 64-byte clone_args", CLONE_INTO_CGROUP_, EINVAL},
};

static void tables(void)
{
	int slot = -1;

	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		fflush(stdout);
		long r = raw_clone(legacy[i].flags, child_stack + STACK_SIZE, &slot, NULL, 0,
				   exit_99, NULL);
		verdict(r, legacy[i].err, 10, "clone", legacy[i].name);
	}
	check(slot == -1, 11, "clone: no refused call wrote the parent_tid/pidfd slot");

	struct clone_args_v2 a;
	int pidfd = -1, ptid = -1;
	for (size_t i = 0; i < sizeof(v3) / sizeof(v3[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.flags = v3[i].flags;
		a.pidfd = (uintptr_t)&pidfd;
		a.parent_tid = (uintptr_t)&ptid;
		a.stack = (uintptr_t)child_stack;
		a.stack_size = STACK_SIZE;
		fflush(stdout);
		long r = raw_clone3(&a, 64, exit_99, NULL);
		verdict(r, v3[i].err, 20, "clone3", v3[i].name);
	}

	/* Sizes and fields that only clone3 has. */
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	a.pidfd = a.parent_tid = (uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	verdict(raw_clone3(&a, 64, exit_99, NULL), EINVAL, 21, "clone3",
		"CLONE_PIDFD|CLONE_PARENT_SETTID, one pointer for both");
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_INTO_CGROUP_;
	a.cgroup = 1ull << 31;
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	verdict(raw_clone3(&a, 88, exit_99, NULL), EINVAL, 22, "clone3",
		"CLONE_INTO_CGROUP, cgroup fd above INT_MAX");
	check(pidfd == -1 && ptid == -1, 23, "clone3: no refused call wrote pidfd or parent_tid");

	/* Nowhere to put the pidfd: EFAULT, and no child is left behind. */
	fflush(stdout);
	verdict(raw_clone(CLONE_PIDFD | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0, exit_99,
			  NULL),
		EFAULT, 24, "clone", "CLONE_PIDFD with parent_tid NULL");
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PIDFD;
	a.pidfd = 8;
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	verdict(raw_clone3(&a, 64, exit_99, NULL), EFAULT, 25, "clone3",
		"CLONE_PIDFD with clone_args.pidfd unmapped");
	int st;
	errno = 0;
	pid_t w = waitpid(-1, &st, __WALL | WNOHANG);
	expect_errno(w, errno, ECHILD, 26, "no child exists after the refused calls");
}

/* CLONE_THREAD once pid_for_children is another namespace. */
static void after_unshare(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		if (unshare(CLONE_NEWPID) != 0)
			_exit(2);
		fflush(stdout);
		long r = raw_clone(TVM, child_stack + STACK_SIZE, NULL, NULL, 0, exit_99, NULL);
		verdict(r, EINVAL, 33, "clone (after unshare(CLONE_NEWPID))",
			"CLONE_THREAD|CLONE_SIGHAND|CLONE_VM");
		fflush(stdout);
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", 34, "unshare(CLONE_NEWPID) child");
}

int main(void)
{
	tables();
	after_unshare();
	return guest_finish();
}
