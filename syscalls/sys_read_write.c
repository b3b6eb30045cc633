/* Reading and writing (fs/read_write.c): read/write and their vector and
 * positioned forms on model pipes and host files, lseek, fsync. Data moves
 * between host descriptors and guest frames without bounce buffers
 * (mm_pin_iov); a read of an empty pipe sleeps only its task. */
#include <fcntl.h>
#include <sys/inotify.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernelmodel/inotify.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/filemap.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/random.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/tty.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#define MAX_RW_COUNT (INT_MAX & PAGE_MASK)

#define IOV_CHUNK 256 /* host iovecs per readv/writev call */

/* Pipe I/O. Reads return as soon as there is data; writes go on until all
 * is written, sleeping while the pipe is full (progress survives the
 * syscall's restart in t->restart_done). */
static long pipe_rw(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest)
{
	struct iovec iov[IOV_CHUNK];
	bool nonblock = f->flags & O_NONBLOCK;
	size_t done = t->restarting ? t->restart_done : 0;
	if (to_guest == f->write_end && !f->pipe_rdwr)
		return -EBADF;
	if (!count)
		return 0;
	while (done < count) {
		size_t covered;
		int n = mm_pin_iov_prefix(t->mm, buf + done, count - done,
					  to_guest ? MM_WRITE : MM_READ, iov, IOV_CHUNK, &covered);
		if (n < 0)
			return done ? (long)done : n;
		/* A buffer that ends early: pipe_read and pipe_write see the
		 * pipe's state first (empty: 0 or EAGAIN; no reader: EPIPE),
		 * then a copy that comes up short fails the call with nothing
		 * consumed or committed, unless it could all be covered. */
		if (covered < count - done && n < IOV_CHUNK) {
			struct pipe *pp = f->pipe;
			if (to_guest ? pp->len && covered < pp->len
				     : pp->readers && covered < pp->size - pp->len) {
				if (to_guest && !done)
					pipe_peek(pp, iov, n);
				return done ? (long)done : -EFAULT;
			}
		}
		long r = to_guest		  ? pipe_read(f->pipe, iov, n)
			 : (f->flags & O_DIRECT) ? pipe_write_packets(f->pipe, iov, n, count - done)
						 : pipe_write(f->pipe, iov, n, count - done);
		if (r == -EPIPE) {
			signal_send(t, SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		if (r == -EAGAIN) {
			if (nonblock)
				return done ? (long)done : -EAGAIN;
			t->restart_done = done;
			return sleep_on(t, f->pipe, to_guest ? "pipe read" : "pipe write");
		}
		if (to_guest)
			return r;
		done += r;
	}
	return (long)done;
}

/* A host descriptor that may not be ready (tty, host pipe, socket): sleep
 * on it instead of blocking the emulator. */
long host_wait_ready(struct task *t, struct file *f, bool for_read)
{
	if (f->is_regular)
		return 0;
	if (f->rdev) { /* a terminal: background process groups stop here */
		long r = tty_job_control(t, f, for_read);
		if (r)
			return r;
	}
	struct pollfd pfd = {f->host_fd, for_read ? POLLIN : POLLOUT, 0};
	if (host_poll_now(&pfd) != 0)
		return 0; /* ready, or an error the I/O call will report */
	/* A host socket is non-blocking on the host: the guest's flag is ours. */
	long fl = f->hsk ? f->flags : RR_SYS(fcntl(f->host_fd, F_GETFL));
	if (fl < 0 || (fl & O_NONBLOCK))
		return 0;
	return sleep_on_host_fd(t, f->host_fd, pfd.events, for_read ? "read" : "write");
}

/* One host readv/writev (preadv/pwritev at @off >= 0) on @f, recorded or
 * replayed. In replay only the guest's own output to its inherited
 * stdout/stderr really happens. Returns the count or -errno. */
/* The guest's time for a file stamp, or false when the host's own is the
 * guest's (--clock=host) or no host call may be made (replay). */
bool guest_file_time(struct timespec *ts)
{
	if (!clock_is_virtual() || rr_replaying)
		return false;
	clock_read(CLOCK_REALTIME, ts);
	return true;
}

void file_update_time(struct file *f, bool atime_too)
{
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, 0}};
	if (f->kind != FILE_HOST || !f->is_regular || f->host_fd < 0 || !guest_file_time(&ts[1]))
		return;
	if (atime_too)
		ts[0] = ts[1];
	futimens(f->host_fd, ts);
}

void dir_update_time(int hdir, const char *path, bool self)
{
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, 0}};
	char dir[PATH_MAX];
	size_t n = strnlen(path, sizeof(dir));
	if (!n || n == sizeof(dir) || !guest_file_time(&ts[1]))
		return;
	if (self) {
		ts[0] = ts[1];
		utimensat(hdir, path, ts, AT_SYMLINK_NOFOLLOW);
		ts[0].tv_nsec = UTIME_OMIT;
	}
	memcpy(dir, path, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = 0;
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = 0; /* "/x" -> "/", "a/b" -> "a" */
	/* The host refuses (EPERM) where the guest owns neither the directory
	 * nor CAP_FOWNER; the host's stamp stays then. */
	utimensat(hdir, dir, ts, 0);
}

long host_rw(struct file *f, struct iovec *iov, int n, bool to_guest, int64_t off)
{
	long r;
	if (to_guest && random_chrdev(f->rdev) && !random_from_host()) {
		/* /dev/random and /dev/urandom: the seeded stream (urandom_read_iter) */
		size_t total = 0;
		for (int i = 0; i < n; i++) {
			get_random_bytes(iov[i].iov_base, iov[i].iov_len);
			total += iov[i].iov_len;
		}
		return (long)total;
	}
	if (rr_replaying) {
		r = rr_value();
		if (to_guest && r > 0)
			rr_iov(iov, n, (size_t)r);
		else if (!to_guest && f->stdio && f->host_fd >= 0 && r > 0)
			writev(f->host_fd, iov, n);
		return r;
	}
	if (to_guest)
		r = off < 0 ? readv(f->host_fd, iov, n) : preadv(f->host_fd, iov, n, off);
	else
		r = off < 0 ? writev(f->host_fd, iov, n) : pwritev(f->host_fd, iov, n, off);
	if (!to_guest && r > 0) {
		file_update_time(f, false);
		inode_pages_written(f->dev, f->ino); /* code in shared mappings of it */
	}
	r = rr_note(rr_sys_ret(r));
	if (to_guest && r > 0)
		rr_iov(iov, n, (size_t)r);
	if (r > 0 && fsnotify_active())
		fsnotify_file(f, to_guest ? IN_ACCESS : IN_MODIFY);
	return r;
}

/* RLIMIT_FSIZE on a write to a regular file at @off (< 0: the file
 * position, or its end under O_APPEND), generic_write_check_limits: 0
 * with *@count cut to what stays below the limit, or SIGXFSZ and -EFBIG
 * when the write starts at or past it. */
static long write_check_limits(struct task *t, struct file *f, int64_t off, size_t *count)
{
	rlim_t limit = t->signal->rlim[RLIMIT_FSIZE].rlim_cur;
	if (limit == RLIM_INFINITY || !f->is_regular || !*count)
		return 0;
	int64_t pos = off;
	if (pos < 0) {
		long fl = RR_SYS(fcntl(f->host_fd, F_GETFL));
		struct stat st;
		if (fl >= 0 && (fl & O_APPEND)) {
			if (RR_SYS(fstat(f->host_fd, &st)))
				return 0;
			rr_bytes(&st, sizeof(st));
			pos = st.st_size;
		} else {
			pos = RR_SYS(lseek(f->host_fd, 0, SEEK_CUR));
		}
	}
	if (pos < 0)
		return 0;
	if ((uint64_t)pos >= limit) {
		signal_send(t, SIGXFSZ);
		return -EFBIG;
	}
	if (*count > limit - (uint64_t)pos)
		*count = limit - (uint64_t)pos;
	return 0;
}

/* read/write of an anonymous-inode file: its own operations, at @off (< 0:
 * the file position) for one that has a position. */
static long anon_rw(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest,
		    int64_t off)
{
	if (f->aops->rw_at) {
		long r = f->aops->rw_at(t, f, buf, count, off < 0 ? f->f_pos : (uint64_t)off, !to_guest);
		if (off < 0 && r > 0)
			f->f_pos += (uint64_t)r;
		return r;
	}
	if (off >= 0)
		return -ESPIPE;
	long (*op)(struct task *, struct file *, gva_t, size_t) = to_guest ? f->aops->read
									     : f->aops->write;
	return op ? op(t, f, buf, count) : -EINVAL;
}

/* Move up to @count bytes between @f and guest memory at @buf: reads when
 * @to_guest. @off < 0 means the file position. Regular files loop until
 * done (a host call covers IOV_CHUNK iovecs); pipes and ttys make one call,
 * so that a short read never becomes a second, blocking one. */
/* vfs_read/vfs_write's first checks: the open mode (EBADF), then
 * access_ok on the whole buffer (EFAULT), before the file's own code. */
static long rw_mode(struct file *f, bool to_guest)
{
	if (f->kind == FILE_PIPE)
		return to_guest == f->write_end && !f->pipe_rdwr ? -EBADF : 0;
	if (f->kind == FILE_DIR)
		return to_guest ? 0 : -EBADF;
	if (f->kind != FILE_HOST || f->hsk || f->host_fd < 0)
		return 0;
	long fl = RR_SYS(fcntl(f->host_fd, F_GETFL));
	if (fl < 0)
		return 0;
	if (fl & O_PATH)
		return -EBADF;
	int acc = fl & O_ACCMODE;
	return (to_guest ? acc == O_WRONLY : acc == O_RDONLY) ? -EBADF : 0;
}

static long rw_access_ok(struct file *f, gva_t buf, size_t count, bool to_guest)
{
	if (buf + count >= buf && buf + count <= TASK_SIZE)
		return 0;
	long m = rw_mode(f, to_guest);
	return m ? m : -EFAULT;
}

/* Nothing of the buffer could be reached: a read at the end of a regular
 * file is still 0 (filemap_read returns before copying), else EFAULT. */
static long rw_nothing_reached(struct file *f, bool to_guest, int64_t off)
{
	long m = rw_mode(f, to_guest);
	if (m)
		return m;
	if (to_guest && f->kind == FILE_HOST && f->is_regular) {
		char c;
		int64_t pos = off >= 0 ? off : RR_SYS(lseek(f->host_fd, 0, SEEK_CUR));
		if (pos >= 0 && RR_SYS(pread(f->host_fd, &c, 1, pos)) == 0)
			return 0;
	}
	struct stat st;
	if (to_guest && f->kind == FILE_HOST && !f->is_regular && f->host_fd >= 0 &&
	    !fstat(f->host_fd, &st) && S_ISDIR(st.st_mode))
		return -EISDIR; /* generic_read_dir */
	return -EFAULT;
}

static long do_rw(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest,
		  int64_t off)
{
	struct iovec iov[IOV_CHUNK];
	long ok = rw_access_ok(f, buf, count, to_guest);
	if (ok)
		return ok;
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	if (f->kind == FILE_PIPE)
		return off < 0 ? pipe_rw(t, f, buf, count, to_guest) : -ESPIPE;
	if (f->kind == FILE_SOCKET || f->hsk)
		return off < 0 ? sock_rw_buf(t, f, buf, count, to_guest) : -ESPIPE;
	if (f->kind == FILE_DIR)
		return to_guest ? -EISDIR : -EBADF;
	if (f->kind == FILE_EPOLL || f->kind == FILE_PIDFD)
		return -EINVAL;
	if (f->kind == FILE_ANON)
		return anon_rw(t, f, buf, count, to_guest, off);
	/* /dev/null gives and takes nothing and never looks at the buffer
	 * (read_null, write_null): only the open mode is checked. */
	if (f->kind == FILE_HOST && f->rdev == makedev(1, 3)) {
		if (buf > TASK_SIZE || count > TASK_SIZE - buf)
			return -EFAULT; /* vfs_read/vfs_write's access_ok */
		long r = RR_SYS(to_guest ? read(f->host_fd, NULL, 0) : write(f->host_fd, NULL, 0));
		return r < 0 ? r : to_guest ? 0 : (long)count;
	}
	long w = host_wait_ready(t, f, to_guest);
	if (w)
		return w;
	if (!to_guest && (w = write_check_limits(t, f, off, &count)))
		return w;
	bool loop = count > PAGE_SIZE * (IOV_CHUNK / 2) && f->is_regular;
	long done = 0;
	do {
		size_t covered;
		int n = mm_pin_iov_prefix(t->mm, buf + done, count - done,
					  to_guest ? MM_WRITE : MM_READ, iov, IOV_CHUNK, &covered);
		if (n < 0)
			return done ? done : n;
		if (!covered && count > (size_t)done) /* the copy stops at the first fault */
			return done ? done : rw_nothing_reached(f, to_guest, off);
		long r = host_rw(f, iov, n, to_guest, off < 0 ? -1 : off + done);
		if (r == -EPIPE && !to_guest)
			signal_send(t, SIGPIPE); /* a host pipe without readers */
		if (r < 0)
			return done ? done : r;
		done += r;
		if ((size_t)r < covered)
			break;
	} while (loop && (size_t)done < count);
	return done;
}

SYS(read)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	return do_rw(t, f, a[1], a[2], true, -1);
}

SYS(write)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	return do_rw(t, f, a[1], a[2], false, -1);
}

SYS(pread64)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_PIPE || f->kind == FILE_SOCKET || f->hsk)
		return -ESPIPE; /* no FMODE_PREAD/PWRITE: before the buffer is looked at */
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, f, a[1], a[2], true, (int64_t)a[3]);
}

SYS(pwrite64)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_PIPE || f->kind == FILE_SOCKET || f->hsk)
		return -ESPIPE; /* no FMODE_PREAD/PWRITE: before the buffer is looked at */
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, f, a[1], a[2], false, (int64_t)a[3]);
}

/* readv/writev on a pipe: one attempt; a full pipe makes the writer sleep
 * and retry from the bytes already written. */
static long pipe_rwv(struct task *t, struct file *f, struct iovec *iov, int n, size_t total,
		     size_t reach, bool to_guest, int vms)
{
	/* vmsplice (@vms: its flags; -1 for readv/writev) waits only without
	 * SPLICE_F_NONBLOCK, whatever O_NONBLOCK says, and a write ends once
	 * what fits is in (vmsplice_to_pipe fills the free slots once). */
	bool nonblock = vms >= 0 ? (vms & SPLICE_F_NONBLOCK) != 0 : (f->flags & O_NONBLOCK) != 0;
	if (to_guest == f->write_end && !f->pipe_rdwr)
		return -EBADF;
	if (!total)
		return 0;
	size_t done = t->restarting ? t->restart_done : 0;
	if (reach < total) { /* as in pipe_rw: a copy that would come up short */
		struct pipe *pp = f->pipe;
		size_t can = reach > done ? reach - done : 0;
		if (to_guest ? pp->len && can < pp->len : pp->readers && can < pp->size - pp->len) {
			if (to_guest && !done)
				pipe_peek(pp, iov, n);
			return done ? (long)done : -EFAULT;
		}
	}
	/* Skip what an earlier attempt already wrote. */
	size_t skip = done;
	while (n && skip >= iov[0].iov_len) {
		skip -= iov[0].iov_len;
		iov++;
		n--;
	}
	if (n) {
		iov[0].iov_base = (char *)iov[0].iov_base + skip;
		iov[0].iov_len -= skip;
	}
	long r = to_guest		  ? pipe_read(f->pipe, iov, n)
		 : (f->flags & O_DIRECT) ? pipe_write_packets(f->pipe, iov, n, total - done)
					 : pipe_write(f->pipe, iov, n, total - done);
	if (r == -EPIPE) {
		signal_send(t, SIGPIPE);
		return done ? (long)done : -EPIPE;
	}
	if (r == -EAGAIN || (!to_guest && vms < 0 && r >= 0 && done + r < total)) {
		if (r > 0)
			done += r;
		if (nonblock)
			return done ? (long)done : -EAGAIN;
		t->restart_done = done;
		return sleep_on(t, f->pipe, to_guest ? "pipe read" : "pipe write");
	}
	return to_guest ? r : (long)(done + r);
}

/* readv/writev family: the guest's iovec array becomes one host iovec list. */
static long do_rwv(struct task *t, const uint64_t *a, bool to_guest, int64_t off, int vms)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	long ret = 0;
	if (vms < 0) {
		ret = rw_mode(f, to_guest);
		if (ret)
			return ret;
		if ((f->kind == FILE_PIPE || f->kind == FILE_SOCKET || f->hsk) && off >= 0)
			return -ESPIPE;
	}
	/* import_iovec: the count, the array, each segment's length and
	 * access_ok, before the file is looked at any further (vmsplice:
	 * the vector first, then the pipe). */
	uint64_t cnt = a[2];
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!cnt)
		return 0;
	struct iovec *giov = malloc(cnt * sizeof(*giov));
	if (!giov)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_guest(t->mm, giov, a[1], cnt * sizeof(*giov)))
		goto out_giov;
	for (uint64_t i = 0; i < cnt; i++) {
		gva_t b = (gva_t)(uintptr_t)giov[i].iov_base;
		ret = -EINVAL;
		if ((ssize_t)giov[i].iov_len < 0)
			goto out_giov;
		ret = -EFAULT;
		if (b + giov[i].iov_len < b || b + giov[i].iov_len > TASK_SIZE)
			goto out_giov;
	}
	ret = to_guest ? -EISDIR : -EBADF;
	if (f->kind == FILE_DIR && vms < 0)
		goto out_giov;
	ret = -EINVAL;
	if ((f->kind == FILE_EPOLL || f->kind == FILE_PIDFD) && vms < 0)
		goto out_giov;
	if (f->kind == FILE_HOST && vms < 0) {
		long w = host_wait_ready(t, f, to_guest);
		ret = w;
		if (w)
			goto out_giov;
	}
	if (f->kind == FILE_ANON && vms < 0) {
		/* Their read and write take one buffer: the VFS loops over the
		 * vector (do_loop_readv_writev), stopping at a short transfer. */
		if (off >= 0 && !f->aops->rw_at) {
			ret = -ESPIPE;
			goto out_giov;
		}
		long done = 0;
		for (uint64_t i = 0; i < cnt; i++) {
			if (!giov[i].iov_len)
				continue;
			long r = anon_rw(t, f, (gva_t)(uintptr_t)giov[i].iov_base, giov[i].iov_len,
					 to_guest, off < 0 ? off : off + done);
			if (r < 0) {
				if (done && r == -EKBLOCK)
					wake_task(t); /* what was done already is the result */
				ret = done ? done : r;
				goto out_giov;
			}
			done += r;
			if ((size_t)r < giov[i].iov_len)
				break;
		}
		ret = done;
		goto out_giov;
	}
	size_t total = 0;
	ret = -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((ssize_t)giov[i].iov_len < 0 || total + giov[i].iov_len < total)
			goto out_giov;
		total += giov[i].iov_len;
	}
	if (total > (size_t)SSIZE_MAX)
		goto out_giov;
	if (vms >= 0 && (!total || f->kind != FILE_PIPE)) {
		ret = total ? -EBADF : 0; /* get_pipe_info() fails: EBADF */
		goto out_giov;
	}
	/* /dev/null: the count, the buffers never looked at (write_iter_null). */
	if (f->kind == FILE_HOST && f->rdev == makedev(1, 3)) {
		ret = to_guest ? 0 : (long)total;
		goto out_giov;
	}
	int cap = (int)cnt + 8, n = 0;
	struct iovec *hiov = malloc(cap * sizeof(*hiov));
	ret = -ENOMEM;
	if (!hiov)
		goto out_giov;
	size_t reach = 0; /* bytes from the start that can be reached */
	bool short_copy = false;
	for (uint64_t i = 0; i < cnt && !short_copy; i++) {
		size_t len = giov[i].iov_len, at = 0;
		while (at < len) {
			if (n == cap) {
				cap *= 2;
				struct iovec *h = realloc(hiov, cap * sizeof(*hiov));
				if (!h)
					goto out_hiov;
				hiov = h;
			}
			size_t covered;
			int room = cap - n;
			int k = mm_pin_iov_prefix(t->mm, (gva_t)giov[i].iov_base + at, len - at,
						  to_guest ? MM_WRITE : MM_READ, hiov + n, room,
						  &covered);
			if (k < 0) {
				ret = k;
				goto out_hiov;
			}
			n += k;
			at += covered;
			reach += covered;
			if (at < len && k < room) {
				short_copy = true; /* the copy stops at the first fault */
				break;
			}
		}
	}
	if (f->kind == FILE_PIPE) {
		ret = pipe_rwv(t, f, hiov, n, total, reach, to_guest, vms);
		goto out_hiov;
	}
	if (f->kind == FILE_SOCKET || f->hsk) {
		/* The protocol copies: the copy stops at the first fault
		 * (sock_iov_lazy's fault segment after the mapped prefix). */
		if (short_copy) {
			struct iovec *h = n < cap ? hiov : realloc(hiov, (n + 1) * sizeof(*hiov));
			ret = -ENOMEM;
			if (!h)
				goto out_hiov;
			hiov = h;
			hiov[n].iov_base = mm_fault_base();
			hiov[n++].iov_len = total - reach < 4096 ? total - reach : 4096;
		}
		ret = sock_rw(t, f, hiov, n, total, to_guest);
		goto out_hiov;
	}
	/* Not one byte can be reached: no host call (a readv/preadv of zero
	 * iovecs would say 0). As do_rw: EOF is still 0, else EFAULT. */
	if (!reach && total) {
		ret = rw_nothing_reached(f, to_guest, off);
		goto out_hiov;
	}
	if (!to_guest && f->kind == FILE_HOST) {
		size_t allowed = total, left;
		if ((ret = write_check_limits(t, f, off, &allowed)))
			goto out_hiov;
		/* Cut the vector to what RLIMIT_FSIZE allows. */
		left = allowed;
		for (int i = 0; i < n && allowed < total; i++) {
			if (hiov[i].iov_len >= left) {
				hiov[i].iov_len = left;
				n = i + 1;
				break;
			}
			left -= hiov[i].iov_len;
		}
	}
	ret = host_rw(f, hiov, n, to_guest, off);
	if (ret == -EPIPE && !to_guest)
		signal_send(t, SIGPIPE); /* a host pipe without readers */
out_hiov:
	free(hiov);
out_giov:
	free(giov);
	return ret;
}

SYS(readv)
{
	return do_rwv(t, a, true, -1, -1);
}

SYS(writev)
{
	return do_rwv(t, a, false, -1, -1);
}

/* vmsplice (fs/splice.c): a pipe's write end takes the guest's buffers
 * (what fits, once there is room), its read end gives them its bytes as a
 * read does. The model copies: SPLICE_F_GIFT and SPLICE_F_MOVE change
 * nothing. The direction is the descriptor's mode (a write end, or a FIFO
 * open for writing, is written); a descriptor that is no pipe is EBADF
 * once the vector has been read (EINVAL, EFAULT first; empty: 0). */
SYS(vmsplice)
{
	const unsigned all = SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT;
	if (a[3] & ~(uint64_t)all)
		return -EINVAL;
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	bool writes;
	if (f->kind == FILE_PIPE)
		writes = f->write_end || f->pipe_rdwr;
	else if (f->flags & O_PATH)
		return -EBADF;
	else
		writes = (f->flags & O_ACCMODE) != O_RDONLY;
	return do_rwv(t, a, !writes, -1, (int)a[3]);
}

SYS(preadv)
{
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rwv(t, a, true, (int64_t)a[3], -1);
}

SYS(pwritev)
{
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rwv(t, a, false, (int64_t)a[3], -1);
}

SYS(lseek)
{
	struct file *df = fget(t, a[0]);
	if (df && df->kind == FILE_DIR) {
		if ((int)a[2] != SEEK_SET || (int64_t)a[1] < 0)
			return -EINVAL;
		dirlist_refresh(df->dir);
		df->dir->pos = a[1] < (uint64_t)df->dir->n ? (int)a[1] : df->dir->n;
		return (long)df->dir->pos;
	}
	if (df && df->kind == FILE_ANON && df->aops->rw_at) {
		/* mem_lseek: any position, returned as it is. */
		if ((int)a[2] == SEEK_SET)
			df->f_pos = a[1];
		else if ((int)a[2] == SEEK_CUR)
			df->f_pos += a[1];
		else
			return -EINVAL;
		return (long)df->f_pos;
	}
	if (df && df->kind == FILE_ANON)
		return 0; /* noop_llseek: the position stays 0 */
	int h = fget_host(t, a[0], -ESPIPE);
	return h < 0 ? h : RR_SYS(lseek(h, (off_t)a[1], (int)a[2]));
}

SYS(fsync)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	return RR_SYS(fsync(h));
}

SYS(fdatasync)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	return RR_SYS(fdatasync(h));
}

SYS(fadvise64)
{
	int h = fget_host(t, a[0], -ESPIPE);
	if (h < 0)
		return h;
	return -posix_fadvise(h, (off_t)a[1], (off_t)a[2], (int)a[3]);
}
