/* race_check_act done right: the check and the act under one mutex, and
 * the counter incremented with LOCK. Every schedule must pass. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int claimed, winners, counter;

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
	pthread_mutex_lock(&lock);
	if (!claimed) {
		done += work(200);
		claimed = 1;
		winners++;
	}
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 500; i++)
		__asm__ volatile("lock addl $1, %0" : "+m"(counter));
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
	printf("winners %d counter %d\n", winners, counter);
	return winners == 1 && counter == 1000 ? 0 : 1;
}
