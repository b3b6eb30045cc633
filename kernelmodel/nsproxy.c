#include "kernelmodel/nsproxy.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/ipc/namespace.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/user_namespace.h"
#include "kernelmodel/uts.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Linux's initial namespaces have these inode numbers (proc_ns.h). */
static const uint64_t initial_inum[NS_NTYPES] = {
	[NS_MNT] = 0xF0000000u, [NS_IPC] = 0xEFFFFFFFu, [NS_NET] = 0xF0000098u,
	[NS_CGROUP] = 0xEFFFFFFBu, [NS_TIME] = 0xEFFFFFFAu, [NS_USER] = 0xEFFFFFFDu,
};
static uint64_t next_inum = 0xF0000100u;

uint64_t ns_alloc_inum(void)
{
	return next_inum++;
}

static struct ns_common *ns_common_alloc(uint64_t inum)
{
	struct ns_common *c = calloc(1, sizeof(*c));
	if (c) {
		c->refcount = 1;
		c->inum = inum;
	}
	return c;
}

struct ns_common *ns_common_get(struct ns_common *c)
{
	c->refcount++;
	return c;
}

void ns_common_put(struct ns_common *c)
{
	/* A user namespace holds its parent: drop that one too. */
	while (c && --c->refcount == 0) {
		struct ns_common *parent = user_ns_free(c->userns);
		free(c);
		c = parent;
	}
}

struct nsproxy *nsproxy_alloc_initial(void)
{
	struct nsproxy *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->refcount = 1;
	ns->uts = uts_alloc_initial();
	ns->pid_ns_for_children = pid_ns_initial();
	for (int i = 0; i < NS_NTYPES; i++)
		ns->ns[i] = ns_common_alloc(initial_inum[i]);
	for (int i = 0; i < NS_NTYPES; i++)
		if (!ns->ns[i]) {
			nsproxy_put(ns);
			return NULL;
		}
	ns->time_for_children = ns->ns[NS_TIME];
	ns->time_for_children->refcount++;
	ns->ns[NS_USER]->userns = &init_user_ns;
	ns->ipc_ns = create_ipc_ns(ns->ns[NS_USER]->inum);
	if (!ns->uts || !ns->pid_ns_for_children || !ns->ipc_ns) {
		nsproxy_put(ns);
		return NULL;
	}
	return ns;
}

struct nsproxy *nsproxy_get(struct nsproxy *ns)
{
	ns->refcount++;
	return ns;
}

void nsproxy_put(struct nsproxy *ns)
{
	if (!ns || --ns->refcount > 0)
		return;
	uts_put(ns->uts);
	pid_ns_put(ns->pid_ns_for_children);
	put_ipc_ns(ns->ipc_ns);
	ns_common_put(ns->time_for_children);
	for (int i = 0; i < NS_NTYPES; i++)
		ns_common_put(ns->ns[i]);
	free(ns);
}

struct nsproxy *copy_namespaces(uint64_t flags, const struct nsproxy *old,
				struct pid_namespace *active_pid_ns)
{
	static const uint64_t flag_of[NS_NTYPES] = {
		[NS_MNT] = CLONE_NEWNS, [NS_IPC] = CLONE_NEWIPC, [NS_NET] = CLONE_NEWNET,
		[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME, [NS_USER] = CLONE_NEWUSER,
	};
	struct nsproxy *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->refcount = 1; /* the new task's */
	ns->uts = flags & CLONE_NEWUTS ? uts_copy(old->uts) : uts_get(old->uts);
	ns->pid_ns_for_children = flags & CLONE_NEWPID ? pid_ns_create(active_pid_ns)
						       : pid_ns_get(old->pid_ns_for_children);
	for (int i = 0; i < NS_NTYPES; i++) {
		if ((flags & flag_of[i]) && i != NS_TIME) {
			ns->ns[i] = ns_common_alloc(ns_alloc_inum());
		} else {
			ns->ns[i] = old->ns[i];
			ns->ns[i]->refcount++;
		}
	}
	ns->ipc_ns = flags & CLONE_NEWIPC ? create_ipc_ns(ns->ns[NS_USER] ? ns->ns[NS_USER]->inum : 0)
					  : get_ipc_ns(old->ipc_ns);
	/* Namespaces made along with a new user namespace belong to it. */
	if ((flags & CLONE_NEWUTS) && ns->uts)
		ns->uts->owner_user_inum = ns->ns[NS_USER]->inum;
	/* A new time namespace is for children: the caller stays in its own
	 * (unshare); a clone's child enters it (fork_child below). */
	if (flags & CLONE_NEWTIME) {
		ns->time_for_children = ns_common_alloc(ns_alloc_inum());
	} else {
		ns->time_for_children = old->time_for_children;
		ns->time_for_children->refcount++;
	}
	if (!ns->time_for_children) {
		nsproxy_put(ns);
		return NULL;
	}
	for (int i = 0; i < NS_NTYPES; i++)
		if (!ns->ns[i]) {
			nsproxy_put(ns);
			return NULL;
		}
	if (!ns->uts || !ns->pid_ns_for_children || !ns->ipc_ns) {
		nsproxy_put(ns);
		return NULL;
	}
	/* The new ones belong to the (maybe new) user namespace; a user
	 * namespace to its parent. */
	uint64_t owner = ns->ns[NS_USER]->inum;
	for (int i = 0; i < NS_NTYPES; i++)
		if ((flags & flag_of[i]) && i != NS_TIME)
			ns->ns[i]->owner_inum = i == NS_USER ? old->ns[NS_USER]->inum : owner;
	if (flags & CLONE_NEWTIME)
		ns->time_for_children->owner_inum = owner;
	if (flags & CLONE_NEWPID)
		ns->pid_ns_for_children->owner_user_inum = owner;
	return ns;
}

void nsproxy_enter_time_for_children(struct nsproxy *ns)
{
	if (ns->ns[NS_TIME] == ns->time_for_children)
		return;
	ns_common_put(ns->ns[NS_TIME]);
	ns->ns[NS_TIME] = ns->time_for_children;
	ns->ns[NS_TIME]->refcount++;
}

bool ns_initial_user(const struct nsproxy *ns)
{
	return ns->ns[NS_USER]->inum == initial_inum[NS_USER]; /* init_user_ns */
}

bool ns_may_set_uts(const struct nsproxy *ns)
{
	return ns_initial_user(ns) || ns->uts->owner_user_inum == ns->ns[NS_USER]->inum;
}
