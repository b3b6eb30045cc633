/* The syscall entry path (Linux's do_syscall_64, STYLE.md S2). Only this
 * file reads argument registers and writes the result: handlers see an
 * array of six arguments and return a value or -errno.
 *
 * x86_64 syscall convention: number in RAX, arguments in RDI, RSI, RDX,
 * R10, R8, R9; the result in RAX; the CPU clobbers RCX (return address) and
 * R11 (RFLAGS), which Unicorn does not do, so we do it. Unicorn's hook sees
 * RIP at the syscall instruction and adds 2 after the hook returns. */
#include "syscalls/dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "emu/cpu.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/cred_host.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "syscalls/trace.h"

bool syscall_warn_unknown;
uint64_t inspect_at_syscall;
void (*syscall_inspect_hook)(void);
bool (*syscall_stop_hook)(struct task *t, long nr);
void (*syscall_enter_hook)(struct task *t, long nr);
void (*syscall_exit_hook)(struct task *t, long nr, const uint64_t *a, long ret);
static uint64_t syscall_count;

uint64_t syscall_total(void)
{
	return syscall_count;
}
static uint8_t warned[NR_SYSCALLS];
static uint8_t disabled[NR_SYSCALLS];

int syscall_disable(const char *name)
{
	for (int nr = 0; nr < NR_SYSCALLS; nr++)
		if (syscall_names[nr] && !strcmp(syscall_names[nr], name)) {
			disabled[nr] = 1;
			return 0;
		}
	return -1;
}
static bool rip_overridden;

const char *syscall_name(long nr)
{
	return nr >= 0 && nr < NR_SYSCALLS ? syscall_names[nr] : NULL;
}

const char *syscall_name_or_nr(long nr, char *buf, size_t len)
{
	const char *name = syscall_name(nr);
	if (name)
		return name;
	snprintf(buf, len, "syscall_%#lx", nr);
	return buf;
}

void syscall_return_to(uint64_t rip)
{
	emu_reg_write(EREG_RIP, rip - 2);
	rip_overridden = true;
}

static void warn_unknown(long nr)
{
	if (nr >= 0 && nr < NR_SYSCALLS) {
		if (warned[nr])
			return;
		warned[nr] = 1;
	}
	const char *name = syscall_name(nr);
	if (name)
		fprintf(stderr, "cloneemu: unsupported syscall %s (%ld): ENOSYS\n", name, nr);
	else
		fprintf(stderr, "cloneemu: unknown syscall %ld: ENOSYS\n", nr);
}

void syscall_dispatch(struct task *t)
{
	uint64_t rip = emu_reg_read(EREG_RIP);
	long nr = (long)emu_reg_read(EREG_RAX);
	uint64_t a[6] = {
		emu_reg_read(EREG_RDI), emu_reg_read(EREG_RSI), emu_reg_read(EREG_RDX),
		emu_reg_read(EREG_R10), emu_reg_read(EREG_R8),  emu_reg_read(EREG_R9),
	};
	long ret;
	rip_overridden = false;
	if (++syscall_count == inspect_at_syscall && syscall_inspect_hook)
		syscall_inspect_hook();
	if (syscall_enter_hook)
		syscall_enter_hook(t, nr);
	clock_advance(VCLOCK_SYSCALL_NS);
	account_syscall(t);
	if (syscall_stop_hook && !t->restarting && syscall_stop_hook(t, nr)) {
		if (syscall_exit_hook)
			syscall_exit_hook(t, nr, a, -EKBLOCK);
		emu_reg_write(EREG_RIP, rip - 2); /* resume at the syscall itself */
		emu_request_stop();
		return;
	}
	if (rr_recording || rr_replaying)
		rr_syscall(t->tid, nr, rip, a);
	if (trace_enabled && !t->trace_resumed)
		trace_syscall_enter(t, nr, a);
	if (nr >= 0 && nr < NR_SYSCALLS && syscall_table[nr].fn && !disabled[nr]) {
		host_override_creds(t); /* host files see the task's fs ids */
		ret = syscall_table[nr].fn(t, a);
	} else {
		ret = -ENOSYS;
		if (syscall_warn_unknown)
			warn_unknown(nr);
	}
	if (trace_enabled && (ret != -EKBLOCK || !t->trace_resumed))
		trace_syscall(t, nr, a, ret);
	if (syscall_exit_hook)
		syscall_exit_hook(t, nr, a, ret);
	if (ret == -EKBLOCK && t->state == TASK_INTERRUPTIBLE) {
		/* Asleep: resume at the syscall instruction itself, RAX still
		 * holding the number, so the call runs again once woken. A
		 * signal already pending interrupts the sleep at once. */
		t->restarting = true;
		if (signal_pending(t) && (!t->wait_killable || fatal_signal_pending(t))) {
			wake_task(t);
			t->sig_interrupted = true; /* the signal is what ends this wait */
		}
		emu_reg_write(EREG_RIP, rip - 2);
		emu_request_stop();
		return;
	}
	t->restarting = false;
	t->sig_interrupted = false;
	t->restart_done = 0;
	if (t->state != TASK_RUNNING) {
		emu_request_stop();
		return;
	}
	emu_reg_write(EREG_RAX, (uint64_t)ret);
	if (!rip_overridden) {
		emu_reg_write(EREG_RCX, rip + 2);
		emu_reg_write(EREG_R11, emu_reg_read(EREG_RFLAGS));
	}
	/* Pending signals take effect on the way back to the guest (Linux's
	 * exit_to_user_mode): the run loop delivers them once the CPU has
	 * left the hook. */
	if (signal_pending(t) || sched_need_resched())
		emu_request_stop();
}
