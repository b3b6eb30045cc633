/* I/O priorities: block/ioprio.c's ioprio_set/ioprio_get and the rules of
 * ioprio_check_cap and set_task_ioprio. */
#include "kernelmodel/ioprio.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

static int prio_class(int ioprio)
{
	return (ioprio >> IOPRIO_CLASS_SHIFT) & 7;
}

static int prio_level(int ioprio)
{
	return ioprio & 7;
}

uint16_t ioprio_inherit(uint16_t parent)
{
	return prio_class(parent) != IOPRIO_CLASS_NONE ? parent : 0;
}

/* capable(): in the initial user namespace. */
static bool capable_init(const struct task *t, int cap)
{
	return capable(t, cap) && ns_initial_user(t->nsproxy);
}

/* ioprio_check_cap: the real-time class needs CAP_SYS_ADMIN or
 * CAP_SYS_NICE; class NONE takes no level; classes 4..7 do not exist.
 * (The level has 3 bits and the hint bits above it are not checked.) */
static int ioprio_check_cap(const struct task *t, int ioprio)
{
	switch (prio_class(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (!capable_init(t, CAP_SYS_ADMIN) && !capable_init(t, CAP_SYS_NICE))
			return -EPERM;
		return 0;
	case IOPRIO_CLASS_BE:
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return prio_level(ioprio) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* set_task_ioprio: the target's real uid is our effective or real one, or
 * we hold CAP_SYS_NICE; then the capability hook. The context keeps 16
 * bits. */
static int set_task_ioprio(struct task *t, struct task *p, int ioprio)
{
	const struct cred *c = t->cred;
	if (p->cred->uid != c->euid && p->cred->uid != c->uid && !capable_init(t, CAP_SYS_NICE))
		return -EPERM;
	int r = cap_safe_nice(t, p); /* security_task_setioprio */
	if (r)
		return r;
	p->ioprio = (uint16_t)ioprio;
	return 0;
}

/* __get_task_ioprio: the priority in effect, derived from the nice value
 * and policy when none was set (task_nice_ioclass, task_nice_ioprio). */
static int get_task_ioprio(const struct task *p)
{
	int prio = p->ioprio;
	if (prio_class(prio) != IOPRIO_CLASS_NONE)
		return prio;
	int policy = p->sched.policy, cls = IOPRIO_CLASS_BE;
	if (policy == SCHED_IDLE)
		cls = IOPRIO_CLASS_IDLE;
	else if (policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE)
		cls = IOPRIO_CLASS_RT;
	return cls << IOPRIO_CLASS_SHIFT | (task_nice(&p->sched) + 20) / 5;
}

/* A PGRP or USER target: attached to its pids (alive or a zombie) and, for
 * USER, visible in @t's PID namespace. */
static bool group_member(const struct task *t, const struct task *p, int which, int pgid,
			 uint32_t uid)
{
	if (p->state == TASK_DEAD)
		return false;
	if (which == IOPRIO_WHO_PGRP)
		return p->signal->pgid == pgid;
	return p->cred->uid == uid && pid_visible(p, t->pid_ns);
}

/* The kernel uid @who names in @t's user namespace (make_kuid): no id maps
 * outside the initial one (cred.h). */
static uint32_t make_kuid(const struct task *t, int who)
{
	return ns_initial_user(t->nsproxy) ? (uint32_t)who : INVALID_ID;
}

long ioprio_set(struct task *t, int which, int who, int ioprio)
{
	int ret = ioprio_check_cap(t, ioprio);
	if (ret)
		return ret;
	int pgid = 0;
	uint32_t uid = INVALID_ID;
	switch (which) {
	case IOPRIO_WHO_PROCESS: {
		struct task *p = who ? find_task_by_pid_ns(who, t->pid_ns) : t;
		return p ? set_task_ioprio(t, p, ioprio) : -ESRCH;
	}
	case IOPRIO_WHO_PGRP:
		pgid = who ? pid_global(who, t->pid_ns) : t->signal->pgid;
		break;
	case IOPRIO_WHO_USER:
		/* @who 0 is uid 0 here, not the caller's uid (as Linux). */
		uid = make_kuid(t, who);
		if (uid == INVALID_ID)
			return -ESRCH;
		break;
	default:
		return -EINVAL;
	}
	ret = -ESRCH;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (group_member(t, p, which, pgid, uid) && (ret = set_task_ioprio(t, p, ioprio)))
			return ret;
	return ret;
}

long ioprio_get(struct task *t, int which, int who)
{
	int pgid = 0;
	uint32_t uid = INVALID_ID;
	switch (which) {
	case IOPRIO_WHO_PROCESS: {
		/* The raw value, so that an unset priority reads as such. */
		struct task *p = who ? find_task_by_pid_ns(who, t->pid_ns) : t;
		return p ? p->ioprio : -ESRCH;
	}
	case IOPRIO_WHO_PGRP:
		pgid = who ? pid_global(who, t->pid_ns) : t->signal->pgid;
		break;
	case IOPRIO_WHO_USER:
		/* Here @who 0 is the caller's own uid. */
		uid = who ? make_kuid(t, who) : t->cred->uid;
		break;
	default:
		return -EINVAL;
	}
	long ret = -ESRCH;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!group_member(t, p, which, pgid, uid))
			continue;
		int v = get_task_ioprio(p);
		ret = ret == -ESRCH || v < ret ? v : ret;
	}
	return ret;
}
