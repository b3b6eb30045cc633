/* inotify after fs/notify/inotify/inotify_user.c and
 * inotify_fsnotify.c: instances hold watches (wd from 1, one per inode per
 * instance) and a queue of struct inotify_event; an event equal to the
 * last one queued is merged into it; IN_ONESHOT watches go after their
 * first event; removing a watch queues IN_IGNORED. Events come from the
 * model's own file operations (hooks below), in the order the guests make
 * them: deterministic, and blind to other host processes. */
#include "kernelmodel/inotify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

#define MAX_USER_INSTANCES 128   /* fs.inotify.max_user_instances */
#define MAX_USER_WATCHES 65536   /* fs.inotify.max_user_watches (host: RAM-based) */
#define MAX_QUEUED_EVENTS 16384  /* fs.inotify.max_queued_events */
#define EVENT_SIZE 16            /* struct inotify_event without its name */

struct inotify_watch {
	int wd;
	uint64_t dev, ino;
	uint32_t mask;
	struct inotify_watch *next;
};

struct inotify_kevent {
	int wd;
	uint32_t mask, cookie, len; /* len: padded name size */
	char *name;
	struct inotify_kevent *next;
};

struct inotify_ctx {
	uint32_t uid;
	int last_wd;
	struct inotify_watch *watches; /* by wd */
	struct inotify_kevent *head, *tail;
	int nevents;
	size_t bytes;   /* FIONREAD */
	bool overflowed;
	uint64_t gen;
	struct inotify_ctx *next, *prev; /* every instance, in creation order */
};

unsigned long inotify_nr_watches;
static struct inotify_ctx *instances, *instances_tail;
static uint32_t cookies;

static int user_count(uint32_t uid, bool watches)
{
	int n = 0;
	for (struct inotify_ctx *c = instances; c; c = c->next)
		if (c->uid == uid) {
			if (!watches)
				n++;
			else
				for (struct inotify_watch *w = c->watches; w; w = w->next)
					n++;
		}
	return n;
}

static void changed(struct inotify_ctx *c)
{
	c->gen++;
	wake_up(c);
	wake_up(&poll_chan);
}

static size_t padded_len(const char *name)
{
	if (!name)
		return 0;
	size_t n = strlen(name) + 1;
	return (n + EVENT_SIZE - 1) / EVENT_SIZE * EVENT_SIZE;
}

/* inotify_handle_inode_event + fsnotify_add_event's merge and overflow. */
static void queue_event(struct inotify_ctx *c, int wd, uint32_t mask, uint32_t cookie,
			const char *name)
{
	struct inotify_kevent *last = c->tail;
	if (last && last->wd == wd && last->mask == mask && last->cookie == cookie &&
	    ((!last->name && !name) || (last->name && name && !strcmp(last->name, name))))
		return; /* the same as the last one: merged */
	if (c->nevents >= MAX_QUEUED_EVENTS) {
		if (c->overflowed)
			return;
		c->overflowed = true;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		name = NULL;
	}
	struct inotify_kevent *e = calloc(1, sizeof(*e));
	if (!e)
		return;
	if (name && !(e->name = strdup(name))) {
		free(e);
		return;
	}
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = (uint32_t)padded_len(name);
	if (c->tail)
		c->tail->next = e;
	else
		c->head = e;
	c->tail = e;
	c->nevents++;
	c->bytes += EVENT_SIZE + e->len;
	changed(c);
}

static void watch_remove(struct inotify_ctx *c, struct inotify_watch *w, bool ignored)
{
	for (struct inotify_watch **pp = &c->watches; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (ignored)
		queue_event(c, w->wd, IN_IGNORED, 0, NULL);
	inotify_nr_watches--;
	free(w);
}

/* Deliver @mask on inode dev:ino to every watch on it; @name for a
 * directory watch's child. */
static void deliver(uint64_t dev, uint64_t ino, uint32_t mask, uint32_t cookie, const char *name)
{
	for (struct inotify_ctx *c = instances; c; c = c->next) {
		struct inotify_watch *w = c->watches, *next;
		for (; w; w = next) {
			next = w->next;
			if (w->dev != dev || w->ino != ino)
				continue;
			uint32_t m = mask & (w->mask | IN_ISDIR | IN_IGNORED | IN_UNMOUNT);
			if (!(m & ~IN_ISDIR & IN_ALL_EVENTS) && !(mask & IN_IGNORED))
				continue;
			queue_event(c, w->wd, m, cookie, name);
			if (w->mask & IN_ONESHOT)
				watch_remove(c, w, true);
		}
	}
}

void fsnotify_inode(uint64_t dev, uint64_t ino, uint32_t mask, uint32_t cookie)
{
	if (fsnotify_active())
		deliver(dev, ino, mask, cookie, NULL);
}

void fsnotify_inode_removed(uint64_t dev, uint64_t ino)
{
	if (!fsnotify_active())
		return;
	deliver(dev, ino, IN_DELETE_SELF, 0, NULL);
	for (struct inotify_ctx *c = instances; c; c = c->next) {
		struct inotify_watch *w = c->watches, *next;
		for (; w; w = next) {
			next = w->next;
			if (w->dev == dev && w->ino == ino)
				watch_remove(c, w, true);
		}
	}
}

uint32_t fsnotify_next_cookie(void)
{
	return ++cookies;
}

/* Split @path (relative to @hdir) into its parent's identity and last name. */
static bool parent_of(int hdir, const char *path, struct stat *pst, char *name, size_t namelen)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	size_t n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	char *slash = strrchr(buf, '/');
	const char *base = slash ? slash + 1 : buf;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return false;
	snprintf(name, namelen, "%s", base);
	int r;
	if (!slash)
		r = hdir == AT_FDCWD ? stat(".", pst) : fstat(hdir, pst);
	else if (slash == buf)
		r = stat("/", pst);
	else {
		*slash = 0;
		r = fstatat(hdir, buf, pst, 0);
	}
	return r == 0;
}

void fsnotify_path(int hdir, const char *path, uint32_t mask, uint32_t cookie, bool self)
{
	if (!fsnotify_active())
		return;
	struct stat pst, st;
	char name[NAME_MAX + 1];
	bool exists = !fstatat(hdir, path, &st, AT_SYMLINK_NOFOLLOW);
	if (exists && S_ISDIR(st.st_mode))
		mask |= IN_ISDIR;
	bool have_self = self && exists;
	if (parent_of(hdir, path, &pst, name, sizeof(name)))
		deliver(pst.st_dev, pst.st_ino, mask, cookie, name);
	if (have_self)
		deliver(st.st_dev, st.st_ino, mask, cookie, NULL);
}

void fsnotify_file(const struct file *f, uint32_t mask)
{
	if (!fsnotify_active() || f->kind != FILE_HOST)
		return;
	struct stat st;
	if (f->host_fd >= 0 && !fstat(f->host_fd, &st) && S_ISDIR(st.st_mode))
		mask |= IN_ISDIR;
	struct stat pst;
	char name[NAME_MAX + 1];
	if (f->path && f->path[0] == '/' && parent_of(AT_FDCWD, f->path, &pst, name, sizeof(name)))
		deliver(pst.st_dev, pst.st_ino, mask, 0, name);
	deliver(f->dev, f->ino, mask, 0, NULL);
}

/* ---- the file ---- */

static long inotify_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct inotify_ctx *c = f->priv;
	if (!c->head) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return sleep_on(t, c, "inotify read");
	}
	size_t done = 0;
	while (c->head) {
		struct inotify_kevent *e = c->head;
		size_t sz = EVENT_SIZE + e->len;
		if (sz > count - done)
			return done ? (long)done : -EINVAL; /* not even the first fits */
		uint8_t out[EVENT_SIZE + NAME_MAX + EVENT_SIZE];
		memset(out, 0, sz);
		int32_t wd = e->wd;
		memcpy(out, &wd, 4);
		memcpy(out + 4, &e->mask, 4);
		memcpy(out + 8, &e->cookie, 4);
		memcpy(out + 12, &e->len, 4);
		if (e->name)
			memcpy(out + EVENT_SIZE, e->name, strlen(e->name));
		/* get_one_event takes the event off the queue before
		 * copy_event_to_user: one that cannot be stored is lost. */
		bool fault = copy_to_guest(t->mm, buf + done, out, sz) != 0;
		if (!fault)
			done += sz;
		c->head = e->next;
		if (!c->head)
			c->tail = NULL;
		c->nevents--;
		c->bytes -= sz;
		if (e->mask == IN_Q_OVERFLOW)
			c->overflowed = false;
		free(e->name);
		free(e);
		if (fault) {
			c->gen++;
			return done ? (long)done : -EFAULT;
		}
	}
	c->gen++;
	return (long)done;
}

static short inotify_poll(struct task *t, struct file *f)
{
	(void)t;
	return ((struct inotify_ctx *)f->priv)->head ? POLLIN | POLLRDNORM : 0;
}

static uint64_t inotify_gen(struct file *f)
{
	return ((struct inotify_ctx *)f->priv)->gen;
}

static long inotify_fionread(struct file *f, int *n)
{
	size_t b = ((struct inotify_ctx *)f->priv)->bytes;
	*n = b > INT_MAX ? INT_MAX : (int)b;
	return 0;
}

static int inotify_show_fdinfo(struct file *f, char *buf, size_t len)
{
	struct inotify_ctx *c = f->priv;
	size_t off = 0;
	for (struct inotify_watch *w = c->watches; w && off < len; w = w->next) {
		int n = snprintf(buf + off, len - off,
				 "inotify wd:%x ino:%llx sdev:%llx mask:%x ignored_mask:0\n", w->wd,
				 (unsigned long long)w->ino, (unsigned long long)w->dev,
				 w->mask & IN_ALL_EVENTS);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return (int)(off < len ? off : len);
}

static void inotify_release(struct file *f)
{
	struct inotify_ctx *c = f->priv;
	while (c->watches)
		watch_remove(c, c->watches, false);
	while (c->head) {
		struct inotify_kevent *e = c->head;
		c->head = e->next;
		free(e->name);
		free(e);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		instances = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		instances_tail = c->prev;
	free(c);
}

static const struct anon_file_ops inotify_fops = {
	.name = "inotify",
	.read = inotify_read,
	.poll = inotify_poll,
	.gen = inotify_gen,
	.show_fdinfo = inotify_show_fdinfo,
	.fionread = inotify_fionread,
	.release = inotify_release,
};

bool file_is_inotify(const struct file *f)
{
	return f->kind == FILE_ANON && f->aops == &inotify_fops;
}

struct file *inotify_file_create(struct task *t, int flags, long *err)
{
	uint32_t uid = t->cred->uid;
	if (user_count(uid, false) >= MAX_USER_INSTANCES) {
		*err = -EMFILE;
		return NULL;
	}
	struct inotify_ctx *c = calloc(1, sizeof(*c));
	*err = -ENOMEM;
	if (!c)
		return NULL;
	c->uid = uid;
	struct file *f = anon_inode_getfile(&inotify_fops, c, flags & O_NONBLOCK);
	if (!f) {
		free(c);
		return NULL;
	}
	c->prev = instances_tail;
	if (instances_tail)
		instances_tail->next = c;
	else
		instances = c;
	instances_tail = c;
	return f;
}

long inotify_add_watch_inode(struct task *t, struct file *f, uint64_t dev, uint64_t ino,
			     bool is_dir, uint32_t mask)
{
	(void)is_dir;
	struct inotify_ctx *c = f->priv;
	struct inotify_watch *w;
	for (w = c->watches; w; w = w->next)
		if (w->dev == dev && w->ino == ino)
			break;
	uint32_t keep = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK | IN_DONT_FOLLOW | IN_ONLYDIR;
	if (w) {
		if (mask & IN_MASK_CREATE)
			return -EEXIST;
		w->mask = (mask & IN_MASK_ADD) ? w->mask | (mask & keep) : mask & keep;
		return w->wd;
	}
	if (user_count(t->cred->uid, true) >= MAX_USER_WATCHES)
		return -ENOSPC;
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	w->wd = ++c->last_wd;
	w->dev = dev;
	w->ino = ino;
	w->mask = mask & keep;
	/* In wd order, so events for one inode go out in a fixed order. */
	struct inotify_watch **pp = &c->watches;
	while (*pp)
		pp = &(*pp)->next;
	*pp = w;
	inotify_nr_watches++;
	return w->wd;
}

long inotify_rm_watch_wd(struct file *f, int wd)
{
	struct inotify_ctx *c = f->priv;
	for (struct inotify_watch *w = c->watches; w; w = w->next)
		if (w->wd == wd) {
			watch_remove(c, w, true);
			return 0;
		}
	return -EINVAL;
}
