/* forkexec: 200 fork + execve of a tiny static binary (this one, with an
 * argument that makes it exit at once). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return 7;
	int sum = 0;
	for (int i = 0; i < 200; i++) {
		pid_t p = fork();
		if (p == 0) {
			execl("/proc/self/exe", argv[0], "child", (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(p, &st, 0) != p)
			return 1;
		sum += WEXITSTATUS(st);
	}
	printf("forkexec: checksum %d\n", sum);
	return 0;
}
