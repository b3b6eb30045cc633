/* struct ipc_namespace (include/linux/ipc_namespace.h): the System V IPC
 * objects (shared memory segments, semaphore arrays, message queues) and
 * the POSIX message queues of one IPC namespace, with its limits (the
 * /proc/sys/kernel and /proc/sys/fs/mqueue values, Linux's defaults).
 * Every nsproxy points at one (nsproxy.c); clone or unshare with
 * CLONE_NEWIPC makes an empty one, and the last nsproxy to let go frees
 * its objects (free_ipcs). The objects' ids come from ipc/util.c. */
#ifndef KERNELMODEL_IPC_NAMESPACE_H
#define KERNELMODEL_IPC_NAMESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { IPC_SEM_IDS, IPC_MSG_IDS, IPC_SHM_IDS, IPC_NIDS };

/* The permission part every SysV object starts with (kern_ipc_perm). */
struct kern_ipc_perm {
	int id;           /* idx + (seq << IPCMNI_SEQ_SHIFT) */
	int key;          /* IPC_PRIVATE (0) once removed with others attached */
	uint32_t uid, gid, cuid, cgid; /* kernel ids */
	uint32_t mode;    /* S_IRWXUGO, plus SHM_DEST / SHM_LOCKED for shm */
	unsigned seq;
	bool deleted;     /* removed: ipc_valid_object() fails */
};

/* One id space (struct ipc_ids): an idr of objects with a cyclic index. */
struct ipc_ids {
	int in_use;
	unsigned seq;
	int last_idx;  /* the last index handed out (cyclic allocation) */
	int max_idx;   /* the highest index in use, -1: none */
	int cap;
	struct kern_ipc_perm **entries; /* [idx]: the object or NULL */
};

struct mqueue_inode;

struct ipc_namespace {
	int refcount; /* one per nsproxy */
	uint64_t user_inum; /* the user namespace owning it (CAP_IPC_OWNER...) */
	struct ipc_ids ids[IPC_NIDS];

	int sem_ctls[4]; /* SEMMSL, SEMMNS, SEMOPM, SEMMNI */
	int used_sems;

	unsigned msg_ctlmax, msg_ctlmnb, msg_ctlmni;
	long msg_bytes, msg_hdrs; /* in all queues */

	uint64_t shm_ctlmax, shm_ctlall, shm_tot; /* shm_tot: pages */
	int shm_ctlmni;

	/* POSIX message queues (ipc/mqueue.c) and /proc/sys/fs/mqueue. */
	unsigned mq_queues_count, mq_queues_max;
	unsigned mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default;
	struct mqueue_inode *mq_list; /* the names in this namespace's mqueue fs */
};

#define sc_semmsl sem_ctls[0]
#define sc_semmns sem_ctls[1]
#define sc_semopm sem_ctls[2]
#define sc_semmni sem_ctls[3]

/* A new, empty namespace owned by user namespace @user_inum (refcount 1);
 * NULL on ENOMEM. */
struct ipc_namespace *create_ipc_ns(uint64_t user_inum);
struct ipc_namespace *get_ipc_ns(struct ipc_namespace *ns);
/* The last reference frees every object (segments still attached stay
 * until their last detach, orphaned). */
void put_ipc_ns(struct ipc_namespace *ns);

/* Per-type setup and teardown (shm.c, sem.c, msg.c, mqueue.c). */
void shm_init_ns(struct ipc_namespace *ns);
void sem_init_ns(struct ipc_namespace *ns);
void msg_init_ns(struct ipc_namespace *ns);
void mq_init_ns(struct ipc_namespace *ns);
void shm_exit_ns(struct ipc_namespace *ns);
void sem_exit_ns(struct ipc_namespace *ns);
void msg_exit_ns(struct ipc_namespace *ns);
void mq_exit_ns(struct ipc_namespace *ns);

/* /proc/sysvipc/{shm,sem,msg}, /proc/sys/kernel/{shmmax,shmall,shmmni,
 * sem,msgmax,msgmnb,msgmni} and the /proc/sys/fs/mqueue files of @t's
 * namespace (ipc_sysctl.c). Opened read-only: writes the contents to @out
 * and returns 1. A sysctl opened for writing by root: a model file whose
 * writes set the limit, in *@wfile, and 2. 0 when @path is not one of
 * them; -errno (EACCES: /proc/sysvipc, or not root). */
struct task;
struct file;
int ipc_proc_show(const struct task *t, const char *path, int flags, FILE *out,
		  struct file **wfile);

#endif
