/*
 * unix_server: a SOCK_STREAM server bound to a path, with forked clients.
 *
 *   - bind creates a socket file (S_ISSOCK); binding the path again:
 *     EADDRINUSE; binding a bound socket: EINVAL; listen on an unbound
 *     socket: EINVAL; getsockname is family + path + NUL long
 *   - three clients connect, send a line and half-close; the server
 *     accepts them in whatever order they come, answers each and prints
 *     what it got in client order (the output does not depend on the
 *     schedule); each client checks the answer
 *   - accepted socket: getsockname is the server's path, getpeername of an
 *     unbound client is just the family (2 bytes), accept's address too;
 *     SO_PEERCRED names the client's pid; the client's SO_PEERCRED names
 *     the server (its parent); a bound client is named in accept
 *   - accept4(SOCK_CLOEXEC|SOCK_NONBLOCK); accept on a non-blocking
 *     listener with nobody waiting: EAGAIN; poll: the listener is readable
 *     while a connection waits, never writable; SO_ACCEPTCONN is 1
 *   - listen(0) takes one pending connection: a second non-blocking
 *     connect is EAGAIN; a blocking one waits until accept makes room
 *   - connect on a connected socket: EAGAIN while the backlog is full (it
 *     is checked first), else EISCONN; to a path that is not a
 *     socket: ECONNREFUSED; after the server closed (the file stays):
 *     ECONNREFUSED; after unlink: ENOENT; a dgram socket connecting to
 *     the stream path: EPROTOTYPE
 *   - the listener closes with a connection not yet accepted: the client
 *     sees ECONNRESET
 *   - connecting data before accept: it waits in the new connection
 */
#include "unix_check.h"

#define NCLIENTS 3

static struct sockaddr_un srv_addr;
static socklen_t srv_len;

static int client(int k)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&srv_addr, srv_len))
		return 1;
	struct ucred uc;
	socklen_t l = sizeof(uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) || uc.pid != getppid() ||
	    uc.uid != geteuid() || l != sizeof(uc))
		return 2;
	struct sockaddr_un pa;
	socklen_t pl = sizeof(pa);
	if (getpeername(fd, (struct sockaddr *)&pa, &pl) || pl != srv_len ||
	    strcmp(pa.sun_path, srv_addr.sun_path))
		return 3;
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "hello from client %d", k);
	if (write(fd, msg, (size_t)n) != n || shutdown(fd, SHUT_WR))
		return 4;
	char buf[64] = {0}, want[64];
	snprintf(want, sizeof(want), "welcome %d", k);
	size_t got = read_full(fd, buf, sizeof(buf) - 1);
	if (got != strlen(want) || strcmp(buf, want))
		return 5;
	close(fd);
	return 0;
}

static void serve_clients(int ls)
{
	pid_t pids[NCLIENTS];
	char got[NCLIENTS][64];
	int peer_ok[NCLIENTS] = {0}, names_ok = 1, accepted = 0;
	memset(got, 0, sizeof(got));
	for (int k = 0; k < NCLIENTS; k++) {
		pids[k] = guest_fork();
		if (pids[k] == 0)
			_exit(client(k));
	}
	for (int i = 0; i < NCLIENTS; i++) {
		struct sockaddr_un ca;
		socklen_t cl = sizeof(ca);
		memset(&ca, 0x55, sizeof(ca));
		int c = accept(ls, (struct sockaddr *)&ca, &cl);
		if (c < 0)
			continue;
		accepted++;
		names_ok &= cl == sizeof(sa_family_t) && ca.sun_family == AF_UNIX;
		struct sockaddr_un sn;
		socklen_t snl = sizeof(sn);
		names_ok &= !getsockname(c, (struct sockaddr *)&sn, &snl) && snl == srv_len &&
			    !strcmp(sn.sun_path, srv_addr.sun_path);
		snl = sizeof(sn);
		names_ok &= !getpeername(c, (struct sockaddr *)&sn, &snl) && snl == sizeof(sa_family_t);
		char buf[64] = {0};
		read_full(c, buf, sizeof(buf) - 1); /* to the client's SHUT_WR */
		int k = -1;
		if (sscanf(buf, "hello from client %d", &k) != 1 || k < 0 || k >= NCLIENTS)
			continue;
		snprintf(got[k], sizeof(got[k]), "%s", buf);
		struct ucred uc;
		socklen_t l = sizeof(uc);
		peer_ok[k] = !getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l) && uc.pid == pids[k] &&
			     uc.uid == geteuid() && uc.gid == getegid();
		char ans[64];
		int n = snprintf(ans, sizeof(ans), "welcome %d", k);
		write(c, ans, (size_t)n);
		close(c);
	}
	expect_eq(accepted, NCLIENTS, 20, "the server accepted three connections");
	check(names_ok, 21, "accepted: accept and getpeername name an unbound client by family only; getsockname is the server's path");
	for (int k = 0; k < NCLIENTS; k++) {
		printf("server got: %s\n", got[k]);
		check(peer_ok[k], 22, "SO_PEERCRED on client %d's connection is that child's pid", k);
	}
	for (int k = 0; k < NCLIENTS; k++) {
		char what[64];
		snprintf(what, sizeof(what), "client %d (connect, peer names, reply)", k);
		expect_status(pids[k], "exited 0", 23, what);
	}
}

static void backlog_and_errors(void)
{
	struct sockaddr_un a;
	socklen_t al = un_path(&a, "small.sock");
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(ls, (struct sockaddr *)&a, al);
	expect_eq(listen(ls, 0), 0, 30, "listen(0)");
	int c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_eq(connect(c1, (struct sockaddr *)&a, al), 0, 31, "the first connection fits the backlog");
	EXPECT_ERR(connect(c2, (struct sockaddr *)&a, al), EAGAIN, 32, "a second non-blocking connect");
	EXPECT_ERR(connect(c1, (struct sockaddr *)&a, al), EAGAIN, 33,
		   "connect on a connected socket while the backlog is full (checked first)");
	expect_eq(write(c1, "early", 5), 5, 34, "the client writes before it is accepted");
	check(poll_now(ls, POLLIN | POLLOUT) == POLLIN, 35, "poll: the listener is readable, not writable");

	pid_t pid = guest_fork();
	if (pid == 0) {
		/* A blocking connect waits for room in the backlog. */
		int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c3, (struct sockaddr *)&a, al))
			_exit(1);
		if (write(c3, "late", 4) != 4)
			_exit(2);
		_exit(0);
	}
	int s1 = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	check(s1 >= 0, 36, "accept4 takes the waiting connection");
	expect_eq(fcntl(s1, F_GETFD), FD_CLOEXEC, 37, "accept4(SOCK_CLOEXEC)");
	expect_eq(fcntl(s1, F_GETFL), O_RDWR | O_NONBLOCK, 38, "accept4(SOCK_NONBLOCK)");
	char buf[16] = {0};
	expect_eq(read(s1, buf, sizeof(buf)), 5, 39, "the data sent before accept is there");
	int s2 = accept(ls, NULL, NULL);
	check(s2 >= 0, 40, "the blocked connector got in once there was room");
	memset(buf, 0, sizeof(buf));
	expect_eq(read_full(s2, buf, 4), 4, 41, "and wrote");
	expect_status(pid, "exited 0", 42, "blocking connector child");
	fcntl(ls, F_SETFL, O_NONBLOCK);
	EXPECT_ERR(accept(ls, NULL, NULL), EAGAIN, 43, "accept on an empty non-blocking listener");
	EXPECT_ERR(syscall(SYS_accept4, ls, NULL, NULL, 0x40), EINVAL, 44, "accept4 with an unknown flag");
	EXPECT_ERR(connect(s2, (struct sockaddr *)&a, al), EISCONN, 62, "connect on a connected socket");
	expect_eq(sockopt_int(ls, SO_ACCEPTCONN), 1, 45, "SO_ACCEPTCONN on the listener");
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	EXPECT_ERR(connect(d, (struct sockaddr *)&a, al), EPROTOTYPE, 46, "a datagram socket connecting to it");
	EXPECT_ERR(listen(d, 1), EOPNOTSUPP, 47, "listen on a datagram socket");
	EXPECT_ERR(accept(d, NULL, NULL), EOPNOTSUPP, 48, "accept on a datagram socket");
	close(d);

	/* Close the listener with a pending connection: the client is reset. */
	int c4 = socket(AF_UNIX, SOCK_STREAM, 0);
	expect_eq(connect(c4, (struct sockaddr *)&a, al), 0, 49, "one more connection waits");
	close(ls);
	EXPECT_ERR(read(c4, buf, sizeof(buf)), ECONNRESET, 50, "its listener closed: the client is reset");
	expect_eq(read(c4, buf, sizeof(buf)), 0, 51, "then EOF");
	int c5 = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat st;
	check(stat("small.sock", &st) == 0 && S_ISSOCK(st.st_mode), 52, "the socket file outlives the socket");
	EXPECT_ERR(connect(c5, (struct sockaddr *)&a, al), ECONNREFUSED, 53, "connect to a path nobody listens on");
	unlink("small.sock");
	EXPECT_ERR(connect(c5, (struct sockaddr *)&a, al), ENOENT, 54, "connect after unlink");
	int fd = open("regular", O_CREAT | O_WRONLY, 0600);
	close(fd);
	al = un_path(&a, "regular");
	EXPECT_ERR(connect(c5, (struct sockaddr *)&a, al), ECONNREFUSED, 55, "connect to a regular file");
	EXPECT_ERR(bind(c5, (struct sockaddr *)&a, al), EADDRINUSE, 56, "bind to an existing file");
	struct sockaddr_un ua;
	socklen_t ul = un_path(&ua, "unlistened.sock");
	bind(c5, (struct sockaddr *)&ua, ul);
	EXPECT_ERR(connect(c2, (struct sockaddr *)&ua, ul), ECONNREFUSED, 57, "connect to a bound socket that does not listen");
	close(c1);
	close(c2);
	close(c4);
	close(c5);
	close(s1);
	close(s2);
}

static void bound_client(void)
{
	struct sockaddr_un a, b;
	socklen_t al = un_path(&a, "srv2.sock"), bl = un_path(&b, "cli2.sock");
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(ls, (struct sockaddr *)&a, al);
	listen(ls, 4);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(c, (struct sockaddr *)&b, bl);
	connect(c, (struct sockaddr *)&a, al);
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	int s = accept(ls, (struct sockaddr *)&got, &gl);
	check(s >= 0 && gl == bl && !strcmp(got.sun_path, "cli2.sock"), 60, "accept names a bound client by its path");
	gl = sizeof(got);
	check(!getpeername(s, (struct sockaddr *)&got, &gl) && gl == bl, 61, "so does getpeername");
	close(s);
	close(c);
	close(ls);
}

int main(void)
{
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	need(ls >= 0, 91, "socket");
	srv_len = un_path(&srv_addr, "server.sock");
	EXPECT_ERR(listen(ls, 5), EINVAL, 10, "listen on an unbound socket");
	expect_eq(bind(ls, (struct sockaddr *)&srv_addr, srv_len), 0, 11, "bind server.sock");
	struct stat st;
	check(stat("server.sock", &st) == 0 && S_ISSOCK(st.st_mode), 12, "bind made a socket file");
	struct sockaddr_un other;
	socklen_t ol = un_path(&other, "another.sock");
	EXPECT_ERR(bind(ls, (struct sockaddr *)&other, ol), EINVAL, 13, "binding a bound socket");
	check(stat("another.sock", &st) != 0, 14, "... leaves no file behind");
	int dup_s = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERR(bind(dup_s, (struct sockaddr *)&srv_addr, srv_len), EADDRINUSE, 15, "binding the same path again");
	close(dup_s);
	struct sockaddr_un sn;
	socklen_t snl = sizeof(sn);
	expect_eq(getsockname(ls, (struct sockaddr *)&sn, &snl), 0, 16, "getsockname");
	expect_eq(snl, offsetof(struct sockaddr_un, sun_path) + strlen("server.sock") + 1, 17,
		  "its length: family + path + NUL");
	expect_eq(listen(ls, 5), 0, 18, "listen(5)");
	serve_clients(ls);
	close(ls);
	backlog_and_errors();
	bound_client();
	return guest_finish();
}
