/* repeat N CMD [ARGS...]: run CMD N times, one after the other, so that a
 * start-up benchmark measures many short runs in one timed process. Exits 1
 * if any run failed. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: repeat N CMD [ARGS...]\n");
		return 2;
	}
	int n = atoi(argv[1]), bad = 0;
	for (int i = 0; i < n; i++) {
		pid_t p;
		int st;
		if (posix_spawnp(&p, argv[2], NULL, NULL, argv + 2, environ) ||
		    waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	}
	return bad;
}
