/* pipe: 50,000 one-byte round trips between two processes. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int ab[2], ba[2];
	if (pipe(ab) || pipe(ba))
		return 1;
	pid_t p = fork();
	char c = 'x';
	if (p == 0) {
		for (int i = 0; i < 50000; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(2);
		_exit(0);
	}
	long n = 0;
	for (int i = 0; i < 50000; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 3;
		n++;
	}
	waitpid(p, NULL, 0);
	printf("pipe: %ld round trips\n", n);
	return 0;
}
