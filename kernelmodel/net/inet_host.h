/* Sockets of the initial network namespace that are the host's own
 * (net/ipv4/af_inet.c, net/ipv6/af_inet6.c, net/netlink/af_netlink.c as
 * the host runs them): AF_INET and AF_INET6 (TCP, UDP, and what else the
 * host offers a task with the guest's capabilities), and AF_NETLINK
 * NETLINK_ROUTE. A guest can serve on a host port and reach real servers.
 *
 * The file is a FILE_HOST whose hsk is set. The host socket is always
 * non-blocking; the guest's O_NONBLOCK lives in file->flags, and a call
 * that would block sleeps in the scheduler on the host descriptor
 * (syscalls/sys_socket.c, sys_sendmsg.c) so only its task waits.
 * SO_RCVTIMEO/SO_SNDTIMEO are kept here too and bound those sleeps on
 * the model's clock. Every host call goes through the record/replay
 * layer (kernelmodel/rr.h). */
#ifndef KERNELMODEL_NET_INET_HOST_H
#define KERNELMODEL_NET_INET_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct msghdr;

struct host_sock {
	int family, type, protocol;
	int64_t rcvtimeo_ns, sndtimeo_ns; /* 0: block forever */
};

/* A new host socket (non-blocking, close-on-exec on the host): 0 with
 * *@out (refcount 1) or -errno (the host's: EPROTONOSUPPORT, ...).
 * @nonblock is the guest's SOCK_NONBLOCK. */
int host_sock_create(int family, int type, int protocol, bool nonblock, struct file **out);
/* The file for a connection host_sock_accept gave (host descriptor @hfd,
 * consumed): a child of listener @lf (same family, type, timeouts). */
int host_sock_accepted(struct file *lf, int hfd, bool nonblock, struct file **out);
/* accept4 on the host: the new host descriptor or -errno; the peer's
 * address into @addr (128 bytes), its length into *@alen. */
long host_sock_accept(struct file *f, void *addr, int *alen);
/* One sendmsg/recvmsg on the host that never blocks and never raises
 * SIGPIPE in cloneemu. @mh's iovecs are host pointers into guest memory;
 * recvmsg's name, control and flags come back in @mh. */
long host_sock_sendmsg(struct file *f, struct msghdr *mh, int flags);
long host_sock_recvmsg(struct file *f, struct msghdr *mh, int flags);
/* setsockopt/getsockopt on the host; SO_RCVTIMEO and SO_SNDTIMEO (old
 * and new layouts) are remembered for the model's sleeps. */
long host_sock_setsockopt(struct file *f, int level, int name, const void *val, int len);
long host_sock_getsockopt(struct file *f, int level, int name, void *val, int *len);

#endif
