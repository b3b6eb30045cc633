/* File syscalls. Guest descriptors index the task's struct files; each
 * refers to a struct file around a host descriptor. Paths resolve relative
 * to the task's modeled cwd (struct fs) through the host's *at() calls, and
 * per-task /proc paths go to the modeled procfs. Data moves between host
 * descriptors and guest frames without bounce buffers (mm_pin_iov). */
#include <fcntl.h>
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
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/rw.h"
#include "syscalls/sys.h"

#define MAX_RW_COUNT (INT_MAX & PAGE_MASK)
#define IOV_CHUNK 256 /* host iovecs per readv/writev call */

/* Lexical clean-up of an absolute path (//, /./, /x/..), so the modeled
 * /proc recognises "/proc/self/fd/." as the host would. */
static void normalize_abs_path(char *p)
{
	char *out = p, *in = p;
	while (*in) {
		while (*in == '/')
			in++;
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = in - seg;
		if (!len || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/* A path ending in "/", "/." or "/.." names a directory: its last component
 * is followed even where symlinks are not (lstat("/proc/self/fd/..") is
 * /proc/<pid>, not the "self" link). */
static bool names_dir(const char *p)
{
	size_t len = strlen(p);
	return (len && p[len - 1] == '/') || (len >= 2 && !strcmp(p + len - 2, "/.")) ||
	       (len >= 3 && !strcmp(p + len - 3, "/..")) || !strcmp(p, ".") || !strcmp(p, "..");
}

static int get_path(struct task *t, uint64_t gpath, char *buf, bool follow_final)
{
	long n = strncpy_from_guest(t->mm, buf, gpath, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	char followed[PATH_MAX];
	if (names_dir(buf))
		follow_final = true;
	if (!strncmp(buf, "/proc", 5) || !strncmp(buf, "/dev/", 5) || !strncmp(buf, "//", 2))
		normalize_abs_path(buf);
	/* /dev/fd, /dev/stdin... are host symlinks into /proc/self: the
	 * guest's descriptors, not cloneemu's. */
	static const struct {
		const char *dev, *proc;
	} devfd[] = {{"/dev/fd", "/proc/self/fd"},
		     {"/dev/stdin", "/proc/self/fd/0"},
		     {"/dev/stdout", "/proc/self/fd/1"},
		     {"/dev/stderr", "/proc/self/fd/2"}};
	for (size_t i = 0; i < sizeof(devfd) / sizeof(devfd[0]); i++) {
		size_t l = strlen(devfd[i].dev);
		if (!strncmp(buf, devfd[i].dev, l) && (buf[l] == '/' || !buf[l])) {
			if (snprintf(followed, sizeof(followed), "%s%s", devfd[i].proc, buf + l) >=
			    (int)sizeof(followed))
				return -ENAMETOOLONG;
			memcpy(buf, followed, strlen(followed) + 1);
			break;
		}
	}
	/* /proc/self/exe and friends lead to the guest's files, never to
	 * cloneemu's own. */
	int r = procfs_follow(t, buf, follow_final, followed);
	if (r < 0)
		return r;
	if (r)
		memcpy(buf, followed, strlen(followed) + 1);
	/* -L/--sysroot: the sysroot's copy of an absolute path, where it has
	 * one; /proc, /dev and /sys are always the machine's. */
	if (buf[0] == '/' && strncmp(buf, "/proc", 5) && strncmp(buf, "/dev/", 5) &&
	    strncmp(buf, "/sys/", 5) && fs_sysroot_path(buf, followed, sizeof(followed)))
		memcpy(buf, followed, strlen(followed) + 1);
	return 0;
}

int get_user_path(struct task *t, uint64_t gpath, char *buf)
{
	return get_path(t, gpath, buf, true);
}

int get_user_path_nofollow(struct task *t, uint64_t gpath, char *buf)
{
	return get_path(t, gpath, buf, false);
}

int host_dirfd(struct task *t, int dirfd)
{
	if (dirfd == AT_FDCWD)
		return t->fs->cwd_fd;
	struct file *f = files_lookup(t->files, dirfd);
	if (!f)
		return -EBADF;
	return f->kind == FILE_HOST ? f->host_fd : -ENOTDIR;
}

static struct file *fget(struct task *t, uint64_t fd)
{
	return fd > INT_MAX ? NULL : files_lookup(t->files, (int)fd);
}

/* The host descriptor behind guest @fd for calls only host files support.
 * Returns it, -EBADF, or @pipe_err for a pipe (each call's Linux errno). */
static int fget_host(struct task *t, uint64_t fd, int pipe_err)
{
	struct file *f = fget(t, fd);
	if (!f)
		return -EBADF;
	return f->kind == FILE_HOST ? f->host_fd : pipe_err;
}

/* Pipe I/O. Reads return as soon as there is data; writes go on until all
 * is written, sleeping while the pipe is full (progress survives the
 * syscall's restart in t->restart_done). */
static long pipe_rw(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest)
{
	struct iovec iov[IOV_CHUNK];
	bool nonblock = f->flags & O_NONBLOCK;
	size_t done = t->restarting ? t->restart_done : 0;
	if (to_guest == f->write_end)
		return -EBADF;
	if (!count)
		return 0;
	while (done < count) {
		size_t covered;
		int n = mm_pin_iov(t->mm, buf + done, count - done, to_guest ? MM_WRITE : MM_READ,
				   iov, IOV_CHUNK, &covered);
		if (n < 0)
			return done ? (long)done : n;
		long r = to_guest ? pipe_read(f->pipe, iov, n)
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
	struct pollfd pfd = {f->host_fd, for_read ? POLLIN : POLLOUT, 0};
	if (RR_SYS(poll(&pfd, 1, 0)) != 0)
		return 0; /* ready, or an error the I/O call will report */
	long fl = RR_SYS(fcntl(f->host_fd, F_GETFL));
	if (fl < 0 || (fl & O_NONBLOCK))
		return 0;
	return sleep_on_host_fd(t, f->host_fd, pfd.events, for_read ? "read" : "write");
}

/* One host readv/writev (preadv/pwritev at @off >= 0) on @f, recorded or
 * replayed. In replay only the guest's own output to its inherited
 * stdout/stderr really happens. Returns the count or -errno. */
/* The guest's time for a file stamp, or false when the host's own is the
 * guest's (--clock=host) or no host call may be made (replay). */
static bool guest_file_time(struct timespec *ts)
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

long host_rw(struct file *f, struct iovec *iov, int n, bool to_guest, int64_t off)
{
	long r;
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
	if (!to_guest && r > 0)
		file_update_time(f, false);
	r = rr_note(rr_sys_ret(r));
	if (to_guest && r > 0)
		rr_iov(iov, n, (size_t)r);
	return r;
}

/* Move up to @count bytes between @f and guest memory at @buf: reads when
 * @to_guest. @off < 0 means the file position. Regular files loop until
 * done (a host call covers IOV_CHUNK iovecs); pipes and ttys make one call,
 * so that a short read never becomes a second, blocking one. */
static long do_rw(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest,
		  int64_t off)
{
	struct iovec iov[IOV_CHUNK];
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	if (f->kind == FILE_PIPE)
		return off < 0 ? pipe_rw(t, f, buf, count, to_guest) : -ESPIPE;
	if (f->kind == FILE_DIR)
		return to_guest ? -EISDIR : -EBADF;
	if (f->kind == FILE_EPOLL || f->kind == FILE_PIDFD)
		return -EINVAL;
	long w = host_wait_ready(t, f, to_guest);
	if (w)
		return w;
	bool loop = count > PAGE_SIZE * (IOV_CHUNK / 2) && f->is_regular;
	long done = 0;
	do {
		size_t covered;
		int n = mm_pin_iov(t->mm, buf + done, count - done, to_guest ? MM_WRITE : MM_READ,
				   iov, IOV_CHUNK, &covered);
		if (n < 0)
			return done ? done : n;
		long r = host_rw(f, iov, n, to_guest, off < 0 ? -1 : off + done);
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
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, f, a[1], a[2], true, (int64_t)a[3]);
}

SYS(pwrite64)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rw(t, f, a[1], a[2], false, (int64_t)a[3]);
}

/* readv/writev on a pipe: one attempt; a full pipe makes the writer sleep
 * and retry from the bytes already written. */
static long pipe_rwv(struct task *t, struct file *f, struct iovec *iov, int n, size_t total,
		     bool to_guest)
{
	if (to_guest == f->write_end)
		return -EBADF;
	if (!total)
		return 0;
	size_t done = t->restarting ? t->restart_done : 0;
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
	long r = to_guest ? pipe_read(f->pipe, iov, n) : pipe_write(f->pipe, iov, n, total - done);
	if (r == -EPIPE) {
		signal_send(t, SIGPIPE);
		return done ? (long)done : -EPIPE;
	}
	if (r == -EAGAIN || (!to_guest && r >= 0 && done + r < total)) {
		if (r > 0)
			done += r;
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		t->restart_done = done;
		return sleep_on(t, f->pipe, to_guest ? "pipe read" : "pipe write");
	}
	return to_guest ? r : (long)(done + r);
}

/* readv/writev family: the guest's iovec array becomes one host iovec list. */
static long do_rwv(struct task *t, const uint64_t *a, bool to_guest, int64_t off)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_PIPE && off >= 0)
		return -ESPIPE;
	if (f->kind == FILE_DIR)
		return to_guest ? -EISDIR : -EBADF;
	if (f->kind == FILE_EPOLL || f->kind == FILE_PIDFD)
		return -EINVAL;
	if (f->kind == FILE_HOST) {
		long w = host_wait_ready(t, f, to_guest);
		if (w)
			return w;
	}
	uint64_t cnt = a[2];
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!cnt)
		return 0;
	struct iovec *giov = malloc(cnt * sizeof(*giov));
	if (!giov)
		return -ENOMEM;
	long ret = -EFAULT;
	if (copy_from_guest(t->mm, giov, a[1], cnt * sizeof(*giov)))
		goto out_giov;
	size_t total = 0;
	ret = -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((ssize_t)giov[i].iov_len < 0 || total + giov[i].iov_len < total)
			goto out_giov;
		total += giov[i].iov_len;
	}
	if (total > (size_t)SSIZE_MAX)
		goto out_giov;
	int cap = (int)cnt + 8, n = 0;
	struct iovec *hiov = malloc(cap * sizeof(*hiov));
	ret = -ENOMEM;
	if (!hiov)
		goto out_giov;
	for (uint64_t i = 0; i < cnt; i++) {
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
			int k = mm_pin_iov(t->mm, (gva_t)giov[i].iov_base + at, len - at,
					   to_guest ? MM_WRITE : MM_READ, hiov + n, cap - n, &covered);
			if (k < 0) {
				ret = k;
				goto out_hiov;
			}
			n += k;
			at += covered;
		}
	}
	if (f->kind == FILE_PIPE) {
		ret = pipe_rwv(t, f, hiov, n, total, to_guest);
		goto out_hiov;
	}
	ret = host_rw(f, hiov, n, to_guest, off);
out_hiov:
	free(hiov);
out_giov:
	free(giov);
	return ret;
}

SYS(readv)
{
	return do_rwv(t, a, true, -1);
}

SYS(writev)
{
	return do_rwv(t, a, false, -1);
}

SYS(preadv)
{
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rwv(t, a, true, (int64_t)a[3]);
}

SYS(pwritev)
{
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return do_rwv(t, a, false, (int64_t)a[3]);
}

/* The absolute form of @path for /proc/<pid>/fd (best effort). */
static char *abs_path(struct task *t, int dirfd, const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	char dir[PATH_MAX], *out = NULL;
	long n = -1;
	if (dirfd == AT_FDCWD) {
		n = fs_getcwd(t->fs, dir, sizeof(dir));
	} else {
		struct file *f = files_lookup(t->files, dirfd);
		if (f && f->path) {
			snprintf(dir, sizeof(dir), "%s", f->path);
			n = 1;
		}
	}
	if (n < 0 || asprintf(&out, "%s/%s", dir, path) < 0)
		return strdup(path);
	return out;
}

/* fstatat on the host, recorded or replayed: 0 or -errno. */
static long host_stat(int dirfd, const char *path, struct stat *st, int flags)
{
	long r = RR_SYS(fstatat(dirfd, path, st, flags));
	if (!r)
		rr_bytes(st, sizeof(*st));
	return r;
}

static long do_openat(struct task *t, int dirfd, uint64_t gpath, int flags, unsigned mode)
{
	char path[PATH_MAX];
	int r = get_user_path(t, gpath, path);
	if (r)
		return r;
	int handled;
	struct file *pf;
	r = procfs_open(t, path, flags, &handled, &pf);
	if (handled) {
		if (r)
			return r;
		if ((flags & O_DIRECTORY) && pf->kind != FILE_DIR) {
			file_put(pf);
			return -ENOTDIR;
		}
		long fd = files_install(t->files, pf, 0, flags & O_CLOEXEC);
		file_put(pf);
		return fd;
	}
	int hdir = host_dirfd(t, dirfd);
	if (path[0] != '/' && hdir < 0)
		return hdir;
	int at = path[0] == '/' ? AT_FDCWD : hdir;
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	struct stat st;
	bool existed = (writing || (flags & O_CREAT)) &&
		       !host_stat(at, path, &st, flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0);
	/* A running program cannot be opened for writing: refuse before the
	 * host open, which could already truncate it. */
	if (writing && existed && S_ISREG(st.st_mode) && inode_write_denied(st.st_dev, st.st_ino))
		return -ETXTBSY;
	if (flags & (O_CREAT | __O_TMPFILE))
		mode &= ~t->fs->umask;
	int hfd = (int)RR_SYS(syscall(SYS_openat, at, path, flags | O_CLOEXEC, mode));
	if (hfd < 0)
		return hfd;
	/* A replay does not open the file again: its data comes from the log.
	 * The descriptor stands in for it, so code that needs a valid host
	 * descriptor (as a directory for *at calls, say) gets one. */
	if (rr_replaying && (hfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return -ENFILE;
	char *p = abs_path(t, dirfd, path);
	struct file *f = file_host_alloc(hfd, p);
	free(p);
	if (!f) {
		close(hfd);
		return -ENOMEM;
	}
	/* A new file is born, a truncated one changed, at the guest's time. */
	if ((flags & O_CREAT) && !existed)
		file_update_time(f, true);
	else if ((flags & O_TRUNC) && writing)
		file_update_time(f, false);
	if (writing && f->is_regular) {
		int r = inode_get_write_access(f->dev, f->ino);
		if (r) {
			file_put(f);
			return r;
		}
		f->write_access = true;
	}
	long fd = files_install(t->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

SYS(open)
{
	return do_openat(t, AT_FDCWD, a[0], (int)a[1], (unsigned)a[2]);
}

SYS(openat)
{
	return do_openat(t, (int)a[0], a[1], (int)a[2], (unsigned)a[3]);
}

SYS(creat)
{
	return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (unsigned)a[1]);
}

SYS(close)
{
	if (a[0] > INT_MAX)
		return -EBADF;
	return files_close(t->files, (int)a[0]);
}

SYS(lseek)
{
	struct file *df = fget(t, a[0]);
	if (df && df->kind == FILE_DIR) {
		if ((int)a[2] != SEEK_SET || (int64_t)a[1] < 0)
			return -EINVAL;
		df->dir->pos = a[1] < (uint64_t)df->dir->n ? (int)a[1] : df->dir->n;
		return (long)df->dir->pos;
	}
	int h = fget_host(t, a[0], -ESPIPE);
	return h < 0 ? h : RR_SYS(lseek(h, (off_t)a[1], (int)a[2]));
}

/* stat of an open file: the host's, or what the model says for its own. */
static int file_stat(struct file *f, struct stat *st)
{
	if (f->kind == FILE_HOST) {
		long r = RR_SYS(fstat(f->host_fd, st));
		if (r)
			return r;
		rr_bytes(st, sizeof(*st));
		if (f->path && !strncmp(f->path, "/proc/", 6)) {
			st->st_mode = S_IFREG | 0444; /* a modeled /proc file */
			st->st_size = 0;
		}
		return 0;
	}
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_uid = geteuid();
	st->st_gid = getegid();
	st->st_blksize = PAGE_SIZE;
	if (f->kind == FILE_PIPE) {
		st->st_mode = S_IFIFO | 0600;
		st->st_ino = f->pipe->ino;
		st->st_dev = 0xe; /* pipefs */
	} else if (f->kind == FILE_EPOLL || f->kind == FILE_PIDFD) {
		st->st_mode = 0600; /* an anonymous inode */
		st->st_dev = 0xf;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		st->st_dev = 0x16; /* proc */
	}
	return 0;
}

SYS(fstat)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	struct stat st;
	int r = file_stat(f, &st);
	return r ? r : copy_to_guest(t->mm, a[1], &st, sizeof(st));
}

/* stat of a per-task /proc path: a magic link itself (lstat), what it
 * leads to, or the modeled file or directory. */
static long proc_stat(struct task *t, const char *path, bool follow, struct stat *st, int *handled)
{
	char target[PATH_MAX];
	long n = procfs_readlink(t, path, target, sizeof(target) - 1, handled);
	if (*handled && n >= 0) {
		target[n] = 0;
		if (!follow) {
			memset(st, 0, sizeof(*st));
			st->st_mode = S_IFLNK | 0777;
			st->st_nlink = 1;
			st->st_size = n;
			st->st_uid = geteuid();
			st->st_gid = getegid();
			return 0;
		}
		if (target[0] == '/')
			return stat(target, st) ? -errno : 0;
	}
	struct file *f;
	int r = procfs_open(t, path, O_RDONLY, handled, &f);
	if (!*handled || r)
		return r;
	r = file_stat(f, st);
	file_put(f);
	return r;
}

/* Decide who answers a stat: the model (its /proc entries and its own files
 * reached through AT_EMPTY_PATH) fills *@st and gives 0; otherwise 1 with
 * the host directory descriptor to ask in *@hdir; or -errno. */
/* The path of an *at call with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH
 * @flags: "" for an empty one that AT_EMPTY_PATH allows. 0 or -errno. */
static int get_at_path(struct task *t, uint64_t gpath, int *flags, char *path)
{
	int r = *flags & AT_SYMLINK_NOFOLLOW ? get_user_path_nofollow(t, gpath, path)
					     : get_user_path(t, gpath, path);
	/* The path as given decides whether its last component is followed. */
	char raw[PATH_MAX];
	if (!r && (*flags & AT_SYMLINK_NOFOLLOW) && strncpy_from_guest(t->mm, raw, gpath, PATH_MAX) > 0 &&
	    names_dir(raw))
		*flags &= ~AT_SYMLINK_NOFOLLOW;
	if (r == -ENOENT && (*flags & AT_EMPTY_PATH)) {
		path[0] = 0;
		return 0;
	}
	return r;
}

static long stat_source(struct task *t, int dirfd, uint64_t gpath, int flags, char *path,
			struct stat *st, int *hdir)
{
	int r = get_at_path(t, gpath, &flags, path);
	if (r)
		return r;
	if (path[0]) {
		int handled;
		long pr = proc_stat(t, path, !(flags & AT_SYMLINK_NOFOLLOW), st, &handled);
		if (handled)
			return pr;
	} else if (dirfd != AT_FDCWD) {
		struct file *f = fget(t, (uint64_t)(unsigned)dirfd);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_HOST)
			return file_stat(f, st);
	}
	*hdir = path[0] == '/' ? AT_FDCWD : host_dirfd(t, dirfd);
	return *hdir < 0 && *hdir != AT_FDCWD ? *hdir : 1;
}

static long do_fstatat(struct task *t, int dirfd, uint64_t gpath, uint64_t gbuf, int flags)
{
	char path[PATH_MAX];
	struct stat st;
	int hdir;
	long r = stat_source(t, dirfd, gpath, flags, path, &st, &hdir);
	if (r < 0)
		return r;
	if (r == 1 && (r = host_stat(hdir, path, &st, flags)))
		return r;
	return copy_to_guest(t->mm, gbuf, &st, sizeof(st));
}

SYS(stat)
{
	return do_fstatat(t, AT_FDCWD, a[0], a[1], 0);
}

SYS(lstat)
{
	return do_fstatat(t, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}

SYS(newfstatat)
{
	return do_fstatat(t, (int)a[0], a[1], a[2], (int)a[3]);
}

SYS(statx)
{
	char path[PATH_MAX];
	struct stat st;
	struct statx sx;
	int hdir, flags = (int)a[2];
	long r = stat_source(t, (int)a[0], a[1], flags, path, &st, &hdir);
	if (r < 0)
		return r;
	if (r == 1) {
		if ((r = RR_SYS(syscall(SYS_statx, hdir, path, flags, (unsigned)a[3], &sx))))
			return r;
		rr_bytes(&sx, sizeof(sx));
	} else {
		memset(&sx, 0, sizeof(sx));
		sx.stx_mask = STATX_BASIC_STATS;
		sx.stx_mode = st.st_mode;
		sx.stx_nlink = st.st_nlink;
		sx.stx_uid = st.st_uid;
		sx.stx_gid = st.st_gid;
		sx.stx_ino = st.st_ino;
		sx.stx_size = st.st_size;
		sx.stx_blksize = st.st_blksize;
		sx.stx_dev_major = major(st.st_dev);
		sx.stx_dev_minor = minor(st.st_dev);
	}
	return copy_to_guest(t->mm, a[4], &sx, sizeof(sx));
}

/* The kernel's struct termios (not glibc's): 4 flags, c_line, 19 c_cc. */
#define KTERMIOS_SIZE 36

SYS(ioctl)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	unsigned long req = a[1];
	uint8_t buf[64] = {0};
	size_t in = 0, out = 0;
	switch (req) {
	case TCGETS:
		out = KTERMIOS_SIZE;
		break;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		in = KTERMIOS_SIZE;
		break;
	case TIOCGWINSZ:
		out = sizeof(struct winsize);
		break;
	case TIOCSWINSZ:
		in = sizeof(struct winsize);
		break;
	case FIONREAD:
		out = sizeof(int);
		break;
	case FIONBIO:
		in = sizeof(int);
		break;
	default:
		return -ENOTTY; /* not modeled: README lists the supported requests */
	}
	if (in && copy_from_guest(t->mm, buf, a[2], in))
		return -EFAULT;
	if (f->kind == FILE_DIR || f->kind == FILE_EPOLL || f->kind == FILE_PIDFD) {
		return -ENOTTY;
	} else if (f->kind == FILE_PIPE) {
		if (req == FIONREAD) {
			int n = (int)f->pipe->len;
			memcpy(buf, &n, sizeof(n));
		} else if (req == FIONBIO) {
			int on;
			memcpy(&on, buf, sizeof(on));
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		} else {
			return -ENOTTY;
		}
	} else {
		long r = RR_SYS(ioctl(f->host_fd, req, buf));
		if (r)
			return r;
		rr_bytes(buf, sizeof(buf));
	}
	if (out && copy_to_guest(t->mm, a[2], buf, out))
		return -EFAULT;
	return 0;
}

static long do_dup(struct task *t, int oldfd, int newfd, int flags, bool is_dup2)
{
	struct file *f = files_lookup(t->files, oldfd);
	if (!f)
		return -EBADF;
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return is_dup2 ? newfd : -EINVAL;
	return files_install_at(t->files, f, newfd, flags & O_CLOEXEC);
}

SYS(dup)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	return files_install(t->files, f, 0, false);
}

SYS(dup2)
{
	if (a[0] > INT_MAX || a[1] > INT_MAX)
		return -EBADF;
	return do_dup(t, (int)a[0], (int)a[1], 0, true);
}

SYS(dup3)
{
	if (a[0] > INT_MAX || a[1] > INT_MAX)
		return -EBADF;
	return do_dup(t, (int)a[0], (int)a[1], (int)a[2], false);
}

SYS(fcntl)
{
	if (a[0] > INT_MAX)
		return -EBADF;
	struct fd_entry *e = files_entry(t->files, (int)a[0]);
	if (!e)
		return -EBADF;
	int cmd = (int)a[1];
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)a[2] < 0 || a[2] >= t->files->nofile)
			return -EINVAL;
		return files_install(t->files, e->file, (int)a[2], cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return e->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		e->cloexec = a[2] & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		if (e->file->kind != FILE_HOST)
			return e->file->flags;
		return RR_SYS(fcntl(e->file->host_fd, F_GETFL));
	case F_SETFL:
		if (e->file->kind != FILE_HOST) {
			int settable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
			e->file->flags = (e->file->flags & ~settable) | ((int)a[2] & settable);
			return 0;
		}
		return RR_SYS(fcntl(e->file->host_fd, F_SETFL, (int)a[2]));
	case F_GETPIPE_SZ:
		if (e->file->kind == FILE_PIPE)
			return PIPE_SIZE;
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_SETPIPE_SZ:
		/* The model's pipes have a fixed size: report it as granted. */
		if (e->file->kind == FILE_PIPE)
			return (int64_t)a[2] > PIPE_SIZE ? -EPERM : PIPE_SIZE;
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_GET_SEALS:
		if (e->file->kind == FILE_PIPE)
			return -EINVAL;
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_GETLK:
	case F_SETLK:
	case F_OFD_GETLK:
	case F_OFD_SETLK: {
		/* F_SETLKW would block the host thread, and every task with it:
		 * not modeled (README). */
		struct flock fl;
		if (e->file->kind == FILE_PIPE)
			return -EINVAL;
		if (copy_from_guest(t->mm, &fl, a[2], sizeof(fl)))
			return -EFAULT;
		if (fcntl(e->file->host_fd, cmd, &fl))
			return -errno;
		if ((cmd == F_GETLK || cmd == F_OFD_GETLK) &&
		    copy_to_guest(t->mm, a[2], &fl, sizeof(fl)))
			return -EFAULT;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

/* Path syscalls passed to the host's *at() call relative to the modeled cwd. */
#define WITH_PATH(t, dirfd, gpath, path, hdir)                                                     \
	char path[PATH_MAX];                                                                       \
	int hdir;                                                                                  \
	do {                                                                                       \
		int r_ = get_user_path(t, gpath, path);                                            \
		if (r_)                                                                            \
			return r_;                                                                 \
		hdir = host_dirfd(t, dirfd);                                                       \
		if (path[0] == '/')                                                                \
			hdir = AT_FDCWD;                                                           \
		else if (hdir < 0)                                                                 \
			return hdir;                                                               \
	} while (0)

static long do_faccessat(struct task *t, int dirfd, uint64_t gpath, int mode, int flags)
{
	WITH_PATH(t, dirfd, gpath, path, hdir);
	return RR_SYS(syscall(SYS_faccessat2, hdir, path, mode, flags));
}

SYS(access)
{
	return do_faccessat(t, AT_FDCWD, a[0], (int)a[1], 0);
}

SYS(faccessat)
{
	return do_faccessat(t, (int)a[0], a[1], (int)a[2], 0);
}

SYS(faccessat2)
{
	return do_faccessat(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

static long do_readlinkat(struct task *t, int dirfd, uint64_t gpath, uint64_t gbuf, int64_t size)
{
	char path[PATH_MAX], buf[PATH_MAX];
	if (size <= 0)
		return -EINVAL;
	int r = get_user_path_nofollow(t, gpath, path);
	if (r)
		return r;
	size_t cap = size < (int64_t)sizeof(buf) ? (size_t)size : sizeof(buf);
	int handled;
	long n = procfs_readlink(t, path, buf, cap, &handled);
	if (!handled) {
		int hdir = host_dirfd(t, dirfd);
		if (path[0] != '/' && hdir < 0)
			return hdir;
		n = RR_SYS(readlinkat(path[0] == '/' ? AT_FDCWD : hdir, path, buf, cap));
		if (n > 0)
			rr_bytes(buf, (size_t)n);
	}
	if (n < 0)
		return n;
	return copy_to_guest(t->mm, gbuf, buf, n) ? -EFAULT : n;
}

SYS(readlink)
{
	return do_readlinkat(t, AT_FDCWD, a[0], a[1], (int64_t)a[2]);
}

SYS(readlinkat)
{
	return do_readlinkat(t, (int)a[0], a[1], a[2], (int64_t)(int)a[3]);
}

SYS(getcwd)
{
	char buf[PATH_MAX];
	long n = fs_getcwd(t->fs, buf, sizeof(buf));
	if (n < 0)
		return n;
	if ((uint64_t)n > a[1])
		return -ERANGE;
	return copy_to_guest(t->mm, a[0], buf, n) ? -EFAULT : n;
}

static long chdir_to(struct task *t, int hdir, const char *path)
{
	int fd = openat(hdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fs_set_cwd(t->fs, fd);
	return 0;
}

SYS(chdir)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	return chdir_to(t, hdir, path);
}

SYS(fchdir)
{
	int h = fget_host(t, a[0], -ENOTDIR);
	if (h < 0)
		return h;
	return chdir_to(t, h, ".");
}

static long do_mkdirat(struct task *t, int dirfd, uint64_t gpath, unsigned mode)
{
	WITH_PATH(t, dirfd, gpath, path, hdir);
	return RR_SYS(mkdirat(hdir, path, mode & ~t->fs->umask));
}

SYS(mkdir)
{
	return do_mkdirat(t, AT_FDCWD, a[0], (unsigned)a[1]);
}

SYS(mkdirat)
{
	return do_mkdirat(t, (int)a[0], a[1], (unsigned)a[2]);
}

static long do_unlinkat(struct task *t, int dirfd, uint64_t gpath, int flags)
{
	WITH_PATH(t, dirfd, gpath, path, hdir);
	return RR_SYS(unlinkat(hdir, path, flags));
}

SYS(unlink)
{
	return do_unlinkat(t, AT_FDCWD, a[0], 0);
}

SYS(unlinkat)
{
	return do_unlinkat(t, (int)a[0], a[1], (int)a[2]);
}

SYS(rmdir)
{
	return do_unlinkat(t, AT_FDCWD, a[0], AT_REMOVEDIR);
}

static long do_renameat2(struct task *t, int olddir, uint64_t gold, int newdir, uint64_t gnew,
			 unsigned flags)
{
	WITH_PATH(t, olddir, gold, from, hfrom);
	WITH_PATH(t, newdir, gnew, to, hto);
	return RR_SYS(syscall(SYS_renameat2, hfrom, from, hto, to, flags));
}

SYS(rename)
{
	return do_renameat2(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

SYS(renameat)
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

SYS(renameat2)
{
	return do_renameat2(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]);
}

static long do_symlinkat(struct task *t, uint64_t gtarget, int dirfd, uint64_t glink)
{
	char target[PATH_MAX];
	int r = get_user_path(t, gtarget, target);
	if (r)
		return r;
	WITH_PATH(t, dirfd, glink, path, hdir);
	return RR_SYS(symlinkat(target, hdir, path));
}

SYS(symlink)
{
	return do_symlinkat(t, a[0], AT_FDCWD, a[1]);
}

SYS(symlinkat)
{
	return do_symlinkat(t, a[0], (int)a[1], a[2]);
}

static long do_linkat(struct task *t, int olddir, uint64_t gold, int newdir, uint64_t gnew,
		      int flags)
{
	WITH_PATH(t, olddir, gold, from, hfrom);
	WITH_PATH(t, newdir, gnew, to, hto);
	return RR_SYS(linkat(hfrom, from, hto, to, flags));
}

SYS(link)
{
	return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

SYS(linkat)
{
	return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t gpath, unsigned mode)
{
	WITH_PATH(t, dirfd, gpath, path, hdir);
	return RR_SYS(fchmodat(hdir, path, mode, 0));
}

SYS(chmod)
{
	return do_fchmodat(t, AT_FDCWD, a[0], (unsigned)a[1]);
}

SYS(fchmodat)
{
	return do_fchmodat(t, (int)a[0], a[1], (unsigned)a[2]);
}

/* chown: ownership is the host file's own, changed on the host (which
 * checks it with cloneemu's credentials, not yet the guest's). */
static long do_fchownat(struct task *t, int dirfd, uint64_t gpath, uint64_t uid, uint64_t gid,
			int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char path[PATH_MAX];
	int r = get_at_path(t, gpath, &flags, path);
	if (r)
		return r;
	int hdir = path[0] == '/' ? AT_FDCWD : host_dirfd(t, dirfd);
	if (hdir < 0 && hdir != AT_FDCWD)
		return hdir;
	return RR_SYS(fchownat(hdir, path, (uid_t)uid, (gid_t)gid, flags));
}

SYS(chown)
{
	return do_fchownat(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

SYS(lchown)
{
	return do_fchownat(t, AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW);
}

SYS(fchownat)
{
	return do_fchownat(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

SYS(fchown)
{
	int h = fget_host(t, a[0], -EPERM);
	if (h < 0)
		return h;
	return RR_SYS(fchown(h, (uid_t)a[1], (gid_t)a[2]));
}

SYS(fchmod)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	return RR_SYS(fchmod(h, (mode_t)a[1]));
}

SYS(utimensat)
{
	struct timespec ts[2], *tsp = NULL;
	if (a[2]) {
		if (copy_from_guest(t->mm, ts, a[2], sizeof(ts)))
			return -EFAULT;
		tsp = ts;
	}
	/* "Now" is the guest's time: touch(1) must not stamp host time. */
	struct timespec now;
	if (guest_file_time(&now)) {
		if (!tsp) {
			ts[0] = ts[1] = now;
			tsp = ts;
		}
		for (int i = 0; i < 2; i++)
			if (ts[i].tv_nsec == UTIME_NOW)
				ts[i] = now;
	}
	if (!a[1]) { /* futimens */
		int h = fget_host(t, a[0], -EINVAL);
		return h < 0 ? h : host_ret(futimens(h, tsp));
	}
	WITH_PATH(t, (int)a[0], a[1], path, hdir);
	return host_ret(utimensat(hdir, path, tsp, (int)a[3]));
}

SYS(truncate)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	int fd = openat(hdir, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	long r = host_ret(ftruncate(fd, (off_t)a[1]));
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, 0}};
	if (!r && guest_file_time(&ts[1]))
		futimens(fd, ts);
	close(fd);
	return r;
}

SYS(ftruncate)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	long r = RR_SYS(ftruncate(h, (off_t)a[1]));
	if (!r)
		file_update_time(fget(t, a[0]), false);
	return r;
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

SYS(umask)
{
	unsigned old = t->fs->umask;
	t->fs->umask = a[0] & 0777;
	return old;
}

/* getdents64 on a directory the model lists itself. */
static long dir_getdents(struct task *t, struct dirlist *d, gva_t gbuf, size_t size)
{
	char rec[64 + 24];
	size_t done = 0;
	while (d->pos < d->n) {
		const struct dirent_model *e = &d->e[d->pos];
		size_t namelen = strlen(e->name);
		size_t reclen = (19 + namelen + 1 + 7) & ~7ul;
		if (done + reclen > size)
			break;
		memset(rec, 0, sizeof(rec));
		uint64_t ino = e->ino ? e->ino : 0x1000 + (uint64_t)d->pos, off = (uint64_t)d->pos + 1;
		uint16_t rl = (uint16_t)reclen;
		memcpy(rec, &ino, 8);
		memcpy(rec + 8, &off, 8);
		memcpy(rec + 16, &rl, 2);
		rec[18] = (char)e->type;
		memcpy(rec + 19, e->name, namelen);
		if (copy_to_guest(t->mm, gbuf + done, rec, reclen))
			return -EFAULT;
		done += reclen;
		d->pos++;
	}
	if (!done && d->pos < d->n)
		return -EINVAL; /* buffer too small for one entry */
	return (long)done;
}

SYS(getdents64)
{
	struct file *df = fget(t, a[0]);
	if (df && df->kind == FILE_DIR)
		return dir_getdents(t, df->dir, a[1], a[2]);
	int h = fget_host(t, a[0], -ENOTDIR);
	if (h < 0)
		return h;
	size_t n = a[2] > (1 << 20) ? (1 << 20) : a[2];
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	long r = RR_SYS(syscall(SYS_getdents64, h, buf, n));
	if (r > 0)
		rr_bytes(buf, (size_t)r);
	if (r > 0 && copy_to_guest(t->mm, a[1], buf, r))
		r = -EFAULT;
	free(buf);
	return r;
}

SYS(statfs)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	int fd = openat(hdir, path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct statfs sf;
	long r = host_ret(fstatfs(fd, &sf));
	close(fd);
	if (!r && copy_to_guest(t->mm, a[1], &sf, sizeof(sf)))
		r = -EFAULT;
	return r;
}

SYS(fstatfs)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	struct statfs sf;
	if (fstatfs(h, &sf))
		return -errno;
	return copy_to_guest(t->mm, a[1], &sf, sizeof(sf));
}

/* pipe/pipe2: an in-model pipe (kernelmodel/pipe.c). */
static long do_pipe2(struct task *t, uint64_t gfds, int flags)
{
	struct file *rd, *wr;
	int fds[2];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (flags & O_DIRECT)
		return -EINVAL; /* packet-mode pipes are not modeled */
	int r = pipe_create(flags, &rd, &wr);
	if (r)
		return r;
	fds[0] = files_install(t->files, rd, 0, flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? fds[0] : files_install(t->files, wr, 0, flags & O_CLOEXEC);
	file_put(rd);
	file_put(wr);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			files_close(t->files, fds[0]);
		return fds[1];
	}
	if (copy_to_guest(t->mm, gfds, fds, sizeof(fds))) {
		files_close(t->files, fds[0]);
		files_close(t->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYS(pipe)
{
	return do_pipe2(t, a[0], 0);
}

SYS(pipe2)
{
	return do_pipe2(t, a[0], (int)a[1]);
}

/* getsockname/getpeername: sockets are host descriptors (the model has
 * none of its own); anything else is ENOTSOCK, which bash relies on to
 * tell a pipe or file on stdin from a network connection. */
static long sock_name(struct task *t, const uint64_t *a, bool peer)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return -ENOTSOCK;
	uint32_t len;
	if (copy_from_guest(t->mm, &len, a[2], sizeof(len)))
		return -EFAULT;
	uint8_t buf[128];
	socklen_t hl = sizeof(buf);
	int r = peer ? getpeername(f->host_fd, (struct sockaddr *)buf, &hl)
		     : getsockname(f->host_fd, (struct sockaddr *)buf, &hl);
	if (r)
		return -errno;
	if (copy_to_guest(t->mm, a[1], buf, hl < len ? hl : len) ||
	    copy_to_guest(t->mm, a[2], &hl, sizeof(uint32_t)))
		return -EFAULT;
	return 0;
}

SYS(getsockname)
{
	return sock_name(t, a, false);
}

SYS(getpeername)
{
	return sock_name(t, a, true);
}
