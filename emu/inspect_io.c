/* What --inspect and --graph say about pipes and sockets between tasks
 * (data that went through them, ends held open) and about what a
 * sleeping task waits on. */
#include "emu/inspect.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "emu/cpu.h"
#include "emu/observe.h"
#include "kernelmodel/files.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

/* Data through a pipe or socket, per (kind, object, task, direction).
 * A pipe's object is its inode; a send on a socket counts for the socket
 * it reaches (the peer), a receive for the socket itself: so the writers
 * and readers of one object are the two sides of an edge. */
static struct {
	struct io_rec *v;
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1 into v, 0 empty */
	size_t nslots;
} io;

static size_t io_hash(int kind, uint64_t ino, uint32_t obs, int dir)
{
	uint64_t h = ino * 0x9E3779B97F4A7C15ull ^ ((uint64_t)obs << 3) ^ (uint64_t)(kind * 2 + dir);
	h ^= h >> 29;
	return (size_t)(h * 0xBF58476D1CE4E5B9ull >> 17);
}

static void io_rehash(void)
{
	size_t ns = io.nslots ? io.nslots * 2 : 256;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		abort(); /* like the task list: fatal like the kernel's panic */
	for (size_t i = 0; i < io.n; i++) {
		const struct io_rec *r = &io.v[i];
		size_t k = io_hash(r->kind, r->ino, r->obs, r->dir) & (ns - 1);
		while (s[k])
			k = (k + 1) & (ns - 1);
		s[k] = (uint32_t)i + 1;
	}
	free(io.slot);
	io.slot = s;
	io.nslots = ns;
}

static void io_add(int kind, uint64_t ino, uint32_t obs, int dir, uint64_t bytes)
{
	if (!ino || !obs)
		return;
	if (2 * (io.n + 1) > io.nslots)
		io_rehash();
	size_t k = io_hash(kind, ino, obs, dir) & (io.nslots - 1);
	for (; io.slot[k]; k = (k + 1) & (io.nslots - 1)) {
		struct io_rec *r = &io.v[io.slot[k] - 1];
		if (r->kind == kind && r->ino == ino && r->obs == obs && r->dir == dir) {
			r->bytes += bytes;
			return;
		}
	}
	if (io.n == io.cap) {
		size_t cap = io.cap ? io.cap * 2 : 64;
		struct io_rec *v = realloc(io.v, cap * sizeof(*v));
		if (!v)
			abort();
		io.v = v;
		io.cap = cap;
	}
	io.v[io.n] = (struct io_rec){.kind = kind, .ino = ino, .obs = obs, .dir = dir, .bytes = bytes};
	io.slot[k] = (uint32_t)++io.n;
}

const struct io_rec *inspect_io_records(size_t *n)
{
	*n = io.n;
	return io.v;
}

/* @t moved @bytes through its descriptor @fd; @out: it wrote (sent). */
static void note_fd(struct task *t, long fd, bool out, uint64_t bytes)
{
	struct file *f = t->files ? files_lookup(t->files, (int)fd) : NULL;
	if (!f)
		return;
	if (f->kind == FILE_PIPE) {
		bool w = f->pipe_rdwr ? out : f->write_end;
		io_add(IO_PIPE, f->pipe->ino, t->obs_id, w, bytes);
	} else if (f->kind == FILE_SOCKET && f->sk) {
		if (out)
			io_add(IO_SOCKET, f->sk->peer ? f->sk->peer->ino : 0, t->obs_id, 1, bytes);
		else
			io_add(IO_SOCKET, f->sk->ino, t->obs_id, 0, bytes);
	}
}

void inspect_note_io(struct task *t, long nr, const uint64_t *a, long ret)
{
	uint64_t bytes = (uint64_t)ret;
	switch (nr) {
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
	case SYS_recvfrom: case SYS_recvmsg:
		note_fd(t, (long)a[0], false, bytes);
		break;
	case SYS_recvmmsg:
		note_fd(t, (long)a[0], false, 0);
		break;
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
	case SYS_sendto: case SYS_sendmsg:
		note_fd(t, (long)a[0], true, bytes);
		break;
	case SYS_sendmmsg:
		note_fd(t, (long)a[0], true, 0);
		break;
	case SYS_vmsplice: {
		struct file *f = t->files ? files_lookup(t->files, (int)a[0]) : NULL;
		note_fd(t, (long)a[0], f && f->kind == FILE_PIPE && f->write_end, bytes);
		break;
	}
	case SYS_splice:
		note_fd(t, (long)a[0], false, bytes);
		note_fd(t, (long)a[2], true, bytes);
		break;
	case SYS_tee:
		note_fd(t, (long)a[0], false, bytes);
		note_fd(t, (long)a[1], true, bytes);
		break;
	case SYS_sendfile:
		note_fd(t, (long)a[1], false, bytes);
		note_fd(t, (long)a[0], true, bytes);
		break;
	default:
		break;
	}
}

/* ---- ends held open by live tasks ---- */

void inspect_held_ends(void (*fn)(void *ctx, const struct task *t, int fd, int kind, uint64_t ino,
				  uint64_t peer, bool write_end),
		       void *ctx)
{
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		if (!task_is_alive(t) || !t->files)
			continue;
		/* One table once: the first live task holding it speaks for it. */
		bool seen = false;
		for (struct task *p = task_next(NULL); p != t && !seen; p = task_next(p))
			seen = task_is_alive(p) && p->files == t->files;
		if (seen)
			continue;
		for (int fd = 0; fd < t->files->max; fd++) {
			struct file *f = t->files->fd[fd].file;
			if (!f)
				continue;
			if (f->kind == FILE_PIPE)
				fn(ctx, t, fd, IO_PIPE, f->pipe->ino, 0, f->write_end || f->pipe_rdwr);
			else if (f->kind == FILE_SOCKET && f->sk)
				fn(ctx, t, fd, IO_SOCKET, f->sk->ino, f->sk->peer ? f->sk->peer->ino : 0,
				   false);
		}
	}
}

/* ---- what a sleeping task waits on ---- */

/* What @t's descriptor @fd is. */
static void describe_fd(struct task *t, long fd, char *out, size_t len)
{
	struct file *f = t->files ? files_lookup(t->files, (int)fd) : NULL;
	if (!f)
		snprintf(out, len, "fd %ld", fd);
	else if (f->kind == FILE_PIPE)
		snprintf(out, len, "fd %ld, pipe:[%llu] %s end", fd, (unsigned long long)f->pipe->ino,
			 f->write_end ? "write" : "read");
	else if (f->kind == FILE_SOCKET)
		snprintf(out, len, "fd %ld, socket:[%llu]", fd, (unsigned long long)f->sk->ino);
	else
		snprintf(out, len, "fd %ld%s%s", fd, f->path ? ", " : "", f->path ? f->path : "");
}

void inspect_describe_wait(struct task *t, char *out, size_t len)
{
	out[0] = 0;
	if (t->state != TASK_INTERRUPTIBLE || !t->cpu)
		return;
	/* Its saved registers still hold the number and arguments of the
	 * syscall it sleeps in: it will retry it. */
	long nr = (long)emu_context_read(t->cpu, EREG_RAX);
	uint64_t a0 = emu_context_read(t->cpu, EREG_RDI), a1 = emu_context_read(t->cpu, EREG_RSI);
	const char *name = syscall_name(nr);
	char fd[160];
	switch (nr) {
	case SYS_futex: {
		static const char *const ops[] = {"WAIT", "WAKE", "FD", "REQUEUE", "CMP_REQUEUE",
						  "WAKE_OP", "LOCK_PI", "UNLOCK_PI", "TRYLOCK_PI",
						  "WAIT_BITSET", "WAKE_BITSET", "WAIT_REQUEUE_PI",
						  "CMP_REQUEUE_PI", "LOCK_PI2"};
		unsigned op = (unsigned)a1 & 127;
		snprintf(out, len, "futex word 0x%llx (FUTEX_%s%s)", (unsigned long long)a0,
			 op < sizeof(ops) / sizeof(ops[0]) ? ops[op] : "?",
			 (a1 & 128) ? "_PRIVATE" : "");
		return;
	}
	case SYS_wait4:
	case SYS_waitid: {
		long id = (long)(nr == SYS_wait4 ? a0 : a1);
		int which = (int)a0;
		if (nr == SYS_wait4 ? id > 0 : which == P_PID)
			snprintf(out, len, "%s for child %ld", name, id);
		else if (nr == SYS_wait4 ? id < -1 || id == 0 : which == P_PGID)
			snprintf(out, len, "%s for a child in a process group", name);
		else
			snprintf(out, len, "%s for any child", name);
		return;
	}
	case SYS_read: case SYS_write: case SYS_readv: case SYS_writev: case SYS_pread64:
	case SYS_pwrite64: case SYS_recvfrom: case SYS_sendto: case SYS_recvmsg: case SYS_sendmsg:
	case SYS_accept: case SYS_accept4: case SYS_connect: case SYS_flock: case SYS_fcntl:
	case SYS_splice: case SYS_tee: case SYS_sendfile:
		describe_fd(t, (long)(nr == SYS_sendfile ? a1 : a0), fd, sizeof(fd));
		snprintf(out, len, "%s on %s", name, fd);
		return;
	default:
		snprintf(out, len, "%s", name ? name : "?");
	}
}
