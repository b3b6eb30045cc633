/*
 * thread_deadlock: a classic lock-order deadlock, for cloneemu's deadlock
 * detector (tests/threads/deadlock.sh).
 *
 * With the argument `deadlock`: thread 1 locks A, thread 2 locks B, both
 * meet at a barrier, then thread 1 locks B and thread 2 locks A, while the
 * main thread waits in pthread_join. Every task then sleeps on a futex
 * nobody can wake: cloneemu must report the deadlock on stderr and exit
 * with status 125 (natively it would hang forever, so this mode is only
 * run under cloneemu).
 *
 * Without arguments (the automatic native-vs-emulated test): the same
 * threads take the locks in the same order, so both finish.
 */
#include "guest_check.h"

#include <pthread.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;
static int opposite;
static int finished;

static void *t1(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&a);
	if (opposite)
		pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&b);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return NULL;
}

static void *t2(void *arg)
{
	(void)arg;
	pthread_mutex_t *first = opposite ? &b : &a, *second = opposite ? &a : &b;
	pthread_mutex_lock(first);
	if (opposite)
		pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(second);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(second);
	pthread_mutex_unlock(first);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t x, y;

	opposite = argc > 1 && strcmp(argv[1], "deadlock") == 0;
	need(pthread_barrier_init(&both_hold_one, NULL, 2) == 0, 2, "pthread_barrier_init");
	printf("locking in %s order\n", opposite ? "opposite" : "the same");
	fflush(stdout);
	need(pthread_create(&x, NULL, t1, NULL) == 0, 3, "pthread_create");
	need(pthread_create(&y, NULL, t2, NULL) == 0, 4, "pthread_create");
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	expect_eq(finished, 2, 5, "both threads took both locks and finished");
	return guest_finish();
}
