/* AF_INET, AF_INET6 and AF_NETLINK (NETLINK_ROUTE) sockets of a network
 * namespace of the model (net_namespace.h), carried by the model's AF_UNIX
 * machinery (net/unix.c): a TCP socket is a unix SOCK_STREAM socket, a UDP
 * one a SOCK_DGRAM socket, named in the abstract name space by port only
 * (kept apart from AF_UNIX's names: INET_NAME_SALT), so stream semantics,
 * the listen backlog, accept, shutdown, EPIPE/SIGPIPE, ECONNRESET after a
 * close with unread data, SO_RCVBUF/SO_SNDBUF flow control, poll and
 * epoll are unix.c's. What is inet's is here: addresses (loopback only:
 * 127.0.0.0/8 and ::1, the wildcard, v4-mapped loopback), ephemeral ports,
 * ENETUNREACH/EADDRNOTAVAIL while lo is down or for any other address,
 * UDP's silent drop to a port nobody bound (ECONNREFUSED once on a
 * connected socket), datagram size limits, and the names getsockname,
 * getpeername, accept and recvfrom report.
 *
 * A netlink socket is a unix SOCK_DGRAM socket paired with a hidden
 * "kernel" socket: what the guest sends is answered (net/netlink.c) by
 * datagrams the kernel socket sends back into its queue.
 *
 * Not modeled (README): IPv4 and IPv6 on one port are one port (no
 * IPV6_V6ONLY distinction), SO_REUSEADDR/SO_REUSEPORT sharing a port, a
 * connected UDP socket still receiving from others, UDP flow control
 * blocks a sender instead of dropping, IP-level options, MSG_OOB, raw and
 * ICMP sockets, netlink multicast groups and notifications. */
#ifndef KERNELMODEL_NET_INET_MODEL_H
#define KERNELMODEL_NET_INET_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct unix_sock;
struct net_model;

/* XORed into the namespace key of inet sockets' abstract names. */
#define INET_NAME_SALT (1ull << 62)

struct inet_sock {
	int family;   /* AF_INET, AF_INET6, AF_NETLINK */
	int protocol; /* IPPROTO_TCP, IPPROTO_UDP, NETLINK_ROUTE */
	struct net_model *net;
	/* local: bound (bind, or an ephemeral port on listen/connect/send) */
	bool bound;
	uint8_t laddr[16]; /* IPv4 in the first 4 bytes; all zero: wildcard */
	uint16_t lport;
	/* remote: what connect named (TCP, UDP), or the peer of an accepted one */
	bool connected;
	uint8_t raddr[16];
	uint16_t rport;
	int rfamily;
	bool nodelay; /* TCP_NODELAY: read back as set (no Nagle in the model) */
	uint32_t uid; /* sock_i_uid: the creator's fsuid (a kernel id) */
	/* AF_NETLINK */
	struct unix_sock *nl_kernel; /* the kernel's end (a reference) */
	uint32_t nl_portid, nl_groups;
	int nl_ext_ack, nl_strict;
	struct inet_sock *nl_next; /* all bound netlink sockets */
};

/* A new socket of @t's namespace: 0 with *@out (a unix_sock, refcount 1,
 * inet set) or -ESOCKTNOSUPPORT, -EPROTONOSUPPORT, -ENOMEM. */
int inet_model_create(struct task *t, int family, int type, int protocol,
		      struct unix_sock **out);
/* unix_release's hook: drop what the inet side holds (the netlink kernel
 * socket); inet_sock_free frees it with the unix_sock. */
void inet_sock_release(struct unix_sock *u);
void inet_sock_free(struct inet_sock *in);

int inet_model_bind(struct task *t, struct unix_sock *u, const uint8_t *addr, int len);
int inet_model_listen(struct task *t, struct unix_sock *u, int backlog);
/* connect(2): -EAGAIN with *@wait: sleep and call again (unix_connect). */
int inet_model_connect(struct task *t, struct unix_sock *u, const uint8_t *addr, int len,
		       bool nonblock, const void **wait);
/* accept(2) made @nu from listener @u: give it its inet side. 0 or -ENOMEM. */
int inet_model_accepted(struct unix_sock *u, struct unix_sock *nu);
/* getsockname/getpeername into @addr (128 bytes): the length or -ENOTCONN. */
int inet_model_getname(struct unix_sock *u, uint8_t *addr, bool peer);

/* Before a send of @len bytes to @addr/@alen (NULL: none given): checks,
 * an ephemeral port, and the unix name to send to in @un (*@unlen; 0: the
 * stream's peer). Returns 0, 1 when the datagram is to be dropped as a
 * UDP send to nobody would be (the send reports @len), or -errno. */
int inet_model_send_prepare(struct task *t, struct unix_sock *u, const uint8_t *addr, int alen,
			    size_t len, void *un, int *unlen);
/* A unix send to a port nobody has (ECONNREFUSED): what UDP says instead
 * (@len sent; a connected socket reports ECONNREFUSED next time). */
long inet_model_send_refused(struct unix_sock *u, size_t len);
/* The sender's name as the receiver reports it, from its unix name. */
int inet_model_recv_name(struct unix_sock *u, const uint8_t *unaddr, int unlen, uint8_t *out);

/* Options of the inet/netlink level and the ones SOL_SOCKET answers
 * differently from AF_UNIX (SO_DOMAIN, SO_PROTOCOL): 0 or -errno when
 * handled, 1 to let unix.c answer. */
int inet_model_getsockopt(struct unix_sock *u, int level, int name, void *val, int *len);
int inet_model_setsockopt(struct unix_sock *u, int level, int name, const void *val, int len);

/* A netlink socket's port id, chosen on first need (netlink_autobind). */
int netlink_autobind(struct task *t, struct inet_sock *in);
/* net/netlink.c: a netlink request of @len bytes from @t on @u, answered
 * into @u's queue. Returns @len or -errno. */
long netlink_model_send(struct task *t, struct unix_sock *u, const uint8_t *buf, size_t len);
/* The interface ioctls of @net (SIOCGIF*, SIOCSIFFLAGS on lo). */
int net_model_dev_ioctl(struct task *t, struct net_model *net, unsigned long req, void *ifr);
/* SIOCGIFCONF: lo's entry once it has 127.0.0.1; *@len the bytes. */
int net_model_ifconf(struct net_model *net, void *reqs, int cap, int *len);

#endif
