/* copy_process: a new task from clone flags (kernel/fork.c). */
#ifndef KERNELMODEL_FORK_H
#define KERNELMODEL_FORK_H

#include <sched.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

/* Flags newer than some libc headers. */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ull
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ull
#endif

struct task;

/* Linux's struct kernel_clone_args, filled by fork, vfork, clone and clone3. */
struct kernel_clone_args {
	uint64_t flags;    /* CLONE_* without the exit signal */
	int exit_signal;
	gva_t stack;       /* 0: the child shares the caller's stack pointer */
	uint64_t stack_size;
	gva_t tls;
	gva_t parent_tid;
	gva_t child_tid;
	int set_tid[32]; /* clone3: the pids the child must get, innermost first */
	int set_tid_size;
	gva_t pidfd;     /* CLONE_PIDFD: where the new descriptor's number goes */
};

/* Validate @args in the kernel's order and create the child of @parent:
 * its mm, files, fs, sighand and signal shared or copied as the flags say.
 * The child is runnable-to-be: the caller gives it CPU registers, then
 * calls wake_up_new_task(). Returns 0 with *@out, or -errno (nothing
 * allocated is left behind). */
int copy_process(struct task *parent, const struct kernel_clone_args *args, struct task **out);
/* Add the child to the scheduler and write CLONE_PARENT_SETTID /
 * CLONE_CHILD_SETTID. Returns the child's pid as the parent sees it. */
int wake_up_new_task(struct task *parent, struct task *child, const struct kernel_clone_args *args);

/* unshare(2). Returns 0 or -EINVAL/-ENOMEM. */
int do_unshare(struct task *t, uint64_t flags);

/* Undo copy_process for a child that never ran (a later step failed). */
void abandon_new_task(struct task *child);

/* Flags this model does not implement yet: copy_process returns EINVAL for
 * them after Linux's own checks (STYLE.md K1, E5). */
uint64_t clone_unsupported_flags(void);
/* threads-max (set_max_threads): from the guests' frame pool, --mem. */
size_t fork_max_threads(void);

#endif
