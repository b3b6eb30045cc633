/* Path lookup and the calls that change names (fs/namei.c): how a guest
 * path becomes a host path (the modeled cwd, /proc magic links, /dev/fd,
 * the sysroot), then mkdir, unlink, rename, symlink and link through the
 * host's *at() calls. */
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
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernelmodel/inotify.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/cred_host.h"
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
	/* chroot(2): the task's own root, where /proc and /dev are whatever
	 * the directory holds. */
	if (t->fs->root)
		return fs_root_path(t->fs, buf, PATH_MAX);
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

/* Where a name for a call of fs/namei.c lands in /proc: 0 not there, 1 a
 * name the modeled /proc has, 2 one it does not have, or -errno. */
static int proc_name(struct task *t, int hdir, const char *path)
{
	char model[PATH_MAX];
	int e = proc_escape(t, hdir, path, AT_SYMLINK_NOFOLLOW, model);
	if (e <= 0)
		return e;
	struct stat st;
	int handled;
	long r = proc_stat(t, model, false, &st, &handled);
	if (!handled || r == -ENOENT)
		return 2;
	return r < 0 ? (int)r : 1;
}

/* Linux's answer for a name in /proc: proc's lookup fails for a name it
 * does not have (ENOENT, before anything is made or removed); one it has
 * gets @exists (EEXIST for a new name; EPERM, as /proc has no mkdir,
 * unlink or rename). */
#define REFUSE_PROC_NAME(t, hdir, path, exists)                                                    \
	do {                                                                                       \
		int e_ = proc_name(t, hdir, path);                                                 \
		if (e_)                                                                            \
			return e_ < 0 ? e_ : e_ == 2 ? -ENOENT : -(exists);                        \
	} while (0)

static long do_mkdirat(struct task *t, int dirfd, uint64_t gpath, unsigned mode)
{
	WITH_PATH(t, dirfd, gpath, path, hdir);
	REFUSE_PROC_NAME(t, hdir, path, EEXIST);
	long r = RR_SYS(mkdirat(hdir, path, mode & ~t->fs->umask));
	if (!r)
		dir_update_time(hdir, path, true);
	if (!r && fsnotify_active())
		fsnotify_path(hdir, path, IN_CREATE, 0, false);
	return r;
}

/* mknodat (fs/namei.c): the node is made on the host (a FIFO there is
 * the model's pipe when opened; device nodes need CAP_MKNOD, which the
 * host checks with the guest's capabilities, cred_host.h). */
static long do_mknodat(struct task *t, int dirfd, uint64_t gpath, unsigned mode, unsigned dev)
{
	switch (mode & S_IFMT) { /* may_mknod */
	case 0:
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	WITH_PATH(t, dirfd, gpath, path, hdir);
	REFUSE_PROC_NAME(t, hdir, path, EEXIST);
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && !host_creds_applied() && !capable(t, CAP_MKNOD))
		return -EPERM;
	long r = RR_SYS(syscall(SYS_mknodat, hdir, path, mode & ~t->fs->umask, dev));
	if (!r)
		dir_update_time(hdir, path, true);
	return r;
}

SYS(mknod)
{
	return do_mknodat(t, AT_FDCWD, a[0], (unsigned)a[1], (unsigned)a[2]);
}

SYS(mknodat)
{
	return do_mknodat(t, (int)a[0], a[1], (unsigned)a[2], (unsigned)a[3]);
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
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL; /* before the name is read */
	WITH_PATH(t, dirfd, gpath, path, hdir);
	REFUSE_PROC_NAME(t, hdir, path, EPERM);
	struct stat st;
	bool watched = fsnotify_active() && !fstatat(hdir, path, &st, AT_SYMLINK_NOFOLLOW);
	long r = RR_SYS(unlinkat(hdir, path, flags));
	if (!r)
		dir_update_time(hdir, path, false);
	if (!r && watched) {
		/* vfs_unlink: the link count (IN_ATTRIB), the inode when its
		 * last link went (d_delete), then the name (IN_DELETE). */
		bool dir = S_ISDIR(st.st_mode);
		if (!dir)
			fsnotify_inode(st.st_dev, st.st_ino, IN_ATTRIB, 0);
		if (dir || st.st_nlink <= 1)
			fsnotify_inode_removed(st.st_dev, st.st_ino);
		fsnotify_path(hdir, path, IN_DELETE | (dir ? IN_ISDIR : 0), 0, false);
	}
	return r;
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
	/* do_renameat2 checks the flags before either name. */
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	WITH_PATH(t, olddir, gold, from, hfrom);
	WITH_PATH(t, newdir, gnew, to, hto);
	/* Both names are looked up first (ENOENT for one /proc lacks), then
	 * two file systems are EXDEV, and /proc renames nothing. */
	int pf = proc_name(t, hfrom, from), pt = pf < 0 ? 0 : proc_name(t, hto, to);
	if (pf < 0 || pt < 0)
		return pf < 0 ? pf : pt;
	if (pf == 2 || pt == 2)
		return -ENOENT;
	if (pf || pt)
		return pf && pt ? -EPERM : -EXDEV;
	struct stat st, old;
	bool watched = fsnotify_active() && !fstatat(hfrom, from, &st, AT_SYMLINK_NOFOLLOW);
	bool replaced = watched && !fstatat(hto, to, &old, AT_SYMLINK_NOFOLLOW) &&
			(old.st_dev != st.st_dev || old.st_ino != st.st_ino);
	long r = RR_SYS(syscall(SYS_renameat2, hfrom, from, hto, to, flags));
	if (!r) {
		dir_update_time(hfrom, from, false);
		dir_update_time(hto, to, false);
	}
	if (!r && watched) {
		/* fsnotify_move: the pair with one cookie, then the inode. */
		uint32_t dir = S_ISDIR(st.st_mode) ? IN_ISDIR : 0, cookie = fsnotify_next_cookie();
		fsnotify_path(hfrom, from, IN_MOVED_FROM | dir, cookie, false);
		fsnotify_path(hto, to, IN_MOVED_TO | dir, cookie, false);
		fsnotify_inode(st.st_dev, st.st_ino, IN_MOVE_SELF, 0);
		if (replaced && !(flags & RENAME_EXCHANGE) && old.st_nlink <= 1)
			fsnotify_inode_removed(old.st_dev, old.st_ino);
	}
	return r;
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
	/* The target is stored as written, not looked up. */
	char target[PATH_MAX];
	long n = strncpy_from_guest(t->mm, target, gtarget, PATH_MAX);
	if (n <= 0)
		return n ? n : -ENOENT;
	WITH_PATH(t, dirfd, glink, path, hdir);
	REFUSE_PROC_NAME(t, hdir, path, EEXIST);
	long r = RR_SYS(symlinkat(target, hdir, path));
	if (!r)
		dir_update_time(hdir, path, true);
	return r;
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
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL; /* do_linkat, before the names */
	WITH_PATH(t, olddir, gold, from, hfrom);
	WITH_PATH(t, newdir, gnew, to, hto);
	/* do_linkat: the old name, then the new one is created (ENOENT where
	 * /proc lacks it, EEXIST where it has it), then EXDEV across file
	 * systems; /proc links nothing. */
	if (flags & AT_SYMLINK_FOLLOW)
		REFUSE_PROC_ESCAPE(t, hfrom, from, 0);
	int pf = (flags & AT_SYMLINK_FOLLOW) ? 0 : proc_name(t, hfrom, from);
	int pt = pf < 0 || pf == 2 ? 0 : proc_name(t, hto, to);
	if (pf < 0 || pt < 0)
		return pf < 0 ? pf : pt;
	if (pf == 2 || pt == 2)
		return -ENOENT;
	if (pt == 1)
		return -EEXIST;
	if (pf || pt)
		return pf && pt ? -EPERM : -EXDEV;
	long r = RR_SYS(linkat(hfrom, from, hto, to, flags));
	if (!r)
		dir_update_time(hto, to, false);
	return r;
}

SYS(link)
{
	return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

SYS(linkat)
{
	return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

int model_dir_path(struct task *t, int dirfd, char *path)
{
	if (path[0] == '/')
		return 0;
	const char *base = t->fs->proc_cwd; /* a cwd in the modeled /proc */
	if (dirfd != AT_FDCWD) {
		struct file *f = fget(t, (uint64_t)(unsigned)dirfd);
		base = f && f->kind == FILE_DIR ? f->path : NULL;
	}
	if (!base || (dirfd == AT_FDCWD && t->fs->root))
		return 0;
	char joined[PATH_MAX];
	if (snprintf(joined, sizeof(joined), "%s/%s", base, path) >= (int)sizeof(joined))
		return -ENAMETOOLONG;
	normalize_abs_path(joined);
	/* Magic links on the way (cwd/..., fd/N/...) lead where they lead, as
	 * get_path() does for a path spelled out. */
	char followed[PATH_MAX];
	int r = procfs_follow(t, joined, false, followed);
	if (r < 0)
		return r;
	memcpy(path, r ? followed : joined, strlen(r ? followed : joined) + 1);
	return 1;
}

/* ---- /proc that never reaches the emulator ----
 *
 * get_path() recognises /proc paths by their spelling. Any other spelling
 * (/./proc/self, /tmp/../proc, a relative path from a cwd or dirfd in /proc,
 * a symlink to /proc/self) would be resolved by the host, into the /proc
 * entries of cloneemu's own process. proc_escape() asks the host where a
 * lookup lands (an O_PATH open and the file system it is on) before the
 * real call is made. */

/* The per-process entries of the host's /proc that are the same for the
 * guests as for cloneemu, and that the modeled /proc does not provide. */
static bool host_proc_entry_ok(const char *rest)
{
	static const char *const ok[] = {"mounts", "mountinfo", "mountstats", "net"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t n = strlen(ok[i]);
		if (!strncmp(rest, ok[i], n) && (rest[n] == 0 || rest[n] == '/'))
			return true;
	}
	return false;
}

/* The modeled /proc path for the host /proc path @canon (as readlink of a
 * descriptor shows it), or 0 when the host may answer (not a per-process
 * entry). cloneemu's own entries become the caller's: /proc/self... */
static int proc_model_path(const char *canon, char *out)
{
	const char *p = canon + 6; /* after "/proc/" */
	size_t n = strspn(p, "0123456789");
	/* (self and thread-self only as whole components) */
	bool self = !n && !strncmp(p, "self", 4) && (p[4] == 0 || p[4] == '/');
	bool tself = !n && !strncmp(p, "thread-self", 11) && (p[11] == 0 || p[11] == '/');
	if (!n && !self && !tself)
		return 0;
	if (self || tself)
		n = self ? 4 : 11;
	if (p[n] && p[n] != '/')
		return 0;
	const char *rest = p[n] ? p + n + 1 : p + n;
	if (host_proc_entry_ok(rest))
		return 0;
	long pid = n && !self && !tself ? strtol(p, NULL, 10) : 0;
	if (pid && pid == (long)getpid()) {
		/* cloneemu is one host thread: task/<pid> is thread-self. */
		char task[32];
		int m = snprintf(task, sizeof(task), "task/%ld", pid);
		if (!strncmp(rest, task, m) && (rest[m] == 0 || rest[m] == '/'))
			return snprintf(out, PATH_MAX, "/proc/thread-self%s", rest + m) < PATH_MAX;
		return snprintf(out, PATH_MAX, "/proc/self%s%s", *rest ? "/" : "", rest) < PATH_MAX;
	}
	return snprintf(out, PATH_MAX, "%s", canon) < PATH_MAX;
}

/* Where the host's lookup of @path from @hdir lands (@oflags: O_NOFOLLOW
 * or 0): 1 with the modeled path in @model when in a per-process entry of
 * the host's /proc, 0 when not, -errno. A name still to be created is
 * judged by its directory. *@link tells whether it landed on a symlink. */
static int proc_landing(int hdir, const char *path, int oflags, char *model, bool *link)
{
	static dev_t proc_dev;
	static bool proc_dev_known;
	char canon[PATH_MAX];
	if (!proc_dev_known) {
		struct stat st;
		proc_dev = stat("/proc", &st) ? (dev_t)-1 : st.st_dev;
		proc_dev_known = true;
	}
	bool parent = false;
	int fd = openat(hdir, path, O_PATH | O_CLOEXEC | oflags);
	const char *last = strrchr(path, '/');
	if (fd < 0 && errno == ENOENT) {
		char dir[PATH_MAX];
		size_t len = last ? (size_t)(last - path) : 0;
		memcpy(dir, path, len);
		dir[len] = 0;
		fd = openat(hdir, last ? (len ? dir : "/") : ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
		parent = true;
	}
	int r = 0;
	struct stat st;
	bool found = fd >= 0 && !fstat(fd, &st);
	*link = found && !parent && S_ISLNK(st.st_mode);
	if (found && st.st_dev == proc_dev) {
		char fdlink[64];
		snprintf(fdlink, sizeof(fdlink), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(fdlink, canon, sizeof(canon) - 1);
		if (n > 0) {
			canon[n] = 0;
			if (parent && snprintf(canon + n, sizeof(canon) - n, "/%s",
					       last ? last + 1 : path) >= (int)(sizeof(canon) - n))
				r = -ENAMETOOLONG;
			else if (!strncmp(canon, "/proc/", 6))
				r = proc_model_path(canon, model);
		}
	}
	if (fd >= 0)
		close(fd);
	return r;
}

int proc_escape(struct task *t, int hdir, const char *path, int flags, char *out)
{
	char model[PATH_MAX];
	if (!strncmp(path, "/proc/", 6) && !strstr(path, "/..")) {
		/* Spelled out (get_path() normalised it): no lookup needed. */
		int r = proc_model_path(path, model);
		if (r > 0 && out)
			memcpy(out, model, PATH_MAX);
		return r;
	}
	if (rr_replaying) {
		long r = rr_value();
		if (r > 0)
			rr_bytes(model, PATH_MAX);
		if (r > 0 && out)
			memcpy(out, model, PATH_MAX);
		return (int)r;
	}
	/* The last component itself first (a magic link such as exe is the
	 * model's to follow), then, if it is followed, where it leads. */
	/* Following only changes the answer when the last component is a
	 * symlink: otherwise one lookup is enough. */
	bool link;
	int r = proc_landing(hdir, path, O_NOFOLLOW, model, &link);
	if (!r && link && !(flags & AT_SYMLINK_NOFOLLOW))
		r = proc_landing(hdir, path, 0, model, &link);
	if (rr_recording) {
		rr_note(r);
		if (r > 0)
			rr_bytes(model, PATH_MAX);
	}
	if (r > 0 && out)
		memcpy(out, model, PATH_MAX);
	return r;
}
