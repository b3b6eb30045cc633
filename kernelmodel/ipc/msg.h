/* System V message queues (ipc/msg.c): typed messages in FIFO order per
 * queue, bounded by msg_qbytes (MSGMNB) and MSGMAX. A sender finding the
 * queue full and a receiver finding no message sleep on the queue and
 * re-run when it changes (EIDRM when it is removed meanwhile). */
#ifndef KERNELMODEL_IPC_MSG_H
#define KERNELMODEL_IPC_MSG_H

#include <stdint.h>
#include <stdio.h>

struct task;

long ksys_msgget(struct task *t, int key, int msgflg);
long ksys_msgsnd(struct task *t, int msqid, uint64_t msgp, uint64_t msgsz, int msgflg);
long ksys_msgrcv(struct task *t, int msqid, uint64_t msgp, uint64_t msgsz, long msgtyp, int msgflg);
long ksys_msgctl(struct task *t, int msqid, int cmd, uint64_t buf);
void sysvipc_msg_show(const struct task *t, FILE *out);

#endif
