/* --chaos: a PCT scheduler (Burckhardt et al., "A randomized scheduler with
 * probabilistic guarantees of finding bugs", ASPLOS 2010).
 *
 * Every task gets a random priority when it is created; the highest-priority
 * runnable task runs. d-1 change points, drawn from the seed over the run's
 * length measured in steps, each lower the priority of the task that takes
 * that step below every initial priority. What a step is decides where the
 * change points can fall:
 *   uniform (default) every executed instruction;
 *   shared  a touch of memory another task can reach (the emulator reports
 *           them, emu/chaos.c) and every syscall (futex waits and wakes
 *           among them).
 * Steps count only while another task is runnable (a preemption with
 * nobody else to run changes nothing). The run's length is not known in
 * advance: it is given with steps=K (explore measures it first) or drawn
 * log-uniformly from the seed, and the change points uniformly below it.
 * A task that runs CHAOS_STARVE_BLOCKS blocks while another is runnable is
 * demoted below everyone (spin loops would otherwise never end).
 *
 * The same seed and options give the same schedule: nothing here depends on
 * the host. */
#ifndef KERNELMODEL_SCHED_CHAOS_H
#define KERNELMODEL_SCHED_CHAOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

#define CHAOS_MAX_DEPTH 64
/* Without depth=D, one change point per CHAOS_STEPS_PER_CHANGE steps of the
 * run, at least 7 (d = 8) and at most 63: with PCT's usual d = 3 a
 * check-then-act race was found in 0-4% of the runs (README). */
#define CHAOS_DEFAULT_DEPTH 8
#define CHAOS_STEPS_PER_CHANGE 12
#define CHAOS_MAX_SKIP 16
#define CHAOS_STARVE_BLOCKS 40000

enum chaos_points { CHAOS_SHARED, CHAOS_UNIFORM };
enum chaos_kind { CHAOS_MEM, CHAOS_SYSCALL, CHAOS_INSN };

extern bool chaos_enabled;

/* Parse --chaos's argument (NULL or "opt,opt..."): shared, uniform,
 * depth=D (1..16), steps=K, skip=I[:I...] (change points, from 1, not to
 * take: diagnose), log=FILE (change points and watched accesses, for
 * diagnose), watch=ADDR. 0 or -1 with a message in @err. */
int sched_chaos_configure(const char *opts, char *err, size_t errlen);
/* The options that decide the schedule go into a recording (rr_bytes);
 * then draw the priorities' generator and the change points from @seed. */
void sched_chaos_start(uint64_t seed);
enum chaos_points sched_chaos_points(void);

/* A new task: its random priority (sched_add). */
void sched_chaos_fork(struct task *t);
/* @t leaves the task list. */
void sched_chaos_remove(struct task *t);
/* The highest-priority runnable task, or NULL. */
struct task *sched_chaos_pick(void);
/* @t is about to run: true when a runnable task outranks it (the run
 * loop kept it on the CPU after a syscall that woke or created one). */
bool sched_chaos_run(struct task *t);
/* @t became runnable: when it outranks the running task, the running task
 * is preempted at its next instruction (through the emulator's hook). */
void sched_chaos_woken(struct task *t);
void sched_chaos_set_preempt_hook(void (*hook)(void));
/* The running task ran @blocks more (starvation guard). */
void sched_chaos_account(uint64_t blocks);

/* watch=ADDR: accesses to the 8 bytes around physical address ADDR are
 * logged, shared or not. */
extern bool chaos_watching;
extern uint64_t chaos_watch;
/* tracemem=N: every access to memory other tasks share is logged from
 * change point N until the task it preempted has made 64 more. */
extern bool chaos_tracing;
bool sched_chaos_tracemem(void);
static inline bool sched_chaos_watched(uint64_t addr)
{
	return chaos_watching && (addr & ~7ull) == (chaos_watch & ~7ull);
}

/* @t takes a step. Returns CHAOS_STEP_CHANGE when it is a change point
 * (the task's priority has been lowered: preempt it after this step; log
 * it with sched_chaos_note), 0 otherwise. */
#define CHAOS_STEP_CHANGE 1
int sched_chaos_step(struct task *t, enum chaos_kind kind, uint64_t addr);
/* At exit: the steps taken go to the log ("end steps N"; explore measures
 * a program's length with it). */
void sched_chaos_finish(void);
/* Log a change point or a watched access (only with log=FILE): @paddr is
 * the physical address the emulator saw, @vaddr the task's (0: unknown). */
void sched_chaos_note(struct task *t, enum chaos_kind kind, bool change, uint64_t rip,
		      uint64_t paddr, uint64_t vaddr, int size, bool write);

#endif
