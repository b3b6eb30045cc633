/* POSIX interval timers (kernel/time/posix-timers.c and the per-process
 * CPU timers of posix-cpu-timers.c): timer_create and friends. A timer on
 * a wall or monotonic clock is an hrtimer; one on a CPU clock is checked
 * when its process accounts CPU time (kernelmodel/cputime.c). */
#ifndef KERNELMODEL_POSIX_TIMERS_H
#define KERNELMODEL_POSIX_TIMERS_H

#include <stdint.h>

struct task;
struct ksiginfo;

/* What timer_create asks for (struct sigevent, decoded). */
struct k_sigevent {
	uint64_t value;
	int signo, notify, tid;
};

/* timer_create: 0 with *@id, or -EINVAL/-EOPNOTSUPP/-EPERM/-EAGAIN. */
long posix_timer_create(struct task *t, int clockid, const struct k_sigevent *ev, int *id);
/* timer_create without a sigevent: the value is the timer's id. */
void posix_timer_set_value(struct task *t, int id, uint64_t value);
/* timer_settime (ns; @flags TIMER_ABSTIME): 0 or -EINVAL (no such timer). */
long posix_timer_settime(struct task *t, int id, int flags, uint64_t value, uint64_t interval,
			 uint64_t *old_value, uint64_t *old_interval);
long posix_timer_gettime(struct task *t, int id, uint64_t *value, uint64_t *interval);
long posix_timer_getoverrun(struct task *t, int id);
long posix_timer_delete(struct task *t, int id);
/* The group of @t stops (last thread exits) or execs: delete its timers. */
void posix_timers_exit(struct task *t);
void posix_timers_exec(struct task *t);
/* A SI_TIMER signal was dequeued: its timer may queue again; the
 * overrun count goes into @info (posixtimer_rearm). */
void posixtimer_rearm(struct task *t, struct ksiginfo *info);
/* CPU-clock timers of @t's group: blocks until the earliest is due
 * (0: none), and firing the due ones. */
uint64_t posix_cpu_timers_blocks(const struct task *t);
void posix_cpu_timers_run(struct task *t);

#endif
