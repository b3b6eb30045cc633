/* signalfd: reading SIGUSR1 sent by a child (ssi_pid compared, never
 * printed), sigqueue's value, SIGCHLD's status, signalfd in epoll, mask
 * update on an existing descriptor, errno cases. */
#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

static volatile uintptr_t bad_ptr = 8;

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGCHLD);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_CLOEXEC);
	need(sfd >= 0, 1, "signalfd");
	struct signalfd_siginfo si;

	pid_t pid = guest_fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(7);
	}
	expect_eq(read(sfd, &si, sizeof(si)), sizeof(si), 2, "read blocks until SIGUSR1");
	/* SIGCHLD may come first: take it by priority order. */
	if (si.ssi_signo == SIGCHLD)
		read(sfd, &si, sizeof(si));
	expect_eq(si.ssi_signo, SIGUSR1, 3, "ssi_signo");
	expect_eq(si.ssi_code, SI_USER, 4, "ssi_code SI_USER");
	check(si.ssi_pid == (uint32_t)pid, 5, "ssi_pid is the child");
	check(si.ssi_uid == getuid(), 6, "ssi_uid is ours");
	/* SIGCHLD through the descriptor too. */
	struct pollfd p = {sfd, POLLIN, 0};
	int got_chld = 0;
	while (!got_chld && poll(&p, 1, 5000) == 1) {
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			break;
		got_chld = si.ssi_signo == SIGCHLD;
	}
	check(got_chld, 7, "SIGCHLD read");
	expect_eq(si.ssi_code, CLD_EXITED, 8, "CLD_EXITED");
	expect_eq(si.ssi_status, 7, 9, "ssi_status");
	check(si.ssi_pid == (uint32_t)pid, 10, "SIGCHLD ssi_pid");
	waitpid(pid, NULL, 0);

	/* sigqueue with a value, and two signals in one read. */
	union sigval sv = {.sival_int = 1234};
	sigqueue(getpid(), SIGRTMIN, sv);
	raise(SIGUSR2);
	struct signalfd_siginfo two[3];
	expect_eq(read(sfd, two, sizeof(two)), 2 * sizeof(si), 11, "two signals in one read");
	expect_eq(two[0].ssi_signo, SIGUSR2, 12, "lowest first: SIGUSR2");
	expect_eq(two[1].ssi_signo, SIGRTMIN, 13, "then SIGRTMIN");
	expect_eq(two[1].ssi_code, SI_QUEUE, 14, "SI_QUEUE");
	expect_eq(two[1].ssi_int, 1234, 15, "ssi_int");
	sigset_t pend;
	sigpending(&pend);
	expect_eq(sigismember(&pend, SIGUSR2) || sigismember(&pend, SIGRTMIN), 0, 16,
		  "read consumed them");

	/* Non-blocking, mask update, not-in-mask signals stay pending. */
	int nb = signalfd(-1, &m, SFD_NONBLOCK);
	EXPECT_ERR(read(nb, &si, sizeof(si)), EAGAIN, 17, "nothing pending");
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	expect_eq(signalfd(nb, &only2, 0), nb, 18, "mask update returns the fd");
	raise(SIGUSR1);
	EXPECT_ERR(read(nb, &si, sizeof(si)), EAGAIN, 19, "SIGUSR1 not in the new mask");
	sigpending(&pend);
	expect_eq(sigismember(&pend, SIGUSR1), 1, 20, "still pending");
	expect_eq(read(sfd, &si, sizeof(si)), sizeof(si), 21, "other fd takes it");

	/* signalfd in epoll, woken by a child's SIGUSR2. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN, {.u32 = 5}}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, nb, &ev);
	expect_eq(epoll_wait(ep, &out, 1, 0), 0, 22, "epoll: nothing");
	pid = guest_fork();
	if (pid == 0) {
		usleep(10000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	expect_eq(epoll_wait(ep, &out, 1, 5000), 1, 23, "epoll woken by SIGUSR2");
	expect_eq(out.data.u32, 5, 24, "data");
	expect_eq(read(nb, &si, sizeof(si)), sizeof(si), 25, "read it");
	expect_eq(si.ssi_signo, SIGUSR2, 26, "SIGUSR2");
	waitpid(pid, NULL, 0);
	while (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD)
		;

	/* errno cases */
	EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL, 30, "sizemask 4");
	EXPECT_ERR(syscall(SYS_signalfd4, -1, bad_ptr, 8, 0), EFAULT, 31, "bad mask pointer");
	EXPECT_ERR(signalfd(-1, &m, 0x10), EINVAL, 32, "bad flags");
	EXPECT_ERR(signalfd(ep, &m, 0), EINVAL, 33, "not a signalfd");
	EXPECT_ERR(signalfd(77, &m, 0), EBADF, 34, "bad fd");
	EXPECT_ERR(read(nb, &si, 100), EINVAL, 35, "read smaller than one siginfo");
	EXPECT_ERR(write(nb, &si, sizeof(si)), EINVAL, 36, "write");
	char link[64], path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", nb);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(!strcmp(link, "anon_inode:[signalfd]"), 37, "fd link %s", link);
	return guest_finish();
}
