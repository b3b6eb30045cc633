/* Priorities and scheduling policies: getpriority/setpriority, the sched_*
 * family, affinity, ioprio_get/ioprio_set. These decode, copy and check
 * the argument order of kernel/sys.c, kernel/sched/syscalls.c and
 * block/ioprio.c; the rules live in kernelmodel/sched_policy.c and
 * kernelmodel/ioprio.c. */
#include <string.h>

#include "kernelmodel/ioprio.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched_policy.h"
#include "syscalls/sys.h"

#define PAGE_SIZE_GUEST 4096

/* find_process_by_pid: 0 is the caller; a thread id names that thread. */
static struct task *find_process_by_pid(struct task *t, int pid)
{
	return pid ? find_task_by_pid_ns(pid, t->pid_ns) : t;
}

SYS(getpriority)
{
	return sched_getpriority(t, (int)a[0], (int)a[1]);
}

SYS(setpriority)
{
	return sched_setpriority(t, (int)a[0], (int)a[1], (int)a[2]);
}

/* do_sched_setscheduler: policy -1 is sched_setparam's "keep it". */
static long do_sched_setscheduler(struct task *t, int pid, int policy, uint64_t gparam)
{
	int prio;
	if (!gparam || pid < 0)
		return -EINVAL;
	if (copy_from_guest(t->mm, &prio, gparam, sizeof(prio)))
		return -EFAULT;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	struct ksched_attr attr = {.sched_policy = (uint32_t)policy, .sched_priority = (uint32_t)prio};
	return sched_setattr_task(t, p, &attr, true);
}

SYS(sched_setscheduler)
{
	if ((int)a[1] < 0)
		return -EINVAL;
	return do_sched_setscheduler(t, (int)a[0], (int)a[1], a[2]);
}

SYS(sched_setparam)
{
	return do_sched_setscheduler(t, (int)a[0], -1, a[1]);
}

SYS(sched_getscheduler)
{
	int pid = (int)a[0];
	if (pid < 0)
		return -EINVAL;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	return p->sched.policy | (p->sched.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYS(sched_getparam)
{
	int pid = (int)a[0];
	if (!a[1] || pid < 0)
		return -EINVAL;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	int prio = p->sched.policy == SCHED_FIFO || p->sched.policy == SCHED_RR
			   ? (int)p->sched.rt_priority
			   : 0;
	return copy_to_guest(t->mm, a[1], &prio, sizeof(prio)) ? -EFAULT : 0;
}

/* sched_copy_attr (after perf_copy_attr): a size of 0 is VER0; a size the
 * kernel cannot take gets its own size written back and E2BIG, as does a
 * larger struct whose extra bytes are not zero (copy_struct_from_user). */
static long sched_copy_attr(struct task *t, uint64_t uattr, struct ksched_attr *attr)
{
	uint32_t size;
	memset(attr, 0, sizeof(*attr));
	if (copy_from_guest(t->mm, &size, uattr, sizeof(size)))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE_GUEST)
		goto err_size;
	if (size > sizeof(*attr)) {
		uint8_t rest[PAGE_SIZE_GUEST];
		size_t n = size - sizeof(*attr);
		if (copy_from_guest(t->mm, rest, uattr + sizeof(*attr), n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (rest[i])
				goto err_size;
	}
	if (copy_from_guest(t->mm, attr, uattr,
			    size < sizeof(*attr) ? size : sizeof(*attr)))
		return -EFAULT;
	if ((attr->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	/* Out-of-range nice values are clamped, as the older syscalls do. */
	if (attr->sched_nice < MIN_NICE)
		attr->sched_nice = MIN_NICE;
	if (attr->sched_nice > MAX_NICE)
		attr->sched_nice = MAX_NICE;
	return 0;
err_size:
	size = sizeof(*attr);
	copy_to_guest(t->mm, uattr, &size, sizeof(size)); /* put_user, result ignored */
	return -E2BIG;
}

SYS(sched_setattr)
{
	int pid = (int)a[0];
	struct ksched_attr attr;
	if (!a[1] || pid < 0 || (unsigned)a[2])
		return -EINVAL;
	long r = sched_copy_attr(t, a[1], &attr);
	if (r)
		return r;
	if ((int)attr.sched_policy < 0)
		return -EINVAL;
	if (attr.sched_flags & SCHED_FLAG_KEEP_POLICY)
		attr.sched_policy = (uint32_t)-1;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	if (attr.sched_flags & SCHED_FLAG_KEEP_PARAMS)
		sched_get_params(p, &attr);
	return sched_setattr_task(t, p, &attr, false);
}

/* The kernel's struct may be larger or smaller than the caller's: the
 * common part is copied, the rest of a larger one zeroed, and size says
 * how much the kernel knows. */
SYS(sched_getattr)
{
	int pid = (int)a[0];
	unsigned usize = (unsigned)a[2];
	if (!a[1] || pid < 0 || usize > PAGE_SIZE_GUEST || usize < SCHED_ATTR_SIZE_VER0 ||
	    (unsigned)a[3])
		return -EINVAL;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	struct ksched_attr k;
	sched_getattr_task(p, &k);
	k.size = usize < sizeof(k) ? usize : (uint32_t)sizeof(k);
	/* copy_struct_to_user: a larger struct's tail is cleared. */
	if (usize > sizeof(k)) {
		uint8_t zero[PAGE_SIZE_GUEST] = {0};
		if (copy_to_guest(t->mm, a[1] + sizeof(k), zero, usize - sizeof(k)))
			return -EFAULT;
	}
	return copy_to_guest(t->mm, a[1], &k, k.size) ? -EFAULT : 0;
}

SYS(sched_get_priority_max)
{
	switch ((int)a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return MAX_RT_PRIO - 1;
	case SCHED_DEADLINE:
	case SCHED_NORMAL:
	case SCHED_BATCH:
	case SCHED_IDLE:
		return 0;
	case SCHED_EXT:
		return sched_ext_priority();
	default:
		return -EINVAL;
	}
}

SYS(sched_get_priority_min)
{
	switch ((int)a[0]) {
	case SCHED_FIFO:
	case SCHED_RR:
		return 1;
	case SCHED_DEADLINE:
	case SCHED_NORMAL:
	case SCHED_BATCH:
	case SCHED_IDLE:
		return 0;
	case SCHED_EXT:
		return sched_ext_priority();
	default:
		return -EINVAL;
	}
}

SYS(sched_rr_get_interval)
{
	int pid = (int)a[0];
	if (pid < 0)
		return -EINVAL;
	struct task *p = find_process_by_pid(t, pid);
	if (!p)
		return -ESRCH;
	uint64_t ns = sched_rr_interval_ns(p);
	int64_t ts[2] = {(int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000)};
	return copy_to_guest(t->mm, a[1], ts, sizeof(ts)) ? -EFAULT : 0;
}

/* get_user_cpu_mask: a shorter mask is zero-extended, a longer one cut to
 * the kernel's cpumask size. */
SYS(sched_setaffinity)
{
	uint8_t mask[SCHED_CPUMASK_BYTES] = {0};
	unsigned len = (unsigned)a[1], size = sched_cpumask_size();
	if (len > size)
		len = size;
	if (copy_from_guest(t->mm, mask, a[2], len))
		return -EFAULT;
	struct task *p = find_process_by_pid(t, (int)a[0]);
	if (!p)
		return -ESRCH;
	return sched_setaffinity_task(t, p, mask);
}

/* The buffer must hold nr_cpu_ids bits and be a whole number of longs;
 * the kernel's cpumask size (at most) is copied and returned. */
SYS(sched_getaffinity)
{
	unsigned len = (unsigned)a[1];
	if (len * 8u < sched_nr_cpu_ids())
		return -EINVAL;
	if (len & (sizeof(long) - 1))
		return -EINVAL;
	struct task *p = find_process_by_pid(t, (int)a[0]);
	if (!p)
		return -ESRCH;
	uint8_t mask[SCHED_CPUMASK_BYTES];
	sched_getaffinity_task(p, mask);
	unsigned n = len < sched_cpumask_size() ? len : sched_cpumask_size();
	return copy_to_guest(t->mm, a[2], mask, n) ? -EFAULT : (long)n;
}

/* Every task gets its slices from the deterministic scheduler; yielding
 * changes nothing there. */
SYS(sched_yield)
{
	return 0;
}

SYS(ioprio_set)
{
	return ioprio_set(t, (int)a[0], (int)a[1], (int)a[2]);
}

SYS(ioprio_get)
{
	return ioprio_get(t, (int)a[0], (int)a[1]);
}
