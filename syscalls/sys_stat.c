/* stat and friends (fs/stat.c, fs/statfs.c): the model answers for its
 * own files (/proc, pipes, anonymous inodes), the host for host files;
 * readlink, statfs. */
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
#include "kernelmodel/cred.h"
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

/* fstatat on the host, recorded or replayed: 0 or -errno. */
long host_stat(int dirfd, const char *path, struct stat *st, int flags)
{
	long r = RR_SYS(fstatat(dirfd, path, st, flags));
	if (!r)
		rr_bytes(st, sizeof(*st));
	return r;
}

/* stat of an open file: the host's, or what the model says for its own. */
static int file_stat(struct file *f, struct stat *st)
{
	/* A FIFO's pipe answers with the FIFO's inode (its O_PATH descriptor). */
	if (f->kind == FILE_HOST || (f->kind == FILE_PIPE && f->host_fd >= 0)) {
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
	} else if (f->kind == FILE_SOCKET) {
		st->st_mode = S_IFSOCK | 0777;
		st->st_ino = f->sk->ino;
		st->st_dev = 0x9; /* sockfs */
	} else if (f->kind == FILE_EPOLL || f->kind == FILE_PIDFD || f->kind == FILE_ANON) {
		st->st_mode = 0600; /* an anonymous inode */
		st->st_dev = 0xf;
		if (f->kind == FILE_ANON && f->aops->stat)
			f->aops->stat(f, st);
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		st->st_dev = 0x16; /* proc */
	}
	return 0;
}

/* cp_new_stat's from_kuid_munged: owners as the caller's user namespace
 * sees them (the overflow ids where its maps have none). */
static void stat_ids_to_user_ns(struct task *t, struct stat *st)
{
	st->st_uid = from_kuid_munged(t, st->st_uid);
	st->st_gid = from_kgid_munged(t, st->st_gid);
}

SYS(fstat)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	struct stat st;
	int r = file_stat(f, &st);
	if (r)
		return r;
	stat_ids_to_user_ns(t, &st);
	return copy_to_guest(t->mm, a[1], &st, sizeof(st));
}

/* stat of a per-task /proc path: a magic link itself (lstat), what it
 * leads to, or the modeled file or directory. */
long proc_stat(struct task *t, const char *path, bool follow, struct stat *st, int *handled)
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
			return host_stat(AT_FDCWD, target, st, 0);
	}
	/* O_PATH: what the link leads to, not opened (a socket stats too). */
	struct file *f;
	int r = procfs_open(t, path, O_RDONLY | O_PATH, handled, &f);
	if (!*handled || r)
		return r;
	r = file_stat(f, st);
	file_put(f);
	return r;
}

static long stat_source(struct task *t, int dirfd, uint64_t gpath, int flags, char *path,
			struct stat *st, int *hdir)
{
	int r;
	if (!gpath && (flags & AT_EMPTY_PATH)) /* getname_maybe_null: NULL is "" */
		path[0] = 0, r = 0;
	else
		r = get_at_path(t, gpath, &flags, path);
	if (r || (r = model_dir_path(t, dirfd, path)) < 0)
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
	if (*hdir < 0 && *hdir != AT_FDCWD)
		return *hdir;
	/* Another spelling of a /proc path is the model's too. */
	char model[PATH_MAX];
	int e = path[0] ? proc_escape(t, *hdir, path, flags, model) : 0;
	if (e > 0) {
		int handled;
		long pr = proc_stat(t, model, !(flags & AT_SYMLINK_NOFOLLOW), st, &handled);
		return handled ? pr : -ENOENT;
	}
	return e < 0 ? e : 1;
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
	stat_ids_to_user_ns(t, &st);
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
	sx.stx_uid = from_kuid_munged(t, sx.stx_uid); /* the caller's user namespace */
	sx.stx_gid = from_kgid_munged(t, sx.stx_gid);
	return copy_to_guest(t->mm, a[4], &sx, sizeof(sx));
}

static long do_readlinkat(struct task *t, int dirfd, uint64_t gpath, uint64_t gbuf, int64_t size)
{
	char path[PATH_MAX], buf[PATH_MAX];
	if (size <= 0)
		return -EINVAL;
	int r = get_user_path_nofollow(t, gpath, path);
	if (r || (r = model_dir_path(t, dirfd, path)) < 0)
		return r;
	size_t cap = size < (int64_t)sizeof(buf) ? (size_t)size : sizeof(buf);
	int handled;
	long n = procfs_readlink(t, path, buf, cap, &handled);
	if (!handled) {
		int hdir = path[0] == '/' ? AT_FDCWD : host_dirfd(t, dirfd);
		if (hdir < 0 && hdir != AT_FDCWD)
			return hdir;
		/* Another spelling of a /proc path is the model's too. */
		char model[PATH_MAX];
		int e = proc_escape(t, hdir, path, AT_SYMLINK_NOFOLLOW, model);
		if (e < 0)
			return e;
		if (e > 0) {
			n = procfs_readlink(t, model, buf, cap, &handled);
			if (!handled)
				n = -EINVAL; /* a modeled /proc file that is no link */
		} else {
			n = RR_SYS(readlinkat(hdir, path, buf, cap));
			if (n > 0)
				rr_bytes(buf, (size_t)n);
		}
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

/* A host statfs result @r (made only when not replaying) into the log or
 * out of it, with its struct. */
static long rr_statfs(long r, struct statfs *sf)
{
	r = rr_replaying ? rr_value() : rr_note(r);
	if (!r)
		rr_bytes(sf, sizeof(*sf));
	return r;
}

SYS(statfs)
{
	WITH_PATH(t, AT_FDCWD, a[0], path, hdir);
	struct statfs sf;
	long r = 0;
	if (!rr_replaying) {
		int fd = openat(hdir, path, O_PATH | O_CLOEXEC);
		r = fd < 0 ? -errno : host_ret(fstatfs(fd, &sf));
		if (fd >= 0)
			close(fd);
	}
	r = rr_statfs(r, &sf);
	if (!r && copy_to_guest(t->mm, a[1], &sf, sizeof(sf)))
		r = -EFAULT;
	return r;
}

/* statfs of the model's own pseudo file systems (simple_statfs): the
 * magic, 4 KiB blocks, names of 255, ST_VALID; /proc's is the host's. */
static long pseudo_statfs(struct file *f, struct statfs *sf)
{
	if (f->kind == FILE_DIR)
		return rr_statfs(rr_replaying ? 0 : host_ret(statfs("/proc", sf)), sf);
	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = sf->f_frsize = 4096;
	sf->f_namelen = 255;
	sf->f_flags = 0x20; /* ST_VALID */
	if (f->kind == FILE_PIPE) {
		sf->f_type = 0x50495045; /* PIPEFS_MAGIC */
		sf->f_fsid.__val[0] = 0xe;
	} else if (f->kind == FILE_SOCKET) {
		sf->f_type = 0x534f434b; /* SOCKFS_MAGIC */
		sf->f_fsid.__val[0] = 0x9;
	} else {
		sf->f_type = 0x09041934; /* ANON_INODE_FS_MAGIC */
		sf->f_fsid.__val[0] = 0xf;
	}
	return 0;
}

SYS(fstatfs)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	struct statfs sf;
	/* A FIFO is on the file system of its inode; a modeled /proc file
	 * (file_stat) on proc. */
	if (f->kind == FILE_HOST && f->path && !strncmp(f->path, "/proc/", 6)) {
		long r = rr_statfs(rr_replaying ? 0 : host_ret(statfs("/proc", &sf)), &sf);
		if (r)
			return r;
	} else if (f->kind == FILE_HOST || (f->kind == FILE_PIPE && f->host_fd >= 0)) {
		long r = rr_statfs(rr_replaying ? 0 : host_ret(fstatfs(f->host_fd, &sf)), &sf);
		if (r)
			return r;
	} else {
		long r = pseudo_statfs(f, &sf);
		if (r)
			return r;
	}
	return copy_to_guest(t->mm, a[1], &sf, sizeof(sf));
}
