/* The subject of the record/replay tests: reads stdin, the clock, random
 * bytes and a file, forks and uses a thread, and prints all of it. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long sum;

static void *worker(void *arg)
{
	for (int i = 0; i < 1000; i++)
		sum += (unsigned long)i * (unsigned long)(size_t)arg;
	return NULL;
}

int main(int argc, char **argv)
{
	char line[256];
	int n = 0;
	unsigned long h = 5381;
	while (fgets(line, sizeof(line), stdin)) {
		n++;
		for (char *p = line; *p; p++)
			h = h * 33 + (unsigned char)*p;
	}
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	unsigned char r[4];
	getrandom(r, sizeof(r), 0);
	char data[64] = "";
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	if (fd >= 0) {
		ssize_t k = read(fd, data, sizeof(data) - 1);
		data[k > 0 ? k : 0] = 0;
		data[strcspn(data, "\n")] = 0;
		close(fd);
	}
	pthread_t t;
	pthread_create(&t, NULL, worker, (void *)3);
	pthread_join(t, NULL);
	pid_t p = fork();
	if (p == 0)
		_exit(n & 0x7f);
	int st;
	waitpid(p, &st, 0);
	printf("lines %d hash %lu realtime %lld mono %lld.%09ld random %02x%02x%02x%02x file [%s] "
	       "sum %lu child %d\n",
	       n, h, (long long)rt.tv_sec, (long long)mono.tv_sec, mono.tv_nsec, r[0], r[1], r[2],
	       r[3], data, sum, WEXITSTATUS(st));
	return 0;
}
