/*
 * thread_condvar: a bounded queue (8 slots) guarded by one mutex and two
 * condition variables (not_full, not_empty), with 2 producers and 2
 * consumers. Each producer p puts the items p*1000000 + 1 ... p*1000000 +
 * 20000 in order, then the main thread (after joining the producers) puts
 * one stop marker per consumer.
 *
 * Checked after every thread is joined:
 *   - every item arrived exactly once: count, sum and sum of squares (mod
 *     2^64) of what the consumers took equal those of what was produced
 *   - per consumer, the items of each producer came in increasing order
 *     (the queue is FIFO and each consumer takes them one at a time)
 *   - the queue never held more than 8 items nor went negative
 *   - both consumers saw a stop marker
 *   - pthread_cond_timedwait on a condition nobody signals returns
 *     ETIMEDOUT, and pthread_cond_broadcast wakes every waiter
 *
 * How many items each consumer got depends on scheduling, so it is not
 * printed.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#define QSIZE 8
#define NPROD 2
#define NCONS 2
#define ITEMS 20000L
#define STOP (-1L)

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long queue[QSIZE];
static int qhead, qcount;
static int qbad; /* qcount ever out of [0, QSIZE] */

struct consumer {
	long count;
	uint64_t sum, sumsq;
	long last[NPROD]; /* last item seen from each producer */
	int out_of_order;
	int stopped;
};
static struct consumer cons[NCONS];

static void put(long item)
{
	pthread_mutex_lock(&qlock);
	while (qcount == QSIZE)
		pthread_cond_wait(&not_full, &qlock);
	queue[(qhead + qcount) % QSIZE] = item;
	qcount++;
	if (qcount > QSIZE)
		qbad = 1;
	pthread_cond_signal(&not_empty);
	pthread_mutex_unlock(&qlock);
}

static long get(void)
{
	long item;

	pthread_mutex_lock(&qlock);
	while (qcount == 0)
		pthread_cond_wait(&not_empty, &qlock);
	item = queue[qhead];
	qhead = (qhead + 1) % QSIZE;
	qcount--;
	if (qcount < 0)
		qbad = 1;
	pthread_cond_signal(&not_full);
	pthread_mutex_unlock(&qlock);
	return item;
}

static void *producer(void *arg)
{
	long p = (intptr_t)arg;

	for (long i = 1; i <= ITEMS; i++)
		put(p * 1000000 + i);
	return NULL;
}

static void *consumer(void *arg)
{
	struct consumer *c = arg;

	for (;;) {
		long item = get();
		if (item == STOP) {
			c->stopped = 1;
			break;
		}
		long p = item / 1000000;
		if (p < 0 || p >= NPROD || item <= c->last[p])
			c->out_of_order = 1;
		else
			c->last[p] = item;
		c->count++;
		c->sum += (uint64_t)item;
		c->sumsq += (uint64_t)item * (uint64_t)item;
	}
	return NULL;
}

/* pthread_cond_timedwait with nobody signalling, and a broadcast to 3 waiters. */
static pthread_mutex_t bl = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bc = PTHREAD_COND_INITIALIZER;
static int bwaiting, bgo, bwoken;

static void *bwaiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bl);
	bwaiting++;
	while (!bgo)
		pthread_cond_wait(&bc, &bl);
	bwoken++;
	pthread_mutex_unlock(&bl);
	return NULL;
}

static void timed_and_broadcast(void)
{
	struct timespec ts;
	pthread_t th[3];

	pthread_mutex_lock(&bl);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	int r = pthread_cond_timedwait(&bc, &bl, &ts);
	pthread_mutex_unlock(&bl);
	check(r == ETIMEDOUT, 20, "pthread_cond_timedwait(20 ms, no signal) -> ETIMEDOUT%s",
	      r == ETIMEDOUT ? "" : " (got something else)");

	for (int i = 0; i < 3; i++)
		need(pthread_create(&th[i], NULL, bwaiter, NULL) == 0, 21, "pthread_create");
	/* Wait until all three hold their place in pthread_cond_wait. */
	for (;;) {
		pthread_mutex_lock(&bl);
		int n = bwaiting;
		if (n == 3) {
			bgo = 1;
			pthread_cond_broadcast(&bc);
		}
		pthread_mutex_unlock(&bl);
		if (n == 3)
			break;
		sched_yield();
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	expect_eq(bwoken, 3, 22, "pthread_cond_broadcast woke all 3 waiters");
}

int main(void)
{
	pthread_t prod[NPROD], con[NCONS];
	uint64_t want_sum = 0, want_sumsq = 0;

	for (int i = 0; i < NCONS; i++)
		need(pthread_create(&con[i], NULL, consumer, &cons[i]) == 0, 2, "pthread_create consumer");
	for (intptr_t p = 0; p < NPROD; p++)
		need(pthread_create(&prod[p], NULL, producer, (void *)p) == 0, 3, "pthread_create producer");
	for (int p = 0; p < NPROD; p++)
		need(pthread_join(prod[p], NULL) == 0, 4, "pthread_join producer");
	for (int i = 0; i < NCONS; i++)
		put(STOP);
	for (int i = 0; i < NCONS; i++)
		need(pthread_join(con[i], NULL) == 0, 5, "pthread_join consumer");

	for (long p = 0; p < NPROD; p++)
		for (long i = 1; i <= ITEMS; i++) {
			uint64_t item = (uint64_t)(p * 1000000 + i);
			want_sum += item;
			want_sumsq += item * item;
		}
	long count = 0;
	uint64_t sum = 0, sumsq = 0;
	int order_ok = 1, stopped = 1;
	for (int i = 0; i < NCONS; i++) {
		count += cons[i].count;
		sum += cons[i].sum;
		sumsq += cons[i].sumsq;
		order_ok &= !cons[i].out_of_order;
		stopped &= cons[i].stopped;
	}
	printf("producers %d, consumers %d, items %ld, queue %d\n", NPROD, NCONS, NPROD * ITEMS, QSIZE);
	expect_eq(count, NPROD * ITEMS, 6, "items consumed == items produced");
	check(sum == want_sum, 7, "checksum (sum) of consumed items: %llu", (unsigned long long)sum);
	check(sumsq == want_sumsq, 8, "checksum (sum of squares) matches");
	check(order_ok, 9, "each consumer saw each producer's items in increasing order");
	check(!qbad, 10, "queue count stayed within [0, %d]", QSIZE);
	check(stopped, 11, "both consumers took a stop marker");
	expect_eq(qcount, 0, 12, "queue empty at the end");
	timed_and_broadcast();
	return guest_finish();
}
