/* spawn: 2,000 pthread create + join. */
#include <pthread.h>
#include <stdio.h>

static void *fn(void *arg)
{
	return (char *)arg + 1;
}

int main(void)
{
	long sum = 0;
	for (long i = 0; i < 2000; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, fn, (void *)i) || pthread_join(t, &r))
			return 1;
		sum += (long)r;
	}
	printf("spawn: checksum %ld\n", sum);
	return 0;
}
