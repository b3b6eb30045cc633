/* Sockets in a network namespace other than the initial one (CLONE_NEWNET,
 * unshare). Not modeled yet: socket() there is EAFNOSUPPORT for every
 * family but AF_UNIX, and the interface ioctls know no interface (README). */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"

#define INIT_NET_INUM 0xF0000098u /* nsproxy.c's initial network namespace */

bool net_initial(struct task *t)
{
	return t->nsproxy->ns[NS_NET]->inum == INIT_NET_INUM;
}

long netns_socket(struct task *t, int family, int type, int protocol, int flags)
{
	(void)t, (void)family, (void)type, (void)protocol, (void)flags;
	return -EAFNOSUPPORT; /* not modeled yet (README) */
}

long netns_dev_ioctl(struct task *t, unsigned long req, struct ifreq *ifr)
{
	(void)t, (void)req, (void)ifr;
	return -ENODEV;
}

long netns_ifconf(struct task *t, struct ifreq *reqs, int cap, int *len)
{
	(void)t, (void)reqs, (void)cap;
	*len = 0;
	return 0;
}
