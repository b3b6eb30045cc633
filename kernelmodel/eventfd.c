/* eventfd after fs/eventfd.c: reads take the whole count (or 1 with
 * EFD_SEMAPHORE) and sleep while it is 0; writes add and sleep while the
 * sum would reach ULLONG_MAX. */
#include "kernelmodel/eventfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

struct eventfd_ctx {
	uint64_t count;
	unsigned int flags; /* EFD_SEMAPHORE */
	int id;             /* eventfd-id in fdinfo */
	uint64_t gen;       /* EPOLLET */
};

static int eventfd_ids;

static void eventfd_changed(struct eventfd_ctx *ctx)
{
	ctx->gen++;
	wake_up(ctx);
	wake_up(&poll_chan);
}

static long eventfd_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct eventfd_ctx *ctx = f->priv;
	if (count < sizeof(uint64_t))
		return -EINVAL;
	if (!ctx->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return sleep_on(t, ctx, "eventfd read");
	}
	uint64_t ucnt = (ctx->flags & EFD_SEMAPHORE_MODEL) ? 1 : ctx->count;
	ctx->count -= ucnt;
	eventfd_changed(ctx);
	/* Linux consumes first and copies after: a bad buffer loses the value. */
	if (copy_to_guest(t->mm, buf, &ucnt, sizeof(ucnt)))
		return -EFAULT;
	return sizeof(ucnt);
}

static long eventfd_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct eventfd_ctx *ctx = f->priv;
	uint64_t ucnt;
	if (count < sizeof(ucnt))
		return -EINVAL;
	if (copy_from_guest(t->mm, &ucnt, buf, sizeof(ucnt)))
		return -EFAULT;
	if (ucnt == UINT64_MAX)
		return -EINVAL;
	if (UINT64_MAX - ctx->count <= ucnt) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		return sleep_on(t, ctx, "eventfd write");
	}
	ctx->count += ucnt;
	if (ucnt)
		eventfd_changed(ctx);
	return sizeof(ucnt);
}

static short eventfd_poll(struct task *t, struct file *f)
{
	(void)t;
	const struct eventfd_ctx *ctx = f->priv;
	short re = 0;
	if (ctx->count > 0)
		re |= POLLIN | POLLRDNORM;
	if (ctx->count == UINT64_MAX)
		re |= POLLERR;
	if (UINT64_MAX - 1 > ctx->count)
		re |= POLLOUT | POLLWRNORM;
	return re;
}

static uint64_t eventfd_gen(struct file *f)
{
	return ((struct eventfd_ctx *)f->priv)->gen;
}

static int eventfd_show_fdinfo(struct file *f, char *buf, size_t len)
{
	const struct eventfd_ctx *ctx = f->priv;
	return snprintf(buf, len, "eventfd-count: %16llx\neventfd-id: %d\neventfd-semaphore: %d\n",
			(unsigned long long)ctx->count, ctx->id, !!(ctx->flags & EFD_SEMAPHORE_MODEL));
}

static void eventfd_release(struct file *f)
{
	struct eventfd_ctx *ctx = f->priv;
	wake_up(ctx); /* nobody can sleep on it any more; be safe */
	free(ctx);
}

static const struct anon_file_ops eventfd_fops = {
	.name = "[eventfd]",
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.gen = eventfd_gen,
	.show_fdinfo = eventfd_show_fdinfo,
	.release = eventfd_release,
};

struct file *eventfd_file_create(unsigned int count, int flags)
{
	struct eventfd_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->count = count;
	ctx->flags = flags & EFD_SEMAPHORE_MODEL;
	ctx->id = eventfd_ids++;
	struct file *f = anon_inode_getfile(&eventfd_fops, ctx, flags & O_NONBLOCK);
	if (!f)
		free(ctx);
	return f;
}
