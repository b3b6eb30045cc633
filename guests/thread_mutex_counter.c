/*
 * thread_mutex_counter: 64 threads each add 1 to a shared counter 10000
 * times under one pthread mutex; the total must be exactly 640000, which it
 * is only if the mutex excludes (a lost update shows as a smaller total).
 * A second counter is bumped with __atomic_fetch_add, which must also be
 * exact, and a third plain counter records whether two threads were ever
 * inside the critical section at once.
 *
 * Each thread returns its index through pthread_join; the sum 0+1+...+63
 * = 2016 and the per-index values check that every join got its own
 * thread's value.
 *
 * The threads all start together (they spin on a flag main sets once every
 * thread exists), so the mutex is contended: under cloneemu the preemptive
 * scheduler switches threads inside the critical section and the futex
 * slow paths (FUTEX_WAIT/FUTEX_WAKE) run.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define NTHREADS 64
#define ITERS 10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long atomic_counter;
static int inside;     /* threads inside the critical section (under lock) */
static int overlapped; /* set if inside was ever != 0 on entry */
static int go;

static void *worker(void *arg)
{
	intptr_t idx = (intptr_t)arg;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&lock);
		if (inside++ != 0)
			overlapped = 1;
		counter++;
		inside--;
		pthread_mutex_unlock(&lock);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
	}
	return (void *)idx;
}

int main(void)
{
	pthread_t th[NTHREADS];
	long sum = 0;
	int wrong_value = 0;

	for (intptr_t i = 0; i < NTHREADS; i++) {
		int err = pthread_create(&th[i], NULL, worker, (void *)i);
		need(err == 0, 2, "pthread_create");
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		int err = pthread_join(th[i], &ret);
		need(err == 0, 3, "pthread_join");
		if ((intptr_t)ret != i)
			wrong_value = 1;
		sum += (intptr_t)ret;
	}
	printf("threads %d, iterations %d\n", NTHREADS, ITERS);
	expect_eq(counter, (long)NTHREADS * ITERS, 4, "mutex-protected counter == 640000");
	expect_eq(atomic_counter, (long)NTHREADS * ITERS, 5, "atomic counter == 640000");
	check(!overlapped, 6, "never two threads inside the critical section");
	expect_eq(sum, (long)NTHREADS * (NTHREADS - 1) / 2, 7, "sum of pthread_join values == 2016");
	check(!wrong_value, 8, "pthread_join(th[i]) returned i for every i");
	return guest_finish();
}
