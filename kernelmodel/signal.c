#include "kernelmodel/signal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/exit.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

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
	if (sig && --sig->refcount == 0)
		free(sig);
}

struct signal_struct *signal_dup(const struct signal_struct *old)
{
	struct signal_struct *sig = signal_alloc();
	if (!sig)
		return NULL;
	sig->pgid = old->pgid;
	sig->sid = old->sid;
	memcpy(sig->rlim, old->rlim, sizeof(sig->rlim));
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

int signal_send(struct task *t, int sig)
{
	if (sig < 1 || sig > NSIG_MODEL)
		return -EINVAL;
	t->sig_pending |= SIGBIT(sig);
	if (!(t->sig_blocked & SIGBIT(sig)) || sig == SIGKILL || sig == SIGSTOP)
		wake_task(t);
	return 0;
}

static int signal_dequeue_fatal(struct task *t, int *has_handler)
{
	uint64_t unblockable = SIGBIT(SIGKILL) | SIGBIT(SIGSTOP);
	uint64_t ready = t->sig_pending & (~t->sig_blocked | unblockable);
	*has_handler = 0;
	for (int sig = 1; ready && sig <= NSIG_MODEL; sig++) {
		if (!(ready & SIGBIT(sig)))
			continue;
		ready &= ~SIGBIT(sig);
		t->sig_pending &= ~SIGBIT(sig);
		uint64_t h = t->sighand->action[sig - 1].handler;
		if (sig == SIGKILL)
			return sig;
		if (h == (uint64_t)(uintptr_t)SIG_IGN && sig != SIGSTOP)
			continue;
		if (h == (uint64_t)(uintptr_t)SIG_DFL || sig == SIGSTOP) {
			enum sig_default d = sig_default_action(sig);
			/* Stop/continue arrive with job control (#5). */
			if (d == SIG_DFL_TERM || d == SIG_DFL_CORE)
				return sig;
			continue;
		}
		*has_handler = 1;
		return sig;
	}
	return 0;
}

int signal_deliver(struct task *t)
{
	int has_handler;
	if (!t->sig_pending || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return 0;
	int sig = signal_dequeue_fatal(t, &has_handler);
	if (!sig)
		return 0;
	if (has_handler)
		fprintf(stderr,
			"cloneemu: pid %d: signal %d has a handler, but running guest handlers is "
			"not implemented yet (#5): terminating as if unhandled\n",
			t->tgid, sig);
	do_group_exit(t, WSTATUS_SIGNALED(sig, sig_default_action(sig) == SIG_DFL_CORE));
	return sig;
}
