/* A network namespace of the model (net/core/net_namespace.c): what a
 * namespace made by clone(CLONE_NEWNET) or unshare holds besides its
 * identity (nsproxy.h). It has one interface, the loopback "lo" (index 1,
 * IFF_LOOPBACK, MTU 65536), down when the namespace is made, as on Linux;
 * 127.0.0.1/8 belongs to it from the start and ::1 once it is up. Its
 * sockets are the model's (kernelmodel/net/inet_model.h) and reach only
 * this namespace's sockets: there is no route out. The initial namespace
 * has none of this: its sockets are the host's (net/inet_host.h). */
#ifndef KERNELMODEL_NET_NET_NAMESPACE_H
#define KERNELMODEL_NET_NET_NAMESPACE_H

#include <stdbool.h>
#include <stdint.h>

#define LOOPBACK_IFINDEX 1
#define LOOPBACK_MTU 65536
#define NET_CTL_MAX 32

struct net_model {
	uint64_t inum;	   /* the namespace's identity */
	unsigned lo_flags; /* IFF_*: LOOPBACK, plus UP|RUNNING|LOWER_UP once up */
	uint32_t port_rover;   /* the next ephemeral port to try */
	uint32_t nl_portid;    /* the next netlink port id to hand out */
	bool lo_was_up;        /* the main FIB table exists (/proc/net/route) */
	char *ctl[NET_CTL_MAX]; /* /proc/sys/net values written (proc_net.c); NULL: initial */
	struct net_model *next;
};

/* The state of the namespace with identity @inum, made (lo down) on first
 * use; NULL on ENOMEM. Never freed (a few bytes per namespace). */
struct net_model *net_model_of(uint64_t inum);
/* Bring lo up or down (SIOCSIFFLAGS, RTM_NEWLINK): IFF_UP in @flags. */
void net_model_set_lo(struct net_model *net, unsigned flags);
static inline bool net_lo_up(const struct net_model *net)
{
	return net->lo_flags & 1; /* IFF_UP */
}

#endif
