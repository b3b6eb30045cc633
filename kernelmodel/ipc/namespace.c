#include "kernelmodel/ipc/namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/ipc/msg.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/ipc/shm.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"

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

int ipc_proc_show(const struct task *t, const char *path, int flags, FILE *out)
{
	const struct ipc_namespace *ns = t->nsproxy->ipc_ns;
	bool sysvipc = !strncmp(path, "/proc/sysvipc/", 14);
	bool known = true;
	if (!strcmp(path, "/proc/sysvipc/shm"))
		sysvipc_shm_show(t, out);
	else if (!strcmp(path, "/proc/sysvipc/sem"))
		sysvipc_sem_show(t, out);
	else if (!strcmp(path, "/proc/sysvipc/msg"))
		sysvipc_msg_show(t, out);
	else if (!strcmp(path, "/proc/sys/kernel/shmmax"))
		fprintf(out, "%llu\n", (unsigned long long)ns->shm_ctlmax);
	else if (!strcmp(path, "/proc/sys/kernel/shmall"))
		fprintf(out, "%llu\n", (unsigned long long)ns->shm_ctlall);
	else if (!strcmp(path, "/proc/sys/kernel/shmmni"))
		fprintf(out, "%d\n", ns->shm_ctlmni);
	else if (!strcmp(path, "/proc/sys/kernel/sem"))
		fprintf(out, "%d\t%d\t%d\t%d\n", ns->sc_semmsl, ns->sc_semmns, ns->sc_semopm,
			ns->sc_semmni);
	else if (!strcmp(path, "/proc/sys/kernel/msgmax"))
		fprintf(out, "%u\n", ns->msg_ctlmax);
	else if (!strcmp(path, "/proc/sys/kernel/msgmnb"))
		fprintf(out, "%u\n", ns->msg_ctlmnb);
	else if (!strcmp(path, "/proc/sys/kernel/msgmni"))
		fprintf(out, "%u\n", ns->msg_ctlmni);
	else if (!strcmp(path, "/proc/sys/fs/mqueue/queues_max"))
		fprintf(out, "%u\n", ns->mq_queues_max);
	else if (!strcmp(path, "/proc/sys/fs/mqueue/msg_max"))
		fprintf(out, "%u\n", ns->mq_msg_max);
	else if (!strcmp(path, "/proc/sys/fs/mqueue/msgsize_max"))
		fprintf(out, "%u\n", ns->mq_msgsize_max);
	else if (!strcmp(path, "/proc/sys/fs/mqueue/msg_default"))
		fprintf(out, "%u\n", ns->mq_msg_default);
	else if (!strcmp(path, "/proc/sys/fs/mqueue/msgsize_default"))
		fprintf(out, "%u\n", ns->mq_msgsize_default);
	else
		known = false;
	if (!known)
		return 0;
	if ((flags & O_ACCMODE) != O_RDONLY) {
		/* /proc/sysvipc is 0444; the sysctls are 0644, root's. */
		if (sysvipc || t->cred->fsuid != 0)
			return -EACCES;
		return -EOPNOTSUPP; /* writing the limits is not modeled (README) */
	}
	return 1;
}
