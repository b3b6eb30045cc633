/* futex: 100,000 round trips between two threads (ping-pong on two words). */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 100000
static _Atomic int turn; /* 0: main's turn, 1: the other thread's */

static void wait_for(int want)
{
	int v;
	while ((v = atomic_load(&turn)) != want)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void give(int to)
{
	atomic_store(&turn, to);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		wait_for(1);
		give(0);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, other, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		give(1);
		wait_for(0);
	}
	pthread_join(t, NULL);
	printf("futex: %d round trips\n", ROUNDS);
	return 0;
}
