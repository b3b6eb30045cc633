/* --chaos in the emulator: where the PCT scheduler's steps come from and
 * how a task is preempted between two instructions.
 *
 * While several tasks exist, a code hook on every instruction lets a
 * preemption take effect before any instruction (Unicorn honours a stop
 * requested by a code hook before the instruction executes; a stop from a
 * memory hook only takes effect at the end of the block, with the CPU state
 * half-updated). With the shared points (--chaos=shared) a memory hook reports
 * the data accesses of a task whose mm has other users (CLONE_VM) as steps,
 * but for those addressed from rsp or rbp (its own locals) and with a run
 * of accesses to other places of one page counted once; the hook sees
 * physical addresses, so the instruction is decoded (Capstone, cached per
 * address) for the virtual one. A change point there preempts the task
 * after that instruction. A change point at the load of a read-modify-write
 * instruction without LOCK on such a page splits it: the instruction runs,
 * its store is undone and made when the task runs again, so other tasks run
 * between the load and the store as they would on another CPU. */
#ifndef EMU_CHAOS_H
#define EMU_CHAOS_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* Once, at engine start. */
void chaos_init(void);
/* Before @t runs a slice of @slice blocks (0: alone, no hooks): arm or
 * disarm the hooks, make a split instruction's pending store, preempt at
 * once when a higher-priority task is runnable. */
void chaos_before_run(struct task *t, uint64_t slice);
/* @t executes a syscall instruction (a step). */
void chaos_syscall(struct task *t);
/* Single-stepping (gdb, the stepper): no preemption from the hooks. */
void chaos_suspend(bool suspended);

#endif
