#include "kernelmodel/exit.h"

#include <stddef.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* xv6's exit skeleton (STYLE.md K4): drop files and cwd, become a zombie,
 * let the parent know. Children, CLEARTID and SIGCHLD arrive with #3/#4. */
void do_exit(struct task *t, int status)
{
	if (t->state != TASK_RUNNING)
		return;
	files_put(t->files);
	t->files = NULL;
	fs_put(t->fs);
	t->fs = NULL;
	mm_put(t->mm);
	t->mm = NULL;
	t->exit_status = status;
	t->state = t->parent ? TASK_ZOMBIE : TASK_DEAD; /* init reaps at once */
}

void do_group_exit(struct task *t, int status)
{
	int tgid = t->tgid;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid == tgid && p != t)
			do_exit(p, status);
	do_exit(t, status);
}
