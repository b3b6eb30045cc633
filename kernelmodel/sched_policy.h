/* A task's scheduling parameters and the rules that change them: nice
 * (kernel/sys.c setpriority/getpriority, set_user_nice, can_nice), the
 * policy with its real-time priority, SCHED_DEADLINE parameters and
 * reset-on-fork flag (kernel/sched/syscalls.c __sched_setscheduler,
 * kernel/sched/deadline.c __checkparam_dl and sched_dl_overflow), what
 * fork does with them (kernel/sched/core.c sched_fork) and the CPU affinity
 * mask (sched_setaffinity).
 *
 * Like Linux these are per thread and clone copies them. They are modeled,
 * not obeyed: cloneemu's deterministic scheduler (kernelmodel/sched.c)
 * gives every task the same slices whatever its nice value, policy or
 * affinity. They are what the syscalls, /proc/<pid>/stat and
 * /proc/<pid>/sched report, and what the permission checks look at.
 *
 * The machine's side (recorded for --replay) is read once at start-up by
 * sched_init_first_task: cloneemu's own nice value, policy, I/O priority and
 * CPU affinity (the first task's), the kernel's cpumask size and CPU count,
 * the SCHED_RR time slice, the fair time slice, the SCHED_DEADLINE period
 * limits and the real-time bandwidth that bounds SCHED_DEADLINE admission.
 * The kernel modeled has no CONFIG_UCLAMP_TASK (utilization clamps fail with
 * EOPNOTSUPP) and no SCHED_EXT. */
#ifndef KERNELMODEL_SCHED_POLICY_H
#define KERNELMODEL_SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* The uapi values (<linux/sched.h>, <linux/sched/types.h>), spelled out:
 * those headers clash with glibc's <sched.h> (struct sched_param). */
#ifndef SCHED_NORMAL
#define SCHED_NORMAL 0
#endif
#ifndef SCHED_FIFO
#define SCHED_FIFO 1
#define SCHED_RR 2
#endif
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define SCHED_EXT 7 /* sched_ext: not in the modeled kernel */
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#define SCHED_FLAG_UTIL_CLAMP (SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX)
#define SCHED_FLAG_ALL 0x7f
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56

/* struct sched_attr as sched_setattr/sched_getattr move it (VER1). */
struct ksched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

#define MIN_NICE (-20)
#define MAX_NICE 19
#define MAX_RT_PRIO 100
#define SCHED_FLAG_SUGOV 0x10000000 /* kernel-internal; refused from user space */
#define SCHED_DL_FLAGS (SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN)

/* Affinity masks hold this many CPUs; a kernel with a larger cpumask has
 * the excess treated as absent. */
#define SCHED_CPUMASK_BYTES 128

struct task_sched {
	int policy;           /* SCHED_NORMAL, FIFO, RR, BATCH, IDLE or DEADLINE */
	int nice;             /* -20..19 (static_prio); kept under RT and DL */
	int prio;             /* the kernel's prio (0..139, -1 for DL): what /proc shows */
	unsigned rt_priority; /* 1..99 under FIFO/RR, else 0 */
	bool reset_on_fork;   /* SCHED_RESET_ON_FORK */
	uint64_t slice;       /* the fair slice in ns (sched_attr's runtime for fair policies) */
	bool custom_slice;    /* set through sched_setattr */
	uint64_t dl_runtime, dl_deadline, dl_period; /* ns, under SCHED_DEADLINE */
	uint64_t dl_flags;    /* SCHED_DL_FLAGS the task asked for */
	uint8_t cpus_mask[SCHED_CPUMASK_BYTES]; /* CPUs it may run on */
};

/* The host's parameters for the first task @t: cloneemu's own nice,
 * policy, affinity and I/O priority (read once, recorded for --replay). */
void sched_init_first_task(struct task *t);
/* sched_fork and copy_io: the child @p gets @parent's parameters, except
 * that reset-on-fork sends a real-time or deadline parent's child back to
 * SCHED_NORMAL nice 0 (and a negative nice to 0), and a child without
 * CLONE_IO inherits only an explicitly set I/O priority. -EAGAIN for the
 * child of a SCHED_DEADLINE task (which cannot fork without
 * reset-on-fork), as Linux. */
int sched_fork(struct task *p, const struct task *parent);

/* task_nice (-20..19) and task_prio, /proc/<pid>/stat's priority field:
 * 0..39 for fair policies, -2..-100 for FIFO/RR, -101 for DEADLINE. (The
 * kernel's prio follows sched_setattr's sched_nice even where the policy
 * ignores it, SCHED_IDLE: /proc then shows that one.) */
static inline int task_nice(const struct task_sched *s)
{
	return s->nice;
}
static inline int task_prio(const struct task_sched *s)
{
	return s->prio - 100;
}

/* cap_safe_nice (security/commoncap.c, the setnice, setscheduler and
 * setioprio hooks): -EPERM when @p holds permitted capabilities @t does not
 * and @t lacks CAP_SYS_NICE over @p's user namespace; else 0. */
int cap_safe_nice(const struct task *t, const struct task *p);

/* getpriority(2)/setpriority(2) (kernel/sys.c) for @t: @which is
 * PRIO_PROCESS, PRIO_PGRP or PRIO_USER, @who 0 for the caller's own.
 * getpriority returns 20 - nice of the highest priority found (1..40, the
 * raw syscall value), -ESRCH, or -EINVAL. setpriority clamps @niceval to
 * -20..19; -EPERM when a target is another user's and @t lacks
 * CAP_SYS_NICE over it, -EACCES when lowering a nice value is beyond
 * RLIMIT_NICE without CAP_SYS_NICE, -ESRCH, -EINVAL. */
long sched_getpriority(struct task *t, int which, int who);
long sched_setpriority(struct task *t, int which, int who, int niceval);

/* __sched_setscheduler (user = true) of @t on @p. @attr->sched_policy is
 * -1 (as int) to keep the policy (sched_setparam, SCHED_FLAG_KEEP_POLICY);
 * @legacy: sched_setscheduler/sched_setparam, which keep the nice value
 * and a custom slice. 0 or -EINVAL, -EPERM, -EBUSY (no deadline
 * bandwidth), -EOPNOTSUPP (utilization clamps). */
int sched_setattr_task(struct task *t, struct task *p, struct ksched_attr *attr, bool legacy);
/* @p's parameters as sched_getattr reports them (size not set). */
void sched_getattr_task(const struct task *p, struct ksched_attr *attr);
/* The parameters the KEEP_PARAMS flag keeps (get_params). */
void sched_get_params(const struct task *p, struct ksched_attr *attr);
/* sched_rr_get_interval: @p's time slice in ns (0: infinite). */
uint64_t sched_rr_interval_ns(const struct task *p);

/* sched_get_priority_min/max of SCHED_EXT, which the kernel lists even
 * when it cannot run it (Linux 6.12): 0, or -EINVAL as older kernels. */
int sched_ext_priority(void);
/* The kernel's cpumask size in bytes (what sched_getaffinity returns,
 * at most SCHED_CPUMASK_BYTES) and nr_cpu_ids. */
unsigned sched_cpumask_size(void);
unsigned sched_nr_cpu_ids(void);
/* sched_getaffinity's mask of @p (cpus_mask & the active CPUs), in @mask
 * (sched_cpumask_size() bytes). */
void sched_getaffinity_task(const struct task *p, uint8_t *mask);
/* The CPU @p runs on (getcpu, RDTSCP's TSC_AUX): the first its affinity allows. */
unsigned task_cpu(const struct task *p);
/* sched_setaffinity of @t on @p with @mask (sched_cpumask_size() bytes):
 * -EPERM (another user's task without CAP_SYS_NICE), -EBUSY (a deadline
 * task must keep every CPU), -EINVAL (no usable CPU left), or 0. */
int sched_setaffinity_task(struct task *t, struct task *p, const uint8_t *mask);

#endif
