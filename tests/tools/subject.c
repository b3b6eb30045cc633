/* The subject of the instrument tests: a thread and a forked child that
 * both wait on a pipe while the main thread marks the moment with
 * getppid(), then a failing open. With "deadlock" the main thread waits
 * for the child instead of writing: every task sleeps for good (cloneemu
 * reports a deadlock). With "stdin" it then reads stdin (a run to kill).
 * With "socket" a forked child and the parent talk over a socketpair. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int counter = 41;
static int fds[2];

static void *thread_fn(void *arg)
{
	char c;
	if (read(fds[0], &c, 1) == 1)
		counter++;
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	if (argc > 1 && !strcmp(argv[1], "socket")) {
		int sv[2];
		char b[8];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return 1;
		if (fork() == 0)
			_exit(write(sv[1], "ping", 4) != 4 || read(sv[1], b, 2) != 2);
		if (read(sv[0], b, 4) != 4 || send(sv[0], "ok", 2, 0) != 2)
			return 1;
		wait(NULL);
		return 0;
	}
	if (pipe(fds))
		return 1;
	pthread_create(&t, NULL, thread_fn, NULL);
	pid_t p = fork();
	if (p == 0) {
		char c;
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	getppid(); /* the tests inspect the machine here */
	if (argc > 1 && !strcmp(argv[1], "deadlock"))
		waitpid(p, NULL, 0); /* the child waits on the pipe we hold */
	if (write(fds[1], "ab", 2) != 2)
		return 3;
	pthread_join(t, NULL);
	int st;
	waitpid(p, &st, 0);
	if (open("/nonexistent/file", O_RDONLY) >= 0)
		return 2;
	printf("subject: counter %d, child %s\n", counter, WEXITSTATUS(st) ? "bad" : "ok");
	if (argc > 1 && !strcmp(argv[1], "stdin")) {
		fflush(stdout);
		char c;
		return read(0, &c, 1) < 0;
	}
	return 0;
}
