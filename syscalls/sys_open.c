/* Opening and the calls on one file's attributes (fs/open.c, fs/utimes.c):
 * open/openat/creat/close, access, the cwd (getcwd, chdir, fchdir), chmod,
 * chown, utimensat, truncate, umask, and pipe/pipe2 (fs/pipe.c). */
#include <fcntl.h>
#include <sys/inotify.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernelmodel/inotify.h"
#include "kernelmodel/cred_host.h"
#include "kernelmodel/user_namespace.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

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

/* The descriptor for a file of the modeled /proc (procfs_open's result @r). */
static long install_proc(struct task *t, int r, struct file *pf, int flags)
{
	if (r)
		return r;
	struct stat st;
	if ((flags & O_DIRECTORY) && pf->kind != FILE_DIR &&
	    !(pf->kind == FILE_HOST && !fstat(pf->host_fd, &st) && S_ISDIR(st.st_mode))) {
		file_put(pf);
		return -ENOTDIR;
	}
	long fd = files_install(t->files, pf, 0, flags & O_CLOEXEC);
	file_put(pf);
	return fd;
}

/* A FIFO open waiting for its partner (fifo_open): done once the partner's
 * open count moved, else asleep again. */
static long fifo_open_wait(struct task *t, int flags)
{
	struct file *f = t->fifo_opening;
	if (!fifo_partner_arrived(f, t->fifo_counter))
		return sleep_on(t, f->pipe, "fifo open");
	t->fifo_opening = NULL;
	long fd = files_install(t->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

/* open of a FIFO: the model's pipe for its inode, after the host checked
 * the permission (may_open) for the access mode. */
static long fifo_openat(struct task *t, int at, int dirfd, const char *path, int flags,
			const struct stat *st)
{
	int acc = flags & O_ACCMODE;
	int mode = acc == O_RDONLY ? R_OK : acc == O_WRONLY ? W_OK : R_OK | W_OK;
	int nofollow = flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
	if (acc == 3)
		return -EINVAL;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	host_override_creds(t); /* after an access() the fs ids again */
	long r = RR_SYS(syscall(SYS_faccessat2, at, path, mode, AT_EACCESS | nofollow));
	if (r)
		return r;
	int hfd = (int)RR_SYS(syscall(SYS_openat, at, path, O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW)));
	if (hfd < 0)
		return hfd;
	if (rr_replaying && (hfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return -ENFILE;
	char *p = abs_path(t, dirfd, path);
	struct file *f;
	unsigned counter;
	r = fifo_open(st->st_dev, st->st_ino, flags, hfd, p, &f, &counter);
	free(p);
	if (r < 0) {
		close(hfd);
		return r;
	}
	if (r == 1) {
		t->fifo_opening = f;
		t->fifo_counter = counter;
		return fifo_open_wait(t, flags);
	}
	long fd = files_install(t->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

static long do_openat(struct task *t, int dirfd, uint64_t gpath, int flags, unsigned mode)
{
	struct file *pf;
	if (t->fifo_opening) /* woken in a FIFO open */
		return fifo_open_wait(t, flags);
	char path[PATH_MAX];
	int r = get_user_path(t, gpath, path);
	if (r || (r = model_dir_path(t, dirfd, path)) < 0)
		return r;
	if (r == 1 && !(flags & O_NOFOLLOW)) {
		/* A relative name of a magic link (exe, cwd, fd/N) in a /proc
		 * directory: followed as an absolute one is. */
		char followed[PATH_MAX];
		int fr = procfs_follow(t, path, true, followed);
		if (fr < 0)
			return fr;
		if (fr)
			memcpy(path, followed, strlen(followed) + 1);
	}
	int handled;
	r = procfs_open(t, path, flags, &handled, &pf);
	if (handled)
		return install_proc(t, r, pf, flags);
	int hdir = host_dirfd(t, dirfd);
	if (path[0] != '/' && hdir < 0)
		return hdir;
	int at = path[0] == '/' ? AT_FDCWD : hdir;
	/* Another spelling of a /proc path is the model's too. */
	char model[PATH_MAX];
	r = proc_escape(t, at, path, flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0, model);
	if (r > 0) {
		r = procfs_open(t, model, flags, &handled, &pf);
		return handled ? install_proc(t, r, pf, flags) : -ENOENT;
	}
	if (r < 0)
		return r;
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	struct stat st;
	bool found = !host_stat(at, path, &st, flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0);
	bool existed = (writing || (flags & O_CREAT)) && found;
	/* A FIFO is the model's pipe (the host's open would block). */
	if (found && S_ISFIFO(st.st_mode) && !(flags & O_PATH) &&
	    (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
		return fifo_openat(t, at, dirfd, path, flags, &st);
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
	if ((flags & O_CREAT) && !existed) {
		file_update_time(f, true);
		dir_update_time(at, path, false);
	}
	else if ((flags & O_TRUNC) && writing) {
		file_update_time(f, false);
		mm_file_truncated(f->dev, f->ino, 0); /* pages past EOF leave the mappings */
	}
	if (writing && f->is_regular) {
		int r = inode_get_write_access(f->dev, f->ino);
		if (r) {
			file_put(f);
			return r;
		}
		f->write_access = true;
	}
	long fd = files_install(t->files, f, 0, flags & O_CLOEXEC);
	if (fd >= 0 && fsnotify_active()) { /* the table holds f now */
		if ((flags & O_CREAT) && !existed)
			fsnotify_path(at, path, IN_CREATE, 0, false);
		fsnotify_file(f, IN_OPEN);
	}
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

static long do_faccessat(struct task *t, int dirfd, uint64_t gpath, int mode, int flags)
{
	/* do_faccessat checks the mode and the flags before the path. */
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_EMPTY_PATH) {
		char p0[PATH_MAX];
		int e0 = get_at_path(t, gpath, &flags, p0);
		if (e0)
			return e0;
		if (!p0[0]) { /* the descriptor itself */
			if (dirfd == AT_FDCWD)
				return RR_SYS(syscall(SYS_faccessat2, host_dirfd(t, AT_FDCWD), "", mode,
						      flags | (host_override_access_creds(t) ? AT_EACCESS : 0)));
			struct file *df = fget(t, (uint64_t)(unsigned)dirfd);
			if (!df)
				return -EBADF;
			if (df->kind != FILE_HOST || df->host_fd < 0)
				return 0;
			if (!(flags & AT_EACCESS) && host_override_access_creds(t))
				flags |= AT_EACCESS;
			return RR_SYS(syscall(SYS_faccessat2, df->host_fd, "", mode, flags));
		}
	}
	WITH_PATH(t, dirfd, gpath, path, hdir);
	char model[PATH_MAX];
	int e = proc_escape(t, hdir, path, flags, model);
	if (e > 0) { /* a modeled /proc file: it exists if the model has it */
		struct stat st;
		int handled;
		long r = proc_stat(t, model, !(flags & AT_SYMLINK_NOFOLLOW), &st, &handled);
		return handled ? r : -ENOENT;
	}
	if (e < 0)
		return e;
	/* The host checks with cloneemu's real ids unless told AT_EACCESS;
	 * an unknown flag still reaches it and is EINVAL. */
	if (!(flags & AT_EACCESS) && host_override_access_creds(t))
		flags |= AT_EACCESS;
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

SYS(getcwd)
{
	char buf[PATH_MAX];
	long n = fs_getcwd(t->fs, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (t->fs->root) { /* relative to the task's root */
		fs_root_cwd(t->fs, buf, sizeof(buf));
		n = (long)strlen(buf) + 1;
	}
	if ((uint64_t)n > a[1])
		return -ERANGE;
	return copy_to_guest(t->mm, a[0], buf, n) ? -EFAULT : n;
}

static long chdir_to(struct task *t, int hdir, const char *path)
{
	/* Recorded: a replay changes directory as the recording did, also
	 * into one that is gone or now refused. Its cwd is the directory when
	 * it is there (the loader reads a relative executable through it),
	 * else a stand-in: the answers about what is in it come from the
	 * recording. */
	int fd = (int)RR_SYS(openat(hdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	if (rr_replaying && (fd = openat(hdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 &&
	    (fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -ENFILE;
	fs_set_cwd(t->fs, fd);
	return 0;
}

/* chdir into a directory of the modeled /proc (/proc, /proc/<pid>, its
 * fd, ns, task/<tid>...): 1 when @path (absolute) is one and the cwd is
 * now there, 0 when it is the host's to answer, or -errno. /proc/self and
 * thread-self are followed to the numbered directory, as Linux's getcwd
 * then shows it. */
static long chdir_proc(struct task *t, const char *path)
{
	struct file *f;
	int handled;
	int r = procfs_open(t, path, O_RDONLY | O_DIRECTORY, &handled, &f);
	if (!handled)
		return 0;
	if (r)
		return r;
	/* A model directory, or a host one the model hands out for a per-task
	 * path (/proc/<pid>/net of the initial network namespace). */
	struct stat st;
	bool dir = f->kind == FILE_DIR ||
		   (f->kind == FILE_HOST && !fstat(f->host_fd, &st) && S_ISDIR(st.st_mode));
	file_put(f);
	if (!dir)
		return -ENOTDIR;
	char canon[PATH_MAX], link[64];
	const char *rest = NULL;
	if (!strncmp(path, "/proc/self", 10) && (!path[10] || path[10] == '/'))
		rest = path + 10;
	else if (!strncmp(path, "/proc/thread-self", 17) && (!path[17] || path[17] == '/'))
		rest = path + 17;
	if (rest) {
		char self[32];
		memcpy(self, path, rest - path);
		self[rest - path] = 0;
		long n = procfs_readlink(t, self, link, sizeof(link) - 1, &handled);
		if (n < 0)
			return n;
		link[n] = 0;
		if (snprintf(canon, sizeof(canon), "/proc/%s%s", link, rest) >= (int)sizeof(canon))
			return -ENAMETOOLONG;
		path = canon;
	}
	r = fs_set_proc_cwd(t->fs, path);
	return r ? r : 1;
}

SYS(chdir)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	char model[PATH_MAX];
	int e = path[0] == '/' ? 0 : proc_escape(t, hdir, path, 0, model);
	if (e < 0)
		return e;
	if (path[0] == '/' || e > 0) {
		long r = chdir_proc(t, e > 0 ? model : path);
		if (r)
			return r < 0 ? r : 0;
		if (e > 0)
			return -ENOENT;
	}
	return chdir_to(t, hdir, path);
}

/* chroot(2) (fs/open.c): a directory the caller may search, and
 * CAP_SYS_CHROOT; the cwd stays where it is. */
SYS(chroot)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	int fd = (int)RR_SYS(openat(hdir, path, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	if (rr_replaying && (fd = open("/", O_PATH | O_CLOEXEC)) < 0)
		return -ENFILE;
	long r = RR_SYS(syscall(SYS_faccessat2, fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH));
	if (!r && !capable(t, CAP_SYS_CHROOT))
		r = -EPERM;
	char link[64], host[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	long n = r ? 0 : RR_SYS(readlink(link, host, sizeof(host) - 1));
	if (n < 0)
		r = n;
	if (!r) {
		rr_bytes(host, (size_t)n);
		host[n] = 0;
		r = fs_set_root(t->fs, host);
	}
	close(fd);
	return r;
}

SYS(fchdir)
{
	struct file *f = fget(t, a[0]);
	if (f && f->kind == FILE_DIR && f->path) { /* a directory of the modeled /proc */
		long r = chdir_proc(t, f->path);
		if (r)
			return r < 0 ? r : 0;
	}
	int h = fget_host(t, a[0], -ENOTDIR);
	if (h < 0)
		return h;
	return chdir_to(t, h, ".");
}

static long do_fchmodat(struct task *t, int dirfd, uint64_t gpath, unsigned mode)
{
	/* chmod of /proc/self/fd/N (glibc's fchmodat(AT_SYMLINK_NOFOLLOW):
	 * an O_PATH open, then this): Linux follows the magic link to the
	 * file, no directory of its name needs search permission, so the
	 * host's own link to the same file is used. */
	char raw[PATH_MAX];
	int hfd;
	if (!t->fs->root && !get_user_path_nofollow(t, gpath, raw) && raw[0] == '/' &&
	    (hfd = procfs_fd_host(t, raw)) >= 0) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
		long r = RR_SYS(fchmodat(AT_FDCWD, link, mode, 0));
		if (!r && fsnotify_active())
			fsnotify_path(AT_FDCWD, link, IN_ATTRIB, 0, true);
		return r;
	}
	WITH_PATH(t, dirfd, gpath, path, hdir);
	REFUSE_PROC_ESCAPE(t, hdir, path, 0);
	long r = RR_SYS(fchmodat(hdir, path, mode, 0));
	if (!r && fsnotify_active())
		fsnotify_path(hdir, path, IN_ATTRIB, 0, true);
	return r;
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
/* chown_common: the ids of the caller's user namespace as kernel ids
 * (-1 stays "unchanged"); EINVAL for one its maps do not cover. */
static int chown_kids(struct task *t, uint64_t uid, uint64_t gid, uint32_t *ku, uint32_t *kg)
{
	struct user_namespace *ns = task_user_ns(t);
	*ku = (uint32_t)uid == (uint32_t)-1 ? (uint32_t)-1 : make_kuid(ns, (uint32_t)uid);
	*kg = (uint32_t)gid == (uint32_t)-1 ? (uint32_t)-1 : make_kgid(ns, (uint32_t)gid);
	if (((uint32_t)uid != (uint32_t)-1 && *ku == (uint32_t)-1) ||
	    ((uint32_t)gid != (uint32_t)-1 && *kg == (uint32_t)-1))
		return -EINVAL;
	return 0;
}

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
	if (path[0])
		REFUSE_PROC_ESCAPE(t, hdir, path, flags);
	uint32_t ku, kg;
	if ((r = chown_kids(t, uid, gid, &ku, &kg)))
		return r;
	long rr = RR_SYS(fchownat(hdir, path, ku, kg, flags));
	if (!rr && path[0] && fsnotify_active())
		fsnotify_path(hdir, path, IN_ATTRIB, 0, true);
	return rr;
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
	uint32_t ku, kg;
	long r = chown_kids(t, a[1], a[2], &ku, &kg);
	if (!r && !(r = RR_SYS(fchown(h, ku, kg))) && fsnotify_active())
		fsnotify_file(fget(t, a[0]), IN_ATTRIB);
	return r;
}

SYS(fchmod)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	long r = RR_SYS(fchmod(h, (mode_t)a[1]));
	if (!r && fsnotify_active())
		fsnotify_file(fget(t, a[0]), IN_ATTRIB);
	return r;
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
	if (!a[1] && (int)a[0] == AT_FDCWD)
		return -EFAULT; /* do_utimes: a NULL name is the descriptor's, never the cwd's */
	if (!a[1]) { /* futimens */
		int h = fget_host(t, a[0], -EINVAL);
		return h < 0 ? h : host_ret(futimens(h, tsp));
	}
	WITH_PATH(t, (int)a[0], a[1], path, hdir);
	REFUSE_PROC_ESCAPE(t, hdir, path, (int)a[3]);
	return host_ret(utimensat(hdir, path, tsp, (int)a[3]));
}

/* inode_newsize_ok: growing a file past RLIMIT_FSIZE is SIGXFSZ and
 * EFBIG (shrinking never is). */
static long truncate_check_limit(struct task *t, int hfd, int64_t length)
{
	rlim_t limit = t->signal->rlim[RLIMIT_FSIZE].rlim_cur;
	if (limit == RLIM_INFINITY || length < 0 || (uint64_t)length <= limit)
		return 0;
	struct stat st;
	if (RR_SYS(fstat(hfd, &st)))
		return 0;
	rr_bytes(&st, sizeof(st));
	if (!S_ISREG(st.st_mode) || st.st_size >= length)
		return 0;
	signal_send(t, SIGXFSZ);
	return -EFBIG;
}

SYS(truncate)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL; /* do_sys_truncate, before the path */
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	REFUSE_PROC_ESCAPE(t, hdir, path, 0);
	int fd = openat(hdir, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	long r = truncate_check_limit(t, fd, (int64_t)a[1]);
	if (r) {
		close(fd);
		return r;
	}
	r = host_ret(ftruncate(fd, (off_t)a[1]));
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, 0}};
	if (!r && guest_file_time(&ts[1]))
		futimens(fd, ts);
	struct stat st;
	if (!r && !fstat(fd, &st))
		mm_file_truncated(st.st_dev, st.st_ino, (uint64_t)st.st_size);
	close(fd);
	if (!r && fsnotify_active())
		fsnotify_path(hdir, path, IN_MODIFY, 0, true);
	return r;
}

SYS(ftruncate)
{
	int h = fget_host(t, a[0], -EINVAL);
	if (h < 0)
		return h;
	long r = truncate_check_limit(t, h, (int64_t)a[1]);
	if (r)
		return r;
	r = RR_SYS(ftruncate(h, (off_t)a[1]));
	if (!r) {
		struct file *f = fget(t, a[0]);
		file_update_time(f, false);
		/* Mappings lose the pages now wholly past EOF. */
		mm_file_truncated(f->dev, f->ino, a[1]);
		if (fsnotify_active())
			fsnotify_file(f, IN_MODIFY);
	}
	return r;
}

/* vfs_fallocate: host files on the host; the model's own files fail as
 * Linux's checks order them (EBADF unless writable, ESPIPE for a pipe,
 * ENODEV for anything else that is not a regular file). */
SYS(fallocate)
{
	struct file *f = fget(t, a[0]);
	int mode = (int)a[1];
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	if (!f)
		return -EBADF;
	if (f->kind == FILE_HOST) {
		long r = RR_SYS(fallocate(f->host_fd, mode, off, len));
		if (!r && f->is_regular)
			file_update_time(f, false);
		return r;
	}
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~0xff)
		return -EOPNOTSUPP;
	bool writable = f->kind == FILE_PIPE ? f->write_end || f->pipe_rdwr
					     : (f->flags & O_ACCMODE) != O_RDONLY;
	if (!writable)
		return -EBADF;
	if (f->kind == FILE_PIPE)
		return -ESPIPE;
	return f->kind == FILE_DIR ? -EISDIR : -ENODEV;
}

/* close_range (fs/file.c): CLOSE_RANGE_UNSHARE gives the caller a table of
 * its own first; CLOSE_RANGE_CLOEXEC marks instead of closing. */
SYS(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	uint64_t flags = a[2];
	if (flags & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && t->files->refcount > 1) {
		struct files *copy = files_dup(t->files);
		if (!copy)
			return -ENOMEM;
		files_put(t->files);
		t->files = copy;
	}
	struct files *fs = t->files;
	unsigned end = last < (unsigned)fs->max ? last + 1 : (unsigned)fs->max;
	for (unsigned fd = first; fd < end; fd++) {
		if (!fs->fd[fd].file)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fs->fd[fd].cloexec = true;
		else
			files_close(fs, (int)fd);
	}
	return 0;
}

/* name_to_handle_at (fs/fhandle.c): the flags and the path are checked;
 * file handles are not modeled (EOPNOTSUPP, as a file system without
 * export operations answers). */
SYS(name_to_handle_at)
{
	enum { HANDLE_MNT_ID_UNIQUE = 1, HANDLE_CONNECTABLE = 2, HANDLE_FID = 0x200 };
	int flags = (int)a[4];
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | HANDLE_FID | HANDLE_MNT_ID_UNIQUE |
		      HANDLE_CONNECTABLE))
		return -EINVAL;
	if ((flags & HANDLE_CONNECTABLE) && (flags & HANDLE_FID))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && !a[1])
		return fget(t, a[0]) || (int)a[0] == AT_FDCWD ? -EOPNOTSUPP : -EBADF;
	WITH_PATH(t, (int)a[0], a[1], path, hdir);
	struct stat st;
	long r = host_stat(hdir, path, &st, flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW);
	uint32_t fh[2]; /* do_sys_name_to_handle reads the handle's header first */
	if (!r && copy_from_guest(t->mm, fh, a[2], sizeof(fh)))
		return -EFAULT;
	return r ? r : -EOPNOTSUPP;
}

/* open_by_handle_at (fs/fhandle.c), with Linux 6.18's order of checks:
 * the anchor descriptor (EBADF), the header (EFAULT; EINVAL for a size of
 * 0 or over MAX_HANDLE_SZ, a negative type or unknown type flags),
 * CAP_DAC_READ_SEARCH in the initial user namespace (EPERM), the handle's
 * bytes (EFAULT). The model has no export operations to decode a handle
 * with (name_to_handle_at never makes one), so every handle is stale. */
SYS(open_by_handle_at)
{
	/* MAX_HANDLE_SZ is fcntl.h's 128; the type's upper half holds flags,
	 * of which FILEID_IS_CONNECTABLE and FILEID_IS_DIR are valid. */
	const uint32_t user_flags_mask = 0xffff0000u, valid_flags = 0x30000u;
	int dirfd = (int)a[0];
	if (dirfd != AT_FDCWD && !fget(t, a[0]))
		return -EBADF;
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
	} h;
	if (copy_from_guest(t->mm, &h, a[1], sizeof(h)))
		return -EFAULT;
	if (h.handle_bytes == 0 || h.handle_bytes > MAX_HANDLE_SZ)
		return -EINVAL;
	if (h.handle_type < 0 ||
	    ((uint32_t)h.handle_type & user_flags_mask & ~valid_flags))
		return -EINVAL;
	if (!ns_capable(t, NULL, CAP_DAC_READ_SEARCH))
		return -EPERM;
	char bytes[MAX_HANDLE_SZ];
	if (copy_from_guest(t->mm, bytes, a[1] + sizeof(h), h.handle_bytes))
		return -EFAULT;
	return -ESTALE;
}

SYS(umask)
{
	unsigned old = t->fs->umask;
	t->fs->umask = a[0] & 0777;
	return old;
}

/* pipe/pipe2: an in-model pipe (kernelmodel/pipe.c). */
static long do_pipe2(struct task *t, uint64_t gfds, int flags)
{
	struct file *rd, *wr;
	int fds[2];
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
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
