/*
 * unix_scm: ancillary data on AF_UNIX sockets.
 *
 *   - SCM_RIGHTS to a forked child: a pipe's read end (the child reads
 *     what the parent then writes into the pipe), a regular file (the
 *     offset is shared: the child's read moves the parent's position), a
 *     socket (the child talks through it) and a pidfd (of a second child,
 *     which the receiver polls until it exits)
 *   - MSG_CMSG_CLOEXEC marks received descriptors close-on-exec; without
 *     it they are not
 *   - a control buffer for one descriptor when three come: one is
 *     installed, MSG_CTRUNC, the other two are closed (their pipe sees EOF
 *     once the sender closes its own copies)
 *   - read() of a message that carries descriptors drops them (EOF on the
 *     pipe they held), a stream read stops after the bytes they came with
 *   - MSG_PEEK returns duplicates, the real receive the descriptors again
 *   - SCM_RIGHTS errors: a bad descriptor EBADF, more than 253 EINVAL, an
 *     unknown SOL_SOCKET type EINVAL, a cmsg_len past the buffer EINVAL
 *   - SO_PEERCRED of a socketpair: both ends name the process that made
 *     it (checked in a child: the parent's pid); uid and gid are the
 *     effective ones; an unconnected socket: pid 0, ids -1
 *   - SCM_CREDENTIALS with SO_PASSCRED: the sender's pid (as the child's
 *     fork return), uid and gid, whether the sender sends them or not;
 *     without SO_PASSCRED none; explicit credentials with another pid
 *     that does not exist: ESRCH
 */
#include "unix_check.h"

#include <sys/syscall.h>

union cbuf {
	struct cmsghdr h;
	char b[CMSG_SPACE(sizeof(int) * 300) + CMSG_SPACE(sizeof(struct ucred))];
};

static long send_fds(int s, const int *fds, int n, const char *data)
{
	union cbuf cb;
	memset(&cb, 0, sizeof(cb));
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	/* The raw syscall: musl's wrapper refuses (ENOMEM) a control buffer
	 * for more than a few hundred descriptors itself. */
	return syscall(SYS_sendmsg, s, &mh, 0);
}

/* Receive into @data (NUL-terminated) with room for @room descriptors;
 * fills @fds, returns the byte count; *nfds and *flags as received. */
static long recv_fds(int s, int *fds, int room, int *nfds, char *data, size_t dlen, int flags,
		     int *mflags)
{
	union cbuf cb;
	memset(&cb, 0, sizeof(cb));
	struct iovec iov = {data, dlen - 1};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = room ? CMSG_LEN(sizeof(int) * room) : 0;
	long r = recvmsg(s, &mh, flags);
	*nfds = 0;
	if (r < 0)
		return r;
	data[r] = 0;
	*mflags = mh.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * n);
			*nfds += n;
		}
	return r;
}

static void pass_to_child(void)
{
	int sv[2], pp[2], other[2];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	need(pipe(pp) == 0, 91, "pipe");
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, other) == 0, 91, "socketpair");
	int file = open("shared.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
	need(file >= 0, 91, "open");
	write(file, "0123456789", 10);
	lseek(file, 0, SEEK_SET);

	int gate;
	pid_t waiter = fork_gated(7, &gate); /* lives until we close the gate */
	int pidfd = (int)syscall(SYS_pidfd_open, waiter, 0);
	need(pidfd >= 0, 91, "pidfd_open");

	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sv[0]);
		close(gate);
		int fds[8], n, fl, bad = 0;
		char data[32];
		if (recv_fds(sv[1], fds, 4, &n, data, sizeof(data), MSG_CMSG_CLOEXEC, &fl) != 4 || n != 4 ||
		    strcmp(data, "fds!") || fl != MSG_CMSG_CLOEXEC)
			_exit(1);
		for (int i = 0; i < 4; i++)
			bad |= fcntl(fds[i], F_GETFD) != FD_CLOEXEC;
		if (bad)
			_exit(2);
		char buf[16] = {0};
		if (read(fds[1], buf, 5) != 5 || strcmp(buf, "01234")) /* the file */
			_exit(3);
		if (write(fds[2], "via passed socket", 17) != 17)
			_exit(4);
		/* Tell the parent, then read the pipe: it writes "pipe data". */
		write(sv[1], "k", 1);
		memset(buf, 0, sizeof(buf));
		if (read_full(fds[0], buf, 9) != 9 || strcmp(buf, "pipe data"))
			_exit(5);
		struct pollfd p = {fds[3], POLLIN, 0};
		write(sv[1], "w", 1); /* now the parent ends the waiter */
		if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN))
			_exit(6);
		_exit(0);
	}
	close(sv[1]);
	int fds[4] = {pp[0], file, other[1], pidfd};
	expect_eq(send_fds(sv[0], fds, 4, "fds!"), 4, 10, "sendmsg with a pipe end, a file, a socket and a pidfd");
	close(pp[0]);
	close(other[1]);
	close(pidfd);
	char c;
	expect_eq(read(sv[0], &c, 1), 1, 11, "the child received them");
	expect_eq(lseek(file, 0, SEEK_CUR), 5, 12, "the child's read of the passed file moved our offset");
	char buf[32] = {0};
	expect_eq(read(other[0], buf, 17), 17, 13, "the child wrote through the passed socket");
	expect_eq(write(pp[1], "pipe data", 9), 9, 14, "write into the passed pipe");
	expect_eq(read(sv[0], &c, 1), 1, 15, "the child read the pipe");
	close(gate); /* the waiter exits */
	close(pp[1]);
	expect_status(waiter, "exited 7", 16, "the waiter child");
	expect_status(pid, "exited 0", 17, "receiver child (cloexec, file, socket, pipe, pidfd)");
	close(sv[0]);
	close(other[0]);
	close(file);
}

static void truncation_and_peek(void)
{
	int sv[2], p1[2], p2[2], p3[2];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	pipe(p1);
	pipe(p2);
	pipe(p3);
	int w[3] = {p1[1], p2[1], p3[1]};
	send_fds(sv[0], w, 3, "three");
	close(p1[1]);
	close(p2[1]);
	close(p3[1]);
	int got[8], n, fl;
	char data[32];
	expect_eq(recv_fds(sv[1], got, 1, &n, data, sizeof(data), 0, &fl), 5, 20, "recvmsg with room for one descriptor");
	expect_eq(n, 1, 21, "one descriptor installed");
	check(fl & MSG_CTRUNC, 22, "MSG_CTRUNC");
	expect_eq(fcntl(got[0], F_GETFD), 0, 23, "without MSG_CMSG_CLOEXEC: not close-on-exec");
	char c;
	expect_eq(read(p2[0], &c, 1), 0, 24, "the descriptors that did not fit were closed (EOF on their pipe)");
	expect_eq(read(p3[0], &c, 1), 0, 25, "... both");
	write(got[0], "y", 1);
	expect_eq(read(p1[0], &c, 1), 1, 26, "the installed one works");
	close(got[0]);
	close(p1[0]);
	close(p2[0]);
	close(p3[0]);

	pipe(p1);
	send_fds(sv[0], &p1[1], 1, "peek");
	close(p1[1]);
	expect_eq(recv_fds(sv[1], got, 2, &n, data, sizeof(data), MSG_PEEK, &fl), 4, 27, "MSG_PEEK");
	expect_eq(n, 1, 28, "MSG_PEEK gets a descriptor");
	int peeked = got[0];
	expect_eq(recv_fds(sv[1], got, 2, &n, data, sizeof(data), 0, &fl), 4, 29, "the real receive");
	expect_eq(n, 1, 30, "gets it again");
	check(peeked != got[0], 31, "as another descriptor");
	close(peeked);
	close(got[0]);
	expect_eq(read(p1[0], &c, 1), 0, 32, "both closed: EOF");
	close(p1[0]);

	pipe(p1);
	send_fds(sv[0], &p1[1], 1, "drop");
	write(sv[0], "next", 4);
	close(p1[1]);
	char buf[16] = {0};
	expect_eq(read(sv[1], buf, sizeof(buf)), 4, 33, "read() stops after the bytes that carried descriptors");
	check(!strcmp(buf, "drop"), 34, "... those bytes");
	expect_eq(read(p1[0], &c, 1), 0, 35, "read() dropped the descriptor (EOF on its pipe)");
	expect_eq(read(sv[1], buf, sizeof(buf)), 4, 36, "the next write follows");
	close(p1[0]);

	int bad = 9999;
	EXPECT_ERR(send_fds(sv[0], &bad, 1, "x"), EBADF, 37, "SCM_RIGHTS with a bad descriptor");
	int many[300];
	for (int i = 0; i < 300; i++)
		many[i] = sv[0];
	EXPECT_ERR(send_fds(sv[0], many, 254, "x"), EINVAL, 38, "SCM_RIGHTS with 254 descriptors");
	expect_eq(send_fds(sv[0], many, 253, "x"), 1, 39, "253 are allowed");
	int nn;
	expect_eq(recv_fds(sv[1], many, 260, &nn, data, sizeof(data), 0, &fl), 1, 40, "receive 253");
	expect_eq(nn, 253, 41, "all installed");
	for (int i = 0; i < nn; i++)
		close(many[i]);

	union cbuf cb;
	memset(&cb, 0, sizeof(cb));
	struct iovec iov = {"z", 1};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = 77;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	EXPECT_ERR(sendmsg(sv[0], &mh, 0), EINVAL, 42, "an unknown SOL_SOCKET control message");
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_SPACE(sizeof(int)) + 8;
	EXPECT_ERR(sendmsg(sv[0], &mh, 0), EINVAL, 43, "cmsg_len past the control buffer");
	cm->cmsg_level = 99;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	expect_eq(sendmsg(sv[0], &mh, 0), 1, 44, "another level's control message is ignored");
	close(sv[0]);
	close(sv[1]);
}

static void credentials(void)
{
	int sv[2];
	need(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, 91, "socketpair");
	struct ucred uc;
	socklen_t l = sizeof(uc);
	expect_eq(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l), 0, 50, "SO_PEERCRED of a pair");
	check(uc.pid == getpid() && uc.uid == geteuid() && uc.gid == getegid(), 51,
	      "names the process that made the pair");
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	l = sizeof(uc);
	getsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, &l);
	check(uc.pid == 0 && uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1 && l == sizeof(uc), 52,
	      "an unconnected socket: pid 0, ids -1");
	close(u);
	int one = 1;
	expect_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0, 53, "SO_PASSCRED");
	expect_eq(sockopt_int(sv[1], SO_PASSCRED), 1, 54, "reads back");

	pid_t pid = guest_fork();
	if (pid == 0) {
		struct ucred p;
		socklen_t pl = sizeof(p);
		if (getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &p, &pl) || p.pid != getppid())
			_exit(1);
		if (send(sv[0], "implicit", 8, 0) != 8)
			_exit(2);
		union cbuf cb;
		memset(&cb, 0, sizeof(cb));
		struct iovec iov = {"explicit", 8};
		struct msghdr mh = {0};
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(struct ucred));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		struct ucred mine = {getpid(), getuid(), getgid()};
		memcpy(CMSG_DATA(c), &mine, sizeof(mine));
		if (sendmsg(sv[0], &mh, 0) != 8)
			_exit(3);
		_exit(0);
	}
	for (int i = 0; i < 2; i++) {
		union cbuf cb;
		char data[16] = {0};
		memset(&cb, 0, sizeof(cb));
		struct iovec iov = {data, sizeof(data) - 1};
		struct msghdr mh = {0};
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof(cb);
		long r = recvmsg(sv[1], &mh, 0);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		struct ucred got = {0, 0, 0};
		int ok = r == 8 && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
			 c->cmsg_len == CMSG_LEN(sizeof(struct ucred));
		if (ok)
			memcpy(&got, CMSG_DATA(c), sizeof(got));
		check(ok && got.pid == pid && got.uid == getuid() && got.gid == getgid(), 55 + i,
		      "%s credentials: the child's pid, uid and gid", data);
		expect_eq(mh.msg_controllen, CMSG_SPACE(sizeof(struct ucred)), 57, "msg_controllen: one SCM_CREDENTIALS");
	}
	expect_status(pid, "exited 0", 58, "sender child (its SO_PEERCRED names the parent)");

	/* Without SO_PASSCRED on either side no credentials come. */
	one = 0;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	send(sv[0], "none", 4, 0);
	union cbuf cb;
	char data[8];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb);
	expect_eq(recvmsg(sv[1], &mh, 0), 4, 59, "recvmsg without SO_PASSCRED");
	expect_eq(mh.msg_controllen, 0, 60, "no control data");

	memset(&cb, 0, sizeof(cb));
	mh.msg_controllen = CMSG_SPACE(sizeof(struct ucred));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred gone = {pid, getuid(), getgid()}; /* reaped above */
	memcpy(CMSG_DATA(c), &gone, sizeof(gone));
	iov.iov_len = 1;
	EXPECT_ERR(sendmsg(sv[0], &mh, 0), ESRCH, 61, "SCM_CREDENTIALS naming a process that is gone");
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred)) - 1;
	EXPECT_ERR(sendmsg(sv[0], &mh, 0), EINVAL, 62, "SCM_CREDENTIALS of the wrong length");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	pass_to_child();
	truncation_and_peek();
	credentials();
	return guest_finish();
}
