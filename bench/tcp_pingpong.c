/* tcp_pingpong: 20,000 one-byte round trips between two processes over a
 * TCP connection on 127.0.0.1 (TCP_NODELAY; host sockets under cloneemu,
 * each blocking read a sleep in the scheduler on the host descriptor). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 20000

int main(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		return 1;
	pid_t p = fork();
	char c = 'x';
	int one = 1;
	if (p == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(4);
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		for (int i = 0; i < ROUNDS; i++)
			if (read(s, &c, 1) != 1 || write(s, &c, 1) != 1)
				_exit(2);
		_exit(0);
	}
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return 5;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	long n = 0;
	for (int i = 0; i < ROUNDS; i++) {
		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
			return 3;
		n++;
	}
	int st;
	waitpid(p, &st, 0);
	printf("tcp_pingpong: %ld round trips\n", n);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 6;
}
