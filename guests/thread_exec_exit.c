/*
 * thread_exec_exit: a thread group whose leader is not the last to go.
 *
 *   - execve from a thread that is not the leader (de_thread): the other
 *     threads die, the exec'ing thread takes over the leader's pid, so the
 *     new program's getpid() and gettid() are the process's old pid, and
 *     the parent reaps it under that pid with the new program's status;
 *   - a leader that returns through pthread_exit while another thread
 *     runs: the process is not reapable (waitpid WNOHANG gives 0, kill(pid,
 *     0) still succeeds) until the last thread exits; then the parent reaps
 *     it with that thread's exit status.
 */
#include "guest_check.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char **saved_argv;
static int gate[2];

static void *exec_self(void *arg)
{
	char pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)(intptr_t)arg);
	char *argv[] = {saved_argv[0], "after-exec", pid, NULL};
	execv("/proc/self/exe", argv);
	_exit(98);
}

static void *last_thread(void *arg)
{
	(void)arg;
	char c;
	if (read(gate[0], &c, 1) != 1)
		_exit(97);
	exit(5);
}

int main(int argc, char **argv)
{
	saved_argv = argv;
	if (argc == 3 && !strcmp(argv[1], "after-exec")) {
		long want = atol(argv[2]);
		/* The parent prints: this child's stdout is its own. */
		return getpid() == want && syscall(SYS_gettid) == want ? 42 : 43;
	}

	pid_t c = fork();
	need(c != -1, 90, "fork");
	if (!c) {
		pthread_t t;
		if (pthread_create(&t, NULL, exec_self, (void *)(intptr_t)getpid()))
			_exit(96);
		pthread_join(t, NULL); /* never returns: the exec kills us */
		_exit(95);
	}
	int st;
	check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 42, 1,
	      "execve from a thread: the new program runs as the old pid (pid and tid), reaped under it");

	need(pipe(gate) == 0, 91, "pipe");
	fflush(stdout);
	c = fork();
	need(c != -1, 92, "fork");
	if (!c) {
		close(gate[1]);
		pthread_t t;
		if (pthread_create(&t, NULL, last_thread, NULL))
			_exit(96);
		pthread_exit(NULL);
	}
	close(gate[0]);
	/* Give the leader time to exit: a few scheduling rounds of yielding. */
	for (int i = 0; i < 50; i++)
		sched_yield();
	usleep(20000);
	check(waitpid(c, &st, WNOHANG) == 0, 2, "leader gone, a thread left: not reapable yet");
	check(kill(c, 0) == 0, 3, "... and the process still exists for kill(pid, 0)");
	need(write(gate[1], "x", 1) == 1, 93, "release");
	check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 5, 4,
	      "the last thread's exit(5) is the process's status");
	return guest_finish();
}
