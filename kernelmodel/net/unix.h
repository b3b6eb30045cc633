/* AF_UNIX sockets inside the model (net/unix/af_unix.c): SOCK_STREAM,
 * SOCK_DGRAM and SOCK_SEQPACKET between emulated processes, never through
 * host sockets.
 *
 * A struct unix_sock is Linux's struct unix_sock and the struct socket
 * around it in one: type, state, peer, a receive queue of skbs (bytes,
 * passed files, the sender's credentials), the backlog of embryo
 * connections of a listener, the peer's credentials (SO_PEERCRED) and the
 * socket options. Memory of queued skbs is charged to their sender
 * (sk_wmem_alloc) until the receiver consumes them: a sender whose
 * SO_SNDBUF is used up blocks or gets EAGAIN, as on Linux; a datagram to a
 * socket that is not connected back also waits while its queue is longer
 * than net.unix.max_dgram_qlen.
 *
 * Names: a path (bind creates the socket file on the host with
 * mknod(S_IFSOCK); connect and sendto stat the path and look the bound
 * socket up by the host file's (dev, ino), so a socket file left behind
 * by a closed socket, or one of a host socket, refuses connections), an
 * abstract name (a leading NUL byte; per network namespace, told apart by
 * its inode number, and per socket type as on Linux), or an autobind name
 * ("\0" and five hex digits) for an empty address.
 *
 * Nothing here sleeps: an operation that must wait returns -EAGAIN with
 * the channel to sleep on in its wait argument (NULL when the caller asked
 * not to block); the syscall layer (syscalls/sys_socket.c) sleeps on it
 * and runs the call again when woken. Every change of a socket wakes the
 * socket's channel and poll_chan, and bumps its generation (EPOLLET).
 *
 * Not modeled: MSG_OOB (EOPNOTSUPP), SO_PEEK_OFF, SO_PASSPIDFD, the
 * garbage collector for sockets passed inside their own queues (such a
 * cycle leaks, instead of being freed at close).
 */
#ifndef KERNELMODEL_NET_UNIX_H
#define KERNELMODEL_NET_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

struct file;
struct iovec;
struct task;
struct cred;
struct inet_sock;

/* sk_state (include/net/tcp_states.h numbers). */
enum { UNIX_ESTABLISHED = 1, UNIX_CLOSE = 7, UNIX_LISTEN = 10 };
/* sk_shutdown bits. */
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

#define SCM_MAX_FD 253					/* descriptors in one SCM_RIGHTS message */
#define UNIX_ADDR_MAX ((int)sizeof(struct sockaddr_un)) /* 110 */
/* A name is at most UNIX_ADDR_MAX + 1 bytes: a 108-byte path without a NUL
 * is kept with the NUL Linux counts. */

/* What a message carries besides its bytes (struct scm_cookie): the files
 * of SCM_RIGHTS (one reference each) and credentials — a task whose pid
 * the receiver sees in its own namespace (a reference), and kernel uid/gid
 * (INVALID_ID without credentials). */
struct scm_cookie {
	struct file **fp;
	int nfp;
	struct task *pid;
	uint32_t uid, gid;
};

/* Drop what @scm holds (its files and task) and empty it. */
void scm_destroy(struct scm_cookie *scm);

struct unix_skb;

struct unix_sock {
	int refcount; /* the file, each peer pointer to it, each skb it sent, a listener's queue */
	int type;     /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int state;    /* UNIX_CLOSE, UNIX_LISTEN, UNIX_ESTABLISHED */
	int shutdown; /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;      /* sk_err: reported (and cleared) once, as SO_ERROR */
	bool dead;    /* released (SOCK_DEAD): its file is gone */
	bool embryo;  /* a connection not yet accepted (no file yet) */
	uint64_t ino; /* sockfs inode number: fstat, socket:[ino] */
	uint64_t gen; /* bumped on every change (EPOLLET) */
	struct unix_sock *peer; /* a reference */

	/* The name: addr_len 0 when unbound. A listener's name is also its
	 * accepted sockets' (getsockname). Only sockets that bound it
	 * themselves are in the lookup list. */
	int addr_len;
	uint8_t addr[UNIX_ADDR_MAX + 2];
	bool hashed; /* in the lookup list */
	bool bsd;    /* bound to a path: the host file's identity */
	uint64_t dev, bsd_ino;
	uint64_t net_inum; /* abstract: the network namespace */
	uint64_t sk_net_inum; /* sock_net: the namespace it was made in (0: none known) */
	struct unix_sock *next_bound;

	/* The receive queue: data, or a listener's embryo connections. */
	struct unix_skb *head, *tail;
	int qlen;
	int max_ack_backlog; /* listen()'s backlog, else max_dgram_qlen */
	size_t wmem;	     /* truesize of the skbs it sent that are queued */

	/* Options. */
	int sndbuf, rcvbuf, rcvlowat;
	int64_t sndtimeo_ns, rcvtimeo_ns; /* 0: block forever */
	bool passcred, reuseaddr, reuseport, keepalive, broadcast, dontroute, oobinline;
	int priority;
	int linger_onoff, linger_secs;

	/* SO_PEERCRED: who the peer was at connect/socketpair/listen time. */
	struct task *peer_pid;
	struct cred *peer_cred;

	/* An AF_INET/AF_INET6/AF_NETLINK socket of a network namespace of the
	 * model carried by this one (kernelmodel/net/inet_model.h), owned; its
	 * abstract names are apart from AF_UNIX's. NULL for AF_UNIX. */
	struct inet_sock *inet;
};

/* A new unconnected socket (refcount 1, the caller's: the file's).
 * @type is SOCK_STREAM, SOCK_DGRAM (SOCK_RAW becomes it) or SOCK_SEQPACKET;
 * @protocol 0 or PF_UNIX. Returns 0, -EPROTONOSUPPORT, -ESOCKTNOSUPPORT,
 * -ENOMEM. */
int unix_create(int type, int protocol, struct unix_sock **out);
/* The file is gone: disconnect, tell the peer, free the queue, drop the
 * file's reference (unix_release_sock). */
void unix_release(struct unix_sock *u);
/* Join @a and @b back to back; both take @t's credentials. */
void unix_socketpair(struct task *t, struct unix_sock *a, struct unix_sock *b);

/* bind(2): @addr/@len as the guest gave them (len already <= 128). A path
 * is created relative to host directory @hdir (AT_FDCWD or the cwd) with
 * mode 0777 & ~@umask. 0 or -EINVAL, -EADDRINUSE, a host errno. */
int unix_bind(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir,
	      unsigned umask);
int unix_listen(struct task *t, struct unix_sock *u, int backlog);
/* connect(2). -EAGAIN with *@wait set: sleep on it and call again. */
int unix_connect(struct task *t, struct unix_sock *u, const void *addr, int len, int hdir,
		 bool nonblock, const void **wait);
/* accept(2): the connection's socket (a new reference: the new file's).
 * -EAGAIN with *@wait set: sleep and call again. */
int unix_accept(struct unix_sock *u, bool nonblock, struct unix_sock **out, const void **wait);
int unix_shutdown(struct unix_sock *u, int how);
/* getsockname/getpeername: the address into @addr (UNIX_ADDR_MAX + 2 bytes);
 * returns its length or -ENOTCONN. */
int unix_getname(struct unix_sock *u, void *addr, bool peer);

/* One sendmsg/recvmsg. The bytes are @iov (host iovecs over guest memory)
 * of @len in all; @done of them were moved by earlier attempts of the same
 * call (stream sockets only) and is updated. */
struct unix_msg {
	struct iovec *iov;
	int iovcnt;
	size_t len;
	size_t done;
	int flags;	  /* MSG_*, with MSG_DONTWAIT for an O_NONBLOCK file */
	const void *name; /* send: destination (NULL: the peer) */
	int namelen;
	int hdir;	       /* send: where a relative destination path starts */
	struct scm_cookie scm; /* send: what to attach (consumed); recv: what came */
	const void *wait;      /* -EAGAIN: the channel to sleep on (NULL: do not) */
	/* recv results */
	uint8_t addr[UNIX_ADDR_MAX + 2]; /* the sender's name (addrlen 0: none) */
	int addrlen;
	int msg_flags; /* MSG_TRUNC */
	bool passcred; /* the receiver wants SCM_CREDENTIALS */
};

/* sendmsg: the count sent (a stream send may be partial when it would
 * block), -errno (with SIGPIPE sent to @t where Linux sends it), or
 * -EAGAIN with m->wait (sleep, then call again with m->done). */
long unix_sendmsg(struct task *t, struct unix_sock *u, struct unix_msg *m);
/* recvmsg: the count received (or the datagram's length with MSG_TRUNC in
 * flags), 0 at EOF, -errno, or -EAGAIN with m->wait. */
long unix_recvmsg(struct task *t, struct unix_sock *u, struct unix_msg *m);

/* splice/sendfile into a stream socket (splice_to_socket): how many bytes
 * one MSG_DONTWAIT send takes whole now (one skb's worth), 0 when the
 * sender's SO_SNDBUF is used up (sleep on @u), or -ENOTCONN, -EPIPE (with
 * SIGPIPE), the pending error; -EINVAL for other types (not modeled). */
long unix_splice_room(struct task *t, struct unix_sock *u);

/* poll bits (POLLIN ... POLLRDHUP) the socket has now. */
short unix_poll(struct unix_sock *u, short events);
/* SIOCINQ (FIONREAD) and SIOCOUTQ: 0 with *@val, or -EINVAL (listener). */
int unix_inq_len(struct unix_sock *u, int *val);
int unix_outq_len(struct unix_sock *u, int *val);

/* SOL_SOCKET options. @val holds *@len bytes: getsockopt fills it and
 * shortens *@len; setsockopt reads it. 0 or -ENOPROTOOPT, -EINVAL, ... */
int unix_getsockopt(struct task *t, struct unix_sock *u, int name, void *val, int *len);
int unix_setsockopt(struct task *t, struct unix_sock *u, int name, const void *val, int len);

#endif
