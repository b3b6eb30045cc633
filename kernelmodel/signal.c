#include "kernelmodel/signal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/hrtimer.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/posix_timers.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signalfd.h"
#include "kernelmodel/task.h"

void (*signal_trace_hook)(struct task *t, const struct ksiginfo *info, bool dropped);
void (*signal_stop_hook)(struct task *t, int sig);

struct sighand *sighand_alloc(void)
{
	struct sighand *sh = calloc(1, sizeof(*sh));
	if (sh)
		sh->refcount = 1; /* the caller's */
	return sh;
}

struct sighand *sighand_get(struct sighand *sh)
{
	sh->refcount++;
	return sh;
}

void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refcount == 0)
		free(sh);
}

struct sighand *sighand_dup(const struct sighand *old)
{
	struct sighand *sh = sighand_alloc();
	if (sh)
		memcpy(sh->action, old->action, sizeof(sh->action));
	return sh;
}

void sighand_flush(struct sighand *sh)
{
	for (int i = 0; i < NSIG_MODEL; i++) {
		uint64_t h = sh->action[i].handler;
		memset(&sh->action[i], 0, sizeof(sh->action[i]));
		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			sh->action[i].handler = h;
	}
}

struct signal_struct *signal_alloc(void)
{
	struct signal_struct *sig = calloc(1, sizeof(*sig));
	if (sig)
		sig->refcount = 1; /* the caller's */
	return sig;
}

struct signal_struct *signal_get(struct signal_struct *sig)
{
	sig->refcount++;
	return sig;
}

void signal_put(struct signal_struct *sig)
{
	if (sig && --sig->refcount == 0) {
		hrtimer_cancel(&sig->real_timer);
		free(sig->shared_rtq.v);
		free(sig);
	}
}

#define RTQ_MAX (1 << 20) /* queued instances of real-time signals per queue */

/* Make @sig pending in (@set, @infos, @q). Returns 0, or 1 when a standard
 * signal was already pending (the new one is dropped, as Linux does). */
static int enqueue(uint64_t *set, struct ksiginfo *infos, struct rtqueue *q, int sig,
		   const struct ksiginfo *info)
{
	struct ksiginfo ki = info ? *info : (struct ksiginfo){.code = 0x80 /* SI_KERNEL */};
	ki.signo = sig;
	if (!(*set & SIGBIT(sig))) {
		*set |= SIGBIT(sig);
		infos[sig - 1] = ki;
		return 0;
	}
	if (sig < SIGRT_FIRST)
		return 1;
	if (q->n >= RTQ_MAX)
		return 1; /* kill's and the kernel's bypass RLIMIT_SIGPENDING: a bound */
	if (q->n == q->cap) {
		int cap = q->cap ? q->cap * 2 : 8;
		struct ksiginfo *v = realloc(q->v, cap * sizeof(*v));
		if (!v)
			return 1; /* out of memory: like RLIMIT_SIGPENDING, dropped */
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = ki;
	return 0;
}

static void take_from(uint64_t *set, struct ksiginfo *infos, struct rtqueue *q, int sig,
		      struct ksiginfo *out)
{
	*out = infos[sig - 1];
	for (int i = 0; i < q->n; i++)
		if (q->v[i].signo == sig) {
			infos[sig - 1] = q->v[i];
			memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof(q->v[0]));
			q->n--;
			return;
		}
	*set &= ~SIGBIT(sig);
}

void signal_take(struct task *t, bool shared, int sig, struct ksiginfo *out)
{
	if (shared)
		take_from(&t->signal->shared_pending, t->signal->shared_info, &t->signal->shared_rtq,
			  sig, out);
	else
		take_from(&t->sig_pending, t->sig_info, &t->sig_rtq, sig, out);
	if (out->code == SI_TIMER)
		posixtimer_rearm(t, out); /* its overrun count; it may queue again */
}

static void drop_all(uint64_t *set, struct rtqueue *q, int sig)
{
	*set &= ~SIGBIT(sig);
	int k = 0;
	for (int i = 0; i < q->n; i++)
		if (q->v[i].signo != sig)
			q->v[k++] = q->v[i];
	q->n = k;
}

void signal_flush(struct task *t, int sig)
{
	drop_all(&t->sig_pending, &t->sig_rtq, sig);
	drop_all(&t->signal->shared_pending, &t->signal->shared_rtq, sig);
}

struct signal_struct *signal_dup(const struct signal_struct *old)
{
	struct signal_struct *sig = signal_alloc();
	if (!sig)
		return NULL;
	sig->pgid = old->pgid;
	sig->sid = old->sid;
	sig->no_ctty = old->no_ctty;
	memcpy(sig->rlim, old->rlim, sizeof(sig->rlim));
	sig->oom_score_adj = old->oom_score_adj;
	sig->oom_score_adj_min = old->oom_score_adj_min;
	return sig;
}

/* signal(7)'s table of default dispositions. */
enum sig_default sig_default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return SIG_DFL_IGN;
	case SIGCONT:
		return SIG_DFL_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SIG_DFL_STOP;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SIG_DFL_CORE;
	default:
		return SIG_DFL_TERM;
	}
}

int check_kill_permission(const struct task *sender, const struct task *p, int sig)
{
	if (sender->tgid == p->tgid || kill_ok_by_cred(sender, p))
		return 0;
	/* SIGCONT may go to any process of the sender's session. */
	if (sig == SIGCONT && p->signal->sid == sender->signal->sid)
		return 0;
	return -EPERM;
}

bool signal_unkillable(const struct task *t)
{
	const struct pid_namespace *ns = t->pid_ns;
	return ns && ns->level && ns->child_reaper && ns->child_reaper->tgid == t->tgid &&
	       !t->signal->init_killable;
}

/* sig_task_ignored(): ignored, or default-handled by an unkillable init
 * (SIGKILL and SIGSTOP that reach this far are forced: the kernel's own,
 * or from an ancestor namespace; kill() from inside drops them first). */
static bool sig_ignored(struct task *t, int sig)
{
	uint64_t h = t->sighand->action[sig - 1].handler;
	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		return true;
	if (h != (uint64_t)(uintptr_t)SIG_DFL)
		return false;
	return sig_default_action(sig) == SIG_DFL_IGN ||
	       (sig != SIGKILL && sig != SIGSTOP && signal_unkillable(t));
}

static void notify_parent_cldstop(struct task *t, int why, int sig)
{
	struct task *leader = task_find(t->tgid);
	struct task *parent = leader ? leader->parent : NULL;
	if (!parent)
		return;
	t->signal->report = why == CLD_STOPPED ? REPORT_STOPPED : REPORT_CONTINUED;
	const struct k_sigaction *act = &parent->sighand->action[SIGCHLD - 1];
	if (!(act->flags & SA_NOCLDSTOP)) {
		struct ksiginfo info = {.code = why, .pid = task_tgid_nr_ns(t, parent->pid_ns),
					.uid = (int)from_kuid_munged(parent, leader->cred->uid),
					.status = why == CLD_STOPPED ? sig : SIGCONT};
		send_group_signal(parent, SIGCHLD, &info);
	}
	wake_up(parent->signal); /* wait4 with WUNTRACED/WCONTINUED */
}

/* Linux's prepare_signal: a stop signal cancels a pending SIGCONT; SIGCONT
 * (or SIGKILL) cancels pending stops and resumes a stopped group at once,
 * whatever SIGCONT's disposition. */
static void prepare_signal(struct task *p, int sig)
{
	struct signal_struct *ss = p->signal;
	uint64_t stops = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);
	if (sig_default_action(sig) == SIG_DFL_STOP) {
		ss->shared_pending &= ~SIGBIT(SIGCONT);
		for (struct task *t = task_next(NULL); t; t = task_next(t))
			if (t->tgid == p->tgid)
				t->sig_pending &= ~SIGBIT(SIGCONT);
		return;
	}
	if (sig != SIGCONT && sig != SIGKILL)
		return;
	ss->shared_pending &= ~stops;
	bool was_stopped = ss->group_stopped;
	ss->group_stopped = false;
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		if (t->tgid != p->tgid)
			continue;
		t->sig_pending &= ~stops;
		if (t->state == TASK_STOPPED) {
			t->state = TASK_RUNNING; /* a syscall it slept in is retried */
			if (signal_stop_hook)
				signal_stop_hook(t, 0);
		}
	}
	if (was_stopped && sig == SIGCONT)
		notify_parent_cldstop(p, CLD_CONTINUED, SIGCONT);
}

/* A stop signal's default action: every thread of the group stops, and
 * the parent hears of it (do_signal_stop). */
static void do_signal_stop(struct task *t, int sig)
{
	struct signal_struct *ss = t->signal;
	ss->group_stopped = true;
	ss->stop_signal = sig;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid == t->tgid && (p->state == TASK_RUNNING || p->state == TASK_INTERRUPTIBLE)) {
			if (p->state == TASK_INTERRUPTIBLE)
				wake_task(p); /* it retries its syscall once continued */
			p->state = TASK_STOPPED;
			if (signal_stop_hook)
				signal_stop_hook(p, sig);
		}
	notify_parent_cldstop(t, CLD_STOPPED, sig);
}

/* Linux drops an ignored, unblocked signal at once (sig_ignored), unless
 * a sigwait waits for it. A tracer still sees it go by (under ptrace it is
 * queued, reported, then discarded). */
static bool drop_ignored(struct task *t, int sig, const struct ksiginfo *info, uint64_t waited)
{
	if (sig == SIGKILL || (t->sig_blocked & SIGBIT(sig)) || !sig_ignored(t, sig) ||
	    (waited & SIGBIT(sig)))
		return false;
	if (signal_trace_hook) {
		struct ksiginfo seen = info ? *info : (struct ksiginfo){.code = 0x80 /* SI_KERNEL */};
		seen.signo = sig;
		signal_trace_hook(t, &seen, true);
	}
	return true;
}

/* The signals a process queued itself (a negative si_code: sigqueue,
 * rt_sigqueueinfo) pending in (@set, @infos, @q): what counts against
 * RLIMIT_SIGPENDING (kill's and the kernel's do not, as on Linux 6.x). */
static rlim_t queued_by_user(uint64_t set, const struct ksiginfo *infos, const struct rtqueue *q)
{
	rlim_t n = 0;
	for (int sig = 1; sig <= NSIG_MODEL; sig++)
		if ((set & SIGBIT(sig)) && infos[sig - 1].code < 0)
			n++;
	for (int i = 0; i < q->n; i++)
		if (q->v[i].code < 0)
			n++;
	return n;
}

/* RLIMIT_SIGPENDING (__sigqueue_alloc): is @t's real user at @t's limit of
 * queued signals, across the model, for a signal queued with @info? */
static bool sigpending_over_limit(const struct task *t, const struct ksiginfo *info)
{
	if (!info || info->code >= 0 || !t->signal || !t->cred)
		return false;
	rlim_t limit = t->signal->rlim[RLIMIT_SIGPENDING].rlim_cur;
	if (limit == RLIM_INFINITY)
		return false;
	rlim_t n = 0;
	for (struct task *q = task_next(NULL); q && n < limit; q = task_next(q)) {
		if (!q->cred || q->cred->uid != t->cred->uid)
			continue;
		n += queued_by_user(q->sig_pending, q->sig_info, &q->sig_rtq);
		if (q->signal && q->tid == q->tgid) /* the group's queue, once */
			n += queued_by_user(q->signal->shared_pending, q->signal->shared_info,
					    &q->signal->shared_rtq);
	}
	return n >= limit;
}

/* Over the limit a real-time signal is refused (EAGAIN); a standard one
 * still goes, without its information (SI_USER). 0 or -EAGAIN. */
static int sigqueue_limit(const struct task *t, int sig, const struct ksiginfo **info,
			  struct ksiginfo *stripped)
{
	if (!sigpending_over_limit(t, *info))
		return 0;
	if (sig >= SIGRT_FIRST)
		return -EAGAIN;
	*stripped = (struct ksiginfo){.code = 0 /* SI_USER */};
	*info = stripped;
	return 0;
}

int send_signal(struct task *t, int sig, const struct ksiginfo *info)
{
	if (sig < 1 || sig > NSIG_MODEL)
		return -EINVAL;
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return 0;
	prepare_signal(t, sig);
	if (drop_ignored(t, sig, info, t->sigwait_set))
		return 0;
	struct ksiginfo stripped;
	if (sigqueue_limit(t, sig, &info, &stripped))
		return -EAGAIN;
	if (enqueue(&t->sig_pending, t->sig_info, &t->sig_rtq, sig, info))
		return 0;
	signalfd_notify(t, sig);
	bool wakes = !(t->sig_blocked & SIGBIT(sig)) || (t->sigwait_set & SIGBIT(sig));
	if (sig == SIGKILL || (wakes && !t->wait_killable))
		wake_task(t);
	return 0;
}

int send_group_signal(struct task *p, int sig, const struct ksiginfo *info)
{
	if (sig < 1 || sig > NSIG_MODEL)
		return -EINVAL;
	struct signal_struct *ss = p->signal;
	if (p->state == TASK_DEAD || (p->state == TASK_ZOMBIE && !ss))
		return 0;
	prepare_signal(p, sig);
	if (drop_ignored(p, sig, info, 0))
		return 0;
	struct ksiginfo stripped;
	if (sigqueue_limit(p, sig, &info, &stripped))
		return -EAGAIN;
	if (enqueue(&ss->shared_pending, ss->shared_info, &ss->shared_rtq, sig, info))
		return 0;
	signalfd_notify(p, sig);
	/* Linux's complete_signal: the addressed thread if it can take it,
	 * else any thread of the group that does not block it. */
	struct task *take = NULL;
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		if (t->tgid != p->tgid || (t->state != TASK_RUNNING && t->state != TASK_INTERRUPTIBLE))
			continue;
		if (sig == SIGKILL) {
			wake_task(t);
			continue;
		}
		bool can = !(t->sig_blocked & SIGBIT(sig)) || (t->sigwait_set & SIGBIT(sig));
		if (can && (!take || t == p))
			take = t;
	}
	if (take && !take->wait_killable)
		wake_task(take);
	return 0;
}

void force_sig_fault(struct task *t, int sig, int code, uint64_t addr)
{
	struct k_sigaction *ka = &t->sighand->action[sig - 1];
	if ((t->sig_blocked & SIGBIT(sig)) || ka->handler == (uint64_t)(uintptr_t)SIG_IGN) {
		ka->handler = (uint64_t)(uintptr_t)SIG_DFL;
		t->sig_blocked &= ~SIGBIT(sig);
	}
	/* A fault without a handler kills even a namespace's init. */
	if (ka->handler == (uint64_t)(uintptr_t)SIG_DFL)
		t->signal->init_killable = true;
	drop_all(&t->sig_pending, &t->sig_rtq, sig); /* the fault's own info wins */
	struct ksiginfo info = {.code = code, .addr = addr};
	send_signal(t, sig, &info);
}

static uint64_t pending_set(const struct task *t)
{
	return t->sig_pending | (t->signal ? t->signal->shared_pending : 0);
}

bool fatal_signal_pending(const struct task *t)
{
	return (pending_set(t) & SIGBIT(SIGKILL)) != 0;
}

bool signal_pending(const struct task *t)
{
	return (pending_set(t) & (~t->sig_blocked | SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))) != 0;
}

int (*signal_debug_hook)(struct task *t, int sig);

enum get_signal_result get_signal(struct task *t, struct ksiginfo *info, struct k_sigaction *ka)
{
	if (t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return SIGNAL_NONE;
	uint64_t unblockable = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);
	for (;;) {
		/* Thread-directed signals first, then the process's (dequeue_signal). */
		bool shared = false;
		uint64_t ready = t->sig_pending & (~t->sig_blocked | unblockable);
		if (!ready) {
			shared = true;
			ready = t->signal->shared_pending & (~t->sig_blocked | unblockable);
		}
		if (!ready)
			return SIGNAL_NONE;
		/* Synchronous faults first, then the lowest number, as Linux. */
		int sig = 0;
		static const int sync_sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS};
		for (unsigned k = 0; k < sizeof(sync_sigs) / sizeof(sync_sigs[0]) && !sig; k++)
			if (ready & SIGBIT(sync_sigs[k]))
				sig = sync_sigs[k];
		if (!sig)
			sig = __builtin_ctzll(ready) + 1;
		signal_take(t, shared, sig, info);
		if (signal_trace_hook)
			signal_trace_hook(t, info, false); /* --trace: "--- SIGX {...} ---" */
		if (signal_debug_hook && sig != SIGKILL) {
			int nsig = signal_debug_hook(t, sig);
			if (nsig <= 0 || nsig > NSIG_MODEL)
				continue;
			if (nsig != sig) {
				/* ptrace_signal: the debugger's signal, as if sent by
				 * a user; blocked, it waits in the queue. */
				sig = nsig;
				memset(info, 0, sizeof(*info));
				info->signo = sig;
				info->code = 0; /* SI_USER */
				if (t->sig_blocked & SIGBIT(sig)) {
					send_signal(t, sig, info);
					continue;
				}
			}
		}
		struct k_sigaction *act = &t->sighand->action[sig - 1];
		uint64_t h = act->handler;
		if (sig != SIGKILL && sig != SIGSTOP && h == (uint64_t)(uintptr_t)SIG_IGN)
			continue;
		if (sig == SIGKILL || sig == SIGSTOP || h == (uint64_t)(uintptr_t)SIG_DFL) {
			/* An init gets no default action it did not ask for
			 * (a signal blocked when it came, unblocked now). */
			if (sig != SIGKILL && sig != SIGSTOP && signal_unkillable(t))
				continue;
			enum sig_default d = sig_default_action(sig);
			if (d == SIG_DFL_STOP) {
				do_signal_stop(t, sig);
				return SIGNAL_STOPPED;
			}
			if (d != SIG_DFL_TERM && d != SIG_DFL_CORE)
				continue;
			/* The core flag says a dump was written: Linux writes none
			 * with RLIMIT_CORE 0 (and we never write one; README). */
			bool core = d == SIG_DFL_CORE && t->signal->rlim[RLIMIT_CORE].rlim_cur != 0;
			do_group_exit(t, WSTATUS_SIGNALED(sig, core));
			return SIGNAL_KILLED;
		}
		*ka = *act;
		if (act->flags & SA_RESETHAND)
			act->handler = (uint64_t)(uintptr_t)SIG_DFL;
		return SIGNAL_HANDLER;
	}
}

/* it_real_fn: SIGALRM to the process while a thread of it lives; the
 * interval re-arms it (from the deadline, or from now when that is past). */
static void real_timer_fire(struct hrtimer *timer, uint64_t now)
{
	struct signal_struct *sig =
		(struct signal_struct *)((char *)timer - offsetof(struct signal_struct, real_timer));
	sig->it_real_deadline =
		sig->it_real_interval ? sig->it_real_deadline + sig->it_real_interval : 0;
	if (sig->it_real_deadline && sig->it_real_deadline <= now)
		sig->it_real_deadline = now + sig->it_real_interval;
	if (sig->it_real_deadline)
		hrtimer_start(&sig->real_timer, sig->it_real_deadline);
	struct task *p = task_find(sig->real_timer_tgid);
	if (p && p->signal == sig && sig->nr_live > 0) {
		struct ksiginfo info = {.code = 0x80 /* SI_KERNEL */};
		send_group_signal(p, SIGALRM, &info);
	}
}

void signal_real_timer_set(struct task *t, uint64_t deadline, uint64_t interval)
{
	struct signal_struct *sig = t->signal;
	sig->it_real_deadline = deadline;
	sig->it_real_interval = interval;
	sig->real_timer_tgid = t->tgid;
	sig->real_timer.function = real_timer_fire;
	if (deadline)
		hrtimer_start(&sig->real_timer, deadline);
	else
		hrtimer_cancel(&sig->real_timer);
}

void signal_run_timers(uint64_t now)
{
	hrtimer_run(now); /* ITIMER_REAL, timerfds and POSIX timers */
}

uint64_t signal_next_timer(void)
{
	return hrtimer_next();
}
