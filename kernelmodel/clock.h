/* Time as guests see it. By default it is virtual: a clock that advances
 * by a fixed amount per syscall and per unit of preempted guest work, and
 * jumps to the next deadline when every task sleeps — so a run does not
 * depend on how fast the host is, sleeps cost no wall time, and the same
 * run gives the same times. --clock=host uses the host's clocks instead. */
#ifndef KERNELMODEL_CLOCK_H
#define KERNELMODEL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define VCLOCK_SYSCALL_NS 1000 /* what one syscall costs on the virtual clock */
#define VCLOCK_BLOCK_NS 10     /* ... and one basic block of preempted guest code */

void clock_init(bool virtual_time);
bool clock_is_virtual(void);
/* The scheduler's clock in ns: deadlines of sleeps, futexes and timers. */
uint64_t now_ns(void);
/* Virtual time passes (no-op with host time). */
void clock_advance(uint64_t ns);
/* The guest's reading of @clk. 0 or -EINVAL for an unknown clock. */
int clock_read(clockid_t clk, struct timespec *ts);
/* Convert an absolute time on @clk to the scheduler's clock. */
uint64_t clock_to_sched(clockid_t clk, uint64_t abs_ns);

#endif
