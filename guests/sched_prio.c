/*
 * sched_prio: nice values (kernel/sys.c setpriority/getpriority), as root:
 *
 *   - getpriority's raw value is 20 - nice and matches /proc/self/stat's
 *     priority and nice fields (18, 19); setpriority clamps to -20..19
 *   - errors: a bad @which is EINVAL (both calls), no such pid, process
 *     group or user is ESRCH
 *   - fork and pthread_create copy the nice value; nice is per thread
 *     (PRIO_PROCESS with a thread id changes that thread only, as
 *     /proc/self/task/<tid>/stat shows)
 *   - PRIO_PGRP over a process group of three children: set all, the
 *     highest priority (lowest nice) wins in getpriority
 *   - PRIO_USER over the children of a private uid, from inside (who 0)
 *     and from root outside
 *   - a child that dropped CAP_SYS_NICE may raise its nice value but not
 *     lower it again (EACCES; libc's nice() says EPERM), nor change its
 *     parent's, which has capabilities it lacks (EPERM); one that became
 *     another user cannot touch root's processes (EPERM)
 */
#include "sched_check.h"

static void basics(void)
{
	int base = my_nice();
	check(base >= -20 && base <= 19, 1, "getpriority(PRIO_PROCESS, 0) is 20 - nice, 1..40");
	char want[64];
	snprintf(want, sizeof(want), "%d %d 0 0", base + 20, base);
	check(!strcmp(stat_prio("/proc/self/stat"), want), 2,
	      "/proc/self/stat priority and nice match getpriority");
	expect_eq(setprio(PRIO_PROCESS, 0, 5), 0, 3, "setpriority(PRIO_PROCESS, 0, 5)");
	expect_eq(getprio_raw(PRIO_PROCESS, 0), 15, 4, "getpriority returns 20 - 5");
	printf("/proc/self/stat: %s\n", stat_prio("/proc/self/stat"));
	expect_eq(getprio_raw(PRIO_PROCESS, getpid()), 15, 5, "... and so does who = getpid()");
	expect_eq(setprio(PRIO_PROCESS, 0, 100), 0, 6, "setpriority(100)");
	expect_eq(my_nice(), 19, 7, "... clamps to 19");
	expect_eq(setprio(PRIO_PROCESS, 0, -100), 0, 8, "setpriority(-100) as root");
	expect_eq(my_nice(), -20, 9, "... clamps to -20");
	printf("/proc/self/stat: %s\n", stat_prio("/proc/self/stat"));
	long r = setprio(3, 0, 0);
	expect_errno(r, errno, EINVAL, 10, "setpriority which 3");
	r = setprio(-1, 0, 0);
	expect_errno(r, errno, EINVAL, 11, "setpriority which -1");
	r = getprio_raw(3, 0);
	expect_errno(r, errno, EINVAL, 12, "getpriority which 3");
	r = getprio_raw(PRIO_PROCESS, 4194000);
	expect_errno(r, errno, ESRCH, 13, "getpriority of no such pid");
	r = setprio(PRIO_PROCESS, 4194000, 1);
	expect_errno(r, errno, ESRCH, 14, "setpriority of no such pid");
	r = getprio_raw(PRIO_PGRP, 4194000);
	expect_errno(r, errno, ESRCH, 15, "getpriority of no such process group");
	r = setprio(PRIO_PGRP, 4194000, 1);
	expect_errno(r, errno, ESRCH, 16, "setpriority of no such process group");
	r = getprio_raw(PRIO_USER, 2000000000);
	expect_errno(r, errno, ESRCH, 17, "getpriority of a user without processes");
	r = setprio(PRIO_USER, 2000000000, 1);
	expect_errno(r, errno, ESRCH, 18, "setpriority of a user without processes");
	r = getprio_raw(PRIO_PROCESS, -1);
	expect_errno(r, errno, ESRCH, 19, "getpriority of pid -1");
	expect_eq(setprio(PRIO_PROCESS, 0, 3), 0, 20, "back to nice 3");
}

static void *thread_fn(void *arg)
{
	int *out = arg;
	out[0] = my_nice();
	pid_t tid = (pid_t)syscall(SYS_gettid);
	setprio(PRIO_PROCESS, tid, 6);
	out[1] = my_nice();
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	snprintf((char *)&out[2], 32, "%s", stat_prio(path));
	return NULL;
}

static void inheritance(void)
{
	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int v[2] = {my_nice(), 0};
		setprio(PRIO_PROCESS, 0, 7);
		v[1] = my_nice();
		write(rep[1], v, sizeof(v));
		_exit(0);
	}
	int v[2] = {0, 0};
	need(read_full(rep[0], v, sizeof(v)) == sizeof(v), 92, "child's report");
	expect_status(pid, "exited 0", 21, "fork child");
	expect_eq(v[0], 3, 22, "a forked child starts with its parent's nice value");
	expect_eq(v[1], 7, 23, "the child changes its own");
	expect_eq(my_nice(), 3, 24, "... and not its parent's");
	close(rep[0]);
	close(rep[1]);

	int out[2 + 8];
	pthread_t th;
	need(pthread_create(&th, NULL, thread_fn, out) == 0, 93, "pthread_create");
	pthread_join(th, NULL);
	expect_eq(out[0], 3, 25, "a new thread starts with its creator's nice value");
	expect_eq(out[1], 6, 26, "setpriority(PRIO_PROCESS, gettid()) changes the thread");
	printf("the thread's /proc/self/task/<tid>/stat: %s\n", (char *)&out[2]);
	expect_eq(my_nice(), 3, 27, "... and not the main thread");
}

/* A process group of three parked children; the leader makes the group. */
static void pgrp(void)
{
	int ready[2], gate[2];
	need(pipe(ready) == 0 && pipe(gate) == 0, 91, "pipe");
	pid_t kid[3];
	for (int i = 0; i < 3; i++) {
		kid[i] = park_child(ready[1], gate[0], gate[1], NULL);
		need(setpgid(kid[i], kid[0]) == 0, 94, "setpgid");
	}
	for (int i = 0; i < 3; i++)
		wait_ready(ready[0]);
	expect_eq(setprio(PRIO_PGRP, kid[0], 10), 0, 30, "setpriority(PRIO_PGRP, group, 10)");
	for (int i = 0; i < 3; i++)
		expect_eq(getprio_raw(PRIO_PROCESS, kid[i]), 10, 31, "... reaches each member");
	expect_eq(getprio_raw(PRIO_PGRP, kid[0]), 10, 32, "getpriority(PRIO_PGRP) = 20 - 10");
	expect_eq(setprio(PRIO_PROCESS, kid[1], 12), 0, 33, "one member to nice 12");
	expect_eq(getprio_raw(PRIO_PGRP, kid[0]), 10, 34, "the group still reports nice 10");
	expect_eq(setprio(PRIO_PROCESS, kid[2], 4), 0, 35, "another to nice 4");
	expect_eq(getprio_raw(PRIO_PGRP, kid[0]), 16, 36, "the group reports the lowest nice, 4");
	expect_eq(my_nice(), 3, 37, "our own nice value did not change");
	close(gate[1]);
	for (int i = 0; i < 3; i++)
		expect_status(kid[i], "exited 0", 38, "group member");
	close(gate[0]);
	close(ready[0]);
	close(ready[1]);
}

/* Children of a private uid: the first becomes that user and forks the
 * second; PRIO_USER with who 0 means the caller's uid. */
static void user(void)
{
	int ready[2], gate[2], rep[2];
	need(pipe(ready) == 0 && pipe(gate) == 0 && pipe(rep) == 0, 91, "pipe");
	uid_t u = sched_private_uid();
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(gate[1]);
		if (syscall(SYS_setresuid, u, u, u))
			_exit(90);
		pid_t sib = guest_fork();
		if (sib == 0) {
			char c;
			while (read(gate[0], &c, 1) > 0)
				;
			_exit(0);
		}
		long v[6];
		v[0] = setprio(PRIO_USER, 0, 4);
		v[1] = getprio_raw(PRIO_PROCESS, sib);
		v[2] = getprio_raw(PRIO_USER, 0);
		errno = 0;
		v[3] = setprio(PRIO_PROCESS, getppid(), 10);
		v[3] = v[3] ? errno : 0;
		v[4] = setprio(PRIO_PROCESS, 0, 1);
		v[4] = v[4] ? errno : 0;
		v[5] = getprio_raw(PRIO_PROCESS, 0);
		write(rep[1], v, sizeof(v));
		sig_ready(ready[1]);
		char c;
		while (read(gate[0], &c, 1) > 0)
			;
		int st;
		waitpid(sib, &st, 0);
		_exit(0);
	}
	close(rep[1]);
	long v[6];
	need(read_full(rep[0], v, sizeof(v)) == sizeof(v), 92, "child's report");
	wait_ready(ready[0]);
	expect_eq(v[0], 0, 40, "as another user: setpriority(PRIO_USER, 0, 4)");
	expect_eq(v[1], 16, 41, "... reaches the user's other process");
	expect_eq(v[2], 16, 42, "getpriority(PRIO_USER, 0) = 20 - 4");
	check(v[3] == EPERM, 43, "... setpriority on root's process -> EPERM (%s)",
	      errno_name((int)v[3]));
	check(v[4] == EACCES, 44, "... lowering its own nice without CAP_SYS_NICE -> EACCES (%s)",
	      errno_name((int)v[4]));
	expect_eq(v[5], 16, 45, "... which stays 4");
	expect_eq(getprio_raw(PRIO_USER, (int)u), 16, 46, "root: getpriority(PRIO_USER, that uid)");
	expect_eq(setprio(PRIO_USER, (int)u, -2), 0, 47, "root: setpriority(PRIO_USER, uid, -2)");
	expect_eq(getprio_raw(PRIO_PROCESS, pid), 22, 48, "... lowers even their nice value");
	close(gate[1]);
	expect_status(pid, "exited 0", 49, "the user's first process");
	close(gate[0]);
	close(ready[0]);
	close(ready[1]);
	close(rep[0]);
}

/* Still root, without CAP_SYS_NICE. */
static void no_sys_nice(void)
{
	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		long v[8];
		v[0] = drop_sys_nice();
		v[1] = setprio(PRIO_PROCESS, 0, 8);
		errno = 0;
		v[2] = setprio(PRIO_PROCESS, 0, 5);
		v[2] = v[2] ? errno : 0;
		v[3] = my_nice();
		errno = 0;
		v[4] = nice(1);
		errno = 0;
		v[5] = nice(-5);
		v[6] = errno;
		/* Another root process, same uid, but it has CAP_SYS_NICE and
		 * we do not: the capability hook (cap_safe_nice) says no. */
		errno = 0;
		v[7] = setprio(PRIO_PROCESS, getppid(), 3) ? errno : 0;
		write(rep[1], v, sizeof(v));
		_exit(0);
	}
	close(rep[1]);
	long v[8];
	need(read_full(rep[0], v, sizeof(v)) == sizeof(v), 92, "child's report");
	expect_status(pid, "exited 0", 50, "child without CAP_SYS_NICE");
	expect_eq(v[0], 0, 51, "capset without CAP_SYS_NICE");
	expect_eq(v[1], 0, 52, "raising its nice value to 8");
	check(v[2] == EACCES, 53, "lowering it to 5 -> EACCES (%s)", errno_name((int)v[2]));
	expect_eq(v[3], 8, 54, "... it stays 8");
	expect_eq(v[4], 9, 55, "nice(1) returns the new value, 9");
	check(v[5] == -1 && v[6] == EPERM, 56, "nice(-5) -> -1, EPERM (%ld %s)", v[5],
	      errno_name((int)v[6]));
	check(v[7] == EPERM, 57, "setpriority on the root parent, which has more capabilities -> EPERM (%s)",
	      errno_name((int)v[7]));
	close(rep[0]);
	struct rlimit rl;
	getrlimit(RLIMIT_NICE, &rl);
	printf("RLIMIT_NICE soft %s\n", rl.rlim_cur == 0 ? "0" : "not 0");
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	basics();
	inheritance();
	pgrp();
	user();
	no_sys_nice();
	return guest_finish();
}
