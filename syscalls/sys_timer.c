/* POSIX timers (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete) and times(): decoding for
 * kernelmodel/posix_timers.c and kernelmodel/cputime.c. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/posix_timers.h"
#include "syscalls/sys.h"

/* x86_64's struct sigevent: the value, signo, notify, then a union whose
 * first member is the target thread id; 64 bytes in all. */
struct guest_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	uint8_t pad[64 - 20];
};

SYS(timer_create)
{
	struct k_sigevent ev;
	if (a[1]) {
		struct guest_sigevent g;
		if (copy_from_guest(t->mm, &g, a[1], sizeof(g)))
			return -EFAULT;
		ev = (struct k_sigevent){g.value, g.signo, g.notify, g.tid};
	} else {
		/* No sigevent: SIGALRM with the timer id as its value. */
		ev = (struct k_sigevent){0, SIGALRM, SIGEV_SIGNAL, 0};
	}
	int id;
	long r = posix_timer_create(t, (int)a[0], &ev, &id);
	if (r)
		return r;
	if (!a[1])
		posix_timer_set_value(t, id, (uint64_t)id);
	if (copy_to_guest(t->mm, a[2], &id, sizeof(id))) {
		posix_timer_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

static bool timespec_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
}

static long put_its(struct task *t, gva_t dst, uint64_t value, uint64_t interval)
{
	struct itimerspec its;
	ns_to_ts(value, &its.it_value);
	ns_to_ts(interval, &its.it_interval);
	return copy_to_guest(t->mm, dst, &its, sizeof(its)) ? -EFAULT : 0;
}

SYS(timer_settime)
{
	struct itimerspec its;
	if (!a[2])
		return -EINVAL;
	if (copy_from_guest(t->mm, &its, a[2], sizeof(its)))
		return -EFAULT;
	if (!timespec_ok(&its.it_value) || !timespec_ok(&its.it_interval))
		return -EINVAL;
	uint64_t ov, oi;
	long r = posix_timer_settime(
		t, (int)a[0], (int)a[1],
		timespec_to_ns((uint64_t)its.it_value.tv_sec, (uint64_t)its.it_value.tv_nsec),
		timespec_to_ns((uint64_t)its.it_interval.tv_sec, (uint64_t)its.it_interval.tv_nsec),
		&ov, &oi);
	if (r)
		return r;
	return a[3] ? put_its(t, a[3], ov, oi) : 0;
}

SYS(timer_gettime)
{
	uint64_t v, i;
	long r = posix_timer_gettime(t, (int)a[0], &v, &i);
	return r ? r : put_its(t, a[1], v, i);
}

SYS(timer_getoverrun)
{
	return posix_timer_getoverrun(t, (int)a[0]);
}

SYS(timer_delete)
{
	return posix_timer_delete(t, (int)a[0]);
}

/* times(2): the process's and its reaped children's CPU times in clock
 * ticks (USER_HZ 100), and the ticks since boot. */
SYS(times)
{
	if (a[0]) {
		struct rusage self, children;
		task_getrusage(t, RUSAGE_SELF, &self);
		task_getrusage(t, RUSAGE_CHILDREN, &children);
#define TICKS(tv) ((clock_t)((tv).tv_sec * 100 + (tv).tv_usec / 10000))
		struct tms tms = {TICKS(self.ru_utime), TICKS(self.ru_stime),
				  TICKS(children.ru_utime), TICKS(children.ru_stime)};
#undef TICKS
		if (copy_to_guest(t->mm, a[0], &tms, sizeof(tms)))
			return -EFAULT;
	}
	struct timespec ts;
	clock_read(CLOCK_BOOTTIME, &ts);
	return (long)(ts.tv_sec * 100 + ts.tv_nsec / 10000000);
}
