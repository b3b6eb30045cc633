/* The guest that tests/tools/strace_compare.sh traces natively under
 * `strace -f` and under `cloneemu --trace`: data written and read (one
 * buffer longer than strace's 32 bytes), an ENOENT, an anonymous mmap, a
 * handled SIGUSR1, a SIGALRM that interrupts pause(), poll/select/epoll on
 * a pipe, a thread, a child that exits 4 after a blocking read, a child
 * killed by SIGKILL, and an execve of itself with argv.
 *   strace_subject          the run above, then exec "strace_subject exec"
 *   strace_subject exec     prints and exits 0
 *   strace_subject block    prints, then reads stdin (the killed-run test)
 *   strace_subject tty      terminal ioctls on stdin (run under a pty) */
#define _GNU_SOURCE 1 /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

static void *thread_fn(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		write(1, "exec'd\n", 7);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "tty")) {
		struct termios tio;
		struct winsize ws;
		if (tcgetattr(0, &tio) || ioctl(0, TIOCGWINSZ, &ws))
			return 30;
		tio.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(0, TCSANOW, &tio))
			return 31;
		tio.c_lflag |= ECHO;
		return tcsetattr(0, TCSADRAIN, &tio) ? 32 : 0;
	}
	if (argc > 1 && !strcmp(argv[1], "block")) {
		char b[16];
		write(1, "blocking\n", 9);
		return read(0, b, sizeof(b)) < 0;
	}
	write(1, "hello\n", 6);
	if (open("/nonexistent/strace_subject", O_RDONLY | O_CLOEXEC) >= 0)
		return 10;

	const char *data = "0123456789abcdefghijklmnopqrstuvwxyz\tend\n";
	int fd = open("strace_subject.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 11;
	write(fd, data, strlen(data));
	/* strace's quoting: octal escapes (three digits before a digit), \t, \", \\. */
	write(fd, "\0\1\0027\377\"\\\t\x7f~", 10);
	lseek(fd, 0, SEEK_SET);
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (flock(fd, LOCK_EX | LOCK_NB) || posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL))
		return 29;
	close(fd);
	unlink("strace_subject.tmp");
	if (n != (ssize_t)strlen(data) + 10 && n != 64)
		return 12;

	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 13;
	munmap(p, 8192);

	struct sigaction sa = {0};
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	if (got != SIGUSR1)
		return 14;
	/* A handled SIGALRM cuts pause() short: ERESTARTNOHAND, then EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	pause();
	if (got != SIGALRM)
		return 17;

	/* Readiness: poll's revents, select's sets, epoll's events. */
	int q[2];
	if (pipe(q) || write(q[1], "x", 1) != 1)
		return 18;
	struct pollfd pf[2] = {{q[0], POLLIN, 0}, {q[1], POLLOUT, 0}};
	if (poll(pf, 2, -1) != 2)
		return 19;
	fd_set rs, ws;
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(q[0], &rs);
	FD_SET(q[1], &ws);
	if (select(q[1] + 1, &rs, &ws, NULL, NULL) != 2)
		return 20;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out[4];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev) || epoll_wait(ep, out, 4, -1) != 1)
		return 21;
	int avail = -1;
	if (ioctl(q[0], FIONREAD, &avail) || avail != 1)
		return 23;
	close(ep);
	close(q[0]);
	close(q[1]);

	/* prctl: arguments by option, a name returned through a pointer. */
	char name[16];
	prctl(PR_SET_NAME, "subject");
	prctl(PR_GET_NAME, name);
	if (prctl(PR_GET_DUMPABLE) != 1)
		return 24;

	/* A socket: sockaddr in, and out with its length ("[110 => 22]"). */
	struct sockaddr_un sun = {.sun_family = AF_UNIX}, got_sun;
	strcpy(sun.sun_path, "strace_subject.sock");
	socklen_t sl = sizeof(got_sun);
	int so = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (so < 0 || bind(so, (struct sockaddr *)&sun, sizeof(sun)) ||
	    getsockname(so, (struct sockaddr *)&got_sun, &sl))
		return 25;
	close(so);
	unlink(sun.sun_path);

	/* A descriptor and credentials passed in control messages; options. */
	int sv[2], one = 1, type = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		return 26;
	sl = sizeof(type);
	if (getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &sl) || type != SOCK_STREAM)
		return 27;
	char cbuf[CMSG_SPACE(sizeof(int))] = {0}, rbuf[4], rcbuf[128];
	struct iovec iov = {"x", 1}, riov = {rbuf, sizeof(rbuf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	int pass = 0;
	memcpy(CMSG_DATA(cm), &pass, sizeof(pass));
	struct msghdr rh = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcbuf,
			    .msg_controllen = sizeof(rcbuf)};
	if (sendmsg(sv[0], &mh, 0) != 1 || recvmsg(sv[1], &rh, MSG_CMSG_CLOEXEC) != 1)
		return 28;
	for (cm = CMSG_FIRSTHDR(&rh); cm; cm = CMSG_NXTHDR(&rh, cm))
		if (cm->cmsg_type == SCM_RIGHTS) {
			memcpy(&pass, CMSG_DATA(cm), sizeof(pass));
			close(pass);
		}
	close(sv[0]);
	close(sv[1]);

	/* Flags named by the call's own table; a signal taken by sigtimedwait. */
	int mfd = memfd_create("strace_subject", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return 33;
	close(mfd);
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	kill(getpid(), SIGUSR2);
	siginfo_t si;
	struct timespec zero = {0, 0};
	if (sigtimedwait(&usr2, &si, &zero) != SIGUSR2)
		return 34;

	/* A thread: clone3 with CLONE_PARENT_SETTID, its own exit line. */
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fn, NULL) || pthread_join(th, NULL))
		return 22;

	int fds[2];
	if (pipe(fds))
		return 15;
	pid_t c = fork();
	if (c == 0) {
		char b[16];
		read(fds[0], b, sizeof(b)); /* sleeps until the parent writes */
		_exit(4);
	}
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	write(fds[1], "wake", 4);
	int st;
	waitpid(c, &st, 0);
	printf("child 1: exited %d\n", WEXITSTATUS(st));
	fflush(stdout);

	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	nanosleep(&ts, NULL);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("child 2: killed by %d\n", WTERMSIG(st));
	fflush(stdout);

	char *args[] = {argv[0], "exec", NULL};
	execv(argv[0], args);
	return 16;
}
