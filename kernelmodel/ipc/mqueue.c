#include "kernelmodel/ipc/mqueue.h"

#include "kernelmodel/ipc/namespace.h"

/* Linux's defaults (include/linux/ipc_namespace.h). */
#define DFLT_QUEUESMAX 256
#define DFLT_MSG 10
#define DFLT_MSGMAX 10
#define DFLT_MSGSIZE 8192
#define DFLT_MSGSIZEMAX 8192

void mq_init_ns(struct ipc_namespace *ns)
{
	ns->mq_queues_count = 0;
	ns->mq_queues_max = DFLT_QUEUESMAX;
	ns->mq_msg_max = DFLT_MSGMAX;
	ns->mq_msgsize_max = DFLT_MSGSIZEMAX;
	ns->mq_msg_default = DFLT_MSG;
	ns->mq_msgsize_default = DFLT_MSGSIZE;
}

void mq_exit_ns(struct ipc_namespace *ns)
{
	(void)ns;
}
