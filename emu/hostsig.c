/* Signals from outside and the host terminal (see hostsig.h). */
#include "emu/hostsig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "kernelmodel/tty.h"

/* What a process outside may send cloneemu and the guest should get.
 * Not here: the synchronous ones (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP,
 * SIGSYS: cloneemu's own faults), SIGPIPE (ignored: a guest's write to a
 * broken host pipe gets EPIPE and the model's SIGPIPE), SIGTTIN/SIGTTOU
 * (the host terminal stopping cloneemu itself when it reads or writes in
 * the background), SIGCHLD (cloneemu's own children), SIGKILL/SIGSTOP. */
static const int forwarded[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1,   SIGUSR2, SIGALRM,
				SIGTERM, SIGCONT, SIGTSTP, SIGWINCH,  SIGURG,  SIGPWR,
				SIGXCPU, SIGVTALRM, SIGPROF, SIGSTKFLT, SIGIO};

/* Arrivals, written by the handler, read by the run loop with the
 * forwarded signals blocked. Standard signals do not queue anyway; a full
 * ring drops, as a full sigqueue would. */
#define RING 64
static struct arrival {
	int signo, code, uid;
	uint64_t value;
} ring[RING];
static volatile sig_atomic_t ring_head, ring_tail, ring_pending;
static int wake_pipe[2] = {-1, -1};
static bool active;
static sigset_t fwd_set;

/* By where a signal from outside goes (enum outside_target): the signals
 * that kill the task of an unhooked slice, for which alone the handler may
 * stop the engine at once (emu_interrupt; any other waits for the task's
 * next system call), and the stop signals that would stop it, the first
 * process, alone. Set by hostsig_arm; a hangup's stay 0. */
static volatile uint64_t kills_by[OUTSIDE_HANGUP + 1], stops_by[OUTSIDE_HANGUP + 1];
static struct task *first_task;

static bool console_saved;
static struct termios console_modes;

static enum outside_target target_of(int signo, int code);

/* Stop cloneemu with @sig's default action (our handler would only note
 * it), also from within that handler, where @sig is blocked; back when
 * continued (the SIGCONT handler notes that for the guests). Only
 * async-signal-safe calls. */
static void stop_with(int sig)
{
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, &old);
	sigset_t one, mask;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, &mask);
	kill(getpid(), sig); /* stopped here until continued */
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sigaction(sig, &old, NULL);
}

static void on_host_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	int saved = errno;
	enum outside_target to = target_of(sig, si->si_code);
	if (!rr_recording && sig <= NSIG_MODEL && (stops_by[to] & SIGBIT(sig))) {
		/* The lone first process of an unhooked slice would stop, and
		 * then cloneemu (hostsig_stop_self): stop at once, the task
		 * never seeing the signal (it cannot be stopped at this moment
		 * without the block hook; see emu_interrupt). */
		stop_with(sig);
		errno = saved;
		return;
	}
	int h = ring_head;
	if ((h + 1) % RING != ring_tail) {
		ring[h] = (struct arrival){sig, si->si_code, (int)si->si_uid,
					   (uint64_t)(uintptr_t)si->si_value.sival_ptr};
		ring_head = (h + 1) % RING;
	}
	ring_pending = 1;
	if (wake_pipe[1] >= 0) {
		ssize_t w = write(wake_pipe[1], "", 1);
		(void)w; /* full: a wake-up is pending already */
	}
	/* A recording delivers at the end of a slice (deterministic), never
	 * in the middle of one. */
	if (!rr_recording)
		emu_interrupt(sig <= NSIG_MODEL && (kills_by[to] & SIGBIT(sig)));
	errno = saved;
}

/* cloneemu's host controlling terminal among its stdio descriptors: its
 * device number, or 0. Recorded: a replay has the same terminal setup. */
static uint64_t host_console(void)
{
	uint64_t rdev = 0;
	if (!rr_replaying) {
		pid_t sid = getsid(0);
		for (int fd = 0; fd < 3 && !rdev; fd++) {
			struct stat st;
			if (isatty(fd) && tcgetsid(fd) == sid && !fstat(fd, &st))
				rdev = st.st_rdev;
		}
	}
	return (uint64_t)(rr_replaying ? rr_value() : rr_note((long)rdev));
}

void hostsig_init(struct task *first)
{
	first_task = first;
	/* The host terminal's modes, restored when cloneemu exits. */
	if (isatty(0) && !tcgetattr(0, &console_modes))
		console_saved = true;
	/* Ignored signals and the signal mask survive execve: the first guest
	 * starts with cloneemu's (a shell starts background jobs with SIGINT
	 * and SIGQUIT ignored). */
	uint64_t ign = 0, blocked = 0;
	if (!rr_replaying) {
		sigset_t mask;
		sigprocmask(SIG_BLOCK, NULL, &mask);
		for (int s = 1; s <= NSIG_MODEL; s++) {
			struct sigaction old;
			if (s != SIGKILL && s != SIGSTOP && !sigaction(s, NULL, &old) &&
			    old.sa_handler == SIG_IGN)
				ign |= SIGBIT(s);
			if (s != SIGKILL && s != SIGSTOP && sigismember(&mask, s) == 1)
				blocked |= SIGBIT(s);
		}
	}
	rr_bytes(&ign, sizeof(ign));
	rr_bytes(&blocked, sizeof(blocked));
	for (int s = 1; s <= NSIG_MODEL; s++)
		if (ign & SIGBIT(s))
			first->sighand->action[s - 1].handler = (uint64_t)(uintptr_t)SIG_IGN;
	first->sig_blocked = blocked;
	signal(SIGPIPE, SIG_IGN);
	uint64_t console = host_console();
	if (console && tty_rdev(console))
		tty_init_console(console, first);
	if (rr_replaying)
		return; /* a replay delivers what the recording says */
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK)) {
		wake_pipe[0] = wake_pipe[1] = -1;
		return;
	}
	/* Keep the pipe's ends out of the guests' way (they get 0-2 as theirs
	 * and dup the rest; high numbers are ours). */
	sigemptyset(&fwd_set);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_host_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaction(forwarded[i], &sa, NULL);
		sigaddset(&fwd_set, forwarded[i]);
	}
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++) {
		sigaction(s, &sa, NULL);
		sigaddset(&fwd_set, s);
	}
	sched_set_outside_fd(wake_pipe[0]);
	uint64_t caught = 0;
	for (int s = 1; s <= NSIG_MODEL; s++)
		if (sigismember(&fwd_set, s) == 1)
			caught |= SIGBIT(s);
	sched_set_outside_signals(caught);
	active = true;
}

void hostsig_fini(void)
{
	if (active) {
		for (unsigned i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
			signal(forwarded[i], SIG_DFL);
		active = false;
	}
	if (console_saved && tcgetpgrp(0) == getpgrp()) {
		/* Only in the foreground: a background tcsetattr would stop us. */
		sigset_t ttou, old;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, &old);
		tcsetattr(0, TCSANOW, &console_modes);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
}

bool hostsig_pending(void)
{
	return ring_pending != 0;
}

/* What a signal the host terminal generated goes to. */
static enum outside_target target_of(int signo, int code)
{
	if (code != SI_KERNEL)
		return OUTSIDE_PROCESS; /* kill, sigqueue, tgkill from a process */
	switch (signo) {
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
	case SIGWINCH:
		return OUTSIDE_TTY;
	case SIGHUP:
		return OUTSIDE_HANGUP;
	default:
		return OUTSIDE_PROCESS;
	}
}

/* One delivery: recorded with the scheduler step it happens at. */
static void deliver_one(struct task *first, const struct arrival *a, uint64_t step)
{
	struct ksiginfo info = {.signo = a->signo, .code = a->code, .uid = a->uid,
				.value = a->value};
	enum outside_target to = target_of(a->signo, a->code);
	if (rr_recording) {
		int64_t rec[6] = {(int64_t)step, a->signo, a->code, a->uid, (int64_t)a->value, to};
		rr_signal(rec, sizeof(rec));
	}
	kill_from_outside(first, &info, to);
}

void hostsig_deliver(struct task *first, uint64_t step)
{
	if (rr_replaying) {
		int64_t rec[6];
		while (rr_signal_next(step, rec, sizeof(rec))) {
			struct ksiginfo info = {.signo = (int)rec[1], .code = (int)rec[2],
						.uid = (int)rec[3], .value = (uint64_t)rec[4]};
			kill_from_outside(first, &info, (enum outside_target)rec[5]);
		}
		return;
	}
	if (!ring_pending)
		return;
	sigset_t old;
	sigprocmask(SIG_BLOCK, &fwd_set, &old);
	ring_pending = 0;
	emu_interrupt_taken();
	char buf[64];
	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
	while (ring_tail != ring_head) {
		struct arrival a = ring[ring_tail];
		ring_tail = (ring_tail + 1) % RING;
		deliver_one(first, &a, step);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void hostsig_stop_self(struct task *first)
{
	if (rr_replaying || !active)
		return;
	int sig = first->signal->stop_signal ? first->signal->stop_signal : SIGSTOP;
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		sig = SIGSTOP;
	fflush(NULL);
	stop_with(sig);
}

/* @t's default action for @sig if it takes one now (get_signal), or -1. */
static int default_action(const struct task *t, int sig)
{
	if ((t->sig_blocked & SIGBIT(sig)) || signal_unkillable(t) ||
	    t->sighand->action[sig - 1].handler != (uint64_t)(uintptr_t)SIG_DFL)
		return -1;
	return (int)sig_default_action(sig);
}

void hostsig_arm(struct task *t, bool unhooked)
{
	uint64_t by_process = 0, by_tty = 0, stop_process = 0, stop_tty = 0;
	if (active && unhooked) {
		int fg = tty_console_pgrp();
		bool gets_process = first_task && t->tgid == first_task->tgid;
		bool gets_tty = fg ? t->signal->pgid == fg : gets_process;
		for (int s = 1; s <= NSIG_MODEL; s++) {
			int d = sigismember(&fwd_set, s) == 1 ? default_action(t, s) : -1;
			if (d == SIG_DFL_TERM || d == SIG_DFL_CORE) {
				by_process |= gets_process ? SIGBIT(s) : 0;
				by_tty |= gets_tty ? SIGBIT(s) : 0;
			} else if (d == SIG_DFL_STOP && gets_process) {
				stop_process |= SIGBIT(s);
				stop_tty |= gets_tty ? SIGBIT(s) : 0;
			}
		}
	}
	kills_by[OUTSIDE_PROCESS] = by_process;
	kills_by[OUTSIDE_TTY] = by_tty;
	stops_by[OUTSIDE_PROCESS] = stop_process;
	stops_by[OUTSIDE_TTY] = stop_tty;
}
