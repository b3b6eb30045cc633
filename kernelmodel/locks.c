/* File locks, after Linux's fs/locks.c (flock_lock_inode, posix_lock_inode,
 * posix_test_lock, posix_locks_deadlock, locks_remove_posix/file). The
 * lists and the order of their entries are Linux's, so F_GETLK reports the
 * lock Linux would report. What differs: a waiter is not queued on the lock
 * that blocks it; it sleeps on the inode's context and every release there
 * wakes all its sleepers, who retry (the dispatcher re-runs the syscall).
 *
 * Host files: the locks are also taken on the host, so that other host
 * processes and the guests see each other's. cloneemu is one host process,
 * so each regular file's context opens a description of its own (a
 * mirror) and holds on it, as OFD locks, the union of the guests' POSIX
 * and OFD locks (per byte: a write lock if any guest has one, else a read
 * lock if any has one), and as a flock lock the union of their flock
 * locks. A request the model grants is first tried there (non-blocking):
 * a host process's conflicting lock makes F_SETLK fail with EAGAIN and
 * F_SETLKW sleep, retrying every LOCK_POLL_NS of host time; F_GETLK then
 * reports that lock (l_pid 0, the holder is outside every guest's PID
 * namespace, or -1 for an OFD lock). Every host call goes through the
 * rr layer. */
#include "kernelmodel/locks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* Which inode a file's locks are on. Host files carry their host identity;
 * model objects have their own name spaces, so that a model pipe never
 * shares a context with a host file that happens to have its numbers. */
enum key_space { KEY_HOST, KEY_PIPE, KEY_ANON, KEY_OBJ };

struct lock_key {
	enum key_space space;
	uint64_t dev, ino;
};

/* Linux's struct file_lock_context (inode->i_flctx). */
struct file_lock_context {
	struct file_lock_context *next;
	struct lock_key key;
	struct file_lock *flock; /* in the order they were taken */
	struct file_lock *posix; /* POSIX and OFD: grouped by owner, each group by start */
	/* KEY_HOST: the mirror descriptions (host fds) holding the host
	 * locks for ctx->posix and ctx->flock; HOST_UNSET until first needed,
	 * HOST_NONE when the file cannot have any (not a regular file). */
	int host_posix, host_flock;
};

#define HOST_UNSET -1
#define HOST_NONE -2
#define LOCK_POLL_NS 10000000 /* a host process's lock is retried every 10 ms */

static struct file_lock_context *contexts;
static size_t nr_locks;

/* POSIX (not OFD) requests asleep, for deadlock detection: Linux's
 * blocked_hash. An entry counts only while its task still sleeps on the
 * context it names: a woken waiter has left Linux's hash too, and enters
 * it again if its retry has to wait again. */
struct lock_waiter {
	struct task *t; /* compared only after task_find(tid) returns it */
	int tid;
	const void *owner;   /* the waiting request's owner */
	const void *blocker; /* the owner of the lock it waits for */
	const struct file_lock_context *ctx;
};

static struct {
	struct lock_waiter *v;
	size_t n, cap;
} waiters;

#define MAX_DEADLK_ITERATIONS 10

static void key_of(const struct file *f, struct lock_key *k)
{
	switch (f->kind) {
	case FILE_HOST:
		*k = (struct lock_key){KEY_HOST, f->dev, f->ino};
		break;
	case FILE_PIPE:
		*k = (struct lock_key){KEY_PIPE, 0xe, f->pipe->ino}; /* pipefs, as fstat shows */
		break;
	case FILE_EPOLL:
		*k = (struct lock_key){KEY_ANON, 0xf, 0}; /* the one anonymous inode */
		break;
	case FILE_PIDFD:
		*k = (struct lock_key){KEY_OBJ, 0, (uint64_t)(uintptr_t)f->task}; /* pidfs: one per process */
		break;
	default:
		/* A modeled /proc directory, a socket: an inode of its own that
		 * no other open shares (the file outlives its locks). */
		*k = (struct lock_key){KEY_OBJ, 0, (uint64_t)(uintptr_t)f};
		break;
	}
}

static struct file_lock_context *ctx_find(const struct file *f, bool create)
{
	struct lock_key k;
	key_of(f, &k);
	for (struct file_lock_context *c = contexts; c; c = c->next)
		if (c->key.space == k.space && c->key.dev == k.dev && c->key.ino == k.ino)
			return c;
	if (!create)
		return NULL;
	struct file_lock_context *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->key = k;
	c->host_posix = c->host_flock = HOST_UNSET;
	c->next = contexts;
	contexts = c;
	return c;
}

static bool waiter_valid(const struct lock_waiter *w)
{
	return task_find(w->tid) == w->t && w->t->state == TASK_INTERRUPTIBLE &&
	       w->t->wait_chan == w->ctx;
}

/* Drop entries that no longer count (and @t's own, if @t is not NULL). */
static void waiters_prune(const struct task *t)
{
	size_t k = 0;
	for (size_t i = 0; i < waiters.n; i++)
		if (waiters.v[i].t != t && waiter_valid(&waiters.v[i]))
			waiters.v[k++] = waiters.v[i];
	waiters.n = k;
}

/* ---- the host side ---- */

static void host_close(int *fd)
{
	if (*fd >= 0)
		RR_SYS(close(*fd));
	*fd = HOST_UNSET;
}

/* @ctx's mirror in @slot, opened from @f's host descriptor if need be: a
 * host fd, or HOST_NONE (no host locks for this file). */
static int host_mirror(struct file_lock_context *ctx, const struct file *f, int *slot)
{
	static const int modes[] = {O_RDWR, O_RDONLY, O_WRONLY};
	char path[64];
	struct stat st;
	int fd = -1;
	if (*slot != HOST_UNSET)
		return *slot;
	*slot = HOST_NONE;
	if (ctx->key.space != KEY_HOST || f->kind != FILE_HOST || f->host_fd < 0)
		return HOST_NONE;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", f->host_fd);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && fd < 0; i++)
		fd = (int)RR_SYS(open(path, modes[i] | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
	if (fd < 0)
		return HOST_NONE;
	memset(&st, 0, sizeof(st));
	long r = RR_SYS(fstat(fd, &st));
	rr_bytes(&st.st_mode, sizeof(st.st_mode));
	if (r || !S_ISREG(st.st_mode)) {
		host_close(&fd);
		return HOST_NONE;
	}
	return *slot = fd;
}

/* F_OFD_SETLK of @type over [start, end] on mirror @fd: 0 or -errno. */
static long host_setlk(int fd, int type, int64_t start, int64_t end)
{
	struct flock hl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = start,
			   .l_len = end == OFFSET_MAX ? 0 : end - start + 1};
	return RR_SYS(fcntl(fd, F_OFD_SETLK, &hl));
}

/* The host timer whose ticks wake tasks waiting for a host process's lock. */
static struct pollfd lock_tick = {.fd = -1, .events = POLLIN};

/* Sleep until a release in @ctx or the next tick, then retry. */
static long host_wait(struct task *t, struct file_lock_context *ctx)
{
	if (lock_tick.fd < 0) {
		struct itimerspec its = {{0, LOCK_POLL_NS}, {0, LOCK_POLL_NS}};
		int fd = (int)RR_SYS(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
		if (fd >= 0 && RR_SYS(timerfd_settime(fd, 0, &its, NULL)) < 0)
			host_close(&fd);
		lock_tick.fd = fd;
	}
	if (lock_tick.fd < 0)
		return sleep_until(t, ctx, now_ns() + LOCK_POLL_NS, "file lock (host)");
	uint64_t ticks;
	RR_SYS(read(lock_tick.fd, &ticks, sizeof(ticks))); /* consume past ticks */
	return sleep_poll(t, ctx, 0, &lock_tick, 1, "file lock (host)");
}

/* A request the model would grant: try it on the host first. 0 (go on),
 * -EAGAIN (a host process holds a conflicting lock) or -EKBLOCK. Host
 * errors other than a conflict leave the lock to the model alone. */
static long host_try(struct task *t, struct file_lock_context *ctx, const struct file *f,
		     const struct file_lock *req, bool wait)
{
	long r;
	if (req->flags & FL_FLOCK) {
		int fd = host_mirror(ctx, f, &ctx->host_flock);
		if (fd < 0)
			return 0;
		r = RR_SYS(flock(fd, (req->type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB));
	} else {
		int fd = host_mirror(ctx, f, &ctx->host_posix);
		if (fd < 0)
			return 0;
		r = host_setlk(fd, req->type, req->start, req->end);
	}
	if (r != -EAGAIN)
		return 0;
	return wait ? host_wait(t, ctx) : -EAGAIN;
}

/* A boundary of the sweep in host_sync: at @pos a lock of @type begins
 * (@delta 1) or ends (-1). */
struct edge {
	int64_t pos;
	int type, delta;
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Make the host locks the union of the model's again (after a change in
 * [@lo, @hi]; lo > hi: the flock lock alone changed): the segments of
 * that range, each with the strongest type covering it, neighbours of one
 * type joined. A sweep over the sorted edges of the locks that meet the
 * range: O(k log k) in them (it was quadratic in all the file's locks at
 * every lock operation, which stress-ng --fcntl/--lockf made minutes). */
static void host_sync(struct file_lock_context *ctx, int64_t lo, int64_t hi)
{
	if (ctx->host_flock >= 0) {
		int op = LOCK_UN;
		for (struct file_lock *fl = ctx->flock; fl; fl = fl->next)
			op = fl->type == F_WRLCK ? LOCK_EX : op == LOCK_EX ? op : LOCK_SH;
		RR_SYS(flock(ctx->host_flock, op | LOCK_NB));
	}
	if (ctx->host_posix < 0 || lo > hi)
		return;
	size_t n = 0;
	for (struct file_lock *fl = ctx->posix; fl; fl = fl->next)
		n += 2;
	struct edge *e = malloc((n ? n : 1) * sizeof(*e));
	if (!e)
		return;
	n = 0;
	for (struct file_lock *fl = ctx->posix; fl; fl = fl->next) {
		if (fl->end < lo || fl->start > hi)
			continue;
		e[n++] = (struct edge){fl->start < lo ? lo : fl->start, fl->type, 1};
		if (fl->end < hi)
			e[n++] = (struct edge){fl->end + 1, fl->type, -1};
	}
	qsort(e, n, sizeof(*e), cmp_edge);
	int64_t seg_start = lo;
	int seg_type = F_UNLCK, nread = 0, nwrite = 0;
	for (size_t i = 0; i < n;) {
		int64_t pos = e[i].pos;
		for (; i < n && e[i].pos == pos; i++)
			*(e[i].type == F_WRLCK ? &nwrite : &nread) += e[i].delta;
		int type = nwrite ? F_WRLCK : nread ? F_RDLCK : F_UNLCK;
		if (type == seg_type)
			continue;
		if (pos > seg_start)
			host_setlk(ctx->host_posix, seg_type, seg_start, pos - 1);
		seg_start = pos;
		seg_type = type;
	}
	host_setlk(ctx->host_posix, seg_type, seg_start, hi);
	free(e);
}

/* F_GETLK found no guest's lock in the way: a host process's, if any,
 * replaces @req (true). */
static bool host_test_lock(struct file_lock_context *ctx, const struct file *f,
			   struct file_lock *req)
{
	int fd = host_mirror(ctx, f, &ctx->host_posix);
	if (fd < 0)
		return false;
	struct flock hl = {.l_type = (short)req->type, .l_whence = SEEK_SET, .l_start = req->start,
			   .l_len = req->end == OFFSET_MAX ? 0 : req->end - req->start + 1};
	long r = RR_SYS(fcntl(fd, F_OFD_GETLK, &hl));
	rr_bytes(&hl, sizeof(hl));
	if (r || hl.l_type == F_UNLCK)
		return false;
	*req = (struct file_lock){.flags = hl.l_pid == -1 ? FL_POSIX | FL_OFDLCK : FL_POSIX,
				  .type = hl.l_type, .start = hl.l_start,
				  .end = hl.l_len ? hl.l_start + hl.l_len - 1 : OFFSET_MAX,
				  .pid = 0 /* not in any guest's PID namespace */};
	return true;
}

/* A context without locks goes; nobody sleeps on it (every release woke
 * its sleepers, and a sleeper waits only for a lock that is there, or for
 * a host process's: it looks the context up again when it retries). */
static void ctx_maybe_free(struct file_lock_context *ctx, int64_t lo, int64_t hi)
{
	if (ctx->flock || ctx->posix) {
		host_sync(ctx, lo, hi);
		return;
	}
	host_close(&ctx->host_posix); /* closing drops the host locks */
	host_close(&ctx->host_flock);
	for (struct file_lock_context **pp = &contexts; *pp; pp = &(*pp)->next)
		if (*pp == ctx) {
			*pp = ctx->next;
			break;
		}
	waiters_prune(NULL);
	free(ctx);
}

/* Unlink and free *@pp; whoever waits on the inode may now succeed. */
static void lock_delete(struct file_lock_context *ctx, struct file_lock **pp)
{
	struct file_lock *fl = *pp;
	*pp = fl->next;
	free(fl);
	nr_locks--;
	wake_up(ctx);
}

/* A new lock like @src, to be inserted (locks_insert_lock_ctx). */
static struct file_lock *lock_copy(const struct file_lock *src)
{
	static uint64_t last_seq;
	struct file_lock *fl = malloc(sizeof(*fl));
	if (fl) {
		*fl = *src;
		fl->next = NULL;
		fl->seq = ++last_seq;
		nr_locks++;
	}
	return fl;
}

/* locks_conflict: two readers share, anything with a writer conflicts. */
static bool types_conflict(int a, int b)
{
	return a == F_WRLCK || b == F_WRLCK;
}

static bool locks_overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->end >= b->start && b->end >= a->start;
}

static bool posix_locks_conflict(const struct file_lock *caller, const struct file_lock *sys)
{
	if (caller->owner == sys->owner) /* posix_same_owner */
		return false;
	return locks_overlap(caller, sys) && types_conflict(caller->type, sys->type);
}

long flock_lock_file(struct task *t, struct file *f, int type, bool wait)
{
	struct file_lock_context *ctx = ctx_find(f, type != F_UNLCK);
	if (!ctx)
		return type == F_UNLCK ? 0 : -ENOMEM;
	long r = 0;
	/* The file's present lock: the same type is a no-op; another is
	 * removed before the new one is tried (no atomic conversion: a
	 * failed LOCK_NB upgrade has lost the shared lock, as in Linux). */
	for (struct file_lock **pp = &ctx->flock; *pp; pp = &(*pp)->next) {
		if ((*pp)->owner != f)
			continue;
		if ((*pp)->type == type)
			goto out;
		lock_delete(ctx, pp);
		break;
	}
	if (type == F_UNLCK)
		goto out;
	struct file_lock **tail = &ctx->flock;
	for (; *tail; tail = &(*tail)->next) {
		if ((*tail)->owner == f || !types_conflict(type, (*tail)->type))
			continue;
		if (!wait) {
			r = -EAGAIN;
		} else {
			waiters_prune(t);
			r = sleep_on(t, ctx, "flock");
		}
		goto out;
	}
	struct file_lock req = {.flags = FL_FLOCK, .type = type, .start = 0, .end = OFFSET_MAX,
				.owner = f, .pid = t->tgid};
	if ((r = host_try(t, ctx, f, &req, wait)))
		goto out;
	if (!(*tail = lock_copy(&req)))
		r = -ENOMEM;
out:
	ctx_maybe_free(ctx, 1, 0); /* flock: the POSIX locks are as they were */
	return r;
}

/* The first live POSIX waiter of @owner: what its owner waits for. */
static const struct lock_waiter *what_owner_is_waiting_for(const void *owner)
{
	for (size_t i = 0; i < waiters.n; i++)
		if (waiters.v[i].owner == owner && waiter_valid(&waiters.v[i]))
			return &waiters.v[i];
	return NULL;
}

/* posix_locks_deadlock: would @caller waiting for @block's owner close a
 * cycle of owners each waiting for the next? OFD requests are not checked
 * (their owner is no thread of execution). */
static bool posix_locks_deadlock(const struct file_lock *caller, const struct file_lock *block)
{
	if (caller->flags & FL_OFDLCK)
		return false;
	const void *owner = block->owner;
	const struct lock_waiter *w;
	int i = 0;
	while ((w = what_owner_is_waiting_for(owner))) {
		if (i++ > MAX_DEADLK_ITERATIONS)
			return false;
		owner = w->blocker;
		if (owner == caller->owner)
			return true;
	}
	return false;
}

static long posix_block(struct task *t, struct file_lock_context *ctx,
			const struct file_lock *req, const struct file_lock *block)
{
	if (posix_locks_deadlock(req, block))
		return -EDEADLK;
	waiters_prune(t);
	if (!(req->flags & FL_OFDLCK)) {
		if (waiters.n == waiters.cap) {
			size_t cap = waiters.cap ? waiters.cap * 2 : 16;
			struct lock_waiter *v = realloc(waiters.v, cap * sizeof(*v));
			if (!v)
				return -ENOLCK;
			waiters.v = v;
			waiters.cap = cap;
		}
		waiters.v[waiters.n++] = (struct lock_waiter){t, t->tid, req->owner, block->owner, ctx};
	}
	return sleep_on(t, ctx, "file lock");
}

/* posix_lock_inode: conflicts first; then this owner's locks are merged
 * with, cut by or replaced by the request. Locks of one owner stay
 * together, sorted by start; a new owner's go at the end of the list. */
static long posix_lock_inode(struct task *t, struct file_lock_context *ctx, const struct file *f,
			     const struct file_lock *request, bool wait)
{
	struct file_lock reqcopy = *request, *req = &reqcopy;
	struct file_lock *fl, **before, *left = NULL, *right = NULL;
	bool added = false;

	if (req->type != F_UNLCK) {
		for (fl = ctx->posix; fl; fl = fl->next)
			if (posix_locks_conflict(req, fl))
				return wait ? posix_block(t, ctx, req, fl) : -EAGAIN;
		long r = host_try(t, ctx, f, req, wait);
		if (r)
			return r;
	}

	/* Find the first lock of the same owner. */
	before = &ctx->posix;
	while ((fl = *before) && fl->owner != req->owner)
		before = &fl->next;

	/* Process the locks of this owner. */
	while ((fl = *before) && fl->owner == req->owner) {
		if (req->type == fl->type) {
			/* Adjacent or overlapping regions of one type merge.
			 * "start - 1", not "end + 1": end may be OFFSET_MAX. */
			if (fl->end < req->start - 1)
				goto next_lock;
			/* Entirely after the request: insert it here. */
			if (fl->start - 1 > req->end)
				break;
			if (fl->start > req->start)
				fl->start = req->start;
			else
				req->start = fl->start;
			if (fl->end < req->end)
				fl->end = req->end;
			else
				req->end = fl->end;
			if (added) {
				lock_delete(ctx, before);
				continue;
			}
			req = fl;
			added = true;
		} else {
			if (fl->end < req->start)
				goto next_lock;
			if (fl->start > req->end)
				break;
			if (req->type == F_UNLCK)
				added = true;
			if (fl->start < req->start)
				left = fl;
			/* It reaches past the request: the request goes here. */
			if (fl->end > req->end) {
				right = fl;
				break;
			}
			if (fl->start >= req->start) {
				/* The request covers it whole (maybe several). */
				if (added) {
					lock_delete(ctx, before);
					continue;
				}
				/* Replace it with a copy of the request. */
				struct file_lock *n = lock_copy(req);
				if (!n)
					return -ENOLCK;
				n->next = fl;
				*before = n;
				lock_delete(ctx, &n->next);
				req = n;
				added = true;
				before = &n->next;
				continue;
			}
		}
	next_lock:
		before = &fl->next;
	}

	struct file_lock *split = NULL;
	if (right && left == right && !(split = lock_copy(right)))
		return -ENOLCK;
	if (!added) {
		if (req->type == F_UNLCK)
			return 0;
		struct file_lock *n = lock_copy(req);
		if (!n) {
			if (split) {
				free(split);
				nr_locks--;
			}
			return -ENOLCK;
		}
		n->next = *before;
		*before = n;
	}
	if (right) {
		if (left == right) {
			/* The request cuts the old lock in two. */
			left = split;
			left->next = *before;
			*before = left;
		}
		right->start = req->end + 1;
		wake_up(ctx);
	}
	if (left) {
		left->end = req->start - 1;
		wake_up(ctx);
	}
	return 0;
}

long posix_lock_file(struct task *t, struct file *f, const struct file_lock *req, bool wait)
{
	struct file_lock_context *ctx = ctx_find(f, req->type != F_UNLCK);
	if (!ctx)
		return req->type == F_UNLCK ? 0 : -ENOMEM;
	long r = posix_lock_inode(t, ctx, f, req, wait);
	ctx_maybe_free(ctx, req->start, req->end);
	return r;
}

void posix_test_lock(struct file *f, struct file_lock *req)
{
	struct file_lock_context *ctx = ctx_find(f, f->kind == FILE_HOST && req->type != F_UNLCK);
	for (struct file_lock *fl = ctx ? ctx->posix : NULL; fl; fl = fl->next) {
		if (req->type == F_UNLCK) {
			/* F_OFD_GETLK with F_UNLCK: this owner's own lock. */
			if (fl->owner != req->owner || !locks_overlap(req, fl))
				continue;
		} else if (!posix_locks_conflict(req, fl)) {
			continue;
		}
		*req = *fl;
		req->next = NULL;
		return;
	}
	if (ctx && req->type != F_UNLCK) {
		bool found = host_test_lock(ctx, f, req);
		ctx_maybe_free(ctx, 1, 0); /* a test changes no lock */
		if (found)
			return;
	}
	req->type = F_UNLCK;
}

/* Remove every lock of @owner from the list at @pp. */
static void remove_owner(struct file_lock_context *ctx, struct file_lock **pp, const void *owner)
{
	while (*pp) {
		if ((*pp)->owner == owner)
			lock_delete(ctx, pp);
		else
			pp = &(*pp)->next;
	}
}

void locks_remove_posix(struct file *f, const struct files *owner)
{
	if (!contexts)
		return;
	struct file_lock_context *ctx = ctx_find(f, false);
	if (!ctx)
		return;
	struct file_lock *fl = ctx->posix;
	while (fl && fl->owner != owner)
		fl = fl->next;
	if (!fl)
		return;
	/* filp_close leaves the locks alone for an O_PATH descriptor. */
	if (f->kind == FILE_HOST) {
		long fl_flags = RR_SYS(fcntl(f->host_fd, F_GETFL));
		if (fl_flags >= 0 && (fl_flags & O_PATH))
			return;
	}
	remove_owner(ctx, &ctx->posix, owner);
	ctx_maybe_free(ctx, 0, OFFSET_MAX);
}

void locks_remove_file(struct file *f)
{
	if (!contexts)
		return;
	struct file_lock_context *ctx = ctx_find(f, false);
	if (!ctx)
		return;
	remove_owner(ctx, &ctx->posix, f); /* OFD locks */
	remove_owner(ctx, &ctx->flock, f);
	ctx_maybe_free(ctx, 0, OFFSET_MAX);
}

struct listed {
	const struct file_lock *fl;
	const struct lock_key *key;
};

static int newest_first(const void *a, const void *b)
{
	uint64_t x = ((const struct listed *)a)->fl->seq, y = ((const struct listed *)b)->fl->seq;
	return x < y ? 1 : x > y ? -1 : 0;
}

int locks_for_each(void (*fn)(void *arg, const struct file_lock *fl, uint64_t dev, uint64_t ino),
		   void *arg)
{
	struct listed *v = malloc((nr_locks ? nr_locks : 1) * sizeof(*v));
	size_t n = 0;
	if (!v)
		return -ENOMEM;
	for (struct file_lock_context *c = contexts; c; c = c->next)
		for (int list = 0; list < 2; list++)
			for (struct file_lock *fl = list ? c->flock : c->posix; fl && n < nr_locks;
			     fl = fl->next)
				v[n++] = (struct listed){fl, &c->key};
	qsort(v, n, sizeof(*v), newest_first);
	for (size_t i = 0; i < n; i++) {
		bool host = v[i].key->space != KEY_OBJ;
		fn(arg, v[i].fl, host ? v[i].key->dev : 0, host ? v[i].key->ino : 0);
	}
	free(v);
	return 0;
}
