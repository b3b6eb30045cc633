/* poll, ppoll, select, pselect6. Readiness of model files (pipes, /proc
 * directories) comes from the model; host descriptors are asked with a
 * zero-timeout host poll. A caller that must wait sleeps on poll_chan (every
 * pipe change wakes it), its deadline and its host descriptors. */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysmacros.h>
#include <sys/select.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/eventpoll.h"
#include "kernelmodel/files.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/sys.h"

/* The wait of the syscall in progress, kept across its retries. */
struct poll_wait {
	struct pollfd *host; /* host descriptors to watch while asleep */
	int nhost;
};

static short pipe_revents(const struct file *f)
{
	const struct pipe *p = f->pipe;
	short re = 0;
	/* pipe_poll: no hang-up for a FIFO reader before its first writer. */
	if (!f->write_end)
		re |= (p->len ? POLLIN | POLLRDNORM : 0) |
		      (!p->writers && f->f_pipe != p->w_counter ? POLLHUP : 0);
	if (f->write_end || f->pipe_rdwr) {
		re |= p->size - p->len >= PIPE_BUF_ATOMIC ? POLLOUT | POLLWRNORM : 0;
		if (!p->readers)
			re |= POLLERR;
	}
	return re;
}

/* The task polling (a signalfd is ready by the poller's pending signals). */
static struct task *current_poller;

/* The readiness of @f for @events (poll bits), as its f_op->poll would
 * say; host descriptors are asked with a zero-timeout poll and, when @w
 * is given, remembered for the sleep. */
static short file_revents(struct file *f, short events, struct poll_wait *w)
{
	short re;
	switch (f->kind) {
	case FILE_PIPE:
		re = pipe_revents(f);
		break;
	case FILE_DIR:
		re = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
		break;
	case FILE_EPOLL:
		re = 0; /* nested epoll readiness is not modeled */
		break;
	case FILE_PIDFD:
		/* Readable once the process has exited (pidfd_poll). */
		re = task_is_alive(f->task) ? 0 : POLLIN | POLLRDNORM;
		break;
	case FILE_SOCKET:
		re = unix_poll(f->sk, events);
		break;
	case FILE_ANON:
		re = f->aops->poll(current_poller, f);
		break;
	default: {
		struct pollfd h = {f->host_fd, events, 0};
		long pr = host_poll_now(&h);
		rr_bytes(&h.revents, sizeof(h.revents));
		re = pr > 0 ? h.revents : 0;
		if (w)
			w->host[w->nhost++] = (struct pollfd){f->host_fd, events, 0};
	}
	}
	return re & (events | POLLERR | POLLHUP | POLLNVAL);
}

/* Fill fds[i].revents for every entry; returns how many are ready. Host
 * descriptors are collected into @w for the sleep. */
static int poll_scan(struct task *t, struct pollfd *fds, unsigned n, struct poll_wait *w)
{
	int ready = 0;
	current_poller = t;
	w->nhost = 0;
	for (unsigned i = 0; i < n; i++) {
		struct pollfd *p = &fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		struct file *f = files_lookup(t->files, p->fd);
		p->revents = f ? file_revents(f, p->events, w) : POLLNVAL;
		if (p->revents)
			ready++;
	}
	return ready;
}

/* One attempt: ready count, 0 at the deadline, or -EKBLOCK (asleep).
 * @timeout_ns: -1 for none, else relative; fixed on the first attempt. */
static long do_poll(struct task *t, struct pollfd *fds, unsigned n, int64_t timeout_ns,
		    const char *why)
{
	if (!t->restarting)
		t->restart_deadline = timeout_ns < 0 ? 0 : deadline_after((uint64_t)timeout_ns);
	free(t->poll_host);
	t->poll_host = malloc((n ? n : 1) * sizeof(struct pollfd));
	if (!t->poll_host)
		return -ENOMEM;
	struct poll_wait w = {t->poll_host, 0};
	int ready = poll_scan(t, fds, n, &w);
	if (ready || timeout_ns == 0 || (t->restart_deadline && now_ns() >= t->restart_deadline))
		return ready;
	return sleep_poll(t, &poll_chan, t->restart_deadline, w.host, w.nhost, why);
}

static long poll_common(struct task *t, gva_t gfds, uint64_t nfds, int64_t timeout_ns,
			const char *why)
{
	if (nfds > t->files->nofile || nfds > 1u << 20)
		return -EINVAL;
	struct pollfd *fds = malloc((nfds ? nfds : 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	long r = -EFAULT;
	if (copy_from_guest(t->mm, fds, gfds, nfds * sizeof(*fds)))
		goto out;
	r = do_poll(t, fds, (unsigned)nfds, timeout_ns, why);
	/* The results go back under user_write_access_begin: access_ok
	 * on the array even when it is empty. */
	if (r >= 0 && (gfds + nfds * sizeof(*fds) > TASK_SIZE ||
		       copy_to_guest(t->mm, gfds, fds, nfds * sizeof(*fds))))
		r = -EFAULT;
out:
	free(fds);
	return r;
}

/* An optional timeout: -1 in *@ns when @gts is NULL (wait forever). */
static long timespec_arg(struct task *t, gva_t gts, int64_t *ns)
{
	uint64_t v;
	*ns = -1;
	if (!gts)
		return 0;
	long r = get_user_timespec_ns(t, gts, &v);
	if (!r)
		*ns = (int64_t)v;
	return r;
}

/* ppoll/pselect6's signal mask: in force while the call waits, restored
 * after it (or after the handler that interrupts it, as rt_sigsuspend). */
static long set_wait_mask(struct task *t, gva_t gmask, uint64_t size)
{
	uint64_t mask;
	if (!gmask || t->restarting)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (copy_from_guest(t->mm, &mask, gmask, 8))
		return -EFAULT;
	t->saved_sigmask = t->sig_blocked;
	t->restore_sigmask = true;
	t->sig_blocked = mask & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return 0;
}

static long end_wait_mask(struct task *t, long r)
{
	if (r != -EKBLOCK && t->restore_sigmask && !signal_pending(t)) {
		t->sig_blocked = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return r;
}

SYS(poll)
{
	int ms = (int)a[2];
	return poll_common(t, a[0], a[1], ms < 0 ? -1 : ms * 1000000ll, "poll");
}

SYS(ppoll)
{
	int64_t ns;
	long r = timespec_arg(t, a[2], &ns);
	if (r || (r = set_wait_mask(t, a[3], a[4])))
		return r;
	return end_wait_mask(t, poll_common(t, a[0], a[1], ns, "ppoll"));
}

/* select's fd_sets as poll entries, and the answer back into the sets. */
static long select_common(struct task *t, int nfds, gva_t grd, gva_t gwr, gva_t gex,
			  int64_t timeout_ns, const char *why)
{
	if (nfds < 0 || (unsigned)nfds > t->files->nofile)
		return -EINVAL;
	size_t bytes = ((size_t)nfds + 63) / 64 * 8;
	fd_set sets[3];
	gva_t g[3] = {grd, gwr, gex};
	if (bytes > sizeof(fd_set))
		return -EINVAL; /* more than FD_SETSIZE descriptors: not modeled */
	for (int k = 0; k < 3; k++) {
		FD_ZERO(&sets[k]);
		if (g[k] && bytes && copy_from_guest(t->mm, &sets[k], g[k], bytes))
			return -EFAULT;
	}
	struct pollfd fds[FD_SETSIZE];
	unsigned n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (FD_ISSET(fd, &sets[0]) ? POLLIN : 0) | (FD_ISSET(fd, &sets[1]) ? POLLOUT : 0) |
			   (FD_ISSET(fd, &sets[2]) ? POLLPRI : 0);
		if (ev)
			fds[n++] = (struct pollfd){fd, ev, 0};
	}
	long r = do_poll(t, fds, n, timeout_ns, why);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++)
		if (fds[i].revents & POLLNVAL)
			return -EBADF;
	for (int k = 0; k < 3; k++)
		FD_ZERO(&sets[k]);
	long count = 0;
	for (unsigned i = 0; i < n; i++) {
		short re = fds[i].revents;
		if ((fds[i].events & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR)))
			FD_SET(fds[i].fd, &sets[0]), count++;
		if ((fds[i].events & POLLOUT) && (re & (POLLOUT | POLLERR)))
			FD_SET(fds[i].fd, &sets[1]), count++;
		if ((fds[i].events & POLLPRI) && (re & POLLPRI))
			FD_SET(fds[i].fd, &sets[2]), count++;
	}
	for (int k = 0; k < 3; k++)
		if (g[k] && bytes && copy_to_guest(t->mm, g[k], &sets[k], bytes))
			return -EFAULT;
	return count;
}

SYS(select)
{
	int64_t ns = -1;
	if (a[4]) {
		struct timeval tv;
		if (copy_from_guest(t->mm, &tv, a[4], sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* poll_select_set_timeout(): microseconds past a second carry. */
		uint64_t sec = (uint64_t)tv.tv_sec + (uint64_t)tv.tv_usec / 1000000;
		ns = (int64_t)timespec_to_ns(sec < (uint64_t)tv.tv_sec ? KTIME_MAX : sec,
					     (uint64_t)(tv.tv_usec % 1000000) * 1000);
	}
	long r = select_common(t, (int)a[0], a[1], a[2], a[3], ns, "select");
	if (r >= 0 && a[4]) {
		/* Linux writes back the time left. */
		uint64_t now = now_ns(), d = t->restart_deadline;
		uint64_t left = !d ? KTIME_MAX : d > now ? d - now : 0; /* no deadline: forever */
		struct timeval tv = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull / 1000)};
		copy_to_guest(t->mm, a[4], &tv, sizeof(tv));
	}
	return r;
}

SYS(pselect6)
{
	int64_t ns;
	long r = timespec_arg(t, a[4], &ns);
	if (r)
		return r;
	if (a[5]) {
		uint64_t sig[2]; /* { const sigset_t *ss; size_t ss_len; } */
		if (copy_from_guest(t->mm, sig, a[5], sizeof(sig)))
			return -EFAULT;
		if ((r = set_wait_mask(t, sig[0], sig[1])))
			return r;
	}
	return end_wait_mask(t, select_common(t, (int)a[0], a[1], a[2], a[3], ns, "pselect6"));
}

/* ---- epoll ---- */

struct guest_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

static long epoll_create_file(struct task *t, int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct file *f = file_epoll_alloc(0);
	if (!f)
		return -ENOMEM;
	long fd = files_install(t->files, f, 0, flags & EPOLL_CLOEXEC);
	file_put(f);
	return fd;
}

SYS(epoll_create)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return epoll_create_file(t, 0);
}

SYS(epoll_create1)
{
	return epoll_create_file(t, (int)a[0]);
}

SYS(epoll_ctl)
{
	struct file *ef = files_lookup(t->files, (int)a[0]);
	struct file *f = files_lookup(t->files, (int)a[2]);
	int op = (int)a[1];
	struct guest_epoll_event ev = {0, 0};
	/* do_epoll_ctl's order: the event, both descriptors, a target that
	 * cannot be polled (regular files, directories, the memory devices
	 * /dev/null, /dev/zero...: EPERM), then the epoll file itself. */
	if (op != EPOLL_CTL_DEL && copy_from_guest(t->mm, &ev, a[3], sizeof(ev)))
		return -EFAULT;
	if (!ef || !f)
		return -EBADF;
	if ((f->kind == FILE_HOST && (f->is_regular || major(f->rdev) == 1)) || f->kind == FILE_DIR)
		return -EPERM;
	if (ef == f || ef->kind != FILE_EPOLL)
		return -EINVAL;
	/* EPOLLEXCLUSIVE: at ADD only, with in/out/err/hup/et/wakeup bits, and
	 * not on an epoll file. The model wakes every waiter, which
	 * EPOLLEXCLUSIVE allows ("one or more"). */
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		uint32_t ok = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |
			      EPOLLEXCLUSIVE;
		if (op == EPOLL_CTL_MOD || f->kind == FILE_EPOLL || (ev.events & ~ok))
			return -EINVAL;
	}
	/* A loop of epoll instances, or a chain too deep: ELOOP (before EEXIST). */
	if (op == EPOLL_CTL_ADD && f->kind == FILE_EPOLL && eventpoll_loop_check(ef->ep, f->ep))
		return -ELOOP;
	struct epitem *it = eventpoll_find(ef->ep, f, (int)a[2]);
	switch (op) {
	case EPOLL_CTL_ADD:
		return eventpoll_add(ef->ep, f, (int)a[2], ev.events | EPOLLERR | EPOLLHUP, ev.data);
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		it->events = ev.events | EPOLLERR | EPOLLHUP;
		it->data = ev.data;
		it->disabled = false;
		it->seen_gen = (uint64_t)-1;
		return 0;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		eventpoll_del(ef->ep, it);
		return 0;
	default:
		return -EINVAL;
	}
}

/* One scan of the interest list; ready events go to the guest's array. */
static long epoll_scan(struct task *t, struct eventpoll *ep, gva_t gevents, int max,
		       struct poll_wait *w)
{
	int n = 0;
	current_poller = t;
	for (int i = 0; i < ep->n && n < max; i++) {
		struct epitem *it = &ep->items[i];
		if (it->disabled)
			continue;
		short re = file_revents(it->file, (short)(it->events & 0xffff), w);
		if (!re)
			continue;
		/* EPOLLET: only readiness that is new since the last report
		 * (model pipes count changes; host descriptors stay level). */
		bool et = (it->events & EPOLLET) && (it->file->kind == FILE_PIPE ||
						     it->file->kind == FILE_SOCKET ||
						     (it->file->kind == FILE_ANON && it->file->aops->gen));
		uint64_t gen = 0;
		if (et) {
			gen = it->file->kind == FILE_PIPE     ? it->file->pipe->gen
			      : it->file->kind == FILE_SOCKET ? it->file->sk->gen
							      : it->file->aops->gen(it->file);
			if (it->seen_gen == gen)
				continue;
		}
		/* ep_send_events: an event that cannot be stored (unsafe_put_user,
		 * nothing written) stays ready, EPOLLONESHOT still armed. */
		struct guest_epoll_event ev = {(uint32_t)(uint16_t)re, it->data};
		if (put_guest(t->mm, gevents + (uint64_t)n * sizeof(ev), &ev, sizeof(ev)))
			return n ? n : -EFAULT;
		if (et)
			it->seen_gen = gen;
		if (it->events & EPOLLONESHOT)
			it->disabled = true;
		n++;
	}
	return n;
}

static long do_epoll_wait(struct task *t, int epfd, gva_t gevents, int max, int64_t timeout_ns)
{
	if (max <= 0 || max > (1 << 26))
		return -EINVAL;
	uint64_t end = gevents + (uint64_t)max * sizeof(struct guest_epoll_event);
	if (end < gevents || end > TASK_SIZE)
		return -EFAULT; /* access_ok, before the descriptor */
	struct file *ef = files_lookup(t->files, epfd);
	if (!ef)
		return -EBADF;
	if (ef->kind != FILE_EPOLL)
		return -EINVAL;
	if (!t->restarting)
		t->restart_deadline = timeout_ns < 0 ? 0 : deadline_after((uint64_t)timeout_ns);
	free(t->poll_host);
	t->poll_host = malloc((ef->ep->n ? ef->ep->n : 1) * sizeof(struct pollfd));
	if (!t->poll_host)
		return -ENOMEM;
	struct poll_wait w = {t->poll_host, 0};
	long n = epoll_scan(t, ef->ep, gevents, max, &w);
	if (n || timeout_ns == 0 || (t->restart_deadline && now_ns() >= t->restart_deadline))
		return n;
	return sleep_poll(t, &poll_chan, t->restart_deadline, w.host, w.nhost, "epoll_wait");
}

SYS(epoll_wait)
{
	int ms = (int)a[3];
	return do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ms < 0 ? -1 : ms * 1000000ll);
}

SYS(epoll_pwait)
{
	long r = set_wait_mask(t, a[4], a[5]);
	if (r)
		return r;
	int ms = (int)a[3];
	return end_wait_mask(t, do_epoll_wait(t, (int)a[0], a[1], (int)a[2],
					     ms < 0 ? -1 : ms * 1000000ll));
}

SYS(epoll_pwait2)
{
	int64_t ns;
	long r = timespec_arg(t, a[3], &ns);
	if (r || (r = set_wait_mask(t, a[4], a[5])))
		return r;
	return end_wait_mask(t, do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ns));
}
