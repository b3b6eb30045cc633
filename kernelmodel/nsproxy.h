/* struct nsproxy: the namespaces a task lives in (include/linux/nsproxy.h).
 * Tasks share one nsproxy until a clone or unshare with CLONE_NEW* copies
 * it and gives the new namespace(s) a fresh identity. UTS namespaces carry
 * their hostname and domainname; PID namespaces their own pid numbering
 * (kernelmodel/pid.c); IPC namespaces their SysV objects and POSIX message
 * queues (kernelmodel/ipc/namespace.c). Mount, network, cgroup, time and user
 * namespaces are identities only: the model has one file system and no
 * network of its own (README); a network namespace's
 * identity (inum) also keys its AF_UNIX abstract names (net/unix.c). */
#ifndef KERNELMODEL_NSPROXY_H
#define KERNELMODEL_NSPROXY_H

#include <stdbool.h>
#include <stdint.h>

struct uts_namespace;
struct pid_namespace;
struct ipc_namespace;

enum ns_type { NS_MNT, NS_IPC, NS_NET, NS_CGROUP, NS_TIME, NS_USER, NS_NTYPES };

struct user_namespace;

/* A namespace that is only an identity (its inode number); a user
 * namespace also has its maps (kernelmodel/user_namespace.h). */
struct ns_common {
	int refcount;
	uint64_t inum;
	uint64_t owner_inum; /* the user namespace owning it (0: the initial one) */
	struct user_namespace *userns; /* NS_USER only; set by copy_ns/do_unshare */
};

struct nsproxy {
	int refcount; /* one per task sharing it */
	struct uts_namespace *uts;
	struct ns_common *ns[NS_NTYPES];
	struct ipc_namespace *ipc_ns; /* NS_IPC's objects (kernelmodel/ipc/) */
	struct pid_namespace *pid_ns_for_children;
	struct ns_common *time_for_children; /* CLONE_NEWTIME: entered by children */
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
/* Is the task's user namespace the initial one? (Ids are the host's;
 * in any other they read as the overflow id: id maps are not modeled.) */
bool ns_initial_user(const struct nsproxy *ns);
/* May a task with namespaces @ns change its UTS names? It needs
 * CAP_SYS_ADMIN over the user namespace owning the UTS namespace. */
bool ns_may_set_uts(const struct nsproxy *ns);
/* A child made by clone lives in its parent's time_for_children
 * (timens_on_fork). @ns must be the child's own. */
void nsproxy_enter_time_for_children(struct nsproxy *ns);
struct ns_common *ns_common_get(struct ns_common *c);
/* Drop a reference; the last frees it (a user namespace: its maps, and
 * its reference to the parent). */
void ns_common_put(struct ns_common *c);
/* A fresh inode number for a namespace (proc's ns inodes). */
uint64_t ns_alloc_inum(void);

#endif
