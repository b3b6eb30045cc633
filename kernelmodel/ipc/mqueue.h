/* POSIX message queues (ipc/mqueue.c): per IPC namespace limits of
 * /proc/sys/fs/mqueue. */
#ifndef KERNELMODEL_IPC_MQUEUE_H
#define KERNELMODEL_IPC_MQUEUE_H

#endif
