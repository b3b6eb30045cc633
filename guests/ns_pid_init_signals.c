/*
 * ns_pid_init_signals: what a PID namespace's init survives, and what
 * kills it (Linux's SIGNAL_UNKILLABLE: sig_task_ignored, get_signal).
 *
 * Inside, the init (pid 1) has no handlers and survives:
 *   - a child whose exit signal is SIGUSR1 (clone's flags) exiting;
 *   - a kernel SIGPIPE from a write to a pipe without readers (EPIPE);
 *   - SIGTERM and SIGKILL it sends itself (kill(1, ...));
 *   - a SIGUSR2 that was blocked when it came and is unblocked later
 *     (dropped when it would be delivered).
 * From outside (the parent namespace): SIGTERM without a handler does
 * nothing, SIGKILL kills it. A fault is not ignored: an init that
 * dereferences NULL dies of SIGSEGV.
 */
#include "guest_check.h"

#include <sched.h>
#include <sys/wait.h>

#define STACK_SIZE (64 * 1024)

static char stack_a[STACK_SIZE] __attribute__((aligned(16)));
static char stack_b[STACK_SIZE] __attribute__((aligned(16)));

static int exit_quietly(void *arg)
{
	(void)arg;
	return 3;
}

/* Each survival step prints one line; the parent compares the exit code. */
static int init_survives(void *arg)
{
	(void)arg;
	printf("init: pid %d\n", getpid());
	pid_t c = clone(exit_quietly, stack_b + STACK_SIZE, SIGUSR1, NULL);
	need(c > 0, 80, "clone with exit signal SIGUSR1");
	int st;
	check(waitpid(c, &st, __WALL) == c && WIFEXITED(st) && WEXITSTATUS(st) == 3, 1,
	      "init: its child's exit signal SIGUSR1 left it alive");
	int p[2];
	need(pipe(p) == 0, 81, "pipe");
	close(p[0]);
	errno = 0;
	long w = write(p[1], "x", 1);
	check(w == -1 && errno == EPIPE, 2, "init: a write to a pipe without readers is EPIPE, SIGPIPE ignored");
	check(kill(1, SIGTERM) == 0, 3, "init: kill(1, SIGTERM) from inside is ignored");
	check(kill(1, SIGKILL) == 0, 4, "init: kill(1, SIGKILL) from inside is ignored");
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	kill(1, SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	check(sigismember(&pend, SIGUSR2), 5, "init: a blocked SIGUSR2 is pending");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	check(1, 6, "init: unblocking it delivered nothing");
	fflush(stdout);
	return 7;
}

static int init_waits(void *arg)
{
	int fd = *(int *)arg;
	need(write(fd, "r", 1) == 1, 82, "ready");
	for (;;)
		pause();
	return 0;
}

static int init_faults(void *arg)
{
	(void)arg;
	volatile int *volatile nil = NULL;
	return *nil;
}

static pid_t new_init(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = clone(fn, stack_a + STACK_SIZE, CLONE_NEWPID | SIGCHLD, arg);
	need(pid > 0, 90, "clone(CLONE_NEWPID)");
	return pid;
}

int main(void)
{
	int st;
	pid_t pid = new_init(init_survives, NULL);
	need(waitpid(pid, &st, 0) == pid, 91, "waitpid");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 7, 10, "the first init exited 7 on its own");

	int p[2];
	need(pipe(p) == 0, 92, "pipe");
	pid = new_init(init_waits, &p[1]);
	char c;
	need(read(p[0], &c, 1) == 1, 93, "init ready");
	check(kill(pid, SIGTERM) == 0, 11, "outside: SIGTERM sent");
	check(kill(pid, SIGKILL) == 0, 12, "outside: SIGKILL sent");
	need(waitpid(pid, &st, 0) == pid, 94, "waitpid");
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, 13,
	      "the second init died of SIGKILL, not of the SIGTERM before it");

	pid = new_init(init_faults, NULL);
	need(waitpid(pid, &st, 0) == pid, 95, "waitpid");
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, 14, "the third init died of its SIGSEGV");
	return guest_finish();
}
