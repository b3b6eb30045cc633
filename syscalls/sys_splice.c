/* Moving data between two files inside the kernel: splice and tee
 * (fs/splice.c), sendfile and copy_file_range (fs/read_write.c), also into
 * and out of the model's stream sockets (splice_to_socket). The data
 * goes through a bounce buffer and never more than the destination takes
 * without blocking, so a call that must wait waits before it has consumed
 * anything (and is retried), and one that moved data returns the count. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#define CHUNK 65536
#ifndef SPLICE_F_NONBLOCK
#define SPLICE_F_NONBLOCK 0x02
#endif
#define SPLICE_F_ALL 0x0f /* MOVE, NONBLOCK, MORE, GIFT */

static bool is_pipe(const struct file *f)
{
	if (f->kind == FILE_PIPE)
		return true;
	struct stat st;
	return f->kind == FILE_HOST && !f->is_regular && !fstat(f->host_fd, &st) &&
	       S_ISFIFO(st.st_mode);
}

static bool nonblocking(const struct file *f)
{
	if (f->kind == FILE_PIPE || f->kind == FILE_SOCKET)
		return f->flags & O_NONBLOCK;
	long fl = f->kind == FILE_HOST ? RR_SYS(fcntl(f->host_fd, F_GETFL)) : 0;
	return fl > 0 && (fl & O_NONBLOCK);
}

/* How many bytes @out takes now: > 0; 0 when it would block; -errno. */
static long room(struct task *t, struct file *out)
{
	switch (out->kind) {
	case FILE_PIPE:
		if (!out->write_end && !out->pipe_rdwr)
			return -EBADF;
		if (!out->pipe->readers) {
			signal_send(t, SIGPIPE);
			return -EPIPE;
		}
		return (long)(out->pipe->size - out->pipe->len);
	case FILE_SOCKET:
		return unix_splice_room(t, out->sk);
	case FILE_HOST: {
		if (out->is_regular)
			return CHUNK;
		struct pollfd pfd = {out->host_fd, POLLOUT, 0};
		/* Ready for writing: a pipe then has PIPE_BUF free at least. */
		return host_poll_now(&pfd) > 0 ? PIPE_BUF_ATOMIC : 0;
	}
	default:
		return -EINVAL;
	}
}

/* Wait until @out takes data, or -EAGAIN when we may not block. */
static long wait_room(struct task *t, struct file *out, bool nonblock)
{
	if (nonblock || nonblocking(out))
		return -EAGAIN;
	if (out->kind == FILE_PIPE)
		return sleep_on(t, out->pipe, "splice write");
	if (out->kind == FILE_SOCKET) /* until its own queued skbs are read */
		return sleep_on(t, out->sk, "splice write");
	long w = host_wait_ready(t, out, false);
	return w ? w : -EAGAIN;
}

/* Read up to @n bytes of @in (at @off >= 0, else at its position). */
static long kread(struct task *t, struct file *in, void *buf, size_t n, int64_t off, bool nonblock)
{
	struct iovec iov = {buf, n};
	switch (in->kind) {
	case FILE_PIPE: {
		if (in->write_end)
			return -EBADF;
		long r = pipe_read(in->pipe, &iov, 1);
		if (r == -EAGAIN && !nonblock && !(in->flags & O_NONBLOCK))
			return sleep_on(t, in->pipe, "splice read");
		return r;
	}
	case FILE_HOST:
		if (!nonblock) {
			long w = host_wait_ready(t, in, true);
			if (w)
				return w;
		} else if (!in->is_regular) {
			struct pollfd pfd = {in->host_fd, POLLIN, 0};
			if (host_poll_now(&pfd) <= 0)
				return -EAGAIN;
		}
		return host_rw(in, &iov, 1, true, off);
	case FILE_SOCKET: {
		/* A receive without control: passed files are dropped. */
		struct unix_msg m = {.iov = &iov, .iovcnt = 1, .len = n};
		m.scm.uid = m.scm.gid = INVALID_ID;
		m.flags = nonblock || (in->flags & O_NONBLOCK) ? MSG_DONTWAIT : 0;
		long r = unix_recvmsg(t, in->sk, &m);
		scm_destroy(&m.scm);
		if (r == -EAGAIN && m.wait)
			return sleep_on(t, m.wait, "splice read");
		return r;
	}
	case FILE_DIR:
		return -EISDIR;
	default:
		return -EINVAL;
	}
}

/* Write all @n bytes (room() said they fit) to @out. */
static long kwrite(struct task *t, struct file *out, void *buf, size_t n, int64_t off)
{
	struct iovec iov = {buf, n};
	if (out->kind == FILE_PIPE)
		return pipe_write(out->pipe, &iov, 1, n);
	if (out->kind == FILE_SOCKET) {
		/* One skb's worth, which room() said fits now. */
		struct unix_msg m = {.iov = &iov, .iovcnt = 1, .len = n, .flags = MSG_DONTWAIT};
		m.scm.uid = m.scm.gid = INVALID_ID;
		long r = unix_sendmsg(t, out->sk, &m);
		scm_destroy(&m.scm);
		return r;
	}
	return host_rw(out, &iov, 1, false, off);
}

/* Move up to @len bytes from @in to @out. @in_off/@out_off: positions to
 * use and advance instead of the files' own (NULL: the file position). */
static long transfer(struct task *t, struct file *in, int64_t *in_off, struct file *out,
		     int64_t *out_off, size_t len, bool nonblock)
{
	if (!len)
		return 0;
	if (len > (size_t)(INT_MAX & ~4095))
		len = INT_MAX & ~4095;
	char *buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	long done = 0, r = 0;
	while ((size_t)done < len) {
		long cap = room(t, out);
		if (cap < 0) {
			r = cap;
			break;
		}
		if (cap == 0) {
			r = done ? 0 : wait_room(t, out, nonblock);
			break;
		}
		size_t n = len - done < (size_t)cap ? len - done : (size_t)cap;
		if (n > CHUNK)
			n = CHUNK;
		/* After the first chunk nothing may block: we have moved data. */
		r = kread(t, in, buf, n, in_off ? *in_off : -1, nonblock || done);
		if (r <= 0)
			break;
		long w = kwrite(t, out, buf, (size_t)r, out_off ? *out_off : -1);
		if (w < 0) {
			r = w;
			break;
		}
		if (in_off)
			*in_off += r;
		if (out_off)
			*out_off += w;
		done += w;
		if (w < r || (size_t)r < n)
			break;
	}
	free(buf);
	if (done)
		return done;
	return r;
}

/* A loff_t argument: read it (0 when the pointer is NULL, *@off untouched). */
static long get_off(struct task *t, uint64_t gp, int64_t *off)
{
	if (!gp)
		return 0;
	if (copy_from_guest(t->mm, off, gp, sizeof(*off)))
		return -EFAULT;
	return *off < 0 ? -EINVAL : 1;
}

/* transfer() with the loff_t pointers of splice and copy_file_range
 * (NULL: the file position; not allowed on a pipe: ESPIPE), written back. */
static long transfer_at(struct task *t, struct file *in, uint64_t gin, bool in_pipe,
			struct file *out, uint64_t gout, bool out_pipe, size_t len, bool nonblock)
{
	int64_t in_off, out_off;
	long hi = get_off(t, gin, &in_off), ho = get_off(t, gout, &out_off);
	if (hi < 0 || ho < 0)
		return hi < 0 ? hi : ho;
	if ((hi && in_pipe) || (ho && out_pipe))
		return -ESPIPE;
	/* do_splice: a socket has no position (no FMODE_PREAD/PWRITE). */
	if ((hi && in->kind == FILE_SOCKET) || (ho && out->kind == FILE_SOCKET))
		return -EINVAL;
	long r = transfer(t, in, hi ? &in_off : NULL, out, ho ? &out_off : NULL, len, nonblock);
	if (r > 0 && hi && put_guest(t->mm, gin, &in_off, sizeof(in_off)))
		return -EFAULT;
	if (r > 0 && ho && put_guest(t->mm, gout, &out_off, sizeof(out_off)))
		return -EFAULT;
	return r;
}

SYS(sendfile)
{
	/* sendfile64: the offset is read first and stored back whatever
	 * do_sendfile said (put_user: EFAULT wins). */
	int64_t off = 0;
	if (a[2] && copy_from_guest(t->mm, &off, a[2], sizeof(off)))
		return -EFAULT;
	bool has = a[2] != 0;
	struct file *out = fget(t, a[0]), *in = fget(t, a[1]);
	long r;
	if (!out || !in)
		r = -EBADF;
	else if (has && off < 0)
		r = -EINVAL;
	else if (has && (in->kind == FILE_PIPE || in->kind == FILE_SOCKET))
		r = -ESPIPE;
	else
		r = transfer(t, in, has ? &off : NULL, out, NULL, a[3], false);
	if (has && put_guest(t->mm, a[2], &off, sizeof(off)))
		return -EFAULT;
	return r;
}

SYS(splice)
{
	struct file *in = fget(t, a[0]), *out = fget(t, a[2]);
	unsigned flags = (unsigned)a[5];
	if (!in || !out)
		return -EBADF;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	bool in_pipe = is_pipe(in), out_pipe = is_pipe(out);
	if (!in_pipe && !out_pipe)
		return -EINVAL;
	if ((in_pipe && a[1]) || (out_pipe && a[3]))
		return -ESPIPE; /* do_splice, before any offset is read */
	if (in->kind == FILE_PIPE && out->kind == FILE_PIPE && in->pipe == out->pipe)
		return -EINVAL;
	return transfer_at(t, in, a[1], in_pipe, out, a[3], out_pipe, a[4],
			   flags & SPLICE_F_NONBLOCK);
}

/* tee: copy what @in's pipe holds into @out's pipe without consuming it.
 * Model pipes only: a host pipe pair has no model-side buffer to peek. */
SYS(tee)
{
	struct file *in = fget(t, a[0]), *out = fget(t, a[1]);
	unsigned flags = (unsigned)a[3];
	if (!in || !out)
		return -EBADF;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (in->kind != FILE_PIPE || out->kind != FILE_PIPE || in->pipe == out->pipe)
		return -EINVAL;
	if (in->write_end || (!out->write_end && !out->pipe_rdwr))
		return -EBADF;
	struct pipe *p = in->pipe;
	size_t len = a[2];
	if (!len)
		return 0;
	if (!p->len) {
		if (!p->writers)
			return 0;
		if ((flags & SPLICE_F_NONBLOCK) || (in->flags & O_NONBLOCK))
			return -EAGAIN;
		return sleep_on(t, p, "tee read");
	}
	long cap = room(t, out);
	if (cap <= 0)
		return cap < 0 ? cap : wait_room(t, out, flags & SPLICE_F_NONBLOCK);
	size_t n = p->len < len ? p->len : len;
	if (n > (size_t)cap)
		n = (size_t)cap;
	/* The ring may wrap: at most two pieces. */
	size_t first = p->size - p->head < n ? p->size - p->head : n;
	struct iovec iov[2] = {{p->buf + p->head, first}, {p->buf, n - first}};
	return pipe_write(out->pipe, iov, n > first ? 2 : 1, n);
}

SYS(copy_file_range)
{
	struct file *in = fget(t, a[0]), *out = fget(t, a[2]);
	if (!in || !out)
		return -EBADF;
	int64_t o; /* the offsets are read before vfs_copy_file_range checks flags */
	if ((a[1] && copy_from_guest(t->mm, &o, a[1], sizeof(o))) ||
	    (a[3] && copy_from_guest(t->mm, &o, a[3], sizeof(o))))
		return -EFAULT;
	if (a[5])
		return -EINVAL;
	if (in->kind != FILE_HOST || out->kind != FILE_HOST || !in->is_regular || !out->is_regular)
		return in->kind == FILE_DIR || out->kind == FILE_DIR ? -EISDIR : -EINVAL;
	return transfer_at(t, in, a[1], false, out, a[3], false, a[4], false);
}
