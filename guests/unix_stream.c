/*
 * unix_stream: AF_UNIX SOCK_STREAM socketpairs between a parent and a forked
 * child, the way shells, perl and python use them.
 *
 *   - 256 KiB each way (more than SO_SNDBUF holds: writers sleep until the
 *     reader drains), contents checked; the reader's loop ends at EOF
 *   - SOCK_CLOEXEC / SOCK_NONBLOCK: FD_CLOEXEC, O_NONBLOCK (F_GETFL is
 *     O_RDWR|O_NONBLOCK), EAGAIN when empty; ioctl FIONBIO
 *   - fstat S_ISSOCK, /proc/self/fd/N reads "socket:[...]", opening it is
 *     ENXIO (O_PATH works), stat through it is the socket's; lseek and pread ESPIPE; SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 *     SO_ACCEPTCONN, SO_SNDBUF doubling, unknown option ENOPROTOOPT, other
 *     levels EOPNOTSUPP
 *   - MSG_PEEK leaves the data, MSG_DONTWAIT on a blocking socket,
 *     MSG_WAITALL gathers a child's three writes; FIONREAD, SIOCOUTQ
 *   - recv of 0 bytes on data returns 0; read of 0 returns 0; zero-byte
 *     write sends nothing
 *   - a small SO_SNDBUF: a non-blocking write is partial, the next EAGAIN
 *   - writing to a closed peer: EPIPE (SIGPIPE ignored), death by SIGPIPE
 *     (default action), EPIPE without a signal with MSG_NOSIGNAL
 *   - shutdown(SHUT_WR): the peer reads what was sent, then EOF; writes
 *     EPIPE. shutdown(SHUT_RD): the peer's writes EPIPE
 *   - closing with unread data: the peer reads what it was sent, then
 *     ECONNRESET once, then EOF; SO_ERROR reports the reset once
 *   - readv/writev, sendmsg/recvmsg with several iovecs
 *   - unconnected stream socket: read EINVAL, write ENOTCONN
 *   - sendfile of a 300 KiB file into a socket (a child reads it all; the
 *     sender sleeps while SO_SNDBUF is full), splice from a socket into a
 *     pipe and from a pipe into a socket; an offset for a socket: ESPIPE
 *     in sendfile, EINVAL in splice;
 *     sendfile to a closed peer: EPIPE
 */
#include "unix_check.h"

#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#define BULK (256 * 1024)

static unsigned char pattern(size_t i, int salt)
{
	return (unsigned char)((i * 131 + (i >> 9) + (size_t)salt) & 0xff);
}

static void pair(int sv[2], int type)
{
	need(socketpair(AF_UNIX, type, 0, sv) == 0, 91, "socketpair");
}

static void bulk_both_ways(void)
{
	int sv[2];
	pair(sv, SOCK_STREAM);
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sv[0]);
		static unsigned char buf[BULK + 1];
		size_t got = 0;
		ssize_t r;
		/* Read in odd-sized pieces until the parent's shutdown (EOF). */
		while ((r = read(sv[1], buf + got, got + 7777 > sizeof(buf) ? sizeof(buf) - got : 7777)) > 0)
			got += (size_t)r;
		int bad = got != BULK;
		for (size_t i = 0; !bad && i < BULK; i++)
			bad = buf[i] != pattern(i, 1);
		for (size_t i = 0; i < BULK; i++)
			buf[i] = pattern(i, 2);
		if (write_full(sv[1], buf, BULK) != BULK)
			bad |= 2;
		_exit(bad);
	}
	close(sv[1]);
	static unsigned char buf[BULK];
	for (size_t i = 0; i < BULK; i++)
		buf[i] = pattern(i, 1);
	expect_eq((long)write_full(sv[0], buf, BULK), BULK, 10, "parent wrote 256 KiB into the socket");
	expect_eq(shutdown(sv[0], SHUT_WR), 0, 11, "shutdown(SHUT_WR): the child's read loop ends at EOF");
	memset(buf, 0, sizeof(buf));
	expect_eq((long)read_full(sv[0], buf, BULK), BULK, 12, "parent read 256 KiB back");
	int same = 1;
	for (size_t i = 0; same && i < BULK; i++)
		same = buf[i] == pattern(i, 2);
	check(same, 13, "the child's bytes arrived intact and in order");
	char c;
	expect_eq(read(sv[0], &c, 1), 0, 14, "then EOF: the child exited");
	expect_status(pid, "exited 0", 15, "child checked the parent's bytes");
	close(sv[0]);
}

static void flags_and_identity(void)
{
	int sv[2];
	need(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0, 91,
	     "socketpair CLOEXEC|NONBLOCK");
	expect_eq(fcntl(sv[0], F_GETFD), FD_CLOEXEC, 20, "SOCK_CLOEXEC sets FD_CLOEXEC");
	expect_eq(fcntl(sv[1], F_GETFL), O_RDWR | O_NONBLOCK, 21, "F_GETFL is O_RDWR|O_NONBLOCK");
	char c;
	EXPECT_ERR(read(sv[0], &c, 1), EAGAIN, 22, "read on an empty non-blocking socket");
	int off = 0;
	expect_eq(ioctl(sv[0], FIONBIO, &off), 0, 23, "FIONBIO 0");
	expect_eq(fcntl(sv[0], F_GETFL), O_RDWR, 24, "F_GETFL after FIONBIO is O_RDWR");
	EXPECT_ERR(recv(sv[0], &c, 1, MSG_DONTWAIT), EAGAIN, 25, "MSG_DONTWAIT on a blocking socket");
	expect_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0, 26, "F_SETFL O_NONBLOCK");
	EXPECT_ERR(read(sv[0], &c, 1), EAGAIN, 27, "read after F_SETFL O_NONBLOCK");

	struct stat st;
	expect_eq(fstat(sv[0], &st), 0, 28, "fstat");
	check(S_ISSOCK(st.st_mode), 29, "fstat: S_ISSOCK");
	check((st.st_mode & 0777) == 0777, 30, "fstat: mode 0777");
	struct stat st2;
	fstat(sv[1], &st2);
	check(st.st_ino != st2.st_ino, 31, "the two ends are two inodes");
	char link[64], target[64] = {0};
	snprintf(link, sizeof(link), "/proc/self/fd/%d", sv[0]);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	char want[64];
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	check(n > 0 && !strcmp(target, want), 32, "/proc/self/fd/N is socket:[inode]");
	EXPECT_ERR(open(link, O_RDWR), ENXIO, 33, "opening a socket through /proc");
	struct stat lst;
	check(stat(link, &lst) == 0 && S_ISSOCK(lst.st_mode) && lst.st_ino == st.st_ino, 54,
	      "stat through /proc/self/fd/N is the socket's");
	int opath = open(link, O_PATH);
	check(opath >= 0, 55, "an O_PATH open of it works");
	close(opath);
	EXPECT_ERR(lseek(sv[0], 0, SEEK_SET), ESPIPE, 34, "lseek on a socket");
	EXPECT_ERR(pread(sv[0], &c, 1, 0), ESPIPE, 35, "pread on a socket");

	expect_eq(sockopt_int(sv[0], SO_TYPE), SOCK_STREAM, 36, "SO_TYPE is SOCK_STREAM");
	expect_eq(sockopt_int(sv[0], SO_DOMAIN), AF_UNIX, 37, "SO_DOMAIN is AF_UNIX");
	expect_eq(sockopt_int(sv[0], SO_PROTOCOL), 0, 38, "SO_PROTOCOL is 0");
	expect_eq(sockopt_int(sv[0], SO_ACCEPTCONN), 0, 39, "SO_ACCEPTCONN is 0");
	expect_eq(sockopt_int(sv[0], SO_ERROR), 0, 40, "SO_ERROR is 0");
	int v = 10000;
	expect_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0, 41, "SO_SNDBUF 10000");
	expect_eq(sockopt_int(sv[0], SO_SNDBUF), 20000, 42, "SO_SNDBUF reads back doubled");
	v = 1;
	expect_eq(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0, 43, "SO_RCVBUF 1");
	expect_eq(sockopt_int(sv[0], SO_RCVBUF), 2304, 44, "SO_RCVBUF has its minimum (SOCK_MIN_RCVBUF)");
	expect_eq(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0, 45, "SO_REUSEADDR accepted");
	expect_eq(sockopt_int(sv[0], SO_REUSEADDR), 1, 46, "SO_REUSEADDR reads back");
	socklen_t l = sizeof(v);
	EXPECT_ERR(getsockopt(sv[0], SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT, 47, "unknown SOL_SOCKET option");
	EXPECT_ERR(getsockopt(sv[0], 6 /* IPPROTO_TCP */, 1, &v, &l), EOPNOTSUPP, 48, "another level");
	EXPECT_ERR(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, 2), EINVAL, 49, "setsockopt with a short int");
	l = 2;
	expect_eq(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l), 0, 50, "getsockopt with a short buffer");
	expect_eq(l, 2, 51, "... reports the 2 bytes it wrote");
	int fd = open("/dev/null", O_RDONLY);
	l = sizeof(v);
	EXPECT_ERR(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l), ENOTSOCK, 52, "getsockopt on /dev/null");
	EXPECT_ERR(shutdown(fd, SHUT_RD), ENOTSOCK, 53, "shutdown on /dev/null");
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void peek_waitall_fionread(void)
{
	int sv[2];
	pair(sv, SOCK_STREAM);
	char buf[64] = {0};
	expect_eq(write(sv[0], "hello", 5), 5, 60, "write 5 bytes");
	expect_eq(write(sv[0], "world", 5), 5, 61, "write 5 more");
	int n = -1;
	expect_eq(ioctl(sv[1], FIONREAD, &n), 0, 62, "FIONREAD");
	expect_eq(n, 10, 63, "FIONREAD counts both writes");
	n = -1;
	ioctl(sv[0], TIOCOUTQ, &n);
	check(n > 10, 64, "SIOCOUTQ: the writer's queued memory is charged (more than the bytes)");
	expect_eq(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 10, 65, "MSG_PEEK sees both writes");
	expect_eq(recv(sv[1], buf, 3, 0), 3, 66, "recv 3");
	check(!memcmp(buf, "hel", 3), 67, "... the first 3 bytes");
	expect_eq(recv(sv[1], buf, 0, 0), 0, 68, "recv of 0 bytes with data queued returns 0");
	expect_eq(read(sv[1], buf, 0), 0, 69, "read of 0 bytes returns 0");
	expect_eq(recv(sv[1], buf, sizeof(buf), 0), 7, 70, "recv returns the rest of both writes");
	check(!memcmp(buf, "loworld", 7), 71, "... in order");
	expect_eq(write(sv[0], buf, 0), 0, 72, "zero-byte write returns 0");
	n = -1;
	ioctl(sv[1], FIONREAD, &n);
	expect_eq(n, 0, 73, "and sends nothing");
	EXPECT_ERR(recv(sv[1], buf, 0, MSG_DONTWAIT), EAGAIN, 74, "recv of 0 bytes with nothing queued");

	pid_t pid = guest_fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			if (write(sv[0], "abc", 3) != 3)
				_exit(1);
			sched_yield();
		}
		_exit(0);
	}
	memset(buf, 0, sizeof(buf));
	expect_eq(recv(sv[1], buf, 9, MSG_WAITALL), 9, 75, "MSG_WAITALL gathers three writes of 3");
	check(!strcmp(buf, "abcabcabc"), 76, "... in order");
	expect_status(pid, "exited 0", 77, "writer child");

	struct iovec wv[3] = {{"one-", 4}, {"two-", 4}, {"three", 5}};
	expect_eq(writev(sv[0], wv, 3), 13, 78, "writev of three pieces");
	char a[5] = {0}, b[20] = {0};
	struct iovec rv[2] = {{a, 4}, {b, sizeof(b)}};
	expect_eq(readv(sv[1], rv, 2), 13, 79, "readv into two buffers");
	check(!memcmp(a, "one-", 4) && !strcmp(b, "two-three"), 80, "... split as asked");
	struct msghdr mh = {0};
	mh.msg_iov = wv;
	mh.msg_iovlen = 3;
	expect_eq(sendmsg(sv[0], &mh, 0), 13, 81, "sendmsg of three pieces");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	struct msghdr rh = {0};
	rh.msg_iov = rv;
	rh.msg_iovlen = 2;
	expect_eq(recvmsg(sv[1], &rh, 0), 13, 82, "recvmsg into two buffers");
	expect_eq(rh.msg_flags, 0, 83, "recvmsg flags 0");
	expect_eq(rh.msg_controllen, 0, 84, "no control data");
	close(sv[0]);
	close(sv[1]);
}

static void small_sndbuf(void)
{
	int sv[2];
	pair(sv, SOCK_STREAM);
	int v = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	static char big[100000];
	memset(big, 'z', sizeof(big));
	ssize_t n = write(sv[0], big, sizeof(big));
	check(n > 0 && n < (ssize_t)sizeof(big), 90, "a non-blocking write larger than SO_SNDBUF is partial");
	EXPECT_ERR(write(sv[0], big, sizeof(big)), EAGAIN, 91, "the next write");
	check(!(poll_now(sv[0], POLLOUT) & POLLOUT), 92, "poll: not writable while full");
	static char back[100000];
	ssize_t got = recv(sv[1], back, sizeof(back), MSG_DONTWAIT);
	expect_eq(got, n, 93, "the reader gets exactly what the partial write reported");
	check(poll_now(sv[0], POLLOUT) & POLLOUT, 94, "poll: writable again once drained");
	close(sv[0]);
	close(sv[1]);
}

static void epipe_and_sigpipe(void)
{
	int sv[2];
	pair(sv, SOCK_STREAM);
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERR(write(sv[0], "x", 1), EPIPE, 100, "write to a closed peer (SIGPIPE ignored)");
	signal(SIGPIPE, SIG_DFL);
	EXPECT_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, 101, "send MSG_NOSIGNAL to a closed peer");
	pid_t pid = guest_fork();
	if (pid == 0) {
		write(sv[0], "x", 1);
		_exit(0);
	}
	expect_status(pid, "killed by signal 13", 102, "a writer to a closed peer dies of SIGPIPE");
	close(sv[0]);
}

static void shutdowns(void)
{
	int sv[2];
	char buf[16];
	pair(sv, SOCK_STREAM);
	expect_eq(write(sv[0], "bye", 3), 3, 110, "write before SHUT_WR");
	expect_eq(shutdown(sv[0], SHUT_WR), 0, 111, "shutdown(SHUT_WR)");
	expect_eq(read(sv[1], buf, sizeof(buf)), 3, 112, "the peer reads what was sent");
	expect_eq(read(sv[1], buf, sizeof(buf)), 0, 113, "then EOF");
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERR(write(sv[0], "x", 1), EPIPE, 114, "writing after SHUT_WR");
	expect_eq(write(sv[1], "back", 4), 4, 115, "the other direction still works");
	expect_eq(read(sv[0], buf, sizeof(buf)), 4, 116, "... and reads");
	EXPECT_ERR(shutdown(sv[0], 3), EINVAL, 117, "shutdown with how=3");
	close(sv[0]);
	close(sv[1]);

	pair(sv, SOCK_STREAM);
	expect_eq(shutdown(sv[0], SHUT_RD), 0, 118, "shutdown(SHUT_RD)");
	EXPECT_ERR(write(sv[1], "x", 1), EPIPE, 119, "the peer's write after SHUT_RD");
	expect_eq(read(sv[0], buf, sizeof(buf)), 0, 120, "a read after SHUT_RD is EOF");
	close(sv[0]);
	close(sv[1]);

	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	char c;
	EXPECT_ERR(read(u, &c, 1), EINVAL, 121, "read on an unconnected stream socket");
	EXPECT_ERR(write(u, &c, 1), ENOTCONN, 122, "write on an unconnected stream socket");
	expect_eq(shutdown(u, SHUT_RDWR), 0, 123, "shutdown of an unconnected socket is allowed");
	close(u);
	signal(SIGPIPE, SIG_DFL);
}

static void reset_on_unread_close(void)
{
	int sv[2];
	char buf[16];
	pair(sv, SOCK_STREAM);
	write(sv[0], "unread", 6);
	write(sv[1], "zz", 2);
	close(sv[1]); /* with "unread" still queued for it */
	expect_eq(read(sv[0], buf, 1), 1, 130, "the survivor reads what it was sent");
	expect_eq(read(sv[0], buf, sizeof(buf)), 1, 131, "... all of it");
	EXPECT_ERR(read(sv[0], buf, sizeof(buf)), ECONNRESET, 132, "then the reset");
	expect_eq(read(sv[0], buf, sizeof(buf)), 0, 133, "then EOF");
	close(sv[0]);

	pair(sv, SOCK_STREAM);
	write(sv[0], "unread", 6);
	close(sv[1]);
	expect_eq(sockopt_int(sv[0], SO_ERROR), ECONNRESET, 134, "SO_ERROR reports the reset");
	expect_eq(sockopt_int(sv[0], SO_ERROR), 0, 135, "... once");
	close(sv[0]);
}

static void splice_sendfile(void)
{
	enum { FSIZE = 300 * 1024 };
	static unsigned char data[FSIZE];
	for (size_t i = 0; i < FSIZE; i++)
		data[i] = pattern(i, 3);
	int fd = open("sendfile.dat", O_CREAT | O_RDWR | O_TRUNC, 0600);
	need(fd >= 0 && write_full(fd, data, FSIZE) == FSIZE, 91, "write the file");
	lseek(fd, 0, SEEK_SET);
	int sv[2];
	pair(sv, SOCK_STREAM);
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sv[0]);
		static unsigned char got[FSIZE];
		size_t n = read_full(sv[1], got, FSIZE);
		_exit(n == FSIZE && !memcmp(got, data, FSIZE) ? 0 : 1);
	}
	close(sv[1]);
	size_t sent = 0;
	while (sent < FSIZE) {
		ssize_t r = sendfile(sv[0], fd, NULL, FSIZE - sent);
		if (r <= 0)
			break;
		sent += (size_t)r;
	}
	expect_eq((long)sent, FSIZE, 140, "sendfile moved the whole file into the socket");
	expect_status(pid, "exited 0", 141, "the reading child got the file's bytes");
	off_t off = 0;
	EXPECT_ERR(sendfile(fd, sv[0], &off, 10), ESPIPE, 142, "sendfile with an offset on a socket input");
	signal(SIGPIPE, SIG_IGN);
	lseek(fd, 0, SEEK_SET);
	EXPECT_ERR(sendfile(sv[0], fd, NULL, 10), EPIPE, 143, "sendfile to a closed peer");
	signal(SIGPIPE, SIG_DFL);
	close(sv[0]);

	int p[2];
	pair(sv, SOCK_STREAM);
	need(pipe(p) == 0, 91, "pipe");
	write(sv[1], "spliced!", 8);
	expect_eq(splice(sv[0], NULL, p[1], NULL, 64, 0), 8, 144, "splice from a socket into a pipe");
	char buf[16] = {0};
	expect_eq(read(p[0], buf, sizeof(buf)), 8, 145, "the pipe holds the socket's bytes");
	write(p[1], "back", 4);
	expect_eq(splice(p[0], NULL, sv[1], NULL, 64, 0), 4, 146, "splice from a pipe into a socket");
	memset(buf, 0, sizeof(buf));
	expect_eq(read(sv[0], buf, sizeof(buf)), 4, 147, "the socket got the pipe's bytes");
	loff_t lo = 0;
	EXPECT_ERR(splice(sv[0], &lo, p[1], NULL, 4, 0), EINVAL, 148, "splice with an offset on the socket end");
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

int main(void)
{
	bulk_both_ways();
	flags_and_identity();
	peek_waitall_fionread();
	small_sndbuf();
	epipe_and_sigpipe();
	shutdowns();
	reset_on_unread_close();
	splice_sendfile();
	return guest_finish();
}
