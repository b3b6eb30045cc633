/* POSIX message queues (ipc/mqueue.c): named queues in each IPC
 * namespace's mqueue file system, opened as descriptors (anonymous inodes
 * here: read gives the QSIZE line, poll/select/epoll see POLLIN while a
 * message waits and POLLOUT while there is room). Messages come out
 * highest priority first, FIFO within a priority; senders and receivers
 * sleep in the scheduler with CLOCK_REALTIME deadlines; mq_notify
 * registers one process for SIGEV_SIGNAL or SIGEV_NONE. Limits: the
 * namespace's /proc/sys/fs/mqueue values, RLIMIT_MSGQUEUE per user. */
#ifndef KERNELMODEL_IPC_MQUEUE_H
#define KERNELMODEL_IPC_MQUEUE_H

#include <stdint.h>

struct task;

/* The syscalls after their kernel halves; guest pointers and -errno. */
long do_mq_open(struct task *t, uint64_t u_name, int oflag, unsigned mode, uint64_t u_attr);
long do_mq_unlink(struct task *t, uint64_t u_name);
long do_mq_timedsend(struct task *t, int mqdes, uint64_t u_msg, uint64_t msg_len, unsigned prio,
		     uint64_t u_abs_timeout);
long do_mq_timedreceive(struct task *t, int mqdes, uint64_t u_msg, uint64_t msg_len,
			uint64_t u_prio, uint64_t u_abs_timeout);
long do_mq_notify(struct task *t, int mqdes, uint64_t u_notification);
long do_mq_getsetattr(struct task *t, int mqdes, uint64_t u_new, uint64_t u_old);

#endif
