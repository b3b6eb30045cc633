/*
 * sched_check.h: helpers for the scheduling guests (sched_*.c), on top of
 * cred_check.h. The sched_* calls go through syscall(): musl's wrappers
 * for sched_setscheduler and friends return ENOSYS on purpose, and
 * getpriority's raw value (20 - nice) is what the kernel returns.
 *
 * Nothing here may touch another process of the machine: PRIO_PGRP and
 * ioprio's IOPRIO_WHO_PGRP only on process groups the guest made, PRIO_USER
 * only on a uid no one else has (sched_private_uid), never on root.
 */
#ifndef SCHED_CHECK_H
#define SCHED_CHECK_H

#include "cred_check.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#define CAP_SYS_NICE 23

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20

#ifndef SYS_sched_setattr
#define SYS_sched_setattr 314
#define SYS_sched_getattr 315
#endif

/* The uapi struct sched_attr (VER1, 56 bytes), with room behind it. */
struct sattr {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t prio;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
	unsigned char tail[64];
};

static GUEST_UNUSED long getprio_raw(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

static GUEST_UNUSED long setprio(int which, int who, int nice)
{
	return syscall(SYS_setpriority, which, who, nice);
}

/* The caller's nice value (from the raw getpriority). */
static GUEST_UNUSED int my_nice(void)
{
	return 20 - (int)getprio_raw(PRIO_PROCESS, 0);
}

static GUEST_UNUSED long set_sched(int pid, int policy, int prio)
{
	return syscall(SYS_sched_setscheduler, pid, policy, &prio);
}

static GUEST_UNUSED long get_sched(int pid)
{
	return syscall(SYS_sched_getscheduler, pid);
}

static GUEST_UNUSED long get_param(int pid)
{
	int prio = -1;
	long r = syscall(SYS_sched_getparam, pid, &prio);
	return r ? r : prio;
}

static GUEST_UNUSED long set_attr(int pid, struct sattr *a)
{
	return syscall(SYS_sched_setattr, pid, a, 0);
}

static GUEST_UNUSED long get_attr(int pid, struct sattr *a)
{
	memset(a, 0, sizeof(*a));
	return syscall(SYS_sched_getattr, pid, a, 56, 0);
}

/* Fields 18, 19, 40 and 41 of /proc/<path>/stat (priority, nice,
 * rt_priority, policy) as "P N R Y", or "?" when unreadable. */
static GUEST_UNUSED const char *stat_prio(const char *path)
{
	static char out[64];
	char buf[1024];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	long v[64] = {0};
	int field = 2;
	for (p = p ? p + 1 : buf + n; *p && field < 52;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		field++;
		v[field] = strtol(p, &p, 10);
		while (*p && *p != ' ')
			p++;
	}
	if (field < 41)
		return "?";
	snprintf(out, sizeof(out), "%ld %ld %ld %ld", v[18], v[19], v[40], v[41]);
	return out;
}

/* Drop CAP_SYS_NICE from the effective and permitted sets (staying root). */
static GUEST_UNUSED int drop_sys_nice(void)
{
	struct capsets c = my_caps();
	return set_caps(c.eff & ~CAP_BIT(CAP_SYS_NICE), c.prm & ~CAP_BIT(CAP_SYS_NICE), c.inh);
}

/* A uid nobody else on the machine has while this process lives: natively
 * the pid makes it unique among the tests running at the same time. It is
 * never printed. */
static GUEST_UNUSED uid_t sched_private_uid(void)
{
	return 200000 + (uid_t)getpid();
}

/* Tell a waiting peer we are ready, or wait for it. */
static GUEST_UNUSED void sig_ready(int fd)
{
	need(write(fd, "x", 1) == 1, 95, "signal ready");
}

static GUEST_UNUSED void wait_ready(int fd)
{
	char c;
	need(read(fd, &c, 1) == 1, 96, "wait ready");
}

/* A parked child: it sends one byte on @ready and exits when @gate closes. */
static GUEST_UNUSED pid_t park_child(int ready, int gate_r, int gate_w, void (*setup)(void))
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(gate_w);
		if (setup)
			setup();
		sig_ready(ready);
		while (read(gate_r, &c, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

#endif
