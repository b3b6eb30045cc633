/* struct fs: the working directory, root and umask of a task (fs_struct).
 * CLONE_FS shares it; otherwise fork copies it. The cwd is held as a host
 * O_PATH descriptor, so relative paths resolve with the host's *at() calls
 * exactly as the guest's kernel would resolve them. */
#ifndef KERNELMODEL_FS_H
#define KERNELMODEL_FS_H

#include <stdbool.h>
#include <stddef.h>

struct fs {
	int refcount;
	int cwd_fd; /* host O_PATH|O_DIRECTORY descriptor of the cwd */
	unsigned umask;
	char *root; /* chroot(2): host path of the root directory; NULL: the host's / */
	/* A directory of the modeled /proc ("/proc/5/task/6"): the cwd is
	 * there, relative paths are taken from it (sys_namei.c's
	 * model_dir_path) and cwd_fd is the host's /proc. NULL: cwd_fd. */
	char *proc_cwd;
};

/* A new fs for the first task: cwd = cloneemu's cwd, umask = cloneemu's. NULL on error. */
struct fs *fs_alloc_initial(void);
struct fs *fs_get(struct fs *fs);
void fs_put(struct fs *fs);
/* A copy (refcount 1) with its own cwd descriptor. NULL on ENOMEM/EMFILE. */
struct fs *fs_dup(const struct fs *fs);
/* chdir to a host directory descriptor (consumed). */
void fs_set_cwd(struct fs *fs, int dirfd);
/* chdir to a directory of the modeled /proc, @path absolute and
 * normalised. 0 or -ENOMEM. */
int fs_set_proc_cwd(struct fs *fs, const char *path);
/* The cwd's absolute path into @buf. Returns its length + 1 or -errno. */
long fs_getcwd(const struct fs *fs, char *buf, unsigned long size);

/* chroot(2): @hostdir (an absolute host path, resolved) becomes @fs's
 * root. 0 or -ENOMEM. */
int fs_set_root(struct fs *fs, const char *hostdir);
/* A path the task names, as the host path under its root: absolute paths
 * and ".." are taken lexically and never climb above the root (the root's
 * ".." is the root); relative paths without ".." stay relative. The
 * symlinks on the way are the host's: an absolute link target is not
 * re-rooted. 0 or -ENAMETOOLONG. No root: @path unchanged. */
int fs_root_path(const struct fs *fs, char *path, size_t size);
/* getcwd(2) under a root: the cwd @hostcwd relative to it, or
 * "(unreachable)" before it when the cwd is outside. In place. */
void fs_root_cwd(const struct fs *fs, char *hostcwd, size_t size);
/* The root execve's loader resolves the program's interpreter under. */
void fs_set_exec_root(const char *root);

/* -L/--sysroot: absolute paths a guest names are looked up under @dir
 * first, where they exist (as qemu-user's -L does). NULL: no sysroot. */
int fs_set_sysroot(const char *dir);
/* @path under the sysroot into @out when that file exists there, else @path
 * itself. Returns true when the sysroot's copy was taken. */
bool fs_sysroot_path(const char *path, char *out, size_t size);
/* Is there a sysroot? */
bool fs_has_sysroot(void);

#endif
