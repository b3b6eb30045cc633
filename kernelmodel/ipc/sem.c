#include "kernelmodel/ipc/sem.h"

#include <errno.h>
#include <linux/sem.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/ipc/util.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

struct sem {
	int semval;
	int sempid; /* global tgid of the last operation */
	int64_t otime;
};

struct sem_array {
	struct kern_ipc_perm perm;
	struct ipc_namespace *ns;
	int nsems;
	int64_t ctime;
	struct sem_undo *undos; /* list_id: every undo structure for this array */
	struct sem sems[];
};

struct sem_undo {
	struct sem_undo *list_proc; /* next in the undo list */
	struct sem_undo *list_id;   /* next of the same array */
	struct sem_array *sma;      /* NULL once the array is removed (semid -1) */
	int semid;
	int nsems;
	short semadj[];
};

static struct ipc_ids *sem_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_SEM_IDS];
}

void sem_init_ns(struct ipc_namespace *ns)
{
	ns->sc_semmsl = SEMMSL;
	ns->sc_semmns = SEMMNS;
	ns->sc_semopm = SEMOPM;
	ns->sc_semmni = SEMMNI;
	ns->used_sems = 0;
}

static size_t sma_bytes(int nsems)
{
	return sizeof(struct sem_array) + (size_t)nsems * sizeof(struct sem);
}

/* freeary: sleepers get EIDRM, undo structures are cut loose. */
static void freeary(struct sem_array *sma)
{
	for (struct sem_undo *un = sma->undos; un; un = un->list_id) {
		un->semid = -1;
		un->sma = NULL;
	}
	ipc_sleepers_removed(sma);
	ipc_rmid(sem_ids(sma->ns), &sma->perm);
	sma->ns->used_sems -= sma->nsems;
	ipc_mem_uncharge(sma_bytes(sma->nsems));
	free(sma);
}

void sem_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = sem_ids(ns);
	for (int i = 0; i <= ids->max_idx && i < ids->cap; i++)
		if (ids->entries[i])
			freeary((struct sem_array *)ids->entries[i]);
}

static int newary(struct task *t, struct ipc_namespace *ns, int key, int semflg, long nsems)
{
	if (!nsems)
		return -EINVAL;
	if (ns->used_sems + nsems > ns->sc_semmns)
		return -ENOSPC;
	if (ipc_mem_charge(sma_bytes((int)nsems)))
		return -ENOMEM;
	struct sem_array *sma = calloc(1, sma_bytes((int)nsems));
	if (!sma) {
		ipc_mem_uncharge(sma_bytes((int)nsems));
		return -ENOMEM;
	}
	sma->ns = ns;
	sma->nsems = (int)nsems;
	sma->ctime = ipc_real_seconds();
	int id = ipc_addid(sem_ids(ns), &sma->perm, ns->sc_semmni, t, key, semflg);
	if (id < 0) {
		ipc_mem_uncharge(sma_bytes((int)nsems));
		free(sma);
		return id;
	}
	ns->used_sems += (int)nsems;
	return id;
}

static int sem_more_checks(struct kern_ipc_perm *p, long nsems)
{
	return nsems > ((struct sem_array *)p)->nsems ? -EINVAL : 0;
}

long ksys_semget(struct task *t, int key, int nsems, int semflg)
{
	static const struct ipc_ops ops = {newary, sem_more_checks};
	struct ipc_namespace *ns = task_ipc_ns(t);
	if (nsems < 0 || nsems > ns->sc_semmsl)
		return -EINVAL;
	return ipcget(t, ns, sem_ids(ns), &ops, key, semflg, nsems);
}

static struct sem_array *sem_obtain_object_check(struct ipc_namespace *ns, int id)
{
	return (struct sem_array *)ipc_obtain_object_check(sem_ids(ns), id);
}

/* ---- undo lists ---- */

int copy_semundo(uint64_t clone_flags, struct task *p, struct task *parent)
{
	p->sysvsem_undo = NULL;
	if (!(clone_flags & 0x00040000)) /* CLONE_SYSVSEM */
		return 0;
	if (!parent->sysvsem_undo) {
		if (!(parent->sysvsem_undo = calloc(1, sizeof(struct sem_undo_list))))
			return -ENOMEM;
		parent->sysvsem_undo->refcount = 1;
	}
	parent->sysvsem_undo->refcount++;
	p->sysvsem_undo = parent->sysvsem_undo;
	return 0;
}

static size_t undo_bytes(int nsems)
{
	return sizeof(struct sem_undo) + (size_t)nsems * sizeof(short);
}

static void undo_free(struct sem_undo *un)
{
	ipc_mem_uncharge(undo_bytes(un->nsems));
	free(un);
}

static void unlink_from_array(struct sem_undo *un)
{
	if (!un->sma)
		return;
	for (struct sem_undo **pp = &un->sma->undos; *pp; pp = &(*pp)->list_id)
		if (*pp == un) {
			*pp = un->list_id;
			break;
		}
}

void exit_sem(struct task *t)
{
	struct sem_undo_list *ulp = t->sysvsem_undo;
	if (!ulp)
		return;
	t->sysvsem_undo = NULL;
	if (--ulp->refcount > 0)
		return;
	while (ulp->head) {
		struct sem_undo *un = ulp->head;
		ulp->head = un->list_proc;
		struct sem_array *sma = un->sma;
		if (sma) {
			unlink_from_array(un);
			bool changed = false;
			for (int i = 0; i < sma->nsems; i++) {
				if (!un->semadj[i])
					continue;
				struct sem *s = &sma->sems[i];
				s->semval += un->semadj[i];
				/* Linux caps the value at 0 and SEMVMX. */
				if (s->semval < 0)
					s->semval = 0;
				if (s->semval > SEMVMX)
					s->semval = SEMVMX;
				s->sempid = t->tgid;
				changed = true;
			}
			if (changed)
				wake_up(sma);
		}
		undo_free(un);
	}
	free(ulp);
}

/* find_alloc_undo: @t's undo structure for @semid, made on first use. */
static struct sem_undo *find_alloc_undo(struct task *t, struct ipc_namespace *ns, int semid,
					int *err)
{
	struct sem_undo_list *ulp = t->sysvsem_undo;
	if (!ulp) {
		if (!(ulp = calloc(1, sizeof(*ulp)))) {
			*err = -ENOMEM;
			return NULL;
		}
		ulp->refcount = 1;
		t->sysvsem_undo = ulp;
	}
	struct sem_undo **pp = &ulp->head;
	while (*pp) {
		struct sem_undo *un = *pp;
		if (un->semid == -1) { /* its array is gone: drop it (lookup_undo) */
			*pp = un->list_proc;
			undo_free(un);
			continue;
		}
		if (un->semid == semid)
			return un;
		pp = &un->list_proc;
	}
	struct sem_array *sma = sem_obtain_object_check(ns, semid);
	if (!sma) {
		*err = -EINVAL;
		return NULL;
	}
	size_t bytes = undo_bytes(sma->nsems);
	if (ipc_mem_charge(bytes)) {
		*err = -ENOMEM;
		return NULL;
	}
	struct sem_undo *un = calloc(1, bytes);
	if (!un) {
		ipc_mem_uncharge(bytes);
		*err = -ENOMEM;
		return NULL;
	}
	un->nsems = sma->nsems;
	un->sma = sma;
	un->semid = semid;
	un->list_proc = ulp->head;
	ulp->head = un;
	un->list_id = sma->undos;
	sma->undos = un;
	return un;
}

/* ---- semop ---- */

/* perform_atomic_semop_slow: the operations in order on a copy; 0 done,
 * 1 would block (*@blocking: the operation), -EAGAIN, -ERANGE. */
static int perform_atomic_semop(struct task *t, struct sem_array *sma, const struct sembuf *sops,
				unsigned nsops, struct sem_undo *un, const struct sembuf **blocking)
{
	int *vals = malloc((size_t)sma->nsems * sizeof(int));
	int *adj = un ? malloc((size_t)sma->nsems * sizeof(int)) : NULL;
	if (!vals || (un && !adj)) {
		free(vals);
		free(adj);
		return -ENOMEM;
	}
	for (int i = 0; i < sma->nsems; i++) {
		vals[i] = sma->sems[i].semval;
		if (adj)
			adj[i] = un->semadj[i];
	}
	int r = 0;
	for (unsigned k = 0; k < nsops; k++) {
		const struct sembuf *sop = &sops[k];
		int result = vals[sop->sem_num];
		if (!sop->sem_op && result) {
			*blocking = sop;
			r = (sop->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		result += sop->sem_op;
		if (result < 0) {
			*blocking = sop;
			r = (sop->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		if (result > SEMVMX) {
			r = -ERANGE;
			break;
		}
		if (sop->sem_flg & SEM_UNDO) {
			int undo = adj[sop->sem_num] - sop->sem_op;
			if (undo < (-SEMAEM - 1) || undo > SEMAEM) {
				r = -ERANGE;
				break;
			}
			adj[sop->sem_num] = undo;
		}
		vals[sop->sem_num] = result;
	}
	if (!r) {
		for (int i = 0; i < sma->nsems; i++) {
			sma->sems[i].semval = vals[i];
			if (adj)
				un->semadj[i] = (short)adj[i];
		}
		for (unsigned k = 0; k < nsops; k++)
			sma->sems[sops[k].sem_num].sempid = t->tgid;
	}
	free(vals);
	free(adj);
	return r;
}

static long semtimedop_once(struct task *t, int semid, uint64_t tsops, unsigned nsops,
			    uint64_t timeout)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct {
		int64_t tv_sec, tv_nsec;
	} ts;
	if (t->restarting) {
		int st = ipc_sleep_status(t);
		if (st)
			return st; /* the array was removed while we slept */
	}
	if (timeout && copy_from_guest(t->mm, &ts, timeout, sizeof(ts)))
		return -EFAULT;
	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > (unsigned)ns->sc_semopm)
		return -E2BIG;
	struct sembuf *sops = malloc(nsops * sizeof(*sops));
	if (!sops)
		return -ENOMEM;
	long error;
	if (copy_from_guest(t->mm, sops, tsops, nsops * sizeof(*sops))) {
		error = -EFAULT;
		goto out;
	}
	if (timeout) {
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) {
			error = -EINVAL;
			goto out;
		}
		if (!t->restarting)
			t->restart_deadline =
				deadline_after(timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec));
	} else if (!t->restarting) {
		t->restart_deadline = 0;
	}
	unsigned max = 0;
	bool undos = false, alter = false;
	for (unsigned k = 0; k < nsops; k++) {
		if (sops[k].sem_num >= max)
			max = sops[k].sem_num;
		if (sops[k].sem_flg & SEM_UNDO)
			undos = true;
		if (sops[k].sem_op)
			alter = true;
	}
	struct sem_undo *un = NULL;
	if (undos) {
		int err = 0;
		if (!(un = find_alloc_undo(t, ns, semid, &err))) {
			error = err;
			goto out;
		}
	}
	struct sem_array *sma = sem_obtain_object_check(ns, semid);
	if (!sma) {
		error = -EINVAL;
		goto out;
	}
	if (max >= (unsigned)sma->nsems) {
		error = -EFBIG;
		goto out;
	}
	if (ipcperms(t, ns, &sma->perm, alter ? 0222 : 0444)) {
		error = -EACCES;
		goto out;
	}
	const struct sembuf *blocking = NULL;
	error = perform_atomic_semop(t, sma, sops, nsops, un, &blocking);
	if (error == 0) {
		sma->sems[sops[0].sem_num].otime = ipc_real_seconds();
		if (alter)
			wake_up(sma);
		goto out;
	}
	if (error < 0)
		goto out;
	/* Sleep until the array changes, the deadline passes (EAGAIN) or
	 * a signal comes (EINTR: semop is never restarted). */
	if (t->restart_deadline && now_ns() >= t->restart_deadline) {
		error = -EAGAIN;
		goto out;
	}
	ipc_sleep_record(t, sma, blocking->sem_num, blocking->sem_op == 0);
	free(sops);
	return t->restart_deadline ? sleep_until(t, sma, t->restart_deadline, "semop")
				   : sleep_on(t, sma, "semop");
out:
	ipc_sleep_cancel(t);
	free(sops);
	return error;
}

long do_semtimedop(struct task *t, int semid, uint64_t tsops, unsigned nsops, uint64_t timeout)
{
	long r = semtimedop_once(t, semid, tsops, nsops, timeout);
	if (r != -EKBLOCK)
		ipc_sleep_cancel(t); /* whatever ended the call, it no longer waits */
	return r;
}

/* ---- semctl ---- */

static int64_t get_semotime(const struct sem_array *sma)
{
	int64_t res = sma->sems[0].otime;
	for (int i = 1; i < sma->nsems; i++)
		if (sma->sems[i].otime > res)
			res = sma->sems[i].otime;
	return res;
}

static long semctl_info(struct task *t, struct ipc_namespace *ns, int cmd, uint64_t p)
{
	struct seminfo si;
	memset(&si, 0, sizeof(si));
	si.semmni = ns->sc_semmni;
	si.semmns = ns->sc_semmns;
	si.semmsl = ns->sc_semmsl;
	si.semopm = ns->sc_semopm;
	si.semvmx = SEMVMX;
	si.semmnu = SEMMNU;
	si.semmap = SEMMAP;
	si.semume = SEMUME;
	if (cmd == SEM_INFO) {
		si.semusz = sem_ids(ns)->in_use;
		si.semaem = ns->used_sems;
	} else {
		si.semusz = SEMUSZ;
		si.semaem = SEMAEM;
	}
	int max_idx = ipc_get_maxidx(sem_ids(ns));
	if (copy_to_guest(t->mm, p, &si, sizeof(si)))
		return -EFAULT;
	return max_idx < 0 ? 0 : max_idx;
}

static long semctl_stat(struct task *t, struct ipc_namespace *ns, int semid, int cmd,
			struct semid64_ds *out)
{
	struct sem_array *sma;
	memset(out, 0, sizeof(*out));
	if (cmd == SEM_STAT || cmd == SEM_STAT_ANY)
		sma = (struct sem_array *)ipc_obtain_object_idr(sem_ids(ns), semid);
	else
		sma = sem_obtain_object_check(ns, semid);
	if (!sma)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && ipcperms(t, ns, &sma->perm, 0444))
		return -EACCES;
	kernel_to_ipc64_perm(t, &sma->perm, &out->sem_perm);
	out->sem_otime = get_semotime(sma);
	out->sem_ctime = sma->ctime;
	out->sem_nsems = (unsigned long)sma->nsems;
	return cmd == IPC_STAT ? 0 : sma->perm.id;
}

static long semctl_main(struct task *t, struct ipc_namespace *ns, int semid, int semnum, int cmd,
			uint64_t p)
{
	struct sem_array *sma = sem_obtain_object_check(ns, semid);
	if (!sma)
		return -EINVAL;
	int nsems = sma->nsems;
	if (ipcperms(t, ns, &sma->perm, cmd == SETALL ? 0222 : 0444))
		return -EACCES;
	if (cmd == GETALL || cmd == SETALL) {
		unsigned short *io = malloc((size_t)nsems * sizeof(*io));
		if (!io)
			return -ENOMEM;
		long err = 0;
		if (cmd == GETALL) {
			for (int i = 0; i < nsems; i++)
				io[i] = (unsigned short)sma->sems[i].semval;
			if (copy_to_guest(t->mm, p, io, (size_t)nsems * sizeof(*io)))
				err = -EFAULT;
			free(io);
			return err;
		}
		if (copy_from_guest(t->mm, io, p, (size_t)nsems * sizeof(*io))) {
			free(io);
			return -EFAULT;
		}
		for (int i = 0; i < nsems; i++)
			if (io[i] > SEMVMX) {
				free(io);
				return -ERANGE;
			}
		for (int i = 0; i < nsems; i++) {
			sma->sems[i].semval = io[i];
			sma->sems[i].sempid = t->tgid;
		}
		for (struct sem_undo *un = sma->undos; un; un = un->list_id)
			memset(un->semadj, 0, (size_t)nsems * sizeof(short));
		sma->ctime = ipc_real_seconds();
		wake_up(sma);
		free(io);
		return 0;
	}
	if (semnum < 0 || semnum >= nsems)
		return -EINVAL;
	struct sem *curr = &sma->sems[semnum];
	switch (cmd) {
	case GETVAL:
		return curr->semval;
	case GETPID:
		return ipc_pid_vnr(t, curr->sempid);
	case GETNCNT:
		return ipc_sleepers_count(sma, semnum, false);
	default: /* GETZCNT */
		return ipc_sleepers_count(sma, semnum, true);
	}
}

static long semctl_setval(struct task *t, struct ipc_namespace *ns, int semid, int semnum, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct sem_array *sma = sem_obtain_object_check(ns, semid);
	if (!sma)
		return -EINVAL;
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	if (ipcperms(t, ns, &sma->perm, 0222))
		return -EACCES;
	for (struct sem_undo *un = sma->undos; un; un = un->list_id)
		un->semadj[semnum] = 0;
	sma->sems[semnum].semval = val;
	sma->sems[semnum].sempid = t->tgid;
	sma->ctime = ipc_real_seconds();
	wake_up(sma);
	return 0;
}

long ksys_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct semid64_ds s64;
	long err;
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return semctl_info(t, ns, cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		err = semctl_stat(t, ns, semid, cmd, &s64);
		if (err < 0)
			return err;
		if (copy_to_guest(t->mm, arg, &s64, sizeof(s64)))
			return -EFAULT;
		return err;
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		return semctl_main(t, ns, semid, semnum, cmd, arg);
	case SETVAL:
		return semctl_setval(t, ns, semid, semnum, (int)(uint32_t)arg);
	case IPC_SET:
		if (copy_from_guest(t->mm, &s64, arg, sizeof(s64)))
			return -EFAULT;
		/* fall through */
	case IPC_RMID: {
		int e;
		struct kern_ipc_perm *p = ipcctl_obtain_check(t, ns, sem_ids(ns), semid, &e);
		if (!p)
			return e;
		if (cmd == IPC_RMID) {
			freeary((struct sem_array *)p);
			return 0;
		}
		if ((e = ipc_update_perm(t, &s64.sem_perm, p)))
			return e;
		((struct sem_array *)p)->ctime = ipc_real_seconds();
		return 0;
	}
	default:
		return -EINVAL;
	}
}

void sysvipc_sem_show(const struct task *t, FILE *out)
{
	struct ipc_ids *ids = sem_ids(task_ipc_ns(t));
	fputs("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n",
	      out);
	for (int i = 0; i <= ids->max_idx; i++) {
		struct sem_array *sma = (struct sem_array *)ids->entries[i];
		if (!sma)
			continue;
		fprintf(out, "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n", sma->perm.key,
			sma->perm.id, sma->perm.mode, (unsigned)sma->nsems,
			from_kuid_munged(t, sma->perm.uid), from_kgid_munged(t, sma->perm.gid),
			from_kuid_munged(t, sma->perm.cuid), from_kgid_munged(t, sma->perm.cgid),
			(unsigned long long)get_semotime(sma), (unsigned long long)sma->ctime);
	}
}
