/*
 * thread_200: many threads.
 *
 *   - 200 threads alive at the same time (64 KiB stacks from
 *     pthread_attr_setstacksize), all parked on one barrier of 201 before
 *     any may finish; each writes its own slot; all joined
 *   - 200 more with default attributes, created and joined in batches of 50
 *   - every thread had a distinct tid (gettid), none equal to the process's
 *     pid, and getpid() was the process's pid in all of them
 */
#include "guest_check.h"

#include <pthread.h>
#include <stdint.h>

#define N 200
#define BATCH 50

struct slot {
	long value;
	pid_t tid, pid;
};
static struct slot slots[2 * N];
static pthread_barrier_t all_alive;

static void fill(int idx)
{
	slots[idx].value = (long)idx * idx + 7;
	slots[idx].tid = gettid();
	slots[idx].pid = getpid();
}

static void *parked(void *arg)
{
	fill((int)(intptr_t)arg);
	pthread_barrier_wait(&all_alive);
	return arg;
}

static void *batched(void *arg)
{
	fill((int)(intptr_t)arg);
	return arg;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	static pthread_t th[N];
	pthread_attr_t attr;
	int bad_ret = 0;

	need(pthread_attr_init(&attr) == 0, 2, "pthread_attr_init");
	need(pthread_attr_setstacksize(&attr, 64 * 1024) == 0, 3, "pthread_attr_setstacksize");
	need(pthread_barrier_init(&all_alive, NULL, N + 1) == 0, 4, "pthread_barrier_init");
	for (intptr_t i = 0; i < N; i++) {
		int err = pthread_create(&th[i], &attr, parked, (void *)i);
		if (err != 0) {
			printf("FAILED: pthread_create #%ld: %s\n", (long)i, strerror(err));
			return 5;
		}
	}
	pthread_barrier_wait(&all_alive);
	for (intptr_t i = 0; i < N; i++) {
		void *r = NULL;
		need(pthread_join(th[i], &r) == 0, 6, "pthread_join");
		bad_ret |= r != (void *)i;
	}
	pthread_attr_destroy(&attr);
	printf("%d threads alive at once: created and joined\n", N);

	for (int b = 0; b < N / BATCH; b++) {
		for (intptr_t i = 0; i < BATCH; i++) {
			intptr_t idx = N + b * BATCH + i;
			int err = pthread_create(&th[i], NULL, batched, (void *)idx);
			if (err != 0) {
				printf("FAILED: pthread_create #%ld: %s\n", (long)idx, strerror(err));
				return 7;
			}
		}
		for (intptr_t i = 0; i < BATCH; i++) {
			void *r = NULL;
			need(pthread_join(th[i], &r) == 0, 8, "pthread_join");
			bad_ret |= r != (void *)(N + b * BATCH + i);
		}
	}
	printf("%d threads in batches of %d: created and joined\n", N, BATCH);

	int values_ok = 1, pid_ok = 1;
	for (int i = 0; i < 2 * N; i++) {
		values_ok &= slots[i].value == (long)i * i + 7;
		pid_ok &= slots[i].pid == getpid() && slots[i].tid != getpid();
	}
	/* tids are unique among threads alive together (the first 200). */
	static pid_t tids[N];
	for (int i = 0; i < N; i++)
		tids[i] = slots[i].tid;
	qsort(tids, N, sizeof(tids[0]), cmp_pid);
	int distinct = 1;
	for (int i = 1; i < N; i++)
		distinct &= tids[i] != tids[i - 1];
	check(values_ok, 10, "every thread wrote its own slot");
	check(!bad_ret, 11, "every pthread_join returned its thread's argument");
	check(pid_ok, 12, "getpid() == process pid and gettid() != pid in every thread");
	check(distinct, 13, "the 200 simultaneous threads had distinct tids");
	return guest_finish();
}
