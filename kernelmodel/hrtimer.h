/* High-resolution timers (kernel/time/hrtimer.c, much reduced): a list of
 * armed timers on the scheduler's clock (now_ns()), fired between slices
 * and when the machine idles. ITIMER_REAL/alarm, timerfd and POSIX timers
 * arm them. */
#ifndef KERNELMODEL_HRTIMER_H
#define KERNELMODEL_HRTIMER_H

#include <stdbool.h>
#include <stdint.h>

struct hrtimer {
	uint64_t expires; /* now_ns() domain; meaningful while queued */
	/* Called once the expiry has come (the timer is dequeued first; the
	 * callback may start it again). */
	void (*function)(struct hrtimer *timer, uint64_t now);
	bool queued;
	struct hrtimer *next, *prev;
};

void hrtimer_start(struct hrtimer *timer, uint64_t expires);
void hrtimer_cancel(struct hrtimer *timer);
/* Fire every timer whose expiry is <= @now, earliest first. */
void hrtimer_run(uint64_t now);
/* The earliest expiry, 0 if none. */
uint64_t hrtimer_next(void);

#endif
