/* struct nsproxy: the namespaces a task lives in (include/linux/nsproxy.h).
 * Tasks share one nsproxy until a clone or unshare with CLONE_NEW* copies
 * it and gives the new namespace(s) a fresh identity. UTS namespaces carry
 * their hostname and domainname; PID namespaces their own pid numbering
 * (kernelmodel/pid.c). Mount, IPC, network, cgroup, time and user
 * namespaces are identities only: the model has one file system, no SysV
 * IPC objects and no network of its own (README). */
#ifndef KERNELMODEL_NSPROXY_H
#define KERNELMODEL_NSPROXY_H

#include <stdint.h>

struct uts_namespace;
struct pid_namespace;

enum ns_type { NS_MNT, NS_IPC, NS_NET, NS_CGROUP, NS_TIME, NS_USER, NS_NTYPES };

/* A namespace that is only an identity (its inode number). */
struct ns_common {
	int refcount;
	uint64_t inum;
};

struct nsproxy {
	int refcount; /* one per task sharing it */
	struct uts_namespace *uts;
	struct ns_common *ns[NS_NTYPES];
	struct pid_namespace *pid_ns_for_children;
};

/* The initial namespaces (refcount 1). NULL on ENOMEM. */
struct nsproxy *nsproxy_alloc_initial(void);
struct nsproxy *nsproxy_get(struct nsproxy *ns);
void nsproxy_put(struct nsproxy *ns);
/* A copy of @old (refcount 1) with new namespaces for the CLONE_NEW* bits
 * in @flags; the PID one only for children (pid_ns_for_children), whose
 * parent is @active_pid_ns. NULL on ENOMEM. */
struct nsproxy *copy_namespaces(uint64_t flags, const struct nsproxy *old,
				struct pid_namespace *active_pid_ns);
/* A fresh inode number for a namespace (proc's ns inodes). */
uint64_t ns_alloc_inum(void);

#endif
