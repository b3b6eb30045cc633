/*
 * inet_tcp: TCP over the loopback (host sockets in the initial network
 * namespace), never a fixed port: bind to port 0 and getsockname.
 *
 *   - socket/bind/listen/getsockname, SO_TYPE/SO_DOMAIN/SO_PROTOCOL/
 *     SO_ACCEPTCONN, F_GETFL of a SOCK_NONBLOCK socket
 *   - a non-blocking accept is EAGAIN with nothing pending, then succeeds
 *   - a child process connects (blocking) and echoes; the parent's blocking
 *     accept and recv block only it
 *   - a thread does the same over ::1 (IPv6)
 *   - MSG_WAITALL, MSG_PEEK, shutdown(SHUT_WR) -> EOF, FIONREAD
 *   - a non-blocking connect: EINPROGRESS, then POLLOUT and SO_ERROR 0
 *   - connect to a closed port: ECONNREFUSED (blocking) and via SO_ERROR
 *   - errors: EISCONN, ENOTCONN, EADDRINUSE, EAFNOSUPPORT,
 *     EPROTONOSUPPORT, ENOTSOCK, EFAULT, EPIPE with SIGPIPE
 *   - SO_RCVTIMEO: a recv with nothing to read gives EAGAIN
 *   - SCM_RIGHTS: a listener passed over AF_UNIX to a child (which closed
 *     its inherited copy) accepts there
 */
#include "unix_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>

static socklen_t sa_len(int fam)
{
	return fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* A loopback listener of family @fam on an ephemeral port; *@addr gets its address. */
static int listener(int fam, struct sockaddr_storage *addr, int flags)
{
	int s = socket(fam, SOCK_STREAM | flags, 0);
	need(s >= 0, 90, "socket");
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(addr, 0, sizeof(*addr));
	if (fam == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)addr;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	}
	need(bind(s, (struct sockaddr *)addr, sa_len(fam)) == 0, 90, "bind");
	need(listen(s, 8) == 0, 90, "listen");
	socklen_t l = sizeof(*addr);
	need(getsockname(s, (struct sockaddr *)addr, &l) == 0 && l == sa_len(fam), 90,
	     "getsockname");
	return s;
}

static int port_of(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? ntohs(((struct sockaddr_in *)a)->sin_port)
				       : ntohs(((struct sockaddr_in6 *)a)->sin6_port);
}

/* Client side: connect, send "ping", expect "PING", shut down. 0 or step. */
static int client(const struct sockaddr_storage *addr)
{
	int c = socket(addr->ss_family, SOCK_STREAM, 0);
	if (c < 0)
		return 1;
	if (connect(c, (const struct sockaddr *)addr, sa_len(addr->ss_family)))
		return 2;
	if (write(c, "ping", 4) != 4)
		return 3;
	char buf[8] = {0};
	if (recv(c, buf, 4, MSG_WAITALL) != 4 || memcmp(buf, "PING", 4))
		return 4;
	shutdown(c, SHUT_WR);
	if (read(c, buf, sizeof(buf)) != 0)
		return 5;
	close(c);
	return 0;
}

/* Server side on an accepted socket: echo upper-cased until EOF. */
static int serve(int s, const char *what, int code)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	int a = accept(s, (struct sockaddr *)&peer, &pl);
	check(a >= 0 && pl == sa_len(peer.ss_family), code, "%s: accept", what);
	if (a < 0)
		return -1;
	char buf[8] = {0};
	ssize_t n = recv(a, buf, 4, MSG_WAITALL);
	check(n == 4 && !memcmp(buf, "ping", 4), code + 1, "%s: recv ping", what);
	for (int i = 0; i < 4; i++)
		buf[i] = (char)(buf[i] - 32);
	check(send(a, buf, 4, 0) == 4, code + 2, "%s: send PING", what);
	n = read(a, buf, sizeof(buf));
	check(n == 0, code + 3, "%s: EOF after the peer's shutdown", what);
	close(a);
	return 0;
}

static struct sockaddr_storage thread_addr;
static void *thread_client(void *arg)
{
	(void)arg;
	return (void *)(long)client(&thread_addr);
}

static int got_sigpipe;
static void on_sigpipe(int sig)
{
	(void)sig;
	got_sigpipe++;
}

int main(void)
{
	guest_line_buffered();
	struct sockaddr_storage addr;

	/* A non-blocking listener: options, F_GETFL, EAGAIN from accept. */
	int s = listener(AF_INET, &addr, SOCK_NONBLOCK);
	check(port_of(&addr) != 0, 1, "bind to port 0 picks a port");
	check(sockopt_int(s, SO_TYPE) == SOCK_STREAM, 2, "SO_TYPE");
	check(sockopt_int(s, SO_DOMAIN) == AF_INET, 3, "SO_DOMAIN");
	check(sockopt_int(s, SO_PROTOCOL) == IPPROTO_TCP, 4, "SO_PROTOCOL");
	check(sockopt_int(s, SO_ACCEPTCONN) == 1, 5, "SO_ACCEPTCONN");
	check((fcntl(s, F_GETFL) & (O_NONBLOCK | O_ACCMODE)) == (O_NONBLOCK | O_RDWR), 6,
	      "F_GETFL of SOCK_NONBLOCK");
	EXPECT_ERR(accept(s, NULL, NULL), EAGAIN, 7, "non-blocking accept, nothing pending");
	check(poll_now(s, POLLIN) == 0, 8, "listener not readable");

	/* A child connects; the parent accepts once the listener is readable. */
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(client(&addr));
	struct pollfd p = {s, POLLIN, 0};
	check(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN), 9, "poll: connection pending");
	int fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
	serve(s, "process", 10);
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 14,
	      "child client exit 0");

	/* A blocking accept in the parent, the client a child that waits first. */
	pid = guest_fork();
	if (pid == 0) {
		usleep(20000);
		_exit(client(&addr));
	}
	serve(s, "blocking accept", 15);
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 19,
	      "second child exit 0");
	close(s);

	/* A thread over ::1. */
	s = listener(AF_INET6, &thread_addr, SOCK_CLOEXEC);
	check(sockopt_int(s, SO_DOMAIN) == AF_INET6, 20, "SO_DOMAIN AF_INET6");
	check(fcntl(s, F_GETFD) == FD_CLOEXEC, 21, "SOCK_CLOEXEC");
	pthread_t th;
	need(pthread_create(&th, NULL, thread_client, NULL) == 0, 91, "pthread_create");
	serve(s, "thread ::1", 22);
	void *ret;
	pthread_join(th, &ret);
	check(ret == NULL, 26, "thread client result %ld", (long)ret);

	/* A connected pair for the remaining checks. */
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&thread_addr, sizeof(struct sockaddr_in6)) == 0, 27,
	      "connect ::1");
	int a = accept4(s, NULL, NULL, SOCK_NONBLOCK);
	check(a >= 0 && (fcntl(a, F_GETFL) & O_NONBLOCK), 28, "accept4 SOCK_NONBLOCK");
	EXPECT_ERR(connect(c, (struct sockaddr *)&thread_addr, sizeof(struct sockaddr_in6)),
		   EISCONN, 29, "connect twice");
	EXPECT_ERR(recv(a, &st, 1, 0), EAGAIN, 30, "recv on empty O_NONBLOCK socket");
	check(send(c, "abcdef", 6, 0) == 6, 31, "send 6");
	p = (struct pollfd){a, POLLIN, 0};
	poll(&p, 1, 10000);
	int n = -1;
	int fr = ioctl(a, FIONREAD, &n);
	check(fr == 0 && n == 6, 32, "FIONREAD 6");
	char buf[16] = {0};
	check(recv(a, buf, 3, MSG_PEEK) == 3 && !memcmp(buf, "abc", 3), 33, "MSG_PEEK");
	struct sockaddr_in6 rf;
	socklen_t rfl = sizeof(rf);
	check(recvfrom(a, buf, 2, 0, (struct sockaddr *)&rf, &rfl) == 2 && rfl == 0, 71,
	      "recvfrom on a stream: no address, *addrlen 0");
	check(read(a, buf, sizeof(buf)) == 4 && !memcmp(buf, "cdef", 4), 34, "read the rest");
	int on = 0;
	ioctl(a, FIONBIO, &on);
	check(!(fcntl(a, F_GETFL) & O_NONBLOCK), 35, "FIONBIO clears O_NONBLOCK");
	struct timeval tv = {0, 50000};
	check(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, 36, "SO_RCVTIMEO");
	EXPECT_ERR(recv(a, buf, 1, 0), EAGAIN, 37, "recv times out");
	struct sockaddr_in6 pa;
	socklen_t pl = sizeof(pa);
	check(getpeername(c, (struct sockaddr *)&pa, &pl) == 0 && pl == sizeof(pa) &&
		  ntohs(pa.sin6_port) == port_of(&thread_addr),
	      38, "getpeername is the listener's port");

	/* EPIPE and SIGPIPE after the peer is gone. */
	signal(SIGPIPE, on_sigpipe);
	close(a);
	usleep(20000);
	send(c, "x", 1, 0); /* answered by RST */
	usleep(20000);
	errno = 0;
	ssize_t w = send(c, "y", 1, 0);
	int e = errno;
	check(w == -1 && (e == EPIPE || e == ECONNRESET), 39, "send after reset fails");
	check(got_sigpipe == (e == EPIPE), 40, "SIGPIPE with EPIPE only");
	EXPECT_ERR(send(c, "z", 1, MSG_NOSIGNAL), EPIPE, 41, "MSG_NOSIGNAL: EPIPE");
	check(got_sigpipe <= 1, 42, "no SIGPIPE with MSG_NOSIGNAL");
	close(c);

	/* ECONNREFUSED: the port of a listener that is gone. */
	int port = port_of(&thread_addr);
	close(s);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	EXPECT_ERR(connect(c, (struct sockaddr *)&thread_addr, sizeof(struct sockaddr_in6)),
		   ECONNREFUSED, 43, "connect to a closed port");
	close(c);
	c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(c, (struct sockaddr *)&thread_addr, sizeof(struct sockaddr_in6));
	if (r == -1 && errno == EINPROGRESS) {
		p = (struct pollfd){c, POLLOUT, 0};
		poll(&p, 1, 10000);
		check(sockopt_int(c, SO_ERROR) == ECONNREFUSED, 44,
		      "non-blocking connect refused: SO_ERROR");
	} else {
		expect_serr(r, errno, ECONNREFUSED, 44, "non-blocking connect refused");
	}
	close(c);
	(void)port;

	/* A non-blocking connect that succeeds. */
	s = listener(AF_INET, &addr, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(c, (struct sockaddr *)&addr, sizeof(struct sockaddr_in));
	check(r == 0 || errno == EINPROGRESS, 45, "non-blocking connect: 0 or EINPROGRESS");
	p = (struct pollfd){c, POLLOUT, 0};
	check(poll(&p, 1, 10000) == 1 && (p.revents & POLLOUT), 46, "POLLOUT once connected");
	check(sockopt_int(c, SO_ERROR) == 0, 47, "SO_ERROR 0");
	a = accept(s, NULL, NULL);
	check(a >= 0, 48, "accept the non-blocking connect");

	/* SCM_RIGHTS: the parent hands a listener to a child over AF_UNIX. */
	int sv[2];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 92, "socketpair");
	struct sockaddr_storage paddr;
	int ls = listener(AF_INET, &paddr, 0);
	pid = guest_fork();
	if (pid == 0) {
		close(ls);
		char b;
		struct iovec io = {&b, 1};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cu;
		struct msghdr m = {0};
		m.msg_iov = &io;
		m.msg_iovlen = 1;
		m.msg_control = cu.buf;
		m.msg_controllen = sizeof(cu.buf);
		if (recvmsg(sv[1], &m, 0) != 1)
			_exit(1);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			_exit(2);
		int fd;
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		if (sockopt_int(fd, SO_ACCEPTCONN) != 1 || sockopt_int(fd, SO_DOMAIN) != AF_INET)
			_exit(3);
		int a2 = accept(fd, NULL, NULL);
		if (a2 < 0 || write(a2, "via scm", 7) != 7)
			_exit(4);
		_exit(0);
	}
	{
		char b = 'L';
		struct iovec io = {&b, 1};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cu;
		memset(&cu, 0, sizeof(cu));
		struct msghdr m = {0};
		m.msg_iov = &io;
		m.msg_iovlen = 1;
		m.msg_control = cu.buf;
		m.msg_controllen = sizeof(cu.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &ls, sizeof(ls));
		check(sendmsg(sv[0], &m, 0) == 1, 67, "SCM_RIGHTS: send the listener");
		close(ls);
		int c2 = socket(AF_INET, SOCK_STREAM, 0);
		check(connect(c2, (struct sockaddr *)&paddr, sizeof(struct sockaddr_in)) == 0, 68,
		      "connect to the passed listener");
		char got[8] = {0};
		check(recv(c2, got, 7, MSG_WAITALL) == 7 && !memcmp(got, "via scm", 7), 69,
		      "the child accepted on it");
		close(c2);
		check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 70,
		      "SCM_RIGHTS child exit 0");
		close(sv[0]);
		close(sv[1]);
	}

	/* Bad input. */
	int s2 = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_ERR(bind(s2, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)), EADDRINUSE, 50,
		   "bind to a listening port");
	EXPECT_ERR(recv(s2, buf, 1, 0), ENOTCONN, 51, "recv unconnected");
	EXPECT_ERR(send(s2, buf, 1, 0), EPIPE, 52, "send unconnected");
	EXPECT_ERR(getpeername(s2, (struct sockaddr *)&pa, &pl), ENOTCONN, 53,
		   "getpeername unconnected");
	EXPECT_ERR(bind(s2, (struct sockaddr *)&addr, 4), EINVAL, 54, "bind short address");
	EXPECT_ERR(bind(s2, (struct sockaddr *)8, sizeof(struct sockaddr_in)), EFAULT, 55,
		   "bind bad pointer");
	EXPECT_ERR(send(c, (void *)8, 10, 0), EFAULT, 56, "send bad buffer");
	EXPECT_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, 57,
		   "SOCK_STREAM with IPPROTO_UDP");
	EXPECT_ERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT, 58, "family 12345");
	EXPECT_ERR(socket(AF_IPX, SOCK_DGRAM, 0), EAFNOSUPPORT, 59, "AF_IPX");
	EXPECT_ERR(connect(1, (struct sockaddr *)&addr, sizeof(struct sockaddr_in)), ENOTSOCK, 60,
		   "connect on stdout");
	/* syscall(): musl's sendmsg copies the msghdr itself */
	EXPECT_ERR(syscall(SYS_sendmsg, c, (struct msghdr *)8, 0), EFAULT, 61, "sendmsg bad msghdr");
	struct msghdr mh = {0};
	mh.msg_iov = (struct iovec *)8;
	mh.msg_iovlen = 1;
	EXPECT_ERR(syscall(SYS_sendmsg, c, &mh, 0), EFAULT, 62, "sendmsg bad iovec");
	mh.msg_iovlen = 5000;
	EXPECT_ERR(syscall(SYS_sendmsg, c, &mh, 0), EMSGSIZE, 63, "sendmsg 5000 iovecs");
	int one = 1;
	check(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, 64,
	      "TCP_NODELAY");
	int nd = 0;
	socklen_t ndl = sizeof(nd);
	check(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &ndl) == 0 && nd == 1, 65,
	      "TCP_NODELAY reads back");
	EXPECT_ERR(listen(c, 1), EINVAL, 66, "listen on a connected socket");
	close(s2);
	close(a);
	close(c);
	close(s);
	return guest_finish();
}
