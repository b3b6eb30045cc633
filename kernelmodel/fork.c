/* copy_process (kernel/fork.c, STYLE.md K1-K3): validate the clone flags
 * in the kernel's order, then take each object by reference or duplicate it,
 * in the kernel's order: files, fs, sighand, signal, mm, namespaces. */
#include "kernelmodel/fork.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/prctl.h"
#include "kernelmodel/user_namespace.h"

#define CLONE_NAMESPACES                                                                           \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUSER |  \
	 CLONE_NEWCGROUP | CLONE_NEWTIME)

uint64_t clone_unsupported_flags(void)
{
	/* cgroups are not modeled. */
	return CLONE_INTO_CGROUP;
}

/* copy_creds: the child shares the parent's credentials (they are
 * replaced, never changed, so sharing is copy-on-change), unless it enters
 * a new user namespace, where it holds every capability. */
static int copy_creds(uint64_t flags, struct task *p, struct task *parent)
{
	p->no_new_privs = parent->no_new_privs;
	if (!(flags & CLONE_NEWUSER)) {
		p->cred = get_cred(parent->cred);
		return 0;
	}
	int r = user_ns_may_create(parent, parent->cred); /* create_user_ns */
	if (r)
		return r;
	if (!(p->cred = prepare_creds(parent->cred)))
		return -ENOMEM;
	set_cred_user_ns(p->cred);
	return 0;
}

static int copy_files(uint64_t flags, struct task *p, struct task *parent)
{
	p->files = flags & CLONE_FILES ? files_get(parent->files) : files_dup(parent->files);
	return p->files ? 0 : -ENOMEM;
}

static int copy_fs(uint64_t flags, struct task *p, struct task *parent)
{
	p->fs = flags & CLONE_FS ? fs_get(parent->fs) : fs_dup(parent->fs);
	return p->fs ? 0 : -ENOMEM;
}

/* threads-max as Linux derives it from RAM (set_max_threads: the memory
 * over 8 kernel stacks of 16 KiB per thread), here from the guests' frame
 * pool (--mem), within MIN_THREADS and FUTEX_TID_MASK. */
size_t fork_max_threads(void)
{
	size_t n = frames_bytes() / (16384 * 8);
	return n < 20 ? 20 : n > 0x3fffffff ? 0x3fffffff : n;
}

/* copy_process's limits: the caller's RLIMIT_NPROC on the processes of the
 * new task's real user (not for root or a caller holding CAP_SYS_RESOURCE
 * or CAP_SYS_ADMIN), then threads-max, for everyone. A fork bomb gets
 * EAGAIN, and cloneemu stays bounded. */
static int check_task_limits(struct task *p, struct task *parent)
{
	rlim_t nproc = parent->signal->rlim[RLIMIT_NPROC].rlim_cur;
	if (nproc != RLIM_INFINITY && p->cred->uid != 0 && !capable(parent, CAP_SYS_RESOURCE) &&
	    !capable(parent, CAP_SYS_ADMIN)) {
		rlim_t n = 0;
		for (struct task *q = task_next(NULL); q && n < nproc; q = task_next(q))
			n += q->state != TASK_DEAD && q->cred && q->cred->uid == p->cred->uid;
		if (n >= nproc)
			return -EAGAIN;
	}
	if (sched_nr_tasks() < fork_max_threads())
		return 0;
	/* The lists may still hold reaped tasks (freed in batches): count
	 * only the others, at the limit only. */
	size_t live = 0;
	for (struct task *q = task_next(NULL); q; q = task_next(q))
		live += q->state != TASK_DEAD;
	return live >= fork_max_threads() ? -EAGAIN : 0;
}

static int copy_sighand(uint64_t flags, struct task *p, struct task *parent)
{
	p->sighand = flags & CLONE_SIGHAND ? sighand_get(parent->sighand)
					   : sighand_dup(parent->sighand);
	if (!p->sighand)
		return -ENOMEM;
	/* CLONE_CLEAR_SIGHAND: handled signals go back to SIG_DFL. */
	if (flags & CLONE_CLEAR_SIGHAND)
		sighand_flush(p->sighand);
	return 0;
}

static int copy_signal(uint64_t flags, struct task *p, struct task *parent)
{
	p->signal = flags & CLONE_THREAD ? signal_get(parent->signal) : signal_dup(parent->signal);
	return p->signal ? 0 : -ENOMEM;
}

static int copy_mm(uint64_t flags, struct task *p, struct task *parent)
{
	p->mm = flags & CLONE_VM ? mm_get(parent->mm) : mm_dup(parent->mm);
	return p->mm ? 0 : -ENOMEM;
}

static int copy_ns(uint64_t flags, struct task *p, struct task *parent)
{
	if (!(flags & CLONE_NAMESPACES) &&
	    parent->nsproxy->ns[NS_TIME] == parent->nsproxy->time_for_children) {
		p->nsproxy = nsproxy_get(parent->nsproxy);
		return 0;
	}
	/* Namespaces other than a user namespace need CAP_SYS_ADMIN in the
	 * child's user namespace (a new one grants it). */
	if ((flags & CLONE_NAMESPACES & ~(uint64_t)CLONE_NEWUSER) && !capable(p, CAP_SYS_ADMIN))
		return -EPERM;
	/* A new IPC namespace must leave the undo list behind (its arrays
	 * are unreachable there): with CLONE_SYSVSEM it cannot (nsproxy.c). */
	if ((flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM))
		return -EINVAL;
	if ((flags & CLONE_NEWPID) && parent->nsproxy->pid_ns_for_children->level >= MAX_PID_NS_LEVEL)
		return -ENOSPC;
	p->nsproxy = copy_namespaces(flags, parent->nsproxy, parent->pid_ns);
	if (!p->nsproxy)
		return -ENOMEM;
	/* The new user namespace, created first and owner of the others. */
	if ((flags & CLONE_NEWUSER) && user_ns_create(p->nsproxy->ns[NS_USER],
						      parent->nsproxy->ns[NS_USER], parent->cred))
		return -ENOMEM;
	if (p->nsproxy->ns[NS_TIME] != p->nsproxy->time_for_children)
		nsproxy_enter_time_for_children(p->nsproxy);
	return 0;
}

static void warn_unsupported(uint64_t flags)
{
	static uint64_t warned;
	if (flags & ~warned) {
		warned |= flags;
		fprintf(stderr, "cloneemu: clone flags 0x%llx are not implemented yet: EINVAL\n",
			(unsigned long long)flags);
	}
}

int copy_process(struct task *parent, const struct kernel_clone_args *args, struct task **out)
{
	uint64_t flags = args->flags;

	/* Don't allow sharing the root directory with processes in a
	 * different namespace. */
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	/* Thread groups must share signals as well. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	/* Shared signal handlers imply shared VM. */
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* Siblings of an init would be unkillable and unreaped. (The global
	 * init is modeled and never calls clone; namespace inits do.) */
	if ((flags & CLONE_PARENT) && parent->pid_ns->level &&
	    parent->pid_ns->child_reaper && parent->pid_ns->child_reaper->tgid == parent->tgid)
		return -EINVAL;
	/* A thread cannot enter new pid or user namespaces, nor be created
	 * after unshare(CLONE_NEWPID) moved its children elsewhere. */
	if ((flags & CLONE_THREAD) &&
	    ((flags & (CLONE_NEWUSER | CLONE_NEWPID)) ||
	     parent->pid_ns != parent->nsproxy->pid_ns_for_children))
		return -EINVAL;
	/* A pidfd refers to a process, never to a thread or detached task. */
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	if (flags & clone_unsupported_flags()) {
		warn_unsupported(flags & clone_unsupported_flags());
		return -EINVAL;
	}

	int ret = -ENOMEM;
	struct task *p = task_alloc();
	if (!p)
		return -ENOMEM;
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	if (parent->exe && !(p->exe = strdup(parent->exe)))
		goto bad_fork_free;
	p->sig_blocked = parent->sig_blocked;
	prctl_fork(p, parent);
	/* The alternate stack is inherited, except by a task that shares the
	 * memory without vfork (it would share the stack too). */
	if (!((flags & CLONE_VM) && !(flags & CLONE_VFORK))) {
		p->sas_ss_sp = parent->sas_ss_sp;
		p->sas_ss_size = parent->sas_ss_size;
		p->sas_ss_flags = parent->sas_ss_flags;
	}
	/* Recorded before any failure point, as the kernel does. */
	p->clear_child_tid = flags & CLONE_CHILD_CLEARTID ? args->child_tid : 0;

	if ((ret = copy_creds(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = check_task_limits(p, parent)))
		goto bad_fork_free;
	/* sched_fork: policy, nice, affinity; a deadline task cannot fork. */
	if ((ret = sched_fork(p, parent)))
		goto bad_fork_free;
	if ((ret = copy_semundo(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_files(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_fs(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_sighand(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_signal(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_mm(flags, p, parent)))
		goto bad_fork_free;
	if ((ret = copy_ns(flags, p, parent)))
		goto bad_fork_free;
	struct pid_namespace *ns =
		flags & CLONE_THREAD ? parent->pid_ns : p->nsproxy->pid_ns_for_children;
	if ((ret = alloc_pid(p, ns, args->set_tid, args->set_tid_size)))
		goto bad_fork_free;
	p->tgid = flags & CLONE_THREAD ? parent->tgid : p->tid;
	/* CLONE_PARENT and CLONE_THREAD: the caller's parent becomes the
	 * parent, and the exit signal is the caller's own. */
	if (flags & (CLONE_PARENT | CLONE_THREAD)) {
		task_set_parent(p, parent->parent);
		p->exit_signal = flags & CLONE_THREAD ? -1 : parent->exit_signal;
	} else {
		task_set_parent(p, parent);
		p->exit_signal = args->exit_signal;
	}
	p->vfork_pending = flags & CLONE_VFORK;
	*out = p;
	return 0;

bad_fork_free:
	task_put(p); /* puts whatever was taken */
	return ret;
}

int wake_up_new_task(struct task *parent, struct task *child, const struct kernel_clone_args *args)
{
	child->signal->nr_live++;
	sched_add(child);
	/* Each side sees the child's pid in its own namespace. */
	int nr = task_pid_nr_ns(child, parent->pid_ns);
	int own = task_pid_nr_ns(child, child->pid_ns);
	/* The kernel ignores a failed write here, as we do. */
	if (args->flags & CLONE_PARENT_SETTID)
		put_guest(parent->mm, args->parent_tid, &nr, sizeof(nr));
	if (args->flags & CLONE_CHILD_SETTID)
		copy_to_guest(child->mm, args->child_tid, &own, sizeof(own));
	return nr;
}

void abandon_new_task(struct task *child)
{
	if (child->pid_ns && child->pid_ns->child_reaper == child)
		child->pid_ns->child_reaper = NULL;
	task_put(child);
}

/* unshare(2) (kernel/fork.c ksys_unshare): the flags implied by others are
 * added, then the caller gets private copies of what it asked for. */
int do_unshare(struct task *t, uint64_t flags)
{
	if (flags & ~(CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM |
		      CLONE_FILES | CLONE_SYSVSEM | CLONE_NAMESPACES))
		return -EINVAL;
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	/* Threads, handlers and memory can be "unshared" only when they are
	 * not shared at all. */
	if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
		for (struct task *p = task_next(NULL); p; p = task_next(p))
			if (p != t && p->tgid == t->tgid && task_is_alive(p))
				return -EINVAL;
	}
	if ((flags & (CLONE_SIGHAND | CLONE_VM)) && t->sighand->refcount > 1)
		return -EINVAL;
	if ((flags & CLONE_VM) && t->mm->refcount > 1)
		return -EINVAL;
	if ((flags & CLONE_FS) && t->fs->refcount > 1) {
		struct fs *nfs = fs_dup(t->fs);
		if (!nfs)
			return -ENOMEM;
		fs_put(t->fs);
		t->fs = nfs;
	}
	if ((flags & CLONE_FILES) && t->files->refcount > 1) {
		struct files *nf = files_dup(t->files);
		if (!nf)
			return -ENOMEM;
		files_put(t->files);
		t->files = nf;
	}
	/* One unshare(CLONE_NEWPID) until a child has entered it. */
	if ((flags & CLONE_NEWPID) && t->pid_ns != t->nsproxy->pid_ns_for_children)
		return -EINVAL;
	/* unshare_userns: new credentials with every capability in the new
	 * user namespace; the others need CAP_SYS_ADMIN there. */
	struct cred *new_cred = NULL;
	if (flags & CLONE_NEWUSER) {
		int r = user_ns_may_create(t, t->cred);
		if (r)
			return r;
		if (!(new_cred = prepare_creds(t->cred)))
			return -ENOMEM;
		set_cred_user_ns(new_cred);
	}
	if ((flags & CLONE_NAMESPACES & ~(uint64_t)CLONE_NEWUSER) &&
	    !cap_raised((new_cred ? new_cred : t->cred)->cap_effective, CAP_SYS_ADMIN)) {
		abort_creds(new_cred);
		return -EPERM;
	}
	if (flags & CLONE_NAMESPACES) {
		struct nsproxy *ns = copy_namespaces(flags, t->nsproxy, t->pid_ns);
		if (ns && (flags & CLONE_NEWUSER) &&
		    user_ns_create(ns->ns[NS_USER], t->nsproxy->ns[NS_USER], t->cred)) {
			nsproxy_put(ns);
			ns = NULL;
		}
		if (!ns) {
			abort_creds(new_cred);
			return -ENOMEM;
		}
		nsproxy_put(t->nsproxy);
		t->nsproxy = ns;
	}
	/* CLONE_SYSVSEM is exit_sem(); a new IPC namespace implies it. */
	if (flags & (CLONE_NEWIPC | CLONE_SYSVSEM))
		exit_sem(t);
	if (new_cred)
		commit_creds_userns(t, new_cred);
	return 0;
}
