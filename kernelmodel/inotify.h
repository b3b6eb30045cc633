/* inotify (fs/notify/inotify/) over the host file system, for the events
 * the guests themselves cause: the VFS paths of the model call the
 * fsnotify_* hooks below, which queue events to the instances watching
 * the inodes (identified by host device and inode numbers). */
#ifndef KERNELMODEL_INOTIFY_H
#define KERNELMODEL_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct task;

/* Watches that exist: the hooks do nothing (no host stat) without one. */
extern unsigned long inotify_nr_watches;
static inline bool fsnotify_active(void)
{
	return inotify_nr_watches != 0;
}

/* inotify_init1: a new instance (flags IN_NONBLOCK/IN_CLOEXEC checked by
 * the caller); NULL with *@err (-EMFILE at the per-user limit, -ENOMEM). */
struct file *inotify_file_create(struct task *t, int flags, long *err);
/* inotify_add_watch on the inode @dev:@ino (@is_dir): wd or -errno
 * (-EINVAL: @f is not an inotify instance, -EEXIST, -ENOSPC). */
long inotify_add_watch_inode(struct task *t, struct file *f, uint64_t dev, uint64_t ino,
			     bool is_dir, uint32_t mask);
long inotify_rm_watch_wd(struct file *f, int wd);
bool file_is_inotify(const struct file *f);

/* Hooks. The event @mask on the inode @dev:@ino itself ... */
void fsnotify_inode(uint64_t dev, uint64_t ino, uint32_t mask, uint32_t cookie);
/* ... on the object named by @path relative to host directory @hdir
 * (AT_FDCWD or a descriptor): to watches on its parent directory with
 * its name, and with @self also to watches on the object itself. */
void fsnotify_path(int hdir, const char *path, uint32_t mask, uint32_t cookie, bool self);
/* ... on an open file (parent found through the path it was opened by). */
void fsnotify_file(const struct file *f, uint32_t mask);
/* The inode @dev:@ino is gone: IN_DELETE_SELF, then IN_IGNORED for its watches. */
void fsnotify_inode_removed(uint64_t dev, uint64_t ino);
/* A cookie tying IN_MOVED_FROM to IN_MOVED_TO. */
uint32_t fsnotify_next_cookie(void);

#endif
