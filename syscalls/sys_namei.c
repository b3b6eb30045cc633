/* Path lookup and the calls that change names (fs/namei.c): how a guest
 * path becomes a host path (the modeled cwd, /proc magic links, /dev/fd,
 * the sysroot), then mkdir, unlink, rename, symlink and link through the
 * host's *at() calls. */
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
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

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

/* Decide who answers a stat: the model (its /proc entries and its own files
 * reached through AT_EMPTY_PATH) fills *@st and gives 0; otherwise 1 with
 * the host directory descriptor to ask in *@hdir; or -errno. */
/* The path of an *at call with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH
 * @flags: "" for an empty one that AT_EMPTY_PATH allows. 0 or -errno. */
int get_at_path(struct task *t, uint64_t gpath, int *flags, char *path)
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
