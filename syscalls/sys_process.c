/* Process identity, limits, exit and the first slice of signals. */
#include <asm/prctl.h>
#include <linux/capability.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/files.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/prctl.h"
#include "kernelmodel/uts.h"
#include "syscalls/sys.h"

SYS(exit)
{
	do_exit(t, WSTATUS_EXITED((int)a[0]));
	return 0;
}

SYS(exit_group)
{
	do_group_exit(t, WSTATUS_EXITED((int)a[0]));
	return 0;
}

SYS(getpid)
{
	return task_tgid_nr_ns(t, t->pid_ns);
}

SYS(gettid)
{
	return task_pid_nr_ns(t, t->pid_ns);
}

SYS(getppid)
{
	/* The modeled init is pid 1 of the initial namespace; a parent
	 * outside our PID namespace shows as 0, as on Linux. */
	if (!t->parent)
		return t->pid_ns->level == 0 ? 1 : 0;
	return task_tgid_nr_ns(t->parent, t->pid_ns);
}

/* The task @pid names in @t's PID namespace (0: @t itself). */
static struct task *find_process(struct task *t, int pid)
{
	return pid == 0 ? t : find_task_by_pid_ns(pid, t->pid_ns);
}

SYS(getpgid)
{
	struct task *p = find_process(t, (int)a[0]);
	return p ? pid_nr_ns(p->signal->pgid, t->pid_ns) : -ESRCH;
}

SYS(getpgrp)
{
	return pid_nr_ns(t->signal->pgid, t->pid_ns);
}

SYS(getsid)
{
	struct task *p = find_process(t, (int)a[0]);
	return p ? pid_nr_ns(p->signal->sid, t->pid_ns) : -ESRCH;
}

static bool is_group_leader(struct task *p)
{
	return p->tid == p->tgid;
}

/* setpgid(2), with Linux's checks in kernel/sys.c's order. */
SYS(setpgid)
{
	int pid = (int)a[0], pgid = (int)a[1];
	if (pgid < 0)
		return -EINVAL;
	struct task *p = find_process(t, pid);
	if (p && p->tid != p->tgid)
		p = NULL;
	/* From here on, numbers are global (initial namespace). */
	if (!pgid)
		pgid = p ? p->tgid : 0;
	else if (!(pgid = pid_global(pgid, t->pid_ns)))
		return -EPERM;
	if (!p || !is_group_leader(p))
		return -ESRCH;
	if (p->tgid != t->tgid) {
		/* Only ourselves or a child of ours, in our session, not yet exec'd. */
		if (!p->parent || p->parent->tgid != t->tgid)
			return -ESRCH;
		if (p->signal->sid != t->signal->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	}
	if (p->signal->sid == p->tgid)
		return -EPERM; /* a session leader cannot move */
	if (pgid != p->tgid) {
		bool found = false;
		for (struct task *q = task_next(NULL); q; q = task_next(q))
			if (q->state != TASK_DEAD && q->signal->pgid == pgid &&
			    q->signal->sid == t->signal->sid)
				found = true;
		if (!found)
			return -EPERM;
	}
	p->signal->pgid = pgid;
	return 0;
}

SYS(setsid)
{
	/* Fail if we lead a process group: someone may share it. */
	for (struct task *q = task_next(NULL); q; q = task_next(q))
		if (q->state != TASK_DEAD && q->signal->pgid == t->tgid)
			return -EPERM;
	t->signal->sid = t->signal->pgid = t->tgid;
	return task_tgid_nr_ns(t, t->pid_ns);
}

SYS(set_tid_address)
{
	t->clear_child_tid = a[0];
	return task_pid_nr_ns(t, t->pid_ns);
}

SYS(set_robust_list)
{
	if (a[1] != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

SYS(get_robust_list)
{
	struct task *p = find_process(t, (int)a[0]);
	if (!p)
		return -ESRCH;
	uint64_t len = 24;
	if (put_guest(t->mm, a[1], &p->robust_list, 8) || put_guest(t->mm, a[2], &len, 8))
		return -EFAULT;
	return 0;
}

/* Restartable sequences are not modeled; both libcs carry on without them. */
SYS(rseq)
{
	return -ENOSYS;
}

SYS(arch_prctl)
{
	uint64_t v;
	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= TASK_SIZE)
			return -EPERM;
		emu_reg_write(a[0] == ARCH_SET_FS ? EREG_FS_BASE : EREG_GS_BASE, a[1]);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = emu_reg_read(a[0] == ARCH_GET_FS ? EREG_FS_BASE : EREG_GS_BASE);
		return put_guest(t->mm, a[1], &v, sizeof(v));
	case ARCH_GET_CPUID:
		return 1; /* CPUID is not faulting */
	default:
		return -EINVAL;
	}
}

static long do_prlimit(struct task *t, int pid, unsigned res, uint64_t gnew, uint64_t gold)
{
	/* prlimit64: the new limit is read first, the old one stored last
	 * (after the change: a bad old pointer does not undo it). */
	struct rlimit nl;
	if (gnew && copy_from_guest(t->mm, &nl, gnew, sizeof(nl)))
		return -EFAULT;
	struct task *p = find_process(t, pid);
	if (!p)
		return -ESRCH;
	if (res >= RLIM_NLIMITS_MODEL)
		return -EINVAL;
	/* check_prlimit_permission: another process's limits need all its
	 * ids to be the caller's real ones, or CAP_SYS_RESOURCE over it. */
	if (p->tgid != t->tgid) {
		const struct cred *c = t->cred, *tc = p->cred;
		bool id_match = c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid &&
				c->gid == tc->egid && c->gid == tc->sgid && c->gid == tc->gid;
		if (!id_match && !ns_capable(t, p->nsproxy, CAP_SYS_RESOURCE))
			return -EPERM;
	}
	if (gnew) {
		if (nl.rlim_cur > nl.rlim_max)
			return -EINVAL;
		if (res == RLIMIT_NOFILE && nl.rlim_max > (rlim_t)1 << 20)
			return -EPERM; /* fs.nr_open */
		/* Raising a hard limit takes CAP_SYS_RESOURCE. */
		if (nl.rlim_max > p->signal->rlim[res].rlim_max &&
		    !(capable(t, CAP_SYS_RESOURCE) && ns_initial_user(t->nsproxy)))
			return -EPERM;
	}
	struct rlimit old = p->signal->rlim[res];
	if (gnew) {
		p->signal->rlim[res] = nl;
		if (res == RLIMIT_NOFILE && p->files)
			p->files->nofile = nl.rlim_cur > INT_MAX ? INT_MAX : (unsigned)nl.rlim_cur;
	}
	if (gold && copy_to_guest(t->mm, gold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYS(prlimit64)
{
	return do_prlimit(t, (int)a[0], (unsigned)a[1], a[2], a[3]);
}

/* getrlimit/setrlimit always copy (a NULL pointer is EFAULT, after
 * EINVAL for the resource when getting, before it when setting). */
SYS(getrlimit)
{
	long r = do_prlimit(t, 0, (unsigned)a[0], 0, a[1]);
	return !r && !a[1] ? -EFAULT : r;
}

SYS(setrlimit)
{
	return a[1] ? do_prlimit(t, 0, (unsigned)a[0], a[1], 0) : -EFAULT;
}

SYS(uname)
{
	struct uts_namespace *uts = t->nsproxy->uts;
	struct utsname name = uts->name;
	/* override_architecture and override_release (kernel/sys.c). */
	if ((t->personality & PER_MASK) == PER_LINUX32)
		snprintf(name.machine, sizeof(name.machine), "i686");
	if (t->personality & UNAME26)
		uname26_release(name.release, sizeof(name.release));
	return copy_to_guest(t->mm, a[0], &name, sizeof(name));
}

static long set_uts_field(struct task *t, char *field, uint64_t gname, uint64_t len)
{
	if (!ns_may_set_uts(t->nsproxy) || !capable(t, CAP_SYS_ADMIN))
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	char buf[65] = {0};
	if (copy_from_guest(t->mm, buf, gname, len))
		return -EFAULT;
	memcpy(field, buf, 65);
	return 0;
}

SYS(sethostname)
{
	return set_uts_field(t, t->nsproxy->uts->name.nodename, a[0], a[1]);
}

SYS(setdomainname)
{
	return set_uts_field(t, t->nsproxy->uts->name.domainname, a[0], a[1]);
}

SYS(prctl)
{
	char name[TASK_COMM_LEN];
	/* The capability options first, as Linux's security_task_prctl. */
	long r = cap_task_prctl(t, (int)a[0], a[1], a[2], a[3], a[4]);
	if (r != -ENOSYS)
		return r;
	switch ((int)a[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		if (strncpy_from_guest(t->mm, name, a[1], sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[TASK_COMM_LEN - 1] = 0;
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_guest(t->mm, a[1], t->comm, TASK_COMM_LEN);
	case PR_SET_CHILD_SUBREAPER:
		t->signal->child_subreaper = a[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v = t->signal->child_subreaper;
		return put_guest(t->mm, a[1], &v, sizeof(v));
	}
	case PR_SET_PDEATHSIG:
		if (a[1] > NSIG_MODEL)
			return -EINVAL;
		t->pdeath_signal = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG: {
		int v = t->pdeath_signal;
		return put_guest(t->mm, a[1], &v, sizeof(v));
	}
	case PR_SET_NO_NEW_PRIVS: /* for good: clone inherits it, execve keeps it */
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return t->no_new_privs;
	default:
		r = task_prctl(t, (int)a[0], a[1], a[2], a[3], a[4]);
		return r == -ENOSYS ? -EINVAL : r; /* other options are not modeled (README) */
	}
}

SYS(personality)
{
	return task_personality(t, (uint32_t)a[0]);
}

SYS(getrusage)
{
	int who = (int)a[0];
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	struct rusage ru;
	task_getrusage(t, who, &ru);
	return copy_to_guest(t->mm, a[1], &ru, sizeof(ru));
}

SYS(sysinfo)
{
	struct sysinfo si;
	/* The host's memory and load figures, recorded; the uptime is the
	 * guests' boot time clock. */
	long r = rr_replaying ? rr_value() : rr_note(sysinfo(&si) ? -errno : 0);
	if (r)
		return r;
	rr_bytes(&si, sizeof(si));
	struct timespec boot;
	if (clock_is_virtual() && !clock_read(CLOCK_BOOTTIME, &boot))
		si.uptime = boot.tv_sec;
	int n = 0;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		n++;
	si.procs = (unsigned short)n;
	return copy_to_guest(t->mm, a[0], &si, sizeof(si));
}

/* The task runs on the first CPU its affinity allows; node 0. */
SYS(getcpu)
{
	unsigned cpu = task_cpu(t), node = 0;
	if (a[0] && put_guest(t->mm, a[0], &cpu, 4))
		return -EFAULT;
	if (a[1] && put_guest(t->mm, a[1], &node, 4))
		return -EFAULT;
	return 0;
}
