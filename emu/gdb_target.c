/* What the gdb stub learns from the model and the engine: fork, vfork,
 * exec and process-exit events (queued here, reported by the command loop
 * at the next stop), signals (a stop served at once, from get_signal),
 * watchpoints on writes (Unicorn memory hooks) and host I/O (vFile) on
 * the model's files, /proc/PID/... from the modeled /proc. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/gdb_internal.h"
#include "emu/gdbstub.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/files.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

/* ---- events ---- */

#define MAX_EVENTS 32

static struct gdb_event events[MAX_EVENTS];
static int nevents;

static struct gdb_event *queue(int kind, const struct task *t)
{
	if (nevents == MAX_EVENTS)
		return NULL; /* gdb has not resumed for 32 events: drop the newest */
	struct gdb_event *ev = &events[nevents++];
	memset(ev, 0, sizeof(*ev) - sizeof(ev->path));
	ev->path[0] = 0;
	ev->kind = kind;
	ev->pid = t->tgid;
	ev->tid = t->tid;
	emu_request_stop(); /* the run loop reports it before running on */
	return ev;
}

bool gdb_event_peek(struct gdb_event *ev)
{
	if (!nevents)
		return false;
	*ev = events[0];
	return true;
}

void gdb_event_pop(void)
{
	if (nevents)
		memmove(events, events + 1, sizeof(events[0]) * (size_t)--nevents);
}

bool gdb_event_pending(void)
{
	return nevents > 0;
}

static void on_clone(struct task *parent, struct task *child, uint64_t flags)
{
	if (!gdb_active || !gdb_multi || (flags & CLONE_THREAD) || !gdb_attached(parent))
		return;
	bool vfork = (flags & CLONE_VFORK) != 0;
	/* Without the event gdb never hears of the child: it runs detached,
	 * as gdbserver leaves it. */
	if (!(vfork ? gdb_vfork_events : gdb_fork_events))
		return;
	gdb_attach(child->tgid);
	struct gdb_event *ev = queue(vfork ? EV_VFORK : EV_FORK, parent);
	if (ev)
		ev->child_pid = child->tgid;
}

static void on_vfork_done(struct task *t)
{
	if (gdb_active && gdb_multi && gdb_vfork_events && gdb_attached(t))
		queue(EV_VFORKDONE, t);
}

static void on_exec(struct task *t)
{
	if (!gdb_active || !gdb_attached(t))
		return;
	gdb_bp_clear(t->tgid); /* the image they were in is gone */
	gdb_watch_clear(t->tgid);
	if (!gdb_multi || !gdb_exec_events)
		return;
	struct gdb_event *ev = queue(EV_EXEC, t);
	if (ev)
		snprintf(ev->path, sizeof(ev->path), "%s", t->exe ? t->exe : "");
}

static void on_process_exit(struct task *leader)
{
	if (!gdb_active || !gdb_multi || !gdb_attached(leader))
		return;
	struct gdb_event *ev = queue(EV_EXIT, leader);
	if (ev)
		ev->status = task_wait_status(leader);
	gdb_detach_pid(leader->tgid);
}

static int on_signal(struct task *t, int sig)
{
	if (!gdb_active || !gdb_attached(t) || gdb_sig_passed(sig))
		return sig;
	return gdb_signal_stop(t, sig);
}

void gdb_target_init(void)
{
	clone_event_hook = on_clone;
	vfork_done_hook = on_vfork_done;
	exec_event_hook = on_exec;
	process_exit_hook = on_process_exit;
	signal_debug_hook = on_signal;
}

/* ---- watchpoints: a write hook on all memory while any is set (memory
 * hooks see physical addresses: the instruction's operand gives the
 * virtual one), and a code hook that stops before the next instruction ---- */

#define MAX_WATCH 16

static struct {
	struct {
		int pid;
		uint64_t addr, len;
	} w[MAX_WATCH];
	int n;
	uc_hook mem, code;
	bool hooked, hit;
	uint64_t hit_addr;
	int hit_tid;
} wp;

static void watch_mem(uc_engine *uc, uc_mem_type type, uint64_t paddr, int size, int64_t value,
		      void *user)
{
	struct task *t = emu_current_task();
	if (!t || wp.hit)
		return;
	uint64_t off = paddr & ~PAGE_MASK;
	for (int i = 0; i < wp.n; i++) {
		if (wp.w[i].pid != t->tgid)
			continue;
		/* The page offsets overlap (cheap), then the virtual address. */
		uint64_t woff = wp.w[i].addr & ~PAGE_MASK, wend = woff + wp.w[i].len;
		uint64_t end = off + (uint64_t)size;
		bool near = off < wend && woff < end;
		near |= wend > PAGE_SIZE && off < wend - PAGE_SIZE; /* it spans into the next page */
		near |= end > PAGE_SIZE && woff < end - PAGE_SIZE;
		if (!near)
			continue;
		uint64_t va = emu_mem_operand(t, emu_reg_read(EREG_RIP), off);
		if (!va || va + (uint64_t)size <= wp.w[i].addr || va >= wp.w[i].addr + wp.w[i].len)
			continue;
		wp.hit = true;
		wp.hit_addr = wp.w[i].addr;
		wp.hit_tid = t->tid;
		return;
	}
}

static void watch_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	if (wp.hit)
		emu_preempt(); /* the write is done: stop before this instruction */
}

static void watch_hooks(void)
{
	uc_engine *uc = emu_engine();
	if (wp.n && !wp.hooked) {
		if (uc_hook_add(uc, &wp.mem, UC_HOOK_MEM_WRITE, watch_mem, NULL, 1, 0))
			return;
		if (uc_hook_add(uc, &wp.code, UC_HOOK_CODE, watch_code, NULL, 1, 0)) {
			uc_hook_del(uc, wp.mem);
			return;
		}
		wp.hooked = true;
	} else if (!wp.n && wp.hooked) {
		uc_hook_del(uc, wp.mem);
		uc_hook_del(uc, wp.code);
		wp.hooked = false;
	}
}

int gdb_watch_add(int pid, uint64_t addr, uint64_t len)
{
	if (wp.n == MAX_WATCH || !len || len > 8)
		return -1;
	wp.w[wp.n].pid = pid;
	wp.w[wp.n].addr = addr;
	wp.w[wp.n].len = len;
	wp.n++;
	watch_hooks();
	return wp.hooked ? 0 : (wp.n--, -1);
}

int gdb_watch_del(int pid, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < wp.n; i++)
		if (wp.w[i].pid == pid && wp.w[i].addr == addr && wp.w[i].len == len) {
			wp.w[i] = wp.w[--wp.n];
			watch_hooks();
			return 0;
		}
	return -1;
}

void gdb_watch_clear(int pid)
{
	for (int i = 0; i < wp.n;)
		if (pid < 0 || wp.w[i].pid == pid)
			wp.w[i] = wp.w[--wp.n];
		else
			i++;
	watch_hooks();
}

int gdb_watch_list(struct gdb_watch *out, int max)
{
	int n = wp.n < max ? wp.n : max;
	for (int i = 0; i < n; i++)
		out[i] = (struct gdb_watch){wp.w[i].pid, (uint32_t)wp.w[i].len, wp.w[i].addr};
	return n;
}

void gdb_watch_set_list(const struct gdb_watch *w, int n)
{
	wp.n = 0;
	for (int i = 0; i < n && wp.n < MAX_WATCH; i++, wp.n++) {
		wp.w[wp.n].pid = w[i].pid;
		wp.w[wp.n].addr = w[i].addr;
		wp.w[wp.n].len = w[i].len;
	}
	watch_hooks();
}

bool gdb_watch_hit(void)
{
	if (!wp.hit)
		return false;
	wp.hit = false;
	struct task *t = task_find(wp.hit_tid);
	if (!t || !gdb_active)
		return false;
	struct gdb_event *ev = &events[0];
	if (nevents == MAX_EVENTS)
		return false;
	memmove(events + 1, events, sizeof(events[0]) * (size_t)nevents++); /* first */
	memset(ev, 0, sizeof(*ev) - sizeof(ev->path));
	ev->path[0] = 0;
	ev->kind = EV_WATCH;
	ev->pid = t->tgid;
	ev->tid = t->tid;
	ev->addr = wp.hit_addr;
	return true;
}

/* ---- host I/O (vFile): the files the guest would see ---- */

#define MAX_VFILES 16
static int vfiles[MAX_VFILES];
static int vfs_pid; /* vFile:setfs: whose /proc/self (0: the current task's) */

/* gdb's File-I/O errno values are Linux's for these, else EUNKNOWN. */
static int fio_errno(int e)
{
	static const int known[] = {EPERM,  ENOENT, EINTR,  EBADF,  EACCES, EFAULT, EBUSY,
				    EEXIST, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE,
				    EFBIG,  ENOSPC, ESPIPE, EROFS};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == e)
			return e;
	return e == ENAMETOOLONG ? 91 : 9999;
}

static void reply_err(int e)
{
	char b[32];
	snprintf(b, sizeof(b), "F-1,%x", fio_errno(e));
	gdb_send(b);
}

static bool hex_path(const char *in, char *out, size_t size)
{
	size_t n = gdb_get_hex(in, (uint8_t *)out, size - 1);
	out[n] = 0;
	return n > 0 && (in[2 * n] == 0 || in[2 * n] == ',');
}

static struct task *vfs_task(struct task *cur)
{
	struct task *t = vfs_pid ? task_find(vfs_pid) : cur;
	return t && task_is_alive(t) ? t : cur;
}

/* A host descriptor for @path as the guest would open it read-only. */
static int vfile_open(struct task *t, const char *path)
{
	if (t && !strncmp(path, "/proc/", 6)) {
		int handled = 0;
		struct file *f = NULL;
		int r = procfs_open(t, path, O_RDONLY, &handled, &f);
		if (handled) {
			if (r)
				return r;
			int fd = f->host_fd >= 0 ? fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0) : -1;
			int e = fd < 0 ? (f->host_fd >= 0 ? -errno : -EISDIR) : 0;
			file_put(f);
			return fd < 0 ? e : fd;
		}
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

void gdb_vfile(const char *p, struct task *cur)
{
	char path[PATH_MAX], head[64];
	p += 6; /* "vFile:" */
	if (!strncmp(p, "setfs:", 6)) {
		vfs_pid = (int)strtol(p + 6, NULL, 16);
		gdb_send("F0");
	} else if (!strncmp(p, "open:", 5)) {
		const char *comma = strchr(p + 5, ',');
		long flags = comma ? strtol(comma + 1, NULL, 16) : 0;
		if (!hex_path(p + 5, path, sizeof(path)))
			return reply_err(EINVAL);
		if (flags & 3) /* O_WRONLY, O_RDWR: gdb reads only */
			return reply_err(EACCES);
		int slot = 0;
		while (slot < MAX_VFILES && vfiles[slot])
			slot++;
		if (slot == MAX_VFILES)
			return reply_err(EMFILE);
		int fd = vfile_open(vfs_task(cur), path);
		if (fd < 0)
			return reply_err(-fd);
		vfiles[slot] = fd + 1;
		snprintf(head, sizeof(head), "F%x", slot);
		gdb_send(head);
	} else if (!strncmp(p, "pread:", 6)) {
		unsigned long slot = 0, count = 0;
		uint64_t off = 0;
		if (sscanf(p + 6, "%lx,%lx,%" SCNx64, &slot, &count, &off) != 3 || slot >= MAX_VFILES ||
		    !vfiles[slot])
			return reply_err(EBADF);
		uint8_t buf[16384];
		if (count > sizeof(buf))
			count = sizeof(buf);
		ssize_t n = pread(vfiles[slot] - 1, buf, count, (off_t)off);
		if (n < 0)
			return reply_err(errno);
		snprintf(head, sizeof(head), "F%zx;", n);
		gdb_send_bin(head, buf, (size_t)n);
	} else if (!strncmp(p, "close:", 6)) {
		unsigned long slot = strtoul(p + 6, NULL, 16);
		if (slot >= MAX_VFILES || !vfiles[slot])
			return reply_err(EBADF);
		close(vfiles[slot] - 1);
		vfiles[slot] = 0;
		gdb_send("F0");
	} else if (!strncmp(p, "fstat:", 6)) {
		unsigned long slot = strtoul(p + 6, NULL, 16);
		struct stat st;
		if (slot >= MAX_VFILES || !vfiles[slot])
			return reply_err(EBADF);
		if (fstat(vfiles[slot] - 1, &st))
			return reply_err(errno);
		/* gdb's struct fio_stat: big-endian, 32-bit but for the sizes. */
		uint8_t s[64];
		put_be(s, st.st_dev, 4);
		put_be(s + 4, st.st_ino, 4);
		put_be(s + 8, st.st_mode, 4);
		put_be(s + 12, st.st_nlink, 4);
		put_be(s + 16, st.st_uid, 4);
		put_be(s + 20, st.st_gid, 4);
		put_be(s + 24, st.st_rdev, 4);
		put_be(s + 28, (uint64_t)st.st_size, 8);
		put_be(s + 36, (uint64_t)st.st_blksize, 8);
		put_be(s + 44, (uint64_t)st.st_blocks, 8);
		put_be(s + 52, (uint64_t)st.st_atime, 4);
		put_be(s + 56, (uint64_t)st.st_mtime, 4);
		put_be(s + 60, (uint64_t)st.st_ctime, 4);
		snprintf(head, sizeof(head), "F%zx;", sizeof(s));
		gdb_send_bin(head, s, sizeof(s));
	} else if (!strncmp(p, "readlink:", 9)) {
		char link[PATH_MAX];
		long n;
		int handled = 0;
		if (!hex_path(p + 9, path, sizeof(path)))
			return reply_err(EINVAL);
		struct task *t = vfs_task(cur);
		n = t ? procfs_readlink(t, path, link, sizeof(link), &handled) : 0;
		if (!handled && (n = readlink(path, link, sizeof(link))) < 0)
			n = -errno;
		if (n < 0)
			return reply_err((int)-n);
		snprintf(head, sizeof(head), "F%lx;", n);
		gdb_send_bin(head, (const uint8_t *)link, (size_t)n);
	} else {
		gdb_send(""); /* pwrite, unlink: not offered */
	}
}
