/* The task list and the scheduler. All guest tasks run on one host thread;
 * the emulator's run loop asks sched_pick_next() which task gets the CPU.
 * (Preemption, wait queues and --seed arrive with threads, #4.) */
#ifndef KERNELMODEL_SCHED_H
#define KERNELMODEL_SCHED_H

struct task;

/* Add a new task to the list (takes the caller's reference). */
void sched_add(struct task *t);
/* Remove a dead task from the list and drop the list's reference. */
void sched_remove(struct task *t);
/* The next runnable task after @prev (round robin), or NULL if none. */
struct task *sched_pick_next(struct task *prev);
/* The task with thread id @tid, or NULL (borrowed). */
struct task *task_find(int tid);
/* Iterate over all tasks: first with NULL. */
struct task *task_next(struct task *t);

#endif
