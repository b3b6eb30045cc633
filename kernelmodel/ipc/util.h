/* ipc/util.c: what the three System V IPC types share — ids (an idr with
 * a sequence number per slot), ipcget's key lookup and creation,
 * ipcperms() and the IPC_SET/IPC_RMID owner check, kernel_to_ipc64_perm,
 * the bookkeeping of tasks asleep in semop/msgsnd/msgrcv (EIDRM when the
 * object goes, semncnt/semzcnt), and a bound on the host memory the
 * objects take. */
#ifndef KERNELMODEL_IPC_UTIL_H
#define KERNELMODEL_IPC_UTIL_H

#include <linux/ipc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernelmodel/ipc/namespace.h"

struct task;

#define IPCMNI 32768        /* ids per type (IPCMNI_SHIFT 15) */
#define IPCMNI_SEQ_SHIFT 15
#define IPCID_SEQ_MAX (INT32_MAX >> IPCMNI_SEQ_SHIFT)
#define S_IRWXUGO_IPC 0777

/* The task's IPC namespace. */
struct ipc_namespace *task_ipc_ns(const struct task *t);

/* Find an object by key (never IPC_PRIVATE), or NULL. */
struct kern_ipc_perm *ipc_findkey(struct ipc_ids *ids, int key);
/* Give @new an id below @limit (ENOSPC past it) and the caller's
 * credentials as owner and creator, mode = @flg & 0777. Returns the id. */
int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *new, int limit, const struct task *t,
	      int key, int flg);
/* Take @p out of its ids (the caller frees it); marks it deleted. */
void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p);
/* ipc_set_key_private: nobody finds it by key any more. */
static inline void ipc_set_key_private(struct kern_ipc_perm *p)
{
	p->key = IPC_PRIVATE;
}
/* By full id (index and sequence): the object or NULL (-EINVAL). */
struct kern_ipc_perm *ipc_obtain_object_check(struct ipc_ids *ids, int id);
/* By index only (SHM_STAT, SEM_STAT, MSG_STAT): the object or NULL. */
struct kern_ipc_perm *ipc_obtain_object_idr(struct ipc_ids *ids, int idx);
/* The highest index in use, -1 for none (ipc_get_maxidx). */
int ipc_get_maxidx(const struct ipc_ids *ids);

/* ipcperms: may @t access @p with @flag's rwx bits (S_IRUGO...)? 0 or -1. */
int ipcperms(const struct task *t, struct ipc_namespace *ns, const struct kern_ipc_perm *p,
	     int flag);
/* ns_capable(ns->user_ns, cap) */
bool ipc_capable(const struct task *t, const struct ipc_namespace *ns, int cap);
/* ipcctl_obtain_check: IPC_SET and IPC_RMID need the owner, the creator
 * or CAP_SYS_ADMIN. Returns the object, or NULL with *err -EINVAL/-EPERM. */
struct kern_ipc_perm *ipcctl_obtain_check(const struct task *t, struct ipc_namespace *ns,
					  struct ipc_ids *ids, int id, int *err);
/* ipc_update_perm: IPC_SET's uid, gid and mode (-EINVAL for an id that
 * does not map). */
int ipc_update_perm(const struct task *t, const struct ipc64_perm *in, struct kern_ipc_perm *out);
void kernel_to_ipc64_perm(const struct task *t, const struct kern_ipc_perm *in,
			  struct ipc64_perm *out);

/* ipcget: the id of the object with @key, creating it with @newobj when
 * IPC_CREAT asks (always for IPC_PRIVATE); @more_checks (may be NULL)
 * may refuse an existing one (-EINVAL). */
struct ipc_ops {
	int (*getnew)(struct task *t, struct ipc_namespace *ns, int key, int flg, long arg);
	int (*more_checks)(struct kern_ipc_perm *p, long arg);
};
int ipcget(struct task *t, struct ipc_namespace *ns, struct ipc_ids *ids,
	   const struct ipc_ops *ops, int key, int flg, long arg);

/* Wall-clock seconds (ktime_get_real_seconds) for the *time fields. */
int64_t ipc_real_seconds(void);
/* A global tgid as @t's PID namespace numbers it (0: not visible / none). */
int ipc_pid_vnr(const struct task *t, int global_tgid);

/* Host memory the model's IPC objects may take: allocations are charged
 * here and refused with -ENOMEM beyond a quarter of the guest memory. */
int ipc_mem_charge(size_t bytes);
void ipc_mem_uncharge(size_t bytes);

/* Tasks asleep in semop/semtimedop/msgsnd/msgrcv/mq_*. A blocking call
 * records what it waits on (@obj, the channel it sleeps on) before
 * sleep_on; when retried it asks ipc_sleep_status first: -EIDRM when @obj
 * was removed meanwhile (the record is then gone). A completed or
 * interrupted call drops the record (ipc_sleep_cancel; signal delivery
 * and exit call it). @semnum/@zero describe the semaphore operation that
 * blocked (semncnt/semzcnt); -1 otherwise. */
void ipc_sleep_record(const struct task *t, const void *obj, int semnum, bool zero);
int ipc_sleep_status(const struct task *t);
void ipc_sleep_cancel(const struct task *t);
/* @obj goes away: every sleeper on it gets EIDRM and is woken. */
void ipc_sleepers_removed(const void *obj);
/* Sleepers on @obj blocked on semaphore @semnum (zero: waiting for 0). */
int ipc_sleepers_count(const void *obj, int semnum, bool zero);

#endif
