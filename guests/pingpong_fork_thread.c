/*
 * pingpong_fork_thread: a thread of the parent and a forked child pass a
 * counter back and forth through two pipes (each waits for the other's
 * write), then the main thread joins the thread and reaps the child. The
 * README's --timeline picture is a run of it: wake-up arrows between two
 * processes, blocked reads, clone, exit and SIGCHLD.
 */
#include "guest_check.h"

#include <pthread.h>

#define ROUNDS 4

static int ping[2], pong[2];

static void *pinger(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		int v = i, back = -1;
		write_full(ping[1], &v, sizeof(v));
		read_full(pong[0], &back, sizeof(back));
		check(back == i + 100, 3, "round %d: pong %d", i, back);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	need(!pipe(ping) && !pipe(pong), 1, "pipes");
	pid_t child = guest_fork();
	need(child >= 0, 2, "fork");
	if (child == 0) {
		for (int i = 0; i < ROUNDS; i++) {
			int v;
			if (read_full(ping[0], &v, sizeof(v)) != sizeof(v))
				_exit(4);
			v += 100;
			write_full(pong[1], &v, sizeof(v));
		}
		_exit(0);
	}
	pthread_t t;
	need(!pthread_create(&t, NULL, pinger, NULL), 5, "pthread_create");
	pthread_join(t, NULL);
	expect_status(child, "exited 0", 6, "the child answered every round");
	return guest_finish();
}
