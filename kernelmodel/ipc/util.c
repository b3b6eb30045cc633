#include "kernelmodel/ipc/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/frame.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

struct ipc_namespace *task_ipc_ns(const struct task *t)
{
	return t->nsproxy->ipc_ns;
}

struct kern_ipc_perm *ipc_findkey(struct ipc_ids *ids, int key)
{
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->entries[i] && ids->entries[i]->key == key)
			return ids->entries[i];
	return NULL;
}

/* idr_alloc_cyclic: the first free index after the last one handed out,
 * wrapping; the sequence number moves on when the index wraps. */
int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *new, int limit, const struct task *t,
	      int key, int flg)
{
	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	int idx = -1;
	for (int n = 0; n < IPCMNI; n++) {
		int i = (ids->last_idx + 1 + n) % IPCMNI;
		if (i >= ids->cap || !ids->entries[i]) {
			idx = i;
			break;
		}
	}
	if (idx < 0)
		return -ENOSPC;
	if (idx >= ids->cap) {
		int cap = ids->cap ? ids->cap : 16;
		while (cap <= idx)
			cap *= 2;
		struct kern_ipc_perm **e = realloc(ids->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		memset(e + ids->cap, 0, (cap - ids->cap) * sizeof(*e));
		ids->entries = e;
		ids->cap = cap;
	}
	if (idx <= ids->last_idx) {
		ids->seq++;
		if (ids->seq >= IPCID_SEQ_MAX)
			ids->seq = 0;
	}
	ids->last_idx = idx;
	new->seq = ids->seq;
	new->id = idx + (int)(new->seq << IPCMNI_SEQ_SHIFT);
	new->key = key;
	new->uid = new->cuid = t->cred->euid;
	new->gid = new->cgid = t->cred->egid;
	new->mode = flg & S_IRWXUGO_IPC;
	new->deleted = false;
	ids->entries[idx] = new;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return new->id;
}

void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	int idx = p->id & (IPCMNI - 1);
	if (idx < ids->cap && ids->entries[idx] == p) {
		ids->entries[idx] = NULL;
		ids->in_use--;
		while (ids->max_idx >= 0 && !ids->entries[ids->max_idx])
			ids->max_idx--;
	}
	p->deleted = true;
}

struct kern_ipc_perm *ipc_obtain_object_idr(struct ipc_ids *ids, int idx)
{
	idx &= IPCMNI - 1;
	return idx < ids->cap ? ids->entries[idx] : NULL;
}

struct kern_ipc_perm *ipc_obtain_object_check(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct kern_ipc_perm *p = ipc_obtain_object_idr(ids, id);
	if (!p || (unsigned)(id >> IPCMNI_SEQ_SHIFT) != p->seq)
		return NULL;
	return p;
}

int ipc_get_maxidx(const struct ipc_ids *ids)
{
	if (ids->in_use == 0)
		return -1;
	if (ids->in_use == IPCMNI)
		return IPCMNI - 1;
	return ids->max_idx;
}

bool ipc_capable(const struct task *t, const struct ipc_namespace *ns, int cap)
{
	if (!capable(t, cap))
		return false;
	return ns_initial_user(t->nsproxy) || t->nsproxy->ns[NS_USER]->inum == ns->user_inum;
}

/* in_group_p: the fs gid or a supplementary group. */
static bool in_group_p(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; c->group_info && i < c->group_info->ngroups; i++)
		if (c->group_info->gid[i] == gid)
			return true;
	return false;
}

int ipcperms(const struct task *t, struct ipc_namespace *ns, const struct kern_ipc_perm *p,
	     int flag)
{
	const struct cred *c = t->cred;
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)p->mode;
	if (c->euid == p->cuid || c->euid == p->uid)
		granted >>= 6;
	else if (in_group_p(c, p->cgid) || in_group_p(c, p->gid))
		granted >>= 3;
	/* Is some bit set in requested but not in granted? */
	if ((requested & ~granted & 0007) && !ipc_capable(t, ns, CAP_IPC_OWNER))
		return -1;
	return 0;
}

struct kern_ipc_perm *ipcctl_obtain_check(const struct task *t, struct ipc_namespace *ns,
					  struct ipc_ids *ids, int id, int *err)
{
	struct kern_ipc_perm *p = ipc_obtain_object_check(ids, id);
	if (!p) {
		*err = -EINVAL;
		return NULL;
	}
	uint32_t euid = t->cred->euid;
	if (euid == p->cuid || euid == p->uid || ipc_capable(t, ns, CAP_SYS_ADMIN))
		return p;
	*err = -EPERM;
	return NULL;
}

int ipc_update_perm(const struct task *t, const struct ipc64_perm *in, struct kern_ipc_perm *out)
{
	/* make_kuid in a user namespace without maps: nothing maps. */
	if (!ns_initial_user(t->nsproxy) || in->uid == INVALID_ID || in->gid == INVALID_ID)
		return -EINVAL;
	out->uid = in->uid;
	out->gid = in->gid;
	out->mode = (out->mode & ~S_IRWXUGO_IPC) | (in->mode & S_IRWXUGO_IPC);
	return 0;
}

void kernel_to_ipc64_perm(const struct task *t, const struct kern_ipc_perm *in,
			  struct ipc64_perm *out)
{
	out->key = in->key;
	out->uid = from_kuid_munged(t, in->uid);
	out->gid = from_kgid_munged(t, in->gid);
	out->cuid = from_kuid_munged(t, in->cuid);
	out->cgid = from_kgid_munged(t, in->cgid);
	out->mode = in->mode;
	out->seq = (unsigned short)in->seq;
}

int ipcget(struct task *t, struct ipc_namespace *ns, struct ipc_ids *ids,
	   const struct ipc_ops *ops, int key, int flg, long arg)
{
	if (key == IPC_PRIVATE)
		return ops->getnew(t, ns, key, flg, arg);
	struct kern_ipc_perm *p = ipc_findkey(ids, key);
	if (!p)
		return (flg & IPC_CREAT) ? ops->getnew(t, ns, key, flg, arg) : -ENOENT;
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (ops->more_checks) {
		int err = ops->more_checks(p, arg);
		if (err)
			return err;
	}
	if (ipcperms(t, ns, p, flg))
		return -EACCES;
	return p->id;
}

int64_t ipc_real_seconds(void)
{
	struct timespec ts;
	if (clock_read(CLOCK_REALTIME, &ts))
		return 0;
	return ts.tv_sec;
}

int ipc_pid_vnr(const struct task *t, int global_tgid)
{
	return global_tgid ? pid_nr_ns(global_tgid, t->pid_ns) : 0;
}

static size_t ipc_mem_used;

int ipc_mem_charge(size_t bytes)
{
	size_t cap = frames_bytes() / 4;
	if (bytes > cap || ipc_mem_used > cap - bytes)
		return -ENOMEM;
	ipc_mem_used += bytes;
	return 0;
}

void ipc_mem_uncharge(size_t bytes)
{
	ipc_mem_used -= bytes < ipc_mem_used ? bytes : ipc_mem_used;
}

/* ---- sleepers ---- */

struct ipc_sleeper {
	int tid;
	const void *obj;
	int semnum;
	bool zero;
	int status; /* 0, or -EIDRM once the object went */
};

static struct ipc_sleeper *sleepers;
static size_t nsleepers, capsleepers;

static struct ipc_sleeper *sleeper_find(int tid)
{
	for (size_t i = 0; i < nsleepers; i++)
		if (sleepers[i].tid == tid)
			return &sleepers[i];
	return NULL;
}

void ipc_sleep_record(const struct task *t, const void *obj, int semnum, bool zero)
{
	struct ipc_sleeper *s = sleeper_find(t->tid);
	if (!s) {
		if (nsleepers == capsleepers) {
			size_t cap = capsleepers ? capsleepers * 2 : 16;
			struct ipc_sleeper *n = realloc(sleepers, cap * sizeof(*n));
			if (!n)
				return; /* counts and EIDRM may miss this sleeper */
			sleepers = n;
			capsleepers = cap;
		}
		s = &sleepers[nsleepers++];
	}
	*s = (struct ipc_sleeper){t->tid, obj, semnum, zero, 0};
}

int ipc_sleep_status(const struct task *t)
{
	struct ipc_sleeper *s = sleeper_find(t->tid);
	if (!s || !s->status)
		return 0;
	int r = s->status;
	ipc_sleep_cancel(t);
	return r;
}

void ipc_sleep_cancel(const struct task *t)
{
	struct ipc_sleeper *s = sleeper_find(t->tid);
	if (s)
		*s = sleepers[--nsleepers];
}

void ipc_sleepers_removed(const void *obj)
{
	for (size_t i = 0; i < nsleepers; i++)
		if (sleepers[i].obj == obj)
			sleepers[i].status = -EIDRM;
	wake_up(obj);
}

int ipc_sleepers_count(const void *obj, int semnum, bool zero)
{
	int n = 0;
	for (size_t i = 0; i < nsleepers; i++)
		n += sleepers[i].obj == obj && !sleepers[i].status && sleepers[i].semnum == semnum &&
		     sleepers[i].zero == zero;
	return n;
}
