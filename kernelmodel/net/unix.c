/* AF_UNIX sockets (net/unix/af_unix.c, with the parts of net/core/sock.c,
 * scm.c and datagram.c they use). See unix.h for the model's shape; the
 * comments name the Linux function each piece follows. */
#include "kernelmodel/net/unix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/net/inet_model.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

/* An sk_buff: one write's bytes (a stream write may be cut into several),
 * charged to its sender until freed. A listener's queue holds one empty
 * skb per embryo connection, owned by the embryo. */
struct unix_skb {
	struct unix_skb *next;
	struct unix_sock *owner; /* skb->sk: the sender (a reference) */
	size_t len, consumed;	 /* stream reads consume from the front */
	size_t truesize;	 /* what it costs its owner's SO_SNDBUF */
	struct file **fp;	 /* SCM_RIGHTS (one reference each) */
	int nfp;
	struct task *pid; /* credentials: NULL, or a reference */
	uint32_t uid, gid;
	uint8_t data[];
};

/* sysctls: net.core.{w,r}mem_{default,max}, net.unix.max_dgram_qlen, read
 * from the host once (defaults as Linux's when unreadable). */
static struct {
	bool read;
	int wmem_default, rmem_default, wmem_max, rmem_max, max_dgram_qlen;
} sysctl;

static int read_sysctl(const char *path, int dflt)
{
	int v = dflt;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1 || v <= 0)
			v = dflt;
		fclose(f);
	}
	return v;
}

static void sysctl_init(void)
{
	if (sysctl.read)
		return;
	sysctl.read = true;
	sysctl.wmem_default = read_sysctl("/proc/sys/net/core/wmem_default", 212992);
	sysctl.rmem_default = read_sysctl("/proc/sys/net/core/rmem_default", 212992);
	sysctl.wmem_max = read_sysctl("/proc/sys/net/core/wmem_max", 212992);
	sysctl.rmem_max = read_sysctl("/proc/sys/net/core/rmem_max", 212992);
	sysctl.max_dgram_qlen = read_sysctl("/proc/sys/net/unix/max_dgram_qlen", 10);
}

/* sizeof(struct sk_buff) and of skb_shared_info, cache-aligned, as
 * SKB_TRUESIZE counts them; SKB_MAX_HEAD(0) and UNIX_SKB_FRAGS_SZ. */
#define SKB_STRUCT 256
#define SKB_SHINFO 320
#define SKB_MAX_HEAD0 (4096 - SKB_SHINFO)
#define UNIX_SKB_FRAGS_SZ 32768
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304
#define SOMAXCONN_MODEL 4096

static uint64_t next_ino = 0x10000;	    /* sockfs inode numbers */
static struct unix_sock *bound;		    /* the hashed (named) sockets */
static unsigned autobind_ordernum = 0x1bd5; /* deterministic, not random */

/* What an skb of @size bytes costs (skb->truesize): a kmalloc'ed head up to
 * SKB_MAX_HEAD(0), then pages (alloc_skb_with_frags). */
static size_t skb_truesize(size_t size)
{
	if (size <= SKB_MAX_HEAD0) {
		size_t head = ((size + 63) & ~(size_t)63) + SKB_SHINFO, k = 64;
		while (k < head)
			k *= 2;
		return k + SKB_STRUCT;
	}
	size_t data = (size - SKB_MAX_HEAD0 + 4095) & ~(size_t)4095;
	return 4096 + SKB_STRUCT + data;
}

/* A state change: wake whoever sleeps on @u (readers, writers waiting for
 * room, connectors waiting for the backlog) and every poller. */
static void sk_changed(struct unix_sock *u)
{
	u->gen++;
	wake_up(u);
	wake_up(&poll_chan);
}

static struct unix_sock *sock_hold(struct unix_sock *u)
{
	u->refcount++;
	return u;
}

static void sock_put(struct unix_sock *u)
{
	if (!u || --u->refcount > 0)
		return;
	/* Only a released socket with an empty queue can lose its last
	 * reference: its queue's skbs are gone and it is in no list. */
	task_put(u->peer_pid);
	if (u->peer_cred)
		put_cred(u->peer_cred);
	inet_sock_free(u->inet);
	free(u);
}

void scm_destroy(struct scm_cookie *scm)
{
	for (int i = 0; i < scm->nfp; i++)
		file_put(scm->fp[i]);
	free(scm->fp);
	task_put(scm->pid);
	scm->fp = NULL;
	scm->nfp = 0;
	scm->pid = NULL;
	scm->uid = scm->gid = INVALID_ID;
}

/* The thread-group leader of @t (task_tgid): whose pid credentials name. */
static struct task *tgid_task(struct task *t)
{
	struct task *l = task_find(t->tgid);
	return l ? l : t;
}

/* ---- skbs ---- */

static struct unix_skb *skb_alloc(struct unix_sock *owner, size_t len)
{
	struct unix_skb *skb = calloc(1, sizeof(*skb) + len);
	if (!skb)
		return NULL;
	skb->owner = sock_hold(owner);
	skb->len = len;
	skb->truesize = len ? skb_truesize(len) : 0;
	skb->uid = skb->gid = INVALID_ID;
	owner->wmem += skb->truesize;
	return skb;
}

/* unix_sock_wfree + unix_destruct_scm: give the owner its room back (and
 * wake it when it became writable, unix_write_space), drop what the skb
 * carries. */
static void skb_free(struct unix_skb *skb)
{
	struct unix_sock *o = skb->owner;
	o->wmem -= skb->truesize;
	if (skb->truesize && o->wmem * 4 <= (size_t)o->sndbuf)
		sk_changed(o);
	for (int i = 0; i < skb->nfp; i++)
		file_put(skb->fp[i]);
	free(skb->fp);
	task_put(skb->pid);
	sock_put(o);
	free(skb);
}

static void queue_tail(struct unix_sock *u, struct unix_skb *skb)
{
	skb->next = NULL;
	if (u->tail)
		u->tail->next = skb;
	else
		u->head = skb;
	u->tail = skb;
	u->qlen++;
}

static struct unix_skb *dequeue(struct unix_sock *u)
{
	struct unix_skb *skb = u->head;
	if (!skb)
		return NULL;
	u->head = skb->next;
	if (!u->head)
		u->tail = NULL;
	u->qlen--;
	skb->next = NULL;
	return skb;
}

static void purge_queue(struct unix_sock *u)
{
	struct unix_skb *skb;
	while ((skb = dequeue(u)))
		skb_free(skb);
}

/* unix_scm_to_skb: the credentials on every skb, the files on the first. */
static void scm_to_skb(struct scm_cookie *scm, struct unix_skb *skb, bool send_fds)
{
	if (scm->pid) {
		skb->pid = task_get(scm->pid);
		skb->uid = scm->uid;
		skb->gid = scm->gid;
	}
	if (send_fds && scm->nfp) {
		skb->fp = scm->fp;
		skb->nfp = scm->nfp;
		scm->fp = NULL;
		scm->nfp = 0;
	}
}

/* maybe_add_creds: the sender's credentials when either side asked for
 * them with SO_PASSCRED, or the receiver is an embryo not yet accepted. */
static void maybe_add_creds(struct task *t, struct unix_skb *skb, struct unix_sock *u,
			    struct unix_sock *other)
{
	if (skb->pid)
		return;
	if (u->passcred || other->passcred || other->embryo) {
		skb->pid = task_get(tgid_task(t));
		skb->uid = t->cred->uid;
		skb->gid = t->cred->gid;
	}
}

/* ---- copying between skbs and the iovecs ---- */

/* Copy @n bytes at byte @off of @iov into/out of @buf: the count copied,
 * less than @n when the copy reached the guest's first fault (a segment
 * at mm_fault_base(), or the end of the list), as copy_{to,from}_iter.
 * The callers turn a short copy into EFAULT
 * (skb_copy_datagram_{msg,from_iter}). */
static size_t iov_copy(const struct iovec *iov, int iovcnt, size_t off, void *buf, size_t n,
		       bool to_iov)
{
	uint8_t *p = buf;
	const void *fault = mm_fault_base();
	size_t want = n;
	for (int i = 0; i < iovcnt && n; i++) {
		if (iov[i].iov_base == fault)
			break;
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t c = iov[i].iov_len - off;
		if (c > n)
			c = n;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p, c);
		else
			memcpy(p, (uint8_t *)iov[i].iov_base + off, c);
		p += c;
		n -= c;
		off = 0;
	}
	return want - n;
}

/* ---- creation, release, pairs ---- */

static struct unix_sock *unix_create1(int type)
{
	sysctl_init();
	struct unix_sock *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->refcount = 1; /* the socket's own: its file's, or an embryo's until accepted */
	u->type = type;
	u->state = UNIX_CLOSE;
	u->ino = next_ino++;
	u->max_ack_backlog = sysctl.max_dgram_qlen;
	u->sndbuf = sysctl.wmem_default;
	u->rcvbuf = sysctl.rmem_default;
	u->rcvlowat = 1;
	return u;
}

int unix_create(int type, int protocol, struct unix_sock **out)
{
	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_STREAM:
	case SOCK_SEQPACKET:
		break;
	case SOCK_RAW: /* "Believe it or not BSD has AF_UNIX, SOCK_RAW" */
		type = SOCK_DGRAM;
		break;
	case SOCK_DGRAM:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*out = unix_create1(type);
	return *out ? 0 : -ENOMEM;
}

static void unhash(struct unix_sock *u)
{
	if (!u->hashed)
		return;
	for (struct unix_sock **p = &bound; *p; p = &(*p)->next_bound)
		if (*p == u) {
			*p = u->next_bound;
			break;
		}
	u->hashed = false;
	u->next_bound = NULL;
}

/* init_peercred: @u's peer credentials are @t's now. */
static void init_peercred(struct unix_sock *u, struct task *t)
{
	task_put(u->peer_pid);
	if (u->peer_cred)
		put_cred(u->peer_cred);
	u->peer_pid = task_get(tgid_task(t));
	u->peer_cred = get_cred(t->cred);
}

static void copy_peercred(struct unix_sock *u, struct unix_sock *from)
{
	task_put(u->peer_pid);
	if (u->peer_cred)
		put_cred(u->peer_cred);
	u->peer_pid = from->peer_pid ? task_get(from->peer_pid) : NULL;
	u->peer_cred = from->peer_cred ? get_cred(from->peer_cred) : NULL;
}

/* unix_release_sock: @embrion when an unaccepted connection dies with its
 * listener (its peer then sees ECONNRESET). Consumes the socket's own
 * reference. */
static void release_sock(struct unix_sock *u, bool embrion)
{
	unhash(u);
	u->dead = true;
	u->shutdown = SHUTDOWN_MASK;
	int state = u->state;
	u->state = UNIX_CLOSE;
	struct unix_sock *skpair = u->peer;
	u->peer = NULL;
	sk_changed(u);
	if (skpair) {
		if (u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET) {
			/* No more writes; unread data or a lost embryo is a reset. */
			skpair->shutdown = SHUTDOWN_MASK;
			if (u->head || embrion)
				skpair->err = ECONNRESET;
			sk_changed(skpair);
		}
		sock_put(skpair);
	}
	struct unix_skb *skb;
	while ((skb = dequeue(u))) {
		if (state == UNIX_LISTEN)
			release_sock(skb->owner, true);
		skb_free(skb);
	}
	sock_put(u);
}

void unix_release(struct unix_sock *u)
{
	if (u->inet)
		inet_sock_release(u);
	release_sock(u, false);
}

void unix_socketpair(struct task *t, struct unix_sock *a, struct unix_sock *b)
{
	a->peer = sock_hold(b);
	b->peer = sock_hold(a);
	init_peercred(a, t);
	init_peercred(b, t);
	a->state = b->state = UNIX_ESTABLISHED;
}

/* ---- names ---- */

/* unix_validate_addr */
static int validate_addr(const void *addr, int len)
{
	const struct sockaddr_un *sun = addr;
	if (len <= (int)offsetof(struct sockaddr_un, sun_path) || len > UNIX_ADDR_MAX)
		return -EINVAL;
	if (sun->sun_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* unix_mkname_bsd: the path (up to its NUL, or all @len bytes) into @path;
 * returns the address length Linux keeps: the path, its NUL, the family. */
static int mkname_bsd(const void *addr, int len, char *path)
{
	const struct sockaddr_un *sun = addr;
	int n = len - (int)offsetof(struct sockaddr_un, sun_path);
	memcpy(path, sun->sun_path, n);
	path[n] = 0;
	return (int)strlen(path) + (int)offsetof(struct sockaddr_un, sun_path) + 1;
}

/* The key of @t's network namespace for the abstract names of @u: the
 * model's inet sockets (u->inet) keep theirs apart from AF_UNIX's. */
static uint64_t net_of(struct task *t, const struct unix_sock *u)
{
	return t->nsproxy->ns[NS_NET]->inum ^ (u && u->inet ? INET_NAME_SALT : 0);
}

static struct unix_sock *find_abstract(uint64_t net, int type, const void *name, int len)
{
	for (struct unix_sock *s = bound; s; s = s->next_bound)
		if (!s->bsd && s->net_inum == net && s->type == type && s->addr_len == len &&
		    !memcmp(s->addr, name, len))
			return s;
	return NULL;
}

static void hash_abstract(struct unix_sock *u, uint64_t net, const void *name, int len)
{
	memcpy(u->addr, name, len);
	u->addr_len = len;
	u->net_inum = net;
	u->hashed = true;
	u->next_bound = bound;
	bound = u;
}

/* unix_autobind: "\0" and five hex digits, the first free one. */
static int autobind(struct task *t, struct unix_sock *u)
{
	if (u->addr_len)
		return 0;
	uint64_t net = net_of(t, u);
	uint8_t name[8] = {AF_UNIX, 0};
	for (unsigned tries = 0; tries <= 0xFFFFF; tries++) {
		autobind_ordernum = (autobind_ordernum + 1) & 0xFFFFF;
		char hex[6];
		snprintf(hex, sizeof(hex), "%05x", autobind_ordernum);
		memcpy(name + 3, hex, 5);
		if (!find_abstract(net, u->type, name, 8)) {
			hash_abstract(u, net, name, 8);
			return 0;
		}
	}
	return -ENOSPC;
}

static int bind_bsd(struct unix_sock *u, const void *addr, int len, int hdir, unsigned umask)
{
	char path[UNIX_ADDR_MAX + 1];
	int alen = mkname_bsd(addr, len, path);
	long r = RR_SYS(mknodat(hdir, path, S_IFSOCK | (0777 & ~umask), 0));
	if (r)
		return r == -EEXIST ? -EADDRINUSE : (int)r;
	struct stat st;
	if (u->addr_len) {
		RR_SYS(unlinkat(hdir, path, 0)); /* failed after a successful mknod */
		return -EINVAL;
	}
	r = RR_SYS(fstatat(hdir, path, &st, AT_SYMLINK_NOFOLLOW));
	if (r)
		return (int)r;
	rr_bytes(&st, sizeof(st));
	/* The address as the guest spelled it, with the NUL Linux counts (a
	 * 108-byte path makes 111 bytes, one more than a sockaddr_un). */
	memset(u->addr, 0, sizeof(u->addr));
	memcpy(u->addr, addr, 2);
	memcpy(u->addr + 2, path, strlen(path));
	u->addr_len = alen;
	u->bsd = true;
	u->dev = st.st_dev;
	u->bsd_ino = st.st_ino;
	u->hashed = true;
	u->next_bound = bound;
	bound = u;
	return 0;
}

int unix_bind(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir,
	      unsigned umask)
{
	const struct sockaddr_un *sun = addr;
	if (len == (int)offsetof(struct sockaddr_un, sun_path) && sun->sun_family == AF_UNIX)
		return autobind(t, u);
	int err = validate_addr(addr, len);
	if (err)
		return err;
	if (sun->sun_path[0])
		return bind_bsd(u, addr, len, hdir, umask);
	if (u->addr_len)
		return -EINVAL;
	if (find_abstract(net_of(t, u), u->type, addr, len))
		return -EADDRINUSE;
	hash_abstract(u, net_of(t, u), addr, len);
	return 0;
}

/* unix_find_other: the socket a name refers to (borrowed), or -errno. */
static int find_other(struct task *t, const struct unix_sock *u, const void *addr, int len,
		      int hdir, int type, struct unix_sock **out)
{
	const struct sockaddr_un *sun = addr;
	if (!sun->sun_path[0]) {
		*out = find_abstract(net_of(t, u), type, addr, len);
		return *out ? 0 : -ECONNREFUSED;
	}
	char path[UNIX_ADDR_MAX + 1];
	mkname_bsd(addr, len, path);
	struct stat st;
	long r = RR_SYS(fstatat(hdir, path, &st, 0));
	if (r)
		return (int)r;
	rr_bytes(&st, sizeof(st));
	if (!S_ISSOCK(st.st_mode))
		return -ECONNREFUSED;
	for (struct unix_sock *s = bound; s; s = s->next_bound)
		if (s->bsd && s->dev == st.st_dev && s->bsd_ino == st.st_ino) {
			if (s->type != type)
				return -EPROTOTYPE;
			*out = s;
			return 0;
		}
	return -ECONNREFUSED;
}

int unix_getname(struct unix_sock *u, void *addr, bool peer)
{
	if (peer) {
		u = u->peer;
		if (!u)
			return -ENOTCONN;
	}
	if (!u->addr_len) {
		struct sockaddr_un *sun = addr;
		sun->sun_family = AF_UNIX;
		sun->sun_path[0] = 0;
		return (int)offsetof(struct sockaddr_un, sun_path);
	}
	memcpy(addr, u->addr, u->addr_len);
	return u->addr_len;
}

/* ---- connections ---- */

int unix_listen(struct task *t, struct unix_sock *u, int backlog)
{
	if (u->type != SOCK_STREAM && u->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (!u->addr_len)
		return -EINVAL; /* no listens on an unbound socket */
	if (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN)
		return -EINVAL;
	/* __sys_listen: the backlog is capped at net.core.somaxconn. */
	if ((unsigned)backlog > SOMAXCONN_MODEL)
		backlog = SOMAXCONN_MODEL;
	if (backlog > u->max_ack_backlog)
		sk_changed(u); /* connectors waiting for room may go on */
	u->max_ack_backlog = backlog;
	u->state = UNIX_LISTEN;
	init_peercred(u, t); /* what connect copies */
	return 0;
}

static bool recvq_full(const struct unix_sock *u)
{
	return u->qlen > u->max_ack_backlog;
}

/* unix_may_send: @other is not connected, or connected to @u. */
static bool may_send(struct unix_sock *u, struct unix_sock *other)
{
	return !other->peer || other->peer == u;
}

/* unix_dgram_disconnected: @u left @other: its queue (from the old peer)
 * goes, and @other, still connected to @u, sees ECONNRESET. */
static void dgram_disconnected(struct unix_sock *u, struct unix_sock *other)
{
	if (!u->head)
		return;
	purge_queue(u);
	sk_changed(u);
	if (!other->dead && other->peer == u) {
		other->err = ECONNRESET;
		sk_changed(other);
	}
}

static int dgram_connect(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir)
{
	struct unix_sock *other = NULL;
	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (((const struct sockaddr *)addr)->sa_family != AF_UNSPEC) {
		int err = validate_addr(addr, len);
		if (err)
			return err;
		if (u->passcred && !u->addr_len && (err = autobind(t, u)))
			return err;
		if ((err = find_other(t, u, addr, len, hdir, u->type, &other)))
			return err;
		if (!may_send(u, other))
			return -EPERM;
		u->state = UNIX_ESTABLISHED;
		other->state = UNIX_ESTABLISHED;
	}
	struct unix_sock *old = u->peer;
	u->peer = other ? sock_hold(other) : NULL;
	if (old) {
		if (!other)
			u->state = UNIX_CLOSE;
		sk_changed(u);
		if (other != old) {
			dgram_disconnected(u, old);
			if (!old->peer)
				old->state = UNIX_CLOSE;
		}
		sock_put(old);
	}
	return 0;
}

/* unix_stream_connect: an embryo socket for the server side, queued on the
 * listener as an skb until accept takes it; the connector is connected at
 * once (data it sends waits in the embryo). */
static int stream_connect(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir,
			  bool nonblock, const void **wait)
{
	int err = validate_addr(addr, len);
	if (err)
		return err;
	if (u->passcred && !u->addr_len && (err = autobind(t, u)))
		return err;
	struct unix_sock *other;
	if ((err = find_other(t, u, addr, len, hdir, u->type, &other)))
		return err;
	if (other->state != UNIX_LISTEN || (other->shutdown & RCV_SHUTDOWN))
		return -ECONNREFUSED;
	if (recvq_full(other)) {
		if (nonblock || u->sndtimeo_ns < 0)
			return -EAGAIN;
		*wait = other; /* unix_wait_for_peer: until accept makes room */
		return -EAGAIN;
	}
	if (u->state != UNIX_CLOSE)
		return u->state == UNIX_ESTABLISHED ? -EISCONN : -EINVAL;
	struct unix_sock *newsk = unix_create1(u->type);
	if (!newsk)
		return -ENOMEM;
	struct unix_skb *skb = skb_alloc(newsk, 0);
	if (!skb) {
		sock_put(newsk);
		return -ENOMEM;
	}
	newsk->embryo = true;
	newsk->sk_net_inum = u->sk_net_inum;
	newsk->peer = sock_hold(u);
	newsk->state = UNIX_ESTABLISHED;
	init_peercred(newsk, t);
	/* The accepted socket is named as the listener. */
	memcpy(newsk->addr, other->addr, other->addr_len);
	newsk->addr_len = other->addr_len;
	copy_peercred(u, other);
	u->state = UNIX_ESTABLISHED;
	u->peer = sock_hold(newsk);
	queue_tail(other, skb); /* the skb holds the embryo; newsk's own ref too */
	sk_changed(u);
	sk_changed(other);
	return 0;
}

int unix_connect(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir,
		 bool nonblock, const void **wait)
{
	*wait = NULL;
	if (u->type == SOCK_DGRAM)
		return dgram_connect(t, u, addr, len, hdir);
	return stream_connect(t, u, addr, len, hdir, nonblock, wait);
}

int unix_accept(struct unix_sock *u, bool nonblock, struct unix_sock **out, const void **wait)
{
	*wait = NULL;
	if (u->type != SOCK_STREAM && u->type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (u->state != UNIX_LISTEN)
		return -EINVAL;
	/* skb_recv_datagram on the listener's queue. */
	if (u->err) {
		int e = u->err;
		u->err = 0;
		return -e;
	}
	struct unix_skb *skb = dequeue(u);
	if (!skb) {
		if (u->shutdown & RCV_SHUTDOWN)
			return nonblock ? -EAGAIN : -EINVAL;
		if (!nonblock)
			*wait = u;
		return -EAGAIN;
	}
	struct unix_sock *tsk = skb->owner;
	sock_hold(tsk);
	skb_free(skb);
	sk_changed(u); /* room in the backlog */
	tsk->embryo = false;
	tsk->passcred = u->passcred; /* unix_sock_inherit_flags */
	*out = tsk;		     /* the embryo's own reference becomes the new file's */
	sock_put(tsk);
	return 0;
}

int unix_shutdown(struct unix_sock *u, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	int mode = how + 1; /* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN */
	u->shutdown |= mode;
	sk_changed(u);
	struct unix_sock *other = u->peer;
	if (other && (u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET)) {
		int peer_mode = 0;
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		sk_changed(other);
	}
	return 0;
}

/* ---- sending ---- */

/* sock_alloc_send_pskb's wait: 0 when @u may allocate, else -errno
 * (-EAGAIN with m->wait set when it may sleep for room). */
static int wait_for_wmem(struct unix_sock *u, struct unix_msg *m)
{
	if (u->err) {
		int e = u->err;
		u->err = 0;
		return -e;
	}
	if (u->shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	if (u->wmem < (size_t)u->sndbuf)
		return 0;
	if (!(m->flags & MSG_DONTWAIT) && u->sndtimeo_ns >= 0)
		m->wait = u;
	return -EAGAIN;
}

static long dgram_sendmsg(struct task *t, struct unix_sock *u, struct unix_msg *m)
{
	struct unix_sock *other = NULL;
	const void *name = m->name;
	int err;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen) {
		if ((err = validate_addr(name, m->namelen)))
			return err;
	} else {
		name = NULL;
	}
	if (u->passcred && !u->addr_len && (err = autobind(t, u)))
		return err;
	if (m->len > (size_t)u->sndbuf - 32)
		return -EMSGSIZE;
	if ((err = wait_for_wmem(u, m)))
		return err;
	/* The bytes are copied before the destination is looked at: a bad
	 * buffer is EFAULT whatever the destination, even with no peer
	 * (unix_dgram_sendmsg since Linux 6.x: ENOTCONN after the copy). */
	struct unix_skb *skb = skb_alloc(u, m->len);
	if (!skb)
		return -ENOMEM;
	long ret = -EFAULT;
	if (iov_copy(m->iov, m->iovcnt, 0, skb->data, m->len, false) < m->len)
		goto out_free;
lookup:
	if (name) {
		if ((ret = find_other(t, u, name, m->namelen, m->hdir, u->type, &other)))
			goto out_free;
	} else {
		ret = -ENOTCONN;
		if (!(other = u->peer))
			goto out_free;
	}
	ret = -EPERM;
	if (!may_send(u, other))
		goto out_free;
	if (other->dead) {
		/* A datagram peer that closed: forget it (ECONNREFUSED once,
		 * ENOTCONN from then on); a named destination is looked up again. */
		ret = -EPIPE;
		if (u->type == SOCK_SEQPACKET)
			goto out_free;
		if (u->peer == other) {
			u->peer = NULL;
			u->state = UNIX_CLOSE;
			sk_changed(u);
			dgram_disconnected(u, other);
			sock_put(other);
			ret = -ECONNREFUSED;
			goto out_free;
		}
		ret = -ECONNRESET;
		if (!name)
			goto out_free;
		goto lookup;
	}
	ret = -EPIPE;
	if (other->shutdown & RCV_SHUTDOWN)
		goto out_free;
	/* A receiver not connected back to us takes max_dgram_qlen datagrams. */
	if (other != u && other->peer != u && recvq_full(other)) {
		if (!(m->flags & MSG_DONTWAIT) && u->sndtimeo_ns >= 0)
			m->wait = other;
		ret = -EAGAIN;
		goto out_free;
	}
	scm_to_skb(&m->scm, skb, true);
	maybe_add_creds(t, skb, u, other);
	queue_tail(other, skb);
	sk_changed(other);
	return (long)m->len;
out_free:
	skb_free(skb);
	return ret;
}

static long stream_sendmsg(struct task *t, struct unix_sock *u, struct unix_msg *m)
{
	size_t sent = m->done;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen)
		return u->state == UNIX_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
	struct unix_sock *other = u->peer;
	if (!other)
		return -ENOTCONN;
	if (!sent && (u->shutdown & SEND_SHUTDOWN)) {
		if (!(m->flags & MSG_NOSIGNAL))
			signal_send(t, SIGPIPE);
		return -EPIPE;
	}
	while (sent < m->len) {
		size_t size = m->len - sent;
		size_t cap = (size_t)(u->sndbuf >> 1) - 64; /* two messages in the pipe */
		if (size > cap)
			size = cap;
		if (size > SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ)
			size = SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ;
		int err = wait_for_wmem(u, m);
		if (err) {
			m->done = sent;
			if (err == -EAGAIN && m->wait)
				return -EAGAIN;
			return sent ? (long)sent : err;
		}
		if (other->dead || (other->shutdown & RCV_SHUTDOWN)) {
			if (!sent && !(m->flags & MSG_NOSIGNAL))
				signal_send(t, SIGPIPE);
			return sent ? (long)sent : -EPIPE;
		}
		struct unix_skb *skb = skb_alloc(u, size);
		if (!skb)
			return sent ? (long)sent : -ENOMEM;
		if (iov_copy(m->iov, m->iovcnt, sent, skb->data, size, false) < size) {
			skb_free(skb); /* a bad buffer: what went before stays sent */
			m->done = sent;
			return sent ? (long)sent : -EFAULT;
		}
		/* The files go with the first bytes of the call only. */
		scm_to_skb(&m->scm, skb, m->done == 0 && sent == 0);
		maybe_add_creds(t, skb, u, other);
		queue_tail(other, skb);
		sk_changed(other);
		sent += size;
	}
	m->done = sent;
	return (long)sent;
}

long unix_sendmsg(struct task *t, struct unix_sock *u, struct unix_msg *m)
{
	m->wait = NULL;
	switch (u->type) {
	case SOCK_STREAM:
		return stream_sendmsg(t, u, m);
	case SOCK_SEQPACKET:
		if (u->err) {
			int e = u->err;
			u->err = 0;
			return -e;
		}
		if (u->state != UNIX_ESTABLISHED)
			return -ENOTCONN;
		m->namelen = 0;
		return dgram_sendmsg(t, u, m);
	default:
		return dgram_sendmsg(t, u, m);
	}
}

long unix_splice_room(struct task *t, struct unix_sock *u)
{
	if (u->type != SOCK_STREAM)
		return -EINVAL;
	struct unix_sock *other = u->peer;
	if (!other)
		return -ENOTCONN;
	if (u->err) {
		int e = u->err;
		u->err = 0;
		return -e;
	}
	if ((u->shutdown & SEND_SHUTDOWN) || other->dead || (other->shutdown & RCV_SHUTDOWN)) {
		signal_send(t, SIGPIPE);
		return -EPIPE;
	}
	if (u->wmem >= (size_t)u->sndbuf)
		return 0;
	size_t cap = (size_t)(u->sndbuf >> 1) - 64;
	if (cap > SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ)
		cap = SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ;
	return (long)cap;
}

/* ---- receiving ---- */

static void copy_addr(struct unix_msg *m, struct unix_sock *from)
{
	m->addrlen = from->addr_len;
	if (from->addr_len)
		memcpy(m->addr, from->addr, from->addr_len);
}

static void set_creds(struct scm_cookie *scm, const struct unix_skb *skb)
{
	task_put(scm->pid);
	scm->pid = skb->pid ? task_get(skb->pid) : NULL;
	scm->uid = skb->uid;
	scm->gid = skb->gid;
}

/* The skb's files: moved to @scm, or (MSG_PEEK) duplicated. */
static int take_fds(struct scm_cookie *scm, struct unix_skb *skb, bool peek)
{
	if (!skb->nfp)
		return 0;
	if (peek) {
		struct file **fp = malloc(skb->nfp * sizeof(*fp));
		if (!fp)
			return -ENOMEM;
		for (int i = 0; i < skb->nfp; i++)
			fp[i] = file_get(skb->fp[i]);
		scm->fp = fp;
		scm->nfp = skb->nfp;
		return 0;
	}
	scm->fp = skb->fp;
	scm->nfp = skb->nfp;
	skb->fp = NULL;
	skb->nfp = 0;
	return 0;
}

static long dgram_recvmsg(struct unix_sock *u, struct unix_msg *m)
{
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* __skb_try_recv_datagram / __skb_wait_for_more_packets */
	if (u->err) {
		int e = u->err;
		u->err = 0;
		return -e;
	}
	struct unix_skb *skb = u->head;
	if (!skb) {
		bool nonblock = (m->flags & MSG_DONTWAIT) || u->rcvtimeo_ns < 0;
		if (nonblock) {
			/* EOF on a disconnected non-blocking SEQPACKET socket. */
			if (u->type == SOCK_SEQPACKET && (u->shutdown & RCV_SHUTDOWN))
				return 0;
			return -EAGAIN;
		}
		if (u->shutdown & RCV_SHUTDOWN)
			return 0;
		if (u->type == SOCK_SEQPACKET && u->state != UNIX_ESTABLISHED)
			return -ENOTCONN;
		m->wait = u;
		return -EAGAIN;
	}
	copy_addr(m, skb->owner);
	size_t size = m->len;
	if (size > skb->len)
		size = skb->len;
	else if (size < skb->len)
		m->msg_flags |= MSG_TRUNC;
	bool peek = m->flags & MSG_PEEK;
	if (iov_copy(m->iov, m->iovcnt, 0, skb->data, size, true) < size) {
		/* skb_copy_datagram_msg failed: the bytes before the fault are
		 * stored, the datagram (and its files) is gone unless peeked. */
		if (!peek) {
			dequeue(u);
			skb_free(skb);
			sk_changed(u);
		}
		return -EFAULT;
	}
	set_creds(&m->scm, skb);
	if (take_fds(&m->scm, skb, peek))
		return -ENOMEM;
	m->passcred = u->passcred;
	long ret = (m->flags & MSG_TRUNC) ? (long)skb->len : (long)size;
	if (!peek) {
		dequeue(u);
		skb_free(skb);
		sk_changed(u); /* room for senders waiting on our queue */
	}
	return ret;
}

static bool same_creds(const struct unix_skb *skb, const struct scm_cookie *scm)
{
	return skb->pid == scm->pid && skb->uid == scm->uid && skb->gid == scm->gid;
}

/* unix_stream_read_generic */
static long stream_recvmsg(struct unix_sock *u, struct unix_msg *m)
{
	if (u->state != UNIX_ESTABLISHED)
		return -EINVAL;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	bool peek = m->flags & MSG_PEEK;
	bool nonblock = (m->flags & MSG_DONTWAIT) || u->rcvtimeo_ns < 0;
	size_t copied = m->done, size = m->len - m->done;
	size_t target = (m->flags & MSG_WAITALL)       ? m->len
			: (size_t)u->rcvlowat < m->len ? (size_t)u->rcvlowat
						       : m->len;
	if (!target)
		target = 1;
	bool check_creds = false, addr_done = false;
	long err = 0;
	do {
		struct unix_skb *skb = u->head;
	again:
		if (!skb) {
			if (copied >= target)
				break;
			if (u->err) {
				err = -u->err;
				u->err = 0;
				break;
			}
			if (u->shutdown & RCV_SHUTDOWN)
				break;
			if (nonblock) {
				err = -EAGAIN;
				break;
			}
			m->done = copied;
			m->wait = u;
			return -EAGAIN;
		}
		if (check_creds) {
			/* Never glue messages from different writers. */
			if (!same_creds(skb, &m->scm))
				break;
		} else if (u->passcred) {
			set_creds(&m->scm, skb);
			check_creds = true;
		}
		if (!addr_done) {
			copy_addr(m, skb->owner);
			addr_done = true;
		}
		size_t avail = skb->len - skb->consumed;
		size_t chunk = avail < size ? avail : size;
		if (iov_copy(m->iov, m->iovcnt, copied, skb->data + skb->consumed, chunk, true) <
		    chunk) {
			/* unix_stream_read_actor failed: nothing of this skb is
			 * consumed; EFAULT unless bytes came before. */
			err = -EFAULT;
			break;
		}
		copied += chunk;
		size -= chunk;
		if (!peek) {
			skb->consumed += chunk;
			/* The files come with the first byte read of their skb;
			 * the read stops after that skb (so never two sets). */
			bool had_fds = skb->nfp != 0;
			if (had_fds)
				take_fds(&m->scm, skb, false);
			if (skb->consumed < skb->len)
				break;
			dequeue(u);
			skb_free(skb);
			sk_changed(u);
			if (had_fds)
				break;
		} else {
			if (skb->nfp) {
				if (!m->scm.nfp && take_fds(&m->scm, skb, true))
					return copied ? (long)copied : -ENOMEM;
				break;
			}
			skb = skb->next;
			if (skb)
				goto again;
			break;
		}
	} while (size);
	m->passcred = u->passcred;
	m->done = copied;
	return copied ? (long)copied : err;
}

long unix_recvmsg(struct task *t, struct unix_sock *u, struct unix_msg *m)
{
	m->wait = NULL;
	m->addrlen = 0;
	m->msg_flags = 0;
	switch (u->type) {
	case SOCK_STREAM:
		return stream_recvmsg(u, m);
	case SOCK_SEQPACKET:
		if (u->state != UNIX_ESTABLISHED)
			return -ENOTCONN;
		return dgram_recvmsg(u, m);
	default:
		return dgram_recvmsg(u, m);
	}
}

/* ---- readiness, ioctl ---- */

static bool writable(const struct unix_sock *u)
{
	return u->state != UNIX_LISTEN && u->wmem * 4 <= (size_t)u->sndbuf;
}

/* unix_poll and unix_dgram_poll */
short unix_poll(struct unix_sock *u, short events)
{
	short mask = 0;
	bool conn = u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (u->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->head)
		mask |= POLLIN | POLLRDNORM;
	if (conn && u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	bool w = writable(u);
	if (w && u->type != SOCK_STREAM) {
		struct unix_sock *other = u->peer;
		if (other && other->peer != u && recvq_full(other) && !other->dead)
			w = false;
	}
	if (w)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

int unix_inq_len(struct unix_sock *u, int *val)
{
	if (u->state == UNIX_LISTEN)
		return -EINVAL;
	long amount = 0;
	if (u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET) {
		for (struct unix_skb *skb = u->head; skb; skb = skb->next)
			amount += (long)(skb->len - skb->consumed);
	} else if (u->head) {
		amount = (long)u->head->len;
	}
	*val = (int)amount;
	return 0;
}

int unix_outq_len(struct unix_sock *u, int *val)
{
	*val = (int)u->wmem;
	return 0;
}

/* ---- socket options (net/core/sock.c sk_getsockopt / sk_setsockopt) ---- */

struct kernel_timeval {
	int64_t tv_sec, tv_usec;
};

static int put_timeo(int64_t ns, void *val, int *len)
{
	struct kernel_timeval tv = {0, 0};
	if (ns > 0) {
		tv.tv_sec = ns / 1000000000;
		tv.tv_usec = ns % 1000000000 / 1000;
	}
	if (*len > (int)sizeof(tv))
		*len = sizeof(tv);
	memcpy(val, &tv, *len);
	return 0;
}

int unix_getsockopt(struct task *t, struct unix_sock *u, int name, void *val, int *len)
{
	int v = 0;
	if (*len < 0)
		return -EINVAL;
	switch (name) {
	case SO_TYPE:
		v = u->type;
		break;
	case SO_DOMAIN:
		v = AF_UNIX;
		break;
	case SO_PROTOCOL:
		v = 0;
		break;
	case SO_ERROR:
		v = u->err;
		u->err = 0;
		break;
	case SO_ACCEPTCONN:
		v = u->state == UNIX_LISTEN;
		break;
	case SO_SNDBUF:
		v = u->sndbuf;
		break;
	case SO_RCVBUF:
		v = u->rcvbuf;
		break;
	case SO_PASSCRED:
		v = u->passcred;
		break;
	case SO_REUSEADDR:
		v = u->reuseaddr;
		break;
	case SO_REUSEPORT:
		v = u->reuseport;
		break;
	case SO_KEEPALIVE:
		v = u->keepalive;
		break;
	case SO_BROADCAST:
		v = u->broadcast;
		break;
	case SO_DONTROUTE:
		v = u->dontroute;
		break;
	case SO_OOBINLINE:
		v = u->oobinline;
		break;
	case SO_PRIORITY:
		v = u->priority;
		break;
	case SO_RCVLOWAT:
		v = u->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v = 1;
		break;
	case SO_PEEK_OFF:
		v = -1; /* not modeled: always "off" */
		break;
	case SO_PASSSEC:
		v = 0;
		break;
	case SO_LINGER: {
		int lg[2] = {u->linger_onoff, u->linger_secs};
		if (*len > (int)sizeof(lg))
			*len = sizeof(lg);
		memcpy(val, lg, *len);
		return 0;
	}
	case SO_RCVTIMEO_OLD:
		return put_timeo(u->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO_OLD:
		return put_timeo(u->sndtimeo_ns, val, len);
	case SO_PEERCRED: {
		/* cred_to_ucred: pid as our namespace sees it, effective ids. */
		struct {
			int32_t pid;
			uint32_t uid, gid;
		} uc = {0, INVALID_ID, INVALID_ID};
		if (u->peer_pid)
			uc.pid = task_pid_nr_ns(u->peer_pid, t->pid_ns);
		if (u->peer_cred) {
			uc.uid = from_kuid_munged(t, u->peer_cred->euid);
			uc.gid = from_kgid_munged(t, u->peer_cred->egid);
		}
		if (*len > (int)sizeof(uc))
			*len = sizeof(uc);
		memcpy(val, &uc, *len);
		return 0;
	}
	case SO_PEERGROUPS: {
		if (!u->peer_cred)
			return -ENODATA;
		const struct group_info *gi = u->peer_cred->group_info;
		int n = gi ? gi->ngroups : 0;
		if (*len < n * (int)sizeof(uint32_t)) {
			*len = n * (int)sizeof(uint32_t);
			return -ERANGE;
		}
		for (int i = 0; i < n; i++) {
			uint32_t g = from_kgid_munged(t, gi->gid[i]);
			memcpy((uint8_t *)val + i * sizeof(g), &g, sizeof(g));
		}
		*len = n * (int)sizeof(uint32_t);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (*len > (int)sizeof(int))
		*len = sizeof(int);
	memcpy(val, &v, *len);
	return 0;
}

/* sock_set_timeout: an old struct timeval; a negative time means "do not
 * block" (Linux's timeout 0), zero means forever. */
static int set_timeo(int64_t *ns, const void *val, int len)
{
	struct kernel_timeval tv;
	if (len < (int)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = -1;
		return 0;
	}
	*ns = tv.tv_sec * 1000000000ll + tv.tv_usec * 1000;
	return 0;
}

int unix_setsockopt(struct task *t, struct unix_sock *u, int name, const void *val, int len)
{
	if (name == SO_RCVTIMEO_OLD)
		return set_timeo(&u->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO_OLD)
		return set_timeo(&u->sndtimeo_ns, val, len);
	if (name == SO_LINGER) {
		int lg[2];
		if (len < (int)sizeof(lg))
			return -EINVAL;
		memcpy(lg, val, sizeof(lg));
		u->linger_onoff = lg[0] != 0;
		u->linger_secs = lg[1];
		return 0;
	}
	int v;
	if (len < (int)sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	bool b = v != 0;
	switch (name) {
	case SO_SNDBUF: {
		unsigned x = (unsigned)v < (unsigned)sysctl.wmem_max ? (unsigned)v
								     : (unsigned)sysctl.wmem_max;
		u->sndbuf = (int)x * 2 > SOCK_MIN_SNDBUF ? (int)x * 2 : SOCK_MIN_SNDBUF;
		sk_changed(u); /* sk_write_space */
		return 0;
	}
	case SO_RCVBUF: {
		unsigned x = (unsigned)v < (unsigned)sysctl.rmem_max ? (unsigned)v
								     : (unsigned)sysctl.rmem_max;
		u->rcvbuf = (int)x * 2 > SOCK_MIN_RCVBUF ? (int)x * 2 : SOCK_MIN_RCVBUF;
		return 0;
	}
	case SO_PASSCRED:
		u->passcred = b;
		return 0;
	case SO_REUSEADDR:
		u->reuseaddr = b;
		return 0;
	case SO_REUSEPORT:
		u->reuseport = b;
		return 0;
	case SO_KEEPALIVE:
		u->keepalive = b;
		return 0;
	case SO_BROADCAST:
		u->broadcast = b;
		return 0;
	case SO_DONTROUTE:
		u->dontroute = b;
		return 0;
	case SO_OOBINLINE:
		u->oobinline = b;
		return 0;
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !capable(t, CAP_NET_ADMIN))
			return -EPERM;
		u->priority = v;
		return 0;
	case SO_RCVLOWAT:
		u->rcvlowat = v < 0 ? 0x7fffffff : v ? v : 1;
		return 0;
	case SO_PASSSEC:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}
