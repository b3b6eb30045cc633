/* Checkpoints as paused forks (see checkpoint.h). */
#include "emu/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/reverse.h"
#include "kernelmodel/rr.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define MAX_CKPT 256

static struct {
	struct ckpt ck[MAX_CKPT];
	int n;
	int sup;          /* the supervisor's pipe (write end) */
	int death;        /* read end: hangs up when the supervisor is gone */
	int reply[2];     /* scans answer here */
} cp = {.sup = -1, .death = -1, .reply = {-1, -1}};

struct sup_msg {
	int32_t op; /* 'H' handover, 'L' live */
	int32_t pid;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* ---- the supervisor ---- */

static volatile sig_atomic_t forward_sig;

static void on_forward(int sig)
{
	forward_sig = sig;
}

static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	if (lo > 3)
		syscall(SYS_close_range, 3u, (unsigned)lo - 1, 0u);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0u);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0u);
}

static void supervise(pid_t live, int sup_r, int death_w)
{
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	struct sigaction sa = {.sa_handler = on_forward};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_all_but(sup_r, death_w);
	int pfd = (int)syscall(SYS_pidfd_open, live, 0);
	for (;;) {
		struct pollfd f[2] = {{.fd = sup_r, .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		int r = poll(f, pfd >= 0 ? 2 : 1, -1);
		if (forward_sig) {
			if (live > 0)
				kill(live, forward_sig);
			forward_sig = 0;
		}
		if (r < 0)
			continue;
		if (f[0].revents & POLLIN) { /* messages before deaths: a handover says so first */
			struct sup_msg m;
			if (read_all(sup_r, &m, sizeof(m)))
				break;
			if (pfd >= 0)
				close(pfd);
			pfd = -1;
			live = m.op == 'L' ? m.pid : 0;
			if (live > 0)
				pfd = (int)syscall(SYS_pidfd_open, live, 0);
			continue;
		}
		if (f[0].revents & POLLHUP)
			break; /* nobody left to write */
		if (pfd >= 0 && f[1].revents)
			break;
	}
	close(death_w); /* the checkpoints exit; the last runner's zombie comes to us */
	int st, status = 1 << 8;
	pid_t p;
	while ((p = waitpid(-1, &st, 0)) > 0 || (p < 0 && errno == EINTR))
		if (p > 0 && p == live)
			status = st;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

int ckpt_init(void)
{
	int sup[2], death[2];
	if (pipe2(sup, O_CLOEXEC))
		return -1;
	if (pipe2(death, O_CLOEXEC) || pipe2(cp.reply, O_CLOEXEC) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		close(sup[0]);
		close(sup[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		supervise(pid, sup[0], death[1]);
	close(sup[0]);
	close(death[1]);
	cp.sup = sup[1];
	cp.death = death[0];
	return 0;
}

static void tell_supervisor(int op)
{
	struct sup_msg m = {op, (int32_t)getpid()};
	if (cp.sup >= 0)
		write_all(cp.sup, &m, sizeof(m));
}

void ckpt_handover(void)
{
	tell_supervisor('H');
}

void ckpt_now_live(void)
{
	tell_supervisor('L');
}

/* ---- checkpoints ---- */

static void drop(int i)
{
	struct ck_msg m = {.op = CK_DIE};
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	write_all(cp.ck[i].req, &m, sizeof(m));
	signal(SIGPIPE, old);
	close(cp.ck[i].req);
	memmove(&cp.ck[i], &cp.ck[i + 1], (size_t)(cp.n - i - 1) * sizeof(cp.ck[0]));
	cp.n--;
}

void ckpt_drop_from(int i)
{
	while (cp.n > i && i >= 0)
		drop(cp.n - 1);
}

int ckpt_count(void)
{
	return cp.n;
}

const struct ckpt *ckpt_get(int i)
{
	return i >= 0 && i < cp.n ? &cp.ck[i] : NULL;
}

/* Until process @pid has exited. The answers of every request come back
 * on the one reply pipe, which the fork that takes over inherits: it must
 * not run before the sender has read the ack, or its first scan reads the
 * ack as its answer (and the sender the scan's, then resumes another
 * checkpoint: two machines live). */
static void wait_gone(pid_t pid)
{
	int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (fd < 0)
		return; /* gone already */
	struct pollfd f[2] = {{.fd = fd, .events = POLLIN}, {.fd = cp.death, .events = POLLIN}};
	while (poll(f, 2, -1) < 0 && errno == EINTR)
		;
	close(fd);
	if (f[1].revents)
		_exit(0);
}

/* The paused checkpoint: wait for a request; run one forward in a fork. */
static void paused(int req_r, long rr_pos)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old); /* nothing from outside lands in the copy */
	for (;;) {
		struct pollfd f[2] = {{.fd = req_r, .events = POLLIN}, {.fd = cp.death, .events = POLLIN}};
		if (poll(f, 2, -1) < 0)
			continue;
		if (f[1].revents)
			_exit(0);
		struct ck_msg m;
		if (!(f[0].revents & POLLIN) || read_all(req_r, &m, sizeof(m)) || m.op == CK_DIE)
			_exit(0);
		struct stop_rec *recs = calloc(m.nrec + 1, sizeof(*recs));
		uint64_t bps[REVERSE_MAX_BP];
		if (!recs || m.nbp < 0 || m.nbp > REVERSE_MAX_BP ||
		    read_all(req_r, recs, (m.nrec + 1) * sizeof(*recs)) ||
		    read_all(req_r, bps, (size_t)m.nbp * sizeof(*bps)))
			_exit(0);
		if (m.op == CK_RESUME) { /* taken: the sender reads this and exits */
			struct scan_result ack = {.found = 3};
			write_all(cp.reply[1], &ack, sizeof(ack));
			wait_gone(m.from);
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			close(req_r);
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (rr_reopen(rr_pos, true)) {
				fprintf(stderr, "cloneemu: reverse: cannot reopen the recording\n");
				_exit(1);
			}
			if (m.op == CK_RESUME)
				ckpt_now_live();
			reverse_take_request(&m, recs, bps);
			free(recs);
			return;
		}
		free(recs);
		if (pid > 0 && m.op == CK_SCAN)
			waitpid(pid, NULL, 0); /* it answers */
	}
}

/* Which checkpoint goes when there are too many: the one whose neighbours
 * are closest together (never the first nor the newest). */
static void thin(void)
{
	int best = 1;
	uint64_t gap = UINT64_MAX;
	for (int i = 1; i + 1 < cp.n; i++) {
		uint64_t g = cp.ck[i + 1].icount - cp.ck[i - 1].icount;
		if (g < gap) {
			gap = g;
			best = i;
		}
	}
	drop(best);
}

void ckpt_take(uint64_t icount, size_t nlog, bool at_stop, int tid, int max)
{
	if (max > MAX_CKPT)
		max = MAX_CKPT;
	while (cp.n >= max && cp.n >= 3)
		thin();
	if (cp.n >= MAX_CKPT)
		return;
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return;
	struct ckpt c = {.icount = icount, .req = p[1], .nlog = nlog, .rr_pos = rr_position(),
			 .at_stop = at_stop, .stop_tid = tid};
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	c.pid = pid ? pid : getpid();
	cp.ck[cp.n++] = c;
	if (pid > 0) {
		close(p[0]);
		return;
	}
	paused(p[0], c.rr_pos);
}

int ckpt_send(int i, const struct ck_msg *m, const struct stop_rec *recs,
	      const struct stop_rec *now, const uint64_t *bps)
{
	struct ck_msg msg = *m;
	msg.from = (int32_t)getpid();
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int r = write_all(cp.ck[i].req, &msg, sizeof(msg));
	if (!r)
		r = write_all(cp.ck[i].req, recs, m->nrec * sizeof(*recs));
	if (!r)
		r = write_all(cp.ck[i].req, now, sizeof(*now));
	if (!r)
		r = write_all(cp.ck[i].req, bps, (size_t)m->nbp * sizeof(*bps));
	signal(SIGPIPE, old);
	return r;
}

/* The answer to a request to checkpoint @i, or -1 when it exits first
 * (it was being dropped: a request behind its CK_DIE is never read). A
 * dead checkpoint stays a zombie (nobody reaps before the end), so its pid
 * still names it. */
int ckpt_wait(int i, struct scan_result *r)
{
	int pfd = (int)syscall(SYS_pidfd_open, cp.ck[i].pid, 0);
	for (;;) {
		struct pollfd f[2] = {{.fd = cp.reply[0], .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		int n = poll(f, pfd >= 0 ? 2 : 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		int ret = -1;
		if (n > 0 && (f[0].revents & POLLIN))
			ret = read_all(cp.reply[0], r, sizeof(*r));
		if (pfd >= 0)
			close(pfd);
		return ret;
	}
}

void ckpt_scan_answer(const struct scan_result *r)
{
	write_all(cp.reply[1], r, sizeof(*r));
}
