/* CPU-time accounting after kernel/sched/cputime.c, getrusage after
 * kernel/sys.c, and the process CPU timers of
 * kernel/time/posix-cpu-timers.c (check_process_timers,
 * check_cpu_itimer). See cputime.h for what the times are made of. */
#include "kernelmodel/cputime.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/posix_timers.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define NSEC_PER_SEC 1000000000ull
#define TICK_NSEC 4000000ull /* HZ 250, as Debian's kernels */
#define RUSAGE_BOTH (-2) /* the kernel's, for wait4 */

static bool cpu_timers_armed(const struct signal_struct *sig)
{
	return sig->acct.it_virt_expires || sig->acct.it_prof_expires || sig->acct.nr_cpu_timers ||
	       sig->rlim[RLIMIT_CPU].rlim_cur != RLIM_INFINITY;
}

void account_user_blocks(struct task *t, uint64_t blocks, bool preempted)
{
	if (!task_is_alive(t) || !t->signal)
		return;
	uint64_t ns = blocks * VCLOCK_BLOCK_NS;
	t->acct.utime += ns;
	t->signal->acct.utime += ns;
	if (preempted)
		t->acct.nivcsw++;
	if (cpu_timers_armed(t->signal))
		run_posix_cpu_timers(t);
}

void account_syscall(struct task *t)
{
	if (!t->signal)
		return;
	t->acct.stime += VCLOCK_SYSCALL_NS;
	t->signal->acct.stime += VCLOCK_SYSCALL_NS;
	if (cpu_timers_armed(t->signal)) {
		run_posix_cpu_timers(t);
		sched_count_blocks();
	} else if (t->signal->acct.cputime_wanted) {
		sched_count_blocks();
	}
}

void account_sleep(struct task *t)
{
	t->acct.nvcsw++;
}

void thread_group_cputime(const struct task *t, uint64_t *utime, uint64_t *stime)
{
	*utime = t->signal->acct.utime;
	*stime = t->signal->acct.stime;
}

static uint64_t rss_kb(const struct mm *mm)
{
	return mm ? mm_resident_pages(mm) * (PAGE_SIZE / 1024) : 0;
}

void acct_exit(struct task *t)
{
	struct signal_acct *a = &t->signal->acct;
	a->nvcsw += t->acct.nvcsw;
	a->nivcsw += t->acct.nivcsw;
	/* Resident pages are counted by a page-table walk: only when the
	 * last task using the mm goes (not at every thread's exit, which made
	 * 10,000 threads cost 10,000 walks of 10,000 stacks). */
	uint64_t rss = t->mm && t->mm->refcount == 1 ? rss_kb(t->mm) : 0;
	if (rss > a->maxrss_kb)
		a->maxrss_kb = rss;
	/* The process's last thread: its mm's faults are the group's. */
	if (t->mm && t->signal->nr_live <= 1)
		a->min_flt += t->mm->pages_copied;
	posix_timers_exit(t);
}

void acct_reap(struct task *parent, const struct task *child)
{
	if (!parent->signal || !child->signal)
		return;
	struct signal_acct *p = &parent->signal->acct;
	const struct signal_acct *c = &child->signal->acct;
	p->cutime += c->utime + c->cutime;
	p->cstime += c->stime + c->cstime;
	p->cnvcsw += c->nvcsw + c->cnvcsw;
	p->cnivcsw += c->nivcsw + c->cnivcsw;
	p->cmin_flt += c->min_flt + c->cmin_flt;
	uint64_t m = c->maxrss_kb > c->cmaxrss_kb ? c->maxrss_kb : c->cmaxrss_kb;
	if (m > p->cmaxrss_kb)
		p->cmaxrss_kb = m;
}

static void ns_to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (long)(ns % NSEC_PER_SEC / 1000);
}

void task_getrusage(const struct task *t, int who, struct rusage *r)
{
	memset(r, 0, sizeof(*r));
	t->signal->acct.cputime_wanted = true;
	const struct signal_acct *a = &t->signal->acct;
	uint64_t utime = 0, stime = 0, maxrss = 0;
	if (who == RUSAGE_THREAD) {
		utime = t->acct.utime;
		stime = t->acct.stime;
		r->ru_nvcsw = (long)t->acct.nvcsw;
		r->ru_nivcsw = (long)t->acct.nivcsw;
		r->ru_minflt = t->mm ? (long)t->mm->pages_copied : 0;
		maxrss = rss_kb(t->mm);
		goto out;
	}
	if (who == RUSAGE_CHILDREN || who == RUSAGE_BOTH) {
		utime = a->cutime;
		stime = a->cstime;
		r->ru_nvcsw = (long)a->cnvcsw;
		r->ru_nivcsw = (long)a->cnivcsw;
		r->ru_minflt = (long)a->cmin_flt;
		maxrss = a->cmaxrss_kb;
	}
	if (who == RUSAGE_SELF || who == RUSAGE_BOTH) {
		utime += a->utime;
		stime += a->stime;
		r->ru_nvcsw += (long)a->nvcsw;
		r->ru_nivcsw += (long)a->nivcsw;
		r->ru_minflt += (long)a->min_flt;
		bool mm_counted = false;
		for (struct task *p = task_next(NULL); p; p = task_next(p)) {
			if (p->tgid != t->tgid || !task_is_alive(p))
				continue;
			r->ru_nvcsw += (long)p->acct.nvcsw;
			r->ru_nivcsw += (long)p->acct.nivcsw;
			if (p->mm && !mm_counted) {
				mm_counted = true; /* the threads share it */
				r->ru_minflt += (long)p->mm->pages_copied;
				uint64_t rss = rss_kb(p->mm);
				if (rss > maxrss)
					maxrss = rss;
			}
		}
		if (a->maxrss_kb > maxrss)
			maxrss = a->maxrss_kb;
	}
out:
	ns_to_timeval(utime, &r->ru_utime);
	ns_to_timeval(stime, &r->ru_stime);
	r->ru_maxrss = (long)maxrss;
}

/* ---- process CPU timers ---- */

static uint64_t blocks_until(uint64_t now, uint64_t expires)
{
	if (!expires)
		return 0;
	return expires > now ? (expires - now) / VCLOCK_BLOCK_NS + 1 : 1;
}

static uint64_t min_nz(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

uint64_t cpu_timer_blocks(const struct task *running)
{
	if (!running || !running->signal)
		return 0;
	const struct signal_struct *sig = running->signal;
	uint64_t ut = sig->acct.utime, prof = ut + sig->acct.stime;
	/* (not SCHED_SLICE_ALONE: that one is not preemptible) */
	uint64_t n = sig->acct.cputime_wanted ? SCHED_SLICE_ALONE - 1 : 0;
	if (!cpu_timers_armed(sig))
		return n;
	n = min_nz(n, blocks_until(ut, sig->acct.it_virt_expires));
	n = min_nz(n, blocks_until(prof, sig->acct.it_prof_expires));
	rlim_t soft = sig->rlim[RLIMIT_CPU].rlim_cur;
	if (soft != RLIM_INFINITY)
		n = min_nz(n, blocks_until(prof, soft >= KTIME_MAX / NSEC_PER_SEC
							 ? KTIME_MAX
							 : soft * NSEC_PER_SEC));
	if (sig->acct.nr_cpu_timers)
		n = min_nz(n, posix_cpu_timers_blocks(running));
	return n;
}

/* check_cpu_itimer: fire, then re-arm by the interval or stop. */
static void check_cpu_itimer(struct task *t, uint64_t *expires, uint64_t incr, uint64_t cur,
			     int signo)
{
	if (!*expires || cur < *expires)
		return;
	*expires = incr ? *expires + incr : 0;
	struct ksiginfo info = {.code = SI_KERNEL};
	send_group_signal(t, signo, &info);
}

void run_posix_cpu_timers(struct task *t)
{
	struct signal_struct *sig = t->signal;
	uint64_t ut = sig->acct.utime, prof = ut + sig->acct.stime;
	check_cpu_itimer(t, &sig->acct.it_prof_expires, sig->acct.it_prof_incr, prof, SIGPROF);
	check_cpu_itimer(t, &sig->acct.it_virt_expires, sig->acct.it_virt_incr, ut, SIGVTALRM);
	rlim_t soft = sig->rlim[RLIMIT_CPU].rlim_cur, hard = sig->rlim[RLIMIT_CPU].rlim_max;
	if (soft != RLIM_INFINITY) {
		if (hard != RLIM_INFINITY && hard < KTIME_MAX / NSEC_PER_SEC &&
		    prof >= hard * NSEC_PER_SEC) {
			send_group_signal(t, SIGKILL, NULL);
			return;
		}
		if (soft < KTIME_MAX / NSEC_PER_SEC && prof >= soft * NSEC_PER_SEC) {
			/* At the soft limit, SIGXCPU every second (the soft
			 * limit itself moves on, as Linux's does). */
			struct ksiginfo info = {.code = SI_KERNEL};
			send_group_signal(t, SIGXCPU, &info);
			if (soft < hard)
				sig->rlim[RLIMIT_CPU].rlim_cur = soft + 1;
		}
	}
	if (sig->acct.nr_cpu_timers)
		posix_cpu_timers_run(t);
}

/* ---- CPU clocks (CPUCLOCK_* encoding of include/linux/posix-timers.h) ---- */

#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_WHICH(c) ((c) & 3)
#define CPUCLOCK_PID(c) (~((c) >> 3))

int cpu_clock_read(struct task *t, int clockid, uint64_t *ns)
{
	/* The two fixed ids are pid 0's (the caller's) sched clocks. */
	if (clockid == CLOCK_PROCESS_CPUTIME_ID)
		clockid = (int)(~0u << 3) | CPUCLOCK_SCHED;
	else if (clockid == CLOCK_THREAD_CPUTIME_ID)
		clockid = (int)(~0u << 3) | CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD_MASK;
	else if (clockid >= 0)
		return -EINVAL;
	if (CPUCLOCK_WHICH(clockid) == 3)
		return -EINVAL;
	struct task *p = t;
	int pid = CPUCLOCK_PID(clockid);
	bool thread = clockid & CPUCLOCK_PERTHREAD_MASK;
	t->signal->acct.cputime_wanted = true;
	if (pid) {
		p = task_find(pid_global(pid, t->pid_ns));
		if (!p)
			return -EINVAL;
		/* A thread clock of the caller's group; a process clock of a
		 * thread-group leader (lookup_task). */
		if (thread ? p->tgid != t->tgid : p->tid != p->tgid)
			return -EINVAL;
	}
	uint64_t ut, st;
	if (thread) {
		ut = p->acct.utime;
		st = p->acct.stime;
	} else {
		thread_group_cputime(p, &ut, &st);
	}
	*ns = CPUCLOCK_WHICH(clockid) == CPUCLOCK_VIRT ? ut : ut + st;
	return 0;
}

/* ---- ITIMER_VIRTUAL / ITIMER_PROF (get_cpu_itimer, set_cpu_itimer) ---- */

void cpu_itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval)
{
	struct signal_acct *a = &t->signal->acct;
	uint64_t cur = which == ITIMER_VIRTUAL ? a->utime : a->utime + a->stime;
	uint64_t exp = which == ITIMER_VIRTUAL ? a->it_virt_expires : a->it_prof_expires;
	*interval = which == ITIMER_VIRTUAL ? a->it_virt_incr : a->it_prof_incr;
	*value = !exp ? 0 : exp > cur ? exp - cur : TICK_NSEC; /* due: about to fire */
}

void cpu_itimer_set(struct task *t, int which, uint64_t value, uint64_t interval)
{
	struct signal_acct *a = &t->signal->acct;
	uint64_t cur = which == ITIMER_VIRTUAL ? a->utime : a->utime + a->stime;
	/* Linux adds a tick to a new value (set_cpu_itimer). */
	uint64_t exp = value ? cur + value + TICK_NSEC : 0;
	if (which == ITIMER_VIRTUAL) {
		a->it_virt_expires = exp;
		a->it_virt_incr = interval;
	} else {
		a->it_prof_expires = exp;
		a->it_prof_incr = interval;
	}
}
