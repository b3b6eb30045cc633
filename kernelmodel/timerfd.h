/* timerfd (fs/timerfd.c): a timer whose expirations are read from a file. */
#ifndef KERNELMODEL_TIMERFD_H
#define KERNELMODEL_TIMERFD_H

#include <stdint.h>
#include <time.h>

struct file;
struct task;

/* A new timerfd on @clockid (checked by the caller), O_NONBLOCK in @flags;
 * NULL on ENOMEM. */
struct file *timerfd_file_create(int clockid, int flags);
/* Is @f a timerfd? */
int file_is_timerfd(const struct file *f);
/* timerfd_settime on @f: @flags TFD_TIMER_ABSTIME/CANCEL_ON_SET, values in
 * ns (checked by the caller); the old setting into *@old_value/@old_interval. */
void timerfd_settime_ns(struct file *f, int flags, uint64_t value, uint64_t interval,
			uint64_t *old_value, uint64_t *old_interval);
/* timerfd_gettime: ns until the next expiration (0: disarmed) and the interval. */
void timerfd_gettime_ns(struct file *f, uint64_t *value, uint64_t *interval);
/* The realtime clock was set (clock_settime): cancel TFD_TIMER_CANCEL_ON_SET timers. */
void timerfd_clock_was_set(void);

#endif
