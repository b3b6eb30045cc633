/*
 * sched_ioprio: I/O priorities (block/ioprio.c), as root:
 *
 *   - ioprio_set/ioprio_get(IOPRIO_WHO_PROCESS) round trips of the BE, RT
 *     and IDLE classes; the raw value read back is what was set (16 bits;
 *     hint bits above the level are kept, classes 4..7 and a level with
 *     class NONE are EINVAL)
 *   - a child inherits an explicitly set priority, not a class-NONE one
 *   - IOPRIO_WHO_PGRP over a group of our own: the priority in effect,
 *     derived from the nice value and policy where none was set (BE, IDLE
 *     under SCHED_IDLE, RT under SCHED_FIFO), the best (lowest) of the group
 *   - IOPRIO_WHO_USER for a private uid (who 0 means the caller's uid for
 *     ioprio_get)
 *   - without CAP_SYS_NICE (and CAP_SYS_ADMIN) the RT class is EPERM;
 *     another user's process is EPERM
 */
#include "sched_check.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO(cls, lvl) ((cls) << IOPRIO_CLASS_SHIFT | (lvl))
#define IO_RT 1
#define IO_BE 2
#define IO_IDLE 3
#define WHO_PROCESS 1
#define WHO_PGRP 2
#define WHO_USER 3

static long io_set(int which, int who, int prio)
{
	return syscall(SYS_ioprio_set, which, who, prio);
}

static long io_get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

static void process(void)
{
	long start = io_get(WHO_PROCESS, 0);
	check(start >= 0, 1, "ioprio_get(IOPRIO_WHO_PROCESS, 0)");
	const int ok[] = {IOPRIO(IO_BE, 3), IOPRIO(IO_BE, 0), IOPRIO(IO_RT, 7), IOPRIO(IO_IDLE, 0),
			  IOPRIO(IO_IDLE, 5), IOPRIO(IO_BE, 8 | 2), 8,  0x10000 | IOPRIO(IO_BE, 1),
			  0x10000, 0};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		long r = io_set(WHO_PROCESS, 0, ok[i]);
		printf("ioprio_set %#x -> %ld, get %#lx\n", ok[i], r, io_get(WHO_PROCESS, 0));
	}
	const int bad[] = {1, 7, IOPRIO(4, 0), IOPRIO(7, 0), -1};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r = io_set(WHO_PROCESS, 0, bad[i]);
		expect_errno(r, errno, EINVAL, 2, "an invalid priority");
	}
	long r = io_set(0, 0, IOPRIO(IO_BE, 1));
	expect_errno(r, errno, EINVAL, 3, "ioprio_set which 0");
	r = io_get(4, 0);
	expect_errno(r, errno, EINVAL, 4, "ioprio_get which 4");
	r = io_set(WHO_PROCESS, 4194000, IOPRIO(IO_BE, 1));
	expect_errno(r, errno, ESRCH, 5, "ioprio_set of no such pid");
	r = io_get(WHO_PROCESS, 4194000);
	expect_errno(r, errno, ESRCH, 6, "ioprio_get of no such pid");
	r = io_get(WHO_PGRP, 4194000);
	expect_errno(r, errno, ESRCH, 7, "ioprio_get of no such group");
	r = io_set(WHO_PGRP, 4194000, IOPRIO(IO_BE, 1));
	expect_errno(r, errno, ESRCH, 8, "ioprio_set of no such group");

	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	for (int round = 0; round < 2; round++) {
		io_set(WHO_PROCESS, 0, round ? 8 : IOPRIO(IO_BE, 5));
		pid_t pid = guest_fork();
		if (pid == 0) {
			long v = io_get(WHO_PROCESS, 0);
			write(rep[1], &v, sizeof(v));
			_exit(0);
		}
		long v = -1;
		read_full(rep[0], &v, sizeof(v));
		expect_status(pid, "exited 0", 9, "child");
		printf("parent %#lx: child starts with %#lx\n", io_get(WHO_PROCESS, 0), v);
	}
	close(rep[0]);
	close(rep[1]);
	io_set(WHO_PROCESS, 0, 0);
}

static void set_nice_10(void)
{
	setprio(PRIO_PROCESS, 0, 10);
}

static void group(void)
{
	int ready[2], gate[2];
	need(pipe(ready) == 0 && pipe(gate) == 0, 91, "pipe");
	pid_t kid[2];
	kid[0] = park_child(ready[1], gate[0], gate[1], set_nice_10);
	need(setpgid(kid[0], kid[0]) == 0, 94, "setpgid");
	wait_ready(ready[0]);
	printf("nice 10, nothing set: group %#lx, process %#lx\n", io_get(WHO_PGRP, kid[0]),
	       io_get(WHO_PROCESS, kid[0]));
	expect_eq(set_sched(kid[0], SCHED_IDLE, 0), 0, 10, "member to SCHED_IDLE");
	printf("SCHED_IDLE: group %#lx\n", io_get(WHO_PGRP, kid[0]));
	expect_eq(set_sched(kid[0], SCHED_FIFO, 1), 0, 11, "member to SCHED_FIFO");
	printf("SCHED_FIFO: group %#lx\n", io_get(WHO_PGRP, kid[0]));
	kid[1] = park_child(ready[1], gate[0], gate[1], NULL);
	need(setpgid(kid[1], kid[0]) == 0, 94, "setpgid");
	wait_ready(ready[0]);
	expect_eq(io_set(WHO_PGRP, kid[0], IOPRIO(IO_IDLE, 0)), 0, 12, "the group to IDLE");
	printf("after IOPRIO_WHO_PGRP: group %#lx, members %#lx %#lx\n", io_get(WHO_PGRP, kid[0]),
	       io_get(WHO_PROCESS, kid[0]), io_get(WHO_PROCESS, kid[1]));
	expect_eq(io_set(WHO_PROCESS, kid[1], IOPRIO(IO_BE, 2)), 0, 13, "one member to BE 2");
	printf("best of the group: %#lx\n", io_get(WHO_PGRP, kid[0]));
	close(gate[1]);
	for (int i = 0; i < 2; i++)
		expect_status(kid[i], "exited 0", 14, "member");
	close(gate[0]);
	close(ready[0]);
	close(ready[1]);
}

static void users_and_caps(void)
{
	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	uid_t u = sched_private_uid();
	pid_t pid = guest_fork();
	if (pid == 0) {
		long v[6];
		v[0] = drop_sys_nice();
		struct capsets c = my_caps();
		v[1] = set_caps(c.eff & ~CAP_BIT(CAP_SYS_ADMIN), c.prm & ~CAP_BIT(CAP_SYS_ADMIN), c.inh);
		errno = 0;
		v[2] = io_set(WHO_PROCESS, 0, IOPRIO(IO_RT, 1)) ? errno : 0;
		v[3] = io_set(WHO_PROCESS, 0, IOPRIO(IO_BE, 6));
		if (syscall(SYS_setresuid, u, u, u))
			_exit(90);
		v[4] = io_get(WHO_USER, 0);
		errno = 0;
		v[5] = io_set(WHO_PROCESS, getppid(), IOPRIO(IO_BE, 1)) ? errno : 0;
		write(rep[1], v, sizeof(v));
		_exit(0);
	}
	long v[6];
	need(read_full(rep[0], v, sizeof(v)) == sizeof(v), 92, "child's report");
	expect_status(pid, "exited 0", 20, "child");
	expect_eq(v[0], 0, 21, "dropped CAP_SYS_NICE");
	expect_eq(v[1], 0, 22, "dropped CAP_SYS_ADMIN");
	check(v[2] == EPERM, 23, "the RT class -> EPERM (%s)", errno_name((int)v[2]));
	expect_eq(v[3], 0, 24, "BE 6 is fine");
	expect_eq(v[4], IOPRIO(IO_BE, 6), 25, "as the new user: ioprio_get(IOPRIO_WHO_USER, 0)");
	check(v[5] == EPERM, 26, "... ioprio_set on root's process -> EPERM (%s)",
	      errno_name((int)v[5]));
	close(rep[0]);
	close(rep[1]);
	long r = io_get(WHO_USER, (int)u);
	expect_errno(r, errno, ESRCH, 27, "the user is gone: ESRCH");
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	process();
	group();
	users_and_caps();
	return guest_finish();
}
