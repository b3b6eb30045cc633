#include "kernelmodel/clock.h"

#include <errno.h>
#include <x86intrin.h>

#include "kernelmodel/rr.h"

#define MONO_BASE_NS (1000ull * 1000000000ull) /* the virtual machine "booted" 1000 s ago */

static struct {
	bool virt;
	uint64_t vnow;          /* virtual ns since start */
	uint64_t realtime_base; /* CLOCK_REALTIME at start: the host's, or --epoch */
	bool epoch_set;
	uint64_t epoch_ns;
} clk = {.virt = true};

void clock_set_epoch(uint64_t sec)
{
	clk.epoch_set = true;
	clk.epoch_ns = sec * 1000000000ull;
}

static uint64_t host_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void clock_init(bool virtual_time)
{
	/* The clock's kind is part of a recording: a replay needs no --clock. */
	uint8_t v = virtual_time;
	rr_bytes(&v, sizeof(v));
	clk.virt = v;
	clk.vnow = 0;
	/* Recorded either way: a replay starts where the recording did. */
	clk.realtime_base = clk.epoch_set && clk.virt ? clk.epoch_ns : host_ns(CLOCK_REALTIME);
	rr_bytes(&clk.realtime_base, sizeof(clk.realtime_base));
}

bool clock_is_virtual(void)
{
	return clk.virt;
}

uint64_t now_ns(void)
{
	return clk.virt ? MONO_BASE_NS + clk.vnow : host_ns(CLOCK_MONOTONIC);
}

void clock_advance(uint64_t ns)
{
	if (clk.virt)
		clk.vnow += ns;
}

int clock_set_realtime(uint64_t ns)
{
	if (!clk.virt)
		return -EPERM; /* cloneemu does not set the machine's clock */
	clk.realtime_base = ns - clk.vnow; /* unsigned: a time before start wraps back */
	return 0;
}

static bool realtime_clock(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE || c == CLOCK_TAI;
}

int clock_read(clockid_t c, struct timespec *ts)
{
	uint64_t ns;
	switch (c) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		break;
	default:
		return -EINVAL;
	}
	if (!clk.virt) {
		/* The host's answer, part of a recording. */
		if (!rr_replaying)
			clock_gettime(c, ts);
		rr_bytes(ts, sizeof(*ts));
		return 0;
	}
	if (realtime_clock(c))
		ns = clk.realtime_base + clk.vnow;
	else if (c == CLOCK_PROCESS_CPUTIME_ID || c == CLOCK_THREAD_CPUTIME_ID)
		ns = clk.vnow; /* every task "ran" the whole time: not modeled finer */
	else
		ns = MONO_BASE_NS + clk.vnow;
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
	return 0;
}

uint64_t clock_read_tsc(void)
{
	if (!clk.virt)
		return (uint64_t)(rr_replaying ? rr_value() : rr_note((long)__rdtsc()));
	clk.vnow += VCLOCK_TSC_READ_NS;
	return MONO_BASE_NS + clk.vnow;
}

uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = now_ns(); /* never 0: the clocks start long after boot */
	return ns >= KTIME_MAX || ns >= KTIME_MAX - now ? 0 : now + ns;
}

uint64_t clock_to_sched(clockid_t c, uint64_t abs_ns)
{
	struct timespec ts;
	clock_read(c, &ts);
	uint64_t cur = timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
	return deadline_after(abs_ns > cur ? abs_ns - cur : 0);
}
