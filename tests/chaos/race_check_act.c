/* A check-then-act race: two threads each claim a one-time job when they
 * find it unclaimed. The check and the act are separate steps with some
 * work between them (about a tenth of each thread's work), so both threads
 * can find the job free and both claim it. Exit status 1 when that
 * happens ("winners 2"), 0 otherwise. Not a differential guest: run
 * natively on two CPUs it fails now and then; under cloneemu it fails
 * exactly for the chaos seeds whose schedule preempts a thread inside the
 * window. */
#include <pthread.h>
#include <stdio.h>

static int claimed;
static int winners;

/* Private computation: on the thread's own stack, not shared. */
static unsigned work(unsigned n)
{
	volatile unsigned acc = 0;
	for (unsigned i = 0; i < n; i++)
		acc += i * 7;
	return acc;
}

static void *worker(void *arg)
{
	unsigned done = work(1000);
	if (!__atomic_load_n(&claimed, __ATOMIC_RELAXED)) { /* RACE_CHECK */
		done += work(200);
		__atomic_store_n(&claimed, 1, __ATOMIC_RELAXED); /* RACE_ACT */
		__atomic_fetch_add(&winners, 1, __ATOMIC_RELAXED);
	}
	done += work(800);
	return (void *)(unsigned long)done;
}

int main(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 2;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("winners %d\n", winners);
	return winners == 1 ? 0 : 1;
}
