/*
 * sig_exec_reset: what execve keeps and drops of the signal state (execve(2),
 * sigaltstack(2), signal(7); fs/exec.c, flush_signal_handlers):
 *
 *   - the alternate signal stack is cleared: the new image sees SS_DISABLE
 *     (its memory is gone; a handler with SA_ONSTACK must run on the
 *     ordinary stack, as python's signal handlers do)
 *   - handled signals go back to SIG_DFL with flags and mask cleared;
 *     ignored ones stay ignored; the blocked mask and pending signals stay
 *   - a SIGUSR1 sent by the new image to itself, with an SA_ONSTACK handler
 *     and no sigaltstack call, runs the handler
 */
#include "guest_check.h"

#include <fcntl.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	got = 1;
}

static void after_exec(void)
{
	stack_t ss;
	expect_eq(sigaltstack(NULL, &ss), 0, 20, "sigaltstack read after exec");
	check(ss.ss_flags == SS_DISABLE && ss.ss_sp == NULL && ss.ss_size == 0, 21,
	      "no alternate stack after exec (flags %d size %zu)", ss.ss_flags, ss.ss_size);
	struct sigaction sa;
	sigaction(SIGUSR2, NULL, &sa);
	check(sa.sa_handler == SIG_DFL && sa.sa_flags == 0, 22,
	      "a handled signal is SIG_DFL, flags 0 (flags %#x)", (unsigned)sa.sa_flags);
	sigaction(SIGHUP, NULL, &sa);
	check(sa.sa_handler == SIG_IGN, 23, "an ignored signal stays ignored");
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	check(sigismember(&cur, SIGWINCH), 24, "the blocked mask stays");
	sigset_t pend;
	sigpending(&pend);
	check(sigismember(&pend, SIGWINCH), 25, "a pending blocked signal stays pending");

	struct sigaction on = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
	sigemptyset(&on.sa_mask);
	expect_eq(sigaction(SIGUSR1, &on, NULL), 0, 26, "SA_ONSTACK handler after exec");
	kill(getpid(), SIGUSR1);
	check(got == 1, 27, "the SA_ONSTACK handler ran on the ordinary stack");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after")) {
		after_exec();
		return guest_finish();
	}
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0};
	expect_eq(sigaltstack(&ss, NULL), 0, 1, "sigaltstack before exec");
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK | SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	expect_eq(sigaction(SIGUSR2, &sa, NULL), 0, 2, "a SIGUSR2 handler");
	signal(SIGHUP, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGWINCH);
	fflush(stdout);
	char *args[] = {argv[0], "after", NULL};
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	need(fd >= 0, 3, "open /proc/self/exe");
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	execv(path, args);
	check(0, 4, "execv: %s", errno_name(errno));
	return guest_finish();
}
