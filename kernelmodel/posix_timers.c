/* POSIX timers after kernel/time/posix-timers.c. Each process (signal
 * struct) keeps a list of its timers with ids from 0. An expiry queues the
 * timer's signal (SI_TIMER, si_timerid, si_value) unless the previous one is
 * still pending: then it counts an overrun, reported in si_overrun when the
 * signal is dequeued and by timer_getoverrun afterwards. */
#include "kernelmodel/posix_timers.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/hrtimer.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define SIGEV_THREAD_ID_K 4
#define TIMER_ABSTIME_K 1
#define CPUCLOCK_PERTHREAD_MASK 4

struct k_itimer {
	struct hrtimer t;     /* wall/monotonic clocks (first: container_of) */
	int id;
	int clockid;
	bool cpu;             /* a CPU clock: cpu_expires instead of t */
	uint64_t cpu_expires; /* the clock's ns, 0: disarmed */
	uint64_t interval;
	struct k_sigevent ev;
	int tgid;             /* the owning process */
	struct signal_struct *sig;
	int overrun, overrun_last;
	bool sigq_pending;    /* its signal is queued, not yet dequeued */
	struct k_itimer *next;
};

static bool cpu_clock(int clockid)
{
	return clockid < 0 || clockid == CLOCK_PROCESS_CPUTIME_ID ||
	       clockid == CLOCK_THREAD_CPUTIME_ID;
}

static clockid_t base_clock(int clockid)
{
	return clockid == CLOCK_REALTIME_ALARM   ? CLOCK_REALTIME
	       : clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
						 : (clockid_t)clockid;
}

static struct k_itimer *find_timer(struct task *t, int id)
{
	for (struct k_itimer *k = t->signal->acct.posix_timers; k; k = k->next)
		if (k->id == id)
			return k;
	return NULL;
}

/* posix_timer_event: queue the signal, or count an overrun. */
static void timer_event(struct k_itimer *k, int expirations)
{
	if (k->ev.notify == SIGEV_NONE)
		return;
	if (k->sigq_pending) {
		k->overrun = k->overrun > INT_MAX - expirations ? INT_MAX : k->overrun + expirations;
		return;
	}
	struct task *target = task_find(k->ev.notify == SIGEV_THREAD_ID_K ? k->ev.tid : k->tgid);
	if (!target || !task_is_alive(target) ||
	    (k->ev.notify == SIGEV_THREAD_ID_K && target->tgid != k->tgid))
		return;
	k->overrun = expirations - 1;
	struct ksiginfo info = {.code = SI_TIMER, .pid = k->id, .value = k->ev.value};
	uint64_t before = target->sig_pending | target->signal->shared_pending;
	if (k->ev.notify == SIGEV_THREAD_ID_K)
		send_signal(target, k->ev.signo, &info);
	else
		send_group_signal(target, k->ev.signo, &info);
	uint64_t after = target->sig_pending | target->signal->shared_pending;
	/* Queued (not dropped as ignored, not merged into a pending one). */
	k->sigq_pending = (after & SIGBIT(k->ev.signo)) &&
			  (!(before & SIGBIT(k->ev.signo)) || k->ev.signo >= SIGRT_FIRST);
}

static void common_timer_fire(struct hrtimer *h, uint64_t now)
{
	struct k_itimer *k = (struct k_itimer *)h;
	int n = 1;
	if (k->interval) {
		uint64_t periods = (now - h->expires) / k->interval;
		n = periods >= INT_MAX ? INT_MAX : (int)periods + 1;
		hrtimer_start(h, h->expires + (uint64_t)n * k->interval);
	}
	timer_event(k, n);
}

long posix_timer_create(struct task *t, int clockid, const struct k_sigevent *ev, int *id)
{
	switch (clockid) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		break;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		if (!capable(t, CAP_WAKE_ALARM))
			return -EPERM;
		break;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP; /* clocks without timers */
	default: {
		if (clockid >= 0)
			return -EINVAL;
		uint64_t ns;
		if (cpu_clock_read(t, clockid, &ns))
			return -EINVAL;
	}
	}
	/* good_sigevent */
	switch (ev->notify) {
	case SIGEV_THREAD_ID_K: {
		struct task *rtn = task_find(pid_global(ev->tid, t->pid_ns));
		if (!rtn || rtn->tgid != t->tgid)
			return -EINVAL;
	}
		/* fallthrough */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev->signo <= 0 || ev->signo > NSIG_MODEL)
			return -EINVAL;
		break;
	case SIGEV_NONE:
		break;
	default:
		return -EINVAL;
	}
	struct signal_acct *a = &t->signal->acct;
	int n = 0;
	for (struct k_itimer *k = a->posix_timers; k; k = k->next)
		n++;
	rlim_t lim = t->signal->rlim[RLIMIT_SIGPENDING].rlim_cur;
	if ((rlim_t)n >= (lim < 65536 ? lim : 65536))
		return -EAGAIN; /* every timer holds a preallocated sigqueue */
	struct k_itimer *k = calloc(1, sizeof(*k));
	if (!k)
		return -EAGAIN;
	k->id = a->next_posix_timer_id++;
	if (a->next_posix_timer_id < 0)
		a->next_posix_timer_id = 0;
	while (find_timer(t, k->id))
		k->id++;
	k->clockid = clockid;
	k->cpu = cpu_clock(clockid);
	k->ev = *ev;
	if (k->ev.notify == SIGEV_THREAD_ID_K)
		k->ev.tid = pid_global(ev->tid, t->pid_ns);
	k->tgid = t->tgid;
	k->sig = t->signal;
	/* A thread CPU clock is the creating thread's (or the one named). */
	if (clockid == CLOCK_THREAD_CPUTIME_ID)
		k->clockid = (int)(~(unsigned)task_pid_nr_ns(t, t->pid_ns) << 3) | 2 | CPUCLOCK_PERTHREAD_MASK;
	k->t.function = common_timer_fire;
	k->next = a->posix_timers;
	a->posix_timers = k;
	*id = k->id;
	return 0;
}

static uint64_t cpu_now(struct task *t, const struct k_itimer *k)
{
	uint64_t ns = 0;
	if (cpu_clock_read(t, k->clockid, &ns))
		return 0;
	return ns;
}

/* The task whose clock a CPU timer follows (its process's leader or the thread). */
static struct task *cpu_timer_task(const struct k_itimer *k)
{
	return task_find(k->tgid);
}

static void timer_remaining(struct task *t, struct k_itimer *k, uint64_t *value)
{
	if (k->cpu) {
		uint64_t now = cpu_now(t, k);
		*value = !k->cpu_expires ? 0 : k->cpu_expires > now ? k->cpu_expires - now : 1;
	} else {
		uint64_t now = now_ns();
		*value = !k->t.queued ? 0 : k->t.expires > now ? k->t.expires - now : 1;
	}
}

static void disarm(struct k_itimer *k)
{
	hrtimer_cancel(&k->t);
	if (k->cpu && k->cpu_expires)
		k->sig->acct.nr_cpu_timers--;
	k->cpu_expires = 0;
}

long posix_timer_settime(struct task *t, int id, int flags, uint64_t value, uint64_t interval,
			 uint64_t *old_value, uint64_t *old_interval)
{
	struct k_itimer *k = find_timer(t, id);
	if (!k)
		return -EINVAL;
	timer_remaining(t, k, old_value);
	*old_interval = k->interval;
	disarm(k);
	k->interval = interval;
	k->overrun = 0;
	k->overrun_last = 0;
	if (!value)
		return 0;
	if (k->cpu) {
		uint64_t now = cpu_now(t, k);
		k->cpu_expires = (flags & TIMER_ABSTIME_K) ? value : now + value;
		if (!k->cpu_expires)
			k->cpu_expires = 1;
		k->sig->acct.nr_cpu_timers++;
		posix_cpu_timers_run(t); /* already due */
		return 0;
	}
	uint64_t expires;
	if (flags & TIMER_ABSTIME_K) {
		struct timespec ts;
		clock_read(base_clock(k->clockid), &ts);
		uint64_t cur = timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec), now = now_ns();
		expires = value >= cur ? deadline_after(value - cur)
					: cur - value < now ? now - (cur - value) : 1;
	} else {
		expires = deadline_after(value);
	}
	if (!expires)
		return 0; /* beyond KTIME_MAX: never */
	hrtimer_start(&k->t, expires);
	if (expires <= now_ns()) {
		hrtimer_cancel(&k->t);
		common_timer_fire(&k->t, now_ns());
	}
	return 0;
}

void posix_timer_set_value(struct task *t, int id, uint64_t value)
{
	struct k_itimer *k = find_timer(t, id);
	if (k)
		k->ev.value = value;
}

long posix_timer_gettime(struct task *t, int id, uint64_t *value, uint64_t *interval)
{
	struct k_itimer *k = find_timer(t, id);
	if (!k)
		return -EINVAL;
	timer_remaining(t, k, value);
	*interval = k->interval;
	return 0;
}

long posix_timer_getoverrun(struct task *t, int id)
{
	struct k_itimer *k = find_timer(t, id);
	return k ? k->overrun_last : -EINVAL;
}

static void timer_free(struct k_itimer *k)
{
	disarm(k);
	free(k);
}

long posix_timer_delete(struct task *t, int id)
{
	for (struct k_itimer **pp = &t->signal->acct.posix_timers; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct k_itimer *k = *pp;
			*pp = k->next;
			timer_free(k);
			return 0;
		}
	return -EINVAL;
}

void posix_timers_exec(struct task *t)
{
	struct signal_acct *a = &t->signal->acct;
	while (a->posix_timers) {
		struct k_itimer *k = a->posix_timers;
		a->posix_timers = k->next;
		timer_free(k);
	}
	a->next_posix_timer_id = 0;
}

void posix_timers_exit(struct task *t)
{
	if (t->signal->nr_live <= 1)
		posix_timers_exec(t);
}

void posixtimer_rearm(struct task *t, struct ksiginfo *info)
{
	for (struct k_itimer *k = t->signal->acct.posix_timers; k; k = k->next)
		if (k->id == info->pid && k->sigq_pending && k->ev.signo == info->signo) {
			k->sigq_pending = false;
			k->overrun_last = k->overrun;
			k->overrun = 0;
			info->uid = k->overrun_last;
			return;
		}
}

uint64_t posix_cpu_timers_blocks(const struct task *t)
{
	uint64_t n = 0;
	for (struct k_itimer *k = t->signal->acct.posix_timers; k; k = k->next) {
		if (!k->cpu || !k->cpu_expires)
			continue;
		struct task *p = cpu_timer_task(k);
		uint64_t now = p ? cpu_now(p, k) : 0;
		uint64_t b = k->cpu_expires > now ? (k->cpu_expires - now) / VCLOCK_BLOCK_NS + 1 : 1;
		if (!n || b < n)
			n = b;
	}
	return n;
}

void posix_cpu_timers_run(struct task *t)
{
	for (struct k_itimer *k = t->signal->acct.posix_timers; k; k = k->next) {
		if (!k->cpu || !k->cpu_expires)
			continue;
		uint64_t now = cpu_now(t, k);
		if (now < k->cpu_expires)
			continue;
		int n = 1;
		if (k->interval) {
			uint64_t periods = (now - k->cpu_expires) / k->interval;
			n = periods >= INT_MAX ? INT_MAX : (int)periods + 1;
			k->cpu_expires += (uint64_t)n * k->interval;
		} else {
			k->cpu_expires = 0;
			k->sig->acct.nr_cpu_timers--;
		}
		timer_event(k, n);
	}
}
