/* Syscall entry: the syscall hook calls syscall_dispatch for the running
 * task; it decodes RAX and the six argument registers, calls the handler
 * from the table and stores the result in RAX, as Linux's do_syscall_64. */
#ifndef SYSCALLS_DISPATCH_H
#define SYSCALLS_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

typedef long (*syscall_fn)(struct task *t, const uint64_t *a);

struct syscall_desc {
	const char *name;
	syscall_fn fn;
	int nargs;
};

#define NR_SYSCALLS 512
extern const struct syscall_desc syscall_table[NR_SYSCALLS];
extern const char *const syscall_names[NR_SYSCALLS];

void syscall_dispatch(struct task *t);
/* The handler has set every register for the return (execve,
 * rt_sigreturn): resume at @rip, and leave RCX/R11 as they are. */
void syscall_return_to(uint64_t rip);
/* Run handlers for the pending signals of @t, whose registers are on the
 * CPU and which is not inside a syscall hook: frames are built, a sleeping
 * syscall is restarted or fails with EINTR, fatal ones end the process. */
void deliver_signals(struct task *t);
/* The stack a signal frame needs at most (AT_MINSIGSTKSZ). */
size_t sigframe_size(void);
/* Name of syscall @nr, or NULL when it is not an x86_64 syscall. */
const char *syscall_name(long nr);
/* What strace calls syscall @nr: its name, or "syscall_0x1c8" (@nr in hex)
 * written into @buf (@len bytes) for a number x86_64 does not have. For
 * --trace, --summary and --timeline alike. */
const char *syscall_name_or_nr(long nr, char *buf, size_t len);

/* --warn-unknown: report each syscall that returns ENOSYS because cloneemu
 * does not know it (once per number). */
extern bool syscall_warn_unknown;
/* --inspect-at N: call syscall_inspect_hook when syscall number N (counting
 * every task's) is entered. */
extern uint64_t inspect_at_syscall;
/* The stepper: true = stop before this syscall runs (the task resumes at
 * the syscall instruction). */
extern bool (*syscall_stop_hook)(struct task *t, long nr);
extern void (*syscall_inspect_hook)(void);
/* --inspect, --graph, --timeline (NULL: nobody listens): a syscall is
 * entered (before the virtual clock advances for it), and it returned
 * @ret (-EKBLOCK: it went to sleep, or the stepper stopped before it). */
extern void (*syscall_enter_hook)(struct task *t, long nr);
extern void (*syscall_exit_hook)(struct task *t, long nr, const uint64_t *a, long ret);
/* How many syscalls (all tasks) were entered so far. */
uint64_t syscall_total(void);
/* The debugger (gdb's fork, vfork and exec events): a process or thread
 * was made (@flags: the clone flags) and is about to be started; a vfork
 * caller's wait ended; an exec succeeded. NULL: nobody listens. */
extern void (*clone_event_hook)(struct task *parent, struct task *child, uint64_t flags);
extern void (*vfork_done_hook)(struct task *t);
extern void (*exec_event_hook)(struct task *t);
/* --disable-syscall NAME: the syscall returns ENOSYS as if unknown (to
 * test libc fallbacks, e.g. glibc's clone3 -> clone). 0 or -1 if no such name. */
int syscall_disable(const char *name);

#endif
