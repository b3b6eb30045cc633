/*
 * errno_bp_io: errno parity on bad pointers (errno_bp.h) for reading and
 * writing (files, pipes, /dev/null and /dev/zero, vectors), ioctl, fcntl
 * locks, sendfile/splice/copy_file_range offsets, pipes, poll/select/epoll
 * and the eventfd/timerfd/signalfd/inotify descriptors. After a call it
 * prints what Linux leaves behind: bytes still in the pipe, the file
 * offset and size, an event still pending, a signal still queued.
 */
#include "errno_bp.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <termios.h>

static int F, R, Z, N;
static int p[2];

/* A pipe holding 16 bytes. */
static void data_pipe(void)
{
	if (pipe(p) || write(p[1], "0123456789abcdef", 16) != 16)
		_exit(3);
}

static void size_after(int fd)
{
	struct stat st;
	fstat(fd, &st);
	printf(" off=%ld size=%ld", (long)lseek(fd, 0, SEEK_CUR), (long)st.st_size);
}

static void file_after(int fd)
{
	char b[40] = {0};
	pread(fd, b, 32, 0);
	printf(" off=%ld head=%.6s", (long)lseek(fd, 0, SEEK_CUR), b);
}

static void blocked_after(void)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	printf(" usr1blocked=%d", sigismember(&s, SIGUSR1));
}

static void pending_usr1(void)
{
	sigset_t s;
	sigpending(&s);
	printf(" usr1pending=%d", sigismember(&s, SIGUSR1));
}

static int ep_with_ready_pipe(void)
{
	data_pipe();
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	return ep;
}

static void ep_after(int ep)
{
	struct epoll_event ev;
	printf(" ready=%d", epoll_wait(ep, &ev, 1, 0));
}

int main(void)
{
	bp_init();
	F = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (F < 0 || write(F, "0123456789abcdefghijklmnopqrstuv", 32) != 32)
		return 1;
	close(F);
	R = open("f", O_RDONLY);
	Z = open("/dev/zero", O_RDONLY);
	N = open("/dev/null", O_WRONLY);
	static char buf[256];
	struct iovec iov_bad = {0};
	struct iovec iov2[2] = {{buf, 4}, {0, 16}};
	struct timespec ts0 = {0, 0};
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	/* read and write. */
	CASE("read pipe", ALL, data_pipe(), syscall(SYS_read, p[0], P, 16), bp_pending("left", p[0]));
	CASE("read pipe count 0", ALL, data_pipe(), syscall(SYS_read, p[0], P, 0),
	     bp_pending("left", p[0]));
	CASE("read empty pipe nonblock", ALL, pipe2(p, O_NONBLOCK), syscall(SYS_read, p[0], P, 16),
	     NOTHING);
	CASE("read pipe writer closed", ALL, pipe(p); close(p[1]), syscall(SYS_read, p[0], P, 16),
	     NOTHING);
	CASE("read file", ALL, F = open("f", O_RDWR), syscall(SYS_read, F, P, 16), file_after(F));
	CASE("read file at EOF", ALL, F = open("f", O_RDWR); lseek(F, 0, SEEK_END),
	     syscall(SYS_read, F, P, 16), file_after(F));
	CASE("read /dev/zero", ALL, NOTHING, syscall(SYS_read, Z, P, 16), NOTHING);
	CASE("read write-only fd", ALL, NOTHING, syscall(SYS_read, N, P, 16), NOTHING);
	CASE("read bad fd", ALL, NOTHING, syscall(SYS_read, 99, P, 16), NOTHING);
	CASE("read directory", ALL, int d = open(".", O_RDONLY), syscall(SYS_read, d, P, 16), NOTHING);
	CASE("write pipe", IN, pipe(p), syscall(SYS_write, p[1], P, 16), bp_pending("inpipe", p[0]));
	CASE("write pipe count 0", IN, pipe(p), syscall(SYS_write, p[1], P, 0),
	     bp_pending("inpipe", p[0]));
	CASE("write pipe reader closed", IN, pipe(p); close(p[0]); signal(SIGPIPE, SIG_IGN),
	     syscall(SYS_write, p[1], P, 16), NOTHING);
	CASE("write file", IN, F = open("f", O_RDWR), syscall(SYS_write, F, P, 16), size_after(F));
	CASE("write file append", IN, F = open("f", O_RDWR | O_APPEND), syscall(SYS_write, F, P, 16),
	     size_after(F));
	CASE("write /dev/null", IN, NOTHING, syscall(SYS_write, N, P, 16), NOTHING);
	CASE("write read-only fd", IN, NOTHING, syscall(SYS_write, R, P, 16), NOTHING);
	CASE("write bad fd", IN, NOTHING, syscall(SYS_write, 99, P, 16), NOTHING);
	CASE("pread64 file", ALL, F = open("f", O_RDWR), syscall(SYS_pread64, F, P, 16, 4),
	     file_after(F));
	CASE("pread64 negative offset", ALL, NOTHING, syscall(SYS_pread64, R, P, 16, -1L), NOTHING);
	CASE("pread64 pipe", ALL, data_pipe(), syscall(SYS_pread64, p[0], P, 16, 0),
	     bp_pending("left", p[0]));
	CASE("pwrite64 file", IN, F = open("f", O_RDWR), syscall(SYS_pwrite64, F, P, 16, 4),
	     size_after(F); file_after(F));
	/* Not NULL or unmapped: a failed write past the end extends a tmpfs
	 * file natively (the size is the filesystem's business). */
	CASE("pwrite64 file past end", (1 << K_PARTIAL) | (1 << K_KERNEL), F = open("f", O_RDWR), syscall(SYS_pwrite64, F, P, 16, 100),
	     size_after(F));

	/* Vectors: the iovec array itself, then an iov_base. */
	CASE("readv iov array", ALL, data_pipe(), syscall(SYS_readv, p[0], P, 1),
	     bp_pending("left", p[0]));
	CASE("readv iov array count 0", ALL, data_pipe(), syscall(SYS_readv, p[0], P, 0), NOTHING);
	CASE("readv iov array count 1025", ALL, data_pipe(), syscall(SYS_readv, p[0], P, 1025), NOTHING);
	CASE("readv iov_base pipe", ALL, data_pipe(); iov_bad.iov_base = P; iov_bad.iov_len = 16,
	     syscall(SYS_readv, p[0], &iov_bad, 1), bp_pending("left", p[0]));
	CASE("readv second iov_base pipe", ALL, data_pipe(); iov2[1].iov_base = P,
	     syscall(SYS_readv, p[0], iov2, 2), bp_pending("left", p[0]));
	CASE("readv second iov_base file", ALL, F = open("f", O_RDWR); iov2[1].iov_base = P,
	     syscall(SYS_readv, F, iov2, 2), file_after(F));
	CASE("writev iov array", ALL, pipe(p), syscall(SYS_writev, p[1], P, 1),
	     bp_pending("inpipe", p[0]));
	CASE("writev iov_base /dev/null", IN, iov_bad.iov_base = P; iov_bad.iov_len = 16,
	     syscall(SYS_writev, N, &iov_bad, 1), NOTHING);
	CASE("writev second iov_base pipe", IN, pipe(p); iov2[1].iov_base = P,
	     syscall(SYS_writev, p[1], iov2, 2), bp_pending("inpipe", p[0]));
	CASE("writev second iov_base file", IN, F = open("f", O_RDWR); iov2[1].iov_base = P,
	     syscall(SYS_writev, F, iov2, 2), size_after(F));
	CASE("preadv iov array", ALL, NOTHING, syscall(SYS_preadv, R, P, 1, 0, 0), NOTHING);
	CASE("preadv iov_base", ALL, iov_bad.iov_base = P; iov_bad.iov_len = 16,
	     syscall(SYS_preadv, R, &iov_bad, 1, 0, 0), NOTHING);
	CASE("preadv iov_base at EOF", ALL, iov_bad.iov_base = P; iov_bad.iov_len = 16,
	     syscall(SYS_preadv, R, &iov_bad, 1, 1 << 20, 0), NOTHING);
	CASE("readv iov_base file", ALL, F = open("f", O_RDWR); iov_bad.iov_base = P;
	     iov_bad.iov_len = 16, syscall(SYS_readv, F, &iov_bad, 1), file_after(F));
	CASE("pwritev iov_base", IN, F = open("f", O_RDWR); iov_bad.iov_base = P; iov_bad.iov_len = 16,
	     syscall(SYS_pwritev, F, &iov_bad, 1, 30, 0), size_after(F));
	CASE("pwritev iov array", ALL, F = open("f", O_RDWR), syscall(SYS_pwritev, F, P, 1, 0, 0),
	     size_after(F));
	CASE("pwritev second iov_base", IN, F = open("f", O_RDWR); iov2[1].iov_base = P,
	     syscall(SYS_pwritev, F, iov2, 2, 30, 0), size_after(F));

	/* ioctl and fcntl. */
	CASE("ioctl FIONREAD pipe", ALL, data_pipe(), syscall(SYS_ioctl, p[0], FIONREAD, P), NOTHING);
	CASE("ioctl FIONREAD file", ALL, NOTHING, syscall(SYS_ioctl, R, FIONREAD, P), NOTHING);
	CASE("ioctl FIONBIO", ALL, data_pipe(), syscall(SYS_ioctl, p[0], FIONBIO, P),
	     printf(" fl=%x", fcntl(p[0], F_GETFL) & O_NONBLOCK));
	/* FIOASYNC, F_GETOWN_EX and F_SETOWN_EX are not modeled (README). */
	CASE("ioctl TIOCGWINSZ /dev/null", ALL, NOTHING, syscall(SYS_ioctl, N, TIOCGWINSZ, P), NOTHING);
	CASE("ioctl TCGETS pipe", ALL, data_pipe(), syscall(SYS_ioctl, p[0], TCGETS, P), NOTHING);
	CASE("ioctl FIONREAD bad fd", ALL, NOTHING, syscall(SYS_ioctl, 99, FIONREAD, P), NOTHING);
	CASE("fcntl F_GETLK", ALL, NOTHING, syscall(SYS_fcntl, R, F_GETLK, P), NOTHING);
	CASE("fcntl F_SETLK", ALL, NOTHING, syscall(SYS_fcntl, R, F_SETLK, P), NOTHING);
	CASE("fcntl F_SETLKW", ALL, NOTHING, syscall(SYS_fcntl, R, F_SETLKW, P), NOTHING);
	CASE("fcntl F_OFD_GETLK", ALL, NOTHING, syscall(SYS_fcntl, R, F_OFD_GETLK, P), NOTHING);
	CASE("fcntl F_OFD_SETLK", ALL, NOTHING, syscall(SYS_fcntl, R, F_OFD_SETLK, P), NOTHING);
	CASE("fcntl F_GETLK bad fd", ALL, NOTHING, syscall(SYS_fcntl, 99, F_GETLK, P), NOTHING);

	/* Offsets of the copying calls. */
	CASE("sendfile offset", ALL, NOTHING, syscall(SYS_sendfile, N, R, P, 16),
	     bp_offset(R));
	CASE("sendfile offset count 0", ALL, NOTHING, syscall(SYS_sendfile, N, R, P, 0), NOTHING);
	CASE("sendfile offset bad out fd", ALL, NOTHING, syscall(SYS_sendfile, 99, R, P, 16), NOTHING);
	CASE("splice off_in pipe", ALL, data_pipe(); pipe(p + 0),
	     syscall(SYS_splice, p[0], P, p[1], NULL, 16, 0), NOTHING);
	CASE("splice off_in file", ALL, pipe(p), syscall(SYS_splice, R, P, p[1], NULL, 16, 0),
	     bp_pending("inpipe", p[0]); bp_offset(R));
	CASE("splice off_out file", ALL, data_pipe(); F = open("f", O_RDWR),
	     syscall(SYS_splice, p[0], NULL, F, P, 16, 0), bp_pending("left", p[0]); size_after(F));
	CASE("copy_file_range off_in", ALL, F = open("g", O_RDWR | O_CREAT, 0600),
	     syscall(SYS_copy_file_range, R, P, F, NULL, 16, 0), size_after(F); bp_offset(R));
	CASE("copy_file_range off_out", ALL, F = open("g", O_RDWR | O_CREAT, 0600),
	     syscall(SYS_copy_file_range, R, NULL, F, P, 16, 0), size_after(F); bp_offset(R));
	CASE("copy_file_range off_in bad flags", ALL, F = open("g", O_RDWR | O_CREAT, 0600),
	     syscall(SYS_copy_file_range, R, P, F, NULL, 16, 1), NOTHING);

	/* Pipes. */
	CASE("pipe fds", ALL, NOTHING, syscall(SYS_pipe, P), NOTHING);
	CASE("pipe2 fds", ALL, NOTHING, syscall(SYS_pipe2, P, O_CLOEXEC), NOTHING);
	CASE("pipe2 fds bad flags", ALL, NOTHING, syscall(SYS_pipe2, P, 0x1), NOTHING);

	/* poll, select, epoll. */
	CASE("poll fds", ALL, NOTHING, syscall(SYS_poll, P, 1, 0), NOTHING);
	CASE("poll fds nfds 0", ALL, NOTHING, syscall(SYS_poll, P, 0, 0), NOTHING);
	CASE("poll fds nfds huge", ALL, NOTHING, syscall(SYS_poll, P, 1L << 20, 0), NOTHING);
	CASE("ppoll fds", ALL, NOTHING, syscall(SYS_ppoll, P, 1, &ts0, NULL, 8), NOTHING);
	CASE("ppoll timeout", IN, NOTHING, syscall(SYS_ppoll, NULL, 0, P, NULL, 8), NOTHING);
	CASE("ppoll sigmask", IN, NOTHING, syscall(SYS_ppoll, NULL, 0, &ts0, P, 8), blocked_after());
	CASE("ppoll sigmask bad size", IN, NOTHING, syscall(SYS_ppoll, NULL, 0, &ts0, P, 4), NOTHING);
	CASE("select readfds", ALL, data_pipe(), syscall(SYS_select, p[0] + 1, P, NULL, NULL, &ts0),
	     NOTHING);
	CASE("select writefds", ALL, data_pipe(), syscall(SYS_select, p[1] + 1, NULL, P, NULL, &ts0),
	     NOTHING);
	CASE("select exceptfds", ALL, data_pipe(), syscall(SYS_select, p[1] + 1, NULL, NULL, P, &ts0),
	     NOTHING);
	CASE("select timeout", IN, NOTHING, syscall(SYS_select, 0, NULL, NULL, NULL, P), NOTHING);
	CASE("select readfds nfds 0", ALL, NOTHING, syscall(SYS_select, 0, P, NULL, NULL, &ts0),
	     NOTHING);
	CASE("select readfds nfds -1", ALL, NOTHING, syscall(SYS_select, -1, P, NULL, NULL, &ts0),
	     NOTHING);
	CASE("pselect6 readfds", ALL, data_pipe(),
	     syscall(SYS_pselect6, p[0] + 1, P, NULL, NULL, &ts0, NULL), NOTHING);
	CASE("pselect6 timeout", IN, NOTHING, syscall(SYS_pselect6, 0, NULL, NULL, NULL, P, NULL),
	     NOTHING);
	CASE("pselect6 sigmask struct", IN, NOTHING,
	     syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts0, P), NOTHING);
	CASE("pselect6 sigmask set", IN, uint64_t sm[2]; sm[0] = (uint64_t)(uintptr_t)P; sm[1] = 8,
	     syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts0, sm), blocked_after());
	CASE("epoll_ctl ADD event", ALL, data_pipe(); int ep = epoll_create1(0),
	     syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], P), ep_after(ep));
	CASE("epoll_ctl DEL event", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], P), ep_after(ep));
	CASE("epoll_ctl MOD event", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], P), ep_after(ep));
	CASE("epoll_ctl bad op event", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_ctl, ep, 9, p[0], P), NOTHING);
	CASE("epoll_wait events ready", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_wait, ep, P, 1, 0), ep_after(ep));
	CASE("epoll_wait events none ready", ALL, int ep = epoll_create1(0),
	     syscall(SYS_epoll_wait, ep, P, 1, 0), NOTHING);
	CASE("epoll_wait events oneshot", ALL, data_pipe(); int ep = epoll_create1(0);
	     struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT};
	     epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), syscall(SYS_epoll_wait, ep, P, 1, 0), ep_after(ep));
	CASE("epoll_wait events maxevents 0", ALL, int ep = epoll_create1(0),
	     syscall(SYS_epoll_wait, ep, P, 0, 0), NOTHING);
	CASE("epoll_wait events bad epfd", ALL, NOTHING, syscall(SYS_epoll_wait, R, P, 1, 0), NOTHING);
	CASE("epoll_pwait events", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_pwait, ep, P, 1, 0, NULL, 8), ep_after(ep));
	CASE("epoll_pwait sigmask", IN, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_pwait, ep, buf, 1, 0, P, 8), ep_after(ep); blocked_after());
	CASE("epoll_pwait2 timeout", IN, int ep = epoll_create1(0),
	     syscall(SYS_epoll_pwait2, ep, buf, 1, P, NULL, 8), NOTHING);
	CASE("epoll_pwait2 events", ALL, int ep = ep_with_ready_pipe(),
	     syscall(SYS_epoll_pwait2, ep, P, 1, &ts0, NULL, 8), ep_after(ep));

	/* eventfd, timerfd, signalfd, inotify: reading into a bad buffer. */
	CASE("read eventfd", ALL, int e = eventfd(5, EFD_NONBLOCK), syscall(SYS_read, e, P, 8),
	     uint64_t v = 0; printf(" again=%ld", (long)read(e, &v, 8)));
	CASE("write eventfd", IN, int e = eventfd(5, EFD_NONBLOCK), syscall(SYS_write, e, P, 8),
	     uint64_t v = 0; read(e, &v, 8); printf(" count=%ld", (long)v));
	CASE("timerfd_settime new", IN, int tf = timerfd_create(CLOCK_MONOTONIC, 0),
	     syscall(SYS_timerfd_settime, tf, 0, P, NULL), NOTHING);
	CASE("timerfd_settime old", ALL, int tf = timerfd_create(CLOCK_MONOTONIC, 0);
	     struct itimerspec it = {0}; it.it_value.tv_sec = 100,
	     syscall(SYS_timerfd_settime, tf, 0, &it, P),
	     struct itimerspec g; timerfd_gettime(tf, &g); printf(" armed=%d", g.it_value.tv_sec > 0));
	CASE("timerfd_settime new bad fd", IN, NOTHING, syscall(SYS_timerfd_settime, R, 0, P, NULL),
	     NOTHING);
	CASE("timerfd_settime new bad flags", IN, int tf = timerfd_create(CLOCK_MONOTONIC, 0),
	     syscall(SYS_timerfd_settime, tf, 0x40, P, NULL), NOTHING);
	CASE("timerfd_gettime cur", ALL, int tf = timerfd_create(CLOCK_MONOTONIC, 0),
	     syscall(SYS_timerfd_gettime, tf, P), NOTHING);
	CASE("read timerfd expired", ALL, int tf = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	     struct itimerspec it = {0}; it.it_value.tv_nsec = 1; timerfd_settime(tf, 0, &it, NULL); usleep(2000),
	     syscall(SYS_read, tf, P, 8), uint64_t v = 0; printf(" again=%ld", (long)read(tf, &v, 8)));
	CASE("signalfd mask", IN, NOTHING, syscall(SYS_signalfd, -1, P, 8), NOTHING);
	CASE("signalfd4 mask", IN, NOTHING, syscall(SYS_signalfd4, -1, P, 8, 0), NOTHING);
	CASE("signalfd4 mask bad size", IN, NOTHING, syscall(SYS_signalfd4, -1, P, 4, 0), NOTHING);
	CASE("signalfd4 mask bad flags", IN, NOTHING, syscall(SYS_signalfd4, -1, P, 8, 1), NOTHING);
	CASE("read signalfd", ALL, sigprocmask(SIG_BLOCK, &usr1, NULL);
	     int sf = signalfd(-1, &usr1, SFD_NONBLOCK); raise(SIGUSR1),
	     syscall(SYS_read, sf, P, 128), pending_usr1());
	CASE("read inotify", ALL, int in = inotify_init1(IN_NONBLOCK);
	     inotify_add_watch(in, ".", IN_CREATE); close(open("h", O_CREAT | O_RDWR, 0600)),
	     syscall(SYS_read, in, P, 256), char b[256];
	     printf(" again=%ld", (long)read(in, b, sizeof b)));

	bp_summary("errno_bp_io");
	return 0;
}
