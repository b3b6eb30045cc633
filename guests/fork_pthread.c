/*
 * fork_pthread: a process forks, and the child starts threads (in a dynamic
 * program: libc's thread start-up after fork, TLS of the new threads, the
 * stack cache and locks reset by fork's atfork handlers).
 *
 *   - before fork the parent runs and joins one thread, so the child
 *     inherits a libc whose thread machinery was already used
 *   - the child starts 4 threads that each sum their own range under a
 *     mutex and keep a __thread counter; join them; the total and each
 *     thread's TLS value are checked
 *   - the parent also starts threads while the child runs, then waits
 *   - the child exits with the number of wrong results (0)
 */
#include "guest_check.h"

#include <pthread.h>

#define NTHREADS 4
#define PER 10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static __thread long mine;

static void *worker(void *arg)
{
	long id = (long)arg;
	for (long i = id * PER; i < (id + 1) * PER; i++)
		mine += i;
	pthread_mutex_lock(&lock);
	total += mine;
	pthread_mutex_unlock(&lock);
	return (void *)mine;
}

/* Run NTHREADS workers; returns the number of wrong results. */
static int run_workers(const char *who)
{
	pthread_t th[NTHREADS];
	int bad = 0;
	total = 0;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i)) {
			printf("FAILED: %s: pthread_create\n", who);
			return NTHREADS;
		}
	for (long i = 0; i < NTHREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		long lo = i * PER, hi = (i + 1) * PER - 1;
		if ((long)ret != (lo + hi) * PER / 2)
			bad++;
	}
	long n = (long)NTHREADS * PER;
	if (total != (n - 1) * n / 2)
		bad++;
	check(bad == 0, 2, "%s: %d threads summed their ranges, TLS private", who, NTHREADS);
	check(mine == 0, 3, "%s: the main thread's TLS counter is untouched", who);
	return bad;
}

static void *noop(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t t;
	void *r;
	need(pthread_create(&t, NULL, noop, (void *)7) == 0, 4, "a thread before fork");
	pthread_join(t, &r);
	check(r == (void *)7, 5, "the thread before fork returned its value");

	pid_t pid = guest_fork();
	
	if (pid == 0)
		_exit(run_workers("child") ? 1 : 0);
	int status;
	need(waitpid(pid, &status, 0) == pid, 6, "waitpid");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, 7, "the child's threads all succeeded");
	run_workers("parent");
	return guest_finish();
}
