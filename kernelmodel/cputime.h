/* Deterministic CPU-time accounting (kernel/sched/cputime.c) and the
 * resource usage built on it (getrusage, wait4, times, /proc/<pid>/stat),
 * plus the timers that run on CPU time (kernel/time/posix-cpu-timers.c):
 * ITIMER_VIRTUAL, ITIMER_PROF, RLIMIT_CPU and CPU-clock POSIX timers.
 *
 * User time is guest work: every basic block a task executes in a counted
 * slice costs VCLOCK_BLOCK_NS, the rate at which it advances the virtual
 * clock; system time is VCLOCK_SYSCALL_NS per syscall. So the same run
 * accounts the same times, whatever the host's speed. */
#ifndef KERNELMODEL_CPUTIME_H
#define KERNELMODEL_CPUTIME_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct rusage;
struct k_itimer;

/* Per thread (in struct task). */
struct task_acct {
	uint64_t utime, stime; /* ns */
	uint64_t nvcsw, nivcsw;
};

/* Per thread group (in struct signal_struct). */
struct signal_acct {
	/* Threads that have exited (__exit_signal). */
	uint64_t utime, stime, nvcsw, nivcsw;
	uint64_t min_flt, maxrss_kb; /* the process's mm at exit and the peak seen */
	/* Reaped children and their reaped children (wait_task_zombie). */
	uint64_t cutime, cstime, cnvcsw, cnivcsw, cmin_flt, cmaxrss_kb;
	/* ITIMER_VIRTUAL / ITIMER_PROF: group CPU time (ns) at which they
	 * fire, 0 = off; the interval. */
	uint64_t it_virt_expires, it_virt_incr, it_prof_expires, it_prof_incr;
	/* POSIX timers of the process (kernelmodel/posix_timers.c). */
	struct k_itimer *posix_timers;
	int next_posix_timer_id;
	int nr_cpu_timers; /* armed CPU-clock POSIX timers: slices stop at them */
	/* The process read a CPU clock or its rusage: its work is counted
	 * from now on even when it runs alone (the block hook stays). */
	bool cputime_wanted;
};

/* The slice just run executed @blocks basic blocks for @t; @preempted
 * when it ended by preemption (an involuntary switch). */
void account_user_blocks(struct task *t, uint64_t blocks, bool preempted);
/* One syscall of @t. */
void account_syscall(struct task *t);
/* @t went to sleep (a voluntary switch). */
void account_sleep(struct task *t);
/* The group's CPU time: exited threads plus live ones. */
void thread_group_cputime(const struct task *t, uint64_t *utime, uint64_t *stime);
/* do_exit: fold @t's times into its group; the mm's figures when it is
 * the last user of them (call before the mm is dropped). */
void acct_exit(struct task *t);
/* wait_task_zombie: @parent reaps @child; its group's and its children's
 * usage go to @parent's group. */
void acct_reap(struct task *parent, const struct task *child);
/* getrusage: RUSAGE_SELF (0), RUSAGE_CHILDREN (-1), RUSAGE_THREAD (1),
 * RUSAGE_BOTH (-2, what wait4 reports for a child). */
void task_getrusage(const struct task *t, int who, struct rusage *ru);
/* Blocks @running may execute before one of its group's CPU timers is
 * due (at least 1), or a long slice if its CPU time is wanted; 0 when its
 * work need not be counted. */
uint64_t cpu_timer_blocks(const struct task *running);
/* Fire the CPU timers of @t's group that are due. */
void run_posix_cpu_timers(struct task *t);
/* getitimer/setitimer of ITIMER_VIRTUAL or ITIMER_PROF (ns). */
void cpu_itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval);
void cpu_itimer_set(struct task *t, int which, uint64_t value, uint64_t interval);
/* A CPU clock's reading for clock_gettime: @clockid a CPU clock id (the
 * two CLOCK_*_CPUTIME_ID or a clock_getcpuclockid one). 0 or -EINVAL. */
int cpu_clock_read(struct task *t, int clockid, uint64_t *ns);

#endif
