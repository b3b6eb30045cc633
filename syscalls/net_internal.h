/* What the socket syscalls share (net/socket.c's helpers): sys_socket.c
 * (creation, addresses, connections, options) and sys_sendmsg.c
 * (messages, read and write). */
#ifndef SYSCALLS_NET_INTERNAL_H
#define SYSCALLS_NET_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct file;
struct task;
struct unix_sock;

#define SOCK_TYPE_MASK 0xf
#define SOCK_MAX_TYPE 11 /* SOCK_MAX: types 0..10 exist */
#define NPROTO_MODEL 46	 /* AF_MAX */
#define UIO_MAXIOV_MODEL 1024
#define SOCKADDR_STORAGE 128
#define MAX_RW_COUNT_SOCK (INT_MAX & ~4095L)
#ifndef MSG_WAITFORONE
#define MSG_WAITFORONE 0x10000
#endif

/* A guest buffer of a socket call as host iovecs: the mapped prefix, then
 * (at the first fault) one segment at mm_fault_base() where copies stop
 * with EFAULT; SOCK_IOV_ROOM(len) entries of room. The caller checked
 * access_ok. */
#define SOCK_IOV_ROOM(len) ((int)((len) / 4096) + 3)
struct iovec;
int sock_iov_lazy(struct task *t, gva_t addr, size_t len, bool to_guest, struct iovec *iov,
		  bool *faulted);
/* access_ok: [@addr, @addr + @len) lies below TASK_SIZE. */
static inline bool sock_access_ok(gva_t addr, size_t len)
{
	return addr + len >= addr && addr + len <= TASK_SIZE;
}

/* sockfd_lookup_light: the model socket behind @fd (and its file). */
long sock_lookup(struct task *t, uint64_t fd, struct file **fp, struct unix_sock **sk);
/* move_addr_to_kernel: an address of @len bytes (0..128) into @buf
 * (SOCKADDR_STORAGE + 1 bytes). */
long get_sockaddr(struct task *t, gva_t gaddr, int64_t len, uint8_t *buf);
/* move_addr_to_user: @klen bytes of @kaddr, cut to what *@gulen allows. */
long put_sockaddr(struct task *t, const void *kaddr, int klen, gva_t uaddr, gva_t gulen);
/* The host directory relative socket paths start from: the task's cwd. */
int sock_hdir(struct task *t);
/* Sleep on @chan until woken or the socket timeout passes (then @partial
 * or -EAGAIN). */
long sock_sleep(struct task *t, const void *chan, int64_t timeo_ns, long partial, const char *why);

/* ---- host sockets (sys_inet.c) ---- */
struct iovec;
struct msghdr;
struct ifreq;
/* Sleep until host socket @f is ready for @events or its timeout passes
 * (then @partial or -EAGAIN). */
long host_sock_sleep(struct task *t, struct file *f, short events, int64_t timeo_ns, long partial,
		     const char *why);
long host_sock_bind(struct task *t, struct file *f, const uint8_t *addr, int len);
long host_sock_connect(struct task *t, struct file *f, const uint8_t *addr, int len);
/* accept/accept4 on a host listener (@a: the syscall's arguments). */
long host_sock_do_accept(struct task *t, struct file *f, const uint64_t *a, int flags);
long host_sock_do_setsockopt(struct task *t, struct file *f, int level, int name, gva_t uval,
			     int len);
long host_sock_do_getsockopt(struct task *t, struct file *f, int level, int name, gva_t uval,
			     gva_t ulen);
long host_send(struct task *t, struct file *f, const struct iovec *iov, int n, size_t len,
	       const void *name, int namelen, const void *ctl, size_t ctllen, int flags,
	       bool may_block);
long host_recv(struct task *t, struct file *f, const struct iovec *iov, int n, size_t len,
	       struct msghdr *mh_out, int flags, bool may_block);
/* ioctl on a socket: FIONBIO, FIONREAD, SIOCOUTQ and the SIOC*IF* ones. */
long sock_ioctl(struct task *t, struct file *f, unsigned long req, gva_t arg);
long host_dev_ioctl(unsigned long req, void *buf);
long ifconf_ioctl(struct task *t, gva_t arg);

/* ---- network namespaces of the model (sys_netns.c) ---- */
/* Is @t in the initial network namespace (host sockets)? */
bool net_initial(struct task *t);
/* socket(2) for AF_INET, AF_INET6, AF_NETLINK in a namespace of the model. */
long netns_socket(struct task *t, int family, int type, int protocol, int flags);
/* The interface ioctls and SIOCGIFCONF there (@reqs NULL: size only). */
long netns_dev_ioctl(struct task *t, unsigned long req, struct ifreq *ifr);
long netns_ifconf(struct task *t, struct ifreq *reqs, int cap, int *len);

#define NETLINK_ROUTE_MODEL 0

#endif
