/*
 * unix_seqpacket: AF_UNIX SOCK_SEQPACKET: connections that keep message
 * boundaries.
 *
 *   - a pair keeps boundaries; a short buffer truncates with MSG_TRUNC
 *     and the rest of that message is gone; MSG_PEEK; an empty message
 *   - a server on a path: a forked client sends three messages and
 *     closes; the server reads them one by one, then EOF (0)
 *   - the peer closes: recv is EOF (blocking and MSG_DONTWAIT alike),
 *     send is EPIPE without SIGPIPE even at the default action
 *   - the peer closes with unread data: the first recv is ECONNRESET
 *     (before the data), then the data, then EOF
 *   - unconnected: send and recv ENOTCONN; listen on an unbound socket
 *     EINVAL; sendto with an address on a connected one ignores it
 */
#include "unix_check.h"

static void pair_messages(void)
{
	int sv[2];
	char buf[64];
	need(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, 91, "socketpair");
	expect_eq(sockopt_int(sv[0], SO_TYPE), SOCK_SEQPACKET, 10, "SO_TYPE is SOCK_SEQPACKET");
	send(sv[0], "first message", 13, 0);
	send(sv[0], "", 0, 0);
	send(sv[0], "third", 5, 0);
	expect_eq(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 13, 11, "MSG_PEEK sees the first message");
	struct iovec iov = {buf, 5};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	expect_eq(recvmsg(sv[1], &mh, 0), 5, 12, "recvmsg into 5 bytes");
	check(mh.msg_flags == MSG_TRUNC, 13, "... sets MSG_TRUNC");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 0, 14, "the empty message (the truncated rest is gone)");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 5, 15, "the third message");
	struct sockaddr_un a;
	socklen_t al = un_abstract(&a, "ignored");
	expect_eq(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&a, al), 1, 16,
		  "sendto with an address on a connected socket ignores it");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 1, 17, "... and sends to the peer");
	close(sv[0]);
	close(sv[1]);
}

static void server(void)
{
	struct sockaddr_un a;
	socklen_t al = un_path(&a, "seq.sock");
	int ls = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	need(ls >= 0, 91, "socket");
	EXPECT_ERR(listen(ls, 1), EINVAL, 20, "listen on an unbound socket");
	bind(ls, (struct sockaddr *)&a, al);
	expect_eq(listen(ls, 1), 0, 21, "listen");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(c, (struct sockaddr *)&a, al))
			_exit(1);
		const char *m[3] = {"alpha", "be", "gamma-delta"};
		for (int i = 0; i < 3; i++)
			if (send(c, m[i], strlen(m[i]), 0) != (ssize_t)strlen(m[i]))
				_exit(2);
		close(c);
		_exit(0);
	}
	int s = accept(ls, NULL, NULL);
	check(s >= 0, 22, "accept");
	char buf[64];
	int lens[4];
	for (int i = 0; i < 4; i++)
		lens[i] = (int)recv(s, buf, sizeof(buf), 0);
	check(lens[0] == 5 && lens[1] == 2 && lens[2] == 11, 23, "three messages of 5, 2 and 11 bytes");
	expect_eq(lens[3], 0, 24, "then EOF");
	expect_status(pid, "exited 0", 25, "client child");
	expect_eq(recv(s, buf, sizeof(buf), MSG_DONTWAIT), 0, 26, "EOF also with MSG_DONTWAIT");
	pid = guest_fork();
	if (pid == 0) {
		send(s, "x", 1, 0);
		_exit(errno == EPIPE ? 0 : 1);
	}
	expect_status(pid, "exited 0", 27, "send to a closed peer: EPIPE, no SIGPIPE");
	close(s);
	close(ls);
}

static void reset(void)
{
	int sv[2];
	char buf[16];
	need(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, 91, "socketpair");
	send(sv[0], "unread", 6, 0);
	send(sv[1], "zz", 2, 0);
	close(sv[1]);
	EXPECT_ERR(recv(sv[0], buf, sizeof(buf), 0), ECONNRESET, 30, "the first recv reports the reset");
	expect_eq(recv(sv[0], buf, sizeof(buf), 0), 2, 31, "then the data");
	expect_eq(recv(sv[0], buf, sizeof(buf), 0), 0, 32, "then EOF");
	close(sv[0]);

	int u = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN, 33, "send on an unconnected socket");
	EXPECT_ERR(recv(u, buf, 1, 0), ENOTCONN, 34, "recv on an unconnected socket");
	close(u);
}

int main(void)
{
	pair_messages();
	server();
	reset();
	return guest_finish();
}
