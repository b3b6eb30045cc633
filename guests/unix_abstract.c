/*
 * unix_abstract: abstract names (a leading NUL byte) and autobind.
 *
 *   - bind "\0name": getsockname gives the same length and bytes, the
 *     leading NUL included, and nothing appears in the file system;
 *     binding it again: EADDRINUSE; another socket type may use the same
 *     name; the length is part of the name (a trailing NUL makes another)
 *   - a stream server on an abstract name: a forked client connects,
 *     exchanges a line; getpeername on the client is the abstract name
 *   - the name is free again once its socket is closed; connect to a name
 *     nobody has: ECONNREFUSED
 *   - autobind: bind with only the family, or connect/send with
 *     SO_PASSCRED on an unbound socket, gives "\0" + five hex digits
 *     (8 bytes); binding a bound socket with only the family is a no-op
 *   - address checks: a 1-byte address, more than sizeof(sockaddr_un),
 *     another family: EINVAL
 * Names carry the pid so that native runs in parallel do not collide
 * (abstract names are per network namespace, not per directory).
 */
#include "unix_check.h"

#include <ctype.h>

static char name1[64], name2[64];

static int is_autobind(const struct sockaddr_un *a, socklen_t l)
{
	if (l != offsetof(struct sockaddr_un, sun_path) + 6 || a->sun_path[0])
		return 0;
	for (int i = 1; i < 6; i++)
		if (!isxdigit((unsigned char)a->sun_path[i]) || isupper((unsigned char)a->sun_path[i]))
			return 0;
	return 1;
}

static void names(void)
{
	struct sockaddr_un a, got;
	socklen_t al = un_abstract(&a, name1), gl = sizeof(got);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	expect_eq(bind(s, (struct sockaddr *)&a, al), 0, 10, "bind an abstract name");
	expect_eq(getsockname(s, (struct sockaddr *)&got, &gl), 0, 11, "getsockname");
	check(gl == al && !memcmp(&got, &a, al), 12, "the same length and bytes, leading NUL included");
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERR(bind(s2, (struct sockaddr *)&a, al), EADDRINUSE, 13, "bind the same name again");
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	expect_eq(bind(d, (struct sockaddr *)&a, al), 0, 14, "a datagram socket may use the same name");
	expect_eq(bind(s2, (struct sockaddr *)&a, al + 1), 0, 15, "one more (NUL) byte is another name");
	close(d);
	close(s2);
	EXPECT_ERR(bind(s, (struct sockaddr *)&a, 1), EINVAL, 16, "a 1-byte address");
	EXPECT_ERR(bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL, 17, "an address longer than sockaddr_un");
	a.sun_family = AF_INET;
	EXPECT_ERR(connect(s, (struct sockaddr *)&a, al), EINVAL, 18, "connect with family AF_INET");
	a.sun_family = AF_UNIX;

	expect_eq(listen(s, 2), 0, 19, "listen on the abstract name");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, al))
			_exit(1);
		struct sockaddr_un p;
		socklen_t pl = sizeof(p);
		if (getpeername(c, (struct sockaddr *)&p, &pl) || pl != al || memcmp(&p, &a, al))
			_exit(2);
		if (write(c, "ping", 4) != 4)
			_exit(3);
		char buf[8] = {0};
		if (read(c, buf, sizeof(buf)) != 4 || strcmp(buf, "pong"))
			_exit(4);
		_exit(0);
	}
	int c = accept(s, NULL, NULL);
	char buf[8] = {0};
	expect_eq(read(c, buf, 4), 4, 20, "the server reads the client's line");
	expect_eq(write(c, "pong", 4), 4, 21, "and answers");
	expect_status(pid, "exited 0", 22, "client child (connect, getpeername, exchange)");
	close(c);
	close(s);

	int s3 = socket(AF_UNIX, SOCK_STREAM, 0);
	expect_eq(bind(s3, (struct sockaddr *)&a, al), 0, 23, "the name is free once its socket is closed");
	close(s3);
	struct sockaddr_un none;
	socklen_t nl = un_abstract(&none, name2);
	int s4 = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_ERR(connect(s4, (struct sockaddr *)&none, nl), ECONNREFUSED, 24, "connect to a name nobody has");
	close(s4);
}

static void autobinds(void)
{
	struct sockaddr_un got;
	socklen_t gl;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un fam = {.sun_family = AF_UNIX};
	expect_eq(bind(s, (struct sockaddr *)&fam, sizeof(sa_family_t)), 0, 30, "bind with only the family");
	gl = sizeof(got);
	getsockname(s, (struct sockaddr *)&got, &gl);
	check(is_autobind(&got, gl), 31, "autobind: \\0 and five hex digits, 8 bytes");
	struct sockaddr_un first = got;
	expect_eq(bind(s, (struct sockaddr *)&fam, sizeof(sa_family_t)), 0, 32, "again: a no-op");
	gl = sizeof(got);
	getsockname(s, (struct sockaddr *)&got, &gl);
	check(!memcmp(&got, &first, 8), 33, "the name stays");

	/* A receiver learns the autobound name of a SO_PASSCRED sender. */
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un ra;
	socklen_t rl = un_abstract(&ra, name2);
	bind(r, (struct sockaddr *)&ra, rl);
	int snd = socket(AF_UNIX, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(snd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	expect_eq(sendto(snd, "x", 1, 0, (struct sockaddr *)&ra, rl), 1, 34, "sendto with SO_PASSCRED");
	char buf[4];
	gl = sizeof(got);
	recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&got, &gl);
	check(is_autobind(&got, gl), 35, "the SO_PASSCRED sender was autobound");
	struct sockaddr_un sn;
	socklen_t snl = sizeof(sn);
	getsockname(snd, (struct sockaddr *)&sn, &snl);
	check(snl == gl && !memcmp(&sn, &got, gl), 36, "recvfrom names it as getsockname does");
	int plain = socket(AF_UNIX, SOCK_DGRAM, 0);
	sendto(plain, "y", 1, 0, (struct sockaddr *)&ra, rl);
	gl = sizeof(got);
	recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&got, &gl);
	expect_eq(gl, 0, 37, "a sender without SO_PASSCRED stays unnamed");
	snl = sizeof(sn);
	getsockname(plain, (struct sockaddr *)&sn, &snl);
	expect_eq(snl, sizeof(sa_family_t), 38, "its getsockname is just the family");
	close(plain);
	close(snd);
	close(r);
	close(s);
}

int main(void)
{
	snprintf(name1, sizeof(name1), "cloneemu-test-%d-one", (int)getpid());
	snprintf(name2, sizeof(name2), "cloneemu-test-%d-two", (int)getpid());
	names();
	autobinds();
	return guest_finish();
}
