/* PID namespaces (kernel/pid.c, kernel/pid_namespace.c). Every task has a
 * number in its own PID namespace and in each ancestor; t->tid is the one
 * in the initial namespace and is what the model uses internally. Numbers
 * cross into guest-visible values only through these helpers, as seen from
 * the viewer's namespace (0 when the task is not visible there, as Linux's
 * getppid in a new namespace). */
#ifndef KERNELMODEL_PID_H
#define KERNELMODEL_PID_H

#include <stdbool.h>
#include <stdint.h>

struct task;

#define MAX_PID_NS_LEVEL 32 /* nesting deeper than this: ENOSPC */

struct pid_namespace {
	int refcount;
	int level;                   /* 0: the initial namespace */
	struct pid_namespace *parent;
	int last_pid;
	struct task *child_reaper;   /* its pid 1 (borrowed); NULL: the modeled init */
	bool dead;                   /* its init exited: no new task may enter */
	uint64_t inum;
	uint64_t owner_user_inum;    /* the user namespace owning it (0: the initial one) */
};

struct pid_namespace *pid_ns_initial(void);
/* --pid-base: the first pid handed out in the initial namespace is @first
 * (2 <= @first < pid_max), instead of 2. 0 or -EINVAL. */
int pid_ns_set_base(int first);
/* The initial namespace, borrowed (no reference). */
const struct pid_namespace *pid_ns_root(void);
/* pid_max, as the host sets it (/proc/sys/kernel/pid_max). */
int pid_max(void);
/* A new namespace below @parent (refcount 1). NULL on ENOMEM or when
 * MAX_PID_NS_LEVEL is reached. */
struct pid_namespace *pid_ns_create(struct pid_namespace *parent);
struct pid_namespace *pid_ns_get(struct pid_namespace *ns);
void pid_ns_put(struct pid_namespace *ns);

/* Give @t numbers in @ns and every ancestor. @set_tid: requested numbers,
 * innermost first (clone3's set_tid; 0 entries or @nset 0: any). Returns 0,
 * -EEXIST, -EINVAL, -ENOMEM (namespace dead). Sets t->tid. */
int alloc_pid(struct task *t, struct pid_namespace *ns, const int *set_tid, int nset);

/* Is @t visible from @ns (its namespace is @ns or below)? */
bool pid_visible(const struct task *t, const struct pid_namespace *ns);
/* @t's thread id / process id as seen from @ns, 0 if not visible. */
int task_pid_nr_ns(const struct task *t, const struct pid_namespace *ns);
int task_tgid_nr_ns(const struct task *t, const struct pid_namespace *ns);
/* A global (initial-namespace) pid, pgid or sid as seen from @ns. */
int pid_nr_ns(int global, const struct pid_namespace *ns);
/* The task with number @nr in @ns, or NULL. */
struct task *find_task_by_pid_ns(int nr, const struct pid_namespace *ns);
/* The global number of what @nr names in @ns (0 if nothing). */
int pid_global(int nr, const struct pid_namespace *ns);

#endif
