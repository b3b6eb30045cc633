/* Socket messages (net/socket.c's sendmsg/recvmsg half, net/core/scm.c):
 * sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, the msghdr,
 * iovec and control-message decoding, and read/write/readv/writev on
 * sockets (sys_read_write.c calls sock_rw). */
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
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/fs_internal.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"


/* ---- messages ---- */

struct guest_msghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad1;
};

struct guest_mmsghdr {
	struct guest_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};

struct guest_cmsghdr {
	uint64_t len;
	int32_t level, type;
};

#define CMSG_ALIGN_K(n) (((n) + 7) & ~(size_t)7)
#define CMSG_HDR sizeof(struct guest_cmsghdr)

/* One guest buffer as the socket code sees it after import_iovec: the
 * range passed access_ok (checked by the caller), its bytes are copied
 * only when the protocol gets to them. Appends to @iov (room for
 * SOCK_IOV_ROOM(@len) entries) the host iovecs over the mapped prefix and,
 * at the first fault, one segment at mm_fault_base() where every later
 * copy stops with EFAULT. Returns the entries added or -errno; *@faulted
 * is set when the fault segment was added (nothing after it counts). */
int sock_iov_lazy(struct task *t, gva_t addr, size_t len, bool to_guest, struct iovec *iov,
		  bool *faulted)
{
	size_t covered;
	int room = (int)(len / 4096) + 2;
	int k = mm_pin_iov_prefix(t->mm, addr, len, to_guest ? MM_WRITE : MM_READ, iov, room,
				  &covered);
	if (k < 0 || covered == len)
		return k;
	iov[k].iov_base = mm_fault_base();
	iov[k].iov_len = len - covered < 4096 ? len - covered : 4096;
	*faulted = true;
	return k + 1;
}

/* The host iovecs over @n guest iovecs at @giov (import_iovec: the array,
 * each length (EINVAL), each access_ok (EFAULT), then sock_iov_lazy): the
 * total in *@total (cut to MAX_RW_COUNT). *@out is malloc'ed. */
static long import_iov(struct task *t, gva_t giov, uint64_t n, bool to_guest, struct iovec **out,
		       int *nout, size_t *total)
{
	*out = NULL;
	*nout = 0;
	*total = 0;
	if (n > UIO_MAXIOV_MODEL)
		return -EMSGSIZE;
	struct iovec *gv = malloc((n ? n : 1) * sizeof(*gv));
	if (!gv)
		return -ENOMEM;
	long r = 0;
	if (n && copy_from_guest(t->mm, gv, giov, n * sizeof(*gv))) {
		r = -EFAULT;
		goto out;
	}
	for (uint64_t i = 0; i < n; i++) {
		if ((ssize_t)gv[i].iov_len < 0) {
			r = -EINVAL;
			goto out;
		}
	}
	size_t sum = 0;
	int cap = 0;
	for (uint64_t i = 0; i < n; i++) {
		gva_t b = (gva_t)gv[i].iov_base;
		if (b + gv[i].iov_len < b || b + gv[i].iov_len > TASK_SIZE) {
			r = -EFAULT;
			goto out;
		}
		size_t len = gv[i].iov_len;
		if (len > MAX_RW_COUNT_SOCK - sum)
			len = gv[i].iov_len = MAX_RW_COUNT_SOCK - sum;
		sum += len;
		cap += SOCK_IOV_ROOM(len);
	}
	struct iovec *hv = malloc((cap ? cap : 1) * sizeof(*hv));
	if (!hv) {
		r = -ENOMEM;
		goto out;
	}
	int k = 0;
	bool faulted = false;
	for (uint64_t i = 0; i < n && !faulted; i++) {
		if (!gv[i].iov_len)
			continue;
		int m = sock_iov_lazy(t, (gva_t)gv[i].iov_base, gv[i].iov_len, to_guest, hv + k,
				      &faulted);
		if (m < 0) {
			free(hv);
			r = m;
			goto out;
		}
		k += m;
	}
	*out = hv;
	*nout = k;
	*total = sum;
out:
	free(gv);
	return r;
}

/* __scm_send: SCM_RIGHTS and SCM_CREDENTIALS of a control buffer into
 * @scm. 0 or -EINVAL (malformed, too many files), -EBADF, -EPERM, -ESRCH. */
static long scm_send(struct task *t, const uint8_t *ctl, size_t len, struct scm_cookie *scm)
{
	size_t off = 0;
	while (len - off >= CMSG_HDR) {
		struct guest_cmsghdr h;
		memcpy(&h, ctl + off, sizeof(h));
		/* CMSG_OK */
		if (h.len < CMSG_HDR || h.len > len - off)
			return -EINVAL;
		const uint8_t *data = ctl + off + CMSG_HDR;
		size_t dlen = h.len - CMSG_HDR;
		if (h.level == SOL_SOCKET) {
			if (h.type == SCM_RIGHTS) {
				int num = (int)(dlen / sizeof(int));
				if (num > 0) {
					if (scm->nfp + num > SCM_MAX_FD)
						return -EINVAL;
					struct file **fp =
					    realloc(scm->fp, (scm->nfp + num) * sizeof(*fp));
					if (!fp)
						return -ENOMEM;
					scm->fp = fp;
					for (int i = 0; i < num; i++) {
						int fd;
						memcpy(&fd, data + i * sizeof(int), sizeof(fd));
						struct file *f =
						    fd < 0 ? NULL : files_lookup(t->files, fd);
						if (!f)
							return -EBADF;
						scm->fp[scm->nfp++] = file_get(f);
					}
				}
			} else if (h.type == SCM_CREDENTIALS) {
				struct {
					int32_t pid;
					uint32_t uid, gid;
				} uc;
				if (h.len != CMSG_HDR + sizeof(uc))
					return -EINVAL;
				memcpy(&uc, data, sizeof(uc));
				/* scm_check_creds: ids of the sender's user namespace. */
				if (!ns_initial_user(t->nsproxy) || uc.uid == INVALID_ID ||
				    uc.gid == INVALID_ID)
					return -EINVAL;
				const struct cred *c = t->cred;
				bool pid_ok = uc.pid == task_tgid_nr_ns(t, t->pid_ns) ||
					      capable(t, CAP_SYS_ADMIN);
				bool uid_ok = uc.uid == c->uid || uc.uid == c->euid ||
					      uc.uid == c->suid || capable(t, CAP_SETUID);
				bool gid_ok = uc.gid == c->gid || uc.gid == c->egid ||
					      uc.gid == c->sgid || capable(t, CAP_SETGID);
				if (!pid_ok || !uid_ok || !gid_ok)
					return -EPERM;
				struct task *p = find_task_by_pid_ns(uc.pid, t->pid_ns);
				if (!p)
					return -ESRCH;
				task_put(scm->pid);
				scm->pid = task_get(p);
				scm->uid = uc.uid;
				scm->gid = uc.gid;
			} else {
				return -EINVAL;
			}
		}
		off += CMSG_ALIGN_K(h.len);
		if (off > len)
			break;
	}
	return 0;
}

/* The control buffer of a recvmsg as it fills (put_cmsg). */
struct cbuf {
	uint8_t *buf;
	size_t cap, pos;
	bool user; /* the guest gave a control pointer */
	int *msg_flags;
};

static void put_cmsg(struct cbuf *c, int level, int type, const void *data, size_t len)
{
	size_t cmlen = CMSG_HDR + len;
	size_t left = c->cap - c->pos;
	if (!c->user || left < CMSG_HDR) {
		*c->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (left < cmlen) {
		*c->msg_flags |= MSG_CTRUNC;
		cmlen = left;
	}
	struct guest_cmsghdr h = {cmlen, level, type};
	memcpy(c->buf + c->pos, &h, sizeof(h));
	memcpy(c->buf + c->pos + CMSG_HDR, data, cmlen - CMSG_HDR);
	size_t adv = CMSG_ALIGN_K(CMSG_HDR + len);
	c->pos += adv < left ? adv : left;
}

static uint32_t munge_id(struct task *t, uint32_t id, bool gid)
{
	if (id == INVALID_ID)
		return 65534; /* an invalid kuid reads as the overflow id */
	return gid ? from_kgid_munged(t, id) : from_kuid_munged(t, id);
}

/* scm_recv_unix: SCM_CREDENTIALS when the socket asked for them, then the
 * files as new descriptors (scm_detach_fds): as many as fit, the rest
 * closed with MSG_CTRUNC. Consumes @scm. */
static void scm_recv(struct task *t, struct unix_msg *m, struct cbuf *c, bool cloexec)
{
	struct scm_cookie *scm = &m->scm;
	if (!c->user) {
		if (m->passcred || scm->nfp)
			*c->msg_flags |= MSG_CTRUNC;
		scm_destroy(scm);
		return;
	}
	if (m->passcred) {
		struct {
			int32_t pid;
			uint32_t uid, gid;
		} uc = {scm->pid ? task_pid_nr_ns(scm->pid, t->pid_ns) : 0,
			munge_id(t, scm->uid, false), munge_id(t, scm->gid, true)};
		put_cmsg(c, SOL_SOCKET, SCM_CREDENTIALS, &uc, sizeof(uc));
	}
	if (scm->nfp) {
		size_t left = c->cap - c->pos;
		int fdmax = left <= CMSG_HDR ? 0 : (int)((left - CMSG_HDR) / sizeof(int));
		if (fdmax > scm->nfp)
			fdmax = scm->nfp;
		int i;
		for (i = 0; i < fdmax; i++) {
			int fd = files_install(t->files, scm->fp[i], 0, cloexec);
			if (fd < 0)
				break;
			memcpy(c->buf + c->pos + CMSG_HDR + i * sizeof(int), &fd, sizeof(fd));
		}
		if (i > 0) {
			struct guest_cmsghdr h = {CMSG_HDR + i * sizeof(int), SOL_SOCKET,
						  SCM_RIGHTS};
			memcpy(c->buf + c->pos, &h, sizeof(h));
			size_t adv = CMSG_ALIGN_K(CMSG_HDR + i * sizeof(int));
			c->pos += adv < left ? adv : left;
		}
		if (i < scm->nfp)
			*c->msg_flags |= MSG_CTRUNC;
	}
	scm_destroy(scm);
}

/* A netlink request of a modeled namespace: the bytes, answered at once. */
static long netlink_send_iov(struct task *t, struct unix_sock *u, const struct unix_msg *m)
{
	if (m->name && m->namelen < 12)
		return -EINVAL;
	if (m->len > 65536)
		return -EMSGSIZE;
	uint8_t *buf = malloc(m->len ? m->len : 1);
	if (!buf)
		return -ENOMEM;
	size_t off = 0;
	for (int i = 0; i < m->iovcnt && off < m->len; i++) {
		size_t n = m->iov[i].iov_len < m->len - off ? m->iov[i].iov_len : m->len - off;
		memcpy(buf + off, m->iov[i].iov_base, n);
		off += n;
	}
	long r = netlink_model_send(t, u, buf, off);
	free(buf);
	return r;
}

/* The model's sendmsg: unix.c's, after the inet side's addressing for a
 * socket of a modeled network namespace (kernelmodel/net/inet_model.h). */
static long model_sendmsg(struct task *t, struct unix_sock *u, struct unix_msg *m)
{
	struct inet_sock *in = u->inet;
	if (!in)
		return unix_sendmsg(t, u, m);
	if (in->family == AF_NETLINK)
		return netlink_send_iov(t, u, m);
	struct sockaddr_un un;
	int unlen;
	long r = inet_model_send_prepare(t, u, m->name, m->name ? m->namelen : 0, m->len, &un,
					 &unlen);
	if (r == -EPIPE && !(m->flags & MSG_NOSIGNAL))
		signal_send(t, SIGPIPE); /* tcp_sendmsg on a socket never connected */
	if (r)
		return r;
	const void *name = m->name;
	int namelen = m->namelen;
	m->name = unlen ? &un : NULL;
	m->namelen = unlen;
	r = unix_sendmsg(t, u, m);
	m->name = name;
	m->namelen = namelen;
	if (r == -ECONNREFUSED && in->protocol == IPPROTO_UDP)
		r = inet_model_send_refused(u, m->len);
	return r;
}

/* The sender's name of a received message as an inet socket reports it. */
static void model_recv_name(struct unix_sock *u, struct unix_msg *m)
{
	if (!u->inet)
		return;
	uint8_t out[SOCKADDR_STORAGE];
	int n = inet_model_recv_name(u, m->addr, m->addrlen, out);
	memcpy(m->addr, out, (size_t)n);
	m->addrlen = n;
}

/* ___sys_sendmsg on one guest msghdr. @may_block: false makes it
 * MSG_DONTWAIT (sendmmsg after the first message). */
static long send_one(struct task *t, struct file *f, struct unix_sock *u,
		     const struct guest_msghdr *gm, int flags, bool may_block)
{
	uint8_t name[SOCKADDR_STORAGE + 1];
	struct unix_msg m = {0};
	m.scm.uid = m.scm.gid = INVALID_ID;
	int namelen = gm->namelen;
	if (namelen < 0)
		return -EINVAL;
	if (namelen > SOCKADDR_STORAGE)
		namelen = SOCKADDR_STORAGE;
	long r;
	if (gm->name && namelen) {
		if ((r = get_sockaddr(t, gm->name, namelen, name)))
			return r;
		m.name = name;
		m.namelen = namelen;
	}
	if ((r = import_iov(t, gm->iov, gm->iovlen, false, &m.iov, &m.iovcnt, &m.len)))
		return r;
	uint8_t *ctl = NULL;
	if (gm->controllen > INT_MAX) {
		r = -ENOBUFS;
		goto out;
	}
	if (gm->controllen) {
		ctl = malloc(gm->controllen);
		r = -ENOMEM;
		if (!ctl)
			goto out;
		r = -EFAULT;
		if (copy_from_guest(t->mm, ctl, gm->control, gm->controllen))
			goto out;
		/* A host socket's control messages are the host's to judge. */
		if (!f->hsk && !u->inet && (r = scm_send(t, ctl, gm->controllen, &m.scm)))
			goto out;
		/* The model's inet sockets take no control messages (README). */
		r = -EINVAL;
		if (!f->hsk && u->inet && gm->controllen >= CMSG_HDR)
			goto out;
	}
	if (f->hsk) {
		r = host_send(t, f, m.iov, m.iovcnt, m.len, m.name, m.namelen, ctl,
			      gm->controllen, flags, may_block);
		goto out;
	}
	if ((f->flags & O_NONBLOCK) || !may_block)
		flags |= MSG_DONTWAIT;
	m.flags = flags;
	m.hdir = sock_hdir(t);
	m.done = t->restarting && may_block ? t->restart_done : 0;
	r = model_sendmsg(t, u, &m);
	if (r == -EAGAIN && m.wait) {
		t->restart_done = m.done;
		r = sock_sleep(t, m.wait, u->sndtimeo_ns, (long)m.done, "socket send");
	}
out:
	scm_destroy(&m.scm);
	free(ctl);
	free(m.iov);
	return r;
}

/* recvmsg on a host socket: the host's name, control bytes and flags
 * handed back as they came. */
static long host_recv_one(struct task *t, struct file *f, struct unix_msg *m,
			  const struct guest_msghdr *gm, gva_t gmsg, int flags, bool may_block)
{
	uint8_t name[SOCKADDR_STORAGE];
	size_t cap = gm->controllen < (1u << 20) ? gm->controllen : (1u << 20);
	uint8_t *ctl = cap && gm->control ? calloc(1, cap) : NULL;
	if (cap && gm->control && !ctl)
		return -ENOMEM;
	struct msghdr mh = {0};
	mh.msg_name = gm->name ? name : NULL;
	mh.msg_namelen = gm->name ? sizeof(name) : 0;
	mh.msg_control = ctl;
	mh.msg_controllen = ctl ? cap : 0;
	long r = host_recv(t, f, m->iov, m->iovcnt, m->len, &mh, flags & ~MSG_CMSG_CLOEXEC,
			   may_block);
	if (r < 0) {
		free(ctl);
		return r;
	}
	long err = 0;
	if (gm->name)
		err = put_sockaddr(t, name, (int)mh.msg_namelen, gm->name,
				   gmsg + offsetof(struct guest_msghdr, namelen));
	uint64_t clen = ctl ? mh.msg_controllen : 0;
	int32_t mflags = mh.msg_flags;
	if (!err && ((clen && copy_to_guest(t->mm, gm->control, ctl, clen)) ||
		     copy_to_guest(t->mm, gmsg + offsetof(struct guest_msghdr, flags), &mflags,
				   sizeof(mflags)) ||
		     copy_to_guest(t->mm, gmsg + offsetof(struct guest_msghdr, controllen), &clen,
				   sizeof(clen))))
		err = -EFAULT;
	free(ctl);
	return err ? err : r;
}

/* ___sys_recvmsg on one guest msghdr at @gmsg (name, control length and
 * flags written back). */
static long recv_one(struct task *t, struct file *f, struct unix_sock *u, gva_t gmsg, int flags,
		     bool may_block)
{
	struct guest_msghdr gm;
	if (copy_from_guest(t->mm, &gm, gmsg, sizeof(gm)))
		return -EFAULT;
	if (gm.namelen < 0)
		return -EINVAL;
	struct unix_msg m = {0};
	m.scm.uid = m.scm.gid = INVALID_ID;
	long r = import_iov(t, gm.iov, gm.iovlen, true, &m.iov, &m.iovcnt, &m.len);
	if (r)
		return r;
	if (f->hsk) {
		r = host_recv_one(t, f, &m, &gm, gmsg, flags, may_block);
		free(m.iov);
		return r;
	}
	if ((f->flags & O_NONBLOCK) || !may_block)
		flags |= MSG_DONTWAIT;
	m.flags = flags;
	m.done = t->restarting && may_block ? t->restart_done : 0;
	r = unix_recvmsg(t, u, &m);
	if (r >= 0)
		model_recv_name(u, &m);
	if (r == -EAGAIN && m.wait) {
		free(m.iov);
		scm_destroy(&m.scm);
		t->restart_done = m.done;
		return sock_sleep(t, m.wait, u->rcvtimeo_ns, (long)m.done, "socket recv");
	}
	free(m.iov);
	if (r < 0) {
		scm_destroy(&m.scm);
		return r;
	}
	int msg_flags = m.msg_flags | (flags & MSG_CMSG_CLOEXEC);
	struct cbuf c = {NULL, gm.controllen, 0, gm.control != 0, &msg_flags};
	size_t cap = gm.controllen < (1u << 20) ? gm.controllen : (1u << 20);
	c.cap = cap;
	if (c.user && cap && !(c.buf = calloc(1, cap))) {
		scm_destroy(&m.scm);
		return -ENOMEM;
	}
	scm_recv(t, &m, &c, flags & MSG_CMSG_CLOEXEC);
	long err = 0;
	if (gm.name) {
		/* move_addr_to_user against the guest's own msg_namelen */
		err = put_sockaddr(t, m.addr, m.addrlen, gm.name,
				   gmsg + offsetof(struct guest_msghdr, namelen));
	}
	uint64_t clen = c.pos;
	if (!err && ((c.pos && copy_to_guest(t->mm, gm.control, c.buf, c.pos)) ||
		     copy_to_guest(t->mm, gmsg + offsetof(struct guest_msghdr, flags), &msg_flags,
				   sizeof(msg_flags)) ||
		     copy_to_guest(t->mm, gmsg + offsetof(struct guest_msghdr, controllen), &clen,
				   sizeof(clen))))
		err = -EFAULT;
	free(c.buf);
	return err ? err : r;
}

SYS(sendmsg)
{
	struct file *f;
	struct unix_sock *u;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	struct guest_msghdr gm;
	if (copy_from_guest(t->mm, &gm, a[1], sizeof(gm)))
		return -EFAULT;
	return send_one(t, f, u, &gm, (int)a[2], true);
}

/* import_ubuf: @len (cut to MAX_RW_COUNT) bytes at @buf, access_ok first
 * (even for 0 bytes), the rest as sock_iov_lazy. */
static long import_ubuf(struct task *t, gva_t buf, size_t len, bool to_guest, struct unix_msg *m)
{
	if (len > MAX_RW_COUNT_SOCK)
		len = MAX_RW_COUNT_SOCK;
	if (!sock_access_ok(buf, len))
		return -EFAULT;
	m->iov = malloc(SOCK_IOV_ROOM(len) * sizeof(*m->iov));
	if (!m->iov)
		return -ENOMEM;
	m->len = len;
	if (!len)
		return 0;
	bool faulted = false;
	int n = sock_iov_lazy(t, buf, len, to_guest, m->iov, &faulted);
	if (n < 0) {
		free(m->iov);
		m->iov = NULL;
		return n;
	}
	m->iovcnt = n;
	return 0;
}

/* __sys_sendto: the buffer (access_ok), the descriptor, the address. */
SYS(sendto)
{
	struct file *f;
	struct unix_sock *u;
	/* A sendto is a sendmsg with one iovec and no control. */
	struct unix_msg m = {0};
	m.scm.uid = m.scm.gid = INVALID_ID;
	long r = import_ubuf(t, a[1], a[2], false, &m);
	if (r)
		return r;
	uint8_t name[SOCKADDR_STORAGE + 1];
	if ((r = sock_lookup(t, a[0], &f, &u)) ||
	    (a[4] && (r = get_sockaddr(t, a[4], (int)a[5], name)))) {
		free(m.iov);
		return r;
	}
	if (a[4]) {
		m.name = name;
		m.namelen = (int)a[5];
	}
	if (f->hsk) {
		r = host_send(t, f, m.iov, m.iovcnt, m.len, m.name, m.namelen, NULL, 0, (int)a[3],
			      true);
		free(m.iov);
		return r;
	}
	m.flags = (int)a[3] | ((f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
	m.hdir = sock_hdir(t);
	m.done = t->restarting ? t->restart_done : 0;
	r = model_sendmsg(t, u, &m);
	if (r == -EAGAIN && m.wait) {
		t->restart_done = m.done;
		r = sock_sleep(t, m.wait, u->sndtimeo_ns, (long)m.done, "socket send");
	}
	scm_destroy(&m.scm);
	free(m.iov);
	return r;
}

/* __sys_recvfrom: the buffer (access_ok), the descriptor, the receive,
 * then the sender's address. */
SYS(recvfrom)
{
	struct file *f;
	struct unix_sock *u;
	struct unix_msg m = {0};
	m.scm.uid = m.scm.gid = INVALID_ID;
	long r = import_ubuf(t, a[1], a[2], true, &m);
	if (r)
		return r;
	if ((r = sock_lookup(t, a[0], &f, &u))) {
		free(m.iov);
		return r;
	}
	if (f->hsk) {
		uint8_t name[SOCKADDR_STORAGE];
		struct msghdr mh = {0};
		mh.msg_name = a[4] ? name : NULL;
		mh.msg_namelen = a[4] ? sizeof(name) : 0;
		r = host_recv(t, f, m.iov, m.iovcnt, m.len, &mh, (int)a[3], true);
		free(m.iov);
		if (r >= 0 && a[4]) { /* a stream's empty name too: *addrlen 0 */
			long e = put_sockaddr(t, name, (int)mh.msg_namelen, a[4], a[5]);
			if (e)
				return e;
		}
		return r;
	}
	m.flags = (int)a[3] | ((f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
	m.done = t->restarting ? t->restart_done : 0;
	r = unix_recvmsg(t, u, &m);
	if (r >= 0)
		model_recv_name(u, &m);
	free(m.iov);
	int dummy = 0;
	struct cbuf c = {NULL, 0, 0, false, &dummy};
	if (r == -EAGAIN && m.wait) {
		scm_destroy(&m.scm);
		t->restart_done = m.done;
		return sock_sleep(t, m.wait, u->rcvtimeo_ns, (long)m.done, "socket recv");
	}
	scm_recv(t, &m, &c, false); /* no control: files closed */
	if (r >= 0 && a[4]) {
		long e = put_sockaddr(t, m.addr, m.addrlen, a[4], a[5]);
		if (e)
			return e;
	}
	return r;
}

SYS(recvmsg)
{
	struct file *f;
	struct unix_sock *u;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	return recv_one(t, f, u, a[1], (int)a[2], true);
}

/* sendmmsg: the messages in order until one fails or is cut short. Only
 * the first may sleep; later ones are sent as MSG_DONTWAIT, and a full
 * queue ends the batch early (Linux would sleep there). */
SYS(sendmmsg)
{
	struct file *f;
	struct unix_sock *u;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	unsigned vlen = (unsigned)a[2] > UIO_MAXIOV_MODEL ? UIO_MAXIOV_MODEL : (unsigned)a[2];
	unsigned datagrams = 0;
	long err = 0;
	while (datagrams < vlen) {
		gva_t entry = a[1] + (uint64_t)datagrams * sizeof(struct guest_mmsghdr);
		struct guest_msghdr gm;
		if (copy_from_guest(t->mm, &gm, entry, sizeof(gm))) {
			err = -EFAULT;
			break;
		}
		err = send_one(t, f, u, &gm, (int)a[3] | MSG_EOR, datagrams == 0);
		if (err == -EKBLOCK)
			return err;
		if (err < 0)
			break;
		uint32_t sent = (uint32_t)err;
		if (copy_to_guest(t->mm, entry + offsetof(struct guest_mmsghdr, len), &sent,
				  sizeof(sent))) {
			err = -EFAULT;
			break;
		}
		datagrams++;
		size_t want = 0;
		struct iovec iv;
		for (uint64_t i = 0; i < gm.iovlen && i < UIO_MAXIOV_MODEL; i++)
			if (!copy_from_guest(t->mm, &iv, gm.iov + i * sizeof(iv), sizeof(iv)))
				want += iv.iov_len;
		if (sent < want)
			break;	       /* msg_data_left */
		t->restarting = false; /* the next message starts afresh */
	}
	return datagrams ? (long)datagrams : err;
}

/* recvmmsg: up to vlen messages; a blocking call sleeps for each (progress
 * in t->restart_done: messages received), MSG_WAITFORONE stops waiting
 * after the first; the timeout is checked between messages, as Linux
 * does (it never cuts a wait short). SO_RCVTIMEO is not applied here. */
SYS(recvmmsg)
{
	struct file *f;
	struct unix_sock *u;
	long r = sock_lookup(t, a[0], &f, &u);
	if (r)
		return r;
	int flags = (int)a[3];
	unsigned vlen = (unsigned)a[2] > UIO_MAXIOV_MODEL ? UIO_MAXIOV_MODEL : (unsigned)a[2];
	uint64_t tmo_ns = 0;
	if (a[4] && !t->restarting) {
		if ((r = get_user_timespec_ns(t, a[4], &tmo_ns)))
			return r;
		t->restart_deadline = now_ns() + tmo_ns;
	}
	unsigned datagrams = t->restarting ? (unsigned)t->restart_done : 0;
	if (u && !datagrams && !t->restarting && u->err) {
		int e = u->err;
		u->err = 0;
		return -e;
	}
	long err = 0;
	while (datagrams < vlen) {
		gva_t entry = a[1] + (uint64_t)datagrams * sizeof(struct guest_mmsghdr);
		bool block = !(datagrams && (flags & MSG_WAITFORONE));
		/* Inner calls start afresh: only whole messages are progress. */
		bool was = t->restarting;
		t->restarting = false;
		t->restart_done = 0;
		err = recv_one(t, f, u, entry, flags & ~MSG_WAITFORONE, block);
		t->restarting = was;
		if (err == -EKBLOCK) {
			t->restart_done = datagrams;
			t->restarting = was;
			return err;
		}
		if (err < 0)
			break;
		uint32_t got = (uint32_t)err;
		if (copy_to_guest(t->mm, entry + offsetof(struct guest_mmsghdr, len), &got,
				  sizeof(got))) {
			err = -EFAULT;
			break;
		}
		datagrams++;
		if (a[4] && now_ns() >= t->restart_deadline)
			break;
	}
	if (a[4]) {
		uint64_t now = now_ns(), d = t->restart_deadline;
		uint64_t left = d > now ? d - now : 0;
		struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
		copy_to_guest(t->mm, a[4], &ts, sizeof(ts));
	}
	t->restart_done = 0;
	if (!datagrams)
		return err;
	if (err < 0 && err != -EAGAIN && u)
		u->err = (int)-err; /* reported by the next call or SO_ERROR */
	return datagrams;
}

/* ---- read/write family ---- */

long sock_rw(struct task *t, struct file *f, struct iovec *iov, int n, size_t total, bool to_guest)
{
	struct unix_sock *u = f->sk;
	struct unix_msg m = {0};
	m.scm.uid = m.scm.gid = INVALID_ID;
	if (to_guest && !total)
		return 0; /* sock_read_iter: "match SYS5 behaviour" */
	if (f->hsk) {
		if (!to_guest)
			return host_send(t, f, iov, n, total, NULL, 0, NULL, 0, 0, true);
		struct msghdr mh = {0};
		return host_recv(t, f, iov, n, total, &mh, 0, true);
	}
	m.iov = iov;
	m.iovcnt = n;
	m.len = total > MAX_RW_COUNT_SOCK ? MAX_RW_COUNT_SOCK : total;
	m.flags = (f->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0;
	m.hdir = AT_FDCWD;
	m.done = t->restarting ? t->restart_done : 0;
	long r = to_guest ? unix_recvmsg(t, u, &m) : model_sendmsg(t, u, &m);
	if (r == -EAGAIN && m.wait) {
		scm_destroy(&m.scm);
		t->restart_done = m.done;
		return sock_sleep(t, m.wait, to_guest ? u->rcvtimeo_ns : u->sndtimeo_ns,
				  (long)m.done, to_guest ? "socket read" : "socket write");
	}
	scm_destroy(&m.scm); /* files that came with a read() are closed */
	return r;
}

long sock_rw_buf(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest)
{
	struct unix_msg m = {0};
	long r = import_ubuf(t, buf, count, to_guest, &m);
	if (r)
		return r;
	r = sock_rw(t, f, m.iov, m.iovcnt, m.len, to_guest);
	free(m.iov);
	return r;
}
