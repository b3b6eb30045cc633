/* pidfd_getfd: a copy of a child's descriptor (same open file: offset and
 * data shared), close-on-exec; EINVAL for flags, EBADF for a bad pidfd, a
 * non-pidfd or a closed target descriptor, ESRCH once the child is reaped. */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

int main(void)
{
	int go[2], ready[2];
	need(pipe(go) == 0 && pipe(ready) == 0, 1, "pipes");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int efd = eventfd(0, 0); /* lowest free fd: reported to the parent */
		int p[2];
		pipe(p);
		write(p[1], "secret", 6);
		int fds[2] = {efd, p[0]};
		write(ready[1], fds, sizeof(fds));
		char c;
		read(go[0], &c, 1); /* until the parent is done */
		uint64_t v;
		_exit(read(efd, &v, 8) == 8 && v == 5 ? 0 : 1);
	}
	int fds[2];
	need(read(ready[0], fds, sizeof(fds)) == sizeof(fds), 2, "child's descriptors");
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	need(pidfd >= 0, 3, "pidfd_open");
	int e = (int)syscall(SYS_pidfd_getfd, pidfd, fds[0], 0);
	check(e >= 0, 4, "pidfd_getfd of the child's eventfd");
	expect_eq(fcntl(e, F_GETFD), FD_CLOEXEC, 5, "close-on-exec");
	uint64_t v = 5;
	expect_eq(write(e, &v, 8), 8, 6, "write through the copy");
	int r = (int)syscall(SYS_pidfd_getfd, pidfd, fds[1], 0);
	char buf[8] = {0};
	expect_eq(read(r, buf, sizeof(buf)), 6, 7, "read the child's pipe");
	check(!strcmp(buf, "secret"), 8, "its data");
	EXPECT_ERR(syscall(SYS_pidfd_getfd, pidfd, fds[0], 1), EINVAL, 9, "flags");
	EXPECT_ERR(syscall(SYS_pidfd_getfd, pidfd, 999, 0), EBADF, 10, "closed target fd");
	EXPECT_ERR(syscall(SYS_pidfd_getfd, 999, fds[0], 0), EBADF, 11, "bad pidfd");
	EXPECT_ERR(syscall(SYS_pidfd_getfd, go[0], fds[0], 0), EBADF, 12, "not a pidfd");
	write(go[1], "x", 1);
	expect_status(pid, "exited 0", 13, "child saw the parent's write");
	EXPECT_ERR(syscall(SYS_pidfd_getfd, pidfd, fds[0], 0), ESRCH, 14, "reaped child");
	return guest_finish();
}
