/* The record of every task of a run, kept for --inspect, --graph and
 * --timeline: who created it, its numbers and comm, when it was born and
 * ended, its exit status, and (for the timeline) the slices open on its
 * track. Fed by the scheduler, exit, signal and syscall hooks and by the
 * run loop; without those options no hook is installed and nothing is
 * kept. */
#ifndef EMU_OBSERVE_H
#define EMU_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernelmodel/task.h"

struct ksiginfo;

struct obs_task {
	struct task *t;   /* while it lives; NULL once it has exited */
	int tid, tgid;    /* as created (numbers in the initial namespace) */
	int ppid;         /* its parent process then (1: the modeled init) */
	uint32_t creator; /* the entry of the task that cloned it (0: none) */
	char comm[TASK_COMM_LEN];
	uint64_t born_ns, end_ns; /* on the timeline clock (obs_now_ns) */
	bool ended;
	int status; /* wait status at exit, or OBS_REPLACED */
	/* --timeline: what is open on its track, and a flow (clone or
	 * wake-up) to end where it next runs (0: none). */
	bool running, in_syscall, blocked, stopped;
	long sys_nr; /* the syscall slice open */
	uint64_t pending_flow;
	const char *flow_name; /* its name: "clone" or "wakeup" */
};

#define OBS_REPLACED (-1) /* an old leader an execve in its group replaced */

extern bool observe_active; /* hooks installed: the run loop tells us of slices */
extern bool observe_io;     /* --inspect/--graph: note data through pipes and sockets */

/* Install the hooks (after clock_init, before the first task exists). */
void observe_start(void);
/* The exit and signal hooks that also feed --trace when it is on. */
void observe_exit(struct task *t, int status);
void observe_signal(struct task *t, const struct ksiginfo *info, bool dropped);
/* The run loop: @t runs a slice; the slice is over (the clock advanced). */
void observe_slice_begin(struct task *t);
void observe_slice_end(struct task *t);

/* Entries 1..obs_count() in creation order. */
uint32_t obs_count(void);
struct obs_task *obs_get(uint32_t id);
static inline struct obs_task *obs_of(const struct task *t)
{
	return t && t->obs_id ? obs_get(t->obs_id) : 0;
}
/* Now, in ns since the run began: the virtual clock (plus the guest work
 * of the slice in progress) or, with --clock=host, the host's. */
uint64_t obs_now_ns(void);
/* The length of the valid UTF-8 sequence at @s (at most @max bytes:
 * 2-4), or 0: names from the guest are shown as UTF-8 when they are. */
int obs_utf8_len(const unsigned char *s, size_t max);
/* "exited with 3", "killed by SIGKILL" for wait status @status. */
void obs_status_text(int status, char *out, unsigned len);

#endif
