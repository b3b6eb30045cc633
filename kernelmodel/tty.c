/* Terminals and job control, after drivers/tty/tty_jobctrl.c (see tty.h). */
#include "kernelmodel/tty.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define MAX_TTYS 64 /* model terminals at most (one per host terminal device) */

static struct tty_struct *ttys;
static int nr_ttys;
static uint64_t console_rdev;

bool tty_rdev(uint64_t rdev)
{
	unsigned maj = major(rdev), min = minor(rdev);
	/* 4: virtual consoles and serial lines; 5,0: /dev/tty; 136-143: pty
	 * slaves (Unix98). Masters (5,2 /dev/ptmx) are not terminals of a
	 * session. */
	return rdev && (maj == 4 || (maj == 5 && min == 0) || (maj >= 136 && maj <= 143));
}

static struct tty_struct *tty_lookup(uint64_t rdev, bool create)
{
	for (struct tty_struct *tty = ttys; tty; tty = tty->next)
		if (tty->rdev == rdev)
			return tty;
	if (!create || nr_ttys >= MAX_TTYS)
		return NULL;
	struct tty_struct *tty = calloc(1, sizeof(*tty));
	if (!tty)
		return NULL;
	tty->rdev = rdev;
	tty->next = ttys;
	ttys = tty;
	nr_ttys++;
	return tty;
}

/* The controlling terminal of @t's process (current->signal->tty). */
static struct tty_struct *get_current_tty(const struct task *t)
{
	if (t->signal->no_ctty)
		return NULL;
	for (struct tty_struct *tty = ttys; tty; tty = tty->next)
		if (tty->session && tty->session == t->signal->sid)
			return tty;
	return NULL;
}

/* The terminal @f is: /dev/tty is the caller's controlling terminal. */
static struct tty_struct *file_tty(const struct task *t, const struct file *f, bool create)
{
	if (f->kind != FILE_HOST || !tty_rdev(f->rdev))
		return NULL;
	if (f->rdev == makedev(5, 0))
		return get_current_tty(t);
	return tty_lookup(f->rdev, create);
}

void tty_init_console(uint64_t rdev, struct task *first)
{
	struct tty_struct *tty = tty_lookup(rdev, true);
	if (!tty)
		return;
	console_rdev = rdev;
	tty->session = first->signal->sid;
	tty->pgrp = first->signal->pgid;
}

int tty_console_pgrp(void)
{
	struct tty_struct *tty = console_rdev ? tty_lookup(console_rdev, false) : NULL;
	return tty ? tty->pgrp : 0;
}

static bool is_leader(const struct task *p)
{
	return p->tid == p->tgid && task_is_alive(p);
}

/* A process of @pgrp, or failing that the process whose pid @pgrp is
 * (session_of_pgrp); NULL when neither exists. */
static struct task *pgrp_member(int pgrp)
{
	struct task *any = NULL;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!is_leader(p))
			continue;
		if (p->signal->pgid == pgrp)
			return p;
		if (p->tgid == pgrp)
			any = p;
	}
	return any;
}

/* kill_pgrp: @sig with @info to every process of @pgrp. */
static void kill_pgrp(int pgrp, int sig, const struct ksiginfo *info)
{
	if (!pgrp)
		return;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (is_leader(p) && p->signal->pgid == pgrp)
			send_group_signal(p, sig, info);
}

/* will_become_orphaned_pgrp(task_pgrp(current), NULL): no member has a
 * parent in another process group of the same session. A parent outside
 * the model (the first guest's) is outside the session too. */
static bool is_pgrp_orphaned(int pgrp, int sid)
{
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (!is_leader(p) || p->signal->pgid != pgrp)
			continue;
		struct task *pp = p->parent;
		if (pp && task_is_alive(pp) && pp->signal->pgid != pgrp && pp->signal->sid == sid)
			return false;
	}
	return true;
}

static bool is_ignored(const struct task *t, int sig)
{
	return (t->sig_blocked & SIGBIT(sig)) ||
	       t->sighand->action[sig - 1].handler == (uint64_t)(uintptr_t)SIG_IGN;
}

static const int ttou_chan;

/* __tty_check_change: 0, -EIO, or the signal sent to the caller's process
 * group and -EKBLOCK (Linux's -ERESTARTSYS: the call runs again after the
 * stop, or after a SA_RESTART handler). */
static long tty_check_change(struct task *t, struct tty_struct *tty, int sig)
{
	if (!tty || get_current_tty(t) != tty)
		return 0;
	int pgrp = t->signal->pgid;
	if (!tty->pgrp || pgrp == tty->pgrp)
		return 0;
	if (is_ignored(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (is_pgrp_orphaned(pgrp, t->signal->sid))
		return -EIO;
	struct ksiginfo info = {.code = 0x80 /* SI_KERNEL: kill_pgrp(pgrp, sig, 1) */};
	kill_pgrp(pgrp, sig, &info);
	return sleep_on(t, &ttou_chan, sig == SIGTTIN ? "background tty read" : "background tty write");
}

/* Is TOSTOP set in the host terminal's modes (L_TOSTOP)? */
static bool host_tostop(int fd)
{
	struct termios tio;
	long r = RR_SYS(tcgetattr(fd, &tio));
	if (r)
		return false;
	rr_bytes(&tio.c_lflag, sizeof(tio.c_lflag));
	return (tio.c_lflag & TOSTOP) != 0;
}

long tty_job_control(struct task *t, struct file *f, bool for_read)
{
	struct tty_struct *tty = file_tty(t, f, false);
	if (!tty || get_current_tty(t) != tty || !tty->pgrp || tty->pgrp == t->signal->pgid)
		return 0; /* the common case: no host call */
	if (!for_read && !host_tostop(f->host_fd))
		return 0;
	return tty_check_change(t, tty, for_read ? SIGTTIN : SIGTTOU);
}

/* disassociate_ctty's half for the terminal: its foreground group hears
 * of it (SIGHUP, and SIGCONT unless the leader is exiting) and it is free. */
static void tty_disassociate(struct tty_struct *tty, bool on_exit)
{
	struct ksiginfo info = {.code = 0x80};
	int pgrp = tty->pgrp;
	tty->session = tty->pgrp = 0;
	kill_pgrp(pgrp, SIGHUP, &info);
	if (!on_exit)
		kill_pgrp(pgrp, SIGCONT, &info);
}

static long put_nr(struct task *t, gva_t arg, int global)
{
	int nr = pid_nr_ns(global, t->pid_ns);
	return copy_to_guest(t->mm, arg, &nr, sizeof(nr));
}

long tty_ioctl(struct task *t, struct file *f, unsigned long req, gva_t arg)
{
	switch (req) {
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (f->kind != FILE_HOST || !tty_rdev(f->rdev))
		return -ENOIOCTLCMD; /* not a terminal: the host answers (ENOTTY) */
	struct tty_struct *tty = file_tty(t, f, req == TIOCSCTTY);
	struct tty_struct *cur = get_current_tty(t);
	bool leader = t->tgid == t->signal->sid;
	switch (req) {
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		long r = tty_check_change(t, tty, SIGTTOU);
		return r ? r : -ENOIOCTLCMD; /* then the host sets the modes */
	}
	case TIOCGPGRP:
	case TIOCGSID:
		if (!tty || cur != tty)
			return -ENOTTY;
		if (req == TIOCGSID && !tty->session)
			return -ENOTTY;
		return put_nr(t, arg, req == TIOCGPGRP ? tty->pgrp : tty->session);
	case TIOCSPGRP: {
		long r = tty_check_change(t, tty, SIGTTOU);
		if (r == -EIO)
			return -ENOTTY;
		if (r)
			return r;
		int nr;
		if (copy_from_guest(t->mm, &nr, arg, sizeof(nr)))
			return -EFAULT;
		if (nr < 0)
			return -EINVAL;
		if (!tty || cur != tty || tty->session != t->signal->sid)
			return -ENOTTY;
		int pgrp = pid_global(nr, t->pid_ns);
		struct task *p = pgrp ? pgrp_member(pgrp) : NULL;
		if (!p)
			return -ESRCH;
		if (p->signal->sid != t->signal->sid)
			return -EPERM;
		tty->pgrp = pgrp;
		wake_up(&ttou_chan);
		return 0;
	}
	case TIOCSCTTY:
		if (!tty)
			return -ENOMEM; /* more host terminals than MAX_TTYS */
		if (leader && tty->session == t->signal->sid)
			return 0;
		/* A session leader without a controlling terminal. */
		if (!leader || cur)
			return -EPERM;
		if (tty->session) {
			/* It controls another session: only CAP_SYS_ADMIN with
			 * arg 1 steals it. */
			if (arg != 1 || !capable(t, CAP_SYS_ADMIN))
				return -EPERM;
		}
		tty->session = t->signal->sid;
		tty->pgrp = t->signal->pgid;
		t->signal->no_ctty = false;
		return 0;
	case TIOCNOTTY:
		if (!tty || cur != tty)
			return -ENOTTY;
		if (leader)
			tty_disassociate(tty, false);
		else
			t->signal->no_ctty = true;
		return 0;
	}
	return -ENOIOCTLCMD;
}

void kill_from_outside(struct task *first, const struct ksiginfo *in, enum outside_target to)
{
	struct ksiginfo info = *in;
	info.pid = 0; /* a process outside every guest pid namespace */
	info.uid = (int)from_kuid_munged(first, (uint32_t)in->uid);
	if (to == OUTSIDE_PROCESS || !console_rdev) {
		if (task_is_alive(first) || first->state == TASK_ZOMBIE)
			send_group_signal(first, info.signo, &info);
		return;
	}
	struct tty_struct *tty = tty_lookup(console_rdev, false);
	if (!tty)
		return;
	if (to == OUTSIDE_TTY) {
		kill_pgrp(tty->pgrp, info.signo, &info);
		return;
	}
	/* tty_signal_session_leader, then the foreground group as when the
	 * controlling process goes (__tty_hangup). */
	int sid = tty->session;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (is_leader(p) && sid && p->tgid == sid) {
			send_group_signal(p, SIGHUP, &info);
			send_group_signal(p, SIGCONT, &info);
		}
	tty_disassociate(tty, false);
}
