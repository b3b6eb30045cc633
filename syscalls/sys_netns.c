/* Sockets in a network namespace of the model (CLONE_NEWNET, unshare):
 * kernelmodel/net/net_namespace.h and inet_model.h. The initial namespace
 * is the host's (sys_inet.c). */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "kernelmodel/files.h"
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/net/net_namespace.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"

#define INIT_NET_INUM 0xF0000098u /* nsproxy.c's initial network namespace */

bool net_initial(struct task *t)
{
	return t->nsproxy->ns[NS_NET]->inum == INIT_NET_INUM;
}

static struct net_model *net_of_task(struct task *t)
{
	return net_model_of(t->nsproxy->ns[NS_NET]->inum);
}

long netns_socket(struct task *t, int family, int type, int protocol, int flags)
{
	struct unix_sock *u;
	long r = inet_model_create(t, family, type, protocol, &u);
	if (r)
		return r;
	struct file *f = file_socket_alloc(u, flags & SOCK_NONBLOCK);
	if (!f) {
		unix_release(u);
		return -ENOMEM;
	}
	long fd = files_install(t->files, f, 0, flags & SOCK_CLOEXEC);
	file_put(f);
	return fd;
}

long netns_dev_ioctl(struct task *t, unsigned long req, struct ifreq *ifr)
{
	struct net_model *net = net_of_task(t);
	return net ? net_model_dev_ioctl(t, net, req, ifr) : -ENOMEM;
}

long netns_ifconf(struct task *t, struct ifreq *reqs, int cap, int *len)
{
	struct net_model *net = net_of_task(t);
	return net ? net_model_ifconf(net, reqs, cap, len) : -ENOMEM;
}
