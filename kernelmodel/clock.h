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

/* Before clock_init: the virtual CLOCK_REALTIME starts at @sec seconds
 * after the epoch instead of the host's time (--epoch; @sec at most
 * CLOCK_EPOCH_MAX, so the clock has centuries to run before KTIME_MAX). */
#define CLOCK_EPOCH_MAX 4102444800ull /* 2100-01-01 */
void clock_set_epoch(uint64_t sec);
void clock_init(bool virtual_time);
bool clock_is_virtual(void);
/* The scheduler's clock in ns: deadlines of sleeps, futexes and timers. */
uint64_t now_ns(void);
/* Virtual time passes (no-op with host time). */
void clock_advance(uint64_t ns);
/* clock_settime(CLOCK_REALTIME): the virtual realtime clock jumps to
 * @ns; the host's clock is never set (-EPERM with --clock=host). */
int clock_set_realtime(uint64_t ns);
/* The guest's reading of @clk. 0 or -EINVAL for an unknown clock. */
int clock_read(clockid_t clk, struct timespec *ts);
/* Convert an absolute time on @clk to a scheduler deadline (see
 * deadline_after). */
uint64_t clock_to_sched(clockid_t clk, uint64_t abs_ns);

/* The time-stamp counter a guest reads with RDTSC/RDTSCP. Virtual: 1 tick
 * per ns of the monotonic clock (a 1 GHz TSC), and each read moves the
 * clock on by VCLOCK_TSC_READ_NS, so a loop waiting on the TSC ends. With
 * --clock=host: the host's TSC, recorded and replayed. */
#define VCLOCK_TSC_READ_NS 20
uint64_t clock_read_tsc(void);

/* Linux's KTIME_MAX: a longer time is "forever". */
#define KTIME_MAX ((uint64_t)INT64_MAX)
/* @sec s + @nsec ns (nsec < 1e9) in ns, saturating at KTIME_MAX as
 * timespec64_to_ktime() does: huge timeouts never wrap into short ones. */
static inline uint64_t timespec_to_ns(uint64_t sec, uint64_t nsec)
{
	return sec >= KTIME_MAX / 1000000000ull ? KTIME_MAX : sec * 1000000000ull + nsec;
}
/* The scheduler deadline @ns from now: never 0, or 0 (no deadline: the
 * wait lasts until something else ends it) when it is beyond KTIME_MAX. */
uint64_t deadline_after(uint64_t ns);

#endif
