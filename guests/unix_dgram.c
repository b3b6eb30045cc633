/*
 * unix_dgram: AF_UNIX SOCK_DGRAM: message boundaries, truncation, names.
 *
 *   - a socketpair keeps boundaries (10, 0 and 5 bytes arrive as three
 *     datagrams, the empty one too); a short buffer truncates: recvmsg sets
 *     MSG_TRUNC, recv with MSG_TRUNC returns the real length, the rest is
 *     gone; MSG_PEEK returns the same datagram twice; FIONREAD is the
 *     first datagram's size
 *   - a forked child's datagrams of distinct sizes arrive in order
 *   - a server bound to a path: recvfrom names a bound sender (path length
 *     as Linux counts it) and gives length 0 for an unbound one; sendto a
 *     missing path ENOENT, to a regular file ECONNREFUSED, to a stream
 *     socket EPROTOTYPE
 *   - a receiver nobody is connected back to queues max_dgram_qlen + 1
 *     datagrams, then EAGAIN (and poll says not writable)
 *   - a datagram bigger than SO_SNDBUF - 32 is EMSGSIZE
 *   - connected to a socket that is connected elsewhere: EPERM
 *   - the peer of a pair closes: ECONNREFUSED once, then ENOTCONN;
 *     connect(AF_UNSPEC) disconnects; recv after SHUT_RD: EOF when
 *     blocking, EAGAIN when not; send to a SHUT_RD receiver: EPIPE
 *   - SOCK_RAW is SOCK_DGRAM
 */
#include "unix_check.h"

#include <sys/ioctl.h>

static void pair_boundaries(void)
{
	int sv[2];
	char buf[64];
	need(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, 91, "socketpair");
	expect_eq(sockopt_int(sv[0], SO_TYPE), SOCK_DGRAM, 10, "SO_TYPE is SOCK_DGRAM");
	expect_eq(send(sv[0], "0123456789", 10, 0), 10, 11, "send 10 bytes");
	expect_eq(send(sv[0], "", 0, 0), 0, 12, "send an empty datagram");
	expect_eq(write(sv[0], "abcde", 5), 5, 13, "write 5 bytes");
	int n = -1;
	ioctl(sv[1], FIONREAD, &n);
	expect_eq(n, 10, 14, "FIONREAD is the first datagram's size");
	expect_eq(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 10, 15, "MSG_PEEK: 10");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 10, 16, "recv: the same 10 again");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 0, 17, "recv: the empty datagram");
	expect_eq(read(sv[1], buf, sizeof(buf)), 5, 18, "read: 5");
	EXPECT_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, 19, "then nothing");

	send(sv[0], "twenty bytes of data", 20, 0);
	struct iovec iov = {buf, 8};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	expect_eq(recvmsg(sv[1], &mh, 0), 8, 20, "recvmsg into 8 bytes returns 8");
	check(mh.msg_flags == MSG_TRUNC, 21, "... with MSG_TRUNC in msg_flags");
	EXPECT_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, 22, "the rest was discarded");
	send(sv[0], "twenty bytes of data", 20, 0);
	expect_eq(recv(sv[1], buf, 4, MSG_TRUNC), 20, 23, "recv(MSG_TRUNC) returns the real length");
	send(sv[0], "xyz", 3, 0);
	expect_eq(recv(sv[1], buf, 0, 0), 0, 24, "recv of 0 bytes consumes a datagram");
	EXPECT_ERR(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, 25, "... all of it");

	pid_t pid = guest_fork();
	if (pid == 0) {
		char d[64];
		memset(d, 'q', sizeof(d));
		for (int i = 1; i <= 6; i++)
			if (send(sv[1], d, (size_t)i * 7, 0) != i * 7)
				_exit(1);
		_exit(0);
	}
	int order = 1;
	for (int i = 1; i <= 6; i++)
		order &= recv(sv[0], buf, sizeof(buf), 0) == i * 7;
	check(order, 26, "a child's six datagrams of 7..42 bytes arrive whole and in order");
	expect_status(pid, "exited 0", 27, "sender child");
	close(sv[0]);
	close(sv[1]);

	need(socketpair(AF_UNIX, SOCK_RAW, 0, sv) == 0, 91, "socketpair SOCK_RAW");
	expect_eq(sockopt_int(sv[0], SO_TYPE), SOCK_DGRAM, 28, "SOCK_RAW makes a SOCK_DGRAM socket");
	close(sv[0]);
	close(sv[1]);
}

static int read_qlen(void)
{
	int q = 10;
	FILE *f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r");
	if (f) {
		if (fscanf(f, "%d", &q) != 1)
			q = 10;
		fclose(f);
	}
	return q;
}

static void named(void)
{
	struct sockaddr_un sa, ca, from;
	socklen_t sl = un_path(&sa, "srv.sock"), cl = un_path(&ca, "cli.sock"), fl;
	char buf[64];
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	int cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	int anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	need(srv >= 0 && cli >= 0 && anon >= 0, 91, "socket");
	expect_eq(bind(srv, (struct sockaddr *)&sa, sl), 0, 30, "bind srv.sock");
	expect_eq(bind(cli, (struct sockaddr *)&ca, cl), 0, 31, "bind cli.sock");
	expect_eq(sendto(cli, "from cli", 8, 0, (struct sockaddr *)&sa, sl), 8, 32, "sendto srv.sock");
	expect_eq(sendto(anon, "from anon", 9, 0, (struct sockaddr *)&sa, sl), 9, 33, "sendto from an unbound socket");
	memset(&from, 0x55, sizeof(from));
	fl = sizeof(from);
	expect_eq(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 8, 34, "recvfrom");
	expect_eq(fl, offsetof(struct sockaddr_un, sun_path) + strlen("cli.sock") + 1, 35,
		  "the sender's address length: family + path + NUL");
	check(from.sun_family == AF_UNIX && !strcmp(from.sun_path, "cli.sock"), 36, "... and path");
	fl = sizeof(from);
	expect_eq(recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 9, 37, "recvfrom the unbound one");
	expect_eq(fl, 0, 38, "an unbound sender has no address (length 0)");
	fl = 4;
	sendto(cli, "x", 1, 0, (struct sockaddr *)&sa, sl);
	recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	expect_eq(fl, cl, 39, "a short address buffer still learns the full length");

	struct sockaddr_un bad;
	socklen_t bl = un_path(&bad, "nonexistent.sock");
	EXPECT_ERR(sendto(cli, "x", 1, 0, (struct sockaddr *)&bad, bl), ENOENT, 40, "sendto a missing path");
	int fd = open("plain.file", O_CREAT | O_WRONLY, 0600);
	close(fd);
	bl = un_path(&bad, "plain.file");
	EXPECT_ERR(sendto(cli, "x", 1, 0, (struct sockaddr *)&bad, bl), ECONNREFUSED, 41, "sendto a regular file");
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	bl = un_path(&bad, "stream.sock");
	bind(st, (struct sockaddr *)&bad, bl);
	EXPECT_ERR(sendto(cli, "x", 1, 0, (struct sockaddr *)&bad, bl), EPROTOTYPE, 42, "sendto a stream socket's path");
	EXPECT_ERR(sendto(cli, "x", 1, 0, (struct sockaddr *)&sa, 1), EINVAL, 43, "sendto with a 1-byte address");
	EXPECT_ERR(send(anon, "x", 1, 0), ENOTCONN, 44, "send on an unconnected datagram socket");
	close(st);

	/* Nobody is connected back to srv: its queue takes max_dgram_qlen + 1. */
	expect_eq(connect(anon, (struct sockaddr *)&sa, sl), 0, 45, "connect to srv.sock");
	fcntl(anon, F_SETFL, O_NONBLOCK);
	int q = read_qlen(), sent = 0;
	while (sent < 1000 && send(anon, "q", 1, 0) == 1)
		sent++;
	int e = errno;
	expect_eq(sent, q + 1, 46, "a receiver nobody is connected back to queues max_dgram_qlen + 1");
	check(e == EAGAIN, 47, "then EAGAIN");
	check(!(poll_now(anon, POLLOUT) & POLLOUT), 48, "poll: the connected sender is not writable");
	recv(srv, buf, sizeof(buf), 0);
	check(poll_now(anon, POLLOUT) & POLLOUT, 49, "writable again after one is read");
	expect_eq(send(anon, "q", 1, 0), 1, 50, "and the next send goes");
	while (recv(srv, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;

	int v = 5000;
	setsockopt(anon, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	static char big[20000];
	EXPECT_ERR(send(anon, big, 10000 - 31, 0), EMSGSIZE, 51, "a datagram bigger than SO_SNDBUF - 32");
	expect_eq(send(anon, big, 10000 - 32, 0), 10000 - 32, 52, "SO_SNDBUF - 32 fits");
	recv(srv, big, sizeof(big), 0);

	/* srv connects to cli: others may no longer send to srv. */
	expect_eq(connect(srv, (struct sockaddr *)&ca, cl), 0, 53, "srv connects to cli.sock");
	EXPECT_ERR(send(anon, "x", 1, 0), EPERM, 54, "sending to a socket connected elsewhere");
	expect_eq(sendto(cli, "ok", 2, 0, (struct sockaddr *)&sa, sl), 2, 55, "its peer may");
	struct sockaddr unspec = {AF_UNSPEC, {0}};
	expect_eq(connect(srv, &unspec, sizeof(unspec)), 0, 56, "connect(AF_UNSPEC) disconnects");
	EXPECT_ERR(send(srv, "x", 1, 0), ENOTCONN, 57, "then send has no destination");
	expect_eq(send(anon, "y", 1, 0), 1, 58, "and others may send again");
	close(srv);
	close(cli);
	close(anon);
}

static void closed_peer(void)
{
	int sv[2];
	char buf[8];
	need(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, 91, "socketpair");
	send(sv[1], "left", 4, 0);
	close(sv[1]);
	expect_eq(recv(sv[0], buf, sizeof(buf), 0), 4, 60, "what the closed peer sent is still there");
	EXPECT_ERR(send(sv[0], "x", 1, 0), ECONNREFUSED, 61, "send to a closed peer");
	EXPECT_ERR(send(sv[0], "x", 1, 0), ENOTCONN, 62, "again: the peer is forgotten");
	EXPECT_ERR(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, 63, "recv: nothing, no error");
	close(sv[0]);

	need(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, 91, "socketpair");
	expect_eq(shutdown(sv[0], SHUT_RD), 0, 64, "shutdown(SHUT_RD)");
	expect_eq(recv(sv[0], buf, sizeof(buf), 0), 0, 65, "a blocking recv after SHUT_RD is EOF");
	EXPECT_ERR(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, 66, "a non-blocking one EAGAIN");
	signal(SIGPIPE, SIG_DFL);
	EXPECT_ERR(send(sv[1], "x", 1, 0), EPIPE, 67, "sending to it: EPIPE (and no SIGPIPE)");
	expect_eq(shutdown(sv[1], SHUT_WR), 0, 68, "shutdown(SHUT_WR)");
	EXPECT_ERR(send(sv[1], "x", 1, 0), EPIPE, 69, "sending after SHUT_WR: EPIPE (no SIGPIPE)");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	pair_boundaries();
	named();
	closed_peer();
	return guest_finish();
}
