#include "kernelmodel/exit.h"
#include "kernelmodel/cputime.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/futex.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#ifndef __WALL
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#endif

/* Linux's mm_release: clear the tid word for whoever still uses the mm and
 * wake its futex (pthread_join waits there). */
static void mm_release(struct task *t)
{
	/* futex_exit_release / futex_exec_release: robust futexes first,
	 * then the PI futexes still owned pass to their waiters. */
	exit_robust_list(t);
	exit_pi_state_list(t);
	if (t->clear_child_tid && t->mm && t->mm->refcount > 1) {
		uint32_t zero = 0;
		struct futex_key key;
		if (!copy_to_guest(t->mm, t->clear_child_tid, &zero, sizeof(zero)) &&
		    !futex_key(t->mm, t->clear_child_tid, false, &key))
			futex_wake(&key, 1, ~0u);
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

/* Whether a task of @t's group other than @t is alive (signal->nr_live
 * counts them, so this costs nothing for the usual single thread). */
static bool others_alive(const struct task *t)
{
	return t->signal->nr_live > (task_is_alive(t) ? 1 : 0);
}

/* Another living thread of @t's group, or NULL. */
static struct task *live_thread(const struct task *t)
{
	if (!others_alive(t))
		return NULL;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p != t && p->tgid == t->tgid && task_is_alive(p))
			return p;
	return NULL;
}

static struct task *group_leader(const struct task *t)
{
	struct task *l = task_find(t->tgid);
	return l && l->tgid == t->tgid ? l : NULL;
}

/* Linux's find_new_reaper: another thread of the group, else the nearest
 * living ancestor in the same PID namespace marked PR_SET_CHILD_SUBREAPER,
 * else the namespace's init (NULL: the modeled init of the initial one). */
static struct task *find_new_reaper(struct task *father)
{
	struct task *th = live_thread(father);
	if (th)
		return th;
	for (struct task *a = father->parent; a && a->pid_ns == father->pid_ns; a = a->parent)
		if (a->signal->child_subreaper && task_is_alive(a))
			return a;
	struct task *init = father->pid_ns->child_reaper;
	if (init && init != father && init->tgid != father->tgid && task_is_alive(init))
		return init;
	return init && init->tgid == father->tgid ? father : NULL;
}

/* The init of a PID namespace is exiting: every other task of the
 * namespace dies of SIGKILL, and the init reaps them
 * (zap_pid_ns_processes). No task may enter the namespace from now on. */
static void zap_pid_ns_processes(struct task *init)
{
	struct pid_namespace *ns = init->pid_ns;
	ns->dead = true;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid != init->tgid && pid_visible(p, ns) && task_is_alive(p))
			do_exit(p, WSTATUS_SIGNALED(SIGKILL, 0));
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->state == TASK_ZOMBIE && p->tgid != init->tgid && pid_visible(p, ns))
			p->state = TASK_DEAD;
}

static bool ignores_sigchld(struct task *parent)
{
	const struct k_sigaction *act = &parent->sighand->action[SIGCHLD - 1];
	return act->handler == (uint64_t)(uintptr_t)SIG_IGN || (act->flags & SA_NOCLDWAIT);
}

/* What wait reports for a process: its group exit code if it died as a
 * group (exit_group, fatal signal), else its leader's own status. */
int task_wait_status(const struct task *t)
{
	return t->signal->group_exit ? t->signal->group_exit_code : t->exit_status;
}

/* A process has exited (its leader is a zombie and no thread is left):
 * tell the parent, or be reaped at once. */
void (*process_exit_hook)(struct task *leader);

static void notify_parent(struct task *t)
{
	struct task *parent = t->parent;
	if (process_exit_hook)
		process_exit_hook(t);
	if (!parent) {
		t->state = TASK_DEAD; /* the modeled init reaps at once */
		return;
	}
	/* do_notify_parent: SIGCHLD ignored or SA_NOCLDWAIT means no zombie;
	 * only SIG_IGN also means no signal (a handler still runs). */
	const struct k_sigaction *act = &parent->sighand->action[SIGCHLD - 1];
	bool autoreap = t->exit_signal == SIGCHLD && ignores_sigchld(parent);
	bool send = t->exit_signal > 0 && t->exit_signal <= NSIG_MODEL &&
		    !(t->exit_signal == SIGCHLD && act->handler == (uint64_t)(uintptr_t)SIG_IGN);
	t->state = autoreap ? TASK_DEAD : TASK_ZOMBIE;
	if (send) {
		int st = task_wait_status(t);
		struct ksiginfo info = {
			.code = (st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
			.pid = task_tgid_nr_ns(t, parent->pid_ns),
			.uid = (int)from_kuid_munged(parent, t->cred->uid),
			.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff,
			/* The process's CPU time, in USER_HZ ticks. */
			.utime = t->signal->acct.utime / 10000000,
			.stime = t->signal->acct.stime / 10000000,
		};
		send_group_signal(parent, t->exit_signal, &info);
	}
	wake_up(parent->signal); /* wait4 sleepers */
}

static void forget_original_parent(struct task *father)
{
	struct task *reaper = find_new_reaper(father);
	struct task *next;
	for (struct task *c = father->children_first; c; c = next) {
		next = c->sibling_next;
		if (c->state == TASK_DEAD)
			continue;
		if (reaper != father)
			task_set_parent(c, reaper);
		if (c->pdeath_signal && task_is_alive(c))
			send_group_signal(c, c->pdeath_signal, NULL);
		if (c->state == TASK_ZOMBIE && c->tid == c->tgid && !live_thread(c))
			notify_parent(c);
	}
}

void (*exit_trace_hook)(struct task *t, int status);

void do_exit(struct task *t, int status)
{
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return;
	acct_exit(t); /* while it still has its mm */
	if (exit_trace_hook)
		exit_trace_hook(t, status); /* --trace: "+++ exited with N +++" */
	wake_task(t); /* leave any wait queue */
	fifo_open_cancel(t);
	futex_unqueue(t);
	ipc_sleep_cancel(t);
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
	exit_sem(t);
	t->exit_status = status;
	/* The last thread to go sets the group's exit code
	 * (synchronize_group_exit), unless exit_group already did. */
	if (!t->signal->group_exit && !live_thread(t)) {
		t->signal->group_exit = true;
		t->signal->group_exit_code = status;
	}
	struct pid_namespace *ns = t->pid_ns;
	if (ns->level && ns->child_reaper == t && !live_thread(t))
		zap_pid_ns_processes(t);
	forget_original_parent(t);
	if (--t->signal->nr_live == 0) /* exit_itimers: the group is dead */
		signal_real_timer_set(t, 0, 0);
	t->state = TASK_ZOMBIE;
	bool leader = t->tid == t->tgid;
	if (!leader) {
		/* A thread reaps itself (exit_signal -1); if it was the last
		 * one and its leader is a zombie already, the process is done. */
		t->state = TASK_DEAD;
		struct task *l = group_leader(t);
		if (l && l->state == TASK_ZOMBIE && !live_thread(l))
			notify_parent(l);
	} else if (!live_thread(t)) {
		notify_parent(t);
	}
	if (ns->child_reaper == t)
		ns->child_reaper = NULL; /* ns->dead keeps newcomers out */
	/* else: a leader waits as a zombie for its threads (delay_group_leader). */
}

void do_group_exit(struct task *t, int status)
{
	int tgid = t->tgid;
	if (!t->signal->group_exit) {
		t->signal->group_exit = true;
		t->signal->group_exit_code = status;
	}
	status = t->signal->group_exit_code;
	for (struct task *p = others_alive(t) ? task_next(NULL) : NULL; p; p = task_next(p))
		if (p->tgid == tgid && p != t && p->tid != tgid)
			do_exit(p, status);
	do_exit(t, status);
	struct task *l = group_leader(t);
	if (l)
		do_exit(l, status);
}

/* execve in a thread group (de_thread): every other thread dies, and an
 * exec'ing thread that is not the leader takes over the leader's pid. */
void de_thread(struct task *t)
{
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid == t->tgid && p != t && p->tid != t->tgid)
			do_exit(p, WSTATUS_SIGNALED(SIGKILL, 0));
	struct task *l = group_leader(t);
	if (!l || l == t)
		return;
	/* Take the leader's place: its pid, parent and exit signal. */
	task_set_parent(t, l->parent);
	t->exit_signal = l->exit_signal;
	while (l->children_first)
		task_set_parent(l->children_first, t);
	task_set_parent(l, NULL);
	if (task_is_alive(l)) {
		wake_task(l);
		futex_unqueue(l);
		exit_robust_list(l);
		exit_pi_state_list(l);
		files_put(l->files);
		fs_put(l->fs);
		mm_put(l->mm);
		l->files = NULL;
		l->fs = NULL;
		l->mm = NULL;
	}
	if (task_is_alive(l))
		l->signal->nr_live--;
	l->state = TASK_DEAD;
	/* exchange_tids: the numbers in every namespace change hands too. */
	int *nr = t->nr;
	t->nr = l->nr;
	l->nr = nr;
	task_change_tid(l, -l->tid); /* its pid now belongs to t */
	task_change_tid(t, t->tgid);
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

/* wait_consider_task: report @p (a child of @t's group) if it has
 * something to report: its pid, or 0. */
static long wait_consider_task(struct task *t, struct task *p, const struct wait_opts *wo,
			       struct wait_result *res, bool *any)
{
	if (p->state == TASK_DEAD || p->tgid != p->tid || !eligible_child(wo, p))
		return 0;
	*any = true;
	/* A zombie leader whose threads still run is not reapable yet
	 * (delay_group_leader); the group's stops and continues are. */
	bool live = p->state != TASK_ZOMBIE || live_thread(p);
	int rep = p->signal->report;
	if (live && !rep)
		return 0; /* the common case among many children: nothing to say */
	int vpid = task_tgid_nr_ns(p, t->pid_ns); /* the waiter's view */
	res->uid = from_kuid_munged(t, p->cred->uid);
	if (live && rep == REPORT_STOPPED && (wo->options & WSTOPPED)) {
		res->pid = vpid;
		res->status = 0x7f | (p->signal->stop_signal << 8);
		if (!(wo->options & WNOWAIT))
			p->signal->report = 0;
		return vpid;
	}
	if (live && rep == REPORT_CONTINUED && (wo->options & WCONTINUED)) {
		res->pid = vpid;
		res->status = 0xffff;
		if (!(wo->options & WNOWAIT))
			p->signal->report = 0;
		return vpid;
	}
	if (live || !(wo->options & WEXITED))
		return 0;
	res->pid = vpid;
	res->status = task_wait_status(p);
	res->task = p;
	if (!(wo->options & WNOWAIT)) {
		acct_reap(t, p);
		p->state = TASK_DEAD;
		task_set_parent(p, NULL); /* release_task: off the children list */
	}
	return vpid;
}

/* do_wait_thread: the children of @q (a thread of @t's group). */
static long wait_children_of(struct task *t, struct task *q, const struct wait_opts *wo,
			     struct wait_result *res, bool *any)
{
	struct task *next;
	for (struct task *p = q->children_first; p; p = next) {
		next = p->sibling_next;
		if (p->state == TASK_DEAD) {
			task_set_parent(p, NULL); /* reaped without a wait (autoreap) */
			continue;
		}
		long r = wait_consider_task(t, p, wo, res, any);
		if (r)
			return r;
	}
	return 0;
}

long do_wait(struct task *t, const struct wait_opts *wo, struct wait_result *res)
{
	bool any = false;
	long r;
	/* do_wait_pid: one pid asked for is looked up, not searched for among
	 * the children (waitpid on the oldest of 4,000 clones scanned them all). */
	if (wo->type == P_PID) {
		struct task *p = task_find(wo->id);
		if (p && p->tid == p->tgid && p->parent &&
		    (p->parent == t ||
		     (!(wo->options & __WNOTHREAD) && p->parent->tgid == t->tgid)) &&
		    (r = wait_consider_task(t, p, wo, res, &any)))
			return r;
		goto none;
	}
	/* Children of the caller, and without __WNOTHREAD those of the other
	 * threads of its group (only a multithreaded group looks for them). */
	if ((wo->options & __WNOTHREAD) || !others_alive(t)) {
		if ((r = wait_children_of(t, t, wo, res, &any)))
			return r;
	} else {
		for (struct task *q = task_next(NULL); q; q = task_next(q))
			if (q->tgid == t->tgid && (r = wait_children_of(t, q, wo, res, &any)))
				return r;
	}
none:
	if (!any)
		return -ECHILD;
	if (wo->options & WNOHANG)
		return 0;
	return sleep_on(t, t->signal, "wait");
}
