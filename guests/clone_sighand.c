/*
 * clone_sighand: CLONE_SIGHAND shares the signal disposition table (it
 * needs CLONE_VM); the blocked mask stays per task either way. Only SIG_IGN
 * and SIG_DFL are used: no handlers.
 *
 *   - CLONE_VM|CLONE_SIGHAND: the child sets SIGUSR1 to SIG_IGN and the
 *     parent's sigaction reads SIG_IGN; the child blocks SIGUSR2 and the
 *     parent's mask does not change
 *   - CLONE_VM alone: the child's SIG_IGN stays in the child
 *   - fork: a SIG_IGN disposition set before fork is inherited, one set by
 *     the child afterwards is not seen by the parent
 *   - fork: the blocked mask is inherited, pending signals are not (a
 *     blocked SIGUSR1 pending in the parent is not pending in the child)
 *
 * The CLONE_VM children use raw rt_sigaction/rt_sigprocmask, not libc.
 */
#include "guest_check.h"

#include <sched.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

/* The kernel's struct sigaction for rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static long raw4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

static volatile long child_result;

static int ignore_usr1_block_usr2(void *p)
{
	(void)p;
	struct ksigaction sa = {SIG_IGN, 0, NULL, 0};
	long r = raw4(SYS_rt_sigaction, SIGUSR1, (long)&sa, 0, 8);
	unsigned long set = 1UL << (SIGUSR2 - 1);
	long r2 = raw4(SYS_rt_sigprocmask, SIG_BLOCK, (long)&set, 0, 8);
	child_result = r == 0 && r2 == 0;
	return 0;
}

static int disposition(int sig)
{
	struct sigaction sa;
	sigaction(sig, NULL, &sa);
	return sa.sa_handler == SIG_IGN ? 1 : sa.sa_handler == SIG_DFL ? 0 : 2;
}

static int blocked(int sig)
{
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	return sigismember(&set, sig);
}

static void reset(void)
{
	signal(SIGUSR1, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void shared_table(int share, int code)
{
	const char *tag = share ? "CLONE_VM|CLONE_SIGHAND" : "CLONE_VM only";
	reset();
	child_result = 0;
	fflush(stdout);
	long pid = raw_clone(CLONE_VM | (share ? CLONE_SIGHAND : 0) | SIGCHLD, child_stack + STACK_SIZE, NULL,
			     NULL, 0, ignore_usr1_block_usr2, NULL);
	need(pid > 0, 90, "clone");
	expect_status(pid, "exited 0", code, share ? "CLONE_SIGHAND child" : "CLONE_VM child");
	check(child_result == 1, code + 1, "%s: child's rt_sigaction and rt_sigprocmask succeeded", tag);
	if (share)
		expect_eq(disposition(SIGUSR1), 1, code + 2, "CLONE_SIGHAND: parent's SIGUSR1 is now SIG_IGN");
	else
		expect_eq(disposition(SIGUSR1), 0, code + 2, "CLONE_VM only: parent's SIGUSR1 still SIG_DFL");
	check(!blocked(SIGUSR2), code + 3, "%s: the child's blocked mask is its own", tag);
	reset();
}

static void across_fork(void)
{
	signal(SIGUSR1, SIG_IGN);
	pid_t pid = guest_fork();
	if (pid == 0) {
		int inherited = disposition(SIGUSR1) == 1;
		signal(SIGUSR2, SIG_IGN);
		_exit(inherited ? 0 : 1);
	}
	expect_status(pid, "exited 0", 30, "fork: SIG_IGN set before fork is inherited");
	expect_eq(disposition(SIGUSR2), 0, 31, "fork: the child's later SIG_IGN is not seen by the parent");
	signal(SIGUSR1, SIG_DFL);
}

static void pending_not_inherited(void)
{
	sigset_t usr1, old, pend;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	raise(SIGUSR1);
	sigpending(&pend);
	check(sigismember(&pend, SIGUSR1), 40, "blocked SIGUSR1 raised: pending in the parent");
	pid_t pid = guest_fork();
	if (pid == 0) {
		sigset_t p, m;
		sigpending(&p);
		sigprocmask(SIG_BLOCK, NULL, &m);
		_exit((sigismember(&p, SIGUSR1) ? 1 : 0) | (sigismember(&m, SIGUSR1) ? 0 : 2));
	}
	int st = 0;
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), 41, "fork: the child has nothing pending");
	check(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), 42, "fork: the child inherits the blocked mask");
	/* drop the pending signal: ignore it, unblock, restore */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	sigpending(&pend);
	check(!sigismember(&pend, SIGUSR1), 43, "setting SIG_IGN discarded the pending SIGUSR1");
}

int main(void)
{
	shared_table(1, 10);
	shared_table(0, 20);
	across_fork();
	pending_not_inherited();
	return guest_finish();
}
