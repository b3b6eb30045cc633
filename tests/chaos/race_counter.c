/* The textbook counter++ race: two threads each add 1 to a shared counter
 * 2000 times with an unlocked read-modify-write instruction (add to
 * memory, no LOCK prefix). Atomic on one CPU, it loses updates when another
 * CPU's increment falls between its load and its store: under --chaos,
 * when a preemption splits it. Prints the total; exit status 1 when it is
 * not 4000. */
#include <pthread.h>
#include <stdio.h>

#define N 2000
static int counter;

static void *worker(void *arg)
{
	for (int i = 0; i < N; i++)
		__asm__ volatile("addl $1, %0" : "+m"(counter)); /* counter++ */
	return arg;
}

int main(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			return 2;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("counter %d\n", counter);
	return counter == 2 * N ? 0 : 1;
}
