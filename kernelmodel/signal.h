/* Signals: struct sighand (the handler table, shared by CLONE_SIGHAND) and
 * the per-task pending and blocked sets. This is the first slice of #5:
 * actions are recorded, masks honoured, and default actions (terminate,
 * core, ignore) carried out. Delivering to a guest handler needs signal
 * frames (#5): until then such a signal terminates the task with a message. */
#ifndef KERNELMODEL_SIGNAL_H
#define KERNELMODEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#define RLIM_NLIMITS_MODEL 16

struct task;

#define NSIG_MODEL 64
#define SIGBIT(sig) (1ull << ((sig) - 1))

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

/* struct signal_struct: what a thread group shares (CLONE_THREAD, #4): the
 * process-wide resource limits, process group and session, the subreaper
 * mark, and the group exit status. */
struct signal_struct {
	int refcount; /* one per task of the thread group */
	int pgid, sid;
	bool child_subreaper;
	bool group_exit;     /* exit_group or a fatal signal is in progress */
	int group_exit_code; /* wait status for every thread */
	struct rlimit rlim[RLIM_NLIMITS_MODEL];
};

enum sig_default { SIG_DFL_TERM, SIG_DFL_CORE, SIG_DFL_IGN, SIG_DFL_STOP, SIG_DFL_CONT };

struct sighand *sighand_alloc(void);
struct sighand *sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);
struct sighand *sighand_dup(const struct sighand *sh);
/* execve: handlers become SIG_DFL; ignored signals stay ignored. */
void sighand_flush(struct sighand *sh);

struct signal_struct *signal_alloc(void);
struct signal_struct *signal_get(struct signal_struct *sig);
void signal_put(struct signal_struct *sig);
/* A new process's copy (refcount 1): limits, pgid and sid inherited. */
struct signal_struct *signal_dup(const struct signal_struct *sig);

enum sig_default sig_default_action(int sig);
/* Mark @sig pending for @t and wake it if it sleeps and does not block
 * @sig (it will act on it before running guest code). 0 or -EINVAL. */
int signal_send(struct task *t, int sig);
/* Carry out pending, unblocked signals whose action ends the task: the
 * thread group exits with the signal in its wait status (ignored ones are
 * discarded on the way). A signal with a guest handler cannot be delivered
 * yet (#5) and terminates too, with a message. Returns the signal or 0. */
int signal_deliver(struct task *t);

#endif
