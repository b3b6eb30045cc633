/*
 * rlimit_sigpending: RLIMIT_SIGPENDING bounds the real-time signals a user
 * queues with sigqueue (EAGAIN past it), as setrlimit(2) and sigqueue(3)
 * say; kill()'s signals are not refused and do not count (Linux 6.x); a
 * standard signal never is refused. Run
 * as a user of its own (uid 12345) so that no other process's signals
 * count, as root: a child drops to it first.
 */
#include "guest_check.h"

#include <grp.h>
#include <signal.h>
#include <sys/resource.h>

int main(void)
{
	if (geteuid() != 0) {
		printf("skip: not root\n");
		return guest_finish();
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		gid_t none[1];
		need(setgroups(0, none) == 0 && setresgid(12345, 12345, 12345) == 0 &&
			     setresuid(12345, 12345, 12345) == 0,
		     1, "become uid 12345");
		struct rlimit rl = {10, 10};
		need(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, 2, "RLIMIT_SIGPENDING 10");
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		sigaddset(&set, SIGRTMIN + 1);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		union sigval v = {.sival_int = 7};
		int n = 0;
		while (sigqueue(getpid(), SIGRTMIN, v) == 0 && n < 100)
			n++;
		expect_errno(-1, errno, EAGAIN, 3, "sigqueue past the limit");
		expect_eq(n, 10, 4, "ten queued");
		expect_eq(kill(getpid(), SIGRTMIN + 1), 0, 5, "kill is not refused");
		expect_eq(sigqueue(getpid(), SIGUSR1, v), 0, 6, "a standard signal is not refused");
		siginfo_t si;
		struct timespec zero = {0, 0};
		expect_eq(sigtimedwait(&set, &si, &zero), SIGUSR1, 7, "take SIGUSR1");
		expect_eq(sigtimedwait(&set, &si, &zero), SIGRTMIN, 8, "take one SIGRTMIN");
		/* kill's signal does not count: nine queued now. */
		expect_eq(sigqueue(getpid(), SIGRTMIN, v), 0, 9, "room for one again");
		errno = 0;
		long r = sigqueue(getpid(), SIGRTMIN, v);
		expect_errno(r, errno, EAGAIN, 10, "at the limit again");
		expect_eq(sigtimedwait(&set, &si, &zero), SIGRTMIN, 11, "the first is still queued");
		expect_eq(si.si_value.sival_int, 7, 12, "with its value");
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", 20, "child as uid 12345");
	return guest_finish();
}
