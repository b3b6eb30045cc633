/* Signals: struct sighand (the handler table, shared by CLONE_SIGHAND),
 * struct signal_struct (what a thread group shares, CLONE_THREAD) and the
 * pending sets: thread-directed in the task, process-directed in the
 * signal_struct; real-time signals queue. get_signal() decides what a
 * pending signal does; the frames for handlers are built by the arch code
 * in syscalls/sys_signal.c. */
#ifndef KERNELMODEL_SIGNAL_H
#define KERNELMODEL_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "kernelmodel/cputime.h"
#include "kernelmodel/hrtimer.h"

#define RLIM_NLIMITS_MODEL 16

struct task;

#define NSIG_MODEL 64
#define SIGBIT(sig) (1ull << ((sig) - 1))

/* What a pending signal carries (the kernel's kernel_siginfo). */
struct ksiginfo {
	int signo, code;
	int pid, uid;    /* sender, or the child for SIGCHLD */
	int status;      /* SIGCHLD: exit code or signal */
	uint64_t utime, stime; /* SIGCHLD: the child's CPU times in clock ticks */
	uint64_t addr;   /* faults: the address */
	uint64_t value;  /* rt_sigqueueinfo / sigqueue payload */
};

/* Further instances of real-time signals (32..64) already pending, in
 * arrival order: standard signals do not queue, real-time ones do. */
struct rtqueue {
	struct ksiginfo *v;
	int n, cap;
};

#define SIGRT_FIRST 32

/* The x86_64 kernel's struct sigaction (rt_sigaction's argument). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct sighand {
	int refcount; /* one per task sharing the table */
	struct k_sigaction action[NSIG_MODEL];
};

/* struct signal_struct: what a thread group shares (CLONE_THREAD): the
 * process-wide resource limits, process group and session, the subreaper
 * mark, and the group exit status. */
struct signal_struct {
	int refcount; /* one per task of the thread group */
	int nr_live;  /* tasks of the group started and not yet exited */
	int pgid, sid;
	bool no_ctty;        /* TIOCNOTTY by a non-leader: no controlling terminal (tty.c) */
	bool child_subreaper;
	bool group_exit;     /* exit_group or a fatal signal is in progress */
	int group_exit_code; /* wait status for every thread */
	struct rlimit rlim[RLIM_NLIMITS_MODEL];
	short oom_score_adj, oom_score_adj_min; /* /proc/<pid>/oom_score_adj; fork copies them */
	bool group_stopped;  /* job control: the threads are stopped */
	int stop_signal;     /* what stopped them */
	int report;          /* for wait: REPORT_STOPPED / REPORT_CONTINUED pending */
	bool init_killable;  /* a fault cleared SIGNAL_UNKILLABLE (see below) */
	uint64_t shared_pending;   /* process-directed signals (kill) */
	struct ksiginfo shared_info[NSIG_MODEL];
	struct rtqueue shared_rtq;
	uint64_t it_real_deadline; /* ITIMER_REAL/alarm: host ns, 0 = off */
	uint64_t it_real_interval;
	struct hrtimer real_timer; /* fires it_real_deadline (Linux's sig->real_timer) */
	int real_timer_tgid;       /* the process it signals */
	struct signal_acct acct; /* CPU time, rusage, CPU timers, POSIX timers (cputime.h) */
};

#define REPORT_STOPPED 1
#define REPORT_CONTINUED 2

enum sig_default { SIG_DFL_TERM, SIG_DFL_CORE, SIG_DFL_IGN, SIG_DFL_STOP, SIG_DFL_CONT };

struct sighand *sighand_alloc(void);
struct sighand *sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);
struct sighand *sighand_dup(const struct sighand *sh);
/* execve: handlers become SIG_DFL; ignored signals stay ignored. */
void sighand_flush(struct sighand *sh);

/* Linux's SIGNAL_UNKILLABLE: @t belongs to the init of a PID namespace
 * the model created (until a fault it does not handle), which only takes
 * signals it has handlers for, plus SIGKILL and SIGSTOP from the kernel or
 * an ancestor namespace. */
bool signal_unkillable(const struct task *t);

struct signal_struct *signal_alloc(void);
struct signal_struct *signal_get(struct signal_struct *sig);
void signal_put(struct signal_struct *sig);
/* A new process's copy (refcount 1): limits, pgid and sid inherited. */
struct signal_struct *signal_dup(const struct signal_struct *sig);

enum sig_default sig_default_action(int sig);
/* Mark @sig pending for @t with @info (NULL: sent by the kernel) and wake
 * it if it sleeps and does not block @sig; it acts on it before running
 * guest code again. Standard signals do not queue: a second instance while
 * one is pending is dropped, as on Linux. 0 or -EINVAL. */
int send_signal(struct task *t, int sig, const struct ksiginfo *info);
static inline int signal_send(struct task *t, int sig)
{
	return send_signal(t, sig, NULL);
}
/* A process-directed signal (kill, SIGCHLD, alarm): pending for the whole
 * thread group of @p; a thread that does not block it is woken to take it. */
int send_group_signal(struct task *p, int sig, const struct ksiginfo *info);
/* check_kill_permission (kernel/signal.c) for a signal a user sends (kill,
 * tkill, sigqueue, pidfd_send_signal): 0 within the thread group or when
 * the credentials allow it (kill_ok_by_cred), also for SIGCONT within the
 * session; -EPERM otherwise. */
int check_kill_permission(const struct task *sender, const struct task *p, int sig);
/* Take pending signal @sig (thread-directed, or @shared) into @out: the
 * pending bit stays while further real-time instances are queued. */
void signal_take(struct task *t, bool shared, int sig, struct ksiginfo *out);
/* Drop every pending instance of @sig (it became ignored). */
void signal_flush(struct task *t, int sig);

/* A fault the task caused: delivered even if blocked or ignored (then
 * with the default action), as Linux's force_sig_fault. */
void force_sig_fault(struct task *t, int sig, int code, uint64_t addr);
/* Is a signal pending that @t would act on now? */
bool signal_pending(const struct task *t);
/* Is SIGKILL pending for @t (or its group)? */
bool fatal_signal_pending(const struct task *t);

enum get_signal_result { SIGNAL_NONE, SIGNAL_HANDLER, SIGNAL_KILLED, SIGNAL_STOPPED };
/* Linux's get_signal: take the next pending, unblocked signal. Ignored ones
 * are dropped; a default action that terminates makes the thread group
 * exit (SIGNAL_KILLED); one with a handler is returned with its action
 * (SA_RESETHAND already applied) for the caller to build a frame. */
enum get_signal_result get_signal(struct task *t, struct ksiginfo *info, struct k_sigaction *ka);
/* --trace: told of each signal get_signal takes, and of each one dropped
 * because it is ignored (@dropped). NULL: nobody listens. */
extern void (*signal_trace_hook)(struct task *t, const struct ksiginfo *info, bool dropped);
/* --timeline: @t stopped by job control (@sig), or continued (@sig 0). */
extern void (*signal_stop_hook)(struct task *t, int sig);

/* The debugger (gdb): told of each signal get_signal takes but SIGKILL,
 * before its action; returns the signal to act on instead (0: discard it),
 * as a ptrace signal-delivery-stop. NULL: nobody listens. */
extern int (*signal_debug_hook)(struct task *t, int sig);

/* Fire expired timers (ITIMER_REAL's SIGALRM, timerfds, POSIX timers) at
 * host time @now. */
void signal_run_timers(uint64_t now);
/* The earliest armed timer's deadline, 0 if none. */
uint64_t signal_next_timer(void);
/* Arm (@deadline != 0) or disarm @t's process's ITIMER_REAL/alarm: an
 * hrtimer, so the scheduler's tick costs nothing per process (it scanned
 * every task, which made 4,000 zombies of stress-ng --clone quadratic). */
void signal_real_timer_set(struct task *t, uint64_t deadline, uint64_t interval);

#endif
