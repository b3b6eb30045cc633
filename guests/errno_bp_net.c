/*
 * errno_bp_net: errno parity on bad pointers (errno_bp.h) for sockets:
 * AF_UNIX stream and datagram pairs (modeled) and loopback TCP/UDP (host
 * sockets). After a call it prints what Linux leaves behind: bytes still
 * queued (a datagram is lost when it could not be copied, stream data
 * stays), a connection still waiting after an accept that could not store
 * the peer's address, descriptors created.
 */
#include "errno_bp.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

static int s[2];

/* A connected pair of @type holding "0123456789abcdef" for s[0]. */
static void pair_with_data(int type)
{
	if (socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, s) || write(s[1], "0123456789abcdef", 16) != 16)
		_exit(3);
}

static void queued_after(int fd)
{
	char b[64];
	printf(" next=%ld", (long)recv(fd, b, sizeof b, MSG_DONTWAIT));
}

/* A listening loopback TCP socket with one connection waiting. */
static int lfd, cfd;
static void tcp_pending(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (bind(lfd, (void *)&a, sizeof a) || listen(lfd, 4) || getsockname(lfd, (void *)&a, &l))
		_exit(3);
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cfd, (void *)&a, sizeof a))
		_exit(3);
}

static void accept_after(void)
{
	int fd = accept(lfd, NULL, NULL);
	printf(" again=%s", fd >= 0 ? "ok" : bp_ename(errno));
}

/* A unix listener with one connection waiting (abstract name). */
static void unix_pending(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	memcpy(a.sun_path, "\0errno_bp_net", 13);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (bind(lfd, (void *)&a, sizeof(sa_family_t) + 13) || listen(lfd, 4))
		_exit(3);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(cfd, (void *)&a, sizeof(sa_family_t) + 13))
		_exit(3);
}

/* A UDP socket on loopback that has received one 16-byte datagram. */
static int ufd;
static void udp_with_data(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (bind(ufd, (void *)&a, sizeof a) || getsockname(ufd, (void *)&a, &l))
		_exit(3);
	int o = socket(AF_INET, SOCK_DGRAM, 0);
	if (sendto(o, "0123456789abcdef", 16, 0, (void *)&a, sizeof a) != 16)
		_exit(3);
	usleep(2000);
}

static struct msghdr mh;
static struct iovec iov;
static char buf[256];
static socklen_t len;

static void msg_iov_bad(void)
{
	memset(&mh, 0, sizeof mh);
	iov.iov_base = P;
	iov.iov_len = 16;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
}

static void msg_good(void)
{
	memset(&mh, 0, sizeof mh);
	iov.iov_base = buf;
	iov.iov_len = 16;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
}

int main(void)
{
	bp_init();
	struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	(void)lo;

	CASE("socketpair sv", ALL, NOTHING, syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, P), NOTHING);
	CASE("socketpair sv bad family", ALL, NOTHING, syscall(SYS_socketpair, 99, SOCK_STREAM, 0, P),
	     NOTHING);

	/* Addresses in. */
	CASE("bind unix addr", IN, int fd = socket(AF_UNIX, SOCK_STREAM, 0),
	     syscall(SYS_bind, fd, P, sizeof(struct sockaddr_un)), NOTHING);
	CASE("bind inet addr", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_bind, fd, P, sizeof(struct sockaddr_in)), NOTHING);
	CASE("bind addr bad len", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_bind, fd, P, 200), NOTHING);
	CASE("bind addr len 0", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_bind, fd, P, 0), NOTHING);
	CASE("bind addr not a socket", IN, NOTHING, syscall(SYS_bind, 1, P, 16), NOTHING);
	CASE("connect unix addr", IN, int fd = socket(AF_UNIX, SOCK_STREAM, 0),
	     syscall(SYS_connect, fd, P, sizeof(struct sockaddr_un)), NOTHING);
	CASE("connect inet addr", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_connect, fd, P, sizeof(struct sockaddr_in)), NOTHING);
	CASE("connect addr bad fd", IN, NOTHING, syscall(SYS_connect, 99, P, 16), NOTHING);

	/* Addresses out: accept, getsockname, getpeername. */
	CASE("accept addr tcp", ALL, tcp_pending(); len = sizeof(struct sockaddr_in),
	     syscall(SYS_accept, lfd, P, &len), accept_after());
	CASE("accept addrlen tcp", ALL, tcp_pending(), syscall(SYS_accept, lfd, buf, P), accept_after());
	CASE("accept4 addr tcp", ALL, tcp_pending(); len = sizeof(struct sockaddr_in),
	     syscall(SYS_accept4, lfd, P, &len, SOCK_CLOEXEC), accept_after());
	CASE("accept4 addr bad flags", ALL, tcp_pending(); len = 16,
	     syscall(SYS_accept4, lfd, P, &len, 0x1), NOTHING);
	CASE("accept addr unix", ALL, unix_pending(); len = sizeof(struct sockaddr_un),
	     syscall(SYS_accept, lfd, P, &len), accept_after());
	CASE("accept addrlen unix", ALL, unix_pending(), syscall(SYS_accept, lfd, buf, P),
	     accept_after());
	CASE("accept addr none waiting", ALL, int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	     bind(fd, (void *)&lo, sizeof lo); listen(fd, 1); len = 16,
	     syscall(SYS_accept, fd, P, &len), NOTHING);
	CASE("getsockname addr", ALL, int fd = socket(AF_INET, SOCK_STREAM, 0); len = 16,
	     syscall(SYS_getsockname, fd, P, &len), NOTHING);
	CASE("getsockname addrlen", ALL, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_getsockname, fd, buf, P), NOTHING);
	CASE("getsockname addr unix", ALL, pair_with_data(SOCK_STREAM); len = 16,
	     syscall(SYS_getsockname, s[0], P, &len), NOTHING);
	CASE("getsockname addrlen unix", ALL, pair_with_data(SOCK_STREAM),
	     syscall(SYS_getsockname, s[0], buf, P), NOTHING);
	CASE("getpeername addr", ALL, pair_with_data(SOCK_STREAM); len = 16,
	     syscall(SYS_getpeername, s[0], P, &len), NOTHING);
	CASE("getpeername addrlen", ALL, pair_with_data(SOCK_STREAM),
	     syscall(SYS_getpeername, s[0], buf, P), NOTHING);
	CASE("getpeername addr tcp", ALL, tcp_pending(); len = 16,
	     syscall(SYS_getpeername, cfd, P, &len), NOTHING);
	CASE("getpeername addr not connected", ALL, int fd = socket(AF_INET, SOCK_STREAM, 0); len = 16,
	     syscall(SYS_getpeername, fd, P, &len), NOTHING);

	/* Options. */
	CASE("setsockopt SO_REUSEADDR optval", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, P, 4), NOTHING);
	CASE("setsockopt SO_PASSCRED optval unix", IN, pair_with_data(SOCK_STREAM),
	     syscall(SYS_setsockopt, s[0], SOL_SOCKET, SO_PASSCRED, P, 4), NOTHING);
	CASE("setsockopt TCP_NODELAY optval", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, P, 4), NOTHING);
	CASE("setsockopt optval short len", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, P, 2), NOTHING);
	CASE("setsockopt optval bad level", IN, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_setsockopt, fd, 12345, 1, P, 4), NOTHING);
	CASE("getsockopt SO_TYPE optval", ALL, int fd = socket(AF_INET, SOCK_STREAM, 0); len = 4,
	     syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, P, &len), NOTHING);
	CASE("getsockopt SO_TYPE optlen", ALL, int fd = socket(AF_INET, SOCK_STREAM, 0),
	     syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, buf, P), NOTHING);
	CASE("getsockopt SO_TYPE optval unix", ALL, pair_with_data(SOCK_STREAM); len = 4,
	     syscall(SYS_getsockopt, s[0], SOL_SOCKET, SO_TYPE, P, &len), NOTHING);
	CASE("getsockopt SO_TYPE optlen unix", ALL, pair_with_data(SOCK_STREAM),
	     syscall(SYS_getsockopt, s[0], SOL_SOCKET, SO_TYPE, buf, P), NOTHING);
	CASE("getsockopt SO_PEERCRED optval unix", ALL, pair_with_data(SOCK_STREAM); len = 12,
	     syscall(SYS_getsockopt, s[0], SOL_SOCKET, SO_PEERCRED, P, &len), NOTHING);

	/* Sending. */
	CASE("sendto buf unix stream", IN, pair_with_data(SOCK_STREAM),
	     syscall(SYS_sendto, s[0], P, 16, 0, NULL, 0), bp_pending("peer", s[1]));
	CASE("sendto buf unix dgram", IN, pair_with_data(SOCK_DGRAM),
	     syscall(SYS_sendto, s[0], P, 16, 0, NULL, 0), bp_pending("peer", s[1]));
	CASE("sendto buf count 0", IN, pair_with_data(SOCK_STREAM),
	     syscall(SYS_sendto, s[0], P, 0, 0, NULL, 0), NOTHING);
	CASE("sendto addr udp", IN, int fd = socket(AF_INET, SOCK_DGRAM, 0),
	     syscall(SYS_sendto, fd, "x", 1, 0, P, sizeof(struct sockaddr_in)), NOTHING);
	CASE("sendto addr unix dgram", IN, int fd = socket(AF_UNIX, SOCK_DGRAM, 0),
	     syscall(SYS_sendto, fd, "x", 1, 0, P, sizeof(struct sockaddr_un)), NOTHING);
	CASE("sendto buf tcp", IN, tcp_pending(), syscall(SYS_sendto, cfd, P, 16, 0, NULL, 0), NOTHING);
	CASE("sendmsg msghdr", IN, pair_with_data(SOCK_STREAM), syscall(SYS_sendmsg, s[0], P, 0),
	     bp_pending("peer", s[1]));
	CASE("sendmsg iov_base unix stream", IN, pair_with_data(SOCK_STREAM); msg_iov_bad(),
	     syscall(SYS_sendmsg, s[0], &mh, 0), bp_pending("peer", s[1]));
	CASE("sendmsg iov_base unix dgram", IN, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_sendmsg, s[0], &mh, 0), bp_pending("peer", s[1]));
	CASE("sendmsg iov array", IN, pair_with_data(SOCK_STREAM); msg_good(); mh.msg_iov = (void *)P,
	     syscall(SYS_sendmsg, s[0], &mh, 0), bp_pending("peer", s[1]));
	CASE("sendmsg control", IN, pair_with_data(SOCK_STREAM); msg_good(); mh.msg_control = P;
	     mh.msg_controllen = 32, syscall(SYS_sendmsg, s[0], &mh, 0), bp_pending("peer", s[1]));
	CASE("sendmsg name udp", IN, int fd = socket(AF_INET, SOCK_DGRAM, 0); msg_good();
	     mh.msg_name = P; mh.msg_namelen = 16, syscall(SYS_sendmsg, fd, &mh, 0), NOTHING);
	CASE("sendmmsg msgvec", IN, pair_with_data(SOCK_DGRAM), syscall(SYS_sendmmsg, s[0], P, 1, 0),
	     bp_pending("peer", s[1]));
	CASE("sendmmsg iov_base", IN, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_sendmmsg, s[0], &mh, 1, 0), bp_pending("peer", s[1]));

	/* Receiving. */
	CASE("recvfrom buf unix stream", ALL, pair_with_data(SOCK_STREAM),
	     syscall(SYS_recvfrom, s[0], P, 16, 0, NULL, NULL), queued_after(s[0]));
	CASE("recvfrom buf unix dgram", ALL, pair_with_data(SOCK_DGRAM),
	     syscall(SYS_recvfrom, s[0], P, 16, 0, NULL, NULL), queued_after(s[0]));
	CASE("recvfrom buf unix dgram PEEK", ALL, pair_with_data(SOCK_DGRAM),
	     syscall(SYS_recvfrom, s[0], P, 16, MSG_PEEK, NULL, NULL), queued_after(s[0]));
	CASE("recvfrom buf nothing queued", ALL, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s),
	     syscall(SYS_recvfrom, s[0], P, 16, 0, NULL, NULL), NOTHING);
	CASE("recvfrom buf peer closed", ALL, socketpair(AF_UNIX, SOCK_STREAM, 0, s); close(s[1]),
	     syscall(SYS_recvfrom, s[0], P, 16, 0, NULL, NULL), NOTHING);
	CASE("recvfrom addr unix dgram", ALL, pair_with_data(SOCK_DGRAM); len = 16,
	     syscall(SYS_recvfrom, s[0], buf, 16, 0, P, &len), queued_after(s[0]));
	CASE("recvfrom addrlen unix dgram", ALL, pair_with_data(SOCK_DGRAM),
	     syscall(SYS_recvfrom, s[0], buf, 16, 0, buf + 64, P), queued_after(s[0]));
	CASE("recvfrom buf udp", ALL, udp_with_data(), syscall(SYS_recvfrom, ufd, P, 16, 0, NULL, NULL),
	     queued_after(ufd));
	CASE("recvfrom addr udp", ALL, udp_with_data(); len = 16,
	     syscall(SYS_recvfrom, ufd, buf, 16, 0, P, &len), queued_after(ufd));
	CASE("recvfrom addrlen udp", ALL, udp_with_data(),
	     syscall(SYS_recvfrom, ufd, buf, 16, 0, buf + 64, P), queued_after(ufd));
	CASE("recvmsg msghdr", ALL, pair_with_data(SOCK_STREAM), syscall(SYS_recvmsg, s[0], P, 0),
	     queued_after(s[0]));
	CASE("recvmsg iov_base unix stream", ALL, pair_with_data(SOCK_STREAM); msg_iov_bad(),
	     syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));
	CASE("recvmsg iov_base unix dgram", ALL, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));
	CASE("recvmsg iov array", ALL, pair_with_data(SOCK_STREAM); msg_good(); mh.msg_iov = (void *)P,
	     syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));
	CASE("recvmsg name unix dgram", ALL, pair_with_data(SOCK_DGRAM); msg_good(); mh.msg_name = P;
	     mh.msg_namelen = 16, syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));
	CASE("recvmsg control unix", ALL, pair_with_data(SOCK_STREAM); msg_good(); mh.msg_control = P;
	     mh.msg_controllen = 64, syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));
	CASE("recvmsg iov_base udp", ALL, udp_with_data(); msg_iov_bad(),
	     syscall(SYS_recvmsg, ufd, &mh, 0), queued_after(ufd));
	CASE("recvmmsg msgvec", ALL, pair_with_data(SOCK_DGRAM),
	     syscall(SYS_recvmmsg, s[0], P, 1, 0, NULL), queued_after(s[0]));
	CASE("recvmmsg iov_base", ALL, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_recvmmsg, s[0], &mh, 1, 0, NULL), queued_after(s[0]));
	CASE("recvmmsg timeout", IN, pair_with_data(SOCK_DGRAM); msg_good(),
	     syscall(SYS_recvmmsg, s[0], &mh, 1, 0, P), queued_after(s[0]));

	/* read/write on sockets. */
	CASE("read unix stream", ALL, pair_with_data(SOCK_STREAM), syscall(SYS_read, s[0], P, 16),
	     queued_after(s[0]));
	CASE("read unix dgram", ALL, pair_with_data(SOCK_DGRAM), syscall(SYS_read, s[0], P, 16),
	     queued_after(s[0]));
	CASE("write unix stream", IN, pair_with_data(SOCK_STREAM), syscall(SYS_write, s[0], P, 16),
	     bp_pending("peer", s[1]));
	CASE("read udp", ALL, udp_with_data(), syscall(SYS_read, ufd, P, 16), queued_after(ufd));

	/* Order of checks: the state before the bytes, the bytes before the
	 * destination. */
	CASE("sendto unix stream not connected", IN, int fd = socket(AF_UNIX, SOCK_STREAM, 0),
	     syscall(SYS_sendto, fd, P, 16, 0, NULL, 0), NOTHING);
	CASE("sendto unix dgram not connected", IN, int fd = socket(AF_UNIX, SOCK_DGRAM, 0),
	     syscall(SYS_sendto, fd, P, 16, 0, NULL, 0), NOTHING);
	CASE("sendto buf unix dgram no such name", IN, int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	     struct sockaddr_un nx = {.sun_family = AF_UNIX}; memcpy(nx.sun_path, "\0errno_bp_nx", 12),
	     syscall(SYS_sendto, fd, P, 16, 0, &nx, sizeof(sa_family_t) + 12), NOTHING);
	CASE("sendto buf bad fd", IN, NOTHING, syscall(SYS_sendto, 99, P, 16, 0, NULL, 0), NOTHING);
	CASE("recvfrom buf bad fd", ALL, NOTHING, syscall(SYS_recvfrom, 99, P, 16, 0, NULL, NULL),
	     NOTHING);
	CASE("recvfrom buf tcp", ALL, tcp_pending(); int afd = accept(lfd, NULL, NULL);
	     if (write(cfd, "0123456789abcdef", 16) != 16) _exit(3); usleep(2000),
	     syscall(SYS_recvfrom, afd, P, 16, 0, NULL, NULL), queued_after(afd));
	CASE("setsockopt unix optval short len", IN, pair_with_data(SOCK_STREAM),
	     syscall(SYS_setsockopt, s[0], SOL_SOCKET, SO_PASSCRED, P, 2), NOTHING);
	CASE("setsockopt unix optval bad level", IN, pair_with_data(SOCK_STREAM),
	     syscall(SYS_setsockopt, s[0], 12345, 1, P, 4), NOTHING);
	CASE("readv iov_base unix dgram", ALL, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_readv, s[0], &iov, 1), queued_after(s[0]));
	CASE("writev iov_base unix dgram", IN, pair_with_data(SOCK_DGRAM); msg_iov_bad(),
	     syscall(SYS_writev, s[0], &iov, 1), bp_pending("peer", s[1]));
	CASE("sendmsg iov_base seqpacket", IN, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s); msg_iov_bad(),
	     syscall(SYS_sendmsg, s[0], &mh, 0), bp_pending("peer", s[1]));
	CASE("recvmsg iov_base seqpacket", ALL, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, s);
	     if (write(s[1], "0123456789abcdef", 16) != 16) _exit(3); msg_iov_bad(),
	     syscall(SYS_recvmsg, s[0], &mh, 0), queued_after(s[0]));

	bp_summary("errno_bp_net");
	return 0;
}
