/* timerfd after fs/timerfd.c. The timer is an hrtimer on the scheduler's
 * clock (virtual or host, as --clock says); an absolute CLOCK_REALTIME
 * setting is converted to it when armed. Each expiration adds to ticks; a
 * periodic timer that fires late counts every period that passed. */
#include "kernelmodel/timerfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/files.h"
#include "kernelmodel/hrtimer.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

struct timerfd_ctx {
	struct hrtimer t;
	uint64_t interval; /* ns, 0: one-shot */
	uint64_t ticks;    /* expirations not yet read */
	int clockid;
	int settime_flags;
	bool canceled;     /* TFD_TIMER_CANCEL_ON_SET and the clock was set */
	uint64_t gen;
	struct timerfd_ctx *next_cancel, **pprev_cancel; /* CANCEL_ON_SET list */
};

static const struct anon_file_ops timerfd_fops;
static struct timerfd_ctx *cancel_list;

static void cancel_list_del(struct timerfd_ctx *ctx)
{
	if (!ctx->pprev_cancel)
		return;
	*ctx->pprev_cancel = ctx->next_cancel;
	if (ctx->next_cancel)
		ctx->next_cancel->pprev_cancel = ctx->pprev_cancel;
	ctx->next_cancel = NULL;
	ctx->pprev_cancel = NULL;
}

static void timerfd_changed(struct timerfd_ctx *ctx)
{
	ctx->gen++;
	wake_up(ctx);
	wake_up(&poll_chan);
}

/* timerfd_tmrproc plus the forwarding timerfd_read does for periodic timers. */
static void timerfd_tmrproc(struct hrtimer *h, uint64_t now)
{
	struct timerfd_ctx *ctx = (struct timerfd_ctx *)h;
	uint64_t n = 1;
	if (ctx->interval) {
		n += (now - h->expires) / ctx->interval;
		hrtimer_start(h, h->expires + n * ctx->interval);
	}
	ctx->ticks += n;
	timerfd_changed(ctx);
}

/* Bring the timer up to date with the clock before looking at it. */
static void timerfd_update(struct timerfd_ctx *ctx)
{
	uint64_t now = now_ns();
	if (ctx->t.queued && ctx->t.expires <= now) {
		hrtimer_cancel(&ctx->t);
		timerfd_tmrproc(&ctx->t, now);
	}
}

static long timerfd_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct timerfd_ctx *ctx = f->priv;
	if (count < sizeof(uint64_t))
		return -EINVAL;
	timerfd_update(ctx);
	if (ctx->canceled) {
		ctx->ticks = 0;
		ctx->canceled = false; /* reported once, as timerfd_canceled() */
		return -ECANCELED;
	}
	if (!ctx->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return sleep_on(t, ctx, "timerfd read");
	}
	uint64_t ticks = ctx->ticks;
	ctx->ticks = 0;
	ctx->gen++;
	/* timerfd_read_iter: copy_to_iter, so a buffer that ends early gets
	 * what fits and that count is the result (the ticks are consumed). */
	size_t n = copy_to_guest_prefix(t->mm, buf, &ticks, sizeof(ticks));
	return n ? (long)n : -EFAULT;
}

static short timerfd_poll(struct task *t, struct file *f)
{
	(void)t;
	struct timerfd_ctx *ctx = f->priv;
	timerfd_update(ctx);
	return ctx->ticks || ctx->canceled ? POLLIN | POLLRDNORM : 0;
}

static uint64_t timerfd_gen(struct file *f)
{
	return ((struct timerfd_ctx *)f->priv)->gen;
}

void timerfd_gettime_ns(struct file *f, uint64_t *value, uint64_t *interval)
{
	struct timerfd_ctx *ctx = f->priv;
	timerfd_update(ctx);
	uint64_t now = now_ns();
	*value = ctx->t.queued ? (ctx->t.expires > now ? ctx->t.expires - now : 1) : 0;
	*interval = ctx->interval;
}

static int timerfd_show_fdinfo(struct file *f, char *buf, size_t len)
{
	struct timerfd_ctx *ctx = f->priv;
	uint64_t value, interval;
	timerfd_gettime_ns(f, &value, &interval);
	return snprintf(buf, len,
			"clockid: %d\nticks: %llu\nsettime flags: 0%o\nit_value: (%llu, %llu)\n"
			"it_interval: (%llu, %llu)\n",
			ctx->clockid, (unsigned long long)ctx->ticks, (unsigned)ctx->settime_flags,
			(unsigned long long)(value / 1000000000ull),
			(unsigned long long)(value % 1000000000ull),
			(unsigned long long)(interval / 1000000000ull),
			(unsigned long long)(interval % 1000000000ull));
}

static void timerfd_release(struct file *f)
{
	struct timerfd_ctx *ctx = f->priv;
	hrtimer_cancel(&ctx->t);
	cancel_list_del(ctx);
	free(ctx);
}

static const struct anon_file_ops timerfd_fops = {
	.name = "[timerfd]",
	.read = timerfd_read,
	.poll = timerfd_poll,
	.gen = timerfd_gen,
	.show_fdinfo = timerfd_show_fdinfo,
	.release = timerfd_release,
};

int file_is_timerfd(const struct file *f)
{
	return f->kind == FILE_ANON && f->aops == &timerfd_fops;
}

/* The clock clock_read() knows for @clockid (the alarm clocks read as
 * their base clocks). */
static clockid_t base_clock(int clockid)
{
	return clockid == CLOCK_REALTIME_ALARM   ? CLOCK_REALTIME
	       : clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
						 : (clockid_t)clockid;
}

/* An absolute time on @clk on the scheduler's clock; one in the past stays
 * in the past, so a periodic timer counts the periods since. */
static uint64_t abs_to_sched(clockid_t clk, uint64_t abs_ns)
{
	struct timespec ts;
	clock_read(clk, &ts);
	uint64_t cur = timespec_to_ns((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec), now = now_ns();
	if (abs_ns >= cur)
		return deadline_after(abs_ns - cur);
	return cur - abs_ns < now ? now - (cur - abs_ns) : 1;
}

void timerfd_settime_ns(struct file *f, int flags, uint64_t value, uint64_t interval,
			uint64_t *old_value, uint64_t *old_interval)
{
	struct timerfd_ctx *ctx = f->priv;
	timerfd_gettime_ns(f, old_value, old_interval);
	hrtimer_cancel(&ctx->t);
	cancel_list_del(ctx);
	ctx->ticks = 0;
	ctx->canceled = false;
	ctx->settime_flags = flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET);
	ctx->interval = interval;
	bool realtime = ctx->clockid == CLOCK_REALTIME || ctx->clockid == CLOCK_REALTIME_ALARM;
	if ((flags & TFD_TIMER_ABSTIME) && (flags & TFD_TIMER_CANCEL_ON_SET) && realtime) {
		ctx->next_cancel = cancel_list;
		if (cancel_list)
			cancel_list->pprev_cancel = &ctx->next_cancel;
		cancel_list = ctx;
		ctx->pprev_cancel = &cancel_list;
	}
	if (value) {
		uint64_t expires = (flags & TFD_TIMER_ABSTIME)
					   ? abs_to_sched(base_clock(ctx->clockid), value)
					   : deadline_after(value);
		if (expires) /* 0: beyond KTIME_MAX, never fires */
			hrtimer_start(&ctx->t, expires);
		else
			ctx->t.expires = 0;
		timerfd_update(ctx); /* an expiry in the past counts at once */
	}
	ctx->gen++;
}

void timerfd_clock_was_set(void)
{
	for (struct timerfd_ctx *ctx = cancel_list; ctx; ctx = ctx->next_cancel)
		if (ctx->t.queued) {
			ctx->canceled = true;
			timerfd_changed(ctx);
		}
}

struct file *timerfd_file_create(int clockid, int flags)
{
	struct timerfd_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->clockid = clockid;
	ctx->t.function = timerfd_tmrproc;
	struct file *f = anon_inode_getfile(&timerfd_fops, ctx, flags & O_NONBLOCK);
	if (!f)
		free(ctx);
	return f;
}
