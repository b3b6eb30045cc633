/* struct task: one schedulable guest thread (Linux task_struct). The
 * objects it points to are reference counted and shared or copied on clone
 * according to the clone flags (kernelmodel/fork.c, issue #3). */
#ifndef KERNELMODEL_TASK_H
#define KERNELMODEL_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "kernelmodel/mm.h"

struct files;
struct fs;
struct uts_namespace;
struct sighand;
struct cpu_context; /* owned by emu/: saved registers while not running */

enum task_state {
	TASK_RUNNING, /* runnable or running */
	TASK_ZOMBIE,  /* exited, not yet reaped */
	TASK_DEAD,
};

#define TASK_COMM_LEN 16
#define RLIM_NLIMITS_MODEL 16

struct task {
	int refcount;

	/* Identity. */
	int tid, tgid;
	int pgid, sid; /* process group and session (#3 gives them syscalls) */
	struct task *parent;
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
	/* Shared unless CLONE_NEWUTS. */
	struct uts_namespace *uts;

	/* Per-thread. */
	enum task_state state;
	int exit_status;        /* wait status: (code << 8) or the fatal signal */
	gva_t clear_child_tid;  /* set_tid_address / CLONE_CHILD_CLEARTID */
	gva_t robust_list;
	uint64_t robust_len;
	struct cpu_context *cpu;
	uint64_t sig_blocked;   /* rt_sigprocmask */
	uint64_t sig_pending;   /* thread-directed pending signals */

	/* Per-process (moves to struct signal with thread groups, #4). */
	struct rlimit rlim[RLIM_NLIMITS_MODEL];
};

/* A task with refcount 1 and no objects attached; NULL on ENOMEM. */
struct task *task_alloc(void);
struct task *task_get(struct task *t);
/* Drops a reference; the last one releases mm, files, fs, uts and the task. */
void task_put(struct task *t);
/* Next free pid of the emulated system (pid 1 is the modeled init). */
int pid_alloc(void);
void task_set_comm(struct task *t, const char *path);

#endif
