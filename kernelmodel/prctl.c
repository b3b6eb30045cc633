/* prctl(2)'s per-task settings and personality(2) (prctl.h). */
#include "kernelmodel/prctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <linux/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/task.h"

#ifndef PR_SET_IO_FLUSHER
#define PR_SET_IO_FLUSHER 57
#define PR_GET_IO_FLUSHER 58
#endif
#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif
#define PRCTL_MM_MAP_SIZE 104 /* sizeof(struct prctl_mm_map) */

void prctl_init_first_task(struct task *t)
{
	uint64_t host[2] = {0, 50000};
	if (!rr_replaying) {
		host[0] = (uint32_t)personality(0xffffffff);
		long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
		if (slack > 0)
			host[1] = (uint64_t)slack;
	}
	rr_bytes(host, sizeof(host));
	t->personality = (unsigned)host[0];
	t->timer_slack_ns = t->default_timer_slack_ns = host[1];
}

void prctl_fork(struct task *p, const struct task *parent)
{
	p->personality = parent->personality;
	p->timer_slack_ns = parent->timer_slack_ns;
	p->default_timer_slack_ns = parent->timer_slack_ns;
	p->mce_process = parent->mce_process;
	p->mce_early = parent->mce_early;
	p->io_flusher = parent->io_flusher;
	p->tsc_sigsegv = parent->tsc_sigsegv; /* thread flags are copied; exec keeps TIF_NOTSC */
}

void prctl_exec(struct task *t, bool secure)
{
	t->personality &= ~READ_IMPLIES_EXEC; /* set_personality_64bit */
	if (secure)
		t->personality &= ~PER_CLEAR_ON_SETID;
}

long task_personality(struct task *t, uint32_t persona)
{
	unsigned old = t->personality;
	if (persona != 0xffffffff)
		t->personality = persona;
	return old;
}

void uname26_release(char *release, size_t len)
{
	char buf[65];
	const char *rest = release;
	unsigned patchlevel = 0;
	int ndots = 0;
	/* Skip "X.Y.Z": the version's digits and dots, at most three dots. */
	while (*rest) {
		if (*rest == '.' && ++ndots >= 3)
			break;
		if (!isdigit((unsigned char)*rest) && *rest != '.')
			break;
		if (ndots == 1 && isdigit((unsigned char)*rest))
			patchlevel = patchlevel * 10 + (unsigned)(*rest - '0');
		rest++;
	}
	snprintf(buf, sizeof(buf), "2.6.%u%s", patchlevel + 60, rest);
	snprintf(release, len, "%s", buf);
}

static bool rt_or_dl(const struct task *t)
{
	int p = t->sched.policy;
	return p == SCHED_FIFO || p == SCHED_RR || p == 6 /* SCHED_DEADLINE */;
}

/* prctl_set_mm: only PR_SET_MM_MAP_SIZE; changing the mm's fields is not
 * modeled (EINVAL, README). */
static long set_mm(struct task *t, uint64_t opt, uint64_t addr)
{
	if (opt == PR_SET_MM_MAP_SIZE) {
		uint32_t size = PRCTL_MM_MAP_SIZE;
		return copy_to_guest(t->mm, addr, &size, sizeof(size)) ? -EFAULT : 0;
	}
	if (opt == PR_SET_MM_MAP)
		return -EINVAL;
	if (!capable(t, CAP_SYS_RESOURCE))
		return -EPERM;
	return -EINVAL;
}

long task_prctl(struct task *t, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
		uint64_t arg5)
{
	int v;
	switch (option) {
	case PR_GET_DUMPABLE:
		return t->mm->dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 != 0 && arg2 != 1) /* SUID_DUMP_DISABLE, SUID_DUMP_USER */
			return -EINVAL;
		t->mm->dumpable = (int)arg2;
		return 0;
	case PR_GET_TIMING:
		return PR_TIMING_STATISTICAL;
	case PR_SET_TIMING:
		return arg2 != PR_TIMING_STATISTICAL ? -EINVAL : 0;
	case PR_GET_TSC: /* get_tsc_mode */
		v = t->tsc_sigsegv ? PR_TSC_SIGSEGV : PR_TSC_ENABLE;
		return copy_to_guest(t->mm, arg2, &v, sizeof(v)) ? -EFAULT : 0;
	case PR_SET_TSC: /* set_tsc_mode: TIF_NOTSC, RDTSC/RDTSCP raise SIGSEGV (emu/cpu.c) */
		if (arg2 != PR_TSC_ENABLE && arg2 != PR_TSC_SIGSEGV)
			return -EINVAL;
		t->tsc_sigsegv = arg2 == PR_TSC_SIGSEGV;
		return 0;
	case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE:
		return 0; /* the model has no perf events to switch */
	case PR_GET_TIMERSLACK:
		return (long)t->timer_slack_ns;
	case PR_SET_TIMERSLACK:
		if (rt_or_dl(t))
			return 0; /* real-time tasks keep no slack */
		t->timer_slack_ns = arg2 ? arg2 : t->default_timer_slack_ns;
		return 0;
	case PR_MCE_KILL:
		if (arg4 | arg5)
			return -EINVAL;
		switch (arg2) {
		case PR_MCE_KILL_CLEAR:
			if (arg3)
				return -EINVAL;
			t->mce_process = false;
			return 0;
		case PR_MCE_KILL_SET:
			if (arg3 == PR_MCE_KILL_EARLY) {
				t->mce_process = t->mce_early = true;
			} else if (arg3 == PR_MCE_KILL_LATE) {
				t->mce_process = true;
				t->mce_early = false;
			} else if (arg3 == PR_MCE_KILL_DEFAULT) {
				t->mce_process = t->mce_early = false;
			} else {
				return -EINVAL;
			}
			return 0;
		default:
			return -EINVAL;
		}
	case PR_MCE_KILL_GET:
		if (arg2 | arg3 | arg4 | arg5)
			return -EINVAL;
		if (!t->mce_process)
			return PR_MCE_KILL_DEFAULT;
		return t->mce_early ? PR_MCE_KILL_EARLY : PR_MCE_KILL_LATE;
	case PR_SET_MM:
		return set_mm(t, arg2, arg3);
	case PR_GET_TID_ADDRESS:
		return put_guest(t->mm, arg2, &t->clear_child_tid, sizeof(t->clear_child_tid))
			       ? -EFAULT
			       : 0;
	case PR_GET_THP_DISABLE:
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->mm->thp_disable;
	case PR_SET_THP_DISABLE:
		if (arg4 || arg5)
			return -EINVAL;
		if (arg2) {
			if (arg3 & ~(uint64_t)PR_THP_DISABLE_EXCEPT_ADVISED)
				return -EINVAL;
			t->mm->thp_disable = 1 | (int)arg3;
		} else {
			if (arg3)
				return -EINVAL;
			t->mm->thp_disable = 0;
		}
		return 0;
	case PR_SET_IO_FLUSHER:
		if (!capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		if (arg3 || arg4 || arg5 || arg2 > 1)
			return -EINVAL;
		t->io_flusher = arg2 == 1;
		return 0;
	case PR_GET_IO_FLUSHER:
		if (!capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		return t->io_flusher;
	default:
		return -ENOSYS;
	}
}
