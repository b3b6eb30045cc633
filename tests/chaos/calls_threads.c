/* Two threads making direct calls (a recursive fib each), preempted
 * often: no race, the output is always "fib 46368 75025". A preemption at
 * the start of a block entered by a chained direct call, with any code
 * hook present (--chaos, gdb's breakpoints, reverse execution), used to
 * resume at a stale pc and run the call twice (Unicorn 2.1.1 keeps the
 * pc it last stored when a code hook exists: emu/cpu.c start_engine). */
#include <pthread.h>
#include <stdio.h>

__attribute__((noinline)) static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static unsigned r[2];

static void *worker(void *arg)
{
	long i = (long)arg;
	r[i] = fib(24 + (unsigned)i);
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i))
			return 2;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("fib %u %u\n", r[0], r[1]);
	return r[0] == 46368 && r[1] == 75025 ? 0 : 1;
}
