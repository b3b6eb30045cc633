/* Signal syscalls and signal delivery with real x86_64 frames
 * (arch/x86/kernel/signal.c). A handler runs on a struct rt_sigframe built
 * on the guest's stack (or its alternate stack): return address =
 * sa_restorer, a ucontext with the interrupted registers, signal mask and
 * a pointer to an FXSAVE image of the FPU/SSE state, then the siginfo.
 * rt_sigreturn reads it all back, so glibc's and musl's restorers (and
 * handlers that edit the context) work unmodified. */
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#include <linux/futex.h>

#include "emu/cpu.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/futex.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "syscalls/dispatch.h"
#include "syscalls/sys.h"

#define SI_TKILL_CODE -6
#define SEGV_MAPERR_CODE 1
#define FX_SIZE 512
/* The kernel's MINSIGSTKSZ (arch/x86/include/uapi/asm/signal.h), not
 * glibc's, which under _GNU_SOURCE is sysconf(_SC_MINSIGSTKSZ) of the host. */
#define KERNEL_MINSIGSTKSZ 2048

/* ---- guest-visible structures (x86_64 ABI) ---- */

struct guest_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct guest_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct guest_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct guest_stack uc_stack;
	struct guest_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct guest_rt_sigframe {
	uint64_t pretcode;
	struct guest_ucontext uc;
	uint8_t info[128];
};

_Static_assert(sizeof(struct guest_sigcontext) == 256, "sigcontext layout");
_Static_assert(offsetof(struct guest_ucontext, uc_sigmask) == 296, "ucontext layout");
_Static_assert(sizeof(struct guest_rt_sigframe) == 440, "rt_sigframe layout");

/* siginfo_t as the guest reads it, from what the model recorded. */
static void fill_siginfo(uint8_t out[128], const struct ksiginfo *ki)
{
	memset(out, 0, 128);
	int32_t head[3] = {ki->signo, 0, ki->code};
	memcpy(out, head, sizeof(head));
	bool fault = ki->code > 0 && ki->code < 0x80 &&
		     (ki->signo == SIGSEGV || ki->signo == SIGBUS || ki->signo == SIGILL ||
		      ki->signo == SIGFPE || ki->signo == SIGTRAP);
	if (fault) {
		memcpy(out + 16, &ki->addr, 8);
		return;
	}
	int32_t ids[2] = {ki->pid, ki->uid};
	memcpy(out + 16, ids, sizeof(ids));
	if (ki->signo == SIGCHLD && ki->code > 0) {
		memcpy(out + 24, &ki->status, 4);
		memcpy(out + 32, &ki->utime, 8); /* si_utime, si_stime */
		memcpy(out + 40, &ki->stime, 8);
		return;
	}
	memcpy(out + 24, &ki->value, 8);
}

/* ---- FPU/SSE state as an FXSAVE image ---- */

static void save_fxstate(uint8_t fx[FX_SIZE])
{
	memset(fx, 0, FX_SIZE);
	uint16_t fcw = (uint16_t)emu_reg_read(EREG_FPCW);
	uint16_t fsw = (uint16_t)emu_reg_read(EREG_FPSW);
	uint16_t ftw = (uint16_t)emu_reg_read(EREG_FPTAG);
	uint32_t mxcsr = (uint32_t)emu_reg_read(EREG_MXCSR);
	uint8_t aftw = 0; /* abridged tag: 1 bit per register, 1 = not empty */
	for (int i = 0; i < 8; i++)
		if (((ftw >> (2 * i)) & 3) != 3)
			aftw |= 1 << i;
	memcpy(fx + 0, &fcw, 2);
	memcpy(fx + 2, &fsw, 2);
	fx[4] = aftw;
	memcpy(fx + 24, &mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(fx + 28, &mask, 4);
	for (int i = 0; i < 8; i++)
		emu_vreg_read(EVREG_ST0 + i, fx + 32 + 16 * i, 10);
	for (int i = 0; i < 16; i++)
		emu_vreg_read(EVREG_XMM0 + i, fx + 160 + 16 * i, 16);
}

static void restore_fxstate(const uint8_t fx[FX_SIZE])
{
	uint16_t fcw, fsw, ftw = 0;
	uint32_t mxcsr;
	memcpy(&fcw, fx + 0, 2);
	memcpy(&fsw, fx + 2, 2);
	memcpy(&mxcsr, fx + 24, 4);
	for (int i = 0; i < 8; i++)
		if (!(fx[4] & (1 << i)))
			ftw |= 3 << (2 * i);
	emu_reg_write(EREG_FPCW, fcw);
	emu_reg_write(EREG_FPSW, fsw);
	emu_reg_write(EREG_FPTAG, ftw);
	emu_reg_write(EREG_MXCSR, mxcsr & 0xffff);
	for (int i = 0; i < 8; i++)
		emu_vreg_write(EVREG_ST0 + i, fx + 32 + 16 * i, 10);
	for (int i = 0; i < 16; i++)
		emu_vreg_write(EVREG_XMM0 + i, fx + 160 + 16 * i, 16);
}

/* ---- delivery ---- */

static bool on_sig_stack(struct task *t, uint64_t sp)
{
	return t->sas_ss_size && sp > t->sas_ss_sp && sp - t->sas_ss_sp <= t->sas_ss_size;
}

/* Which syscalls come back after a handler under SA_RESTART (Linux's
 * -ERESTARTSYS), which always fail with EINTR (-ERESTARTNOHAND), and
 * which report the time left (nanosleep's restart block). */
enum restart_kind { RESTART_SYS, RESTART_NOHAND, RESTART_SLEEP, RESTART_NOINTR };

static enum restart_kind restart_kind(long nr)
{
	switch (nr) {
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_semop: /* SysV IPC waits are never restarted (signal(7)) */
	case SYS_semtimedop:
	case SYS_msgsnd:
	case SYS_msgrcv:
		return RESTART_NOHAND;
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
		return RESTART_SLEEP;
	default:
		return RESTART_SYS;
	}
}

/* futex: a waiter already woken (or handed its PI lock) returns its result
 * and the handler runs after it, as in Linux; otherwise a timed FUTEX_WAIT
 * or WAIT_BITSET returns EINTR (its restart block, even under SA_RESTART),
 * LOCK_PI always restarts (ERESTARTNOINTR), as does WAIT_REQUEUE_PI before
 * its requeue; once requeued to the PI futex it returns EAGAIN
 * (futex_wait_requeue_pi). */
static enum restart_kind futex_restart_kind(struct task *t, long nr, long *ret)
{
	if (t->futex_woken) {
		*ret = t->futex_woken - 1; /* 0, or futex_waitv's index */
		t->futex_woken = 0;
		return RESTART_NOHAND;
	}
	if (nr != SYS_futex)
		return RESTART_SYS;
	switch ((int)emu_reg_read(EREG_RSI) & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return emu_reg_read(EREG_R10) ? RESTART_NOHAND : RESTART_SYS;
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return RESTART_NOINTR;
	case FUTEX_WAIT_REQUEUE_PI:
		if (t->futex_q.queued && t->futex_q.pi_state) {
			*ret = -EAGAIN;
			return RESTART_NOHAND;
		}
		return RESTART_NOINTR;
	default:
		return RESTART_SYS;
	}
}

/* The task sleeps inside a syscall (RIP at the syscall instruction, RAX
 * its number) and a handler is about to run: restart it after the handler
 * or make it return EINTR (or the bytes already moved), as Linux does. */
static void handle_syscall_restart(struct task *t, const struct k_sigaction *ka)
{
	long nr = (long)emu_reg_read(EREG_RAX);
	uint64_t rip = emu_reg_read(EREG_RIP);
	enum restart_kind kind = restart_kind(nr);
	long ret = -EINTR;
	if (nr == SYS_futex || nr == SYS_futex_waitv)
		kind = futex_restart_kind(t, nr, &ret);
	fifo_open_cancel(t);
	futex_unqueue(t);
	ipc_sleep_cancel(t);
	t->sig_interrupted = false;
	if (t->restart_done) {
		ret = (long)t->restart_done;
	} else if ((kind == RESTART_SYS && (ka->flags & SA_RESTART)) || kind == RESTART_NOINTR) {
		t->restarting = false;
		return; /* runs again from the start after sigreturn */
	} else if (kind == RESTART_SLEEP) {
		uint64_t now = now_ns(), d = t->restart_deadline;
		uint64_t left = !d ? KTIME_MAX : d > now ? d - now : 0; /* no deadline: forever */
		struct timespec rem = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
		uint64_t grem = nr == SYS_nanosleep ? emu_reg_read(EREG_RSI) : emu_reg_read(EREG_R10);
		bool abs = nr == SYS_clock_nanosleep && (emu_reg_read(EREG_RSI) & TIMER_ABSTIME);
		if (grem && !abs)
			copy_to_guest(t->mm, grem, &rem, sizeof(rem));
	}
	t->restarting = false;
	t->restart_done = 0;
	emu_reg_write(EREG_RAX, (uint64_t)ret);
	emu_reg_write(EREG_RCX, rip + 2);
	emu_reg_write(EREG_R11, emu_reg_read(EREG_RFLAGS));
	emu_reg_write(EREG_RIP, rip + 2);
}

/* What a frame takes on a stack at most: the FXSAVE area aligned to 64,
 * the rt_sigframe below it aligned to 16, minus 8 (get_sigframe_size(),
 * which Linux reports as AT_MINSIGSTKSZ). */
size_t sigframe_size(void)
{
	return (FX_SIZE + 63 + sizeof(struct guest_rt_sigframe) + 15 + 8 + 15) & ~(size_t)15;
}

/* Build the frame and point the CPU at the handler. -EFAULT if the stack
 * cannot take it. */
static int setup_rt_frame(struct task *t, const struct ksiginfo *info,
			  const struct k_sigaction *ka)
{
	uint64_t sp = emu_reg_read(EREG_RSP);
	bool was_on_stack = on_sig_stack(t, sp);
	sp -= 128; /* the red zone */
	bool onstack = (ka->flags & SA_ONSTACK) && t->sas_ss_size && !was_on_stack;
	if (onstack)
		sp = t->sas_ss_sp + t->sas_ss_size;
	uint64_t fpstate = (sp - FX_SIZE) & ~63ull;
	uint64_t frame = ((fpstate - sizeof(struct guest_rt_sigframe)) & ~15ull) - 8;
	/* get_sigframe(): a frame that would overflow the alternate stack it
	 * is on (nested) or goes to is not built: the process dies of SIGSEGV. */
	if ((was_on_stack || onstack) && !on_sig_stack(t, frame))
		return -EFAULT;

	struct guest_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = 0x2 | 0x4; /* UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
	/* save_altstack: the stack as it was set, flags included. */
	f.uc.uc_stack.ss_sp = t->sas_ss_sp;
	f.uc.uc_stack.ss_size = t->sas_ss_size;
	f.uc.uc_stack.ss_flags = t->sas_ss_size ? t->sas_ss_flags : SS_DISABLE;
	struct guest_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = emu_reg_read(EREG_R8);
	sc->r9 = emu_reg_read(EREG_R9);
	sc->r10 = emu_reg_read(EREG_R10);
	sc->r11 = emu_reg_read(EREG_R11);
	sc->r12 = emu_reg_read(EREG_R12);
	sc->r13 = emu_reg_read(EREG_R13);
	sc->r14 = emu_reg_read(EREG_R14);
	sc->r15 = emu_reg_read(EREG_R15);
	sc->rdi = emu_reg_read(EREG_RDI);
	sc->rsi = emu_reg_read(EREG_RSI);
	sc->rbp = emu_reg_read(EREG_RBP);
	sc->rbx = emu_reg_read(EREG_RBX);
	sc->rdx = emu_reg_read(EREG_RDX);
	sc->rax = emu_reg_read(EREG_RAX);
	sc->rcx = emu_reg_read(EREG_RCX);
	sc->rsp = emu_reg_read(EREG_RSP);
	sc->rip = emu_reg_read(EREG_RIP);
	sc->eflags = emu_reg_read(EREG_RFLAGS);
	sc->cs = 0x33;
	sc->ss = 0x2b;
	sc->fpstate = fpstate;
	if ((info->signo == SIGSEGV || info->signo == SIGBUS) && info->code > 0 && info->code < 0x80) {
		sc->cr2 = info->addr;
		sc->trapno = 14;
		sc->err = t->fault_err;
	}
	sc->oldmask = t->restore_sigmask ? t->saved_sigmask : t->sig_blocked;
	f.uc.uc_sigmask = sc->oldmask;
	fill_siginfo(f.info, info);

	uint8_t fx[FX_SIZE];
	save_fxstate(fx);
	if (copy_to_guest(t->mm, fpstate, fx, sizeof(fx)) ||
	    copy_to_guest(t->mm, frame, &f, sizeof(f)))
		return -EFAULT;

	/* SS_AUTODISARM: the handler runs with the alternate stack disabled;
	 * rt_sigreturn brings it back from the frame. */
	if (onstack && (t->sas_ss_flags & SS_AUTODISARM)) {
		t->sas_ss_sp = 0;
		t->sas_ss_size = 0;
		t->sas_ss_flags = SS_DISABLE;
	}
	emu_reg_write(EREG_RDI, (uint64_t)info->signo);
	emu_reg_write(EREG_RSI, frame + offsetof(struct guest_rt_sigframe, info));
	emu_reg_write(EREG_RDX, frame + offsetof(struct guest_rt_sigframe, uc));
	emu_reg_write(EREG_RAX, 0);
	emu_reg_write(EREG_RSP, frame);
	emu_reg_write(EREG_RIP, ka->handler);
	/* The handler starts with DF and TF clear (the ABI's direction flag). */
	emu_reg_write(EREG_RFLAGS, emu_reg_read(EREG_RFLAGS) & ~(0x400ull | 0x100ull));
	return 0;
}

void deliver_signals(struct task *t)
{
	struct ksiginfo info;
	struct k_sigaction ka;
	while (signal_pending(t)) {
		enum get_signal_result r = get_signal(t, &info, &ka);
		if (r != SIGNAL_HANDLER)
			break;
		if (t->restarting)
			handle_syscall_restart(t, &ka);
		if (setup_rt_frame(t, &info, &ka)) {
			/* No room for the frame: Linux forces SIGSEGV, and when it
			 * was SIGSEGV's own frame that failed, with the default
			 * action (force_sigsegv), so the process dies. */
			if (info.signo == SIGSEGV)
				t->sighand->action[SIGSEGV - 1].handler = (uint64_t)(uintptr_t)SIG_DFL;
			force_sig_fault(t, SIGSEGV, 0x80, 0);
			continue;
		}
		if (t->restore_sigmask) {
			t->sig_blocked = t->saved_sigmask;
			t->restore_sigmask = false;
		}
		t->sig_blocked |= ka.mask;
		if (!(ka.flags & SA_NODEFER))
			t->sig_blocked |= SIGBIT(info.signo);
		t->sig_blocked &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	}
	if (t->restore_sigmask && t->state == TASK_RUNNING && !t->restarting) {
		t->sig_blocked = t->saved_sigmask;
		t->restore_sigmask = false;
	}
}

SYS(rt_sigreturn)
{
	uint64_t frame = emu_reg_read(EREG_RSP) - 8;
	struct guest_rt_sigframe f;
	uint8_t fx[FX_SIZE];
	if (copy_from_guest(t->mm, &f, frame, sizeof(f))) {
		force_sig_fault(t, SIGSEGV, 0x80, 0);
		return 0;
	}
	const struct guest_sigcontext *sc = &f.uc.uc_mcontext;
	if (sc->fpstate && copy_from_guest(t->mm, fx, sc->fpstate, sizeof(fx))) {
		force_sig_fault(t, SIGSEGV, 0x80, 0);
		return 0;
	}
	t->sig_blocked = f.uc.uc_sigmask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	emu_reg_write(EREG_R8, sc->r8);
	emu_reg_write(EREG_R9, sc->r9);
	emu_reg_write(EREG_R10, sc->r10);
	emu_reg_write(EREG_R11, sc->r11);
	emu_reg_write(EREG_R12, sc->r12);
	emu_reg_write(EREG_R13, sc->r13);
	emu_reg_write(EREG_R14, sc->r14);
	emu_reg_write(EREG_R15, sc->r15);
	emu_reg_write(EREG_RDI, sc->rdi);
	emu_reg_write(EREG_RSI, sc->rsi);
	emu_reg_write(EREG_RBP, sc->rbp);
	emu_reg_write(EREG_RBX, sc->rbx);
	emu_reg_write(EREG_RDX, sc->rdx);
	emu_reg_write(EREG_RCX, sc->rcx);
	emu_reg_write(EREG_RSP, sc->rsp);
	/* Only the flags a user may change (Linux's FIX_EFLAGS). */
	uint64_t fix = 0x40dd5; /* AC OF DF TF SF ZF AF PF CF RF */
	emu_reg_write(EREG_RFLAGS, (emu_reg_read(EREG_RFLAGS) & ~fix) | (sc->eflags & fix));
	if (sc->fpstate)
		restore_fxstate(fx);
	/* The alternate stack as the frame recorded it (restore_altstack),
	 * unless we are on the current one. */
	if (!on_sig_stack(t, emu_reg_read(EREG_RSP))) {
		if (f.uc.uc_stack.ss_flags & SS_DISABLE) {
			t->sas_ss_sp = 0;
			t->sas_ss_size = 0;
			t->sas_ss_flags = SS_DISABLE;
		} else if (f.uc.uc_stack.ss_size >= KERNEL_MINSIGSTKSZ) {
			t->sas_ss_sp = f.uc.uc_stack.ss_sp;
			t->sas_ss_size = f.uc.uc_stack.ss_size;
			t->sas_ss_flags = f.uc.uc_stack.ss_flags & SS_AUTODISARM;
		}
	}
	syscall_return_to(sc->rip);
	return (long)sc->rax;
}

/* ---- actions and masks ---- */

SYS(rt_sigaction)
{
	/* The size, the new action read, do_sigaction's checks and change,
	 * then the old action stored: a bad oact is EFAULT after the change. */
	int sig = (int)a[0];
	if (a[3] != 8)
		return -EINVAL;
	struct k_sigaction act, old;
	if (a[1] && copy_from_guest(t->mm, &act, a[1], sizeof(act)))
		return -EFAULT;
	if (sig < 1 || sig > NSIG_MODEL)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	old = t->sighand->action[sig - 1];
	if (a[1]) {
		act.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		t->sighand->action[sig - 1] = act;
		/* POSIX: setting SIG_IGN (or SIG_DFL for a default-ignored
		 * signal) discards it if pending. */
		bool ign = act.handler == (uint64_t)(uintptr_t)SIG_IGN ||
			   (act.handler == (uint64_t)(uintptr_t)SIG_DFL &&
			    sig_default_action(sig) == SIG_DFL_IGN);
		if (ign)
			for (struct task *p = task_next(NULL); p; p = task_next(p))
				if (p->sighand == t->sighand)
					signal_flush(p, sig);
	}
	if (a[2] && copy_to_guest(t->mm, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

static long set_blocked(struct task *t, int how, uint64_t set)
{
	set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	switch (how) {
	case SIG_BLOCK:
		t->sig_blocked |= set;
		break;
	case SIG_UNBLOCK:
		t->sig_blocked &= ~set;
		break;
	case SIG_SETMASK:
		t->sig_blocked = set;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

SYS(rt_sigprocmask)
{
	if (a[3] != 8)
		return -EINVAL;
	uint64_t set, old = t->sig_blocked;
	if (a[1]) {
		if (copy_from_guest(t->mm, &set, a[1], 8))
			return -EFAULT;
		long r = set_blocked(t, (int)a[0], set);
		if (r)
			return r;
	}
	/* The new mask stays even when the old one cannot be stored. */
	if (a[2] && copy_to_guest(t->mm, a[2], &old, 8))
		return -EFAULT;
	return 0;
}

SYS(rt_sigpending)
{
	if (a[1] > 8)
		return -EINVAL;
	uint64_t p = (t->sig_pending | t->signal->shared_pending) & t->sig_blocked;
	return copy_to_guest(t->mm, a[0], &p, a[1]);
}

/* Sleep until a signal handler runs; the old mask comes back after it. */
SYS(rt_sigsuspend)
{
	if (!t->restarting) {
		uint64_t mask;
		if (a[1] != 8)
			return -EINVAL;
		if (copy_from_guest(t->mm, &mask, a[0], 8))
			return -EFAULT;
		t->saved_sigmask = t->sig_blocked;
		t->restore_sigmask = true;
		t->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	}
	return sleep_on(t, &t->sig_pending, "sigsuspend");
}

SYS(pause)
{
	return sleep_on(t, &t->sig_pending, "pause");
}

SYS(rt_sigtimedwait)
{
	uint64_t set;
	if (a[3] != 8)
		return -EINVAL;
	if (copy_from_guest(t->mm, &set, a[0], 8))
		return -EFAULT;
	/* The timeout is read and checked before a signal is taken. */
	uint64_t tmo_ns = 0;
	if (!t->restarting && a[2]) {
		long r = get_user_timespec_ns(t, a[2], &tmo_ns);
		if (r)
			return r;
	}
	set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	bool shared = !(t->sig_pending & set);
	uint64_t ready = (shared ? t->signal->shared_pending : t->sig_pending) & set;
	if (ready) {
		int sig = __builtin_ctzll(ready) + 1;
		struct ksiginfo got;
		signal_take(t, shared, sig, &got);
		t->sigwait_set = 0;
		if (a[1]) {
			uint8_t out[128];
			fill_siginfo(out, &got);
			if (copy_to_guest(t->mm, a[1], out, sizeof(out)))
				return -EFAULT;
		}
		return sig;
	}
	if (!t->restarting) {
		t->restart_deadline = 0;
		if (a[2])
			t->restart_deadline = deadline_after(tmo_ns);
	} else if (t->restart_deadline && now_ns() >= t->restart_deadline) {
		t->sigwait_set = 0;
		return -EAGAIN;
	}
	t->sigwait_set = set;
	if (t->restart_deadline)
		return sleep_until(t, &t->sig_pending, t->restart_deadline, "sigtimedwait");
	return sleep_on(t, &t->sig_pending, "sigtimedwait");
}

SYS(sigaltstack)
{
	struct guest_stack old = {t->sas_ss_sp, 0, 0, t->sas_ss_size};
	uint64_t sp = emu_reg_read(EREG_RSP);
	old.ss_flags = !t->sas_ss_size ? SS_DISABLE
		       : on_sig_stack(t, sp) ? SS_ONSTACK
					     : (t->sas_ss_flags & SS_AUTODISARM);
	if (a[0]) {
		struct guest_stack ss;
		if (copy_from_guest(t->mm, &ss, a[0], sizeof(ss)))
			return -EFAULT;
		if (on_sig_stack(t, sp))
			return -EPERM;
		int mode = ss.ss_flags & ~SS_AUTODISARM;
		if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
			return -EINVAL;
		if (t->sas_ss_sp == ss.ss_sp && t->sas_ss_size == ss.ss_size &&
		    t->sas_ss_flags == ss.ss_flags) {
			/* The stack it has (do_sigaltstack: no size check). */
		} else if (mode == SS_DISABLE) {
			t->sas_ss_sp = 0;
			t->sas_ss_size = 0;
			ss.ss_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < KERNEL_MINSIGSTKSZ)
				return -ENOMEM;
			t->sas_ss_sp = ss.ss_sp;
			t->sas_ss_size = ss.ss_size;
		}
		t->sas_ss_flags = ss.ss_flags;
	}
	if (a[1] && copy_to_guest(t->mm, a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* ---- sending ---- */

static bool is_group_leader(struct task *p)
{
	return p->tid == p->tgid;
}

/* A PID namespace's init cannot be sent SIGKILL or SIGSTOP from inside its
 * own namespace (send_signal_locked's force); the other signals it has no
 * handler for, it ignores wherever they come from (sig_ignored). */
static bool sig_unkillable_init(struct task *sender, struct task *p, int sig)
{
	return (sig == SIGKILL || sig == SIGSTOP) && signal_unkillable(p) &&
	       pid_visible(sender, p->pid_ns);
}

/* The checks every sender makes on its target: -ESRCH, -EINVAL, -EPERM
 * (check_kill_permission), or 0. */
static long check_target(const struct task *t, const struct task *p, int sig)
{
	if (!p || p->state == TASK_DEAD)
		return -ESRCH;
	if (sig < 0 || sig > NSIG_MODEL)
		return -EINVAL;
	return check_kill_permission(t, p, sig);
}

/* kill() signals the process of @p; tkill/tgkill the thread itself. */
static long send_to(struct task *t, struct task *p, int sig, int code)
{
	long err = check_target(t, p, sig);
	if (err || !sig)
		return err;
	if (sig_unkillable_init(t, p, sig))
		return 0;
	/* si_pid and si_uid: the sender as the receiver's namespaces see it. */
	struct ksiginfo info = {.code = code, .pid = task_tgid_nr_ns(t, p->pid_ns),
				.uid = (int)from_kuid_munged(p, t->cred->uid)};
	return code == SI_USER ? send_group_signal(p, sig, &info) : send_signal(p, sig, &info);
}

/* kill(2): a process, a process group (0: ours; -pgid), or -1: everyone
 * we may signal except ourselves (init is not a guest). */
SYS(kill)
{
	int pid = (int)a[0], sig = (int)a[1];
	if (sig < 0 || sig > NSIG_MODEL)
		return -EINVAL;
	if (pid > 0) {
		struct task *p = find_task_by_pid_ns(pid, t->pid_ns);
		/* The modeled init (pid 1 of the initial namespace, no task of
		 * the model): root's; like any init it takes no signal it has
		 * no handler for, and the model gives it none. */
		if (!p && pid == 1 && t->pid_ns->level == 0) {
			const struct cred *c = t->cred;
			return c->euid == 0 || c->uid == 0 || ns_capable(t, NULL, CAP_KILL) ? 0 : -EPERM;
		}
		return send_to(t, p, sig, SI_USER);
	}
	if (pid == INT_MIN)
		return -ESRCH;
	int pgid = pid == 0 ? t->signal->pgid : pid_global(-pid, t->pid_ns);
	bool found = false, success = false;
	long err = 0;
	for (struct task *p = task_next(NULL); p; p = task_next(p)) {
		if (p->state == TASK_ZOMBIE || p->state == TASK_DEAD || !is_group_leader(p))
			continue;
		/* -1: every process we can see but ourselves and our init. */
		if (pid == -1 ? p->tgid == t->tgid || task_tgid_nr_ns(p, t->pid_ns) <= 1
			      : p->signal->pgid != pgid || !pgid)
			continue;
		found = true;
		long e = send_to(t, p, sig, SI_USER);
		/* -1 ignores EPERM; a group reports success if any member got
		 * the signal, else the last error (kill_something_info). */
		if (pid != -1 || e != -EPERM)
			err = e;
		success |= !e;
	}
	if (!found)
		return -ESRCH;
	if (pid == -1)
		return err;
	return success ? 0 : err;
}

SYS(tkill)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return send_to(t, find_task_by_pid_ns((int)a[0], t->pid_ns), (int)a[1], SI_TKILL_CODE);
}

SYS(tgkill)
{
	if ((int)a[0] <= 0 || (int)a[1] <= 0)
		return -EINVAL;
	struct task *p = find_task_by_pid_ns((int)a[1], t->pid_ns);
	if (p && task_tgid_nr_ns(p, t->pid_ns) != (int)a[0])
		p = NULL;
	return send_to(t, p, (int)a[2], SI_TKILL_CODE);
}

/* rt_sigqueueinfo / rt_tgsigqueueinfo: a caller-made siginfo; like Linux,
 * a process may not pretend to be the kernel or kill() (si_code >= 0). */
static long queue_info(struct task *t, struct task *p, int sig, uint64_t ginfo, bool to_thread)
{
	uint8_t raw[128];
	if (copy_from_guest(t->mm, raw, ginfo, sizeof(raw)))
		return -EFAULT;
	int32_t code;
	memcpy(&code, raw + 8, 4);
	if ((code >= 0 || code == SI_TKILL_CODE) && (!p || p->tgid != t->tgid))
		return -EPERM;
	long err = check_target(t, p, sig);
	if (err || !sig)
		return err;
	struct ksiginfo info = {.code = code};
	memcpy(&info.pid, raw + 16, 4);
	memcpy(&info.uid, raw + 20, 4);
	memcpy(&info.value, raw + 24, 8);
	return to_thread ? send_signal(p, sig, &info) : send_group_signal(p, sig, &info);
}

SYS(rt_sigqueueinfo)
{
	return queue_info(t, find_task_by_pid_ns((int)a[0], t->pid_ns), (int)a[1], a[2], false);
}

SYS(rt_tgsigqueueinfo)
{
	struct task *p = find_task_by_pid_ns((int)a[1], t->pid_ns);
	if (p && task_tgid_nr_ns(p, t->pid_ns) != (int)a[0])
		p = NULL;
	return queue_info(t, p, (int)a[2], a[3], true);
}

/* ---- ITIMER_REAL and alarm, on the scheduler's clock ---- */

static void ns_to_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)((ns % 1000000000ull) / 1000);
}

static void get_real_timer(struct task *t, struct itimerval *v)
{
	uint64_t now = now_ns(), d = t->signal->it_real_deadline;
	ns_to_timeval(d > now ? d - now : 0, &v->it_value);
	if (d && d <= now)
		v->it_value.tv_usec = 1; /* due: still armed until it fires */
	ns_to_timeval(t->signal->it_real_interval, &v->it_interval);
}

static long timeval_ns(const struct timeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = timespec_to_ns((uint64_t)tv->tv_sec, (uint64_t)tv->tv_usec * 1000ull);
	return 0;
}

SYS(getitimer)
{
	struct itimerval v;
	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	if (a[0] == ITIMER_REAL) {
		get_real_timer(t, &v);
	} else {
		uint64_t value, interval;
		cpu_itimer_get(t, (int)a[0], &value, &interval);
		ns_to_timeval(value, &v.it_value);
		ns_to_timeval(interval, &v.it_interval);
	}
	return copy_to_guest(t->mm, a[1], &v, sizeof(v));
}

SYS(setitimer)
{
	struct itimerval nv, ov;
	uint64_t value, interval;
	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	memset(&nv, 0, sizeof(nv));
	if (a[1] && copy_from_guest(t->mm, &nv, a[1], sizeof(nv)))
		return -EFAULT;
	if (timeval_ns(&nv.it_value, &value) || timeval_ns(&nv.it_interval, &interval))
		return -EINVAL;
	if (a[0] != ITIMER_REAL) {
		/* ITIMER_VIRTUAL/ITIMER_PROF: on the process's CPU time. */
		uint64_t ovalue, ointerval;
		cpu_itimer_get(t, (int)a[0], &ovalue, &ointerval);
		ns_to_timeval(ovalue, &ov.it_value);
		ns_to_timeval(ointerval, &ov.it_interval);
		cpu_itimer_set(t, (int)a[0], value, interval);
		if (a[2] && copy_to_guest(t->mm, a[2], &ov, sizeof(ov)))
			return -EFAULT;
		return 0;
	}
	get_real_timer(t, &ov);
	signal_real_timer_set(t, value ? deadline_after(value) : 0, interval);
	if (a[2] && copy_to_guest(t->mm, a[2], &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

SYS(alarm)
{
	struct itimerval ov;
	get_real_timer(t, &ov);
	signal_real_timer_set(t, a[0] ? now_ns() + (uint64_t)(unsigned)a[0] * 1000000000ull : 0, 0);
	/* Seconds left, rounded to nearest, and never 0 for an armed timer. */
	long left = ov.it_value.tv_sec + (ov.it_value.tv_usec >= 500000);
	if (!left && (ov.it_value.tv_usec || ov.it_value.tv_sec))
		left = 1;
	return left;
}
