/* Files on anonymous inodes that the model implements itself (Linux's
 * fs/anon_inodes.c): eventfd, timerfd, signalfd and inotify instances. Each
 * kind supplies its file operations; the VFS paths (read, write, poll,
 * epoll, fstat, /proc/<pid>/fd and fdinfo, close) go through them. */
#ifndef KERNELMODEL_ANON_INODES_H
#define KERNELMODEL_ANON_INODES_H

#include <stddef.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct file;
struct stat;
struct task;

struct anon_file_ops {
	const char *name; /* "[eventfd]": /proc/<pid>/fd shows "anon_inode:[eventfd]" */
	/* read/write of @count bytes at guest @buf: bytes, -errno, or
	 * -EKBLOCK after putting @t to sleep. NULL: EINVAL. */
	long (*read)(struct task *t, struct file *f, gva_t buf, size_t count);
	long (*write)(struct task *t, struct file *f, gva_t buf, size_t count);
	/* Readiness as poll(2) bits for the calling task @t. */
	short (*poll)(struct task *t, struct file *f);
	/* A counter bumped on every change of readiness (EPOLLET). */
	uint64_t (*gen)(struct file *f);
	/* The lines /proc/<pid>/fdinfo/N shows after pos/flags/mnt_id/ino. */
	int (*show_fdinfo)(struct file *f, char *buf, size_t len);
	/* FIONREAD: 0 and *n, or -ENOTTY. NULL: ENOTTY. */
	long (*fionread)(struct file *f, int *n);
	void (*release)(struct file *f);
	/* fstat: what differs from an anonymous inode's (nsfs). NULL: none. */
	void (*stat)(struct file *f, struct stat *st);
	/* open of /proc/<pid>/fd/N: a new open file. NULL: ENXIO. */
	int (*reopen)(struct file *f, int flags, struct file **out);
	/* A file with a position (/proc/<pid>/mem) has this instead of read
	 * and write: I/O at @pos (read/write and lseek use the file's f_pos;
	 * pread/pwrite their offset). */
	long (*rw_at)(struct task *t, struct file *f, gva_t buf, size_t count, uint64_t pos,
		      bool write);
};

/* A FILE_ANON of @ops around @priv (owned by the file from now on: its
 * release frees it), flags O_RDWR | @flags (O_NONBLOCK), refcount 1.
 * NULL on ENOMEM (@priv is then not freed). */
struct file *anon_inode_getfile(const struct anon_file_ops *ops, void *priv, int flags);

/* Every anonymous inode's number (Linux has one anon_inode for them all). */
#define ANON_INODE_INO 1
#define ANON_INODE_DEV 0xf

#endif
