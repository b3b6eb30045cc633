/* Extended attributes (fs/xattr.c): host files keep their own, read and
 * written on the host; the modeled /proc has none, as Linux's procfs
 * without a security module: listxattr is empty, the others EOPNOTSUPP. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536

/* The host path for a path xattr call (these have no *at form): absolute,
 * or under the task's cwd descriptor. Returns 0, 1 for a modeled /proc
 * path, or -errno. */
static int xattr_path(struct task *t, uint64_t gpath, bool follow, char *out)
{
	char path[PATH_MAX];
	int r = follow ? get_user_path(t, gpath, path) : get_user_path_nofollow(t, gpath, path);
	if (r || (r = model_dir_path(t, AT_FDCWD, path)) < 0) /* a cwd in the modeled /proc */
		return r;
	int handled;
	char link[PATH_MAX];
	procfs_readlink(t, path, link, sizeof(link), &handled);
	if (!handled) {
		struct file *f = NULL;
		if (!procfs_open(t, path, O_RDONLY, &handled, &f) && handled)
			file_put(f);
	}
	if (handled) { /* the modeled /proc: a name it lacks is ENOENT */
		struct stat st;
		long e = proc_stat(t, path, follow, &st, &handled);
		return handled && e < 0 ? (int)e : 1;
	}
	/* Another spelling of a /proc path is the model's too. */
	int hdir = path[0] == '/' ? AT_FDCWD : t->fs->cwd_fd;
	if ((r = proc_escape(t, hdir, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, NULL)))
		return r;
	if (path[0] == '/')
		return snprintf(out, PATH_MAX, "%s", path) >= PATH_MAX ? -ENAMETOOLONG : 0;
	return snprintf(out, PATH_MAX, "/proc/self/fd/%d/%s", t->fs->cwd_fd, path) >= PATH_MAX
		       ? -ENAMETOOLONG
		       : 0;
}

/* The attribute name: 1..XATTR_NAME_MAX bytes (ERANGE beyond, as Linux). */
static int xattr_name(struct task *t, uint64_t gname, char *name)
{
	long n = strncpy_from_guest(t->mm, name, gname, XATTR_NAME_MAX + 1);
	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return (int)n;
	return n == 0 ? -ERANGE : 0;
}

/* How an xattr call names its file: a path (followed or not) or a descriptor. */
enum xattr_on { ON_PATH, ON_LINK, ON_FD };

/* Resolve the target: 0 with @host_fd or @path set, 1 for a modeled /proc
 * object (a non-host descriptor counts as one), or -errno. */
static int xattr_target(struct task *t, enum xattr_on on, uint64_t arg, int *host_fd, char *path)
{
	*host_fd = -1;
	if (on != ON_FD)
		return xattr_path(t, arg, on == ON_PATH, path);
	struct file *f = arg > INT_MAX ? NULL : files_lookup(t->files, (int)arg);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return 1;
	*host_fd = f->host_fd;
	return 0;
}

/* The @n bytes a host call put in @buf (freed here) go to the guest at
 * @gbuf, recorded or replayed. A size query (no buffer) returns @n alone. */
static long copy_out(struct task *t, char *buf, long n, uint64_t gbuf)
{
	if (n > 0 && buf) {
		rr_bytes(buf, (size_t)n);
		if (copy_to_guest(t->mm, gbuf, buf, (size_t)n))
			n = -EFAULT;
	}
	free(buf);
	return n;
}

/* The attribute name (a[1]) and the target (a[0]) of a get, set or remove,
 * in that order (import_xattr_name comes first since Linux 6.13): 0, 1 for
 * a modeled /proc object (it has none), or -errno. */
static int xattr_named(struct task *t, enum xattr_on on, const uint64_t *a, int *hfd, char *path,
		       char *name)
{
	int r = xattr_name(t, a[1], name);
	if (r)
		return r;
	return xattr_target(t, on, a[0], hfd, path);
}

static long do_getxattr(struct task *t, enum xattr_on on, const uint64_t *a)
{
	char path[PATH_MAX], name[XATTR_NAME_MAX + 1];
	int hfd, r = xattr_named(t, on, a, &hfd, path, name);
	if (r)
		return r < 0 ? r : -EOPNOTSUPP;
	size_t size = a[3] > XATTR_SIZE_MAX ? XATTR_SIZE_MAX : a[3];
	char *buf = size ? malloc(size) : NULL;
	if (size && !buf)
		return -ENOMEM;
	long n = hfd >= 0	    ? RR_SYS(fgetxattr(hfd, name, buf, size))
		 : on == ON_LINK ? RR_SYS(lgetxattr(path, name, buf, size))
				 : RR_SYS(getxattr(path, name, buf, size));
	return copy_out(t, buf, n, a[2]);
}

static long do_listxattr(struct task *t, enum xattr_on on, const uint64_t *a)
{
	char path[PATH_MAX];
	int hfd, r = xattr_target(t, on, a[0], &hfd, path);
	if (r < 0)
		return r;
	if (r == 1)
		return 0;
	size_t size = a[2] > XATTR_LIST_MAX ? XATTR_LIST_MAX : a[2];
	char *buf = size ? malloc(size) : NULL;
	if (size && !buf)
		return -ENOMEM;
	long n = hfd >= 0	    ? RR_SYS(flistxattr(hfd, buf, size))
		 : on == ON_LINK ? RR_SYS(llistxattr(path, buf, size))
				 : RR_SYS(listxattr(path, buf, size));
	return copy_out(t, buf, n, a[1]);
}

static long do_setxattr(struct task *t, enum xattr_on on, const uint64_t *a)
{
	char path[PATH_MAX], name[XATTR_NAME_MAX + 1];
	int flags = (int)a[4];
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int hfd, r = xattr_named(t, on, a, &hfd, path, name);
	if (r < 0)
		return r;
	if (a[3] > XATTR_SIZE_MAX)
		return -E2BIG;
	if (r)
		return -EOPNOTSUPP;
	char *buf = a[3] ? malloc(a[3]) : NULL;
	if (a[3] && !buf)
		return -ENOMEM;
	long ret;
	if (a[3] && copy_from_guest(t->mm, buf, a[2], a[3]))
		ret = -EFAULT;
	else
		ret = hfd >= 0	       ? RR_SYS(fsetxattr(hfd, name, buf, a[3], flags))
		      : on == ON_LINK ? RR_SYS(lsetxattr(path, name, buf, a[3], flags))
				      : RR_SYS(setxattr(path, name, buf, a[3], flags));
	free(buf);
	return ret;
}

static long do_removexattr(struct task *t, enum xattr_on on, const uint64_t *a)
{
	char path[PATH_MAX], name[XATTR_NAME_MAX + 1];
	int hfd, r = xattr_named(t, on, a, &hfd, path, name);
	if (r)
		return r < 0 ? r : -EOPNOTSUPP;
	return hfd >= 0	    ? RR_SYS(fremovexattr(hfd, name))
	       : on == ON_LINK ? RR_SYS(lremovexattr(path, name))
			       : RR_SYS(removexattr(path, name));
}

SYS(getxattr) { return do_getxattr(t, ON_PATH, a); }
SYS(lgetxattr) { return do_getxattr(t, ON_LINK, a); }
SYS(fgetxattr) { return do_getxattr(t, ON_FD, a); }
SYS(listxattr) { return do_listxattr(t, ON_PATH, a); }
SYS(llistxattr) { return do_listxattr(t, ON_LINK, a); }
SYS(flistxattr) { return do_listxattr(t, ON_FD, a); }
SYS(setxattr) { return do_setxattr(t, ON_PATH, a); }
SYS(lsetxattr) { return do_setxattr(t, ON_LINK, a); }
SYS(fsetxattr) { return do_setxattr(t, ON_FD, a); }
SYS(removexattr) { return do_removexattr(t, ON_PATH, a); }
SYS(lremovexattr) { return do_removexattr(t, ON_LINK, a); }
SYS(fremovexattr) { return do_removexattr(t, ON_FD, a); }
