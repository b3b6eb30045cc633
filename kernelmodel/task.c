#include "kernelmodel/task.h"

#include <stdlib.h>
#include <string.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/uts.h"

static int last_pid = 1; /* pid 1: the modeled init, never a guest */

/* Sequential, skipping pids in use (clone3's set_tid may have taken one),
 * wrapping at pid_max like Linux. */
int pid_alloc(void)
{
	do {
		if (++last_pid >= PID_MAX)
			last_pid = 2;
	} while (task_find(last_pid));
	return last_pid;
}

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

void task_put(struct task *t)
{
	if (!t || --t->refcount > 0)
		return;
	mm_put(t->mm);
	files_put(t->files);
	fs_put(t->fs);
	sighand_put(t->sighand);
	signal_put(t->signal);
	uts_put(t->uts);
	free(t->exe);
	free(t->poll_host);
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
