/* unix_pingpong: 50,000 one-byte round trips between two processes over an
 * AF_UNIX stream socketpair (the model's sockets, never the host's). */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	pid_t p = fork();
	char c = 'x';
	if (p == 0) {
		for (int i = 0; i < 50000; i++)
			if (read(sv[1], &c, 1) != 1 || write(sv[1], &c, 1) != 1)
				_exit(2);
		_exit(0);
	}
	long n = 0;
	for (int i = 0; i < 50000; i++) {
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			return 3;
		n++;
	}
	waitpid(p, NULL, 0);
	printf("unix_pingpong: %ld round trips\n", n);
	return 0;
}
