/* Network namespaces of the model (see net_namespace.h). */
#include "kernelmodel/net/net_namespace.h"
#include "kernelmodel/net/proc_net.h"

#include <net/if.h>
#include <stdlib.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static struct net_model *nets;

struct net_model *net_model_of(uint64_t inum)
{
	for (struct net_model *n = nets; n; n = n->next)
		if (n->inum == inum)
			return n;
	struct net_model *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->inum = inum;
	n->lo_flags = IFF_LOOPBACK; /* loopback_setup: down until someone ups it */
	n->port_rover = 32768;	    /* net.ipv4.ip_local_port_range's start */
	n->nl_portid = 0;
	proc_net_init_ctls(n);
	n->next = nets;
	nets = n;
	return n;
}

void net_model_set_lo(struct net_model *net, unsigned flags)
{
	/* dev_change_flags: only IFF_UP matters for lo; running and carrier
	 * follow it (a loopback always has a carrier once open). */
	if (flags & IFF_UP) {
		net->lo_flags |= IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
		net->lo_was_up = true;
	}
	else
		net->lo_flags &= ~(unsigned)(IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
}
