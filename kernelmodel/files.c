#include "kernelmodel/files.h"
#include "kernelmodel/eventpoll.h"
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/inotify.h"
#include "kernelmodel/locks.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* A new open file of @kind, one reference (the caller's, usually handed
 * to files_install). NULL on ENOMEM. */
static struct file *file_alloc(enum file_kind kind, int host_fd)
{
	struct file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->refcount = 1;
	f->kind = kind;
	f->host_fd = host_fd;
	return f;
}

struct file *file_host_alloc(int host_fd, const char *path)
{
	struct file *f = file_alloc(FILE_HOST, host_fd);
	if (!f)
		return NULL;
	struct stat st;
	long r = RR_SYS(fstat(host_fd, &st));
	if (!r)
		rr_bytes(&st, sizeof(st));
	f->is_regular = r == 0 && S_ISREG(st.st_mode);
	if (!r) { /* the inode's identity: page cache, ETXTBSY, file locks */
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->rdev = S_ISCHR(st.st_mode) ? st.st_rdev : 0;
	}
	f->path = path ? strdup(path) : NULL;
	return f;
}

struct file *file_pipe_alloc(struct pipe *p, bool write_end, int flags)
{
	struct file *f = file_alloc(FILE_PIPE, -1);
	if (!f)
		return NULL;
	f->pipe = p;
	f->write_end = write_end;
	f->flags = flags;
	return f;
}

struct file *file_socket_alloc(struct unix_sock *sk, int flags)
{
	struct file *f = file_alloc(FILE_SOCKET, -1);
	if (!f)
		return NULL;
	f->sk = sk;
	f->flags = O_RDWR | flags;
	return f;
}

struct file *file_dir_alloc(struct dirlist *d, const char *path)
{
	struct file *f = file_alloc(FILE_DIR, -1);
	if (!f)
		return NULL;
	f->dir = d;
	f->flags = O_RDONLY | O_DIRECTORY;
	f->path = path ? strdup(path) : NULL;
	return f;
}

int dirlist_add(struct dirlist *d, const char *name, unsigned char type, uint64_t ino)
{
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 32;
		struct dirent_model *e = realloc(d->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->e = e;
		d->cap = cap;
	}
	struct dirent_model *e = &d->e[d->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->type = type;
	e->ino = ino;
	return 0;
}

void dirlist_refresh(struct dirlist *d)
{
	if (d->fill && (!d->filled || d->pos == 0)) {
		d->n = 0;
		d->fill(d);
		d->filled = true;
		if (d->pos > d->n)
			d->pos = d->n;
	}
}

struct file *file_pidfd_alloc(struct task *leader, int flags)
{
	struct file *f = file_alloc(FILE_PIDFD, -1);
	if (!f)
		return NULL;
	f->task = task_get(leader);
	f->flags = O_RDWR | flags;
	f->path = strdup("anon_inode:[pidfd]");
	return f;
}

struct file *file_epoll_alloc(int flags)
{
	struct file *f = file_alloc(FILE_EPOLL, -1);
	if (!f)
		return NULL;
	if (!(f->ep = eventpoll_alloc())) {
		free(f);
		return NULL;
	}
	f->flags = O_RDWR | flags;
	f->path = strdup("anon_inode:[eventpoll]");
	return f;
}

struct file *anon_inode_getfile(const struct anon_file_ops *ops, void *priv, int flags)
{
	struct file *f = file_alloc(FILE_ANON, -1);
	char name[64];
	if (!f)
		return NULL;
	snprintf(name, sizeof(name), "anon_inode:%s", ops->name);
	if (!(f->path = strdup(name))) {
		free(f);
		return NULL;
	}
	f->aops = ops;
	f->priv = priv;
	f->flags = O_RDWR | flags;
	return f;
}

int file_reopen(struct file *f, int flags, struct file **out)
{
	/* O_PATH reaches the inode without opening it: a model file (pipe end,
	 * socket, anonymous inode) is handed back itself, with no reader or
	 * writer added and no ENXIO. */
	if ((flags & O_PATH) && f->kind != FILE_HOST) {
		*out = file_get(f);
		return 0;
	}
	if (f->kind == FILE_PIPE) {
		int acc = flags & O_ACCMODE;
		if (acc == O_RDWR)
			return -EINVAL; /* not modeled: a FIFO opened for both */
		bool w = acc == O_WRONLY;
		if (!(*out = file_pipe_alloc(f->pipe, w, acc | (flags & O_NONBLOCK))))
			return -ENOMEM;
		if (w) {
			f->pipe->writers++;
			f->pipe->w_counter++;
		} else {
			f->pipe->readers++;
			f->pipe->r_counter++;
		}
		return 0;
	}
	if (f->kind == FILE_ANON && f->aops->reopen)
		return f->aops->reopen(f, flags, out);
	if (f->kind != FILE_HOST)
		return -ENXIO;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
	int h = open(link, (flags & ~O_CREAT) | O_CLOEXEC);
	if (h < 0)
		return -errno;
	if (!(*out = file_host_alloc(h, f->path))) {
		close(h);
		return -ENOMEM;
	}
	return 0;
}

struct file *file_get(struct file *f)
{
	f->refcount++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->refcount > 0)
		return;
	locks_remove_file(f);
	eventpoll_file_released(f);
	if (f->write_access)
		inode_put_write_access(f->dev, f->ino);
	if (f->kind == FILE_HOST) {
		if (fsnotify_active())
			fsnotify_file(f, f->write_access ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
		if (f->host_fd >= 0)
			close(f->host_fd);
		free(f->hsk);
	} else if (f->kind == FILE_PIPE) {
		if (f->host_fd >= 0)
			close(f->host_fd); /* a FIFO's O_PATH descriptor */
		if (f->pipe_rdwr)
			pipe_release(f->pipe, true);
		pipe_release(f->pipe, f->write_end);
	} else if (f->kind == FILE_EPOLL) {
		eventpoll_free(f->ep);
	} else if (f->kind == FILE_PIDFD) {
		task_put(f->task);
	} else if (f->kind == FILE_SOCKET) {
		unix_release(f->sk);
	} else if (f->kind == FILE_ANON) {
		f->aops->release(f);
	} else {
		if (f->task)
			task_put(f->task);
		free(f->dir->e);
		free(f->dir);
	}
	free(f->path);
	free(f);
}

struct files *files_alloc(unsigned nofile)
{
	struct files *files = calloc(1, sizeof(*files));
	if (!files)
		return NULL;
	files->refcount = 1; /* the caller's */
	files->nofile = nofile;
	return files;
}

struct files *files_get(struct files *files)
{
	files->refcount++;
	return files;
}

void files_put(struct files *files)
{
	if (!files || --files->refcount > 0)
		return;
	for (int i = 0; i < files->max; i++) {
		if (files->fd[i].file)
			locks_remove_posix(files->fd[i].file, files);
		file_put(files->fd[i].file);
	}
	free(files->fd);
	free(files);
}

static int files_grow(struct files *files, int fd)
{
	if (fd < files->max)
		return 0;
	int max = files->max ? files->max : 64;
	while (max <= fd)
		max *= 2;
	struct fd_entry *e = realloc(files->fd, max * sizeof(*e));
	if (!e)
		return -ENOMEM;
	memset(e + files->max, 0, (max - files->max) * sizeof(*e));
	files->fd = e;
	files->max = max;
	return 0;
}

struct files *files_dup(const struct files *old)
{
	struct files *files = files_alloc(old->nofile);
	if (!files)
		return NULL;
	if (old->max && files_grow(files, old->max - 1)) {
		files_put(files);
		return NULL;
	}
	for (int i = 0; i < old->max; i++) {
		files->fd[i] = old->fd[i];
		if (files->fd[i].file)
			file_get(files->fd[i].file);
	}
	return files;
}

int files_install(struct files *files, struct file *f, int minfd, bool cloexec)
{
	if (minfd < 0)
		return -EINVAL;
	for (int fd = minfd; (unsigned)fd < files->nofile; fd++) {
		if (fd < files->max && files->fd[fd].file)
			continue;
		if (files_grow(files, fd))
			return -ENOMEM;
		files->fd[fd].file = file_get(f);
		files->fd[fd].cloexec = cloexec;
		return fd;
	}
	return -EMFILE;
}

int files_install_at(struct files *files, struct file *f, int fd, bool cloexec)
{
	if (fd < 0 || (unsigned)fd >= files->nofile)
		return -EBADF;
	if (files_grow(files, fd))
		return -ENOMEM;
	struct file *old = files->fd[fd].file;
	files->fd[fd].file = file_get(f);
	files->fd[fd].cloexec = cloexec;
	if (old)
		locks_remove_posix(old, files); /* dup2 closes what was there */
	file_put(old);
	return fd;
}

struct fd_entry *files_entry(struct files *files, int fd)
{
	if (fd < 0 || fd >= files->max || !files->fd[fd].file)
		return NULL;
	return &files->fd[fd];
}

struct file *files_lookup(struct files *files, int fd)
{
	struct fd_entry *e = files_entry(files, fd);
	return e ? e->file : NULL;
}

int files_close(struct files *files, int fd)
{
	struct fd_entry *e = files_entry(files, fd);
	if (!e)
		return -EBADF;
	struct file *f = e->file;
	e->file = NULL;
	e->cloexec = false;
	locks_remove_posix(f, files); /* filp_close: all of this table's POSIX locks on it */
	file_put(f);
	return 0;
}

void files_close_on_exec(struct files *files)
{
	for (int i = 0; i < files->max; i++)
		if (files->fd[i].file && files->fd[i].cloexec)
			files_close(files, i);
}
