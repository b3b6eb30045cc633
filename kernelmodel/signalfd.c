/* signalfd after fs/signalfd.c. The file holds only a mask; reads and
 * polls look at the pending signals of the task that reads or polls
 * (thread-directed first, then the group's), and a read dequeues them as
 * delivery would, without running handlers. */
#include "kernelmodel/signalfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

struct signalfd_ctx {
	uint64_t sigmask;
};

static int nr_signalfds;  /* instances alive: notify does nothing without one */
static uint64_t notify_gen; /* EPOLLET: every queued signal is news */

void signalfd_notify(struct task *t, int sig)
{
	(void)t;
	(void)sig;
	if (!nr_signalfds)
		return;
	notify_gen++;
	wake_up(&poll_chan);
}

static uint64_t pending_of(const struct task *t)
{
	return t->sig_pending | t->signal->shared_pending;
}

static short signalfd_poll(struct task *t, struct file *f)
{
	const struct signalfd_ctx *ctx = f->priv;
	return t && (pending_of(t) & ctx->sigmask) ? POLLIN | POLLRDNORM : 0;
}

static uint64_t signalfd_gen(struct file *f)
{
	(void)f;
	return notify_gen;
}

/* Linux's signalfd_copyinfo: the fields of the siginfo layout only. */
static void copyinfo(struct signalfd_siginfo *ss, const struct ksiginfo *ki)
{
	memset(ss, 0, sizeof(*ss));
	ss->ssi_signo = (uint32_t)ki->signo;
	ss->ssi_code = ki->code;
	int sig = ki->signo, code = ki->code;
	bool fault = code > 0 && code < 0x80 &&
		     (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		      sig == SIGTRAP);
	if (fault) {
		ss->ssi_addr = ki->addr;
	} else if (sig == SIGCHLD && code > 0 && code < 0x80) {
		ss->ssi_pid = (uint32_t)ki->pid;
		ss->ssi_uid = (uint32_t)ki->uid;
		ss->ssi_status = ki->status;
		ss->ssi_utime = ki->utime;
		ss->ssi_stime = ki->stime;
	} else if (code == SI_TIMER) {
		ss->ssi_tid = (uint32_t)ki->pid;
		ss->ssi_overrun = (uint32_t)ki->uid;
		ss->ssi_ptr = ki->value;
		ss->ssi_int = (int32_t)ki->value;
	} else if (code < 0 && code != SI_SIGIO) {
		ss->ssi_pid = (uint32_t)ki->pid;
		ss->ssi_uid = (uint32_t)ki->uid;
		ss->ssi_ptr = ki->value;
		ss->ssi_int = (int32_t)ki->value;
	} else {
		ss->ssi_pid = (uint32_t)ki->pid;
		ss->ssi_uid = (uint32_t)ki->uid;
	}
}

/* dequeue_signal for @mask: the thread's own signals first, then the
 * group's; synchronous (fault) signals before others, then the lowest. */
static int dequeue(struct task *t, uint64_t mask, struct ksiginfo *out)
{
	const uint64_t sync = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |
			      SIGBIT(SIGFPE) | SIGBIT(SIGSYS);
	for (int shared = 0; shared < 2; shared++) {
		uint64_t set = (shared ? t->signal->shared_pending : t->sig_pending) & mask;
		if (!set)
			continue;
		uint64_t pick = (set & sync) ? (set & sync) : set;
		int sig = __builtin_ctzll(pick) + 1;
		signal_take(t, shared, sig, out);
		return sig;
	}
	return 0;
}

static long signalfd_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct signalfd_ctx *ctx = f->priv;
	struct signalfd_siginfo ss;
	count /= sizeof(ss);
	if (!count)
		return -EINVAL;
	t->sigwait_set = 0;
	long done = 0;
	for (size_t i = 0; i < count; i++) {
		struct ksiginfo ki;
		if (!dequeue(t, ctx->sigmask, &ki))
			break;
		copyinfo(&ss, &ki);
		if (copy_to_guest(t->mm, buf + (uint64_t)done, &ss, sizeof(ss)))
			return done ? done : -EFAULT;
		done += sizeof(ss);
	}
	if (done)
		return done;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	/* Asleep until one of the mask's signals is queued for us (they are
	 * usually blocked: sigwait_set makes them wake the task). */
	t->sigwait_set = ctx->sigmask;
	return sleep_on(t, &t->sig_pending, "signalfd read");
}

static int signalfd_show_fdinfo(struct file *f, char *buf, size_t len)
{
	const struct signalfd_ctx *ctx = f->priv;
	return snprintf(buf, len, "sigmask:\t%016llx\n", (unsigned long long)ctx->sigmask);
}

static void signalfd_release(struct file *f)
{
	nr_signalfds--;
	free(f->priv);
}

static const struct anon_file_ops signalfd_fops = {
	.name = "[signalfd]",
	.read = signalfd_read,
	.poll = signalfd_poll,
	.gen = signalfd_gen,
	.show_fdinfo = signalfd_show_fdinfo,
	.release = signalfd_release,
};

int signalfd_set_mask(struct file *f, uint64_t mask)
{
	if (f->kind != FILE_ANON || f->aops != &signalfd_fops)
		return -EINVAL;
	((struct signalfd_ctx *)f->priv)->sigmask = mask;
	notify_gen++;
	wake_up(&poll_chan);
	return 0;
}

struct file *signalfd_file_create(uint64_t mask, int flags)
{
	struct signalfd_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->sigmask = mask;
	struct file *f = anon_inode_getfile(&signalfd_fops, ctx, flags & O_NONBLOCK);
	if (!f) {
		free(ctx);
		return NULL;
	}
	nr_signalfds++;
	return f;
}
