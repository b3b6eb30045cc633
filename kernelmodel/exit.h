/* Task exit and wait (kernel/exit.c). */
#ifndef KERNELMODEL_EXIT_H
#define KERNELMODEL_EXIT_H

#include <stdint.h>

struct task;

/* Wait-status encodings, as wait(2) reports them. */
#define WSTATUS_EXITED(code) (((code) & 0xff) << 8)
#define WSTATUS_SIGNALED(sig, core) ((sig) | ((core) ? 0x80 : 0))

/* The task stops running for good (xv6's exit, STYLE.md K4): CLEARTID is
 * written, a vfork parent released, mm/files/fs dropped, children handed to
 * the nearest subreaper or the modeled init, and the parent notified with
 * exit_signal. It becomes a zombie for its parent to reap, or is reaped at
 * once (parent is init, or ignores SIGCHLD). Must not run again. */
void do_exit(struct task *t, int status);
/* --trace: told of each task's exit and wait status (NULL: nobody listens). */
extern void (*exit_trace_hook)(struct task *t, int status);
/* The debugger: process @leader has exited (no thread left), before its
 * parent hears of it. NULL: nobody listens. */
extern void (*process_exit_hook)(struct task *leader);
/* execve's point of no return: CLEARTID written, a vfork parent released. */
void exec_mm_release(struct task *t);
/* execve in a thread group: other threads die; a non-leader takes over
 * the leader's pid (Linux's de_thread). */
void de_thread(struct task *t);
/* The wait status of process @t (group exit code or the leader's). */
int task_wait_status(const struct task *t);
/* exit_group: every task of the thread group exits with @status. */
void do_group_exit(struct task *t, int status);

/* What wait4/waitid ask for. */
struct wait_opts {
	int type;    /* P_ALL, P_PID, P_PGID */
	int id;
	int options; /* WNOHANG, WEXITED, WNOWAIT, __WCLONE, __WALL, __WNOTHREAD */
};

struct wait_result {
	int pid;      /* as the waiter's PID namespace numbers it */
	int status;   /* wait status */
	uint32_t uid; /* the child's real uid as the waiter sees it (waitid's si_uid) */
	struct task *task; /* the child (valid until the syscall returns): wait4's rusage */
};

/* Reap (or with WNOWAIT, look at) one eligible zombie child of @t.
 * Returns its pid with @res filled, 0 for WNOHANG with none ready,
 * -ECHILD when no child matches, or -EKBLOCK after putting @t to sleep. */
long do_wait(struct task *t, const struct wait_opts *wo, struct wait_result *res);

#endif
