#include "kernelmodel/procfs.h"
#include "kernelmodel/proc_mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/ipc/namespace.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/locks.h"
#include "kernelmodel/net/proc_net.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/proc_init.h"
#include "kernelmodel/proc_mounts.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/nsfs.h"
#include "kernelmodel/proc_array.h"
#include "kernelmodel/sysctl_kernel.h"
#include "kernelmodel/user_namespace.h"
#include "kernelmodel/uts.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

/* /proc is mounted in the initial PID namespace: it numbers tasks as that
 * namespace does, whoever reads it (like a host /proc seen from a container
 * that did not mount its own). */
static const struct pid_namespace *proc_ns(void)
{
	return pid_ns_root();
}

/* Split "/proc/<who>/<rest>" into the task it names and rest ("" for the
 * directory itself). Returns 1 with *target set (NULL when <who> is a
 * number that is no guest task), or 0 when the path is not per-task. */
static int proc_task_path(struct task *t, const char *path, struct task **target, const char **rest,
			  int *is_self_link)
{
	const char *p;
	*is_self_link = 0;
	if (strncmp(path, "/proc/", 6))
		return 0;
	p = path + 6;
	size_t n = strcspn(p, "/");
	if (n == 4 && !strncmp(p, "self", 4)) {
		/* /proc/self is the process: its leader, even if that exited. */
		struct task *leader = task_find(t->tgid);
		*target = leader ? leader : t;
		*is_self_link = 1;
	} else if (n == 11 && !strncmp(p, "thread-self", 11)) {
		*target = t;
		*is_self_link = 2;
	} else if (n > 0 && strspn(p, "0123456789") == n) {
		/* /proc shows the viewer's PID namespace. */
		*target = find_task_by_pid_ns(atoi(p), proc_ns());
		if (*target && (*target)->tid != (*target)->tgid)
			*target = NULL; /* threads are reached through task/ */
	} else {
		return 0;
	}
	*rest = p[n] == '/' ? p + n + 1 : p + n;
	/* task/<tid>/...: the same files for one thread of the group. */
	if (*target && !strncmp(*rest, "task/", 5)) {
		const char *q = *rest + 5;
		size_t m = strspn(q, "0123456789");
		if (m && (q[m] == '/' || !q[m])) {
			struct task *th = find_task_by_pid_ns(atoi(q), proc_ns());
			*target = th && th->tgid == (*target)->tgid ? th : NULL;
			*rest = q[m] == '/' ? q + m + 1 : q + m;
			*is_self_link = 0;
		}
	}
	return 1;
}

static long copy_link(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);
	if (n > size)
		n = size;
	memcpy(buf, s, n);
	return (long)n;
}

long procfs_readlink(struct task *t, const char *path, char *buf, size_t size, int *handled)
{
	struct task *target;
	const char *rest;
	int self;
	char tmp[4096];
	if (proc_init_path(path, &rest)) {
		*handled = 1;
		return proc_init_readlink(rest);
	}
	*handled = proc_task_path(t, path, &target, &rest, &self);
	if (!*handled)
		return 0;
	if (!target)
		return -ENOENT;
	if (!*rest) {
		if (!self)
			return -EINVAL; /* /proc/<pid> is a directory */
		if (self == 2)
			snprintf(tmp, sizeof(tmp), "%d/task/%d", task_tgid_nr_ns(target, proc_ns()),
				 task_pid_nr_ns(target, proc_ns()));
		else
			snprintf(tmp, sizeof(tmp), "%d", task_tgid_nr_ns(target, proc_ns()));
		return copy_link(tmp, buf, size);
	}
	if (!target->mm)
		return -ENOENT; /* a zombie has no image, cwd or descriptors */
	if (!strcmp(rest, "exe"))
		return target->exe ? copy_link(target->exe, buf, size) : -ENOENT;
	if (!strcmp(rest, "cwd")) {
		long r = fs_getcwd(target->fs, tmp, sizeof(tmp));
		return r < 0 ? r : copy_link(tmp, buf, size);
	}
	if (!strncmp(rest, "ns/", 3)) {
		uint64_t inum;
		int r = proc_ns_link(target, rest + 3, tmp, &inum);
		return r ? r : copy_link(tmp, buf, size);
	}
	if (!strncmp(rest, "fd/", 3)) {
		struct file *f = files_lookup(target->files, atoi(rest + 3));
		if (!f)
			return -ENOENT;
		if (f->kind == FILE_PIPE) {
			snprintf(tmp, sizeof(tmp), "pipe:[%llu]", (unsigned long long)f->pipe->ino);
			return copy_link(tmp, buf, size);
		}
		if (f->kind == FILE_SOCKET) {
			snprintf(tmp, sizeof(tmp), "socket:[%llu]", (unsigned long long)f->sk->ino);
			return copy_link(tmp, buf, size);
		}
		if (f->path)
			return copy_link(f->path, buf, size);
		if (f->kind == FILE_HOST) {
			/* Inherited descriptors (stdio): what the host says they are. */
			char link[64];
			snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
			ssize_t n = readlink(link, tmp, sizeof(tmp) - 1);
			if (n >= 0) {
				tmp[n] = 0;
				return copy_link(tmp, buf, size);
			}
		}
		return copy_link("anon_inode:[unknown]", buf, size);
	}
	return -EINVAL; /* exists or not, it is not a symlink */
}

int procfs_follow(struct task *t, const char *path, bool follow_final, char *out)
{
	struct task *target;
	const char *rest;
	int self;
	if (!proc_task_path(t, path, &target, &rest, &self))
		return 0;
	size_t n;
	if (!strncmp(rest, "exe", 3) && (rest[3] == 0 || rest[3] == '/'))
		n = 3;
	else if (!strncmp(rest, "cwd", 3) && (rest[3] == 0 || rest[3] == '/'))
		n = 3;
	else if (!strncmp(rest, "fd/", 3))
		n = 3 + strspn(rest + 3, "0123456789");
	else
		return 0;
	if (!follow_final && !rest[n])
		return 0;
	if (!target)
		return -ENOENT;
	char link[PATH_MAX], prefix[PATH_MAX];
	memcpy(prefix, path, rest - path + n);
	prefix[rest - path + n] = 0;
	int handled;
	long len = procfs_readlink(t, prefix, link, sizeof(link) - 1, &handled);
	if (len < 0)
		return (int)len;
	link[len] = 0;
	if (link[0] != '/')
		return 0; /* pipe:[..] and friends: no path to follow */
	/* A descriptor whose file lost its name (deleted, a memfd): Linux's
	 * link still reaches it. Left to procfs_open, which reopens the
	 * descriptor itself. */
	if (!rest[n] && !strncmp(rest, "fd/", 3) && access(link, F_OK) && errno == ENOENT)
		return 0;
	if (snprintf(out, PATH_MAX, "%s%s", link, rest + n) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 1;
}

int procfs_fd_host(struct task *t, const char *path)
{
	struct task *target;
	const char *rest;
	int self;
	if (!proc_task_path(t, path, &target, &rest, &self) || !target || !target->files ||
	    strncmp(rest, "fd/", 3) || !rest[3] || rest[3 + strspn(rest + 3, "0123456789")])
		return -1;
	const struct file *f = files_lookup(target->files, atoi(rest + 3));
	return f && f->kind == FILE_HOST ? f->host_fd : -1;
}

int proc_snapshot_fd(const char *data, size_t len)
{
	int fd = memfd_create("cloneemu-proc", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* show_map_vma(): addresses at least 8 hex digits, the header padded to
 * 72 columns then a space before the name (an unnamed line ends in the
 * space after the inode). */
static int gen_maps(struct task *t, FILE *out)
{
	struct mm *mm = t->mm;
	for (size_t i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		bool file = !(v->flags & VMA_ANON) && v->name && v->name[0] == '/';
		int n = fprintf(out, "%08lx-%08lx %c%c%c%c %08lx %02lx:%02lx %lu ", (unsigned long)v->start,
				(unsigned long)v->end, v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-',
				v->prot & 4 ? 'x' : '-', v->flags & VMA_SHARED ? 's' : 'p',
				file ? (unsigned long)v->pgoff : 0ul, (unsigned long)major(v->dev),
				(unsigned long)minor(v->dev), (unsigned long)v->ino);
		if (v->name)
			fprintf(out, "%*s%s", n < 72 ? 72 - n + 1 : 1, "", v->name);
		fputc('\n', out);
	}
	return 0;
}

static char state_letter(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_STOPPED:
		return 'T';
	case TASK_ZOMBIE:
		return 'Z';
	default:
		return 'X';
	}
}

static const char *state_name(const struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING:
		return "R (running)";
	case TASK_INTERRUPTIBLE:
		return "S (sleeping)";
	case TASK_STOPPED:
		return "T (stopped)";
	case TASK_ZOMBIE:
		return "Z (zombie)";
	default:
		return "X (dead)";
	}
}

static int nr_threads(const struct task *t)
{
	int n = 0;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tgid == t->tgid && p->state != TASK_DEAD)
			n++;
	return n;
}

static int ppid_of(const struct task *t, const struct pid_namespace *ns)
{
	if (!t->parent)
		return ns->level == 0 ? 1 : 0;
	return task_tgid_nr_ns(t->parent, ns);
}

/* proc(5)'s /proc/pid/stat: 52 fields; times and faults are not modeled (0).
 * Priority and nice (18, 19), rt_priority and policy (40, 41) are the
 * model's (kernelmodel/sched_policy.c). */
static int gen_stat(struct task *t, const struct pid_namespace *ns, FILE *out)
{
	struct mm *mm = t->mm;
	uint64_t vsize = 0, rss = 0;
	if (mm) {
		for (size_t i = 0; i < mm->nvmas; i++)
			vsize += mm->vmas[i].end - mm->vmas[i].start;
		rss = mm_resident_pages(mm);
	}
	fprintf(out,
		"%d (%s) %c %d %d %d 0 -1 4194560 %llu %llu 0 0 %llu %llu %llu %llu %d %d %d 0 0 %llu %llu "
		"18446744073709551615 0 0 %llu 0 0 0 %llu 0 0 0 0 0 %d 0 %u %d 0 0 0 0 %llu %llu "
		"%llu %llu %llu %llu %d\n",
		task_pid_nr_ns(t, ns), t->comm, state_letter(t), ppid_of(t, ns),
		pid_nr_ns(t->signal->pgid, ns), pid_nr_ns(t->signal->sid, ns),
		(unsigned long long)(mm ? mm->pages_copied : 0) + t->signal->acct.min_flt,
		(unsigned long long)t->signal->acct.cmin_flt,
		(unsigned long long)(t->signal->acct.utime / 10000000),
		(unsigned long long)(t->signal->acct.stime / 10000000),
		(unsigned long long)(t->signal->acct.cutime / 10000000),
		(unsigned long long)(t->signal->acct.cstime / 10000000), task_prio(&t->sched), task_nice(&t->sched), nr_threads(t),
		(unsigned long long)vsize, (unsigned long long)rss,
		(unsigned long long)(mm ? mm->start_stack : 0),
		(unsigned long long)t->sig_pending, t->exit_signal > 0 ? t->exit_signal : 0,
		t->sched.rt_priority, t->sched.policy,
		(unsigned long long)(mm ? mm->start_brk : 0), (unsigned long long)(mm ? mm->brk : 0),
		(unsigned long long)(mm ? mm->arg_start : 0), (unsigned long long)(mm ? mm->arg_end : 0),
		(unsigned long long)(mm ? mm->env_start : 0), (unsigned long long)(mm ? mm->env_end : 0),
		t->state == TASK_ZOMBIE ? t->exit_status : 0);
	return 0;
}

static void print_nspids(FILE *out, const char *key, const struct task *t, int global,
			 const struct pid_namespace *ns)
{
	fprintf(out, "%s:", key);
	const struct task *who = global ? task_find(global) : t;
	for (int l = ns->level; who && who->pid_ns && l <= who->pid_ns->level; l++)
		fprintf(out, "\t%d", who->nr[l]);
	fputc('\n', out);
}

/* Uid:/Gid: (real, effective, saved, fs) and Groups: as @reader's user
 * namespace shows them; fs/proc/array.c task_state. */
static void print_ids(FILE *out, const struct task *reader, const struct cred *c)
{
	fprintf(out, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		from_kuid_munged(reader, c->uid), from_kuid_munged(reader, c->euid),
		from_kuid_munged(reader, c->suid), from_kuid_munged(reader, c->fsuid),
		from_kgid_munged(reader, c->gid), from_kgid_munged(reader, c->egid),
		from_kgid_munged(reader, c->sgid), from_kgid_munged(reader, c->fsgid));
}

static void print_groups(FILE *out, const struct task *reader, const struct cred *c)
{
	fputs("Groups:\t", out);
	for (int i = 0; i < c->group_info->ngroups; i++)
		fprintf(out, i ? " %u" : "%u", from_kgid_munged(reader, c->group_info->gid[i]));
	fputs(" \n", out); /* Linux's trailing space */
}

static int gen_status(struct task *t, const struct task *reader, const struct pid_namespace *ns,
		      FILE *out)
{
	uint64_t ign = 0, cgt = 0;
	for (int i = 0; i < NSIG_MODEL; i++) {
		uint64_t h = t->sighand ? t->sighand->action[i].handler : 0;
		if (h == 1)
			ign |= 1ull << i;
		else if (h > 1)
			cgt |= 1ull << i;
	}
	fprintf(out,
		"Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		"TracerPid:\t0\n",
		t->comm, t->fs ? t->fs->umask : 0, state_name(t), task_tgid_nr_ns(t, ns),
		task_pid_nr_ns(t, ns), ppid_of(t, ns));
	print_ids(out, reader, t->cred);
	fprintf(out, "FDSize:\t%d\n", t->files ? t->files->max : 0);
	print_groups(out, reader, t->cred);
	print_nspids(out, "NStgid", t, t->tgid, ns);
	print_nspids(out, "NSpid", t, 0, ns);
	print_nspids(out, "NSpgid", t, t->signal->pgid, ns);
	print_nspids(out, "NSsid", t, t->signal->sid, ns);
	proc_task_mem(out, t);
	fprintf(out, "Threads:\t%d\n", nr_threads(t));
	proc_task_sigq(out, t);
	fprintf(out,
		"SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
		"SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		(unsigned long long)t->sig_pending,
		(unsigned long long)t->signal->shared_pending, (unsigned long long)t->sig_blocked,
		(unsigned long long)ign, (unsigned long long)cgt);
	const struct cred *c = t->cred;
	fprintf(out,
		"CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		"CapAmb:\t%016llx\nNoNewPrivs:\t%d\n",
		(unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
		(unsigned long long)c->cap_effective, (unsigned long long)c->cap_bset,
		(unsigned long long)c->cap_ambient, t->no_new_privs);
	proc_task_tail(out, t);
	return 0;
}

/* /proc/<pid>/sched (kernel/sched/debug.c proc_sched_show_task): the
 * header and the scheduling parameters the model has; run-time statistics
 * are not modeled and left out. */
static int gen_sched(struct task *t, const struct pid_namespace *ns, FILE *out)
{
	fprintf(out, "%s (%d, #threads: %d)\n", t->comm, task_pid_nr_ns(t, ns), nr_threads(t));
	fprintf(out, "---------------------------------------------------------"
		     "----------\n");
	fprintf(out, "%-45s:%21lld\n", "policy", (long long)t->sched.policy);
	fprintf(out, "%-45s:%21lld\n", "prio", (long long)task_prio(&t->sched) + 100);
	if (t->sched.slice)
		fprintf(out, "%-45s:%21lld\n", "se.slice", (long long)t->sched.slice);
	return 0;
}

static int gen_guest_range(struct task *t, gva_t start, gva_t end, FILE *out)
{
	char buf[4096];
	while (start < end) {
		size_t n = end - start < sizeof(buf) ? end - start : sizeof(buf);
		if (copy_from_guest(t->mm, buf, start, n))
			return 0; /* Linux shows what it can read */
		fwrite(buf, 1, n, out);
		start += n;
	}
	return 0;
}

/* The directories of the modeled /proc. */
static const char *const pid_files[] = {"stat",	"status",  "maps",	"cmdline", "environ",
					 "comm", "uid_map", "gid_map", "setgroups", "sched", "limits",
					 "mem",	 "pagemap", "syscall", "stack", "mounts", "mountinfo",
					 "mountstats"};
static const char *const pid_links[] = {"exe", "cwd"};

static int list_task_dir(struct task *target, bool with_task, struct dirlist *d)
{
	int r = 0;
	for (size_t i = 0; i < sizeof(pid_files) / sizeof(pid_files[0]); i++)
		r |= dirlist_add(d, pid_files[i], DT_REG, 0);
	for (size_t i = 0; i < sizeof(pid_links) / sizeof(pid_links[0]); i++)
		r |= dirlist_add(d, pid_links[i], DT_LNK, 0);
	r |= dirlist_add(d, "fd", DT_DIR, 0);
	r |= dirlist_add(d, "fdinfo", DT_DIR, 0);
	r |= dirlist_add(d, "ns", DT_DIR, 0);
	r |= dirlist_add(d, "net", DT_DIR, 0); /* its network namespace (net/proc_net.c) */
	if (with_task)
		r |= dirlist_add(d, "task", DT_DIR, 0);
	return r;
}

static int list_proc_root(const struct pid_namespace *ns, struct dirlist *d)
{
	char name[32];
	int r = 0; /* the host's /proc listing brings . and .. */
	DIR *host = opendir("/proc");
	for (struct dirent *e; host && (e = readdir(host));)
		if (!isdigit((unsigned char)e->d_name[0]) && strcmp(e->d_name, "self") &&
		    strcmp(e->d_name, "thread-self"))
			r |= dirlist_add(d, e->d_name, e->d_type, e->d_ino);
	if (host)
		closedir(host);
	r |= dirlist_add(d, "self", DT_LNK, 0);
	r |= dirlist_add(d, "thread-self", DT_LNK, 0);
	r |= dirlist_add(d, "1", DT_DIR, 0); /* the modeled init (proc_init.c) */
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->tid == p->tgid && p->state != TASK_DEAD && pid_visible(p, ns)) {
			snprintf(name, sizeof(name), "%d", task_pid_nr_ns(p, ns));
			r |= dirlist_add(d, name, DT_DIR, 0);
		}
	return r;
}

/* /proc/<pid>/fd and fdinfo, listed when read. */
static void fill_fd_dir(struct dirlist *d)
{
	char name[32];
	dirlist_add(d, ".", DT_DIR, 0);
	dirlist_add(d, "..", DT_DIR, 0);
	struct task *target = task_find(d->fill_tid);
	if (!target || !target->files)
		return;
	for (int fd = 0; fd < target->files->max; fd++)
		if (target->files->fd[fd].file) {
			snprintf(name, sizeof(name), "%d", fd);
			dirlist_add(d, name, d->fill_info ? DT_REG : DT_LNK, 0);
		}
}

/* The entries of a /proc directory @rest names for @target, or -ENOTDIR
 * when it is no directory. */
static int list_dir(struct task *target, const struct pid_namespace *ns, const char *rest,
		    bool is_thread, struct dirlist *d)
{
	char name[32];
	int r = dirlist_add(d, ".", DT_DIR, 0) | dirlist_add(d, "..", DT_DIR, 0);
	if (!*rest)
		return r | list_task_dir(target, !is_thread, d);
	if (!strcmp(rest, "fd") || !strcmp(rest, "fdinfo")) {
		/* proc_readfd_common: the descriptors of the moment it is read. */
		d->fill = fill_fd_dir;
		d->fill_tid = target->tid;
		d->fill_info = rest[2] == 'i'; /* fdinfo: regular files, not links */
		return r;
	}
	if (!strcmp(rest, "ns")) {
		for (unsigned i = 0; i < proc_ns_count; i++)
			r |= dirlist_add(d, proc_ns_names[i], DT_LNK, 0);
		return r;
	}
	if (!strcmp(rest, "task") && !is_thread) {
		for (struct task *p = task_next(NULL); p; p = task_next(p))
			if (p->tgid == target->tgid && p->state != TASK_DEAD) {
				snprintf(name, sizeof(name), "%d", task_pid_nr_ns(p, ns));
				r |= dirlist_add(d, name, DT_DIR, 0);
			}
		return r;
	}
	return -ENOTDIR;
}

static int open_dir(struct dirlist *d, int r, const char *path, struct file **out)
{
	if (r || !(*out = file_dir_alloc(d, path))) {
		free(d->e);
		free(d);
		return r ? (r == -ENOTDIR ? r : -ENOMEM) : -ENOMEM;
	}
	return 0;
}

/* /proc/locks from the model's lock table (fs/locks.c's locks_show):
 * owners as the reader's PID namespace numbers them (OFD ones -1), locks
 * of owners it cannot see left out; no line for waiters. */
struct locks_show {
	FILE *out;
	long id;
};

static void lock_show(void *arg, const struct file_lock *fl, uint64_t dev, uint64_t ino)
{
	struct locks_show *s = arg;
	int pid = (fl->flags & FL_OFDLCK) ? -1 : pid_nr_ns(fl->pid, proc_ns());
	s->id++;
	if (!pid)
		return;
	if (fl->flags & FL_POSIX)
		fprintf(s->out, "%ld: %s ADVISORY  ", s->id, fl->flags & FL_OFDLCK ? "OFDLCK" : "POSIX ");
	else
		fprintf(s->out, "%ld: FLOCK  ADVISORY  ", s->id);
	fprintf(s->out, "%s %d %02x:%02x:%llu ", fl->type == F_WRLCK ? "WRITE" : "READ", pid,
		major(dev), minor(dev), (unsigned long long)ino);
	if (!(fl->flags & FL_POSIX))
		fputs("0 EOF\n", s->out);
	else if (fl->end == OFFSET_MAX)
		fprintf(s->out, "%lld EOF\n", (long long)fl->start);
	else
		fprintf(s->out, "%lld %lld\n", (long long)fl->start, (long long)fl->end);
}

static int open_proc_locks(const char *path, struct file **out)
{
	char *data = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&data, &len);
	if (!mem)
		return -ENOMEM;
	struct locks_show s = {mem, 0};
	int r = locks_for_each(lock_show, &s);
	fclose(mem);
	if (!r) {
		r = proc_snapshot_fd(data, len);
		if (r >= 0) {
			*out = file_host_alloc(r, path);
			r = *out ? 0 : (close(r), -ENOMEM);
		}
	}
	free(data);
	return r;
}

/* /proc/<pid>/fdinfo/N (fs/proc/fd.c seq_show): position, flags with
 * O_CLOEXEC, mount id and inode, then what the file's show_fdinfo adds. */
static int gen_fdinfo(struct task *target, int fd, FILE *mem)
{
	struct fd_entry *e = target->files ? files_entry(target->files, fd) : NULL;
	if (!e || !e->file)
		return -ENOENT;
	struct file *f = e->file;
	long long pos = 0;
	int flags = f->flags, mnt_id = 0;
	uint64_t ino = f->ino;
	if (f->kind == FILE_HOST) {
		/* The host's own view of its descriptor, the flags the model's. */
		char hp[64], line[128];
		snprintf(hp, sizeof(hp), "/proc/self/fdinfo/%d", f->host_fd);
		FILE *h = fopen(hp, "r");
		while (h && fgets(line, sizeof(line), h)) {
			sscanf(line, "pos: %lld", &pos);
			sscanf(line, "flags: %o", (unsigned *)&flags);
			sscanf(line, "mnt_id: %d", &mnt_id);
		}
		if (h)
			fclose(h);
		flags &= ~O_CLOEXEC;
	} else if ((f->kind == FILE_ANON && !f->aops->stat) || f->kind == FILE_EPOLL ||
		   f->kind == FILE_PIDFD) {
		ino = ANON_INODE_INO;
	}
	if (e->cloexec)
		flags |= O_CLOEXEC;
	fprintf(mem, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", pos, (unsigned)flags,
		mnt_id, (unsigned long long)ino);
	if (f->kind == FILE_ANON && f->aops->show_fdinfo) {
		char buf[1024];
		int n = f->aops->show_fdinfo(f, buf, sizeof(buf));
		if (n > 0)
			fwrite(buf, 1, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, mem);
	}
	return 0;
}

int procfs_open(struct task *t, const char *path, int flags, int *handled, struct file **out)
{
	struct task *target;
	const char *rest;
	int self;
	struct dirlist *d;
	if (!strcmp(path, "/proc") || !strcmp(path, "/proc/")) {
		*handled = 1;
		if (!(d = calloc(1, sizeof(*d))))
			return -ENOMEM;
		return open_dir(d, list_proc_root(proc_ns(), d), path, out);
	}
	if (!strcmp(path, "/proc/locks")) {
		*handled = 1;
		return open_proc_locks(path, out);
	}
	/* The reader's network namespace: the model's unless the initial. */
	if (!strncmp(path, "/proc/net", 9) && (!path[9] || path[9] == '/')) {
		int nr = proc_net_open(t, t, path + 9, path, flags, out);
		if (nr) {
			*handled = 1;
			return nr < 0 ? nr : 0;
		}
	}
	int sr = proc_sys_net_open(t, path, flags, out);
	if (sr) {
		*handled = 1;
		return sr < 0 ? sr : 0;
	}
	if (!strncmp(path, "/proc/sys/kernel/", 17)) {
		/* The UTS names and the model's limits, never the host's. */
		int kr = kernel_sysctl_open(t, path, flags, out);
		if (kr) {
			*handled = 1;
			return kr < 0 ? kr : 0;
		}
	}
	if (!strncmp(path, "/proc/sys", 9)) {
		/* SysV IPC and mqueue files of the task's IPC namespace. */
		char *data = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&data, &len);
		if (!mem)
			return -ENOMEM;
		struct file *wfile = NULL;
		int r = ipc_proc_show(t, path, flags, mem, &wfile);
		fclose(mem);
		bool mine = r != 0;
		if (r == 2) {
			*out = wfile; /* a limit opened for writing */
			r = 0;
		} else if (r > 0) {
			r = proc_snapshot_fd(data, len);
			if (r >= 0) {
				*out = file_host_alloc(r, path);
				r = *out ? 0 : (close(r), -ENOMEM);
			}
		}
		free(data);
		if (mine) {
			*handled = 1;
			return r;
		}
	}
	if (proc_init_path(path, &rest)) {
		*handled = 1;
		return proc_init_open(path, rest, flags, out);
	}
	*handled = proc_task_path(t, path, &target, &rest, &self);
	if (!*handled)
		return 0;
	if (!target)
		return -ENOENT;
	if (!strncmp(rest, "fd/", 3) && rest[3 + strspn(rest + 3, "0123456789")] == 0) {
		/* Opening an fd link: a new open file on what it refers to
		 * (a pipe end, or an inherited host descriptor). */
		struct file *f = target->files ? files_lookup(target->files, atoi(rest + 3)) : NULL;
		if (!f)
			return -ENOENT;
		return file_reopen(f, flags, out);
	}
	if (!strncmp(rest, "net", 3) && (!rest[3] || rest[3] == '/')) {
		int nr = proc_net_open(t, target, rest + 3, path, flags, out);
		return nr < 0 ? nr : 0;
	}
	if (!strncmp(rest, "ns/", 3)) /* magic links to nsfs inodes */
		return proc_ns_open(target, rest + 3, flags, out);
	if (!strcmp(rest, "oom_score_adj"))
		return proc_oom_score_adj_open(t, target, flags, out);
	/* uid_map, gid_map, setgroups: writable (kernel/user_namespace.c). */
	if (!strcmp(rest, "uid_map") || !strcmp(rest, "gid_map") || !strcmp(rest, "setgroups"))
		return proc_idmap_open(t, target,
				       rest[0] == 'u' ? IDMAP_UID : rest[0] == 'g' ? IDMAP_GID
									: IDMAP_SETGROUPS,
				       flags, out);
	if (!strcmp(rest, "mem"))
		return proc_mem_open(t, target, path, flags, out);
	/* What the model does not show: Linux's unprivileged answer. */
	if (!strcmp(rest, "pagemap") || !strcmp(rest, "syscall") || !strcmp(rest, "stack"))
		return -EACCES;
	bool is_thread = strstr(path, "/task/") != NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	int r = list_dir(target, proc_ns(), rest, is_thread, d);
	if (r != -ENOTDIR) {
		r = open_dir(d, r, path, out);
		/* /proc/<tgid> names its process: pidfd_send_signal takes it
		 * (tgid_pidfd_to_pid), as it takes a pidfd. */
		if (!r && !*rest && !is_thread && self != 2 && target->tid == target->tgid)
			(*out)->task = task_get(target);
		return r;
	}
	free(d->e);
	free(d);

	char *data = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&data, &len);
	if (!mem)
		return -ENOMEM;
	r = 0;
	struct mm *mm = target->mm; /* NULL for a zombie: its files read empty */
	if (!strcmp(rest, "stat"))
		r = gen_stat(target, proc_ns(), mem);
	else if (!strcmp(rest, "status"))
		r = gen_status(target, t, proc_ns(), mem);
	else if (!strcmp(rest, "maps"))
		r = mm ? gen_maps(target, mem) : 0;
	else if (!strcmp(rest, "cmdline"))
		r = mm ? gen_guest_range(target, mm->arg_start, mm->arg_end, mem) : 0;
	else if (!strcmp(rest, "environ"))
		r = mm ? gen_guest_range(target, mm->env_start, mm->env_end, mem) : 0;
	else if (!strcmp(rest, "sched"))
		r = gen_sched(target, proc_ns(), mem);
	else if (!strcmp(rest, "limits") && target->signal)
		proc_pid_limits(mem, target);
	else if (!strcmp(rest, "comm"))
		fprintf(mem, "%s\n", target->comm);
	else if (!strcmp(rest, "mounts") || !strcmp(rest, "mountinfo") || !strcmp(rest, "mountstats"))
		r = target->fs ? proc_mounts_show(target, rest, mem) : 0;
	else if (!strncmp(rest, "fdinfo/", 7) && rest[7 + strspn(rest + 7, "0123456789")] == 0)
		r = gen_fdinfo(target, atoi(rest + 7), mem);
	else if (!strcmp(rest, "uid_map") || !strcmp(rest, "gid_map")) {
		/* The initial namespace maps everything; others have no maps
		 * (writing them is not modeled). */
		if (target->nsproxy && ns_initial_user(target->nsproxy))
			fprintf(mem, "%10u %10u %10u\n", 0u, 0u, 4294967295u);
	} else
		r = -ENOENT; /* not modeled: never the host's view of cloneemu */
	fclose(mem);
	if (!r) {
		r = proc_snapshot_fd(data, len);
		if (r >= 0) {
			*out = file_host_alloc(r, path);
			r = *out ? 0 : (close(r), -ENOMEM);
		}
	}
	free(data);
	return r;
}
