/* AF_INET, AF_INET6 and AF_NETLINK sockets of a network namespace of the
 * model, on top of net/unix.c (see inet_model.h). */
#include "kernelmodel/net/inet_model.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/net/net_namespace.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/task.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define NETLINK_EXT_ACK_MODEL 11
#define NETLINK_GET_STRICT_CHK_MODEL 12
#define NETLINK_ROUTE_PROTO 0
#define UDP_MAX_V4 65507 /* 65535 - IP header - UDP header */
#define UDP_MAX_V6 65527
#define PORT_LOW 32768 /* net.ipv4.ip_local_port_range */
#define PORT_HIGH 60999

static struct inet_sock *netlink_bound; /* every bound netlink socket */

/* The unix name of port @port: "\0P" and the port, apart from AF_UNIX's
 * names by INET_NAME_SALT. */
static int un_name(struct sockaddr_un *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	a->sun_path[1] = 'P';
	a->sun_path[2] = (char)(port >> 8);
	a->sun_path[3] = (char)(port & 0xff);
	return (int)offsetof(struct sockaddr_un, sun_path) + 4;
}

static int un_port(const uint8_t *un, int len)
{
	if (len != (int)offsetof(struct sockaddr_un, sun_path) + 4 || un[3] != 'P')
		return -1;
	return (un[4] << 8) | un[5];
}

enum addr_kind { ADDR_ANY, ADDR_LOOPBACK, ADDR_OTHER };

struct inaddr {
	int family; /* the address's own: AF_INET, or AF_INET6 (v4-mapped too) */
	uint8_t ip[16];
	uint16_t port;
	enum addr_kind kind;
};

static const uint8_t v6_loopback[16] = {[15] = 1};
static const uint8_t v4mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};

/* A guest's sockaddr for socket family @fam (length and family already
 * checked) into @a. */
static void parse_addr(int fam, const uint8_t *addr, struct inaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = fam;
	if (fam == AF_INET) {
		const struct sockaddr_in *s = (const void *)addr;
		memcpy(a->ip, &s->sin_addr, 4);
		a->port = ntohs(s->sin_port);
		a->kind = !s->sin_addr.s_addr ? ADDR_ANY
			  : a->ip[0] == 127   ? ADDR_LOOPBACK
					      : ADDR_OTHER;
		return;
	}
	const struct sockaddr_in6 *s = (const void *)addr;
	memcpy(a->ip, &s->sin6_addr, 16);
	a->port = ntohs(s->sin6_port);
	static const uint8_t zero[16];
	if (!memcmp(a->ip, zero, 16))
		a->kind = ADDR_ANY;
	else if (!memcmp(a->ip, v6_loopback, 16))
		a->kind = ADDR_LOOPBACK;
	else if (!memcmp(a->ip, v4mapped_prefix, 12))
		a->kind = a->ip[12] == 127 ? ADDR_LOOPBACK
			  : !memcmp(a->ip + 12, zero, 4) ? ADDR_ANY
							  : ADDR_OTHER;
	else
		a->kind = ADDR_OTHER;
}

/* The address length a family needs (inet_bind: sizeof(sockaddr_in);
 * inet6: SIN6_LEN_RFC2133). */
static int min_len(int fam)
{
	return fam == AF_INET ? (int)sizeof(struct sockaddr_in) : 24;
}

/* The loopback address as socket family @fam shows it. */
static void loopback_of(int fam, uint8_t *ip)
{
	memset(ip, 0, 16);
	if (fam == AF_INET) {
		ip[0] = 127, ip[3] = 1;
	} else {
		ip[15] = 1;
	}
}

/* Is the destination reachable? 0, or what Linux says for a namespace
 * whose lo is down or for an address no route leads to. */
static int route_check(const struct inet_sock *in, const struct inaddr *a)
{
	bool v6 = in->family == AF_INET6 && memcmp(a->ip, v4mapped_prefix, 12);
	if (a->kind == ADDR_OTHER)
		return -ENETUNREACH;
	if (!net_lo_up(in->net))
		return v6 ? -EADDRNOTAVAIL : -ENETUNREACH; /* ::1 is not there yet */
	return 0;
}

int inet_model_create(struct task *t, int family, int type, int protocol, struct unix_sock **out)
{
	struct net_model *net = net_model_of(t->nsproxy->ns[NS_NET]->inum);
	if (!net)
		return -ENOMEM;
	int proto;
	if (family == AF_NETLINK) {
		proto = protocol;
		type = SOCK_DGRAM;
	} else if (type == SOCK_STREAM) {
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		proto = IPPROTO_TCP;
	} else if (type == SOCK_DGRAM) {
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT; /* ICMP "ping" sockets: not modeled */
		proto = IPPROTO_UDP;
	} else {
		return -ESOCKTNOSUPPORT; /* raw and SCTP-like types: not modeled */
	}
	struct inet_sock *in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->family = family;
	in->protocol = proto;
	in->net = net;
	in->uid = t->cred->fsuid;
	struct unix_sock *u;
	int r = unix_create(type, 0, &u);
	if (r) {
		free(in);
		return r;
	}
	u->inet = in;
	u->sk_net_inum = net->inum;
	if (family == AF_NETLINK) {
		struct unix_sock *k;
		if ((r = unix_create(SOCK_DGRAM, 0, &k))) {
			unix_release(u);
			return r;
		}
		unix_socketpair(t, u, k);
		in->nl_kernel = k;
	}
	*out = u;
	return 0;
}

void inet_sock_release(struct unix_sock *u)
{
	struct inet_sock *in = u->inet;
	if (in->nl_kernel) {
		struct unix_sock *k = in->nl_kernel;
		in->nl_kernel = NULL;
		unix_release(k);
	}
}

void inet_sock_free(struct inet_sock *in)
{
	if (!in)
		return;
	for (struct inet_sock **p = &netlink_bound; *p; p = &(*p)->nl_next)
		if (*p == in) {
			*p = in->nl_next;
			break;
		}
	free(in);
}

/* ---- ports ---- */

static int bind_port(struct task *t, struct unix_sock *u, uint16_t port)
{
	struct sockaddr_un a;
	int len = un_name(&a, port);
	return unix_bind(t, u, &a, len, AT_FDCWD, 0);
}

/* inet_csk_get_port / udp_lib_get_port with port 0: the next free port
 * from the namespace's rover. */
static int bind_ephemeral(struct task *t, struct unix_sock *u)
{
	struct inet_sock *in = u->inet;
	for (int tries = 0; tries <= PORT_HIGH - PORT_LOW; tries++) {
		uint16_t port = (uint16_t)in->net->port_rover;
		in->net->port_rover = port >= PORT_HIGH ? PORT_LOW : port + 1u;
		int r = bind_port(t, u, port);
		if (r == -EADDRINUSE)
			continue;
		if (!r) {
			in->bound = true;
			in->lport = port;
		}
		return r;
	}
	return -EADDRINUSE;
}

static int autobind(struct task *t, struct unix_sock *u)
{
	return u->inet->bound ? 0 : bind_ephemeral(t, u);
}

/* ---- netlink names ---- */

static bool portid_used(struct net_model *net, uint32_t id)
{
	for (struct inet_sock *s = netlink_bound; s; s = s->nl_next)
		if (s->net == net && s->nl_portid == id)
			return true;
	return false;
}

/* netlink_autobind: the process's tgid first, then negative ids. */
int netlink_autobind(struct task *t, struct inet_sock *in)
{
	if (in->nl_portid)
		return 0;
	uint32_t id = (uint32_t)task_tgid_nr_ns(t, t->pid_ns);
	while (portid_used(in->net, id))
		id = (uint32_t)(-4096 - (int32_t)in->net->nl_portid++);
	in->nl_portid = id;
	in->nl_next = netlink_bound;
	netlink_bound = in;
	return 0;
}

/* ---- bind, listen, connect, accept, names ---- */

int inet_model_bind(struct task *t, struct unix_sock *u, const uint8_t *addr, int len)
{
	struct inet_sock *in = u->inet;
	if (in->family == AF_NETLINK) {
		struct {
			uint16_t family, pad;
			uint32_t pid, groups;
		} nl;
		if (len < (int)sizeof(nl))
			return -EINVAL;
		memcpy(&nl, addr, sizeof(nl));
		if (nl.family != AF_NETLINK)
			return -EINVAL;
		if (in->nl_portid) {
			if (nl.pid && nl.pid != in->nl_portid)
				return -EINVAL;
		} else if (nl.pid) {
			if (portid_used(in->net, nl.pid))
				return -EADDRINUSE;
			in->nl_portid = nl.pid;
			in->nl_next = netlink_bound;
			netlink_bound = in;
		} else {
			netlink_autobind(t, in);
		}
		in->nl_groups = nl.groups; /* kept; no notifications are sent (README) */
		return 0;
	}
	if (len < min_len(in->family))
		return -EINVAL;
	int fam = ((const struct sockaddr *)addr)->sa_family;
	struct inaddr a;
	if (fam != in->family) {
		/* __inet_bind lets AF_UNSPEC with INADDR_ANY through */
		const struct sockaddr_in *s = (const void *)addr;
		if (in->family != AF_INET || fam != AF_UNSPEC || s->sin_addr.s_addr)
			return -EAFNOSUPPORT;
	}
	parse_addr(in->family, addr, &a);
	/* 127.0.0.0/8 is lo's from the start, ::1 only once it is up. */
	if (a.kind == ADDR_OTHER ||
	    (in->family == AF_INET6 && a.kind == ADDR_LOOPBACK && !net_lo_up(in->net)))
		return -EADDRNOTAVAIL;
	if (a.port && a.port < 1024 && !capable(t, CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (in->bound || u->state != UNIX_CLOSE)
		return -EINVAL;
	int r = a.port ? bind_port(t, u, a.port) : bind_ephemeral(t, u);
	if (r)
		return r;
	in->bound = true;
	if (a.port)
		in->lport = a.port;
	memcpy(in->laddr, a.ip, 16);
	return 0;
}

int inet_model_listen(struct task *t, struct unix_sock *u, int backlog)
{
	struct inet_sock *in = u->inet;
	if (in->family == AF_NETLINK || in->protocol != IPPROTO_TCP)
		return -EOPNOTSUPP;
	if (u->state == UNIX_ESTABLISHED)
		return -EINVAL;
	int r = autobind(t, u);
	return r ? r : unix_listen(t, u, backlog);
}

int inet_model_connect(struct task *t, struct unix_sock *u, const uint8_t *addr, int len,
		       bool nonblock, const void **wait)
{
	struct inet_sock *in = u->inet;
	*wait = NULL;
	if (in->family == AF_NETLINK) {
		/* netlink_connect: only the kernel (pid 0) is there to talk to */
		if (len < (int)sizeof(sa_family_t))
			return -EINVAL;
		if (((const struct sockaddr *)addr)->sa_family == AF_UNSPEC)
			return 0;
		if (len < 12 || ((const struct sockaddr *)addr)->sa_family != AF_NETLINK)
			return -EINVAL;
		return netlink_autobind(t, in);
	}
	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	int fam = ((const struct sockaddr *)addr)->sa_family;
	if (fam == AF_UNSPEC) {
		if (in->protocol == IPPROTO_UDP) { /* udp_disconnect */
			in->connected = false;
			return 0;
		}
		/* tcp_disconnect of a live connection is not modeled */
		return u->state == UNIX_ESTABLISHED ? -EOPNOTSUPP : 0;
	}
	if (len < min_len(in->family))
		return -EINVAL;
	if (fam != in->family)
		return -EAFNOSUPPORT;
	if (in->protocol == IPPROTO_TCP && u->state == UNIX_ESTABLISHED)
		return -EISCONN;
	if (in->protocol == IPPROTO_TCP && u->state == UNIX_LISTEN)
		return -EISCONN; /* a listener: inet_stream_connect says so too */
	struct inaddr a;
	parse_addr(in->family, addr, &a);
	int r = route_check(in, &a);
	if (r)
		return r;
	if ((r = autobind(t, u)))
		return r;
	if (in->protocol == IPPROTO_TCP) {
		struct sockaddr_un un;
		int unlen = un_name(&un, a.port);
		r = unix_connect(t, u, &un, unlen, AT_FDCWD, nonblock, wait);
		if (r)
			return r;
	}
	in->connected = true;
	in->rfamily = in->family;
	in->rport = a.port;
	if (a.kind == ADDR_ANY)
		loopback_of(in->family, in->raddr);
	else
		memcpy(in->raddr, a.ip, 16);
	return 0;
}

int inet_model_accepted(struct unix_sock *u, struct unix_sock *nu)
{
	struct inet_sock *in = u->inet, *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->family = in->family;
	n->protocol = in->protocol;
	n->net = in->net;
	n->uid = in->uid;
	n->bound = true;
	n->lport = in->lport;
	memcpy(n->laddr, in->laddr, 16);
	n->connected = true;
	n->rfamily = n->family;
	loopback_of(n->family, n->raddr);
	const struct inet_sock *c = nu->peer ? nu->peer->inet : NULL;
	if (c) {
		n->rport = c->lport;
		if (c->connected && !memcmp(n->laddr, (uint8_t[16]){0}, 16))
			memcpy(n->laddr, c->raddr, 16); /* the address the client used */
		if (c->family == AF_INET && n->family == AF_INET6) {
			memcpy(n->raddr, v4mapped_prefix, 12);
			n->raddr[12] = 127, n->raddr[13] = 0, n->raddr[14] = 0, n->raddr[15] = 1;
		}
	}
	nu->inet = n;
	return 0;
}

/* A sockaddr of family @fam for @ip/@port into @out; its length. */
static int put_addr(int fam, const uint8_t *ip, uint16_t port, uint8_t *out)
{
	if (fam == AF_INET) {
		struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};
		memcpy(&s.sin_addr, ip, 4);
		memcpy(out, &s, sizeof(s));
		return sizeof(s);
	}
	struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	memcpy(&s.sin6_addr, ip, 16);
	memcpy(out, &s, sizeof(s));
	return sizeof(s);
}

int inet_model_getname(struct unix_sock *u, uint8_t *addr, bool peer)
{
	struct inet_sock *in = u->inet;
	if (in->family == AF_NETLINK) {
		struct {
			uint16_t family, pad;
			uint32_t pid, groups;
		} nl = {AF_NETLINK, 0, peer ? 0 : in->nl_portid, peer ? 0 : in->nl_groups};
		memcpy(addr, &nl, sizeof(nl));
		return sizeof(nl);
	}
	if (peer) {
		if (!in->connected)
			return -ENOTCONN;
		return put_addr(in->family, in->raddr, in->rport, addr);
	}
	uint8_t ip[16];
	memcpy(ip, in->laddr, 16);
	if (in->connected && !memcmp(ip, (uint8_t[16]){0}, 16))
		loopback_of(in->family, ip); /* the source address of the route */
	return put_addr(in->family, ip, in->bound ? in->lport : 0, addr);
}

/* ---- messages ---- */

int inet_model_send_prepare(struct task *t, struct unix_sock *u, const uint8_t *addr, int alen,
			    size_t len, void *un, int *unlen)
{
	struct inet_sock *in = u->inet;
	*unlen = 0;
	if (in->protocol == IPPROTO_TCP)
		return u->state == UNIX_ESTABLISHED ? 0 : -EPIPE; /* tcp_sendmsg ignores a name */
	if (len > (size_t)(in->family == AF_INET ? UDP_MAX_V4 : UDP_MAX_V6))
		return -EMSGSIZE;
	struct inaddr a;
	if (addr) {
		if (alen < min_len(in->family))
			return -EINVAL;
		int fam = ((const struct sockaddr *)addr)->sa_family;
		if (fam != in->family && !(in->family == AF_INET && fam == AF_UNSPEC))
			return -EAFNOSUPPORT;
		parse_addr(in->family, addr, &a);
		if (!a.port)
			return -EINVAL;
	} else if (in->connected) {
		memset(&a, 0, sizeof(a));
		a.port = in->rport;
		memcpy(a.ip, in->raddr, 16);
		a.kind = ADDR_LOOPBACK;
	} else {
		return -EDESTADDRREQ;
	}
	int r = route_check(in, &a);
	if (r)
		return r;
	if ((r = autobind(t, u)))
		return r;
	*unlen = un_name(un, a.port);
	return 0;
}

long inet_model_send_refused(struct unix_sock *u, size_t len)
{
	if (u->inet->connected)
		u->err = ECONNREFUSED; /* the ICMP port unreachable, reported next */
	return (long)len;
}

int inet_model_recv_name(struct unix_sock *u, const uint8_t *unaddr, int unlen, uint8_t *out)
{
	struct inet_sock *in = u->inet;
	if (in->family == AF_NETLINK) {
		struct {
			uint16_t family, pad;
			uint32_t pid, groups;
		} nl = {AF_NETLINK, 0, 0, 0}; /* from the kernel */
		memcpy(out, &nl, sizeof(nl));
		return sizeof(nl);
	}
	if (in->protocol == IPPROTO_TCP)
		return 0; /* a stream reports no address */
	int port = un_port(unaddr, unlen);
	if (port < 0)
		return 0;
	uint8_t ip[16];
	loopback_of(in->family, ip);
	return put_addr(in->family, ip, (uint16_t)port, out);
}

/* ---- options ---- */

static int put_int(void *val, int *len, int v)
{
	if (*len < 0)
		return -EINVAL;
	int n = *len < (int)sizeof(int) ? *len : (int)sizeof(int);
	memcpy(val, &v, (size_t)n);
	*len = n;
	return 0;
}

int inet_model_getsockopt(struct unix_sock *u, int level, int name, void *val, int *len)
{
	struct inet_sock *in = u->inet;
	if (level == SOL_SOCKET) {
		if (name == SO_DOMAIN)
			return put_int(val, len, in->family);
		if (name == SO_PROTOCOL)
			return put_int(val, len, in->protocol);
		if (name == SO_TYPE && in->family == AF_NETLINK)
			return put_int(val, len, SOCK_RAW);
		return 1;
	}
	if (in->family == AF_NETLINK) {
		if (level != SOL_NETLINK)
			return -ENOPROTOOPT;
		if (name == NETLINK_EXT_ACK_MODEL)
			return put_int(val, len, in->nl_ext_ack);
		if (name == NETLINK_GET_STRICT_CHK_MODEL)
			return put_int(val, len, in->nl_strict);
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_TCP && in->protocol == IPPROTO_TCP && name == TCP_NODELAY)
		return put_int(val, len, in->nodelay);
	return -ENOPROTOOPT; /* IP, IPv6, TCP and UDP options: not modeled */
}

int inet_model_setsockopt(struct unix_sock *u, int level, int name, const void *val, int len)
{
	struct inet_sock *in = u->inet;
	if (level == SOL_SOCKET)
		return 1;
	int v = 0;
	if (len >= (int)sizeof(int))
		memcpy(&v, val, sizeof(v));
	if (in->family == AF_NETLINK) {
		if (level != SOL_NETLINK)
			return -ENOPROTOOPT;
		if (name != NETLINK_EXT_ACK_MODEL && name != NETLINK_GET_STRICT_CHK_MODEL)
			return -ENOPROTOOPT;
		if (len < (int)sizeof(int))
			return -EINVAL;
		/* Extended acks carry no extra text here: the model's errors
		 * have none to give. Strict checking is what it does anyway. */
		if (name == NETLINK_EXT_ACK_MODEL)
			in->nl_ext_ack = !!v;
		else
			in->nl_strict = !!v;
		return 0;
	}
	if (level == IPPROTO_TCP && in->protocol == IPPROTO_TCP && name == TCP_NODELAY) {
		if (len < (int)sizeof(int))
			return -EINVAL;
		in->nodelay = !!v;
		return 0;
	}
	return -ENOPROTOOPT;
}
