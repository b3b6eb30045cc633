#include "kernelmodel/task.h"

#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"

struct task *task_alloc(void)
{
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->refcount = 1; /* the caller's (the task list) */
	t->state = TASK_RUNNING;
	return t;
}

struct task *task_get(struct task *t)
{
	t->refcount++;
	return t;
}

void task_set_parent(struct task *t, struct task *parent)
{
	struct task *old = t->parent;
	if (old) {
		if (t->sibling_prev)
			t->sibling_prev->sibling_next = t->sibling_next;
		else
			old->children_first = t->sibling_next;
		if (t->sibling_next)
			t->sibling_next->sibling_prev = t->sibling_prev;
		else
			old->children_last = t->sibling_prev;
		t->sibling_prev = t->sibling_next = NULL;
	}
	t->parent = parent;
	if (parent) {
		t->sibling_prev = parent->children_last;
		if (parent->children_last)
			parent->children_last->sibling_next = t;
		else
			parent->children_first = t;
		parent->children_last = t;
	}
}

void task_put(struct task *t)
{
	if (!t || --t->refcount > 0)
		return;
	/* Off the lists: a child still listed here (reaped, or never
	 * reparented) no longer points at this memory. */
	task_set_parent(t, NULL);
	while (t->children_first)
		task_set_parent(t->children_first, NULL);
	mm_put(t->mm);
	files_put(t->files);
	fs_put(t->fs);
	sighand_put(t->sighand);
	signal_put(t->signal);
	exit_sem(t); /* a task that never ran (failed fork) */
	nsproxy_put(t->nsproxy);
	put_cred(t->cred);
	pid_ns_put(t->pid_ns);
	free(t->nr);
	free(t->exe);
	free(t->poll_host);
	free(t->sig_rtq.v);
	free(t);
}

/* comm is the basename of the executed path, truncated like Linux's. */
void task_set_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	strncpy(t->comm, base, TASK_COMM_LEN - 1);
	t->comm[TASK_COMM_LEN - 1] = 0;
}

const char *task_state_name(enum task_state s)
{
	switch (s) {
	case TASK_RUNNING:
		return "running";
	case TASK_INTERRUPTIBLE:
		return "sleeping";
	case TASK_STOPPED:
		return "stopped";
	case TASK_ZOMBIE:
		return "zombie";
	default:
		return "dead";
	}
}
