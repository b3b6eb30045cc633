/* Scale of the thread model: 10,000 threads (64 KiB stacks) created and
 * alive at once, waiting on one condition variable, then released and
 * joined. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

static void *worker(void *arg)
{
	pthread_mutex_lock(&m);
	while (!go)
		pthread_cond_wait(&cv, &m);
	pthread_mutex_unlock(&m);
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	pthread_t *t = malloc(n * sizeof(*t));
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 65536);
	for (int i = 0; i < n; i++)
		if (!t || pthread_create(&t[i], &at, worker, NULL)) {
			printf("pthread_create %d failed\n", i);
			return 1;
		}
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("%d threads created, alive together, joined\n", n);
	return 0;
}
