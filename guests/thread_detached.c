/*
 * thread_detached: threads nobody joins.
 *
 *   - pthread_attr_setdetachstate(PTHREAD_CREATE_DETACHED) is read back by
 *     pthread_attr_getdetachstate; threads made with that attribute run to
 *     completion and report through memory and a semaphore, which the main
 *     thread waits on (sem_wait once per thread) instead of joining
 *   - pthread_detach() on a running joinable thread returns 0, and the
 *     thread still finishes its work
 *   - 10 rounds of 16 detached threads: a detached thread's resources
 *     (stack, TLS, kernel task) are reclaimed, so creating 160 never fails
 *   - a detached thread still blocked (in pause) when main returns does not
 *     keep the process alive, and the exit status is main's (0)
 *
 * Detached threads post the semaphore as their last action, but may still
 * be running their exit path when main goes on: nothing checks the order.
 */
#include "guest_check.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#define PER_ROUND 16
#define ROUNDS 10

static sem_t done;
static int work[ROUNDS][PER_ROUND];
static int detached_self_done;

struct job {
	int round, idx;
};
static struct job jobs[ROUNDS][PER_ROUND];

static void *detached_worker(void *arg)
{
	struct job *j = arg;
	long acc = 0;

	for (int i = 0; i <= j->idx * 10; i++)
		acc += i;
	work[j->round][j->idx] = (int)acc + 1;
	sem_post(&done);
	return NULL;
}

static void *detach_me(void *arg)
{
	(void)arg;
	sem_t *go = arg;
	while (sem_wait(go) != 0)
		;
	detached_self_done = 1;
	sem_post(&done);
	return NULL;
}

static void *blocked_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void sem_wait_n(int n)
{
	for (int i = 0; i < n; i++)
		while (sem_wait(&done) != 0)
			;
}

int main(void)
{
	pthread_attr_t attr;
	int state = -1;

	need(sem_init(&done, 0, 0) == 0, 2, "sem_init");
	need(pthread_attr_init(&attr) == 0, 3, "pthread_attr_init");
	pthread_attr_getdetachstate(&attr, &state);
	check(state == PTHREAD_CREATE_JOINABLE, 4, "attr: default detach state is JOINABLE");
	need(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0, 5, "setdetachstate");
	pthread_attr_getdetachstate(&attr, &state);
	check(state == PTHREAD_CREATE_DETACHED, 6, "attr: getdetachstate reads back DETACHED");

	int create_failed = 0;
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < PER_ROUND; i++) {
			pthread_t t;
			jobs[r][i].round = r;
			jobs[r][i].idx = i;
			if (pthread_create(&t, &attr, detached_worker, &jobs[r][i]) != 0)
				create_failed = 1;
		}
		if (create_failed)
			break;
		sem_wait_n(PER_ROUND);
	}
	check(!create_failed, 7, "created %d detached threads in %d rounds", ROUNDS * PER_ROUND, ROUNDS);
	int all_done = 1;
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < PER_ROUND; i++)
			if (work[r][i] != (i * 10) * (i * 10 + 1) / 2 + 1)
				all_done = 0;
	check(all_done, 8, "every detached thread did its work before posting");

	sem_t go;
	pthread_t t;
	need(sem_init(&go, 0, 0) == 0, 9, "sem_init");
	need(pthread_create(&t, NULL, detach_me, &go) == 0, 10, "pthread_create");
	expect_eq(pthread_detach(t), 0, 11, "pthread_detach(running joinable thread) -> 0");
	sem_post(&go);
	sem_wait_n(1);
	check(detached_self_done, 12, "the thread detached by pthread_detach finished its work");

	need(pthread_create(&t, &attr, blocked_forever, NULL) == 0, 13, "pthread_create");
	pthread_attr_destroy(&attr);
	printf("main returns 0 with a detached thread blocked in pause()\n");
	return guest_finish();
}
