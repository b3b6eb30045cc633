#include "kernelmodel/ipc/shm.h"

#include <errno.h>
#include <linux/shm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/frame.h"
#include "kernelmodel/ipc/util.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/shmem.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#ifndef SHM_RDONLY
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_REMAP 040000
#define SHM_EXEC 0100000
#endif
#define SHM_DEST 01000   /* segment will be destroyed on last detach */
#define SHM_LOCKED 02000 /* segment will not be swapped */
#define SHMMIN 1
#define SHMLBA PAGE_SIZE

struct shmid_kernel {
	struct kern_ipc_perm perm;
	struct ipc_namespace *ns; /* NULL: orphaned (its namespace is gone) */
	struct shmem *shmem;      /* the pages; one reference is the segment's */
	uint64_t segsz;
	int64_t atim, dtim, ctim;
	int cprid, lprid; /* global tgids */
};

static struct ipc_ids *shm_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_SHM_IDS];
}

static uint64_t shm_pages(const struct shmid_kernel *shp)
{
	return (shp->segsz + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static unsigned long shm_nattch(const struct shmid_kernel *shp)
{
	return (unsigned long)(shp->shmem->refcount - 1);
}

void shm_init_ns(struct ipc_namespace *ns)
{
	ns->shm_ctlmax = ~0ull - (1ull << 24); /* SHMMAX */
	ns->shm_ctlall = ~0ull - (1ull << 24); /* SHMALL */
	ns->shm_ctlmni = 4096;                 /* SHMMNI */
	ns->shm_tot = 0;
}

static void shm_destroy(struct shmid_kernel *shp)
{
	if (shp->ns) {
		shp->ns->shm_tot -= shm_pages(shp);
		ipc_rmid(shm_ids(shp->ns), &shp->perm);
	}
	struct shmem *s = shp->shmem;
	s->detached = NULL;
	s->owner = NULL;
	free(shp);
	shmem_put(s);
}

/* shmem's hook: the last VMA mapping the segment went away. */
static void shm_detached(void *owner)
{
	struct shmid_kernel *shp = owner;
	shp->dtim = ipc_real_seconds();
	if (!shp->ns || (shp->perm.mode & SHM_DEST))
		shm_destroy(shp);
}

/* do_shm_rmid: destroyed now, or when the last attachment goes. */
static void do_shm_rmid(struct shmid_kernel *shp)
{
	if (shm_nattch(shp)) {
		shp->perm.mode |= SHM_DEST;
		ipc_set_key_private(&shp->perm);
	} else {
		shm_destroy(shp);
	}
}

void shm_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = shm_ids(ns);
	for (int i = 0; i <= ids->max_idx && i < ids->cap; i++) {
		struct shmid_kernel *shp = (struct shmid_kernel *)ids->entries[i];
		if (!shp)
			continue;
		if (shm_nattch(shp)) {
			/* Still mapped somewhere: orphaned, freed at its last detach. */
			ipc_rmid(ids, &shp->perm);
			shp->ns = NULL;
			shp->perm.mode |= SHM_DEST;
		} else {
			shm_destroy(shp);
		}
	}
}

static int newseg(struct task *t, struct ipc_namespace *ns, int key, int shmflg, long arg)
{
	uint64_t size = (uint64_t)arg;
	uint64_t numpages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (size < SHMMIN || size > ns->shm_ctlmax)
		return -EINVAL;
	if (numpages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (ns->shm_tot + numpages < ns->shm_tot || ns->shm_tot + numpages > ns->shm_ctlall)
		return -ENOSPC;
	if (shmflg & SHM_HUGETLB)
		return -ENOMEM; /* no huge pages reserved (README) */
	/* shmem_acct_size: without SHM_NORESERVE the pages are accounted, and
	 * the overcommit heuristic refuses more than the memory there is
	 * (here the guests' frame pool, --mem). */
	if (!(shmflg & SHM_NORESERVE) && numpages > frames_bytes() / PAGE_SIZE)
		return -ENOMEM;
	struct shmid_kernel *shp = calloc(1, sizeof(*shp));
	if (!shp)
		return -ENOMEM;
	if (!(shp->shmem = shmem_alloc())) {
		free(shp);
		return -ENOMEM;
	}
	shp->shmem->owner = shp;
	shp->shmem->detached = shm_detached;
	shp->ns = ns;
	shp->segsz = size;
	shp->cprid = t->tgid;
	shp->ctim = ipc_real_seconds();
	int id = ipc_addid(shm_ids(ns), &shp->perm, ns->shm_ctlmni, t, key, shmflg);
	if (id < 0) {
		shp->shmem->detached = NULL;
		shmem_put(shp->shmem);
		free(shp);
		return id;
	}
	ns->shm_tot += numpages;
	return id;
}

static int shm_more_checks(struct kern_ipc_perm *p, long arg)
{
	return ((struct shmid_kernel *)p)->segsz < (uint64_t)arg ? -EINVAL : 0;
}

long ksys_shmget(struct task *t, int key, uint64_t size, int shmflg)
{
	static const struct ipc_ops ops = {newseg, shm_more_checks};
	struct ipc_namespace *ns = task_ipc_ns(t);
	return ipcget(t, ns, shm_ids(ns), &ops, key, shmflg, (long)size);
}

static struct shmid_kernel *shm_obtain_object_check(struct ipc_namespace *ns, int id)
{
	return (struct shmid_kernel *)ipc_obtain_object_check(shm_ids(ns), id);
}

long do_shmat(struct task *t, int shmid, uint64_t addr, int shmflg)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	int flags = MAP_SHARED, prot, acc_mode;
	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (shmflg & SHM_RND) {
				addr &= ~(uint64_t)(SHMLBA - 1); /* round down */
				/* The round-down must not be nil when remapping. */
				if (!addr && (shmflg & SHM_REMAP))
					return -EINVAL;
			} else {
				return -EINVAL;
			}
		}
		flags |= MAP_FIXED;
	} else if (shmflg & SHM_REMAP) {
		return -EINVAL;
	}
	if (shmflg & SHM_RDONLY) {
		prot = PROT_READ;
		acc_mode = 0444;
	} else {
		prot = PROT_READ | PROT_WRITE;
		acc_mode = 0666;
	}
	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc_mode |= 0111;
	}
	struct shmid_kernel *shp = shm_obtain_object_check(ns, shmid);
	if (!shp)
		return -EINVAL;
	if (ipcperms(t, ns, &shp->perm, acc_mode))
		return -EACCES;
	uint64_t size = shp->segsz;
	if (addr && !(shmflg & SHM_REMAP)) {
		if (addr + size < addr)
			return -EINVAL;
		for (size_t i = 0; i < t->mm->nvmas; i++)
			if (t->mm->vmas[i].start < PAGE_ALIGN(addr + size) && t->mm->vmas[i].end > addr)
				return -EINVAL;
	}
	char name[32];
	snprintf(name, sizeof(name), "/SYSV%08x (deleted)", (unsigned)shp->perm.key);
	struct mm_file file = {
		.name = name, .dev = 1, .ino = (uint64_t)shp->perm.id,
		.shm = shp->shmem, .maywrite = !(shmflg & SHM_RDONLY),
	};
	long r = mm_mmap_file(t->mm, addr, size, prot, flags, &file);
	if (r < 0)
		return r;
	shp->atim = ipc_real_seconds();
	shp->lprid = t->tgid;
	return r;
}

static bool is_shm_vma(const struct vma *v)
{
	return v->shm && v->shm->detached == shm_detached;
}

long ksys_shmdt(struct task *t, uint64_t addr)
{
	struct mm *mm = t->mm;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	/* The first VMA ending above addr that is a segment's mapping from
	 * page (start - addr) / PAGE_SIZE: a fragment left by mprotect or
	 * munmap, or the whole attachment. */
	size_t i = 0;
	while (i < mm->nvmas && mm->vmas[i].end <= addr)
		i++;
	struct shmem *shm = NULL;
	uint64_t size = 0;
	for (; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];
		if (is_shm_vma(v) && (v->start - addr) / PAGE_SIZE == v->shm_pgoff) {
			shm = v->shm;
			size = ((struct shmid_kernel *)shm->owner)->segsz;
			break;
		}
	}
	if (!shm)
		return -EINVAL;
	struct shmid_kernel *shp = shm->owner;
	shp->lprid = t->tgid;
	size = PAGE_ALIGN(size);
	/* Every fragment of the same segment up to the largest address one
	 * could have landed at. */
	for (;;) {
		bool found = false;
		for (size_t j = 0; j < mm->nvmas; j++) {
			struct vma *v = &mm->vmas[j];
			if (v->start < addr)
				continue;
			if (v->end - addr > size)
				break;
			if (v->shm == shm && (v->start - addr) / PAGE_SIZE == v->shm_pgoff) {
				mm_munmap(mm, v->start, v->end - v->start);
				found = true;
				break;
			}
		}
		if (!found)
			break;
	}
	return 0;
}

/* ---- shmctl ---- */

static int shmctl_stat(struct task *t, struct ipc_namespace *ns, int shmid, int cmd,
		       struct shmid64_ds *tbuf)
{
	struct shmid_kernel *shp;
	memset(tbuf, 0, sizeof(*tbuf));
	if (cmd == SHM_STAT || cmd == SHM_STAT_ANY)
		shp = (struct shmid_kernel *)ipc_obtain_object_idr(shm_ids(ns), shmid);
	else
		shp = shm_obtain_object_check(ns, shmid);
	if (!shp)
		return -EINVAL;
	if (cmd != SHM_STAT_ANY && ipcperms(t, ns, &shp->perm, 0444))
		return -EACCES;
	kernel_to_ipc64_perm(t, &shp->perm, &tbuf->shm_perm);
	tbuf->shm_segsz = shp->segsz;
	tbuf->shm_atime = shp->atim;
	tbuf->shm_dtime = shp->dtim;
	tbuf->shm_ctime = shp->ctim;
	tbuf->shm_cpid = ipc_pid_vnr(t, shp->cprid);
	tbuf->shm_lpid = ipc_pid_vnr(t, shp->lprid);
	tbuf->shm_nattch = shm_nattch(shp);
	return cmd == IPC_STAT ? 0 : shp->perm.id;
}

static uint64_t shm_rss(const struct shmid_kernel *shp)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < shp->shmem->cap; i++)
		n += shp->shmem->frames[i] != 0;
	return n;
}

static long shmctl_do_lock(struct task *t, struct ipc_namespace *ns, int shmid, int cmd)
{
	struct shmid_kernel *shp = shm_obtain_object_check(ns, shmid);
	if (!shp)
		return -EINVAL;
	if (!ipc_capable(t, ns, CAP_IPC_LOCK)) {
		uint32_t euid = t->cred->euid;
		if (euid != shp->perm.uid && euid != shp->perm.cuid)
			return -EPERM;
		if (cmd == SHM_LOCK && !t->signal->rlim[RLIMIT_MEMLOCK].rlim_cur)
			return -EPERM;
	}
	if (cmd == SHM_LOCK) {
		/* user_shm_lock: within RLIMIT_MEMLOCK unless CAP_IPC_LOCK. */
		rlim_t lim = t->signal->rlim[RLIMIT_MEMLOCK].rlim_cur;
		if (!(shp->perm.mode & SHM_LOCKED) && !capable(t, CAP_IPC_LOCK) &&
		    lim != RLIM_INFINITY && shm_pages(shp) > lim / PAGE_SIZE)
			return -ENOMEM;
		shp->perm.mode |= SHM_LOCKED;
		return 0;
	}
	shp->perm.mode &= ~SHM_LOCKED;
	return 0;
}

long ksys_shmctl(struct task *t, int shmid, int cmd, uint64_t buf)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct ipc_ids *ids = shm_ids(ns);
	int err;
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO: {
		struct shminfo64 info;
		memset(&info, 0, sizeof(info));
		info.shmmni = info.shmseg = (unsigned long)ns->shm_ctlmni;
		info.shmmax = ns->shm_ctlmax;
		info.shmall = ns->shm_ctlall;
		info.shmmin = SHMMIN;
		err = ipc_get_maxidx(ids);
		if (err < 0)
			err = 0;
		if (copy_to_guest(t->mm, buf, &info, sizeof(info)))
			return -EFAULT;
		return err;
	}
	case SHM_INFO: {
		struct shm_info info;
		memset(&info, 0, sizeof(info));
		info.used_ids = ids->in_use;
		for (int i = 0; i <= ids->max_idx; i++)
			if (ids->entries[i])
				info.shm_rss += shm_rss((struct shmid_kernel *)ids->entries[i]);
		info.shm_tot = ns->shm_tot;
		err = ipc_get_maxidx(ids);
		if (err < 0)
			err = 0;
		if (copy_to_guest(t->mm, buf, &info, sizeof(info)))
			return -EFAULT;
		return err;
	}
	case SHM_STAT:
	case SHM_STAT_ANY:
	case IPC_STAT: {
		struct shmid64_ds tbuf;
		err = shmctl_stat(t, ns, shmid, cmd, &tbuf);
		if (err < 0)
			return err;
		if (copy_to_guest(t->mm, buf, &tbuf, sizeof(tbuf)))
			return -EFAULT;
		return err;
	}
	case IPC_SET:
	case IPC_RMID: {
		struct shmid64_ds in;
		if (cmd == IPC_SET && copy_from_guest(t->mm, &in, buf, sizeof(in)))
			return -EFAULT;
		struct kern_ipc_perm *p = ipcctl_obtain_check(t, ns, ids, shmid, &err);
		if (!p)
			return err;
		struct shmid_kernel *shp = (struct shmid_kernel *)p;
		if (cmd == IPC_RMID) {
			do_shm_rmid(shp);
			return 0;
		}
		if ((err = ipc_update_perm(t, &in.shm_perm, p)))
			return err;
		shp->ctim = ipc_real_seconds();
		return 0;
	}
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shmctl_do_lock(t, ns, shmid, cmd);
	default:
		return -EINVAL;
	}
}

void sysvipc_shm_show(const struct task *t, FILE *out)
{
	struct ipc_ids *ids = shm_ids(task_ipc_ns(t));
	fputs("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  "
	      "cuid  cgid      atime      dtime      ctime                   rss                  swap\n",
	      out);
	for (int i = 0; i <= ids->max_idx; i++) {
		struct shmid_kernel *shp = (struct shmid_kernel *)ids->entries[i];
		if (!shp)
			continue;
		fprintf(out,
			"%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu "
			"%21lu\n",
			shp->perm.key, shp->perm.id, shp->perm.mode, (unsigned long)shp->segsz,
			ipc_pid_vnr(t, shp->cprid), ipc_pid_vnr(t, shp->lprid), shm_nattch(shp),
			from_kuid_munged(t, shp->perm.uid), from_kgid_munged(t, shp->perm.gid),
			from_kuid_munged(t, shp->perm.cuid), from_kgid_munged(t, shp->perm.cgid),
			(unsigned long long)shp->atim, (unsigned long long)shp->dtim,
			(unsigned long long)shp->ctim, (unsigned long)(shm_rss(shp) * PAGE_SIZE), 0ul);
	}
}
