/* Scale of the process model: 10,000 processes forked and alive at once
 * (each blocked reading a pipe), then released and reaped. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, p[2];
	if (pipe(p))
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c < 0) {
			perror("fork");
			return 1;
		}
		if (c == 0) {
			char b;
			close(p[1]);
			_exit(read(p[0], &b, 1) < 0);
		}
	}
	close(p[1]);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	printf("%d processes forked, alive together, reaped %d\n", n, reaped);
	return reaped != n;
}
