/* Process lifecycle syscalls: clone, fork, vfork, execve, wait4, waitid.
 * Only these entry points know x86_64's clone argument order (flags, stack,
 * parent_tid, child_tid, tls); they all fill one kernel_clone_args
 * (STYLE.md S3) for kernelmodel/fork.c. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/run.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/posix_timers.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fork.h"
#include "kernelmodel/nsfs.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/ptrace.h"
#include "kernelmodel/prctl.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "loader/elf.h"
#include "loader/exec.h"
#include "syscalls/dispatch.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#ifndef __WALL
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#define __WNOTHREAD 0x20000000
#endif

/* kernel_clone: create the child, give it the caller's registers with a
 * zero return value (and its own stack and TLS when asked), start it. A
 * vfork caller then sleeps until the child execs or exits; its syscall is
 * retried on wake-up and finds the child it made in t->restart_child. */
long pidfd_install(struct task *t, struct task *leader, int flags);

void (*clone_event_hook)(struct task *parent, struct task *child, uint64_t flags);
void (*vfork_done_hook)(struct task *t);
void (*exec_event_hook)(struct task *t);

static long kernel_clone(struct task *t, const struct kernel_clone_args *args)
{
	if (t->restarting && t->restart_child) {
		struct task *c = t->restart_child;
		if (c->vfork_pending) {
			sleep_on(t, c, "vfork");
			t->wait_killable = true;
			return -EKBLOCK;
		}
		int nr = task_pid_nr_ns(c, t->pid_ns);
		task_put(c);
		t->restart_child = NULL;
		if (vfork_done_hook)
			vfork_done_hook(t);
		return nr;
	}
	struct task *child;
	int r = copy_process(t, args, &child);
	if (r)
		return r;
	if (!(child->cpu = emu_context_alloc())) {
		task_put(child);
		return -ENOMEM;
	}
	uint64_t next = emu_reg_read(EREG_RIP) + 2; /* after the syscall instruction */
	emu_context_save(child->cpu);
	emu_context_write(child->cpu, EREG_RAX, 0);
	emu_context_write(child->cpu, EREG_RIP, next);
	emu_context_write(child->cpu, EREG_RCX, next);
	emu_context_write(child->cpu, EREG_R11, emu_reg_read(EREG_RFLAGS));
	if (args->stack)
		emu_context_write(child->cpu, EREG_RSP, args->stack + args->stack_size);
	if (args->flags & CLONE_SETTLS)
		emu_context_write(child->cpu, EREG_FS_BASE, args->tls);
	if (args->flags & CLONE_PIDFD) {
		/* The pidfd is made before the child runs and written where the
		 * caller said (parent_tid for clone, clone_args.pidfd for clone3). */
		long fd = pidfd_install(t, child, 0);
		int ifd = (int)fd;
		if (fd < 0 || copy_to_guest(t->mm, args->pidfd, &ifd, sizeof(ifd))) {
			if (fd >= 0)
				files_close(t->files, ifd);
			emu_context_free(child->cpu);
			child->cpu = NULL;
			abandon_new_task(child);
			return fd < 0 ? fd : -EFAULT;
		}
	}
	int nr = wake_up_new_task(t, child, args);
	if (clone_event_hook)
		clone_event_hook(t, child, args->flags);
	if (args->flags & CLONE_VFORK) {
		t->restart_child = task_get(child);
		sleep_on(t, child, "vfork");
		t->wait_killable = true; /* Linux's vfork wait is killable only */
		return -EKBLOCK;
	}
	return nr;
}

SYS(clone)
{
	/* The legacy interface takes the low 32 bits; the low byte is the
	 * exit signal. CLONE_PIDFD would reuse parent_tid as the pidfd slot. */
	uint64_t flags = a[0] & 0xffffffffull;
	struct kernel_clone_args args = {
		.flags = flags & ~(uint64_t)CSIGNAL,
		.exit_signal = (int)(flags & CSIGNAL),
		.stack = a[1],
		.parent_tid = a[2],
		.child_tid = a[3],
		.tls = a[4],
	};
	if ((args.flags & CLONE_PIDFD) && (args.flags & CLONE_PARENT_SETTID))
		return -EINVAL; /* both would write through parent_tid */
	args.pidfd = a[2];
	return kernel_clone(t, &args);
}

/* clone3's struct clone_args, every size the kernel knows. */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size; /* CLONE_ARGS_SIZE_VER1 */
	uint64_t cgroup;                /* CLONE_ARGS_SIZE_VER2 */
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88

/* kernel/fork.c's copy_clone_args_from_user and clone3_args_valid, in
 * their order: the size first (E2BIG above a page or with non-zero bytes
 * past what we know, EINVAL below VER0), then each field. */
SYS(clone3)
{
	struct clone_args ca;
	uint64_t usize = a[1];
	if (usize > PAGE_SIZE)
		return -E2BIG;
	if (usize < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	memset(&ca, 0, sizeof(ca));
	if (copy_from_guest(t->mm, &ca, a[0], usize < sizeof(ca) ? usize : sizeof(ca)))
		return -EFAULT;
	for (uint64_t off = sizeof(ca); off < usize; off++) {
		uint8_t b;
		if (copy_from_guest(t->mm, &b, a[0] + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if (ca.set_tid_size > MAX_PID_NS_LEVEL || (!ca.set_tid && ca.set_tid_size) ||
	    (ca.set_tid && !ca.set_tid_size))
		return -EINVAL;
	if ((ca.exit_signal & ~(uint64_t)CSIGNAL) || ca.exit_signal > NSIG_MODEL)
		return -EINVAL;
	if ((ca.flags & CLONE_INTO_CGROUP) && (ca.cgroup > INT_MAX || usize < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	int tids[MAX_PID_NS_LEVEL] = {0};
	if (ca.set_tid_size &&
	    copy_from_guest(t->mm, tids, ca.set_tid, ca.set_tid_size * sizeof(int)))
		return -EFAULT;
	/* clone3_args_valid */
	if (ca.flags & ~(0xffffffffull | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (ca.flags & (CLONE_DETACHED | (CSIGNAL & ~0x80ull /* CLONE_NEWTIME */)))
		return -EINVAL;
	if ((ca.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((ca.flags & (CLONE_THREAD | CLONE_PARENT)) && ca.exit_signal)
		return -EINVAL;
	if ((!ca.stack && ca.stack_size) || (ca.stack && !ca.stack_size))
		return -EINVAL;
	struct kernel_clone_args args = {
		.flags = ca.flags,
		.exit_signal = (int)ca.exit_signal,
		.stack = ca.stack,
		.stack_size = ca.stack_size,
		.tls = ca.tls,
		.parent_tid = ca.parent_tid,
		.child_tid = ca.child_tid,
		.set_tid_size = (int)ca.set_tid_size,
		.pidfd = ca.pidfd,
	};
	memcpy(args.set_tid, tids, sizeof(tids));
	if ((args.flags & CLONE_PIDFD) && (args.flags & CLONE_PARENT_SETTID) &&
	    ca.pidfd == ca.parent_tid)
		return -EINVAL;
	return kernel_clone(t, &args);
}

SYS(fork)
{
	struct kernel_clone_args args = {.exit_signal = SIGCHLD};
	return kernel_clone(t, &args);
}

SYS(vfork)
{
	struct kernel_clone_args args = {.flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD};
	return kernel_clone(t, &args);
}

/* ---- execve ---- */

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define MAX_ARG_STRINGS 0x7fffffff
/* Copy a NULL-terminated array of guest strings (argv or envp). */
static int copy_strings(struct task *t, gva_t gv, struct strv *out)
{
	char *buf = malloc(MAX_ARG_STRLEN);
	int r = 0;
	if (!buf)
		return -ENOMEM;
	for (int i = 0; gv; i++) {
		uint64_t p;
		if (i >= MAX_ARG_STRINGS) {
			r = -E2BIG;
			break;
		}
		if (copy_from_guest(t->mm, &p, gv + 8ull * i, 8)) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		long n = strncpy_from_guest(t->mm, buf, p, MAX_ARG_STRLEN);
		if (n < 0) {
			r = n == -ENAMETOOLONG ? -E2BIG : (int)n;
			break;
		}
		if ((r = strv_push(out, out->n, buf)))
			break;
	}
	free(buf);
	if (!r && !out->v) { /* an empty (or NULL) array */
		out->v = calloc(1, sizeof(char *));
		out->cap = 1;
		if (!out->v)
			r = -ENOMEM;
	}
	return r;
}

/* The absolute host path of @path as the task sees it. */
static int resolve_path(struct task *t, int dirfd, const char *path, char *out)
{
	if (path[0] == '/') {
		snprintf(out, PATH_MAX, "%s", path);
		return 0;
	}
	char dir[PATH_MAX];
	if (dirfd == AT_FDCWD) {
		long n = fs_getcwd(t->fs, dir, sizeof(dir));
		if (n < 0)
			return (int)n;
	} else {
		struct file *f = files_lookup(t->files, dirfd);
		if (!f)
			return -EBADF;
		if (f->kind == FILE_DIR && f->path) { /* a directory of the modeled /proc */
			if (snprintf(out, PATH_MAX, "%s/%s", f->path, path) >= PATH_MAX)
				return -ENAMETOOLONG;
			return 0;
		}
		if (f->kind != FILE_HOST)
			return -ENOTDIR;
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
		ssize_t n = readlink(link, dir, sizeof(dir) - 1);
		if (n < 0)
			return -errno;
		dir[n] = 0;
	}
	if (snprintf(out, PATH_MAX, "%s/%s", dir, path) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* Make a shared object private before exec changes it (unshare_files,
 * and de_thread's unshare of the handler table). */
static int unshare_for_exec(struct task *t)
{
	if (t->files->refcount > 1) {
		struct files *nf = files_dup(t->files);
		if (!nf)
			return -ENOMEM;
		files_put(t->files);
		t->files = nf;
	}
	if (t->sighand->refcount > 1) {
		struct sighand *sh = sighand_dup(t->sighand);
		if (!sh)
			return -ENOMEM;
		sighand_put(t->sighand);
		t->sighand = sh;
	}
	return 0;
}

/* What execveat(@dirfd, @gpath, ..., @flags) runs: the host path in @file
 * and, in @name, the name Linux's alloc_bprm() gives it (AT_EXECFN, comm,
 * a script's argv): the path itself when absolute or cwd-relative, else
 * "/dev/fd/N/path", or "/dev/fd/N" for AT_EMPTY_PATH. */
static long exec_file(struct task *t, int dirfd, gva_t gpath, int flags, char *file, char *name)
{
	long n = strncpy_from_guest(t->mm, name, gpath, PATH_MAX);
	if (n < 0)
		return n;
	if (n == 0 && (flags & AT_EMPTY_PATH)) {
		struct file *f = files_lookup(t->files, dirfd);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_HOST)
			return -EACCES; /* a pipe, a pidfd...: not a regular file */
		snprintf(file, PATH_MAX, "/proc/self/fd/%d", f->host_fd);
		snprintf(name, PATH_MAX, "/dev/fd/%d", dirfd);
		return 0;
	}
	char path[PATH_MAX];
	long r = get_user_path(t, gpath, path);
	if (r || (r = resolve_path(t, dirfd, path, file)))
		return r;
	/* Another spelling of /proc/self/exe & co. is the model's link too. */
	char model[PATH_MAX];
	r = proc_escape(t, AT_FDCWD, file, flags & AT_SYMLINK_NOFOLLOW, model);
	if (r > 0)
		r = procfs_follow(t, model, true, file) == 1 ? 0 : -EACCES;
	if (r)
		return r;
	if (flags & AT_SYMLINK_NOFOLLOW) {
		struct stat st;
		if (!lstat(file, &st) && S_ISLNK(st.st_mode))
			return -ELOOP;
	}
	if (dirfd != AT_FDCWD && name[0] != '/') {
		char rel[PATH_MAX];
		memcpy(rel, name, n + 1);
		if (snprintf(name, PATH_MAX, "/dev/fd/%d/%s", dirfd, rel) >= PATH_MAX)
			return -ENAMETOOLONG;
	}
	return 0;
}

static long do_execveat(struct task *t, int dirfd, gva_t gpath, gva_t gargv, gva_t genvp,
			int flags)
{
	char path[PATH_MAX], file[PATH_MAX], cwd[PATH_MAX];
	struct strv argv = {0}, envp = {0};
	struct mm *mm = NULL;
	struct cred *new_cred = NULL;
	long r = exec_file(t, dirfd, gpath, flags, file, path);
	if (r)
		return r;
	/* alloc_bprm opens the file before the strings are counted: a name
	 * that leads nowhere wins over a bad argv or envp. */
	struct stat st0;
	if (stat(file, &st0) && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return -errno;
	if ((r = copy_strings(t, gargv, &argv)) || (r = copy_strings(t, genvp, &envp)))
		goto out;
	if ((r = fs_getcwd(t->fs, cwd, sizeof(cwd))) < 0)
		goto out;
	r = -ENOMEM;
	if (!(mm = mm_alloc()))
		goto out;
	struct linux_binprm b = {.argv = &argv, .envp = &envp, .filename = path, .cwd = cwd};
	struct exec_stack_params sp;
	bool secure;
	/* The new image's credentials (set-ID bits, file capabilities). */
	if ((r = bprm_creds_from_file(t, file, &new_cred, &secure)))
		goto out;
	emu_exec_params(&sp, t, new_cred, secure);
	elf_set_no_randomize(t->personality & ADDR_NO_RANDOMIZE);
	elf_set_stack_limit(t->signal->rlim[RLIMIT_STACK].rlim_cur);
	fs_set_exec_root(t->fs->root); /* the interpreter is under the task's root */
	r = bprm_execve(mm, &b, file, &sp);
	fs_set_exec_root(NULL);
	if (r)
		goto out;
	struct stat est;
	if (stat(b.file, &est) || (r = mm_set_exe(mm, est.st_dev, est.st_ino)))
		goto out; /* ETXTBSY: someone has it open for writing */
	if ((r = unshare_for_exec(t)))
		goto out;

	/* Point of no return: the old image is gone. */
	de_thread(t);
	exec_mm_release(t);
	struct mm *old = t->mm;
	t->mm = mm;
	mm = NULL;
	mm_put(old);
	files_close_on_exec(t->files);
	sighand_flush(t->sighand);
	/* The alternate stack was memory of the old image (sigaltstack(2):
	 * "cleared in a process created via execve"). */
	t->sas_ss_sp = 0;
	t->sas_ss_size = 0;
	t->sas_ss_flags = SS_DISABLE;
	posix_timers_exec(t); /* exit_itimers: timer_create's, not setitimer's */
	commit_creds(t, new_cred);
	new_cred = NULL;
	prctl_exec(t, secure);
	t->did_exec = true;
	free(t->exe);
	t->exe = realpath(b.file, NULL);
	/* begin_new_exec(): the basename of the name, or for fexecve (no name)
	 * the name of the file's dentry. */
	bool fexec = !strncmp(path, "/dev/fd/", 8) && !strchr(path + 8, '/');
	task_set_comm(t, fexec && t->exe ? t->exe : path);
	emu_switch_mm(t->mm);
	emu_reset_regs(b.info.start, b.sp);
	syscall_return_to(b.info.start);
	emu_request_stop(); /* let the run loop start the new image afresh */
	if (exec_event_hook)
		exec_event_hook(t);
	r = 0;
out:
	abort_creds(new_cred);
	mm_put(mm);
	strv_free(&argv);
	strv_free(&envp);
	return r;
}

SYS(execve)
{
	return do_execveat(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

SYS(execveat)
{
	if (a[4] & ~(uint64_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	return do_execveat(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

/* ---- wait ---- */

static struct task *pidfd_task(struct task *t, int fd, long *err);

SYS(wait4)
{
	int pid = (int)a[0];
	int options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	/* WUNTRACED is wait4's name for WSTOPPED. */
	struct wait_opts wo = {.options = options | WEXITED};
	if (pid == INT_MIN)
		return -ESRCH;
	/* The model waits in global numbers; the guest speaks its namespace's. */
	if (pid > 0) {
		wo.type = P_PID;
		wo.id = pid_global(pid, t->pid_ns);
	} else if (pid == -1) {
		wo.type = P_ALL;
	} else {
		wo.type = P_PGID;
		wo.id = pid == 0 ? t->signal->pgid : pid_global(-pid, t->pid_ns);
	}
	struct wait_result res;
	long r = do_wait(t, &wo, &res);
	if (r <= 0)
		return r;
	if (a[1] && put_guest(t->mm, a[1], &res.status, sizeof(int)))
		return -EFAULT;
	if (a[3]) {
		struct rusage ru;
		task_getrusage(res.task, -2 /* RUSAGE_BOTH */, &ru);
		if (copy_to_guest(t->mm, a[3], &ru, sizeof(ru)))
			return -EFAULT;
	}
	return r;
}

/* The part of x86_64's siginfo_t that waitid fills. */
struct waitid_info {
	int32_t signo, errno_, code, pad;
	int32_t pid, uid, status, pad2;
	int64_t utime, stime;
	uint8_t rest[128 - 48];
};
#define WAITID_STORED 28 /* the fields sys_waitid stores, through si_status */

SYS(waitid)
{
	int type = (int)a[0], id = (int)a[1], options = (int)a[3];
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_opts wo = {.type = type, .id = id, .options = options};
	bool pidfd_nonblock = false;
	switch (type) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		wo.id = pid_global(id, t->pid_ns);
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		wo.id = id == 0 ? t->signal->pgid : pid_global(id, t->pid_ns);
		break;
	case P_PIDFD: {
		long err;
		struct task *p = pidfd_task(t, id, &err);
		if (!p)
			return err;
		wo.type = P_PID;
		wo.id = p->tgid;
		/* A PIDFD_NONBLOCK pidfd makes the wait non-blocking: EAGAIN. */
		pidfd_nonblock = files_lookup(t->files, id)->flags & O_NONBLOCK;
		if (pidfd_nonblock)
			wo.options |= WNOHANG;
		break;
	}
	default:
		return -EINVAL;
	}
	struct wait_result res;
	long r = do_wait(t, &wo, &res);
	struct waitid_info info;
	memset(&info, 0, sizeof(info));
	/* sys_waitid stores signo, errno, code, pid, uid and status
	 * (unsafe_put_user) whatever kernel_waitid said: a bad infop is
	 * EFAULT even then. */
	if (!r && pidfd_nonblock && !(options & WNOHANG))
		r = -EAGAIN;
	if (r == -ECHILD || r == -EAGAIN) {
		if (a[2] && put_guest(t->mm, a[2], &info, WAITID_STORED))
			return -EFAULT;
		return r;
	}
	if (r < 0)
		return r;
	if (r > 0) {
		info.signo = SIGCHLD;
		info.pid = res.pid;
		info.uid = (int32_t)res.uid;
		if (WIFEXITED(res.status)) {
			info.code = CLD_EXITED;
			info.status = WEXITSTATUS(res.status);
		} else if (WIFSTOPPED(res.status)) {
			info.code = CLD_STOPPED;
			info.status = WSTOPSIG(res.status);
		} else if (WIFCONTINUED(res.status)) {
			info.code = CLD_CONTINUED;
			info.status = SIGCONT;
		} else {
			info.code = WCOREDUMP(res.status) ? CLD_DUMPED : CLD_KILLED;
			info.status = WTERMSIG(res.status);
		}
	}
	if (a[2] && put_guest(t->mm, a[2], &info, WAITID_STORED))
		return -EFAULT;
	if (a[4]) {
		struct rusage ru;
		if (r > 0)
			task_getrusage(res.task, -2 /* RUSAGE_BOTH */, &ru);
		else
			memset(&ru, 0, sizeof(ru));
		if (copy_to_guest(t->mm, a[4], &ru, sizeof(ru)))
			return -EFAULT;
	}
	return 0;
}

/* ---- pidfd ---- */

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

/* A pidfd on @leader in @t's table (close-on-exec, as Linux makes them). */
long pidfd_install(struct task *t, struct task *leader, int flags)
{
	struct file *f = file_pidfd_alloc(leader, flags);
	if (!f)
		return -ENOMEM;
	long fd = files_install(t->files, f, 0, true);
	file_put(f);
	return fd;
}

SYS(pidfd_open)
{
	if (a[1] & ~(uint64_t)PIDFD_NONBLOCK)
		return -EINVAL;
	if ((int)a[0] <= 0)
		return -EINVAL;
	struct task *p = find_task_by_pid_ns((int)a[0], t->pid_ns);
	if (!p || p->state == TASK_DEAD)
		return -ESRCH;
	if (p->tid != p->tgid)
		return -ENOENT; /* a thread: only with PIDFD_THREAD (not modeled) */
	return pidfd_install(t, p, (int)a[1]);
}

/* The process a pidfd refers to, or -EBADF (not a pidfd). */
static struct task *pidfd_task(struct task *t, int fd, long *err)
{
	struct file *f = files_lookup(t->files, fd);
	*err = !f ? -EBADF : f->kind != FILE_PIDFD ? -EBADF : 0;
	return *err ? NULL : f->task;
}

/* pidfd_getfd: a copy of another process's descriptor, close-on-exec. */
SYS(pidfd_getfd)
{
	long err;
	struct task *p = pidfd_task(t, (int)a[0], &err);
	if (!p)
		return err;
	if (a[2])
		return -EINVAL;
	if (p->state == TASK_DEAD)
		return -ESRCH;
	if (!ptrace_may_access(t, p, PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS))
		return -EPERM;
	struct file *f = p->files ? files_lookup(p->files, (int)a[1]) : NULL;
	if (!f)
		return -EBADF;
	return files_install(t->files, f, 0, true);
}

/* PIDFD_SIGNAL_* (Linux 6.9): the scope, at most one of them. */
#define PIDFD_SIGNAL_THREAD (1u << 0)
#define PIDFD_SIGNAL_THREAD_GROUP (1u << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP (1u << 2)

/* kill_pgrp_info: every process of the group @pgid; success if one got
 * it, else the last error; ESRCH for an empty group. */
static long pidfd_signal_pgrp(struct task *t, int pgid, int sig, const struct ksiginfo *info)
{
	bool found = false, success = false;
	long err = -ESRCH;
	for (struct task *q = task_next(NULL); q; q = task_next(q)) {
		if (q->tid != q->tgid || q->state == TASK_DEAD || q->signal->pgid != pgid)
			continue;
		found = true;
		long e = check_kill_permission(t, q, sig);
		if (!e && sig && q->state != TASK_ZOMBIE)
			e = send_group_signal(q, sig, info);
		success |= !e;
		err = e;
	}
	return !found ? -ESRCH : success ? 0 : err;
}

SYS(pidfd_send_signal)
{
	long err;
	unsigned flags = (unsigned)a[3];
	/* The flags come first, before the descriptor. */
	if (a[3] & ~(uint64_t)(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP))
		return -EINVAL;
	if (__builtin_popcount(flags) > 1)
		return -EINVAL;
	struct file *pf = files_lookup(t->files, (int)a[0]);
	/* pidfd_to_pid: a pidfd, or a /proc/<tgid> directory. */
	struct task *p = pf && pf->kind == FILE_DIR && pf->task ? pf->task : pidfd_task(t, (int)a[0], &err);
	if (!p)
		return err;
	int sig = (int)a[1];
	if (sig < 0 || sig > NSIG_MODEL)
		return -EINVAL;
	if (p->state == TASK_DEAD)
		return -ESRCH;
	bool thread = flags == PIDFD_SIGNAL_THREAD, pgrp = flags == PIDFD_SIGNAL_PROCESS_GROUP;
	/* prepare_kill_siginfo: SI_TKILL for a thread, else SI_USER. */
	struct ksiginfo info = {.code = thread ? -6 : 0, .pid = task_tgid_nr_ns(t, p->pid_ns),
				.uid = (int)from_kuid_munged(p, t->cred->uid)};
	if (a[2]) {
		uint8_t raw[128];
		if (copy_from_guest(t->mm, raw, a[2], sizeof(raw)))
			return -EFAULT;
		int32_t signo, code;
		memcpy(&signo, raw, 4);
		memcpy(&code, raw + 8, 4);
		if (signo != sig)
			return -EINVAL;
		/* Only the process itself may pretend to be the kernel or kill(),
		 * and not to its process group. */
		if ((code >= 0 || code == -6) && (p->tgid != t->tgid || pgrp))
			return -EPERM;
		info.code = code;
		memcpy(&info.pid, raw + 16, 4);
		memcpy(&info.uid, raw + 20, 4);
		memcpy(&info.value, raw + 24, 8);
	}
	if (pgrp)
		return pidfd_signal_pgrp(t, p->tgid, sig, &info);
	long perm = check_kill_permission(t, p, sig);
	if (perm)
		return perm;
	if (!sig || p->state == TASK_ZOMBIE)
		return 0; /* a zombie can be signalled, to no effect */
	return thread ? send_signal(p, sig, &info) : send_group_signal(p, sig, &info);
}

SYS(unshare)
{
	return do_unshare(t, a[0]);
}

/* setns(fd, nstype): an nsfs file or a pidfd (kernelmodel/nsfs.c). */
SYS(setns)
{
	struct file *f = a[0] > INT_MAX ? NULL : files_lookup(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	return do_setns(t, f, (uint64_t)(unsigned)a[1]);
}
