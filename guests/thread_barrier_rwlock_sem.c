/*
 * thread_barrier_rwlock_sem: the other pthread and POSIX synchronisation
 * objects, each built on futexes by both libcs.
 *
 *   - pthread_barrier with 8 threads, 20 rounds: after each barrier_wait a
 *     thread sees every other thread's write for that round, and exactly
 *     one thread per round gets PTHREAD_BARRIER_SERIAL_THREAD
 *   - pthread_rwlock with 4 readers and 2 writers: a writer is alone (no
 *     reader, no other writer), readers never see a half-done update (two
 *     words a writer bumps one after the other, yielding in between), and
 *     the writers' total is exact; tryrdlock/trywrlock answer EBUSY while
 *     the main thread holds the write lock, and only trywrlock does while
 *     it holds a read lock
 *   - POSIX semaphores: sem_trywait on 0 -> EAGAIN, sem_post/sem_getvalue,
 *     sem_timedwait on 0 with a 20 ms deadline -> ETIMEDOUT no earlier than
 *     the deadline, sem_timedwait satisfied by another thread's post, a
 *     1000-step ping-pong between two threads, and a counting semaphore of
 *     4 that never lets a 5th thread in
 *
 * Threads count violations in memory; the main thread prints after the
 * joins.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

static const char *ename(int e)
{
	return e == ETIMEDOUT ? "ETIMEDOUT" : errno_name(e);
}

static void expect_err(long ret, int err, int want, int code, const char *what)
{
	if (ret == -1 && err == want)
		check(1, code, "%s -> %s", what, ename(want));
	else
		check(0, code, "%s: got ret %ld errno %s, want -1 %s", what, ret,
		      ret == -1 ? ename(err) : "-", ename(want));
}

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_nsec += ms * 1000000L;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int ts_ge(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* ---- barrier ---- */

#define BTHREADS 8
#define ROUNDS 20

static pthread_barrier_t barrier;
static int slots[ROUNDS][BTHREADS];
static int serials[ROUNDS];
static int barrier_errors, barrier_bad_ret;

static void *barrier_worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (int r = 0; r < ROUNDS; r++) {
		__atomic_store_n(&slots[r][me], r * 100 + me + 1, __ATOMIC_RELEASE);
		if (me == r % BTHREADS)
			sched_yield(); /* someone arrives late every round */
		int ret = pthread_barrier_wait(&barrier);
		if (ret == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials[r], 1, __ATOMIC_RELAXED);
		else if (ret != 0)
			__atomic_store_n(&barrier_bad_ret, 1, __ATOMIC_RELAXED);
		for (int j = 0; j < BTHREADS; j++)
			if (__atomic_load_n(&slots[r][j], __ATOMIC_ACQUIRE) != r * 100 + j + 1)
				__atomic_fetch_add(&barrier_errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_barrier(void)
{
	pthread_t th[BTHREADS];

	need(pthread_barrier_init(&barrier, NULL, BTHREADS) == 0, 2, "pthread_barrier_init");
	for (intptr_t i = 0; i < BTHREADS; i++)
		need(pthread_create(&th[i], NULL, barrier_worker, (void *)i) == 0, 3, "pthread_create");
	for (int i = 0; i < BTHREADS; i++)
		need(pthread_join(th[i], NULL) == 0, 4, "pthread_join");
	pthread_barrier_destroy(&barrier);
	int one_serial = 1;
	for (int r = 0; r < ROUNDS; r++)
		if (serials[r] != 1)
			one_serial = 0;
	printf("barrier: %d threads, %d rounds\n", BTHREADS, ROUNDS);
	expect_eq(barrier_errors, 0, 5, "barrier: every thread saw all writes of its round");
	check(one_serial, 6, "barrier: exactly one PTHREAD_BARRIER_SERIAL_THREAD per round");
	check(!barrier_bad_ret, 7, "barrier: the others got 0");
}

/* ---- rwlock ---- */

#define READERS 4
#define WRITERS 2
#define RITERS 2000
#define WITERS 500

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long word_a, word_b;
static int active_readers, active_writers;
static int rw_violations, torn_reads;

static void *rw_reader(void *arg)
{
	(void)arg;
	for (int i = 0; i < RITERS; i++) {
		pthread_rwlock_rdlock(&rw);
		__atomic_fetch_add(&active_readers, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&active_writers, __ATOMIC_SEQ_CST) != 0)
			__atomic_fetch_add(&rw_violations, 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(&word_a, __ATOMIC_RELAXED) != __atomic_load_n(&word_b, __ATOMIC_RELAXED))
			__atomic_fetch_add(&torn_reads, 1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&active_readers, 1, __ATOMIC_SEQ_CST);
		pthread_rwlock_unlock(&rw);
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static void *rw_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < WITERS; i++) {
		pthread_rwlock_wrlock(&rw);
		if (__atomic_fetch_add(&active_writers, 1, __ATOMIC_SEQ_CST) != 0 ||
		    __atomic_load_n(&active_readers, __ATOMIC_SEQ_CST) != 0)
			__atomic_fetch_add(&rw_violations, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&word_a, word_a + 1, __ATOMIC_RELAXED);
		if (i % 16 == 0)
			sched_yield(); /* hold the lock across a reschedule */
		__atomic_store_n(&word_b, word_b + 1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&active_writers, 1, __ATOMIC_SEQ_CST);
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static int try_rd, try_wr;

static void *rw_trier(void *arg)
{
	(void)arg;
	try_rd = pthread_rwlock_tryrdlock(&rw);
	if (try_rd == 0)
		pthread_rwlock_unlock(&rw);
	try_wr = pthread_rwlock_trywrlock(&rw);
	if (try_wr == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static void test_rwlock(void)
{
	pthread_t th[READERS + WRITERS], t;

	for (int i = 0; i < READERS + WRITERS; i++)
		need(pthread_create(&th[i], NULL, i < READERS ? rw_reader : rw_writer, NULL) == 0, 10,
		     "pthread_create");
	for (int i = 0; i < READERS + WRITERS; i++)
		need(pthread_join(th[i], NULL) == 0, 11, "pthread_join");
	printf("rwlock: %d readers x %d, %d writers x %d\n", READERS, RITERS, WRITERS, WITERS);
	expect_eq(rw_violations, 0, 12, "rwlock: a writer never shared the lock");
	expect_eq(torn_reads, 0, 13, "rwlock: readers never saw a half-done update");
	expect_eq(word_a, WRITERS * WITERS, 14, "rwlock: writers' total == 1000");

	pthread_rwlock_wrlock(&rw);
	need(pthread_create(&t, NULL, rw_trier, NULL) == 0, 15, "pthread_create");
	pthread_join(t, NULL);
	pthread_rwlock_unlock(&rw);
	check(try_rd == EBUSY && try_wr == EBUSY, 16,
	      "rwlock: write-locked by main -> tryrdlock EBUSY, trywrlock EBUSY");
	pthread_rwlock_rdlock(&rw);
	need(pthread_create(&t, NULL, rw_trier, NULL) == 0, 17, "pthread_create");
	pthread_join(t, NULL);
	pthread_rwlock_unlock(&rw);
	check(try_rd == 0 && try_wr == EBUSY, 18,
	      "rwlock: read-locked by main -> tryrdlock 0, trywrlock EBUSY");
}

/* ---- semaphores ---- */

static sem_t ping, pong, late, permits;
static long pingpong_value;
static int in_section, max_in_section;

static void *ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		while (sem_wait(&ping) != 0)
			;
		pingpong_value++;
		sem_post(&pong);
	}
	return NULL;
}

static void *late_poster(void *arg)
{
	struct timespec d = {0, 5 * 1000 * 1000};
	(void)arg;
	nanosleep(&d, NULL);
	sem_post(&late);
	return NULL;
}

static void *permit_user(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		while (sem_wait(&permits) != 0)
			;
		int n = __atomic_add_fetch(&in_section, 1, __ATOMIC_SEQ_CST);
		int m = __atomic_load_n(&max_in_section, __ATOMIC_RELAXED);
		while (n > m && !__atomic_compare_exchange_n(&max_in_section, &m, n, 0, __ATOMIC_RELAXED,
							     __ATOMIC_RELAXED))
			;
		if (i % 8 == 0)
			sched_yield();
		__atomic_sub_fetch(&in_section, 1, __ATOMIC_SEQ_CST);
		sem_post(&permits);
	}
	return NULL;
}

static void test_semaphores(void)
{
	sem_t s;
	int v = -1;
	struct timespec deadline, after;
	pthread_t t, pu[8];

	need(sem_init(&s, 0, 0) == 0, 20, "sem_init");
	errno = 0;
	int r = sem_trywait(&s);
	expect_err(r, errno, EAGAIN, 21, "sem: sem_trywait on 0");
	sem_post(&s);
	sem_getvalue(&s, &v);
	expect_eq(v, 1, 22, "sem: value 1 after sem_post");
	expect_eq(sem_trywait(&s), 0, 23, "sem: sem_trywait on 1 -> 0");
	sem_getvalue(&s, &v);
	expect_eq(v, 0, 24, "sem: value 0 after sem_trywait");

	clock_gettime(CLOCK_REALTIME, &deadline);
	add_ms(&deadline, 20);
	errno = 0;
	r = sem_timedwait(&s, &deadline);
	int err = errno;
	clock_gettime(CLOCK_REALTIME, &after);
	expect_err(r, err, ETIMEDOUT, 25, "sem: sem_timedwait(+20 ms) on 0");
	check(ts_ge(&after, &deadline), 26, "sem: sem_timedwait returned no earlier than its deadline");
	sem_destroy(&s);

	need(sem_init(&late, 0, 0) == 0, 27, "sem_init");
	need(pthread_create(&t, NULL, late_poster, NULL) == 0, 28, "pthread_create");
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	do
		r = sem_timedwait(&late, &deadline);
	while (r == -1 && errno == EINTR);
	expect_eq(r, 0, 29, "sem: sem_timedwait(+30 s) satisfied by another thread's post 5 ms later");
	pthread_join(t, NULL);

	need(sem_init(&ping, 0, 0) == 0 && sem_init(&pong, 0, 0) == 0, 30, "sem_init");
	need(pthread_create(&t, NULL, ponger, NULL) == 0, 31, "pthread_create");
	int lockstep = 1;
	for (int i = 0; i < 1000; i++) {
		sem_post(&ping);
		while (sem_wait(&pong) != 0)
			;
		if (pingpong_value != i + 1)
			lockstep = 0;
	}
	pthread_join(t, NULL);
	check(lockstep, 32, "sem: 1000 ping-pong steps in lockstep");

	need(sem_init(&permits, 0, 4) == 0, 33, "sem_init");
	for (int i = 0; i < 8; i++)
		need(pthread_create(&pu[i], NULL, permit_user, NULL) == 0, 34, "pthread_create");
	for (int i = 0; i < 8; i++)
		pthread_join(pu[i], NULL);
	check(max_in_section >= 1 && max_in_section <= 4, 35,
	      "sem: counting semaphore of 4 never let more than 4 of 8 threads in");
	sem_getvalue(&permits, &v);
	expect_eq(v, 4, 36, "sem: all 4 permits back at the end");
}

int main(void)
{
	test_barrier();
	test_rwlock();
	test_semaphores();
	return guest_finish();
}
