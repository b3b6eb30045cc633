/*
 * inet_udp: UDP over 127.0.0.1 and ::1 (host sockets in the initial
 * network namespace), ports from bind(0) + getsockname.
 *
 *   - datagram boundaries between two processes: three sendto's are three
 *     recvfrom's, the sender's address reported
 *   - MSG_TRUNC: a datagram cut short, its full length with MSG_TRUNC
 *   - connected UDP: send/recv, getpeername, a datagram to a port nobody
 *     listens on makes the next call ECONNREFUSED
 *   - sendmmsg/recvmmsg of three datagrams between threads
 *   - recvmsg with a too-small name buffer, EMSGSIZE above 65507 bytes,
 *     EDESTADDRREQ without an address, bad pointers EFAULT
 */
#include "unix_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

static int udp_bound(int fam, struct sockaddr_storage *addr)
{
	int s = socket(fam, SOCK_DGRAM, 0);
	need(s >= 0, 90, "socket");
	memset(addr, 0, sizeof(*addr));
	socklen_t l;
	if (fam == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)addr;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		l = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		l = sizeof(*a);
	}
	need(bind(s, (struct sockaddr *)addr, l) == 0, 90, "bind");
	l = sizeof(*addr);
	need(getsockname(s, (struct sockaddr *)addr, &l) == 0, 90, "getsockname");
	return s;
}

static struct sockaddr_storage rx_addr;
static int rx_sock;

static void *mmsg_receiver(void *arg)
{
	(void)arg;
	char bufs[3][16];
	struct iovec iov[3];
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int got = 0;
	while (got < 3) {
		int n = recvmmsg(rx_sock, mm + got, 3 - got, 0, NULL);
		if (n <= 0)
			return (void *)1;
		for (int i = got; i < got + n; i++)
			if (mm[i].msg_len != (unsigned)(i + 1) || bufs[i][0] != 'a' + i)
				return (void *)2;
		got += n;
	}
	return NULL;
}

int main(void)
{
	guest_line_buffered();
	struct sockaddr_storage a_addr, b_addr;
	int a = udp_bound(AF_INET, &a_addr);
	int b = udp_bound(AF_INET, &b_addr);
	check(sockopt_int(a, SO_TYPE) == SOCK_DGRAM, 1, "SO_TYPE SOCK_DGRAM");
	check(sockopt_int(a, SO_PROTOCOL) == IPPROTO_UDP, 2, "SO_PROTOCOL IPPROTO_UDP");

	/* A child sends three datagrams of 1, 2 and 3 bytes from b to a. */
	pid_t pid = guest_fork();
	if (pid == 0) {
		for (int i = 1; i <= 3; i++)
			if (sendto(b, "xyz", (size_t)i, 0, (struct sockaddr *)&a_addr,
				   sizeof(struct sockaddr_in)) != i)
				_exit(1);
		_exit(0);
	}
	for (int i = 1; i <= 3; i++) {
		char buf[16];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		check(n == i, 3, "datagram %d keeps its length", i);
		check(fl == sizeof(from) &&
			  from.sin_port == ((struct sockaddr_in *)&b_addr)->sin_port &&
			  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		      4, "datagram %d: the sender's address", i);
	}
	int st;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 5,
	      "sender child exit 0");

	/* MSG_TRUNC. */
	sendto(b, "0123456789", 10, 0, (struct sockaddr *)&a_addr, sizeof(struct sockaddr_in));
	struct pollfd p = {a, POLLIN, 0};
	poll(&p, 1, 10000);
	int n = -1;
	int fr = ioctl(a, FIONREAD, &n);
	check(fr == 0 && n == 10, 6, "FIONREAD: the next datagram's size");
	char buf[70000];
	struct iovec iov = {buf, 4};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	ssize_t r = recvmsg(a, &mh, MSG_TRUNC);
	check(r == 10 && (mh.msg_flags & MSG_TRUNC) && !memcmp(buf, "0123", 4), 7,
	      "MSG_TRUNC: full length, flag set");

	/* recvmsg's name buffer too small: cut, msg_namelen the full length. */
	sendto(b, "q", 1, 0, (struct sockaddr *)&a_addr, sizeof(struct sockaddr_in));
	char name[4];
	mh = (struct msghdr){0};
	iov = (struct iovec){buf, sizeof(buf)};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_name = name;
	mh.msg_namelen = sizeof(name);
	r = recvmsg(a, &mh, 0);
	check(r == 1 && mh.msg_namelen == sizeof(struct sockaddr_in), 8,
	      "recvmsg: msg_namelen is the full length");

	/* Connected UDP. */
	check(connect(b, (struct sockaddr *)&a_addr, sizeof(struct sockaddr_in)) == 0, 9,
	      "connect UDP");
	check(send(b, "hi", 2, 0) == 2, 10, "send on connected UDP");
	check(recv(a, buf, sizeof(buf), 0) == 2, 11, "recv it");
	struct sockaddr_in pa;
	socklen_t pl = sizeof(pa);
	check(getpeername(b, (struct sockaddr *)&pa, &pl) == 0 &&
		  pa.sin_port == ((struct sockaddr_in *)&a_addr)->sin_port,
	      12, "getpeername of connected UDP");
	EXPECT_ERR(send(b, buf, 65508, 0), EMSGSIZE, 13, "send 65508 bytes");
	/* A port nobody listens on: the ICMP error makes the next call fail. */
	struct sockaddr_storage gone;
	int g = udp_bound(AF_INET, &gone);
	close(g);
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	connect(c, (struct sockaddr *)&gone, sizeof(struct sockaddr_in));
	check(send(c, "x", 1, 0) == 1, 14, "send to a closed port succeeds");
	usleep(10000);
	EXPECT_ERR(recv(c, buf, 1, MSG_DONTWAIT), ECONNREFUSED, 15, "then ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	EXPECT_ERR(send(c, "x", 1, 0), EDESTADDRREQ, 16, "send without an address");
	EXPECT_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)8, sizeof(struct sockaddr_in)), EFAULT,
		   17, "sendto bad address pointer");
	EXPECT_ERR(sendto(c, (void *)8, 1, 0, (struct sockaddr *)&a_addr,
			  sizeof(struct sockaddr_in)),
		   EFAULT, 18, "sendto bad buffer");
	EXPECT_ERR(syscall(SYS_recvmsg, a, (struct msghdr *)8, MSG_DONTWAIT), EFAULT, 19, "recvmsg bad msghdr");
	EXPECT_ERR(recv(c, buf, 1, MSG_DONTWAIT), EAGAIN, 20, "recv nothing: EAGAIN");
	{
		char one = 1;
		struct iovec io = {&one, 1};
		struct msghdr bm = {0};
		bm.msg_name = &a_addr;
		bm.msg_namelen = sizeof(struct sockaddr_in);
		bm.msg_iov = &io;
		bm.msg_iovlen = 1;
		bm.msg_control = (void *)8;
		bm.msg_controllen = 32;
		EXPECT_ERR(syscall(SYS_sendmsg, c, &bm, 0), EFAULT, 24, "sendmsg bad control pointer");
	}
	close(c);
	close(a);
	close(b);

	/* sendmmsg/recvmmsg over ::1 between threads. */
	rx_sock = udp_bound(AF_INET6, &rx_addr);
	int tx = socket(AF_INET6, SOCK_DGRAM, 0);
	pthread_t th;
	need(pthread_create(&th, NULL, mmsg_receiver, NULL) == 0, 91, "pthread_create");
	struct mmsghdr mm[3];
	struct iovec tiov[3];
	const char *msgs[3] = {"a", "bb", "ccc"};
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		tiov[i] = (struct iovec){(void *)msgs[i], (size_t)i + 1};
		mm[i].msg_hdr.msg_iov = &tiov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &rx_addr;
		mm[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in6);
	}
	check(sendmmsg(tx, mm, 3, 0) == 3, 21, "sendmmsg 3");
	check(mm[2].msg_len == 3, 22, "sendmmsg msg_len");
	void *ret;
	pthread_join(th, &ret);
	check(ret == NULL, 23, "recvmmsg in a thread got all three (%ld)", (long)ret);
	close(tx);
	close(rx_sock);
	return guest_finish();
}
