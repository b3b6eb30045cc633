#include "kernelmodel/exit.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#ifndef __WALL
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#endif

/* Linux's mm_release: clear the tid word for whoever still uses the mm and
 * wake its futex (pthread_join waits there, #4). */
static void mm_release(struct task *t)
{
	if (t->clear_child_tid && t->mm && t->mm->refcount > 1) {
		uint32_t zero = 0;
		copy_to_guest(t->mm, t->clear_child_tid, &zero, sizeof(zero));
		wake_up(t->mm); /* futex waiters on this mm (#4 keys them by address) */
	}
	t->clear_child_tid = 0;
	if (t->vfork_pending) {
		t->vfork_pending = false;
		wake_up(t); /* the parent sleeps in vfork on its child */
	}
}

void exec_mm_release(struct task *t)
{
	mm_release(t);
}

/* The nearest living ancestor marked PR_SET_CHILD_SUBREAPER, or NULL (init). */
static struct task *find_new_reaper(struct task *father)
{
	for (struct task *a = father->parent; a; a = a->parent)
		if (a->signal->child_subreaper && a->state != TASK_ZOMBIE && a->state != TASK_DEAD)
			return a;
	return NULL;
}

static bool ignores_sigchld(struct task *parent)
{
	const struct k_sigaction *act = &parent->sighand->action[SIGCHLD - 1];
	return act->handler == (uint64_t)(uintptr_t)SIG_IGN || (act->flags & SA_NOCLDWAIT);
}

/* Tell the parent: a zombie waits for it, or the task is reaped now. */
static void notify_parent(struct task *t)
{
	struct task *parent = t->parent;
	if (!parent) {
		t->state = TASK_DEAD; /* the modeled init reaps at once */
		return;
	}
	if (t->exit_signal == SIGCHLD && ignores_sigchld(parent)) {
		t->state = TASK_DEAD; /* POSIX: no zombie when SIGCHLD is ignored */
	} else {
		t->state = TASK_ZOMBIE;
		if (t->exit_signal > 0 && t->exit_signal <= NSIG_MODEL) {
			int st = t->exit_status;
			struct ksiginfo info = {
				.code = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
				.pid = t->tgid,
				.uid = (int)getuid(),
				.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff,
			};
			send_signal(parent, t->exit_signal, &info);
		}
	}
	wake_up(parent->signal); /* wait4 sleepers */
}

static void forget_original_parent(struct task *father)
{
	struct task *reaper = find_new_reaper(father);
	for (struct task *c = task_next(NULL); c; c = task_next(c)) {
		if (c->parent != father || c->state == TASK_DEAD)
			continue;
		c->parent = reaper;
		if (c->pdeath_signal && c->state != TASK_ZOMBIE)
			signal_send(c, c->pdeath_signal);
		if (c->state == TASK_ZOMBIE)
			notify_parent(c);
	}
}

void do_exit(struct task *t, int status)
{
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return;
	wake_task(t); /* leave any wait queue */
	t->restarting = false;
	task_put(t->restart_child);
	t->restart_child = NULL;
	mm_release(t);
	files_put(t->files);
	t->files = NULL;
	fs_put(t->fs);
	t->fs = NULL;
	mm_put(t->mm);
	t->mm = NULL;
	t->exit_status = status;
	forget_original_parent(t);
	notify_parent(t);
}

void do_group_exit(struct task *t, int status)
{
	int tgid = t->tgid;
	t->signal->group_exit = true;
	t->signal->group_exit_code = status;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid == tgid && p != t)
			do_exit(p, status);
	do_exit(t, status);
}

/* wait's eligible_child: pid selection, then the __WALL/__WCLONE rule
 * ("clone" children are those that do not report with SIGCHLD). */
static bool eligible_child(const struct wait_opts *wo, struct task *p)
{
	switch (wo->type) {
	case P_PID:
		if (p->tgid != wo->id)
			return false;
		break;
	case P_PGID:
		if (p->signal->pgid != wo->id)
			return false;
		break;
	default:
		break;
	}
	if (!(wo->options & __WALL) && ((p->exit_signal != SIGCHLD) ^ !!(wo->options & __WCLONE)))
		return false;
	return true;
}

long do_wait(struct task *t, const struct wait_opts *wo, struct wait_result *res)
{
	bool any = false;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (p->state == TASK_DEAD || p->tgid != p->tid)
			continue;
		struct task *parent = p->parent;
		if (!parent || (parent != t && ((wo->options & __WNOTHREAD) || parent->tgid != t->tgid)))
			continue;
		if (!eligible_child(wo, p))
			continue;
		any = true;
		if (p->state != TASK_ZOMBIE || !(wo->options & WEXITED))
			continue;
		res->pid = p->tgid;
		res->status = p->exit_status;
		if (!(wo->options & WNOWAIT))
			p->state = TASK_DEAD;
		return p->tgid;
	}
	if (!any)
		return -ECHILD;
	if (wo->options & WNOHANG)
		return 0;
	return sleep_on(t, t->signal, "wait");
}
