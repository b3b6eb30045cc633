/*
 * thread_exit_group: exit() called by a thread that is not the group leader
 * ends the whole process (exit_group) with that thread's status, however
 * the other threads are blocked. The guest's own exit status is the test:
 * 3, from a thread, while
 *   - the main thread waits in pthread_join for a thread that never ends,
 *   - one thread waits on a condition variable nobody signals (futex wait),
 *   - one sleeps for an hour (nanosleep),
 *   - one reads a pipe nobody writes.
 * exit() runs the atexit handlers and flushes stdio in the exiting thread,
 * so the line the atexit handler prints must appear.
 *
 * First the same thing inside a forked child, with _exit(5) (no atexit, no
 * flush) from a thread: the parent's waitpid must see "exited 5", and the
 * child's blocked threads must not keep it alive.
 */
#include "guest_check.h"

#include <pthread.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int pipefd[2];
static int exit_code;
static pthread_barrier_t ready;

static void *cond_blocker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_barrier_wait(&ready);
	for (;;)
		pthread_cond_wait(&never, &m);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	struct timespec hour = {3600, 0};
	pthread_barrier_wait(&ready);
	for (;;)
		nanosleep(&hour, NULL);
	return NULL;
}

static void *reader(void *arg)
{
	char c;
	(void)arg;
	pthread_barrier_wait(&ready);
	for (;;)
		if (read(pipefd[0], &c, 1) == 0)
			break;
	return NULL;
}

static void *exiter(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&ready);
	/* Give the others time to go to sleep in their syscalls. */
	struct timespec d = {0, 20 * 1000 * 1000};
	nanosleep(&d, NULL);
	if (exit_code == 5)
		_exit(5);
	printf("thread: calling exit(3) while the other threads are blocked\n");
	exit(3);
}

static void atexit_handler(void)
{
	printf("atexit handler ran\n");
}

/* Starts the blockers and the exiter, then joins the reader (forever). */
static void run(int code)
{
	pthread_t t[4];

	exit_code = code;
	need(pipe(pipefd) == 0, 20, "pipe");
	need(pthread_barrier_init(&ready, NULL, 5) == 0, 21, "pthread_barrier_init");
	need(pthread_create(&t[0], NULL, cond_blocker, NULL) == 0, 22, "pthread_create");
	need(pthread_create(&t[1], NULL, sleeper, NULL) == 0, 23, "pthread_create");
	need(pthread_create(&t[2], NULL, reader, NULL) == 0, 24, "pthread_create");
	need(pthread_create(&t[3], NULL, exiter, NULL) == 0, 25, "pthread_create");
	pthread_barrier_wait(&ready);
	pthread_join(t[2], NULL);
	printf("FAILED: pthread_join returned: the reader thread ended\n");
	exit(26);
}

int main(void)
{
	pid_t pid = guest_fork();
	if (pid == 0)
		run(5);
	expect_status(pid, "exited 5", 2, "child: _exit(5) from a thread ends the process with 5");
	if (guest_finish() != 0)
		return guest_finish();
	atexit(atexit_handler);
	run(3);
	return 1;
}
