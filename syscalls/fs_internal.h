/* What the file-system syscalls (sys_namei.c, sys_open.c, sys_read_write.c,
 * sys_stat.c, sys_fcntl.c, sys_readdir.c, sys_splice.c, sys_xattr.c) share,
 * as Linux's fs/internal.h: descriptor lookup, path resolution for the
 * host's *at() calls, host I/O recorded for replay, file times. */
#ifndef SYSCALLS_FS_INTERNAL_H
#define SYSCALLS_FS_INTERNAL_H

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "kernelmodel/files.h"
#include "kernelmodel/task.h"
#include "syscalls/sys.h"

struct iovec;

static inline struct file *fget(struct task *t, uint64_t fd)
{
	return fd > INT_MAX ? NULL : files_lookup(t->files, (int)fd);
}

/* The host descriptor behind guest @fd for calls only host files support.
 * Returns it, -EBADF, or @pipe_err for a pipe (each call's Linux errno). */
static inline int fget_host(struct task *t, uint64_t fd, int pipe_err)
{
	struct file *f = fget(t, fd);
	if (!f)
		return -EBADF;
	return f->kind == FILE_HOST ? f->host_fd : pipe_err;
}

/* sys_namei.c: a relative @path under @dirfd, a directory of the modeled
 * /proc, becomes the absolute /proc path it names (returns 1; 0 for any
 * other directory; -ENAMETOOLONG). */
int model_dir_path(struct task *t, int dirfd, char *path);

/* Path syscalls passed to the host's *at() call relative to the modeled cwd. */
#define WITH_PATH(t, dirfd, gpath, path, hdir)                                                     \
	char path[PATH_MAX];                                                                       \
	int hdir;                                                                                  \
	do {                                                                                       \
		int r_ = get_user_path(t, gpath, path);                                            \
		if (r_ || (r_ = model_dir_path(t, dirfd, path)) < 0)                               \
			return r_;                                                                 \
		hdir = host_dirfd(t, dirfd);                                                       \
		if (path[0] == '/')                                                                \
			hdir = AT_FDCWD;                                                           \
		else if (hdir < 0)                                                                 \
			return hdir;                                                               \
	} while (0)

/* sys_namei.c: the path of an *at call with AT_SYMLINK_NOFOLLOW /
 * AT_EMPTY_PATH @flags ("" for an empty one that AT_EMPTY_PATH allows; a
 * path naming a directory clears AT_SYMLINK_NOFOLLOW). 0 or -errno. */
int get_at_path(struct task *t, uint64_t gpath, int *flags, char *path);

/* sys_namei.c: where a host lookup of @path (relative to host directory
 * @hdir; @flags' AT_SYMLINK_NOFOLLOW) would land in the host's /proc: 1
 * with the modeled /proc path to use instead in @out (if not NULL: PATH_MAX
 * bytes; cloneemu's own entries become the caller's /proc/self/...), 0 when
 * it does not reach a per-process entry there, or -errno. A name still to
 * be created is judged by its directory. Recorded for replay. */
int proc_escape(struct task *t, int hdir, const char *path, int flags, char *out);
/* Calls that change a name or an inode refuse to do it in /proc (EACCES). */
#define REFUSE_PROC_ESCAPE(t, hdir, path, flags)                                                   \
	do {                                                                                       \
		int e_ = proc_escape(t, hdir, path, flags, NULL);                                  \
		if (e_)                                                                            \
			return e_ > 0 ? -EACCES : e_;                                              \
	} while (0)

/* sys_stat.c: stat of a modeled /proc path (*@handled = 0 when it is not one). */
long proc_stat(struct task *t, const char *path, bool follow, struct stat *st, int *handled);
/* fstatat on the host, recorded or replayed: 0 or -errno. */
long host_stat(int dirfd, const char *path, struct stat *st, int flags);

/* sys_socket.c: read/write and readv/writev on a model socket (recvmsg and
 * sendmsg without name or control): over host iovecs @iov (@n of them,
 * @total bytes), or over guest memory at @buf. The count, -errno or -EKBLOCK. */
long sock_rw(struct task *t, struct file *f, struct iovec *iov, int n, size_t total, bool to_guest);
long sock_rw_buf(struct task *t, struct file *f, gva_t buf, size_t count, bool to_guest);

/* sys_read_write.c: readv/writev (or the p- forms at @off >= 0) on a host
 * file, recorded and replayed. Returns the count or -errno. */
long host_rw(struct file *f, struct iovec *iov, int n, bool to_guest, int64_t off);
/* Sleep until a host descriptor that is not regular and not O_NONBLOCK is
 * ready; 0 when the I/O can go ahead now. */
long host_wait_ready(struct task *t, struct file *f, bool for_read);
/* The guest's time for a file stamp, or false when the host's own is the
 * guest's (--clock=host) or no host call may be made (replay). */
bool guest_file_time(struct timespec *ts);
/* file_update_time(): stamp a regular host file's mtime (and atime, for a
 * new file) with the guest's clock after a change, as Linux stamps it with
 * current_time(); without it files written under the virtual clock would
 * carry the host's time, ahead of the guest's. No-op with --clock=host. */
void file_update_time(struct file *f, bool atime_too);
/* dir_update_time(): a name was added to or removed from the directory that
 * holds @path (relative to host dirfd @hdir): stamp that directory's mtime
 * with the guest's time, as Linux's current_time() does in the inode
 * operations; with @self the node @path names too (a new directory, device
 * node or symlink: atime and mtime). */
void dir_update_time(int hdir, const char *path, bool self);

/* sys_locks.c: fcntl's F_GETLK, F_SETLK, F_SETLKW and F_OFD_* on @f with
 * the struct flock at guest address @arg. 0 or -errno (-EKBLOCK: asleep). */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
