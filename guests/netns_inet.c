/*
 * netns_inet: sockets in a fresh network namespace (run as root).
 *
 * A child unshare(CLONE_NEWNET)s. Its loopback starts down, as Linux's:
 *   - SIOCGIFFLAGS lo: LOOPBACK, not UP; if_nametoindex(lo) == 1
 *   - connect to 127.0.0.1 -> ENETUNREACH, UDP sendto -> ENETUNREACH,
 *     bind to 127.0.0.1 -> EADDRNOTAVAIL, bind to 0.0.0.0 works
 *   - the parent's listener on the host's loopback is out of reach
 * Then it brings lo up with ioctl(SIOCSIFFLAGS) and, in a second
 * namespace, with the rtnetlink RTM_NEWLINK message `ip link set lo up`
 * sends (acknowledged), and carries inside it:
 *   - TCP between two processes: accept, getsockname/getpeername,
 *     echo, shutdown -> EOF, ECONNREFUSED on a closed port, EADDRINUSE,
 *     ECONNRESET after a close with unread data, EPIPE
 *   - UDP: datagram boundaries, the sender's address, connected UDP
 *   - IPv6 ::1
 */
#include "unix_check.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

/* Errors unix_check.h has no names for. */
#define EXPECT_ERR_NAMED(expr, want, code, what)                                             \
	do {                                                                                 \
		errno = 0;                                                                   \
		long r_ = (long)(expr);                                                      \
		int e_ = errno;                                                              \
		check(r_ == -1 && e_ == want, code, "%s -> %s", what, #want);                 \
	} while (0)

struct nl_req {
	struct {
		unsigned int len;
		unsigned short type, flags;
		unsigned int seq, pid;
	} h;
	struct {
		unsigned char family, pad;
		unsigned short type;
		int index;
		unsigned int flags, change;
	} ifi;
};

static struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int lo_flags(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	close(s);
	return r ? -1 : ifr.ifr_flags;
}

/* ip link set lo up, as iproute2 says it: RTM_NEWLINK with IFF_UP. */
static int netlink_lo_up(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 1;
	struct nl_req req;
	memset(&req, 0, sizeof(req));
	req.h.len = sizeof(req);
	req.h.type = 16; /* RTM_NEWLINK */
	req.h.flags = 1 | 4; /* NLM_F_REQUEST | NLM_F_ACK */
	req.h.seq = 7;
	req.ifi.family = AF_UNSPEC;
	req.ifi.index = 1;
	req.ifi.flags = IFF_UP;
	req.ifi.change = IFF_UP;
	struct sockaddr_storage k = {.ss_family = AF_NETLINK};
	if (sendto(s, &req, sizeof(req), 0, (struct sockaddr *)&k, 12) != sizeof(req))
		return 2;
	char buf[256];
	ssize_t n = recv(s, buf, sizeof(buf), 0);
	int err = -1;
	unsigned short type;
	memcpy(&type, buf + 4, 2);
	if (n >= 20 && type == 2) /* NLMSG_ERROR: 0 is the ACK */
		memcpy(&err, buf + 16, 4);
	close(s);
	return err == 0 ? 0 : 3;
}

static int tcp_and_udp(int code)
{
	/* TCP */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo4(0);
	check(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(l, 4) == 0, code,
	      "listen on 127.0.0.1:0");
	socklen_t al = sizeof(a);
	getsockname(l, (struct sockaddr *)&a, &al);
	check(ntohs(a.sin_port) != 0 && a.sin_addr.s_addr == htonl(INADDR_LOOPBACK), code + 1,
	      "getsockname: 127.0.0.1 and a port");
	int l2 = socket(AF_INET, SOCK_STREAM, 0);
	EXPECT_ERR(bind(l2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE, code + 2,
		   "bind the same port");
	close(l2);
	pid_t pid = guest_fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		char buf[8];
		if (write(c, "hello", 5) != 5 || recv(c, buf, 5, MSG_WAITALL) != 5 ||
		    memcmp(buf, "HELLO", 5))
			_exit(2);
		shutdown(c, SHUT_WR);
		if (read(c, buf, 1) != 0)
			_exit(3);
		_exit(0);
	}
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int s = accept(l, (struct sockaddr *)&peer, &pl);
	check(s >= 0 && pl == sizeof(peer) && peer.sin_family == AF_INET &&
		  peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && peer.sin_port != a.sin_port,
	      code + 3, "accept: the peer is 127.0.0.1 on its own port");
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	getsockname(s, (struct sockaddr *)&me, &ml);
	check(me.sin_port == a.sin_port, code + 4, "accepted socket's name is the listener's");
	char buf[8];
	check(recv(s, buf, 5, MSG_WAITALL) == 5 && !memcmp(buf, "hello", 5), code + 5,
	      "recv hello");
	check(write(s, "HELLO", 5) == 5, code + 6, "write HELLO");
	check(read(s, buf, 8) == 0, code + 7, "EOF after shutdown");
	close(s);
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, code + 8,
	      "client exit 0");

	/* ECONNRESET: the peer closes with unread data; then EPIPE. */
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, code + 9, "connect again");
	s = accept(l, NULL, NULL);
	write(c, "junk", 4);
	usleep(10000);
	close(s);
	usleep(10000);
	EXPECT_ERR(recv(c, buf, 1, 0), ECONNRESET, code + 10, "recv after a reset");
	EXPECT_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, code + 11, "send after a reset");
	close(c);
	int port = ntohs(a.sin_port);
	close(l);
	c = socket(AF_INET, SOCK_STREAM, 0);
	a = lo4(port);
	EXPECT_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED, code + 12,
		   "connect to a closed port");
	close(c);

	/* UDP */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b1 = lo4(0), b2 = lo4(0);
	bind(u1, (struct sockaddr *)&b1, sizeof(b1));
	bind(u2, (struct sockaddr *)&b2, sizeof(b2));
	al = sizeof(b1);
	getsockname(u1, (struct sockaddr *)&b1, &al);
	al = sizeof(b2);
	getsockname(u2, (struct sockaddr *)&b2, &al);
	check(sendto(u2, "ab", 2, 0, (struct sockaddr *)&b1, sizeof(b1)) == 2 &&
		  sendto(u2, "cde", 3, 0, (struct sockaddr *)&b1, sizeof(b1)) == 3,
	      code + 13, "UDP sendto twice");
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n1 = recvfrom(u1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	ssize_t n2 = recv(u1, buf, sizeof(buf), 0);
	check(n1 == 2 && n2 == 3, code + 14, "UDP datagram boundaries");
	check(fl == sizeof(from) && from.sin_port == b2.sin_port &&
		  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      code + 15, "UDP sender's address");
	check(connect(u2, (struct sockaddr *)&b1, sizeof(b1)) == 0 && send(u2, "f", 1, 0) == 1 &&
		  recv(u1, buf, 8, 0) == 1,
	      code + 16, "connected UDP");
	struct sockaddr_in closed = lo4(port);
	check(sendto(u1, "x", 1, 0, (struct sockaddr *)&closed, sizeof(closed)) == 1, code + 17,
	      "UDP to a closed port is sent");
	close(u1);
	close(u2);

	/* IPv6 ::1 */
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
	al = sizeof(a6);
	check(bind(l6, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(l6, 1) == 0 &&
		  getsockname(l6, (struct sockaddr *)&a6, &al) == 0,
	      code + 18, "listen on ::1");
	int c6 = socket(AF_INET6, SOCK_STREAM, 0);
	check(connect(c6, (struct sockaddr *)&a6, sizeof(a6)) == 0, code + 19, "connect ::1");
	struct sockaddr_in6 p6;
	socklen_t p6l = sizeof(p6);
	int s6 = accept(l6, (struct sockaddr *)&p6, &p6l);
	check(s6 >= 0 && p6l == sizeof(p6) && p6.sin6_family == AF_INET6 &&
		  !memcmp(&p6.sin6_addr, &in6addr_loopback, 16),
	      code + 20, "accept ::1");
	close(s6);
	close(c6);
	close(l6);
	return 0;
}

int main(void)
{
	guest_line_buffered();
	if (geteuid() != 0) {
		printf("skip: needs root\n");
		return 0;
	}
	/* A listener in the parent's (initial) namespace. */
	int hl = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in ha = lo4(0);
	socklen_t hal = sizeof(ha);
	need(bind(hl, (struct sockaddr *)&ha, sizeof(ha)) == 0 && listen(hl, 1) == 0 &&
		     getsockname(hl, (struct sockaddr *)&ha, &hal) == 0,
	     90, "host listener");

	pid_t pid = guest_fork();
	if (pid == 0) {
		need(unshare(CLONE_NEWNET) == 0, 91, "unshare(CLONE_NEWNET)");
		int f = lo_flags();
		check(f >= 0 && (f & IFF_LOOPBACK) && !(f & IFF_UP), 1, "lo starts LOOPBACK, down");
		check(if_nametoindex("lo") == 1, 2, "if_nametoindex(lo) == 1");
		int c = socket(AF_INET, SOCK_STREAM, 0);
		check(c >= 0, 3, "socket in the new namespace");
		EXPECT_ERR_NAMED(connect(c, (struct sockaddr *)&ha, sizeof(ha)), ENETUNREACH, 4,
			   "connect to 127.0.0.1 while lo is down");
		close(c);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		EXPECT_ERR_NAMED(sendto(u, "x", 1, 0, (struct sockaddr *)&ha, sizeof(ha)), ENETUNREACH,
				 5, "UDP sendto while lo is down");
		close(u);
		u = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in b = lo4(0);
		/* 127.0.0.1 is lo's already; ::1 only once lo is up. */
		check(bind(u, (struct sockaddr *)&b, sizeof(b)) == 0, 6,
		      "bind 127.0.0.1 while lo is down works");
		close(u);
		u = socket(AF_INET6, SOCK_DGRAM, 0);
		struct sockaddr_in6 b6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
		EXPECT_ERR_NAMED(bind(u, (struct sockaddr *)&b6, sizeof(b6)), EADDRNOTAVAIL, 7,
				 "bind ::1 while lo is down");
		close(u);
		u = socket(AF_INET6, SOCK_STREAM, 0);
		b6.sin6_port = htons(80);
		EXPECT_ERR_NAMED(connect(u, (struct sockaddr *)&b6, sizeof(b6)), EADDRNOTAVAIL, 11,
				 "connect ::1 while lo is down");
		close(u);

		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "lo");
		ioctl(s, SIOCGIFFLAGS, &ifr);
		ifr.ifr_flags |= IFF_UP;
		check(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, 8, "SIOCSIFFLAGS lo up");
		close(s);
		f = lo_flags();
		check((f & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
		      9, "lo is UP|LOOPBACK|RUNNING");
		c = socket(AF_INET, SOCK_STREAM, 0);
		EXPECT_ERR(connect(c, (struct sockaddr *)&ha, sizeof(ha)), ECONNREFUSED, 10,
			   "the parent's listener is not in this namespace");
		close(c);
		tcp_and_udp(20);
		_exit(guest_finish());
	}
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 60,
	      "ioctl namespace child: exit 0");

	pid = guest_fork();
	if (pid == 0) {
		need(unshare(CLONE_NEWNET) == 0, 91, "unshare(CLONE_NEWNET)");
		check(netlink_lo_up() == 0, 61, "RTM_NEWLINK lo up: acknowledged");
		int f = lo_flags();
		check((f & IFF_UP) != 0, 62, "lo is UP after RTM_NEWLINK");
		tcp_and_udp(70);
		_exit(guest_finish());
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 99,
	      "netlink namespace child: exit 0");
	close(hl);
	return guest_finish();
}
