/*
 * pidfd_basic: process file descriptors.
 *
 *   - clone3 with CLONE_PIDFD writes a pidfd to clone_args.pidfd; legacy
 *     clone with CLONE_PIDFD writes it where parent_tid points;
 *   - pidfds are close-on-exec (fcntl F_GETFD shows FD_CLOEXEC);
 *   - poll() on a pidfd is not readable while the child lives (it blocks on
 *     a pipe until we close our end) and becomes POLLIN when it exits;
 *     epoll reports EPOLLIN the same way;
 *   - waitid(P_PIDFD) reaps the child: CLD_EXITED with its status, or
 *     CLD_KILLED after pidfd_send_signal(SIGKILL); WNOHANG on a live child
 *     returns 0 with si_pid 0 (PIDFD_NONBLOCK: pidfd_nonblock.c);
 *     waitid on our own pidfd is ECHILD;
 *   - pidfd_send_signal: signal 0 checks existence; a zombie (exited, not
 *     reaped) still takes signals; once reaped it is ESRCH; unknown flags
 *     are EINVAL (Linux 6.9 added PIDFD_SIGNAL_* as flags 1, 2, 4); an fd that is no pidfd is
 * EBADF;
 *   - pidfd_open: a zombie can still be opened; a free pid is ESRCH; unknown
 *     flags, pid 0 and negative pids are EINVAL.
 * Pids vary between runs, so only relations are printed.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

/* raw clone3 (see clone3_sizes.c): the child runs fn(arg) and exits. */
static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int pidfd_send_signal(int fd, int sig, siginfo_t *info, unsigned flags)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

/* The child: block until the write end of the pipe is closed, exit 42. */
static int gate[2];

static int wait_gate(void *p)
{
	(void)p;
	char c;
	close(gate[1]);
	while (read(gate[0], &c, 1) > 0)
		;
	return 42;
}

static int exit_42(void *p)
{
	(void)p;
	return 42;
}

static void open_gate(void)
{
	need(pipe(gate) == 0, 90, "pipe");
}

static void expect_cloexec(int fd, int code, const char *what)
{
	int f = fcntl(fd, F_GETFD);
	if (f == FD_CLOEXEC)
		check(1, code, "%s: F_GETFD is FD_CLOEXEC", what);
	else
		check(0, code, "%s: F_GETFD is %d, want FD_CLOEXEC", what, f);
}

static int readable_now(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, timeout_ms);
	return r == 1 && (p.revents & POLLIN) ? 1 : r;
}

/* waitid(P_PIDFD, fd) must report @pid with @code and @status. */
static void expect_waitid(int fd, pid_t pid, int code_want, int status_want, int code,
			  const char *what)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED);
	if (r == 0 && si.si_pid == pid && si.si_signo == SIGCHLD && si.si_code == code_want &&
	    si.si_status == status_want)
		check(1, code, "%s: waitid(P_PIDFD) reports code %d status %d", what, code_want,
		      status_want);
	else
		check(0, code,
		      "%s: waitid(P_PIDFD) = %d (errno %s) pid %s signo %d code %d status %d, "
		      "want code %d status %d",
		      what, r, errno_name(errno), si.si_pid == pid ? "ok" : "wrong", si.si_signo,
		      si.si_code, si.si_status, code_want, status_want);
}

static void via_clone3(void)
{
	struct clone_args_v0 a;
	int pidfd = -1;

	open_gate();
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PIDFD;
	a.pidfd = (uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	long pid = raw_clone3(&a, sizeof(a), wait_gate, NULL);
	need(pid > 0, 91, "clone3(CLONE_PIDFD)");
	close(gate[0]);
	check(pidfd > 2, 10, "clone3: CLONE_PIDFD wrote a descriptor to clone_args.pidfd");
	expect_cloexec(pidfd, 11, "clone3 pidfd");
	check(readable_now(pidfd, 0) == 0, 12,
	      "clone3 pidfd: poll: not readable while the child runs");

	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_pid = 12345;
	int r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG);
	check(r == 0 && si.si_pid == 0, 13,
	      "clone3 pidfd: waitid WNOHANG on a live child: 0, si_pid 0");
	check(pidfd_send_signal(pidfd, 0, NULL, 0) == 0, 14,
	      "clone3 pidfd: pidfd_send_signal(0) on a live child");

	close(gate[1]);
	check(readable_now(pidfd, 10000) == 1, 15,
	      "clone3 pidfd: poll: POLLIN once the child exited");
	expect_waitid(pidfd, (pid_t)pid, CLD_EXITED, 42, 16, "clone3 pidfd");
	int e = pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	expect_errno(e, errno, ESRCH, 17,
		     "clone3 pidfd: pidfd_send_signal after the child was reaped");
	close(pidfd);
}

static void via_clone(void)
{
	int slot = -1;

	fflush(stdout);
	long pid = raw_clone(CLONE_PIDFD | SIGCHLD, child_stack + STACK_SIZE, &slot, NULL, 0,
			     exit_42, NULL);
	need(pid > 0, 92, "clone(CLONE_PIDFD)");
	check(slot > 2, 20, "clone: CLONE_PIDFD wrote a descriptor where parent_tid points");
	expect_cloexec(slot, 21, "clone pidfd");
	check(readable_now(slot, 10000) == 1, 22,
	      "clone pidfd: poll: POLLIN once the child exited");
	expect_waitid(slot, (pid_t)pid, CLD_EXITED, 42, 23, "clone pidfd");
	close(slot);
}

static void via_pidfd_open(void)
{
	open_gate();
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(wait_gate(NULL));
	close(gate[0]);
	int fd = pidfd_open(pid, 0);
	need(fd >= 0, 93, "pidfd_open(child)");
	check(1, 30, "pidfd_open(child) returns a descriptor");
	expect_cloexec(fd, 31, "pidfd_open");

	/* epoll sees the exit too. */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	need(ep >= 0, 94, "epoll_create1");
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
	need(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, 95, "epoll_ctl ADD pidfd");
	check(epoll_wait(ep, &ev, 1, 0) == 0, 41, "epoll: nothing while the child runs");

	check(pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0, 35, "pidfd_send_signal(SIGKILL)");
	memset(&ev, 0, sizeof(ev));
	int n = epoll_wait(ep, &ev, 1, 10000);
	check(n == 1 && ev.data.u32 == 7 && (ev.events & EPOLLIN), 36,
	      "epoll: EPOLLIN on the pidfd once the child died");
	close(ep);

	/* A zombie: still signalable, still openable. */
	int zr = pidfd_send_signal(fd, SIGTERM, NULL, 0);
	if (zr == 0)
		check(1, 37, "pidfd_send_signal to an exited, not yet reaped child: 0");
	else
		check(0, 37,
		      "pidfd_send_signal to an exited, not yet reaped child: %d errno %s, want 0",
		      zr, errno_name(errno));
	int z = pidfd_open(pid, 0);
	check(z >= 0, 38, "pidfd_open of an exited, not yet reaped child works");
	if (z >= 0)
		close(z);
	expect_waitid(fd, pid, CLD_KILLED, SIGKILL, 39, "pidfd_open pidfd after SIGKILL");
	int r = pidfd_send_signal(fd, 0, NULL, 0);
	expect_errno(r, errno, ESRCH, 40, "pidfd_send_signal(0) after the child was reaped");
	close(gate[1]);
	close(fd);
}

static void errors(void)
{
	int e;

	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(0);
	expect_status(pid, "exited 0", 50, "a child to leave a free pid behind");
	e = pidfd_open(pid, 0);
	expect_errno(e, errno, ESRCH, 51, "pidfd_open(reaped child's pid)");
	e = pidfd_open(getpid(), 1);
	expect_errno(e, errno, EINVAL, 52, "pidfd_open(self, flags 1)");
	e = pidfd_open(0, 0);
	expect_errno(e, errno, EINVAL, 53, "pidfd_open(0)");
	e = pidfd_open(-1, 0);
	expect_errno(e, errno, EINVAL, 54, "pidfd_open(-1)");

	int self = pidfd_open(getpid(), 0);
	need(self >= 0, 96, "pidfd_open(self)");
	siginfo_t si;
	e = waitid((idtype_t)P_PIDFD, (id_t)self, &si, WEXITED | WNOHANG);
	expect_errno(e, errno, ECHILD, 55, "waitid(P_PIDFD) on our own pidfd");
	e = pidfd_send_signal(self, 0, NULL, 0x80);
	expect_errno(e, errno, EINVAL, 56, "pidfd_send_signal with unknown flags 0x80");
	check(pidfd_send_signal(self, 0, NULL, 0) == 0, 57, "pidfd_send_signal(self, 0)");
	close(self);

	int devnull = open("/dev/null", O_RDONLY);
	need(devnull >= 0, 97, "open /dev/null");
	e = pidfd_send_signal(devnull, 0, NULL, 0);
	expect_errno(e, errno, EBADF, 58, "pidfd_send_signal on /dev/null");
	e = waitid((idtype_t)P_PIDFD, (id_t)devnull, &si, WEXITED | WNOHANG);
	expect_errno(e, errno, EBADF, 59, "waitid(P_PIDFD) on /dev/null");
	close(devnull);
	e = pidfd_send_signal(1000, 0, NULL, 0);
	expect_errno(e, errno, EBADF, 60, "pidfd_send_signal on a closed descriptor");
}

int main(void)
{
	via_clone3();
	via_clone();
	via_pidfd_open();
	errors();
	return guest_finish();
}
