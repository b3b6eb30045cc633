/* Time and randomness. Clocks read the model's clock (kernelmodel/clock.c:
 * virtual by default); random bytes from kernelmodel/random.c (the
 * seeded stream, or with --random=host the host's through the
 * record/replay log). */
#include <sys/random.h>
#include <limits.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <linux/capability.h>
#include <time.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/timerfd.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/random.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "syscalls/sys.h"

static bool valid_clock(clockid_t c)
{
	switch (c) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return true;
	default:
		return false;
	}
}

SYS(clock_gettime)
{
	struct timespec ts;
	int clk = (int)a[0];
	if (clk < 0 || clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID) {
		/* CPU clocks: the model's accounting (kernelmodel/cputime.c). */
		uint64_t ns;
		int e = cpu_clock_read(t, clk, &ns);
		if (e)
			return e;
		ts.tv_sec = (time_t)(ns / 1000000000ull);
		ts.tv_nsec = (long)(ns % 1000000000ull);
		return copy_to_guest(t->mm, a[1], &ts, sizeof(ts));
	}
	int r = clock_read((clockid_t)a[0], &ts);
	return r ? r : copy_to_guest(t->mm, a[1], &ts, sizeof(ts));
}

SYS(clock_getres)
{
	struct timespec ts;
	if ((int)a[0] < 0) {
		/* A clock_getcpuclockid clock: 1 ns, if it names a task. */
		uint64_t ns;
		int e = cpu_clock_read(t, (int)a[0], &ns);
		if (e)
			return e;
		ts = (struct timespec){0, 1};
		return a[1] ? copy_to_guest(t->mm, a[1], &ts, sizeof(ts)) : 0;
	}
	if (!valid_clock((clockid_t)a[0]))
		return -EINVAL;
	if (clock_getres((clockid_t)a[0], &ts))
		return -errno;
	return a[1] ? copy_to_guest(t->mm, a[1], &ts, sizeof(ts)) : 0;
}

/* do_sys_settimeofday64 for CLOCK_REALTIME: CAP_SYS_TIME, a valid time,
 * then every TFD_TIMER_CANCEL_ON_SET timerfd is cancelled (clock_was_set). */
static long set_realtime(struct task *t, uint64_t sec, int64_t nsec)
{
	if ((int64_t)sec < 0 || nsec < 0 || nsec >= 1000000000 || sec >= 8277292036ull)
		return -EINVAL; /* timespec64_valid_settod: before 1970 or after 2232 */
	if (!capable(t, CAP_SYS_TIME))
		return -EPERM;
	long r = clock_set_realtime(sec * 1000000000ull + (uint64_t)nsec);
	if (!r)
		timerfd_clock_was_set();
	return r;
}

SYS(clock_settime)
{
	struct timespec ts;
	/* do_clock_settime: the clock's clock_set before the time is read. */
	if ((clockid_t)a[0] != CLOCK_REALTIME)
		return -EINVAL; /* only the realtime clock can be set */
	if (copy_from_guest(t->mm, &ts, a[1], sizeof(ts)))
		return -EFAULT;
	return set_realtime(t, (uint64_t)ts.tv_sec, ts.tv_nsec);
}

SYS(settimeofday)
{
	struct timeval tv;
	struct timezone tz;
	if (a[0] && copy_from_guest(t->mm, &tv, a[0], sizeof(tv)))
		return -EFAULT;
	if (a[0] && (tv.tv_usec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (a[1]) {
		if (copy_from_guest(t->mm, &tz, a[1], sizeof(tz)))
			return -EFAULT;
		if (tz.tz_minuteswest < -15 * 60 || tz.tz_minuteswest > 15 * 60)
			return -EINVAL;
		return -EOPNOTSUPP; /* the kernel's timezone (sys_tz) is not modeled */
	}
	if (!a[0])
		return 0;
	return set_realtime(t, (uint64_t)tv.tv_sec, tv.tv_usec * 1000);
}

SYS(gettimeofday)
{
	struct timespec ts;
	clock_read(CLOCK_REALTIME, &ts);
	struct timeval tv = {ts.tv_sec, ts.tv_nsec / 1000};
	if (a[0] && put_guest(t->mm, a[0], &tv, sizeof(tv))) /* put_user per field */
		return -EFAULT;
	if (a[1]) {
		struct timezone tz = {0, 0};
		if (copy_to_guest(t->mm, a[1], &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

SYS(time)
{
	struct timespec ts;
	clock_read(CLOCK_REALTIME, &ts);
	int64_t now = ts.tv_sec;
	if (a[0] && put_guest(t->mm, a[0], &now, sizeof(now)))
		return -EFAULT;
	return now;
}

long get_user_timespec_ns(struct task *t, uint64_t gts, uint64_t *ns)
{
	struct timespec ts;
	if (copy_from_guest(t->mm, &ts, gts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
	return 0;
}

/* A timed sleep in the scheduler: the deadline is fixed on the first
 * attempt and kept across the retries. Signal handlers interrupt it with
 * EINTR and the time left (syscalls/sys_signal.c). */
static long sleep_for(struct task *t, clockid_t clk, int flags, uint64_t greq)
{
	if (!t->restarting) {
		uint64_t want;
		long r = get_user_timespec_ns(t, greq, &want);
		if (r)
			return r;
		t->restart_deadline = flags & TIMER_ABSTIME ? clock_to_sched(clk, want) : deadline_after(want);
	}
	/* No deadline: a sleep past KTIME_MAX, which only a signal ends. */
	if (t->restart_deadline && now_ns() >= t->restart_deadline)
		return 0;
	return sleep_until(t, NULL, t->restart_deadline, "nanosleep");
}

SYS(nanosleep)
{
	return sleep_for(t, CLOCK_MONOTONIC, 0, a[0]);
}

/* posix_cpu_nsleep: until a process CPU clock reaches the time. The
 * sleeper's own process accrues no time while it sleeps (its other threads
 * may): the clock is looked at again every millisecond of (virtual) time. */
static long cpu_nsleep(struct task *t, int clk, int flags, uint64_t greq)
{
	uint64_t now;
	long r = cpu_clock_read(t, clk, &now);
	if (r)
		return r;
	if (!t->restarting) {
		uint64_t want;
		if ((r = get_user_timespec_ns(t, greq, &want)))
			return r;
		t->restart_done = flags & TIMER_ABSTIME ? want : now + want;
	}
	if (now >= t->restart_done)
		return 0;
	return sleep_until(t, NULL, deadline_after(1000000), "clock_nanosleep");
}

SYS(clock_nanosleep)
{
	clockid_t c = (clockid_t)a[0];
	int flags = (int)(a[1] & TIMER_ABSTIME); /* other bits are ignored, as Linux */
	if (c == CLOCK_THREAD_CPUTIME_ID || (c < 0 && (c & 4)))
		return -EOPNOTSUPP; /* thread CPU clocks cannot be slept on */
	if (c == CLOCK_PROCESS_CPUTIME_ID || c < 0)
		return cpu_nsleep(t, (int)c, flags, a[2]);
	if (c != CLOCK_REALTIME && c != CLOCK_MONOTONIC && c != CLOCK_BOOTTIME && c != CLOCK_TAI)
		return valid_clock(c) ? -ENOTSUP : -EINVAL;
	return sleep_for(t, c, flags, a[2]);
}

SYS(getrandom)
{
	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((a[2] & GRND_INSECURE) && (a[2] & GRND_RANDOM))
		return -EINVAL;
	uint8_t buf[256];
	if (a[0] + a[1] < a[0] || a[0] + a[1] > TASK_SIZE)
		return -EFAULT; /* import_ubuf's access_ok, even for 0 bytes */
	size_t len = a[1] > (1u << 25) ? (1u << 25) : a[1], done = 0;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		/* The seeded stream, or the host's bytes (recorded): never blocks,
		 * as Linux once its pool is initialized. */
		get_random_bytes(buf, n);
		size_t c = copy_to_guest_prefix(t->mm, a[0] + done, buf, n);
		done += c;
		if (c < n) /* copy_to_iter: what fits before the fault */
			return done ? (long)done : -EFAULT;
	}
	return (long)done;
}

/* ---- adjtimex: the NTP state of kernel/time/ntp.c ----
 * The model's clock is not disciplined: what would steer it (a frequency,
 * a PLL or adjtime slew, a tick length other than 10000 us) is not
 * supported (EOPNOTSUPP, README). The bookkeeping (status, errors, time
 * constant, TAI offset, nano/micro units) is kept and reported, and
 * ADJ_SETOFFSET steps CLOCK_REALTIME as clock_settime does. */

#define NTP_PHASE_LIMIT 16000000l
#define ADJ_ADJTIME 0x8000         /* the kernel's names within ADJ_OFFSET_SINGLESHOT */
#define ADJ_OFFSET_READONLY 0x2000 /* ... and ADJ_OFFSET_SS_READ */
#define MAX_TAI_OFFSET 100000
#define PPM_SCALE 65536ll
#define USER_TICK_USEC 10000 /* USEC_PER_SEC / USER_HZ */

static struct {
	bool init;
	int status, tai;
	long maxerror, esterror, constant;
} ntp;

static long do_adjtimex(struct task *t, uint64_t utx)
{
	struct timex tx;
	if (!ntp.init)
		ntp = (typeof(ntp)){true, STA_UNSYNC, 0, NTP_PHASE_LIMIT, NTP_PHASE_LIMIT, 2};
	if (copy_from_guest(t->mm, &tx, utx, sizeof(tx)))
		return -EFAULT;
	unsigned modes = tx.modes;
	/* timekeeping_validate_timex */
	if (modes & ADJ_ADJTIME) {
		if ((modes & ADJ_OFFSET_SINGLESHOT) != ADJ_OFFSET_SINGLESHOT)
			return -EINVAL; /* single-shot with other mode bits */
		if (!(modes & ADJ_OFFSET_READONLY) && !capable(t, CAP_SYS_TIME))
			return -EPERM;
	} else {
		if (modes && !capable(t, CAP_SYS_TIME))
			return -EPERM;
		if ((modes & ADJ_TICK) && (tx.tick < 900000 / 100 || tx.tick > 1100000 / 100))
			return -EINVAL;
	}
	if (modes & ADJ_SETOFFSET) {
		if (!capable(t, CAP_SYS_TIME))
			return -EPERM;
		if (tx.time.tv_usec < 0 || tx.time.tv_usec >= ((modes & ADJ_NANO) ? 1000000000 : 1000000))
			return -EINVAL;
	}
	if ((modes & ADJ_FREQUENCY) && (LLONG_MIN / PPM_SCALE > tx.freq || LLONG_MAX / PPM_SCALE < tx.freq))
		return -EINVAL;
	/* What would discipline the clock. */
	if (modes & ADJ_ADJTIME) {
		if (!(modes & ADJ_OFFSET_READONLY) && tx.offset)
			return -EOPNOTSUPP;
	} else if (((modes & ADJ_FREQUENCY) && tx.freq) || ((modes & ADJ_TICK) && tx.tick != USER_TICK_USEC) ||
		   ((modes & ADJ_OFFSET) && tx.offset &&
		    (((modes & ADJ_STATUS) ? tx.status : ntp.status) & STA_PLL))) {
		return -EOPNOTSUPP;
	}
	if (modes & ADJ_SETOFFSET) {
		struct timespec now;
		clock_read(CLOCK_REALTIME, &now);
		int64_t ns = (int64_t)now.tv_sec * 1000000000ll + now.tv_nsec + tx.time.tv_sec * 1000000000ll +
			     ((modes & ADJ_NANO) ? tx.time.tv_usec : tx.time.tv_usec * 1000);
		if (ns < 0)
			return -EINVAL;
		long r = clock_set_realtime((uint64_t)ns);
		if (r)
			return r;
		timerfd_clock_was_set();
	}
	/* process_adjtimex_modes */
	if (!(modes & ADJ_ADJTIME)) {
		if (modes & ADJ_STATUS) {
			if ((ntp.status & STA_PLL) && !(tx.status & STA_PLL))
				ntp.status = STA_UNSYNC;
			ntp.status = (ntp.status & STA_RONLY) | (tx.status & ~STA_RONLY);
		}
		if (modes & ADJ_NANO)
			ntp.status |= STA_NANO;
		if (modes & ADJ_MICRO)
			ntp.status &= ~STA_NANO;
		if (modes & ADJ_MAXERROR)
			ntp.maxerror = tx.maxerror < 0 ? 0 : tx.maxerror > NTP_PHASE_LIMIT ? NTP_PHASE_LIMIT : tx.maxerror;
		if (modes & ADJ_ESTERROR)
			ntp.esterror = tx.esterror < 0 ? 0 : tx.esterror > NTP_PHASE_LIMIT ? NTP_PHASE_LIMIT : tx.esterror;
		if (modes & ADJ_TIMECONST) {
			long c = tx.constant < 0 ? 0 : tx.constant > MAXTC ? MAXTC : tx.constant;
			if (!(ntp.status & STA_NANO))
				c += 4;
			ntp.constant = c > MAXTC ? MAXTC : c;
		}
		if ((modes & ADJ_TAI) && tx.constant >= 0 && tx.constant <= MAX_TAI_OFFSET)
			ntp.tai = (int)tx.constant;
	}
	/* The state back: no slew in progress, no frequency correction. */
	struct timespec now;
	clock_read(CLOCK_REALTIME, &now);
	tx.offset = 0;
	tx.freq = 0;
	tx.maxerror = ntp.maxerror;
	tx.esterror = ntp.esterror;
	tx.status = ntp.status;
	tx.constant = ntp.constant;
	tx.precision = 1;
	tx.tolerance = 500 * PPM_SCALE; /* MAXFREQ_SCALED / PPM_SCALE */
	tx.tick = USER_TICK_USEC;
	tx.ppsfreq = tx.jitter = tx.stabil = 0;
	tx.shift = 0;
	tx.jitcnt = tx.calcnt = tx.errcnt = tx.stbcnt = 0;
	tx.tai = ntp.tai;
	tx.time.tv_sec = now.tv_sec;
	tx.time.tv_usec = (ntp.status & STA_NANO) ? now.tv_nsec : now.tv_nsec / 1000;
	if (copy_to_guest(t->mm, utx, &tx, sizeof(tx)))
		return -EFAULT;
	return (ntp.status & (STA_UNSYNC | STA_CLOCKERR)) ? TIME_ERROR : TIME_OK;
}

SYS(adjtimex)
{
	return do_adjtimex(t, a[0]);
}

/* glibc's adjtimex and adjtime. Only CLOCK_REALTIME has a clock_adj;
 * another valid clock (a CPU clock too) is EOPNOTSUPP. */
SYS(clock_adjtime)
{
	int clk = (int)a[0];
	if (clk == CLOCK_REALTIME)
		return do_adjtimex(t, a[1]);
	if (clk < 0) {
		uint64_t ns;
		int e = cpu_clock_read(t, clk, &ns);
		return e ? e : -EOPNOTSUPP;
	}
	return valid_clock((clockid_t)clk) ? -EOPNOTSUPP : -EINVAL;
}
