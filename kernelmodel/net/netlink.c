/* Routing netlink of a network namespace of the model (net/core/rtnetlink.c
 * for its one interface, lo), and the interface ioctls (net/core/dev_ioctl.c).
 *
 * Requests answered: RTM_GETLINK (a dump, or one link by index or
 * IFLA_IFNAME), RTM_GETADDR (a dump: 127.0.0.1/8 and ::1/128 once lo is
 * up), RTM_NEWLINK changing lo's IFF_UP (what `ip link set lo up/down`
 * sends; CAP_NET_ADMIN). Every other request type is answered with
 * NLMSG_ERROR EOPNOTSUPP (README). Replies are datagrams the socket's
 * kernel end sends into its queue, one message each, a dump closed by
 * NLMSG_DONE; NLM_F_ACK and errors get NLMSG_ERROR with the request's
 * header. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/net/net_namespace.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/task.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

enum {
	NLMSG_NOOP_ = 1, NLMSG_ERROR_ = 2, NLMSG_DONE_ = 3, NLMSG_MIN_TYPE_ = 0x10,
	RTM_NEWLINK_ = 16, RTM_GETLINK_ = 18, RTM_NEWADDR_ = 20, RTM_GETADDR_ = 22,
	RTM_NEWROUTE_ = 24, RTM_GETROUTE_ = 26, RTM_GETNEIGH_ = 30,
};
enum { RTA_DST_ = 1, RTA_OIF_ = 4, RTA_PRIORITY_ = 6, RTA_PREFSRC_ = 7, RTA_TABLE_ = 15,
       RTA_PREF_ = 20 };
enum { RTN_LOCAL_ = 2, RTN_BROADCAST_ = 3 };
#define RT_TABLE_LOCAL_ 255
#define RTPROT_KERNEL_ 2
#define RT_SCOPE_LINK_ 253
enum { NLM_F_REQUEST_ = 1, NLM_F_MULTI_ = 2, NLM_F_ACK_ = 4, NLM_F_DUMP_ = 0x300 };
enum { IFLA_ADDRESS_ = 1, IFLA_BROADCAST_ = 2, IFLA_IFNAME_ = 3, IFLA_MTU_ = 4,
       IFLA_QDISC_ = 6, IFLA_TXQLEN_ = 13, IFLA_OPERSTATE_ = 16, IFLA_LINKMODE_ = 17,
       IFLA_STATS64_ = 23, IFLA_GROUP_ = 27 };
enum { IFA_ADDRESS_ = 1, IFA_LOCAL_ = 2, IFA_LABEL_ = 3, IFA_CACHEINFO_ = 6, IFA_FLAGS_ = 8 };
#define ARPHRD_LOOPBACK_ 772
#define IFA_F_PERMANENT_ 0x80
#define RT_SCOPE_HOST_ 254
#define IF_OPER_UNKNOWN_ 0
#define IF_OPER_DOWN_ 2
#define NLA_ALIGN_(n) (((n) + 3u) & ~3u)

struct nlhdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};
struct ifinfo {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};
struct ifaddrmsg_model {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

/* A message being built (one datagram). */
struct nlbuf {
	uint8_t b[512];
	size_t len;
};

static void *nl_put(struct nlbuf *m, const void *p, size_t n)
{
	void *at = m->b + m->len;
	memcpy(at, p, n);
	m->len += NLA_ALIGN_(n);
	return at;
}

static void nla_put(struct nlbuf *m, uint16_t type, const void *p, size_t n)
{
	uint16_t h[2] = {(uint16_t)(4 + n), type};
	memcpy(m->b + m->len, h, 4);
	memcpy(m->b + m->len + 4, p, n);
	memset(m->b + m->len + 4 + n, 0, NLA_ALIGN_(4 + n) - 4 - n);
	m->len += NLA_ALIGN_(4 + n);
}

static void nl_start(struct nlbuf *m, uint16_t type, uint16_t flags, const struct nlhdr *req,
		     uint32_t portid)
{
	memset(m, 0, sizeof(*m));
	struct nlhdr h = {0, type, flags, req->seq, portid};
	nl_put(m, &h, sizeof(h));
}

static int nl_send(struct task *t, struct inet_sock *in, struct nlbuf *m)
{
	((struct nlhdr *)m->b)->len = (uint32_t)m->len;
	struct iovec iov = {m->b, m->len};
	struct unix_msg um = {0};
	um.iov = &iov;
	um.iovcnt = 1;
	um.len = m->len;
	um.flags = MSG_DONTWAIT;
	um.scm.uid = um.scm.gid = INVALID_ID;
	long r = unix_sendmsg(t, in->nl_kernel, &um);
	scm_destroy(&um.scm);
	return r < 0 ? -ENOBUFS : 0; /* a full queue is netlink's overrun */
}

static void link_msg(struct nlbuf *m, struct net_model *net, const struct nlhdr *req,
		     uint32_t portid, uint16_t flags)
{
	nl_start(m, RTM_NEWLINK_, flags, req, portid);
	struct ifinfo ifi = {AF_UNSPEC, 0, ARPHRD_LOOPBACK_, LOOPBACK_IFINDEX, net->lo_flags, 0};
	nl_put(m, &ifi, sizeof(ifi));
	nla_put(m, IFLA_IFNAME_, "lo", 3);
	uint32_t v = 1000;
	nla_put(m, IFLA_TXQLEN_, &v, 4);
	uint8_t op = net_lo_up(net) ? IF_OPER_UNKNOWN_ : IF_OPER_DOWN_;
	nla_put(m, IFLA_OPERSTATE_, &op, 1);
	uint8_t mode = 0; /* IF_LINK_MODE_DEFAULT */
	nla_put(m, IFLA_LINKMODE_, &mode, 1);
	/* struct rtnl_link_stats64: the model counts no packets (README). */
	uint64_t stats[24] = {0};
	nla_put(m, IFLA_STATS64_, stats, sizeof(stats));
	v = LOOPBACK_MTU;
	nla_put(m, IFLA_MTU_, &v, 4);
	uint8_t mac[6] = {0};
	nla_put(m, IFLA_ADDRESS_, mac, 6);
	nla_put(m, IFLA_BROADCAST_, mac, 6);
	/* lo's qdisc: noop while down, noqueue once activated (dev_activate). */
	const char *qdisc = net_lo_up(net) ? "noqueue" : "noop";
	nla_put(m, IFLA_QDISC_, qdisc, (int)strlen(qdisc) + 1);
	v = 0;
	nla_put(m, IFLA_GROUP_, &v, 4); /* INIT_NETDEV_GROUP */
}

static void addr_msg(struct nlbuf *m, const struct nlhdr *req, uint32_t portid, int family)
{
	nl_start(m, RTM_NEWADDR_, NLM_F_MULTI_, req, portid);
	struct ifaddrmsg_model ifa = {(uint8_t)family, family == AF_INET ? 8 : 128, IFA_F_PERMANENT_,
			     RT_SCOPE_HOST_, LOOPBACK_IFINDEX};
	nl_put(m, &ifa, sizeof(ifa));
	if (family == AF_INET) {
		uint8_t a[4] = {127, 0, 0, 1};
		nla_put(m, IFA_ADDRESS_, a, 4);
		nla_put(m, IFA_LOCAL_, a, 4);
		nla_put(m, IFA_LABEL_, "lo", 3);
	} else {
		uint8_t a[16] = {[15] = 1};
		nla_put(m, IFA_ADDRESS_, a, 16);
	}
	/* Permanent: valid and preferred forever (INFINITY_LIFE_TIME); the
	 * creation and update stamps are not modeled (0). */
	uint32_t ci[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0, 0};
	nla_put(m, IFA_CACHEINFO_, ci, sizeof(ci));
	uint32_t fl = IFA_F_PERMANENT_;
	nla_put(m, IFA_FLAGS_, &fl, 4);
}

/* One route of lo's local table (fib_dump_info / rt6_fill_node). */
static void route_msg(struct nlbuf *m, const struct nlhdr *req, uint32_t portid, int family,
		      const uint8_t *dst, int dst_len, uint8_t type, uint8_t scope)
{
	nl_start(m, RTM_NEWROUTE_, NLM_F_MULTI_, req, portid);
	struct {
		uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
		uint32_t flags;
	} rtm = {(uint8_t)family, (uint8_t)dst_len, 0, 0, RT_TABLE_LOCAL_, RTPROT_KERNEL_, scope, type, 0};
	nl_put(m, &rtm, sizeof(rtm));
	uint32_t table = RT_TABLE_LOCAL_, oif = LOOPBACK_IFINDEX, prio = 0;
	nla_put(m, RTA_TABLE_, &table, 4);
	nla_put(m, RTA_DST_, dst, family == AF_INET ? 4 : 16);
	if (family == AF_INET) {
		uint8_t src[4] = {127, 0, 0, 1};
		nla_put(m, RTA_PREFSRC_, src, 4);
	} else {
		nla_put(m, RTA_PRIORITY_, &prio, 4);
	}
	nla_put(m, RTA_OIF_, &oif, 4);
	if (family == AF_INET6) {
		uint8_t pref = 0; /* ICMPV6_ROUTER_PREF_MEDIUM */
		nla_put(m, RTA_PREF_, &pref, 1);
	}
}

static int done_msg(struct task *t, struct inet_sock *in, const struct nlhdr *req)
{
	struct nlbuf m;
	nl_start(&m, NLMSG_DONE_, NLM_F_MULTI_, req, in->nl_portid);
	int32_t zero = 0;
	nl_put(&m, &zero, 4);
	return nl_send(t, in, &m);
}

/* NLMSG_ERROR (netlink_ack): @err (0: the ACK) and the request, whole for
 * an error, only its header for an ACK (NLM_F_CAPPED), and capped too when
 * it would not fit. */
static int error_msg(struct task *t, struct inet_sock *in, const struct nlhdr *req,
		     const uint8_t *raw, int err)
{
	struct nlbuf m;
	size_t room = sizeof(m.b) - sizeof(struct nlhdr) - 4;
	bool whole = err && req->len <= room;
	nl_start(&m, NLMSG_ERROR_, whole ? 0 : 0x100 /* NLM_F_CAPPED */, req, in->nl_portid);
	int32_t e = err;
	nl_put(&m, &e, 4);
	nl_put(&m, raw, whole ? req->len : sizeof(*req));
	return nl_send(t, in, &m);
}

/* The IFLA_IFNAME attribute of a link request, if any. */
static const char *req_ifname(const uint8_t *attrs, size_t len, char *name)
{
	size_t off = 0;
	while (off + 4 <= len) {
		uint16_t h[2];
		memcpy(h, attrs + off, 4);
		if (h[0] < 4 || off + h[0] > len)
			break;
		if (h[1] == IFLA_IFNAME_) {
			size_t n = h[0] - 4u < IFNAMSIZ - 1 ? h[0] - 4u : IFNAMSIZ - 1;
			memcpy(name, attrs + off + 4, n);
			name[n] = 0;
			return name;
		}
		off += NLA_ALIGN_(h[0]);
	}
	return NULL;
}

/* One request: 0, or the error to answer with. */
static int handle(struct task *t, struct inet_sock *in, const struct nlhdr *h, const uint8_t *p,
		  size_t plen, bool *acked)
{
	struct net_model *net = in->net;
	struct nlbuf m;
	int r;
	switch (h->type) {
	case RTM_GETLINK_: {
		if ((h->flags & NLM_F_DUMP_) == NLM_F_DUMP_) {
			link_msg(&m, net, h, in->nl_portid, NLM_F_MULTI_);
			if ((r = nl_send(t, in, &m)))
				return r;
			*acked = true;
			return done_msg(t, in, h);
		}
		struct ifinfo ifi = {0};
		if (plen < sizeof(ifi))
			return -EINVAL;
		memcpy(&ifi, p, sizeof(ifi));
		char name[IFNAMSIZ];
		const char *nm = req_ifname(p + sizeof(ifi), plen - sizeof(ifi), name);
		if (ifi.index ? ifi.index != LOOPBACK_IFINDEX : !nm || strcmp(nm, "lo"))
			return -ENODEV;
		link_msg(&m, net, h, in->nl_portid, 0);
		*acked = true;
		return nl_send(t, in, &m);
	}
	case RTM_GETADDR_: {
		if ((h->flags & NLM_F_DUMP_) != NLM_F_DUMP_)
			return -EOPNOTSUPP; /* rtnetlink has no single-address get */
		int fam = plen >= 1 ? p[0] : AF_UNSPEC;
		if (net_lo_up(net)) {
			if (fam == AF_UNSPEC || fam == AF_INET) {
				addr_msg(&m, h, in->nl_portid, AF_INET);
				if ((r = nl_send(t, in, &m)))
					return r;
			}
			if (fam == AF_UNSPEC || fam == AF_INET6) {
				addr_msg(&m, h, in->nl_portid, AF_INET6);
				if ((r = nl_send(t, in, &m)))
					return r;
			}
		}
		*acked = true;
		return done_msg(t, in, h);
	}
	case RTM_GETROUTE_: {
		/* A dump of every table: lo's local routes once it is up (the
		 * main tables are empty); ip filters by table itself. */
		if ((h->flags & NLM_F_DUMP_) != NLM_F_DUMP_)
			return -EOPNOTSUPP; /* a route lookup: not modeled */
		int fam = plen >= 1 ? p[0] : AF_UNSPEC;
		if (net_lo_up(net) && (fam == AF_UNSPEC || fam == AF_INET)) {
			static const uint8_t net8[4] = {127, 0, 0, 0}, host[4] = {127, 0, 0, 1},
					     bcast[4] = {127, 255, 255, 255};
			route_msg(&m, h, in->nl_portid, AF_INET, net8, 8, RTN_LOCAL_, RT_SCOPE_HOST_);
			if ((r = nl_send(t, in, &m)))
				return r;
			route_msg(&m, h, in->nl_portid, AF_INET, host, 32, RTN_LOCAL_, RT_SCOPE_HOST_);
			if ((r = nl_send(t, in, &m)))
				return r;
			route_msg(&m, h, in->nl_portid, AF_INET, bcast, 32, RTN_BROADCAST_, RT_SCOPE_LINK_);
			if ((r = nl_send(t, in, &m)))
				return r;
		}
		if (net_lo_up(net) && (fam == AF_UNSPEC || fam == AF_INET6)) {
			static const uint8_t lo6[16] = {[15] = 1};
			route_msg(&m, h, in->nl_portid, AF_INET6, lo6, 128, RTN_LOCAL_, 0);
			if ((r = nl_send(t, in, &m)))
				return r;
		}
		*acked = true;
		return done_msg(t, in, h);
	}
	case RTM_GETNEIGH_:
		/* lo has no neighbours. */
		if ((h->flags & NLM_F_DUMP_) != NLM_F_DUMP_)
			return -EOPNOTSUPP;
		*acked = true;
		return done_msg(t, in, h);
	case RTM_NEWLINK_: {
		struct ifinfo ifi = {0};
		if (plen < sizeof(ifi))
			return -EINVAL;
		memcpy(&ifi, p, sizeof(ifi));
		char name[IFNAMSIZ];
		const char *nm = req_ifname(p + sizeof(ifi), plen - sizeof(ifi), name);
		if (ifi.index ? ifi.index != LOOPBACK_IFINDEX : !nm || strcmp(nm, "lo"))
			return h->flags & 0x400 /* NLM_F_CREATE */ ? -EOPNOTSUPP : -ENODEV;
		if (!capable(t, CAP_NET_ADMIN))
			return -EPERM;
		/* rtnl_dev_combine_flags */
		unsigned flags = ifi.flags;
		if (ifi.change)
			flags = (flags & ifi.change) | (net->lo_flags & ~ifi.change);
		if (ifi.flags || ifi.change)
			net_model_set_lo(net, flags);
		return 0;
	}
	default:
		return -EOPNOTSUPP; /* not modeled (README) */
	}
}

long netlink_model_send(struct task *t, struct unix_sock *u, const uint8_t *buf, size_t len)
{
	struct inet_sock *in = u->inet;
	netlink_autobind(t, in);
	size_t off = 0;
	while (len - off >= sizeof(struct nlhdr)) {
		struct nlhdr h;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - off)
			break;
		bool acked = false;
		if ((h.flags & NLM_F_REQUEST_) && h.type >= NLMSG_MIN_TYPE_) {
			int err = handle(t, in, &h, buf + off + sizeof(h), h.len - sizeof(h), &acked);
			if (err == -ENOBUFS)
				return -ENOBUFS;
			if (err || ((h.flags & NLM_F_ACK_) && !acked))
				if (error_msg(t, in, &h, buf + off, err))
					return -ENOBUFS;
		}
		off += NLA_ALIGN_(h.len);
	}
	return (long)len;
}

/* ---- ioctls ---- */

int net_model_dev_ioctl(struct task *t, struct net_model *net, unsigned long req, void *p)
{
	struct ifreq *ifr = p;
	if (req == SIOCGIFNAME) {
		if (ifr->ifr_ifindex != LOOPBACK_IFINDEX)
			return -ENODEV;
		strcpy(ifr->ifr_name, "lo");
		return 0;
	}
	if (strcmp(ifr->ifr_name, "lo"))
		return -ENODEV;
	switch (req) {
	case SIOCGIFINDEX:
		ifr->ifr_ifindex = LOOPBACK_IFINDEX;
		return 0;
	case SIOCGIFFLAGS:
		ifr->ifr_flags = (short)(net->lo_flags & 0xffff);
		return 0;
	case SIOCSIFFLAGS:
		if (!capable(t, CAP_NET_ADMIN))
			return -EPERM;
		net_model_set_lo(net, (unsigned short)ifr->ifr_flags);
		return 0;
	case SIOCGIFMTU:
		ifr->ifr_mtu = LOOPBACK_MTU;
		return 0;
	case SIOCGIFTXQLEN:
		ifr->ifr_qlen = 1000;
		return 0;
	case SIOCGIFMETRIC:
		ifr->ifr_metric = 0;
		return 0;
	case SIOCGIFHWADDR:
		memset(&ifr->ifr_hwaddr, 0, sizeof(ifr->ifr_hwaddr));
		ifr->ifr_hwaddr.sa_family = ARPHRD_LOOPBACK_;
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR: {
		if (!net_lo_up(net))
			return -EADDRNOTAVAIL;
		struct sockaddr_in a = {.sin_family = AF_INET};
		uint32_t v = req == SIOCGIFADDR || req == SIOCGIFDSTADDR ? 0x7f000001u
			     : req == SIOCGIFNETMASK			 ? 0xff000000u
									 : 0;
		a.sin_addr.s_addr = htonl(v);
		memcpy(&ifr->ifr_addr, &a, sizeof(a));
		return 0;
	}
	}
	return -ENOTTY;
}

int net_model_ifconf(struct net_model *net, void *reqs, int cap, int *len)
{
	*len = 0;
	if (!net_lo_up(net))
		return 0; /* no IPv4 address yet */
	if (reqs && cap < (int)sizeof(struct ifreq))
		return 0;
	if (reqs) {
		struct ifreq r;
		memset(&r, 0, sizeof(r));
		strcpy(r.ifr_name, "lo");
		struct sockaddr_in a = {.sin_family = AF_INET};
		a.sin_addr.s_addr = htonl(0x7f000001u);
		memcpy(&r.ifr_addr, &a, sizeof(a));
		memcpy(reqs, &r, sizeof(r));
	}
	*len = sizeof(struct ifreq);
	return 0;
}
