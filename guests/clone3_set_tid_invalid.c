/*
 * clone3_set_tid_invalid: set_tid entries Linux's alloc_pid refuses
 * (kernel/pid.c): every one of the set_tid_size entries must be a real pid,
 * 1 <= tid < pid_max, and the first process of a new PID namespace must be
 * its pid 1. All of these are EINVAL and create nothing:
 *   - {0} and {-5} (no "any pid" wildcard in set_tid);
 *   - {pid_max} (the value in /proc/sys/kernel/pid_max);
 *   - CLONE_NEWPID with {2, X}: the namespace has no pid 1 yet;
 *   - CLONE_NEWPID with {1, 0}: the outer entry is no pid either.
 * The valid uses are in clone3_sizes.c.
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>

struct clone_args_v1 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

/* fork-style clone3: the child exits 42 at once. */
static long clone3_exit_42(struct clone_args_v1 *a)
{
	fflush(stdout);
	long r = syscall(SYS_clone3, a, sizeof(*a));
	if (r == 0)
		_exit(42);
	return r < 0 ? -errno : r;
}

static void expect_einval(uint64_t flags, const int *tids, int n, int code, const char *what)
{
	struct clone_args_v1 a;
	memset(&a, 0, sizeof(a));
	a.flags = flags;
	a.exit_signal = SIGCHLD;
	a.set_tid = (uintptr_t)tids;
	a.set_tid_size = (uint64_t)n;
	long r = clone3_exit_42(&a);
	if (r > 0) {
		int st;
		waitpid((pid_t)r, &st, __WALL);
		check(0, code, "%s: created a child, want EINVAL", what);
	} else if (r == -EINVAL) {
		check(1, code, "%s -> EINVAL", what);
	} else {
		check(0, code, "%s: errno %s, want EINVAL", what, errno_name(-(int)r));
	}
}

static long read_num(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* A pid nobody uses now, found by probing downwards from 30000. */
static pid_t free_pid(void)
{
	for (pid_t x = 30000; x > 20000; x--)
		if (kill(x, 0) == -1 && errno == ESRCH)
			return x;
	return -1;
}

int main(void)
{
	int tids[2];

	tids[0] = 0;
	expect_einval(0, tids, 1, 10, "set_tid {0}");
	tids[0] = -5;
	expect_einval(0, tids, 1, 11, "set_tid {-5}");
	long pid_max = read_num("/proc/sys/kernel/pid_max");
	need(pid_max > 0, 90, "read /proc/sys/kernel/pid_max");
	tids[0] = (int)pid_max;
	expect_einval(0, tids, 1, 12, "set_tid {pid_max}");

	tids[0] = 2;
	tids[1] = free_pid();
	need(tids[1] > 0, 91, "a free pid");
	expect_einval(CLONE_NEWPID, tids, 2, 13, "CLONE_NEWPID, set_tid {2, X} (no pid 1 yet)");
	tids[0] = 1;
	tids[1] = 0;
	expect_einval(CLONE_NEWPID, tids, 2, 14, "CLONE_NEWPID, set_tid {1, 0}");

	int st;
	pid_t w = waitpid(-1, &st, __WALL | WNOHANG);
	int e = errno;
	expect_errno(w, e, ECHILD, 15, "no child was created");
	return guest_finish();
}
