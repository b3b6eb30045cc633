/* System V semaphores (ipc/sem.c): arrays of semaphores, semop's
 * all-or-nothing operations, SEM_UNDO adjustments kept in a task's undo
 * list (shared by the tasks made with CLONE_SYSVSEM and applied when the
 * last of them exits), and semctl's commands. A blocked semop sleeps on
 * its array and re-runs when woken (kernelmodel/sched.h), so the array's
 * state decides; its wait is recorded for EIDRM and semncnt/semzcnt. */
#ifndef KERNELMODEL_IPC_SEM_H
#define KERNELMODEL_IPC_SEM_H

#include <stdint.h>
#include <stdio.h>

struct task;
struct sem_undo;

/* task->sysvsem: the undo list, shared via CLONE_SYSVSEM. */
struct sem_undo_list {
	int refcount; /* one per task sharing it */
	struct sem_undo *head;
};

long ksys_semget(struct task *t, int key, int nsems, int semflg);
/* semop/semtimedop: @timeout a guest struct timespec or 0 (none). */
long do_semtimedop(struct task *t, int semid, uint64_t tsops, unsigned nsops, uint64_t timeout);
long ksys_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg);
/* copy_semundo: a child made with CLONE_SYSVSEM shares @parent's undo
 * list (made now if it has none); otherwise it starts without one. */
int copy_semundo(uint64_t clone_flags, struct task *p, struct task *parent);
/* exit_sem: drop @t's undo list; the last task holding it applies the
 * adjustments (unshare(CLONE_SYSVSEM) does it too). */
void exit_sem(struct task *t);
/* A task leaving a SysV IPC wait other than by completing it (a signal
 * handler runs, it exits): forget the wait (ipc/util.c). */
void ipc_sleep_cancel(const struct task *t);
void sysvipc_sem_show(const struct task *t, FILE *out);

#endif
