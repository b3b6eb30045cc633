/*
 * sig_altstack: sigaltstack and SA_ONSTACK.
 *
 *   - no alternate stack at start (SS_DISABLE); a size below MINSIGSTKSZ
 *     -> ENOMEM, unknown flags -> EINVAL; the installed one reads back
 *   - an SA_ONSTACK handler runs on it: the address of a local variable is
 *     inside; sigaltstack() there reports SS_ONSTACK, and changing or
 *     disabling the stack while on it fails with EPERM; the ucontext's
 *     uc_stack describes the alternate stack with the flags it was set
 *     with (0 or SS_AUTODISARM: Linux >= 4.7 saves sas_ss_flags, not
 *     whether the interrupted code was on it)
 *   - a handler without SA_ONSTACK runs on the ordinary stack and sees
 *     flags 0; it may disable the alternate stack, but rt_sigreturn puts
 *     back the one saved in uc_stack
 *   - a nested SA_ONSTACK handler stays on the alternate stack, below the
 *     outer handler's frame (the stack is not restarted from the top)
 *   - SS_AUTODISARM: inside the handler the alternate stack is disarmed
 *     (SS_DISABLE), and it is back after the handler returns
 *   - after SS_DISABLE an SA_ONSTACK handler runs on the ordinary stack
 *   - fork keeps the alternate stack
 *   - stack overflow by deep recursion (in a child, RLIMIT_STACK <= 8 MiB):
 *     an SA_ONSTACK SIGSEGV handler runs on the alternate stack and
 *     siglongjmps out; without an alternate stack the same overflow kills
 *     the child with SIGSEGV
 */
#include "guest_check.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/resource.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define ALT_SIZE (64 * 1024)

static char alt[ALT_SIZE] __attribute__((aligned(16)));

static int on_alt(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	return a >= (uintptr_t)alt && a < (uintptr_t)alt + ALT_SIZE;
}

static void set_alt(int flags)
{
	stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = flags};
	need(sigaltstack(&ss, NULL) == 0, 90, "sigaltstack");
}

static void disable_alt(void)
{
	stack_t ss = {.ss_flags = SS_DISABLE};
	need(sigaltstack(&ss, NULL) == 0, 90, "sigaltstack(SS_DISABLE)");
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	need(sigaction(sig, &sa, NULL) == 0, 91, "sigaction");
}

/* What a handler saw. */
static struct {
	int ran, local_on_alt, flags, change_err, disable_err;
	int uc_sp_ok, uc_size_ok, uc_flags;
	uintptr_t local_addr, inner_addr;
	int inner_on_alt, inner_uc_flags;
} seen;

static void probe(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	volatile char local = 0;
	ucontext_t *uc = ucv;
	stack_t cur;
	seen.ran++;
	seen.local_addr = (uintptr_t)&local;
	seen.local_on_alt = on_alt((const void *)&local);
	seen.flags = sigaltstack(NULL, &cur) == 0 ? cur.ss_flags : -1;
	stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
	seen.change_err = sigaltstack(&ss, NULL) == 0 ? 0 : errno;
	stack_t off = {.ss_flags = SS_DISABLE};
	seen.disable_err = sigaltstack(&off, NULL) == 0 ? 0 : errno;
	seen.uc_sp_ok = uc->uc_stack.ss_sp == alt;
	seen.uc_size_ok = uc->uc_stack.ss_size == ALT_SIZE;
	seen.uc_flags = uc->uc_stack.ss_flags;
}

static void inner(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	volatile char local = 0;
	seen.inner_uc_flags = ((ucontext_t *)uc)->uc_stack.ss_flags;
	seen.inner_addr = (uintptr_t)&local;
	seen.inner_on_alt = on_alt((const void *)&local);
}

static void outer(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	volatile char local = 0;
	seen.ran++;
	seen.local_addr = (uintptr_t)&local;
	seen.local_on_alt = on_alt((const void *)&local);
	raise(SIGUSR2);
}

static void setup_checks(void)
{
	stack_t old;
	need(sigaltstack(NULL, &old) == 0, 90, "sigaltstack query");
	check(old.ss_flags == SS_DISABLE, 10, "at start there is no alternate stack (SS_DISABLE)");
	/* 1024: below the kernel's minimum however large the CPU's xstate is
	 * (glibc's MINSIGSTKSZ is a sysconf() value, not the kernel's 2048) */
	stack_t small = {.ss_sp = alt, .ss_size = 1024, .ss_flags = 0};
	errno = 0;
	long r = sigaltstack(&small, NULL);
	expect_errno(r, errno, ENOMEM, 11, "sigaltstack with ss_size 1024 (< MINSIGSTKSZ)");
	stack_t bad = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x1234};
	errno = 0;
	r = sigaltstack(&bad, NULL);
	expect_errno(r, errno, EINVAL, 12, "sigaltstack with unknown flags");
	set_alt(0);
	stack_t cur;
	need(sigaltstack(NULL, &cur) == 0, 90, "sigaltstack query");
	check(cur.ss_sp == alt && cur.ss_size == ALT_SIZE && cur.ss_flags == 0, 13,
	      "installed alternate stack reads back (same sp and size, flags 0 outside a handler)");
}

static void onstack_handler(void)
{
	memset(&seen, 0, sizeof(seen));
	install(SIGUSR1, probe, SA_ONSTACK);
	raise(SIGUSR1);
	expect_eq(seen.ran, 1, 20, "SA_ONSTACK handler ran");
	check(seen.local_on_alt, 21, "  a local variable of the handler is inside the alternate stack");
	expect_eq(seen.flags, SS_ONSTACK, 22, "  sigaltstack() in the handler reports SS_ONSTACK");
	expect_eq(seen.change_err, EPERM, 23, "  changing the alternate stack while on it -> EPERM");
	expect_eq(seen.disable_err, EPERM, 24, "  disabling it while on it -> EPERM");
	check(seen.uc_sp_ok && seen.uc_size_ok, 25, "  uc_stack has the alternate stack's sp and size");
	expect_eq(seen.uc_flags, 0, 26, "  uc_stack.ss_flags is 0 (the interrupted code was not on it)");
	stack_t cur;
	sigaltstack(NULL, &cur);
	expect_eq(cur.ss_flags, 0, 27, "  after return: flags 0 again");
}

static void plain_handler(void)
{
	memset(&seen, 0, sizeof(seen));
	install(SIGUSR1, probe, 0);
	raise(SIGUSR1);
	expect_eq(seen.ran, 1, 30, "handler without SA_ONSTACK ran");
	check(!seen.local_on_alt, 31, "  on the ordinary stack");
	expect_eq(seen.flags, 0, 32, "  sigaltstack() there reports flags 0");
	expect_eq(seen.change_err, 0, 33, "  and may change the alternate stack");
	expect_eq(seen.uc_flags, 0, 34, "  uc_stack.ss_flags is 0");
	stack_t cur;
	sigaltstack(NULL, &cur);
	check(cur.ss_sp == alt && cur.ss_size == ALT_SIZE && cur.ss_flags == 0, 35,
	      "  its change (it disabled the stack) is undone by rt_sigreturn, which restores uc_stack");
	memset(&seen, 0, sizeof(seen));
	install(SIGUSR1, probe, SA_ONSTACK);
	raise(SIGUSR1);
	check(seen.ran == 1 && seen.local_on_alt, 36, "  and the next SA_ONSTACK handler does run on it");
}

static void nested_handlers(void)
{
	memset(&seen, 0, sizeof(seen));
	set_alt(0);
	install(SIGUSR1, outer, SA_ONSTACK);
	install(SIGUSR2, inner, SA_ONSTACK);
	raise(SIGUSR1);
	check(seen.local_on_alt, 40, "nested SA_ONSTACK handlers: the outer one runs on the alternate stack");
	check(seen.inner_on_alt, 41, "  the inner one too");
	check(seen.inner_addr < seen.local_addr, 42, "  the inner frame is below the outer one");
	expect_eq(seen.inner_uc_flags, 0, 43, "  the inner handler's uc_stack.ss_flags is the stack's own flags (0)");
	signal(SIGUSR2, SIG_DFL);
}

static void autodisarm(void)
{
	memset(&seen, 0, sizeof(seen));
	set_alt(SS_AUTODISARM);
	install(SIGUSR1, probe, SA_ONSTACK);
	raise(SIGUSR1);
	check(seen.local_on_alt, 50, "SS_AUTODISARM: the handler runs on the alternate stack");
	expect_eq(seen.flags, SS_DISABLE, 51, "  inside, sigaltstack() reports SS_DISABLE");
	check(seen.uc_sp_ok && seen.uc_size_ok && (unsigned)seen.uc_flags == SS_AUTODISARM, 53,
	      "  uc_stack keeps the stack with SS_AUTODISARM (what rt_sigreturn restores)");
	stack_t cur;
	sigaltstack(NULL, &cur);
	check(cur.ss_sp == alt && cur.ss_size == ALT_SIZE && (cur.ss_flags & ~SS_AUTODISARM) == 0, 52,
	      "  after return the alternate stack is armed again");
	set_alt(0);
}

static void disabled_then_onstack(void)
{
	memset(&seen, 0, sizeof(seen));
	disable_alt();
	install(SIGUSR1, probe, SA_ONSTACK);
	raise(SIGUSR1);
	check(seen.ran == 1 && !seen.local_on_alt, 60, "after SS_DISABLE an SA_ONSTACK handler runs on the ordinary stack");
	expect_eq(seen.flags, SS_DISABLE, 61, "  and sees SS_DISABLE");
	set_alt(0);
}

static void fork_keeps(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		stack_t cur;
		sigaltstack(NULL, &cur);
		_exit(cur.ss_sp == alt && cur.ss_size == ALT_SIZE && cur.ss_flags == 0 ? 0 : 1);
	}
	expect_status(pid, "exited 0", 70, "fork: the child has the same alternate stack");
}

/* --- overflow ------------------------------------------------------------ */

static sigjmp_buf overflow_jmp;
static volatile int overflow_on_alt, overflow_code;

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	volatile char local = 0;
	overflow_on_alt = on_alt((const void *)&local);
	overflow_code = si->si_code;
	siglongjmp(overflow_jmp, 1);
}

static volatile long depth;

static __attribute__((noinline)) long recurse(long n)
{
	volatile char pad[1000];
	pad[0] = (char)n;
	pad[sizeof(pad) - 1] = (char)n;
	depth = n;
	if (n > 100000000)
		return pad[0];
	return recurse(n + 1) + pad[sizeof(pad) - 1];
}

static void limit_stack(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 8u << 20) {
		rl.rlim_cur = 8u << 20;
		setrlimit(RLIMIT_STACK, &rl);
	}
}

static void overflow(int with_alt, int code)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		limit_stack();
		if (with_alt)
			set_alt(0); /* not relying on fork_keeps() above */
		else
			disable_alt();
		install(SIGSEGV, on_overflow, with_alt ? SA_ONSTACK : 0);
		if (sigsetjmp(overflow_jmp, 1) == 0) {
			recurse(0);
			_exit(10);
		}
		if (!overflow_on_alt)
			_exit(11);
		if (depth < 1000)
			_exit(12); /* the overflow came far too early */
		_exit(0);
	}
	if (with_alt)
		expect_status(pid, "exited 0", code,
			      "stack overflow by recursion: SA_ONSTACK SIGSEGV handler on the alternate stack, siglongjmp out");
	else
		expect_status(pid, "killed by signal 11", code,
			      "the same overflow without an alternate stack kills the child");
}

int main(void)
{
	setup_checks();
	onstack_handler();
	plain_handler();
	nested_handlers();
	autodisarm();
	disabled_then_onstack();
	fork_keeps();
	overflow(1, 80);
	overflow(0, 81);
	return guest_finish();
}
