#include "kernelmodel/ipc/namespace.h"

#include <stdlib.h>

static struct ipc_namespace *ipc_ns_alloc(uint64_t user_inum)
{
	struct ipc_namespace *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->refcount = 1;
	ns->user_inum = user_inum;
	for (int i = 0; i < IPC_NIDS; i++) {
		ns->ids[i].last_idx = -1;
		ns->ids[i].max_idx = -1;
	}
	sem_init_ns(ns);
	msg_init_ns(ns);
	shm_init_ns(ns);
	mq_init_ns(ns);
	return ns;
}

struct ipc_namespace *create_ipc_ns(uint64_t user_inum)
{
	return ipc_ns_alloc(user_inum);
}

struct ipc_namespace *get_ipc_ns(struct ipc_namespace *ns)
{
	ns->refcount++;
	return ns;
}

/* free_ipc_ns: every object of every type goes. */
void put_ipc_ns(struct ipc_namespace *ns)
{
	if (!ns || --ns->refcount > 0)
		return;
	sem_exit_ns(ns);
	msg_exit_ns(ns);
	shm_exit_ns(ns);
	mq_exit_ns(ns);
	for (int i = 0; i < IPC_NIDS; i++)
		free(ns->ids[i].entries);
	free(ns);
}
