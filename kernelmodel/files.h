/* struct file (an open file description) and struct files (files_struct,
 * the descriptor table). CLONE_FILES shares the table; fork copies it, each
 * copied descriptor sharing the same struct file (offset and status flags),
 * close-on-exec kept. */
#ifndef KERNELMODEL_FILES_H
#define KERNELMODEL_FILES_H

#include <stdbool.h>
#include <stdint.h>

struct pipe;
struct eventpoll;
struct task;
struct unix_sock;
struct host_sock;
struct anon_file_ops;

enum file_kind {
	FILE_HOST, /* backed by a host descriptor: regular files, ttys, /dev/null */
	FILE_PIPE, /* one end of an in-model pipe */
	FILE_DIR,  /* a directory the model lists itself (/proc/<pid>, ...) */
	FILE_EPOLL, /* an epoll instance */
	FILE_PIDFD, /* a process descriptor (pidfd_open, CLONE_PIDFD) */
	FILE_SOCKET, /* an AF_UNIX socket of the model (kernelmodel/net/unix.c) */
	FILE_ANON, /* eventfd, timerfd, signalfd, inotify (kernelmodel/anon_inodes.h) */
};

/* The entries of a FILE_DIR, generated when it is opened, or (with @fill)
 * when it is read from the start: /proc/<pid>/fd lists the descriptors of
 * the moment, and 10,000 opens of it with 10,000 descriptors open do not
 * keep 10,000 listings of them. */
struct dirlist {
	int n, cap, pos;
	struct dirent_model {
		char name[64];
		unsigned char type; /* DT_DIR, DT_REG, DT_LNK */
		uint64_t ino;
	} *e;
	void (*fill)(struct dirlist *d); /* NULL: listed once, at open */
	bool filled;
	int fill_tid;  /* @fill's arguments: the task ... */
	bool fill_info; /* ... and fd or fdinfo */
};

struct file {
	int refcount; /* one per descriptor (in any table) referring to it */
	enum file_kind kind;
	int host_fd;      /* FILE_HOST, else -1 */
	bool is_regular;  /* FILE_HOST on a regular file: I/O never blocks */
	bool write_access; /* counted in the inode's writers (ETXTBSY) */
	bool stdio;        /* inherited from cloneemu (fd 0-2 at start) */
	uint64_t dev, ino; /* FILE_HOST: the host inode, as fstat showed it at open */
	uint64_t rdev;     /* FILE_HOST on a character device: its number (terminals) */
	struct pipe *pipe; /* FILE_PIPE */
	struct dirlist *dir; /* FILE_DIR */
	struct eventpoll *ep; /* FILE_EPOLL */
	struct task *task;    /* FILE_PIDFD, and FILE_DIR of /proc/<tgid> (else NULL): the
			       * thread-group leader (a reference) */
	struct unix_sock *sk; /* FILE_SOCKET: the socket (the file's reference) */
	struct host_sock *hsk; /* FILE_HOST: a host socket's model state (net/inet_host.h), owned */
	const struct anon_file_ops *aops; /* FILE_ANON: its operations ... */
	void *priv;                       /* ... and its object (owned) */
	uint64_t f_pos;                   /* FILE_ANON with rw_at: the position */
	bool write_end;    /* FILE_PIPE */
	bool pipe_rdwr;    /* FILE_PIPE: a FIFO opened O_RDWR, both ends at once */
	unsigned f_pipe;   /* FILE_PIPE: the writers' open count when a FIFO reader opened */
	int flags;         /* FILE_PIPE: O_RDONLY/O_WRONLY | O_NONBLOCK (F_GETFL); FILE_SOCKET and host sockets: O_RDWR | ... */
	char *path; /* as opened, for /proc/<pid>/fd (may be NULL) */
};

/* A file around host descriptor @host_fd (consumed), refcount 1. NULL on ENOMEM. */
struct file *file_host_alloc(int host_fd, const char *path);
/* open() of /proc/<pid>/fd/N: a new open file (refcount 1) on what @f
 * refers to, with open @flags: the same pipe (a new reader or writer), or
 * the host file reopened; with O_PATH a model file is @f itself (a new
 * reference). 0 or -errno (ENXIO for a socket, as Linux). */
int file_reopen(struct file *f, int flags, struct file **out);
/* A FILE_PIDFD on process @leader (takes a task reference), refcount 1. */
struct file *file_pidfd_alloc(struct task *leader, int flags);
/* A FILE_EPOLL around a new, empty instance, refcount 1. NULL on ENOMEM. */
struct file *file_epoll_alloc(int flags);
/* A FILE_DIR taking ownership of @d, refcount 1. NULL on ENOMEM. */
struct file *file_dir_alloc(struct dirlist *d, const char *path);
int dirlist_add(struct dirlist *d, const char *name, unsigned char type, uint64_t ino);
/* Before a getdents or lseek of @d: a lazy listing is made when it has not
 * been yet, and made again when read from the start. */
void dirlist_refresh(struct dirlist *d);
/* A FILE_SOCKET taking the socket's own reference to @sk, refcount 1
 * (sock_alloc_file): @flags O_NONBLOCK or 0. NULL on ENOMEM. */
struct file *file_socket_alloc(struct unix_sock *sk, int flags);
/* A file for one end of @p, refcount 1. NULL on ENOMEM. */
struct file *file_pipe_alloc(struct pipe *p, bool write_end, int flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);

struct fd_entry {
	struct file *file;
	bool cloexec;
};

struct files {
	int refcount; /* one per task sharing this table */
	int max;      /* allocated entries */
	unsigned nofile; /* RLIMIT_NOFILE soft limit: descriptors must be below it */
	struct fd_entry *fd;
};

struct files *files_alloc(unsigned nofile);
struct files *files_get(struct files *files);
void files_put(struct files *files);
/* fork without CLONE_FILES: same descriptors, each a new reference. */
struct files *files_dup(const struct files *old);

/* Lowest free descriptor >= @minfd for @f (the table takes a new
 * reference on success). Returns the fd or -EMFILE. */
int files_install(struct files *files, struct file *f, int minfd, bool cloexec);
/* Put @f at @fd, closing what was there. Returns fd or -EBADF/-ENOMEM. */
int files_install_at(struct files *files, struct file *f, int fd, bool cloexec);
/* The file at @fd (borrowed) or NULL. */
struct file *files_lookup(struct files *files, int fd);
struct fd_entry *files_entry(struct files *files, int fd);
/* Returns 0 or -EBADF. */
int files_close(struct files *files, int fd);
/* execve: close every descriptor marked close-on-exec. */
void files_close_on_exec(struct files *files);

#endif
