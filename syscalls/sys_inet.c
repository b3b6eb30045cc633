/* The host-socket half of the socket syscalls (kernelmodel/net/inet_host.h):
 * AF_INET, AF_INET6 and AF_NETLINK sockets of the initial network
 * namespace. The host socket never blocks; a guest call that would block
 * sleeps in the scheduler on the host descriptor (host_sock_sleep) and
 * runs again when it is ready, so only the calling task waits. What the
 * host's root would be allowed but the guest's credentials are not
 * (privileged ports, raw sockets, forced buffer sizes, marks) is checked
 * against the guest's capabilities first. */
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/net/inet_host.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"

#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#define SO_SNDBUFFORCE 32
#endif

/* net.ipv4.ip_unprivileged_port_start, read once (1024 by default). */
static int unprivileged_port_start(void)
{
	static int start = -1;
	if (start < 0) {
		start = 1024;
		FILE *fp = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
		if (fp) {
			if (fscanf(fp, "%d", &start) != 1)
				start = 1024;
			fclose(fp);
		}
	}
	return start;
}

long host_sock_bind(struct task *t, struct file *f, const uint8_t *addr, int len)
{
	/* inet_bind_sk / __inet6_bind: a port below ip_unprivileged_port_start
	 * needs CAP_NET_BIND_SERVICE, which the host's root always has. */
	int fam = f->hsk->family, port = -1;
	if (fam == AF_INET && len >= (int)sizeof(struct sockaddr_in) &&
	    ((const struct sockaddr_in *)addr)->sin_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
	else if (fam == AF_INET6 && len >= 24 &&
		 ((const struct sockaddr_in6 *)addr)->sin6_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	if (port > 0 && port < unprivileged_port_start() && !capable(t, CAP_NET_BIND_SERVICE))
		return -EACCES;
	return RR_SYS(bind(f->host_fd, (const struct sockaddr *)addr, (socklen_t)len));
}

/* __inet_stream_connect as a guest sees it: a blocking connect sleeps
 * until the host socket is writable (or SO_SNDTIMEO passes: EINPROGRESS)
 * and then connects again, which is what tells the host's socket layer
 * the outcome: 0 once established, or the error that ended the attempt. */
long host_sock_connect(struct task *t, struct file *f, const uint8_t *addr, int len)
{
	long r = RR_SYS(connect(f->host_fd, (const struct sockaddr *)addr, (socklen_t)len));
	if ((r == -EINPROGRESS || r == -EALREADY) && !(f->flags & O_NONBLOCK) &&
	    f->hsk->type == SOCK_STREAM) {
		r = host_sock_sleep(t, f, POLLOUT, f->hsk->sndtimeo_ns, 0, "connect");
		if (r == -EAGAIN)
			r = -EINPROGRESS;
	}
	return r;
}

long host_sock_do_accept(struct task *t, struct file *f, const uint64_t *a, int flags)
{
	uint8_t addr[128];
	int alen = 0;
	long h = host_sock_accept(f, addr, &alen);
	if (h == -EAGAIN && !(f->flags & O_NONBLOCK))
		return host_sock_sleep(t, f, POLLIN, f->hsk->rcvtimeo_ns, 0, "accept");
	if (h < 0)
		return h;
	struct file *nf;
	long r = host_sock_accepted(f, (int)h, flags & SOCK_NONBLOCK, &nf);
	if (r)
		return r;
	long fd = files_install(t->files, nf, 0, flags & SOCK_CLOEXEC);
	file_put(nf);
	if (fd < 0 || !a[1])
		return fd;
	r = put_sockaddr(t, addr, alen, a[1], a[2]);
	if (r) {
		files_close(t->files, (int)fd);
		return r;
	}
	return fd;
}

long host_sock_do_setsockopt(struct task *t, struct file *f, int level, int name, gva_t uval,
			     int len)
{
	/* sk_setsockopt's capability checks, against the guest's credentials. */
	if (level == SOL_SOCKET &&
	    (name == SO_RCVBUFFORCE || name == SO_SNDBUFFORCE || name == SO_MARK) &&
	    !capable(t, CAP_NET_ADMIN))
		return -EPERM;
	if (level == SOL_SOCKET && name == SO_BINDTODEVICE && !capable(t, CAP_NET_RAW))
		return -EPERM;
	int n = len < 65536 ? len : 65536;
	uint8_t *buf = calloc(1, (size_t)n + 1);
	if (!buf)
		return -ENOMEM;
	long r;
	if (!n || !copy_from_guest(t->mm, buf, uval, (size_t)n)) {
		if (level == SOL_SOCKET && name == SO_PRIORITY && n >= 4 &&
		    (*(int *)buf < 0 || *(int *)buf > 6) && !capable(t, CAP_NET_ADMIN))
			r = -EPERM;
		else
			r = host_sock_setsockopt(f, level, name, buf, len);
	} else {
		/* A value the guest cannot give whole: the host kernel reads it
		 * when and as far as the option does (a short length or an
		 * unknown level is judged first), from the mapped part staged
		 * right before cloneemu's never-accessible page. */
		uint8_t *fault = mm_fault_base();
		size_t have = 0;
		if (uval < TASK_SIZE)
			while (have < (size_t)n && !copy_from_guest(t->mm, buf + have, uval + have, 1))
				have++;
		uint8_t *at = fault ? fault - have : NULL;
		if (fault)
			memcpy(at, buf, have);
		r = host_sock_setsockopt(f, level, name, at, len);
	}
	free(buf);
	return r;
}

long host_sock_do_getsockopt(struct task *t, struct file *f, int level, int name, gva_t uval,
			     gva_t ulen)
{
	int32_t len;
	if (copy_from_guest(t->mm, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	int cap = len < 65536 ? len : 65536;
	uint8_t *buf = calloc(1, (size_t)cap + 1);
	if (!buf)
		return -ENOMEM;
	int got = cap;
	long r = host_sock_getsockopt(f, level, name, buf, &got);
	if (r == -ERANGE) {
		r = copy_to_guest(t->mm, ulen, &got, sizeof(got)) ? -EFAULT : -ERANGE;
	} else if (!r) {
		int put = got < cap ? got : cap;
		if ((put && copy_to_guest(t->mm, uval, buf, (size_t)put)) ||
		    copy_to_guest(t->mm, ulen, &got, sizeof(got)))
			r = -EFAULT;
	}
	free(buf);
	return r;
}

/* Skip @done bytes of @iov (@n entries) into @out (same capacity). */
static int iov_skip(const struct iovec *iov, int n, size_t done, struct iovec *out)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (done >= iov[i].iov_len) {
			done -= iov[i].iov_len;
			continue;
		}
		out[k].iov_base = (char *)iov[i].iov_base + done;
		out[k++].iov_len = iov[i].iov_len - done;
		done = 0;
	}
	return k;
}

/* A send on host socket @f of @len bytes over host iovecs @iov: a stream
 * send blocks (for a blocking caller) until all of it is taken, its
 * progress in t->restart_done; EPIPE raises SIGPIPE unless MSG_NOSIGNAL. */
long host_send(struct task *t, struct file *f, const struct iovec *iov, int n, size_t len,
	       const void *name, int namelen, const void *ctl, size_t ctllen, int flags,
	       bool may_block)
{
	bool block = may_block && !(f->flags & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
	size_t done = t->restarting && may_block ? t->restart_done : 0;
	struct iovec *tv = malloc((n ? n : 1) * sizeof(*tv));
	if (!tv)
		return -ENOMEM;
	long r;
	for (;;) {
		struct msghdr mh = {0};
		mh.msg_name = (void *)name;
		mh.msg_namelen = (socklen_t)namelen;
		mh.msg_iov = tv;
		mh.msg_iovlen = (size_t)iov_skip(iov, n, done, tv);
		if (!done) {
			mh.msg_control = (void *)ctl;
			mh.msg_controllen = ctllen;
		}
		r = host_sock_sendmsg(f, &mh, flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL));
		if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
			signal_send(t, SIGPIPE);
		if (r == -EAGAIN && block) {
			t->restart_done = done;
			r = host_sock_sleep(t, f, POLLOUT, f->hsk->sndtimeo_ns, (long)done,
					    "socket send");
			break;
		}
		if (r < 0) {
			r = done ? (long)done : r;
			break;
		}
		done += (size_t)r;
		if (done >= len || !block || f->hsk->type != SOCK_STREAM) {
			r = (long)done;
			break;
		}
	}
	free(tv);
	return r;
}

/* A receive on host socket @f into host iovecs @iov (@len bytes): a
 * blocking caller sleeps until data, EOF or an error; MSG_WAITALL on a
 * stream keeps sleeping until @len bytes came (progress in
 * t->restart_done). @mh_out gets the name, control and flags of the last
 * host recvmsg (its name and control buffers are the caller's). */
long host_recv(struct task *t, struct file *f, const struct iovec *iov, int n, size_t len,
	       struct msghdr *mh_out, int flags, bool may_block)
{
	bool block = may_block && !(f->flags & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
	size_t done = t->restarting && may_block ? t->restart_done : 0;
	bool waitall = (flags & MSG_WAITALL) && f->hsk->type == SOCK_STREAM && !(flags & MSG_PEEK);
	struct iovec *tv = malloc((n ? n : 1) * sizeof(*tv));
	if (!tv)
		return -ENOMEM;
	socklen_t namecap = mh_out->msg_namelen;
	size_t ctlcap = mh_out->msg_controllen;
	long r;
	for (;;) {
		mh_out->msg_iov = tv;
		mh_out->msg_iovlen = (size_t)iov_skip(iov, n, done, tv);
		mh_out->msg_namelen = namecap;
		mh_out->msg_controllen = ctlcap;
		mh_out->msg_flags = 0;
		r = host_sock_recvmsg(f, mh_out, flags & ~(MSG_DONTWAIT | MSG_WAITALL));
		if (r == -EAGAIN && block) {
			t->restart_done = done;
			r = host_sock_sleep(t, f, POLLIN, f->hsk->rcvtimeo_ns, (long)done,
					    "socket recv");
			break;
		}
		if (r < 0) {
			r = done ? (long)done : r;
			break;
		}
		done += (size_t)r;
		if (r > 0 && waitall && block && done < len)
			continue;
		r = (long)done;
		break;
	}
	free(tv);
	return r;
}

/* The interface ioctls on any socket (sock_ioctl -> dev_ioctl) and the
 * socket's own (FIONREAD/SIOCINQ, SIOCOUTQ, FIONBIO) for host sockets.
 * Interfaces are the host's in the initial network namespace; a
 * namespace of the model answers from its loopback (netns_dev_ioctl). */
long sock_ioctl(struct task *t, struct file *f, unsigned long req, gva_t arg)
{
	uint8_t buf[sizeof(struct ifreq)];
	long r;
	switch (req) {
	case FIONBIO: {
		int on;
		if (copy_from_guest(t->mm, &on, arg, sizeof(on)))
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	case FIONREAD:
	case SIOCOUTQ:
	case SIOCOUTQNSD: {
		if (!f->hsk)
			return -ENOTTY;
		int n = 0;
		r = RR_SYS(ioctl(f->host_fd, req, &n));
		rr_bytes(&n, sizeof(n));
		if (r < 0)
			return r;
		return copy_to_guest(t->mm, arg, &n, sizeof(n)) ? -EFAULT : 0;
	}
	case SIOCGIFCONF:
		return ifconf_ioctl(t, arg);
	case SIOCGIFNAME:
	case SIOCGIFINDEX:
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFTXQLEN:
	case SIOCGIFMETRIC:
	case SIOCSIFFLAGS:
		break;
	default:
		return -ENOTTY; /* not modeled: README lists the supported requests */
	}
	if (copy_from_guest(t->mm, buf, arg, sizeof(buf)))
		return -EFAULT;
	buf[IFNAMSIZ - 1] = 0;
	if (!net_initial(t))
		r = netns_dev_ioctl(t, req, (struct ifreq *)buf);
	else if (req == SIOCSIFFLAGS && !capable(t, CAP_NET_ADMIN))
		r = -EPERM;
	else
		r = host_dev_ioctl(req, buf);
	if (r)
		return r;
	if (req != SIOCSIFFLAGS && copy_to_guest(t->mm, arg, buf, sizeof(buf)))
		return -EFAULT;
	return 0;
}

/* An interface ioctl on a host socket of the initial namespace (any will
 * do: a fresh datagram one). */
long host_dev_ioctl(unsigned long req, void *buf)
{
	long s = RR_SYS(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (s < 0)
		return s;
	long r = RR_SYS(ioctl((int)s, req, buf));
	if (!r)
		rr_bytes(buf, sizeof(struct ifreq));
	if (!rr_replaying)
		close((int)s);
	return r;
}

/* SIOCGIFCONF: struct ifconf {int len; pad; char *buf}. A NULL buffer
 * asks for the size needed. */
long ifconf_ioctl(struct task *t, gva_t arg)
{
	struct {
		int32_t len, pad;
		uint64_t buf;
	} ifc;
	if (copy_from_guest(t->mm, &ifc, arg, sizeof(ifc)))
		return -EFAULT;
	int cap = ifc.len < 0 ? 0 : ifc.len > 64 * 40 * 16 ? 64 * 40 * 16 : ifc.len;
	struct ifreq *reqs = calloc(1, (size_t)cap + sizeof(struct ifreq));
	if (!reqs)
		return -ENOMEM;
	int len;
	long r;
	if (!net_initial(t)) {
		r = netns_ifconf(t, ifc.buf ? reqs : NULL, cap, &len);
	} else {
		struct ifconf h = {.ifc_len = cap, .ifc_req = ifc.buf ? reqs : NULL};
		long s = RR_SYS(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
		r = s < 0 ? s : RR_SYS(ioctl((int)s, SIOCGIFCONF, &h));
		if (s >= 0 && !rr_replaying)
			close((int)s);
		rr_bytes(&h.ifc_len, sizeof(h.ifc_len));
		if (!r && ifc.buf)
			rr_bytes(reqs, (size_t)h.ifc_len);
		len = h.ifc_len;
	}
	if (!r && ifc.buf && len && copy_to_guest(t->mm, ifc.buf, reqs, (size_t)len))
		r = -EFAULT;
	if (!r && copy_to_guest(t->mm, arg, &len, sizeof(len)))
		r = -EFAULT;
	free(reqs);
	return r;
}
