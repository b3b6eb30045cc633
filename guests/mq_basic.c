/*
 * mq_basic: POSIX message queues (mq_open & co., ipc/mqueue.c).
 *   - messages come out highest priority first, FIFO within a priority;
 *     mq_getattr's curmsgs, mq_setattr's O_NONBLOCK (EAGAIN both ways);
 *   - a blocking mq_receive woken by another process's mq_send, and a
 *     blocking mq_send on a full queue woken by a receive; timeouts
 *     (ETIMEDOUT) on CLOCK_REALTIME;
 *   - mq_notify SIGEV_SIGNAL: the signal with si_code SI_MESGQ and the
 *     value when a message reaches the empty queue, once; EBUSY for a
 *     second registration; poll, select and epoll see POLLIN/POLLOUT;
 *     read() gives the QSIZE line;
 *   - errno cases: EEXIST, ENOENT, EACCES (a '/' in the name, another
 *     user's queue to open or unlink), EINVAL (attributes, priority), EMSGSIZE, EBADF.
 * Names carry the pid, so parallel native runs do not meet.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>

#define EXPECT_ERR(call, want, code, what)                                  \
	do {                                                                \
		long r_ = (long)(call);                                     \
		expect_errno(r_, errno, want, code, what);                  \
	} while (0)

static char name[64];
static volatile sig_atomic_t got_sig, got_code, got_val;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_val = si->si_value.sival_int;
}

static void wait_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100000; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = 0;
		char *s = strrchr(buf, ')');
		if (s && s[1] == ' ' && s[2] == 'S')
			return;
		sched_yield();
	}
}

static const char *rcv(mqd_t q)
{
	static char out[128];
	char buf[8192];
	unsigned prio = 99;
	ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
	if (n < 0)
		return errno == ETIMEDOUT ? "ETIMEDOUT" : errno_name(errno);
	snprintf(out, sizeof(out), "%.*s/%u", (int)n, buf, prio);
	return out;
}

static void expect_rcv(mqd_t q, const char *want, int code, const char *what)
{
	const char *got = rcv(q);
	check(!strcmp(got, want), code, "%s: %s%s%s", what, got, strcmp(got, want) ? " want " : "",
	      strcmp(got, want) ? want : "");
}

int main(void)
{
	snprintf(name, sizeof(name), "/cloneemu-mq-%d", (int)getpid());
	mq_unlink(name);
	struct mq_attr attr = {0, 4, 64, 0, {0}};
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	need(q != (mqd_t)-1, 1, "mq_open");
	EXPECT_ERR(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), EEXIST, 2, "O_EXCL");
	struct mq_attr got;
	expect_eq(mq_getattr(q, &got), 0, 3, "mq_getattr");
	check(got.mq_maxmsg == 4 && got.mq_msgsize == 64 && got.mq_curmsgs == 0 && got.mq_flags == 0,
	      4, "attributes 4 x 64, empty, blocking");

	expect_eq(mq_send(q, "low", 3, 1), 0, 5, "send prio 1");
	expect_eq(mq_send(q, "high", 4, 7), 0, 6, "send prio 7");
	expect_eq(mq_send(q, "low2", 4, 1), 0, 7, "send prio 1 again");
	expect_eq(mq_send(q, "mid", 3, 3), 0, 8, "send prio 3");
	expect_eq(mq_getattr(q, &got), 0, 9, "mq_getattr");
	expect_eq(got.mq_curmsgs, 4, 10, "4 queued");
	struct pollfd p = {q, POLLIN | POLLOUT, 0};
	expect_eq(poll(&p, 1, 0), 1, 11, "poll");
	expect_eq(p.revents, POLLIN, 12, "full: POLLIN only");
	fd_set rs, ws;
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(q, &rs);
	FD_SET(q, &ws);
	struct timeval tv0 = {0, 0};
	expect_eq(select(q + 1, &rs, &ws, NULL, &tv0), 1, 60, "select: one ready");
	check(FD_ISSET(q, &rs) && !FD_ISSET(q, &ws), 61, "select: readable, not writable");
	int ep = epoll_create1(0);
	struct epoll_event ee = {.events = EPOLLIN | EPOLLOUT, .data.fd = q}, out[2];
	expect_eq(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ee), 0, 62, "epoll_ctl ADD");
	expect_eq(epoll_wait(ep, out, 2, 0), 1, 63, "epoll_wait");
	expect_eq(out[0].events, EPOLLIN, 64, "epoll: EPOLLIN");
	struct mq_attr nb = {O_NONBLOCK, 0, 0, 0, {0}}, old;
	expect_eq(mq_setattr(q, &nb, &old), 0, 13, "mq_setattr O_NONBLOCK");
	EXPECT_ERR(mq_send(q, "x", 1, 0), EAGAIN, 14, "full, non-blocking");
	expect_rcv(q, "high/7", 15, "highest priority first");
	expect_rcv(q, "mid/3", 16, "then 3");
	expect_rcv(q, "low/1", 17, "then FIFO within 1");
	expect_rcv(q, "low2/1", 18, "last");
	expect_rcv(q, "EAGAIN", 19, "empty, non-blocking");
	nb.mq_flags = 0;
	expect_eq(mq_setattr(q, &nb, &old), 0, 20, "back to blocking");
	expect_eq(old.mq_flags, O_NONBLOCK, 21, "old flags");
	p.revents = 0;
	expect_eq(poll(&p, 1, 0), 1, 22, "poll");
	expect_eq(p.revents, POLLOUT, 23, "empty: POLLOUT only");
	expect_eq(epoll_wait(ep, out, 2, 0), 1, 65, "epoll_wait");
	expect_eq(out[0].events, EPOLLOUT, 66, "epoll: EPOLLOUT once empty");
	close(ep);

	/* Timeouts on CLOCK_REALTIME. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	char buf[64];
	EXPECT_ERR(mq_timedreceive(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT, 24, "receive times out");
	struct timespec badts = {0, 2000000000};
	EXPECT_ERR(mq_timedreceive(q, buf, sizeof(buf), NULL, &badts), EINVAL, 25, "bad tv_nsec");

	/* A blocking receive woken by another process. */
	pid_t c = guest_fork();
	if (c == 0) {
		const char *r = rcv(q);
		_exit(strcmp(r, "wake/5") ? 1 : 0);
	}
	wait_asleep(c);
	expect_eq(mq_send(q, "wake", 4, 5), 0, 26, "send to the sleeper");
	expect_status(c, "exited 0", 27, "blocked receiver got it");

	/* A blocking send on a full queue. */
	for (int i = 0; i < 4; i++)
		mq_send(q, "f", 1, 0);
	c = guest_fork();
	if (c == 0)
		_exit(mq_send(q, "late", 4, 9) == 0 ? 0 : 1);
	wait_asleep(c);
	expect_rcv(q, "f/0", 28, "make room");
	expect_status(c, "exited 0", 29, "blocked sender woken");
	expect_rcv(q, "late/9", 30, "its message, highest priority");
	for (int i = 0; i < 3; i++)
		rcv(q);

	/* mq_notify SIGEV_SIGNAL. */
	struct sigaction sa = {0};
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 4242;
	expect_eq(mq_notify(q, &ev), 0, 31, "mq_notify SIGEV_SIGNAL");
	c = guest_fork();
	if (c == 0) {
		struct sigevent e2 = {0};
		e2.sigev_notify = SIGEV_NONE;
		_exit(mq_notify(q, &e2) == -1 && errno == EBUSY ? 0 : 1);
	}
	expect_status(c, "exited 0", 32, "another process: EBUSY");
	c = guest_fork();
	if (c == 0)
		_exit(mq_send(q, "n", 1, 0) == 0 ? 0 : 1);
	expect_status(c, "exited 0", 33, "child sends to the empty queue");
	for (int i = 0; i < 100000 && !got_sig; i++)
		sched_yield();
	check(got_sig == SIGUSR1 && got_code == SI_MESGQ && got_val == 4242, 34,
	      "SIGUSR1 with SI_MESGQ and the value");
	got_sig = 0;
	rcv(q);
	mq_send(q, "m", 1, 0);
	check(got_sig == 0, 35, "the registration was used up");
	rcv(q);
	mq_send(q, "12345", 5, 0);
	mq_send(q, "678", 3, 0);
	expect_eq(mq_notify(q, &ev), 0, 36, "register again (queue not empty)");
	char line[128] = {0};
	ssize_t ln = read(q, line, sizeof(line) - 1);
	unsigned long qs = 9;
	int nt = -1, sg = -1, np = -1;
	check(ln > 0 && sscanf(line, "QSIZE:%lu NOTIFY:%d SIGNO:%d NOTIFY_PID:%d", &qs, &nt, &sg, &np) == 4,
	      67, "read(): the QSIZE line");
	check(qs == 8 && nt == SIGEV_SIGNAL && sg == SIGUSR1 && np == getpid(), 68,
	      "QSIZE 8, NOTIFY 0 (SIGEV_SIGNAL), SIGNO, NOTIFY_PID is ours (%lu %d %d)", qs, nt, sg);
	check(ln >= 60 && line[ln - 1] == '\n', 69, "60 bytes (more for a long pid): Linux's padding");
	expect_eq(read(q, line, sizeof(line)), 0, 70, "then end of file");
	rcv(q);
	rcv(q);
	got_sig = 0;
	expect_eq(mq_notify(q, NULL), 0, 37, "unregister");
	ev.sigev_notify = 77;
	EXPECT_ERR(mq_notify(q, &ev), EINVAL, 38, "bad sigev_notify");

	/* Errors. */
	EXPECT_ERR(mq_send(q, "x", 1, 32768), EINVAL, 39, "prio MQ_PRIO_MAX");
	char big[65] = {0};
	EXPECT_ERR(mq_send(q, big, 65, 0), EMSGSIZE, 40, "longer than mq_msgsize");
	EXPECT_ERR(mq_receive(q, buf, 63, NULL), EMSGSIZE, 41, "buffer below mq_msgsize");
	EXPECT_ERR(mq_send((mqd_t)1000, "x", 1, 0), EBADF, 42, "not a descriptor");
	EXPECT_ERR(mq_send((mqd_t)1, "x", 1, 0), EBADF, 43, "not a queue");
	mqd_t ro = mq_open(name, O_RDONLY);
	need(ro != (mqd_t)-1, 44, "open read-only");
	EXPECT_ERR(mq_send(ro, "x", 1, 0), EBADF, 45, "send on O_RDONLY");
	mq_close(ro);
	struct mq_attr bad = {0, 0, 64, 0, {0}};
	char n2[80];
	snprintf(n2, sizeof(n2), "%s-b", name);
	EXPECT_ERR(mq_open(n2, O_RDWR | O_CREAT, 0600, &bad), EINVAL, 46, "mq_maxmsg 0");
	bad.mq_maxmsg = 100000;
	EXPECT_ERR(mq_open(n2, O_RDWR | O_CREAT, 0600, &bad), EINVAL, 47, "mq_maxmsg above HARD_MSGMAX");
	EXPECT_ERR(mq_open(n2, O_RDWR), ENOENT, 48, "no such queue");
	EXPECT_ERR(mq_unlink(n2), ENOENT, 49, "unlink of no such queue");
	EXPECT_ERR(mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES, 50, "a slash inside");
	c = guest_fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		int code = 0;
		if (mq_open(name, O_RDONLY) != (mqd_t)-1 || errno != EACCES)
			code |= 1;
		if (mq_unlink(name) != -1 || errno != EACCES)
			code |= 2;
		_exit(code);
	}
	expect_status(c, "exited 0", 51, "uid 1000: open and unlink EACCES");

	/* Unlinked while open: the queue lives on. */
	expect_eq(mq_unlink(name), 0, 52, "mq_unlink");
	EXPECT_ERR(mq_open(name, O_RDWR), ENOENT, 53, "name gone");
	expect_eq(mq_send(q, "still", 5, 0), 0, 54, "open queue still works");
	expect_rcv(q, "still/0", 55, "and delivers");
	expect_eq(mq_close(q), 0, 56, "mq_close");
	return guest_finish();
}
