/* I/O priorities (block/ioprio.c): the class and level ioprio_set(2)
 * stores in a task's I/O context and ioprio_get(2) reads back. Like the
 * rest of a task's scheduling parameters (sched_policy.h) they are
 * reported, never applied: cloneemu's host I/O is cloneemu's own.
 *
 * A task without an explicitly set priority has the raw value 0
 * (IOPRIO_CLASS_NONE): ioprio_get(IOPRIO_WHO_PROCESS) returns it as is,
 * the group and user forms report the priority derived from the nice
 * value and policy instead (__get_task_ioprio). CLONE_IO is not modeled
 * as sharing: a child always gets a copy. */
#ifndef KERNELMODEL_IOPRIO_H
#define KERNELMODEL_IOPRIO_H

#include <stdint.h>

struct task;

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3

/* What a child inherits of its parent's raw I/O priority (copy_io: only
 * one that was set explicitly, i.e. not of class NONE). */
uint16_t ioprio_inherit(uint16_t parent);
/* ioprio_set(2)/ioprio_get(2) for @t: 0 or the priority, -EINVAL (bad
 * @which or priority), -EPERM (the RT class without CAP_SYS_NICE or
 * CAP_SYS_ADMIN, or another user's task without CAP_SYS_NICE), -ESRCH. */
long ioprio_set(struct task *t, int which, int who, int ioprio);
long ioprio_get(struct task *t, int which, int who);

#endif
