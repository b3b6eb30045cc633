/* Sockets (net/socket.c): socket, socketpair, bind, listen, connect,
 * accept, shutdown, the names and the options, decoded here and carried
 * out by the model's AF_UNIX sockets (kernelmodel/net/unix.c) or, for
 * AF_INET, AF_INET6 and AF_NETLINK NETLINK_ROUTE in the initial network
 * namespace, by host sockets (kernelmodel/net/inet_host.c). Messages are
 * sys_sendmsg.c's. Other families are EAFNOSUPPORT. getsockname and
 * getpeername also answer for the host sockets a guest inherits (its
 * stdin may be one).
 *
 * A call that must wait sleeps on the channel the model names and runs
 * again when woken (STYLE: sleep/wakeup); SO_RCVTIMEO/SO_SNDTIMEO bound
 * the sleep; progress of a stream send or a MSG_WAITALL receive survives
 * in t->restart_done. */
#include <fcntl.h>
#include <netinet/in.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/net/inet_host.h"
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/fs_internal.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"

/* getsockname/getpeername of an inherited host socket: the host's answer.
 * Anything else that is not a socket is ENOTSOCK, which bash relies on to
 * tell a pipe or file on stdin from a network connection. */
static long host_sock_name(struct task *t, struct file *f, const uint64_t *a, bool peer)
{
	uint32_t len;
	if (copy_from_guest(t->mm, &len, a[2], sizeof(len)))
		return -EFAULT;
	uint8_t buf[128];
	socklen_t hl = sizeof(buf);
	long r = RR_SYS(peer ? getpeername(f->host_fd, (struct sockaddr *)buf, &hl)
			     : getsockname(f->host_fd, (struct sockaddr *)buf, &hl));
	if (r)
		return r;
	rr_bytes(&hl, sizeof(hl));
	if (hl > sizeof(buf))
		hl = sizeof(buf);
	rr_bytes(buf, hl);
	if (copy_to_guest(t->mm, a[1], buf, hl < len ? hl : len) ||
	    copy_to_guest(t->mm, a[2], &hl, sizeof(uint32_t)))
		return -EFAULT;
	return 0;
}

/* sockfd_lookup_light: the model socket behind @fd. */
long sock_lookup(struct task *t, uint64_t fd, struct file **fp, struct unix_sock **sk)
{
	struct file *f = fget(t, fd);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_SOCKET && !f->hsk)
		return -ENOTSOCK;
	if (fp)
		*fp = f;
	*sk = f->sk; /* NULL for a host socket */
	return 0;
}

/* move_addr_to_kernel: an address of @len bytes (0..128) into @buf. */
long get_sockaddr(struct task *t, gva_t gaddr, int64_t len, uint8_t *buf)
{
	if (len < 0 || len > SOCKADDR_STORAGE)
		return -EINVAL;
	memset(buf, 0, SOCKADDR_STORAGE + 1);
	if (len && copy_from_guest(t->mm, buf, gaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* move_addr_to_user: @klen bytes of @kaddr, cut to what *@gulen allows;
 * *@gulen gets the full length ("the value before truncation"). */
long put_sockaddr(struct task *t, const void *kaddr, int klen, gva_t uaddr, gva_t gulen)
{
	int32_t len;
	if (copy_from_guest(t->mm, &len, gulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_guest(t->mm, uaddr, kaddr, (size_t)len))
		return -EFAULT;
	return copy_to_guest(t->mm, gulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* Where a relative socket path starts: the task's cwd. */
int sock_hdir(struct task *t)
{
	int h = host_dirfd(t, AT_FDCWD);
	return h < 0 ? AT_FDCWD : h;
}

/* Sleep until woken on @chan, or until the socket timeout @timeo_ns (0:
 * none) fixed on the first attempt passes: then the call returns @partial
 * (what it moved so far) or EAGAIN. */
long sock_sleep(struct task *t, const void *chan, int64_t timeo_ns, long partial,
		       const char *why)
{
	if (!t->restarting)
		t->restart_deadline = timeo_ns > 0 ? now_ns() + (uint64_t)timeo_ns : 0;
	else if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return partial ? partial : -EAGAIN;
	return sleep_until(t, chan, t->restart_deadline, why);
}

/* ---- socket, socketpair ---- */

/* __sys_socket's checks before the family's create: 0 or -errno. */
static long socket_args(int family, int *type, int *flags)
{
	*flags = *type & ~SOCK_TYPE_MASK;
	if (*flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	*type &= SOCK_TYPE_MASK;
	if (family < 0 || family >= NPROTO_MODEL)
		return -EAFNOSUPPORT;
	if (*type >= SOCK_MAX_TYPE)
		return -EINVAL;
	/* AF_UNIX, the internet families and routing netlink exist (README). */
	if (family != AF_UNIX && family != AF_INET && family != AF_INET6 && family != AF_NETLINK)
		return -EAFNOSUPPORT;
	return 0;
}

/* Sleep until host socket @f is ready for @events or its timeout
 * @timeo_ns (fixed on the first attempt) passes: then @partial or
 * -EAGAIN. */
long host_sock_sleep(struct task *t, struct file *f, short events, int64_t timeo_ns, long partial,
		     const char *why)
{
	if (!t->restarting)
		t->restart_deadline = timeo_ns > 0 ? now_ns() + (uint64_t)timeo_ns : 0;
	else if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return partial ? partial : -EAGAIN;
	t->host_one = (struct pollfd){f->host_fd, events, 0};
	return sleep_poll(t, NULL, t->restart_deadline, &t->host_one, 1, why);
}

/* ping_init_sock: may the guest's effective or supplementary groups open
 * an ICMP "ping" socket (net.ipv4.ping_group_range, read each time)? */
static bool ping_group_allowed(struct task *t)
{
	unsigned long lo = 1, hi = 0;
	FILE *fp = fopen("/proc/sys/net/ipv4/ping_group_range", "r");
	if (fp) {
		if (fscanf(fp, "%lu %lu", &lo, &hi) != 2)
			lo = 1, hi = 0;
		fclose(fp);
	}
	const struct cred *c = t->cred;
	if (lo <= c->egid && c->egid <= hi)
		return true;
	for (int i = 0; c->group_info && i < c->group_info->ngroups; i++)
		if (lo <= c->group_info->gid[i] && c->group_info->gid[i] <= hi)
			return true;
	return false;
}

/* A host socket for a family other than AF_UNIX (checked by socket_args). */
static long net_socket(struct task *t, int family, int type, int protocol, int flags)
{
	if (family == AF_NETLINK) {
		/* netlink_create: datagram-like types, then the protocol; only
		 * routing netlink is offered (README). */
		if (type != SOCK_RAW && type != SOCK_DGRAM)
			return -ESOCKTNOSUPPORT;
		if (protocol != NETLINK_ROUTE_MODEL)
			return -EPROTONOSUPPORT;
	} else if (type == SOCK_RAW && !capable(t, CAP_NET_RAW)) {
		return -EPERM; /* inet_create: raw sockets need CAP_NET_RAW */
	} else if (type == SOCK_DGRAM && (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6) &&
		   !ping_group_allowed(t)) {
		return -EACCES; /* ping_init_sock: net.ipv4.ping_group_range */
	}
	if (!net_initial(t))
		return netns_socket(t, family, type, protocol, flags);
	struct file *f;
	long r = host_sock_create(family, type, protocol, flags & SOCK_NONBLOCK, &f);
	if (r)
		return r;
	long fd = files_install(t->files, f, 0, flags & SOCK_CLOEXEC);
	file_put(f);
	return fd;
}

/* A file (refcount 1) around new socket @u, which it takes. */
static long sock_install(struct task *t, struct unix_sock *u, int flags)
{
	struct file *f = file_socket_alloc(u, flags & SOCK_NONBLOCK);
	if (!f) {
		unix_release(u);
		return -ENOMEM;
	}
	long fd = files_install(t->files, f, 0, flags & SOCK_CLOEXEC);
	file_put(f);
	return fd;
}

SYS(socket)
{
	int type = (int)a[1], flags;
	long r = socket_args((int)a[0], &type, &flags);
	if (r)
		return r;
	if ((int)a[0] != AF_UNIX)
		return net_socket(t, (int)a[0], type, (int)a[2], flags);
	struct unix_sock *u;
	if ((r = unix_create(type, (int)a[2], &u)))
		return r;
	u->sk_net_inum = t->nsproxy->ns[NS_NET]->inum; /* /proc/net/unix */
	return sock_install(t, u, flags);
}

/* The lowest free descriptor at or above @from (get_unused_fd_flags). */
static int unused_fd(struct task *t, int from)
{
	for (int fd = from; (unsigned)fd < t->files->nofile; fd++)
		if (!files_lookup(t->files, fd))
			return fd;
	return -EMFILE;
}

SYS(socketpair)
{
	int type = (int)a[1], flags;
	int fds[2];
	long r;
	int f0 = (int)a[1] & ~SOCK_TYPE_MASK;
	if (f0 & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	/* Linux reserves both descriptors and stores them before it creates
	 * anything: a failing socketpair still writes them. */
	if ((fds[0] = unused_fd(t, 0)) < 0)
		return fds[0];
	if ((fds[1] = unused_fd(t, fds[0] + 1)) < 0)
		return fds[1];
	if (put_guest(t->mm, a[3], &fds[0], sizeof(int)) ||
	    put_guest(t->mm, a[3] + sizeof(int), &fds[1], sizeof(int)))
		return -EFAULT; /* two put_user()s: each all or nothing */
	if ((r = socket_args((int)a[0], &type, &flags)))
		return r;
	if ((int)a[0] != AF_UNIX) /* inet and netlink have no socketpair */
		return (int)a[0] == AF_NETLINK ? -EOPNOTSUPP : -EOPNOTSUPP;
	struct unix_sock *u1, *u2;
	if ((r = unix_create(type, (int)a[2], &u1)))
		return r;
	if ((r = unix_create(type, (int)a[2], &u2))) {
		unix_release(u1);
		return r;
	}
	unix_socketpair(t, u1, u2);
	u1->sk_net_inum = u2->sk_net_inum = t->nsproxy->ns[NS_NET]->inum;
	struct file *f1 = file_socket_alloc(u1, flags & SOCK_NONBLOCK);
	struct file *f2 = f1 ? file_socket_alloc(u2, flags & SOCK_NONBLOCK) : NULL;
	if (!f2) {
		if (f1)
			file_put(f1);
		else
			unix_release(u1);
		unix_release(u2);
		return -ENOMEM;
	}
	r = files_install_at(t->files, f1, fds[0], flags & SOCK_CLOEXEC);
	if (r >= 0 && (r = files_install_at(t->files, f2, fds[1], flags & SOCK_CLOEXEC)) < 0)
		files_close(t->files, fds[0]);
	file_put(f1);
	file_put(f2);
	return r < 0 ? r : 0;
}

/* ---- bind, listen, connect, accept, shutdown, names ---- */

SYS(bind)
{
	struct unix_sock *u;
	uint8_t addr[SOCKADDR_STORAGE + 1];
	struct file *f;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r || (r = get_sockaddr(t, a[1], (int)a[2], addr)))
		return r;
	if (f->hsk)
		return host_sock_bind(t, f, addr, (int)a[2]);
	if (u->inet)
		return inet_model_bind(t, u, addr, (int)a[2]);
	return unix_bind(t, u, addr, (int)a[2], sock_hdir(t), t->fs->umask);
}

SYS(listen)
{
	struct unix_sock *u;
	struct file *f;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	if (f->hsk)
		return RR_SYS(listen(f->host_fd, (int)a[1]));
	if (u->inet)
		return inet_model_listen(t, u, (int)a[1]);
	return unix_listen(t, u, (int)a[1]);
}

SYS(connect)
{
	struct file *f;
	struct unix_sock *u;
	uint8_t addr[SOCKADDR_STORAGE + 1];
	long r = sock_lookup(t, a[0], &f, &u);
	if (r || (r = get_sockaddr(t, a[1], (int)a[2], addr)))
		return r;
	if (f->hsk)
		return host_sock_connect(t, f, addr, (int)a[2]);
	const void *wait;
	if (u->inet)
		r = inet_model_connect(t, u, addr, (int)a[2], f->flags & O_NONBLOCK, &wait);
	else
		r = unix_connect(t, u, addr, (int)a[2], sock_hdir(t), f->flags & O_NONBLOCK, &wait);
	if (r == -EAGAIN && wait)
		return sock_sleep(t, wait, u->sndtimeo_ns, 0, "connect");
	return r;
}

static long do_accept(struct task *t, const uint64_t *a, int flags)
{
	struct file *f;
	struct unix_sock *u, *nu;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	int fd = unused_fd(t, 0);
	if (fd < 0)
		return fd;
	if (f->hsk)
		return host_sock_do_accept(t, f, a, flags);
	const void *wait;
	r = unix_accept(u, f->flags & O_NONBLOCK, &nu, &wait);
	if (r == -EAGAIN && wait)
		return sock_sleep(t, wait, u->rcvtimeo_ns, 0, "accept");
	if (r)
		return r;
	if (u->inet && (r = inet_model_accepted(u, nu))) {
		unix_release(nu);
		return r;
	}
	fd = (int)sock_install(t, nu, flags);
	if (fd < 0 || !a[1])
		return fd;
	uint8_t addr[SOCKADDR_STORAGE];
	int len = nu->inet ? inet_model_getname(nu, addr, true) : unix_getname(nu, addr, true);
	if (len < 0)
		len = 2; /* the connector is gone: an unnamed address */
	r = put_sockaddr(t, addr, len, a[1], a[2]);
	if (r) {
		files_close(t->files, fd);
		return r;
	}
	return fd;
}

SYS(accept)
{
	return do_accept(t, a, 0);
}

SYS(accept4)
{
	return do_accept(t, a, (int)a[3]);
}

SYS(shutdown)
{
	struct unix_sock *u;
	struct file *f;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	if (f->hsk)
		return RR_SYS(shutdown(f->host_fd, (int)a[1]));
	return unix_shutdown(u, (int)a[1]);
}

static long sock_name(struct task *t, const uint64_t *a, bool peer)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_HOST)
		return host_sock_name(t, f, a, peer);
	if (f->kind != FILE_SOCKET)
		return -ENOTSOCK;
	uint8_t addr[SOCKADDR_STORAGE];
	int len = f->sk->inet ? inet_model_getname(f->sk, addr, peer)
			      : unix_getname(f->sk, addr, peer);
	if (len < 0)
		return len;
	return put_sockaddr(t, addr, len, a[1], a[2]);
}

SYS(getsockname)
{
	return sock_name(t, a, false);
}

SYS(getpeername)
{
	return sock_name(t, a, true);
}

/* ---- options ---- */

SYS(setsockopt)
{
	struct unix_sock *u;
	struct file *f;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	int level = (int)a[1], len = (int)a[4];
	if (len < 0)
		return -EINVAL;
	if (f->hsk)
		return host_sock_do_setsockopt(t, f, level, (int)a[2], a[3], len);
	if (level != SOL_SOCKET && !u->inet)
		return -EOPNOTSUPP; /* AF_UNIX has no protocol-level options */
	/* sk_setsockopt: a length too short for an int is EINVAL before the
	 * value is read (SO_BINDTODEVICE, a string, excepted). The value is
	 * then read whole: an option that reads less than a partly mapped
	 * optlen would succeed on Linux (README). */
	if (level == SOL_SOCKET && (int)a[2] != SO_BINDTODEVICE && len < (int)sizeof(int))
		return -EINVAL;
	uint8_t buf[64] = {0};
	int n = len < (int)sizeof(buf) ? len : (int)sizeof(buf);
	if (n && copy_from_guest(t->mm, buf, a[3], (size_t)n))
		return -EFAULT;
	if (u->inet && (r = inet_model_setsockopt(u, level, (int)a[2], buf, len)) != 1)
		return r;
	return unix_setsockopt(t, u, (int)a[2], buf, len);
}

SYS(getsockopt)
{
	struct unix_sock *u;
	struct file *f;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	if (f->hsk)
		return host_sock_do_getsockopt(t, f, (int)a[1], (int)a[2], a[3], a[4]);
	if ((int)a[1] != SOL_SOCKET && !u->inet)
		return -EOPNOTSUPP;
	int32_t len;
	if (copy_from_guest(t->mm, &len, a[4], sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	int cap = len < 65536 * 4 ? len : 65536 * 4; /* SO_PEERGROUPS: NGROUPS_MAX gids */
	uint8_t *buf = calloc(1, (size_t)cap + 16);
	if (!buf)
		return -ENOMEM;
	int got = cap;
	r = u->inet ? inet_model_getsockopt(u, (int)a[1], (int)a[2], buf, &got) : 1;
	if (r == 1)
		r = unix_getsockopt(t, u, (int)a[2], buf, &got);
	if (r == -ERANGE) {
		r = copy_to_guest(t->mm, a[4], &got, sizeof(got)) ? -EFAULT : -ERANGE;
	} else if (!r) {
		if ((got && copy_to_guest(t->mm, a[3], buf, (size_t)got)) ||
		    copy_to_guest(t->mm, a[4], &got, sizeof(got)))
			r = -EFAULT;
	}
	free(buf);
	return r;
}

