/* Scheduling policy, priorities and affinity of a task, with the rules of
 * kernel/sys.c (setpriority, getpriority), kernel/sched/syscalls.c
 * (__sched_setscheduler, sched_setaffinity, get_params), kernel/sched/core.c
 * (sched_fork) and kernel/sched/deadline.c (__checkparam_dl,
 * sched_dl_overflow). The comments name the Linux function each piece
 * mirrors. Nothing here changes how cloneemu schedules (sched_policy.h). */
#include "kernelmodel/sched_policy.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/ioprio.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define BW_SHIFT 20
#define DL_SCALE 10

/* ---- the machine, read once (recorded for --replay) ---- */

/* Fixed-width, so that a recording is the same struct on replay. */
static struct sched_host {
	int32_t nice, policy;
	uint32_t rt_priority, reset_on_fork;
	uint64_t slice; /* the fair base slice (0: the kernel has no custom slices) */
	uint64_t dl_runtime, dl_deadline, dl_period, dl_flags;
	int32_t ioprio;
	uint32_t cpumask_size; /* bytes of the kernel's cpumask (<= SCHED_CPUMASK_BYTES) */
	uint32_t nr_cpu_ids;
	uint8_t allowed[SCHED_CPUMASK_BYTES]; /* cloneemu's affinity: the guests' cpuset */
	uint8_t active[SCHED_CPUMASK_BYTES];  /* online CPUs: the root domain's span */
	uint64_t rr_timeslice_ns, fair_interval_ns;
	uint64_t dl_period_min_ns, dl_period_max_ns;
	int64_t rt_runtime_us, rt_period_us;
	int32_t ext_prio; /* sched_get_priority_max(SCHED_EXT): 0 since 6.12, else -EINVAL */
} host;

static long read_number(const char *path, long fallback)
{
	long v = fallback;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = fallback;
		fclose(f);
	}
	return v;
}

/* A CPU list as /sys/devices/system/cpu/{online,possible} write it
 * ("0-3,6"): its bits in @mask; the highest CPU + 1, 0 if unreadable. */
static unsigned read_cpu_list(const char *path, uint8_t *mask)
{
	char buf[4096];
	unsigned top = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (char *p = buf; *p >= '0' && *p <= '9';) {
		unsigned a = (unsigned)strtoul(p, &p, 10), b = a;
		if (*p == '-')
			b = (unsigned)strtoul(p + 1, &p, 10);
		for (unsigned c = a; c <= b && c < 8 * SCHED_CPUMASK_BYTES; c++)
			mask[c / 8] |= 1u << (c % 8);
		if (b + 1 > top)
			top = b + 1;
		if (*p == ',')
			p++;
	}
	return top;
}

static bool fair_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH;
}

static bool idle_policy(int policy)
{
	return policy == SCHED_IDLE;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool dl_policy(int policy)
{
	return policy == SCHED_DEADLINE;
}

static bool valid_policy(int policy)
{
	return idle_policy(policy) || fair_policy(policy) || rt_policy(policy) || dl_policy(policy);
}

/* __normal_prio: the kernel's priority for a policy, real-time priority
 * and nice value: -1 for DEADLINE, 99 - rt_priority for FIFO/RR, 120 + nice. */
static int normal_prio_of(int policy, unsigned rt_priority, int nice)
{
	if (dl_policy(policy))
		return -1;
	if (rt_policy(policy))
		return MAX_RT_PRIO - 1 - (int)rt_priority;
	return 120 + nice;
}

static int normal_prio(const struct task_sched *s)
{
	return normal_prio_of(s->policy, s->rt_priority, s->nice);
}

static void read_host(void)
{
	struct ksched_attr a;
	memset(&host, 0, sizeof(host));
	long r = syscall(SYS_getpriority, PRIO_PROCESS, 0); /* raw: 20 - nice */
	host.nice = r > 0 ? 20 - (int)r : 0;
	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) == 0 && valid_policy((int)a.sched_policy)) {
		host.policy = (int32_t)a.sched_policy;
		host.rt_priority = a.sched_priority;
		host.reset_on_fork = (a.sched_flags & SCHED_FLAG_RESET_ON_FORK) != 0;
		if (dl_policy(host.policy)) {
			host.dl_runtime = a.sched_runtime;
			host.dl_deadline = a.sched_deadline;
			host.dl_period = a.sched_period;
			host.dl_flags = a.sched_flags & SCHED_DL_FLAGS;
		} else if (!rt_policy(host.policy)) {
			host.slice = a.sched_runtime; /* 0 before Linux 6.12 */
		}
	}
	r = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	host.ioprio = r < 0 ? 0 : (int32_t)r;
	r = syscall(SYS_sched_getaffinity, 0, SCHED_CPUMASK_BYTES, host.allowed);
	if (r <= 0) {
		memset(host.allowed, 0, sizeof(host.allowed));
		host.allowed[0] = 1;
		r = 8;
	}
	host.cpumask_size = (uint32_t)r;
	host.nr_cpu_ids = read_cpu_list("/sys/devices/system/cpu/possible", host.active);
	if (!host.nr_cpu_ids || host.nr_cpu_ids > 8 * host.cpumask_size)
		host.nr_cpu_ids = 8 * host.cpumask_size;
	memset(host.active, 0, sizeof(host.active));
	if (!read_cpu_list("/sys/devices/system/cpu/online", host.active))
		memcpy(host.active, host.allowed, sizeof(host.active));
	host.rr_timeslice_ns =
		(uint64_t)read_number("/proc/sys/kernel/sched_rr_timeslice_ms", 100) * NSEC_PER_MSEC;
	struct timespec ts;
	if (!idle_policy(host.policy) && !fair_policy(host.policy))
		host.fair_interval_ns = 0; /* cannot ask: cloneemu is not in the fair class */
	else if (syscall(SYS_sched_rr_get_interval, 0, &ts) == 0)
		host.fair_interval_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	host.dl_period_min_ns =
		(uint64_t)read_number("/proc/sys/kernel/sched_deadline_period_min_us", 100) *
		NSEC_PER_USEC;
	host.dl_period_max_ns =
		(uint64_t)read_number("/proc/sys/kernel/sched_deadline_period_max_us", 1 << 22) *
		NSEC_PER_USEC;
	host.rt_runtime_us = read_number("/proc/sys/kernel/sched_rt_runtime_us", 950000);
	host.rt_period_us = read_number("/proc/sys/kernel/sched_rt_period_us", 1000000);
	host.ext_prio = syscall(SYS_sched_get_priority_max, SCHED_EXT) < 0 ? -EINVAL : 0;
}

void sched_init_first_task(struct task *t)
{
	if (!rr_replaying)
		read_host();
	rr_bytes(&host, sizeof(host));
	struct task_sched *s = &t->sched;
	s->policy = host.policy;
	s->nice = host.nice < MIN_NICE ? MIN_NICE : host.nice > MAX_NICE ? MAX_NICE : host.nice;
	s->rt_priority = rt_policy(s->policy) ? host.rt_priority : 0;
	s->reset_on_fork = host.reset_on_fork;
	s->prio = normal_prio(s);
	s->slice = host.slice;
	s->dl_runtime = host.dl_runtime;
	s->dl_deadline = host.dl_deadline;
	s->dl_period = host.dl_period;
	s->dl_flags = host.dl_flags;
	memcpy(s->cpus_mask, host.allowed, sizeof(s->cpus_mask));
	t->ioprio = (uint16_t)host.ioprio;
}

int sched_ext_priority(void)
{
	return host.ext_prio;
}

unsigned sched_cpumask_size(void)
{
	return host.cpumask_size;
}

unsigned sched_nr_cpu_ids(void)
{
	return host.nr_cpu_ids;
}

int sched_fork(struct task *p, const struct task *parent)
{
	struct task_sched *s = &p->sched;
	*s = parent->sched;
	/* The child starts at its parent's normal priority. */
	s->prio = normal_prio(s);
	/* Revert to default priority/policy on fork if requested. */
	if (s->reset_on_fork) {
		if (dl_policy(s->policy) || rt_policy(s->policy)) {
			s->policy = SCHED_NORMAL;
			s->nice = 0;
			s->rt_priority = 0;
		} else if (s->nice < 0) {
			s->nice = 0;
		}
		s->prio = 120 + s->nice;
		s->custom_slice = false;
		s->slice = host.slice;
		/* It has done its duty: the child does not pass it on. */
		s->reset_on_fork = false;
	}
	/* A deadline task cannot fork: its bandwidth is its own. */
	if (dl_policy(s->policy))
		return -EAGAIN;
	p->ioprio = ioprio_inherit(parent->ioprio);
	return 0;
}

/* ---- nice: kernel/sys.c, kernel/sched/syscalls.c ---- */

/* capable(): in the initial user namespace. */
static bool capable_init(const struct task *t, int cap)
{
	return capable(t, cap) && ns_initial_user(t->nsproxy);
}

/* is_nice_reduction: @nice within @p's RLIMIT_NICE (as 1..40, 20 - nice). */
static bool is_nice_reduction(const struct task *p, int nice)
{
	rlim_t lim = p->signal->rlim[RLIMIT_NICE].rlim_cur;
	return (rlim_t)(20 - nice) <= lim;
}

static bool can_nice(const struct task *t, const struct task *p, int nice)
{
	return is_nice_reduction(p, nice) || capable_init(t, CAP_SYS_NICE);
}

/* set_one_prio_perm: the target's real or effective uid is our effective
 * one, or we hold CAP_SYS_NICE over its user namespace. */
static bool set_one_prio_perm(const struct task *t, const struct task *p)
{
	const struct cred *c = t->cred, *pc = p->cred;
	if (pc->uid == c->euid || pc->euid == c->euid)
		return true;
	return ns_capable(t, p->nsproxy, CAP_SYS_NICE);
}

int cap_safe_nice(const struct task *t, const struct task *p)
{
	bool is_subset = !(p->cred->cap_permitted & ~t->cred->cap_permitted);
	if (!is_subset && !ns_capable(t, p->nsproxy, CAP_SYS_NICE))
		return -EPERM;
	return 0;
}

static int set_one_prio(struct task *t, struct task *p, int niceval, int error)
{
	if (!set_one_prio_perm(t, p))
		return -EPERM;
	if (niceval < task_nice(&p->sched) && !can_nice(t, p, niceval))
		return -EACCES;
	int no_nice = cap_safe_nice(t, p); /* security_task_setnice */
	if (no_nice)
		return no_nice;
	if (error == -ESRCH)
		error = 0;
	/* set_user_nice: nothing if the value is the same; under RT and DL
	 * only static_prio changes. */
	if (p->sched.nice != niceval) {
		p->sched.nice = niceval;
		if (!rt_policy(p->sched.policy) && !dl_policy(p->sched.policy))
			p->sched.prio = normal_prio(&p->sched);
	}
	return error;
}

/* The targets of a PRIO_PGRP/PRIO_USER request: live tasks and zombies
 * (still attached to their pids until reaped), every thread. */
static bool attached(const struct task *p)
{
	return p->state != TASK_DEAD;
}

/* The kernel uid @who names in @t's user namespace (make_kuid), or
 * INVALID_ID: no id maps outside the initial one (cred.h). */
static uint32_t make_kuid(const struct task *t, int who)
{
	return ns_initial_user(t->nsproxy) ? (uint32_t)who : INVALID_ID;
}

/* The pgid PRIO_PGRP's @who names (0: ours), a global number; 0 if none. */
static int prio_pgrp(const struct task *t, int who)
{
	return who ? pid_global(who, t->pid_ns) : t->signal->pgid;
}

/* PRIO_USER's uid; INVALID_ID when no such user can have tasks. */
static uint32_t prio_uid(const struct task *t, int who)
{
	return who ? make_kuid(t, who) : t->cred->uid;
}

long sched_setpriority(struct task *t, int which, int who, int niceval)
{
	if (which > PRIO_USER || which < PRIO_PROCESS)
		return -EINVAL;
	/* normalize: avoid signed division (rounding problems) */
	int error = -ESRCH;
	if (niceval < MIN_NICE)
		niceval = MIN_NICE;
	if (niceval > MAX_NICE)
		niceval = MAX_NICE;
	if (which == PRIO_PROCESS) {
		struct task *p = who ? find_task_by_pid_ns(who, t->pid_ns) : t;
		return p ? set_one_prio(t, p, niceval, error) : error;
	}
	int pgid = which == PRIO_PGRP ? prio_pgrp(t, who) : 0;
	uint32_t uid = which == PRIO_USER ? prio_uid(t, who) : INVALID_ID;
	if (which == PRIO_PGRP ? !pgid : uid == INVALID_ID)
		return -ESRCH;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!attached(p))
			continue;
		if (which == PRIO_PGRP ? p->signal->pgid == pgid
				       : p->cred->uid == uid && pid_visible(p, t->pid_ns))
			error = set_one_prio(t, p, niceval, error);
	}
	return error;
}

/* nice_to_rlimit: 19..-20 as 1..40, so that a result is never negative. */
static long nice_to_rlimit(int nice)
{
	return MAX_NICE - nice + 1;
}

long sched_getpriority(struct task *t, int which, int who)
{
	long retval = -ESRCH;
	if (which > PRIO_USER || which < PRIO_PROCESS)
		return -EINVAL;
	if (which == PRIO_PROCESS) {
		struct task *p = who ? find_task_by_pid_ns(who, t->pid_ns) : t;
		return p ? nice_to_rlimit(task_nice(&p->sched)) : retval;
	}
	int pgid = which == PRIO_PGRP ? prio_pgrp(t, who) : 0;
	uint32_t uid = which == PRIO_USER ? prio_uid(t, who) : INVALID_ID;
	if (which == PRIO_PGRP ? !pgid : uid == INVALID_ID)
		return -ESRCH;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!attached(p))
			continue;
		if (which == PRIO_PGRP ? p->signal->pgid == pgid
				       : p->cred->uid == uid && pid_visible(p, t->pid_ns)) {
			long v = nice_to_rlimit(task_nice(&p->sched));
			if (v > retval)
				retval = v;
		}
	}
	return retval;
}

/* ---- SCHED_DEADLINE: kernel/sched/deadline.c ---- */

/* __checkparam_dl: deadline != 0, runtime >= 2^DL_SCALE ns, no MSB set,
 * runtime <= deadline <= period, period within the sysctl limits. */
static bool checkparam_dl(const struct ksched_attr *attr)
{
	if (attr->sched_flags & SCHED_FLAG_SUGOV)
		return true;
	if (attr->sched_deadline == 0)
		return false;
	if (attr->sched_runtime < (1ull << DL_SCALE))
		return false;
	if ((attr->sched_deadline | attr->sched_period) & (1ull << 63))
		return false;
	uint64_t period = attr->sched_period ? attr->sched_period : attr->sched_deadline;
	if (period < attr->sched_deadline || attr->sched_deadline < attr->sched_runtime)
		return false;
	return period >= host.dl_period_min_ns && period <= host.dl_period_max_ns;
}

static uint64_t to_ratio(uint64_t period, uint64_t runtime)
{
	return period ? (runtime << BW_SHIFT) / period : 0;
}

static uint64_t task_dl_bw(const struct task_sched *s)
{
	return to_ratio(s->dl_period, s->dl_runtime);
}

static int popcount_mask(const uint8_t *m)
{
	int n = 0;
	for (int i = 0; i < SCHED_CPUMASK_BYTES; i++)
		n += __builtin_popcount(m[i]);
	return n;
}

/* The root domain's deadline bandwidth per CPU (sched_rt_runtime_us over
 * sched_rt_period_us), -1 (as all ones) when unlimited. */
static uint64_t dl_bw_per_cpu(void)
{
	if (host.rt_runtime_us < 0)
		return UINT64_MAX;
	return to_ratio((uint64_t)host.rt_period_us, (uint64_t)host.rt_runtime_us);
}

/* sched_dl_overflow: would @p under @policy with @attr exceed the
 * bandwidth the guests' deadline tasks may take? The model counts its own
 * tasks only, not the host's other deadline tasks. */
static bool dl_overflow(const struct task *p, int policy, const struct ksched_attr *attr)
{
	uint64_t period = attr->sched_period ? attr->sched_period : attr->sched_deadline;
	uint64_t new_bw = dl_policy(policy) ? to_ratio(period, attr->sched_runtime) : 0;
	bool was_dl = dl_policy(p->sched.policy);
	uint64_t old_bw = was_dl ? task_dl_bw(&p->sched) : 0;
	if (attr->sched_flags & SCHED_FLAG_SUGOV)
		return false;
	if (was_dl && new_bw == old_bw)
		return false;
	if (!dl_policy(policy))
		return false; /* leaving SCHED_DEADLINE frees its share */
	uint64_t bw = dl_bw_per_cpu();
	if (bw == UINT64_MAX)
		return false;
	uint64_t total = 0;
	for (struct task *q = task_next(NULL); q; q = task_next(q))
		if (task_is_alive(q) && dl_policy(q->sched.policy))
			total += task_dl_bw(&q->sched);
	return bw * (uint64_t)popcount_mask(host.active) < total - old_bw + new_bw;
}

/* ---- sched_setscheduler and sched_setattr: kernel/sched/syscalls.c ---- */

/* check_same_owner: our euid is the target's euid or uid. */
static bool check_same_owner(const struct task *t, const struct task *p)
{
	return t->cred->euid == p->cred->euid || t->cred->euid == p->cred->uid;
}

/* user_check_sched_setscheduler: an unprivileged task may lower its
 * priority, and raise it within RLIMIT_NICE / RLIMIT_RTPRIO; anything else
 * needs CAP_SYS_NICE. */
static int user_check(const struct task *t, const struct task *p, const struct ksched_attr *attr,
		      int policy, bool reset_on_fork)
{
	const struct task_sched *s = &p->sched;
	if (fair_policy(policy) && attr->sched_nice < task_nice(s) &&
	    !is_nice_reduction(p, attr->sched_nice))
		goto req_priv;
	if (rt_policy(policy)) {
		rlim_t rlim_rtprio = p->signal->rlim[RLIMIT_RTPRIO].rlim_cur;
		/* Can't set/change the rt policy: */
		if (policy != s->policy && !rlim_rtprio)
			goto req_priv;
		/* Can't increase priority: */
		if (attr->sched_priority > s->rt_priority && attr->sched_priority > rlim_rtprio)
			goto req_priv;
	}
	/* Can't set/change SCHED_DEADLINE policy at all for now. */
	if (dl_policy(policy))
		goto req_priv;
	/* Treat SCHED_IDLE as nice 20: leaving it is a nice reduction. */
	if (idle_policy(s->policy) && !idle_policy(policy) && !is_nice_reduction(p, task_nice(s)))
		goto req_priv;
	/* Can't change other user's priorities: */
	if (!check_same_owner(t, p))
		goto req_priv;
	/* Normal users shall not reset the sched_reset_on_fork flag: */
	if (s->reset_on_fork && !reset_on_fork)
		goto req_priv;
	return 0;
req_priv:
	return capable_init(t, CAP_SYS_NICE) ? 0 : -EPERM;
}

static bool dl_param_changed(const struct task_sched *s, const struct ksched_attr *attr)
{
	return s->dl_runtime != attr->sched_runtime || s->dl_deadline != attr->sched_deadline ||
	       s->dl_period != attr->sched_period ||
	       s->dl_flags != (attr->sched_flags & SCHED_DL_FLAGS);
}

/* Does @m hold every CPU of the root domain (the online CPUs)? */
static bool has_root_span(const uint8_t *m)
{
	for (int i = 0; i < SCHED_CPUMASK_BYTES; i++)
		if (host.active[i] & ~m[i])
			return false;
	return true;
}

/* __setscheduler_params: a fair policy takes sched_nice and, where the
 * kernel has custom slices (Linux 6.12), sched_runtime as the slice
 * clamped to 0.1..100 ms; sched_priority is stored whatever the policy
 * (0 unless real-time). */
static void setscheduler_params(struct task_sched *s, int policy, const struct ksched_attr *attr)
{
	s->policy = policy;
	if (dl_policy(policy)) {
		s->dl_runtime = attr->sched_runtime;
		s->dl_deadline = attr->sched_deadline;
		s->dl_period = attr->sched_period ? attr->sched_period : attr->sched_deadline;
		s->dl_flags = attr->sched_flags & SCHED_DL_FLAGS;
	} else if (fair_policy(policy)) {
		s->nice = attr->sched_nice;
		if (host.slice && attr->sched_runtime) {
			uint64_t r = attr->sched_runtime;
			s->custom_slice = true;
			s->slice = r < NSEC_PER_MSEC / 10	 ? NSEC_PER_MSEC / 10
				   : r > 100 * NSEC_PER_MSEC ? 100 * NSEC_PER_MSEC
							     : r;
		} else {
			s->custom_slice = false;
			s->slice = host.slice;
		}
	}
	s->rt_priority = attr->sched_priority;
}

int sched_setattr_task(struct task *t, struct task *p, struct ksched_attr *attr, bool legacy)
{
	struct task_sched *s = &p->sched;
	int policy = (int)attr->sched_policy;
	bool reset_on_fork;
	if (legacy) {
		/* _sched_setscheduler: the nice value and a custom slice stay;
		 * the SCHED_RESET_ON_FORK bit of the policy becomes the flag. */
		attr->sched_nice = task_nice(s);
		if (s->custom_slice)
			attr->sched_runtime = s->slice;
		if (policy >= 0 && (policy & SCHED_RESET_ON_FORK)) {
			attr->sched_flags |= SCHED_FLAG_RESET_ON_FORK;
			policy &= ~SCHED_RESET_ON_FORK;
		}
	}
	if (policy < 0) {
		reset_on_fork = s->reset_on_fork;
		policy = s->policy;
	} else {
		reset_on_fork = attr->sched_flags & SCHED_FLAG_RESET_ON_FORK;
		if (!valid_policy(policy))
			return -EINVAL;
	}
	if (attr->sched_flags & ~(uint64_t)(SCHED_FLAG_ALL | SCHED_FLAG_SUGOV))
		return -EINVAL;
	/* Valid priorities for SCHED_FIFO and SCHED_RR are 1..99; SCHED_NORMAL,
	 * SCHED_BATCH and SCHED_IDLE take 0. */
	if (attr->sched_priority > MAX_RT_PRIO - 1)
		return -EINVAL;
	if ((dl_policy(policy) && !checkparam_dl(attr)) ||
	    rt_policy(policy) != (attr->sched_priority != 0))
		return -EINVAL;
	int r = user_check(t, p, attr, policy, reset_on_fork);
	if (r)
		return r;
	if (attr->sched_flags & SCHED_FLAG_SUGOV)
		return -EINVAL;
	if ((r = cap_safe_nice(t, p))) /* security_task_setscheduler */
		return r;
	/* No CONFIG_UCLAMP_TASK in the modeled kernel. */
	if (attr->sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;
	/* If not changing anything there's no need to proceed further, but
	 * store a possible modification of reset_on_fork. */
	if (policy == s->policy) {
		bool change = (fair_policy(policy) &&
			       (attr->sched_nice != task_nice(s) || attr->sched_runtime != s->slice)) ||
			      (rt_policy(policy) && attr->sched_priority != s->rt_priority) ||
			      (dl_policy(policy) && dl_param_changed(s, attr));
		if (!change) {
			s->reset_on_fork = reset_on_fork;
			return 0;
		}
	}
	/* Tasks whose affinity is smaller than the root domain cannot become
	 * SCHED_DEADLINE, nor can any when there is no bandwidth at all. */
	if (dl_policy(policy) && (!has_root_span(s->cpus_mask) || dl_bw_per_cpu() == 0))
		return -EPERM;
	if ((dl_policy(policy) || dl_policy(s->policy)) && dl_overflow(p, policy, attr))
		return -EBUSY;
	s->reset_on_fork = reset_on_fork;
	if (!(attr->sched_flags & SCHED_FLAG_KEEP_PARAMS)) {
		setscheduler_params(s, policy, attr);
		/* __setscheduler_prio: from the request's nice value, whatever
		 * the policy made of it. */
		s->prio = normal_prio_of(policy, attr->sched_priority, attr->sched_nice);
	}
	return 0;
}

void sched_get_params(const struct task *p, struct ksched_attr *attr)
{
	const struct task_sched *s = &p->sched;
	if (dl_policy(s->policy)) {
		attr->sched_runtime = s->dl_runtime;
		attr->sched_deadline = s->dl_deadline;
		attr->sched_period = s->dl_period;
		attr->sched_flags |= s->dl_flags;
	} else if (rt_policy(s->policy)) {
		attr->sched_priority = s->rt_priority;
	} else {
		attr->sched_nice = task_nice(s);
		attr->sched_runtime = s->slice;
	}
}

void sched_getattr_task(const struct task *p, struct ksched_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->sched_policy = (uint32_t)p->sched.policy;
	if (p->sched.reset_on_fork)
		attr->sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	sched_get_params(p, attr);
	attr->sched_flags &= SCHED_FLAG_ALL;
}

uint64_t sched_rr_interval_ns(const struct task *p)
{
	int policy = p->sched.policy;
	if (policy == SCHED_RR)
		return host.rr_timeslice_ns;
	if (fair_policy(policy) || idle_policy(policy))
		return host.fair_interval_ns;
	return 0; /* FIFO and DEADLINE run until they stop */
}

/* ---- affinity ---- */

void sched_getaffinity_task(const struct task *p, uint8_t *mask)
{
	for (unsigned i = 0; i < host.cpumask_size; i++)
		mask[i] = p->sched.cpus_mask[i] & host.active[i];
}

unsigned task_cpu(const struct task *p)
{
	uint8_t mask[SCHED_CPUMASK_BYTES];
	unsigned cpu = 0;
	sched_getaffinity_task(p, mask);
	while (cpu < 8 * sched_cpumask_size() - 1 && !(mask[cpu / 8] >> (cpu % 8) & 1))
		cpu++;
	return cpu;
}

int sched_setaffinity_task(struct task *t, struct task *p, const uint8_t *in)
{
	if (!check_same_owner(t, p) && !ns_capable(t, p->nsproxy, CAP_SYS_NICE))
		return -EPERM;
	int r = cap_safe_nice(t, p); /* security_task_setscheduler */
	if (r)
		return r;
	/* __sched_setaffinity: what the cpuset (cloneemu's own affinity)
	 * allows of the request. */
	uint8_t m[SCHED_CPUMASK_BYTES] = {0};
	bool any = false;
	for (unsigned i = 0; i < host.cpumask_size; i++) {
		m[i] = in[i] & host.allowed[i];
		any |= (m[i] & host.active[i]) != 0;
	}
	/* dl_task_check_affinity: a deadline task keeps the whole root domain. */
	if (dl_policy(p->sched.policy) && dl_bw_per_cpu() != UINT64_MAX && !has_root_span(m))
		return -EBUSY;
	if (!any)
		return -EINVAL;
	memcpy(p->sched.cpus_mask, m, sizeof(m));
	return 0;
}
