/*
 * futex_robust: robust mutexes without priority inheritance, which rely on
 * the kernel walking the robust list of a dying thread (exit_robust_list):
 * a thread that exits holding one, with and without a waiter asleep on it,
 * and a process that dies holding a process-shared robust mutex in a
 * MAP_SHARED page (the parent's lock returns EOWNERDEAD), also while the
 * parent waits; after pthread_mutex_consistent the mutex works again.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sys/mman.h>

static pthread_mutex_t *m;
static volatile int *holder_in, *waiter_in;

static void init_robust(pthread_mutex_t *mx, int pshared)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	need(pthread_mutex_init(mx, &a) == 0, 1, "mutex_init");
	pthread_mutexattr_destroy(&a);
}

static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(m);
	*holder_in = 1;
	while (!*waiter_in)
		sched_yield();
	for (int i = 0; i < 50; i++)
		sched_yield();
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	*waiter_in = 1;
	long r = pthread_mutex_lock(m);
	if (r == EOWNERDEAD) {
		pthread_mutex_consistent(m);
		pthread_mutex_unlock(m);
	}
	return (void *)r;
}

static void threads(void)
{
	pthread_t th, w;
	void *r;
	*waiter_in = 1;
	pthread_create(&th, NULL, die_holding, NULL);
	pthread_join(th, NULL);
	expect_eq(pthread_mutex_lock(m), EOWNERDEAD, 10, "thread died holding it: EOWNERDEAD");
	expect_eq(pthread_mutex_consistent(m), 0, 11, "pthread_mutex_consistent");
	expect_eq(pthread_mutex_unlock(m), 0, 12, "unlock");
	*waiter_in = *holder_in = 0;
	pthread_create(&th, NULL, die_holding, NULL);
	while (!*holder_in)
		sched_yield();
	pthread_create(&w, NULL, waiter, NULL);
	pthread_join(th, NULL);
	pthread_join(w, &r);
	expect_eq((long)r, EOWNERDEAD, 13, "a waiter asleep on it is woken with EOWNERDEAD");
	expect_eq(pthread_mutex_lock(m), 0, 14, "locks normally afterwards");
	pthread_mutex_unlock(m);
}

static void processes(void)
{
	*holder_in = 0;
	pid_t pid = guest_fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0); /* dies holding it */
	}
	int st;
	waitpid(pid, &st, 0);
	expect_eq(pthread_mutex_lock(m), EOWNERDEAD, 20, "child process died holding it: EOWNERDEAD");
	pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	/* The parent asleep in the lock when the child dies. */
	pid = guest_fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		*holder_in = 1;
		for (int i = 0; i < 200; i++)
			sched_yield();
		_exit(0);
	}
	while (!*holder_in)
		sched_yield();
	expect_eq(pthread_mutex_lock(m), EOWNERDEAD, 21, "asleep in the lock when the child dies: EOWNERDEAD");
	pthread_mutex_consistent(m);
	expect_eq(pthread_mutex_unlock(m), 0, 22, "unlock after consistent");
	waitpid(pid, &st, 0);
	expect_eq(pthread_mutex_trylock(m), 0, 23, "trylock afterwards");
	pthread_mutex_unlock(m);
}

int main(void)
{
	char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	need(shared != MAP_FAILED, 2, "mmap");
	m = (pthread_mutex_t *)shared;
	holder_in = (volatile int *)(shared + 1024);
	waiter_in = (volatile int *)(shared + 1032);
	init_robust(m, 1);
	threads();
	processes();
	return guest_finish();
}
