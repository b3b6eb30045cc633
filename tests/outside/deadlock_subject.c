/* A deadlock for the report (tests/outside/deadlock_report.sh): the child
 * reads a pipe whose write ends it and its parent keep open, the parent
 * waits for the child. Built with frame pointers, so the report can walk
 * the child's stack back to main. Natively it would hang forever. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) static void wait_on_pipe(int fd)
{
	char c;
	if (read(fd, &c, 1) >= 0)
		puts("read returned");
}

int main(void)
{
	int p[2];
	if (pipe(p))
		return 1;
	puts("waiting");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		wait_on_pipe(p[0]);
		return 0;
	}
	waitpid(c, NULL, 0);
	return 0;
}
