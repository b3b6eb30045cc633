/*
 * sig_sighand_share: who sees a signal handler installed by a clone child.
 * CLONE_SIGHAND makes parent and child share one table of dispositions, so
 * a handler either side installs afterwards is the other side's handler too;
 * without it (CLONE_VM alone, or no CLONE_VM at all, i.e. fork) each side
 * has its own copy from the moment of the clone.
 *
 *   - CLONE_VM|CLONE_SIGHAND (child on its own stack): the child installs a
 *     SIGUSR1 handler with raw rt_sigaction; afterwards the parent's
 *     sigaction() returns that handler, and raise(SIGUSR1) in the parent
 *     runs it
 *   - CLONE_VM|CLONE_SIGHAND the other way: the parent installs a SIGUSR2
 *     handler while the child sleeps in read(); the child wakes, finds the
 *     handler in rt_sigaction, and tkill() on itself runs it in the child
 *   - CLONE_VM without CLONE_SIGHAND: the child's handler stays in the child
 *   - raw clone with neither (a fork): the same, and a handler the parent
 *     installs after the clone is not seen by the child
 *   - CLONE_SIGHAND without CLONE_VM is refused with EINVAL
 *
 * The CLONE_VM children make raw syscalls only (no errno, no stdio) and
 * report through shared variables; the raw handler returns through its own
 * restorer (rt_sigreturn), as libc's would.
 */
#include "guest_check.h"

#include <sched.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

/* The kernel's struct sigaction for x86_64 rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

#define K_SA_RESTORER 0x04000000UL

static long raw4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

/* Our own restorer: what glibc's __restore_rt and musl's __restore_rt do. */
extern void sig_share_restorer(void);
__asm__(".text\n"
	".globl sig_share_restorer\n"
	"sig_share_restorer:\n"
	"\tmov $15, %eax\n"
	"\tsyscall\n"
	"\thlt\n");

static volatile long usr1_runs, usr1_last_tid;
static volatile long usr2_runs, usr2_last_tid;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_runs++;
	usr1_last_tid = raw_gettid();
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_runs++;
	usr2_last_tid = raw_gettid();
}

static long raw_install(int sig, void (*fn)(int))
{
	struct ksigaction sa = {(void *)fn, K_SA_RESTORER, (void *)sig_share_restorer, 0};
	return raw4(SYS_rt_sigaction, sig, (long)&sa, 0, 8);
}

static void *raw_query(int sig)
{
	struct ksigaction old;
	memset(&old, 0, sizeof(old));
	if (raw4(SYS_rt_sigaction, sig, 0, (long)&old, 8) != 0)
		return (void *)-1;
	return old.handler;
}

static void *libc_query(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	if (sigaction(sig, NULL, &sa) != 0)
		return (void *)-1;
	return (void *)sa.sa_handler;
}

static void reset_both(void)
{
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	usr1_runs = usr2_runs = 0;
	usr1_last_tid = usr2_last_tid = 0;
}

/* --- child installs, parent looks ------------------------------------ */

static volatile long child_install_ret;

static int child_installs_usr1(void *arg)
{
	(void)arg;
	child_install_ret = raw_install(SIGUSR1, on_usr1);
	return 0;
}

static void child_installs(unsigned long flags, int shared, const char *tag, int code)
{
	reset_both();
	child_install_ret = -1;
	fflush(stdout);
	void *stack = (flags & CLONE_VM) ? child_stack + STACK_SIZE : NULL;
	long pid = raw_clone(flags | SIGCHLD, stack, NULL, NULL, 0, child_installs_usr1, NULL);
	need(pid > 0, 90, "clone");
	expect_status(pid, "exited 0", code, tag);
	if (flags & CLONE_VM)
		expect_eq(child_install_ret, 0, code + 1, "  child's rt_sigaction succeeded (seen in shared memory)");
	void *h = libc_query(SIGUSR1);
	if (shared) {
		check(h == (void *)on_usr1, code + 2, "  parent's sigaction(SIGUSR1) returns the child's handler");
		raise(SIGUSR1);
		expect_eq(usr1_runs, 1, code + 3, "  raise(SIGUSR1) in the parent runs the child's handler once");
		check(usr1_last_tid == raw_gettid(), code + 4, "  ... on the parent's own thread");
	} else {
		check(h == SIG_DFL, code + 2, "  parent's sigaction(SIGUSR1) is still SIG_DFL");
		expect_eq(usr1_runs, 0, code + 3, "  no handler has run in the parent");
	}
	reset_both();
}

/* --- parent installs after the clone, child looks ----------------------- */

static int gate[2];
static volatile long seen_in_child; /* 1 handler, 0 SIG_DFL, -1 other */
static volatile long child_tid_seen;

static int child_waits_then_looks(void *arg)
{
	(void)arg;
	char c;
	/* raw read: blocks until the parent has installed its handler */
	long r = raw4(SYS_read, gate[0], (long)&c, 1, 0);
	if (r != 1)
		return 10;
	void *h = raw_query(SIGUSR2);
	seen_in_child = h == (void *)on_usr2 ? 1 : h == SIG_DFL ? 0 : -1;
	child_tid_seen = raw_gettid();
	if (seen_in_child == 1)
		raw4(SYS_tkill, child_tid_seen, SIGUSR2, 0, 0);
	return 0;
}

static void parent_installs_shared(void)
{
	reset_both();
	seen_in_child = -2;
	need(pipe(gate) == 0, 91, "pipe");
	fflush(stdout);
	long pid = raw_clone(CLONE_VM | CLONE_SIGHAND | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0,
			     child_waits_then_looks, NULL);
	need(pid > 0, 90, "clone");
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	need(sigaction(SIGUSR2, &sa, NULL) == 0, 92, "sigaction");
	need(write(gate[1], "g", 1) == 1, 93, "write gate");
	expect_status(pid, "exited 0", 30, "CLONE_VM|CLONE_SIGHAND, parent installs later: child exits 0");
	expect_eq(seen_in_child, 1, 31, "  child's rt_sigaction(SIGUSR2) returns the parent's new handler");
	expect_eq(usr2_runs, 1, 32, "  tkill(child, SIGUSR2) ran the shared handler once");
	check(usr2_last_tid == child_tid_seen && child_tid_seen != raw_gettid(), 33,
	      "  ... on the child's thread, not the parent's");
	close(gate[0]);
	close(gate[1]);
	reset_both();
}

static void parent_installs_fork(void)
{
	reset_both();
	need(pipe(gate) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		if (read(gate[0], &c, 1) != 1)
			_exit(10);
		void *h = libc_query(SIGUSR2);
		_exit(h == SIG_DFL ? 0 : h == (void *)on_usr2 ? 1 : 2);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	need(sigaction(SIGUSR2, &sa, NULL) == 0, 92, "sigaction");
	need(write(gate[1], "g", 1) == 1, 93, "write gate");
	expect_status(pid, "exited 0", 40,
		      "fork, parent installs a handler later: child's SIGUSR2 is still SIG_DFL");
	close(gate[0]);
	close(gate[1]);
	reset_both();
}

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

int main(void)
{
	child_installs(CLONE_VM | CLONE_SIGHAND, 1, "CLONE_VM|CLONE_SIGHAND: child installs SIGUSR1 handler", 10);
	child_installs(CLONE_VM, 0, "CLONE_VM only: child installs SIGUSR1 handler", 15);
	child_installs(0, 0, "raw clone without CLONE_VM/CLONE_SIGHAND: child installs SIGUSR1 handler", 20);
	parent_installs_shared();
	parent_installs_fork();

	fflush(stdout);
	long r = raw_clone(CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL, 0, nothing, NULL);
	if (r > 0)
		waitpid(r, NULL, 0);
	check(r == -EINVAL, 50, "CLONE_SIGHAND without CLONE_VM -> EINVAL");
	return guest_finish();
}
