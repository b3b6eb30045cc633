/*
 * pidfd_nonblock: a pidfd opened with PIDFD_NONBLOCK (Linux 5.10) is
 * O_NONBLOCK (F_GETFL shows it), still close-on-exec, and makes
 * waitid(P_PIDFD) without WNOHANG fail with EAGAIN while the child lives
 * instead of blocking. The same waitid on a plain pidfd of the same child
 * blocks until it exits.
 *
 * The child sleeps 1 s and exits 5 on its own, so a waitid that wrongly
 * blocks ends with the child's status instead of hanging.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <time.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int main(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		_exit(5);
	}
	int nb = pidfd_open(pid, PIDFD_NONBLOCK);
	need(nb >= 0, 90, "pidfd_open(PIDFD_NONBLOCK)");
	int fd = pidfd_open(pid, 0);
	need(fd >= 0, 91, "pidfd_open(0)");
	check(fcntl(nb, F_GETFL) & O_NONBLOCK, 10,
	      "pidfd_open(PIDFD_NONBLOCK): F_GETFL has O_NONBLOCK");
	check(!(fcntl(fd, F_GETFL) & O_NONBLOCK), 11, "pidfd_open(0): F_GETFL has no O_NONBLOCK");
	check(fcntl(nb, F_GETFD) == FD_CLOEXEC, 12, "pidfd_open(PIDFD_NONBLOCK): FD_CLOEXEC");

	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid((idtype_t)P_PIDFD, (id_t)nb, &si, WEXITED);
	int e = errno;
	expect_errno(r, e, EAGAIN, 13, "waitid(P_PIDFD) on the PIDFD_NONBLOCK pidfd, child alive");
	if (r == 0) {
		check(0, 14,
		      "the nonblocking waitid waited and reaped the child (code %d status %d)",
		      si.si_code, si.si_status);
		return guest_finish();
	}
	memset(&si, 0, sizeof(si));
	r = waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED);
	check(r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 5, 14,
	      "waitid(P_PIDFD) on the plain pidfd blocks until the child exits 5");
	close(nb);
	close(fd);
	return guest_finish();
}
