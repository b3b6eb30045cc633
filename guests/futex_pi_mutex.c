/*
 * futex_pi_mutex: PTHREAD_PRIO_INHERIT mutexes, which both libcs build on
 * FUTEX_LOCK_PI / FUTEX_UNLOCK_PI / FUTEX_TRYLOCK_PI: several threads
 * contending (the count comes out right), trylock's EBUSY, an errorcheck
 * PI mutex's EDEADLK, a robust PI mutex whose owner thread died
 * (EOWNERDEAD, pthread_mutex_consistent, then usable again), and a
 * condition variable used with a PI mutex.
 */
#include "guest_check.h"

#include <pthread.h>

#define NTHREADS 4
#define LOOPS 2000

static pthread_mutex_t m;
static long counter;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < LOOPS; i++) {
		pthread_mutex_lock(&m);
		long v = counter;
		if (i % 64 == 0)
			sched_yield(); /* hold it across a switch: the others block */
		counter = v + 1;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void init_pi(pthread_mutex_t *mx, int type, int robust)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	need(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) == 0, 1, "setprotocol");
	pthread_mutexattr_settype(&a, type);
	if (robust)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	need(pthread_mutex_init(mx, &a) == 0, 2, "mutex_init");
	pthread_mutexattr_destroy(&a);
}

static void contended(void)
{
	pthread_t th[NTHREADS];
	init_pi(&m, PTHREAD_MUTEX_NORMAL, 0);
	for (int i = 0; i < NTHREADS; i++)
		need(pthread_create(&th[i], NULL, adder, NULL) == 0, 3, "pthread_create");
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	expect_eq(counter, NTHREADS * LOOPS, 10, "PI mutex: every increment counted");
	pthread_mutex_destroy(&m);
}

static pthread_mutex_t held;
static void *try_other(void *arg)
{
	(void)arg;
	return (void *)(long)pthread_mutex_trylock(&held);
}

static void trylock_errorcheck(void)
{
	init_pi(&held, PTHREAD_MUTEX_ERRORCHECK, 0);
	expect_eq(pthread_mutex_lock(&held), 0, 20, "errorcheck PI: lock");
	expect_eq(pthread_mutex_lock(&held), EDEADLK, 21, "errorcheck PI: relock is EDEADLK");
	long r0 = pthread_mutex_trylock(&held); /* glibc: EDEADLK, musl: EBUSY */
	check(r0 == EBUSY || r0 == EDEADLK, 22, "errorcheck PI: trylock by owner fails");
	pthread_t th;
	void *r;
	pthread_create(&th, NULL, try_other, NULL);
	pthread_join(th, &r);
	expect_eq((long)r, EBUSY, 23, "PI: trylock by another thread is EBUSY");
	expect_eq(pthread_mutex_unlock(&held), 0, 24, "errorcheck PI: unlock");
	expect_eq(pthread_mutex_unlock(&held), EPERM, 25, "errorcheck PI: unlock when not owner is EPERM");
	pthread_create(&th, NULL, try_other, NULL);
	pthread_join(th, &r);
	expect_eq((long)r, 0, 26, "PI: trylock of a free mutex by another thread");
	expect_eq(pthread_mutex_trylock(&held), EBUSY, 27, "PI: trylock of a mutex a dead thread holds is EBUSY");
	pthread_mutex_destroy(&held);
}

static pthread_mutex_t rob;
static volatile int waiter_in, holder_in;
static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&rob);
	holder_in = 1;
	while (!waiter_in)
		sched_yield();
	for (int i = 0; i < 50; i++)
		sched_yield(); /* let the waiter block in FUTEX_LOCK_PI */
	return NULL; /* exits holding it */
}

static void *robust_waiter(void *arg)
{
	(void)arg;
	waiter_in = 1;
	long r = pthread_mutex_lock(&rob);
	if (r == EOWNERDEAD) {
		pthread_mutex_consistent(&rob);
		pthread_mutex_unlock(&rob);
	}
	return (void *)r;
}

static void robust(void)
{
	init_pi(&rob, PTHREAD_MUTEX_NORMAL, 1);
	pthread_t th, w;
	void *r;
	/* The owner dies with nobody waiting. */
	waiter_in = 1;
	pthread_create(&th, NULL, die_holding, NULL);
	pthread_join(th, NULL);
	expect_eq(pthread_mutex_lock(&rob), EOWNERDEAD, 30, "robust PI: owner died -> EOWNERDEAD");
	expect_eq(pthread_mutex_consistent(&rob), 0, 31, "robust PI: pthread_mutex_consistent");
	expect_eq(pthread_mutex_unlock(&rob), 0, 32, "robust PI: unlock after consistent");
	expect_eq(pthread_mutex_lock(&rob), 0, 33, "robust PI: locks normally again");
	pthread_mutex_unlock(&rob);
	/* The owner dies while another thread sleeps in the kernel for it. */
	waiter_in = 0;
	holder_in = 0;
	pthread_create(&th, NULL, die_holding, NULL);
	while (!holder_in)
		sched_yield();
	pthread_create(&w, NULL, robust_waiter, NULL);
	pthread_join(th, NULL);
	pthread_join(w, &r);
	expect_eq((long)r, EOWNERDEAD, 34, "robust PI: blocked waiter gets EOWNERDEAD");
	expect_eq(pthread_mutex_trylock(&rob), 0, 35, "robust PI: consistent again afterwards");
	pthread_mutex_unlock(&rob);
	/* Unlocked without pthread_mutex_consistent: unusable. */
	waiter_in = 1;
	pthread_create(&th, NULL, die_holding, NULL);
	pthread_join(th, NULL);
	expect_eq(pthread_mutex_lock(&rob), EOWNERDEAD, 36, "robust PI: EOWNERDEAD again");
	pthread_mutex_unlock(&rob);
	expect_eq(pthread_mutex_lock(&rob), ENOTRECOVERABLE, 37, "robust PI: not made consistent -> ENOTRECOVERABLE");
}

static pthread_mutex_t cm;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, got;
static void *cond_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	while (!ready)
		pthread_cond_wait(&cv, &cm);
	got++;
	pthread_mutex_unlock(&cm);
	return NULL;
}

static void condvar(void)
{
	pthread_t th[3];
	init_pi(&cm, PTHREAD_MUTEX_NORMAL, 0);
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, cond_waiter, NULL);
	for (int i = 0; i < 100; i++)
		sched_yield();
	pthread_mutex_lock(&cm);
	ready = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&cm);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	expect_eq(got, 3, 40, "condvar with a PI mutex: every waiter woke holding it");
}

int main(void)
{
	contended();
	trylock_errorcheck();
	robust();
	condvar();
	return guest_finish();
}
