/* The task list and the scheduler. All guest tasks run on one host thread;
 * the emulator's run loop asks sched_pick_next() which task gets the CPU.
 *
 * Blocking follows xv6's sleep/wakeup on channels. A syscall that must wait
 * calls sleep_on*() and returns its result, -EKBLOCK: the dispatcher then
 * rewinds the task to its syscall instruction, so when the task wakes the
 * syscall runs again and finds what it waited for (progress that must
 * survive the retry lives in task->restart_*). The host thread never blocks
 * while a task is runnable; when none is, sched_idle() waits for the earliest
 * deadline or host descriptor. Preemption counts guest basic blocks, so a
 * schedule depends only on the program, its inputs and --seed. */
#ifndef KERNELMODEL_SCHED_H
#define KERNELMODEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/clock.h"

struct task;
struct pollfd;

#define EKBLOCK 1000 /* internal: "asleep, retry the syscall when woken" */

/* Add a new task to the list (takes the caller's reference). */
void sched_add(struct task *t);
/* Remove a dead task from the list and drop the list's reference. */
void sched_remove(struct task *t);
/* The next runnable task after @prev (round robin), or NULL if none. */
struct task *sched_pick_next(struct task *prev);
/* The debugger holds @t stopped (gdb resumed other processes only):
 * sched_pick_next passes it over. NULL: nobody holds any. */
extern bool (*sched_hold_hook)(const struct task *t);
/* The task with thread id @tid (not yet reaped), or NULL (borrowed). */
struct task *task_find(int tid);
/* Iterate over all tasks in creation order: first with NULL. */
struct task *task_next(struct task *t);
/* How many tasks exist (zombies included): Linux's nr_threads. */
size_t sched_nr_tasks(void);
/* Give @t another tid (de_thread), keeping task_find's index right. */
void task_change_tid(struct task *t, int tid);

/* Put @t to sleep on @chan; returns -EKBLOCK for the handler to return.
 * @why names the wait in reports ("wait4", "pipe read", ...). */
long sleep_on(struct task *t, const void *chan, const char *why);
/* ... with a deadline (host CLOCK_MONOTONIC ns); @chan may be NULL. */
long sleep_until(struct task *t, const void *chan, uint64_t deadline_ns, const char *why);
/* ... until host descriptor @fd has @events (poll(2) bits). */
long sleep_on_host_fd(struct task *t, int fd, short events, const char *why);
/* ... on @chan until @deadline (0: none) or until one of @n host
 * descriptors (an array the caller keeps alive while asleep) is ready. */
long sleep_poll(struct task *t, const void *chan, uint64_t deadline, struct pollfd *fds, int n,
		const char *why);
/* Is host descriptor @pfd->fd ready for @pfd->events now (poll without
 * waiting, recorded)? The poll's count, -errno, or 0 (revents in @pfd).
 * A signal from outside that interrupts it is not an answer: taken as
 * readiness it sent a terminal read into a blocking host call, and the
 * ^Z that interrupted the poll reached the guest only with the next line. */
long host_poll_now(struct pollfd *pfd);
/* The channel every pollable model object (pipes) wakes on a change. */
extern const int poll_chan;
/* Make every task sleeping on @chan runnable. */
void wake_up(const void *chan);
void wake_task(struct task *t);
/* --inspect, --graph, --timeline (NULL: nobody listens): a task joined
 * the list (sched_add), a sleeping task became runnable (wake_task), ... */
extern void (*sched_new_task_hook)(struct task *t);
extern void (*sched_wake_hook)(struct task *t);
/* ... a task leaves the list for good (sched_remove: reaped, or an old
 * leader replaced by de_thread, which never went through do_exit). */
extern void (*sched_remove_hook)(struct task *t);

/* Scheduling policy. --seed 0 (default): round robin in creation order,
 * fixed slices. Another seed: slice lengths and the choice among runnable
 * tasks come from a PRNG seeded with it — a different, equally reproducible
 * interleaving. */
#define SCHED_SLICE_BLOCKS 20000
#define SCHED_SLICE_ALONE 10000000   /* a slice nobody competes for */
#define SCHED_ALONE_BLOCKS 50000000  /* alone this long: the block hook goes */
void sched_set_seed(uint64_t seed);
uint64_t sched_seed(void);
/* Blocks the next slice may run; SCHED_SLICE_ALONE when nobody competes
 * for now; 0 when @running has been the only task for a while (no block
 * hook). */
uint64_t sched_slice(const struct task *running);
/* The slice just run executed @blocks basic blocks. */
void sched_account(uint64_t blocks);
/* Tell the scheduler whether the slice in progress can be preempted; a
 * wake-up during a slice that cannot sets need_resched. */
void sched_begin_slice(bool preemptible);
bool sched_need_resched(void);
/* The running task's work must be counted (CPU time or timers wanted): a
 * slice without the block hook ends at the next syscall. */
void sched_count_blocks(void);
/* Between slices: wake sleepers whose deadline passed and host descriptors
 * that became ready, without waiting. */
void sched_tick(void);

/* Nothing is runnable: wait (in the host, using no CPU) for the earliest
 * deadline, host descriptor or signal from outside, wake the sleepers it
 * concerns, and return true; false when nothing can ever wake a task
 * (a deadlock) or no task is left.
 *
 * The rule for a deadlock: every task waits on model objects only
 * (futexes, model pipes and sockets, children, locks, vfork), with no
 * deadline and no host descriptor. A task stopped by a signal or asleep in
 * pause, sigsuspend or sigtimedwait waits for the outside world, as any
 * process can be sent a signal (task_waits_outside): cloneemu then sleeps
 * until one comes, as the native process would. */
bool sched_idle(void);
/* Is @t waiting for a signal (stopped, pause, sigsuspend, sigtimedwait)? */
bool task_waits_outside(const struct task *t);
/* The descriptor a signal from outside makes readable (emu/hostsig.c). */
void sched_set_outside_fd(int fd);
/* The signals the host forwards to guests (emu/hostsig.c). A task that
 * handles one never runs without the block hook: only at a block start can
 * a slice be ended safely for the handler to run (emu_interrupt). */
void sched_set_outside_signals(uint64_t mask);
/* Print the tasks and what each waits on (deadlock report). */
void sched_report(void);

#endif
