/* struct task: one schedulable guest thread (Linux task_struct). The
 * objects it points to are reference counted and shared or copied on clone
 * according to the clone flags (kernelmodel/fork.c). */
#ifndef KERNELMODEL_TASK_H
#define KERNELMODEL_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <poll.h>
#include <sys/resource.h>

#include "kernelmodel/futex.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"

struct files;
struct fs;
struct nsproxy;
struct pid_namespace;
struct sighand;
struct signal_struct;
struct cpu_context; /* owned by emu/: saved registers while not running */
struct cred;
struct sem_undo_list;

enum task_state {
	TASK_RUNNING,       /* runnable or running */
	TASK_INTERRUPTIBLE, /* asleep on wait_chan, a deadline or a host fd */
	TASK_STOPPED,       /* job control: stopped until SIGCONT or SIGKILL */
	TASK_ZOMBIE,        /* exited, not yet reaped */
	TASK_DEAD,          /* reaped: leaves the task list */
};

#define TASK_COMM_LEN 16

struct task {
	int refcount;

	/* Identity. */
	int tid, tgid;     /* in the initial PID namespace: the model's identity */
	struct pid_namespace *pid_ns; /* where its pid lives (task_active_pid_ns) */
	int *nr;           /* its number at each level 0..pid_ns->level */
	struct task *parent; /* gets exit_signal and reaps; NULL: the modeled init */
	/* Linux's children/sibling lists: the tasks whose ->parent is this
	 * one, in the order they got it. Change ->parent only through
	 * task_set_parent(), which keeps them. */
	struct task *children_first, *children_last, *sibling_prev, *sibling_next;
	int exit_signal;     /* sent to the parent at exit (clone's low byte) */
	int pdeath_signal;   /* PR_SET_PDEATHSIG */
	bool did_exec;       /* setpgid on a child that exec'd: EACCES */
	bool no_new_privs;   /* PR_SET_NO_NEW_PRIVS: inherited, never cleared */
	bool vfork_pending; /* our parent sleeps in vfork until we exec or exit */
	char comm[TASK_COMM_LEN];
	char *exe; /* absolute host path of the running image, /proc/<pid>/exe */

	/* Shared via CLONE_VM. */
	struct mm *mm;
	/* Shared via CLONE_FILES. */
	struct files *files;
	/* Shared via CLONE_FS. */
	struct fs *fs;
	/* Shared via CLONE_SIGHAND. */
	struct sighand *sighand;
	/* Shared unless a CLONE_NEW* flag copies it. */
	struct nsproxy *nsproxy;
	/* Shared via CLONE_SYSVSEM: SEM_UNDO adjustments (ipc/sem.c). */
	struct sem_undo_list *sysvsem_undo;
	/* Shared by clone and fork; a change installs a new one in this task
	 * only (kernelmodel/cred.c). */
	struct cred *cred;

	/* Per-thread. */
	enum task_state state;
	const void *wait_chan;  /* what the task sleeps on (sleep_on/wake_up) */
	const char *wait_why;   /* for reports: "wait4", "pipe read", ... */
	uint64_t wake_at_ns;    /* host CLOCK_MONOTONIC deadline, 0: none */
	size_t sched_idx;       /* its place in the scheduler's task list */
	int64_t chaos_prio;     /* --chaos: its PCT priority (sched_chaos.c) */
	/* --chaos: the store half of a read-modify-write split by a preemption,
	 * made when the task runs again (emu/chaos.c); size 0: none. */
	uint64_t chaos_store_addr, chaos_store_val;
	int chaos_store_size;
	bool in_sleepers;       /* on the scheduler's list of timed/host sleepers */
	/* Host descriptors whose readiness ends the sleep (nhostfds 0: none);
	 * hostfds points at host_one or at an array owned by a poll call. */
	struct pollfd *hostfds;
	int nhostfds;
	struct pollfd host_one;
	struct pollfd *poll_host; /* poll/select's host descriptors (owned) */
	/* A blocked syscall re-executes when the task wakes; these carry its
	 * progress from one attempt to the next (cleared when it completes). */
	bool restarting;
	bool sig_interrupted; /* its sleep was ended by a signal: deliver it */
	uint64_t restart_deadline;
	uint64_t restart_done;
	struct task *restart_child;
	bool trace_resumed; /* --trace: this call went to sleep (entry printed) */
	long trace_nr;          /* --trace: the call in progress, */
	uint64_t trace_a[6];    /* its arguments */
	uint32_t trace_len;     /* an in/out length it was given (socklen) */
	uint64_t trace_entry_ns; /* --trace/--summary: when it was entered */
	/* futex waits (kernelmodel/futex.c): futex_q for futex(2), futex_qv
	 * (futex_nqv entries, owned) for futex_waitv; futex_woken is the
	 * index + 1 of the entry that was woken (0: none). */
	struct futex_q futex_q;
	struct futex_q *futex_qv;
	unsigned int futex_nqv;
	int futex_woken;
	int exit_status;        /* wait status: (code << 8) or the fatal signal */
	gva_t clear_child_tid;  /* set_tid_address / CLONE_CHILD_CLEARTID */
	gva_t robust_list;
	uint64_t robust_len;
	struct cpu_context *cpu;
	uint64_t sig_blocked;   /* rt_sigprocmask */
	uint64_t sig_pending;   /* thread-directed pending signals */
	struct ksiginfo sig_info[64]; /* what each pending signal carries */
	struct rtqueue sig_rtq;       /* further real-time instances */
	uint64_t sigwait_set;   /* rt_sigtimedwait: these wake the task though blocked */
	uint64_t saved_sigmask; /* rt_sigsuspend: restored once a handler frame is built */
	bool restore_sigmask;
	bool wait_killable;     /* asleep where only SIGKILL interrupts (vfork) */
	uint64_t fault_err;     /* page-fault error code for the SIGSEGV frame */
	/* Nice value, policy, affinity (kernelmodel/sched_policy.c) and I/O
	 * priority (kernelmodel/ioprio.c): per thread, copied by clone. */
	struct task_sched sched;
	uint16_t ioprio;
	/* prctl and personality state (kernel/sys.c, kernel/exec_domain.c):
	 * per thread, copied by clone (kernelmodel/prctl.c). */
	unsigned personality;
	uint64_t timer_slack_ns, default_timer_slack_ns;
	bool mce_process, mce_early; /* PR_MCE_KILL: PF_MCE_PROCESS, PF_MCE_EARLY */
	bool io_flusher;             /* PR_SET_IO_FLUSHER */
	bool tsc_sigsegv;            /* PR_SET_TSC PR_TSC_SIGSEGV (TIF_NOTSC) */
	/* A FIFO open waiting for its partner (fifo_open): the file, and the
	 * partner's open count it waits to see change. */
	struct file *fifo_opening;
	unsigned fifo_counter;
	gva_t sas_ss_sp;        /* sigaltstack */
	uint64_t sas_ss_size;
	int sas_ss_flags;

	struct task_acct acct; /* CPU time and context switches (kernelmodel/cputime.h) */
	/* --inspect, --graph, --timeline: its entry in their record of every
	 * task of the run (emu/observe.c); 0: none. */
	uint32_t obs_id;

	/* Shared via CLONE_THREAD: limits, pgid/sid, subreaper, group exit. */
	struct signal_struct *signal;
};

/* A task with refcount 1 and no objects attached; NULL on ENOMEM. */
struct task *task_alloc(void);
struct task *task_get(struct task *t);
/* Drops a reference; the last one releases mm, files, fs, uts and the task. */
void task_put(struct task *t);
/* Make @parent (NULL: the modeled init) @t's parent: off its old parent's
 * children list, at the end of the new one's. */
void task_set_parent(struct task *t, struct task *parent);
/* Not yet exited: running, asleep or stopped. */
static inline bool task_is_alive(const struct task *t)
{
	return t->state == TASK_RUNNING || t->state == TASK_INTERRUPTIBLE ||
	       t->state == TASK_STOPPED;
}
#define PID_MAX 4194304 /* the largest pid_max Linux allows */
void task_set_comm(struct task *t, const char *path);
/* "running", "sleeping", "stopped", "zombie", "dead". */
const char *task_state_name(enum task_state s);

#endif
