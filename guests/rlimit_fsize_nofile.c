/*
 * rlimit_fsize_nofile: RLIMIT_FSIZE and RLIMIT_NOFILE enforced as Linux
 * does (setrlimit(2), write(2), truncate(2), open(2), dup(2), fcntl(2)):
 *
 *   - FSIZE 10000 with SIGXFSZ ignored: a write is cut at the limit, the
 *     next is EFBIG, pwrite/pwritev/O_APPEND likewise, ftruncate/truncate
 *     may shrink but not grow past it; pipes are not files
 *   - with SIGXFSZ at its default a write past the limit kills
 *   - NOFILE 16: descriptors up to 15, then EMFILE for open, dup, pipe,
 *     socketpair; dup2/dup3 to 16 EBADF, F_DUPFD from 16 EINVAL; raising
 *     the soft limit again lets them through
 *   - prlimit64 on another process: allowed for the same ids, EPERM for
 *     another user without CAP_SYS_RESOURCE
 */
#include "cred_check.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static char buf[20000];

static long fsize(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void fsize_checks(void)
{
	struct rlimit rl = {10000, 10000};
	need(setrlimit(RLIMIT_FSIZE, &rl) == 0, 1, "setrlimit FSIZE 10000");
	signal(SIGXFSZ, SIG_IGN);
	int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	need(fd >= 0, 2, "open big");
	expect_eq(write(fd, buf, 8000), 8000, 3, "write 8000");
	expect_eq(write(fd, buf, 4000), 2000, 4, "write cut at the limit");
	EXPECT_ERRNO(write(fd, buf, 1), EFBIG, 5, "write at the limit");
	expect_eq(write(fd, buf, 0), 0, 6, "empty write at the limit");
	expect_eq(pwrite(fd, buf, 10, 9999), 1, 7, "pwrite cut to 1");
	EXPECT_ERRNO(pwrite(fd, buf, 10, 10000), EFBIG, 8, "pwrite at the limit");
	struct iovec iov[2] = {{buf, 3000}, {buf, 3000}};
	expect_eq(pwritev(fd, iov, 2, 5000), 5000, 9, "pwritev cut to 5000");
	EXPECT_ERRNO(pwritev(fd, iov, 2, 10001), EFBIG, 10, "pwritev past the limit");
	EXPECT_ERRNO(ftruncate(fd, 20000), EFBIG, 11, "ftruncate growing past the limit");
	expect_eq(ftruncate(fd, 5000), 0, 12, "ftruncate shrinking");
	expect_eq(ftruncate(fd, 10000), 0, 13, "ftruncate to the limit");
	EXPECT_ERRNO(truncate("big", 10001), EFBIG, 14, "truncate growing past the limit");
	expect_eq(fsize("big"), 10000, 15, "size 10000");
	close(fd);
	fd = open("big", O_WRONLY | O_APPEND);
	EXPECT_ERRNO(write(fd, buf, 1), EFBIG, 16, "O_APPEND write at the limit");
	close(fd);
	int p[2];
	need(pipe(p) == 0, 17, "pipe");
	expect_eq(write(p[1], buf, 12000), 12000, 18, "a pipe is not a file");
	close(p[0]);
	close(p[1]);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGXFSZ, SIG_DFL);
		int f = open("big", O_WRONLY | O_APPEND);
		write(f, buf, 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ, 19, "SIGXFSZ kills");
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl); /* no effect: the hard limit was lowered */
}

static void nofile_checks(void)
{
	struct rlimit old, rl = {16, 4096};
	getrlimit(RLIMIT_NOFILE, &old);
	need(setrlimit(RLIMIT_NOFILE, &rl) == 0, 30, "setrlimit NOFILE 16");
	int last = -1, n = 0;
	for (;;) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			expect_errno(fd, errno, EMFILE, 31, "open beyond the limit");
			break;
		}
		last = fd;
		n++;
	}
	expect_eq(last, 15, 32, "the last descriptor is 15");
	EXPECT_ERRNO(dup(0), EMFILE, 33, "dup");
	int p[2];
	EXPECT_ERRNO(pipe(p), EMFILE, 34, "pipe");
	EXPECT_ERRNO(socketpair(AF_UNIX, SOCK_STREAM, 0, p), EMFILE, 35, "socketpair");
	close(15);
	EXPECT_ERRNO(pipe(p), EMFILE, 36, "pipe with one slot");
	EXPECT_ERRNO(dup2(0, 16), EBADF, 37, "dup2 to 16");
	EXPECT_ERRNO(fcntl(0, F_DUPFD, 16), EINVAL, 38, "F_DUPFD from 16");
	expect_eq(dup2(0, 15), 15, 39, "dup2 to 15");
	rl.rlim_cur = 64;
	need(setrlimit(RLIMIT_NOFILE, &rl) == 0, 40, "setrlimit NOFILE 64");
	expect_eq(dup2(0, 40), 40, 41, "dup2 to 40 after raising");
	expect_eq(pipe(p), 0, 42, "pipe after raising");
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
}

static void prlimit_checks(void)
{
	int gate[2];
	need(pipe(gate) == 0, 50, "gate");
	fflush(stdout);
	pid_t kid = fork();
	if (kid == 0) {
		char c;
		read(gate[0], &c, 1);
		_exit(0);
	}
	struct rlimit rl;
	expect_eq(prlimit(kid, RLIMIT_NOFILE, NULL, &rl), 0, 51, "prlimit of our child");
	struct rlimit nl = {100, rl.rlim_max};
	expect_eq(prlimit(kid, RLIMIT_NOFILE, &nl, NULL), 0, 52, "set our child's limit");
	expect_eq(prlimit(kid, RLIMIT_NOFILE, NULL, &rl), 0, 53, "read it back");
	expect_eq((long)rl.rlim_cur, 100, 54, "the child's limit is 100");
	EXPECT_ERRNO(prlimit(999999, RLIMIT_NOFILE, NULL, &rl), ESRCH, 55, "prlimit of no one");
	EXPECT_ERRNO(prlimit(kid, 99, NULL, &rl), EINVAL, 56, "prlimit resource 99");
	if (geteuid() == 0) {
		pid_t other = fork();
		if (other == 0) {
			gid_t none[1];
			setgroups(0, none);
			setresgid(1000, 1000, 1000);
			setresuid(1000, 1000, 1000);
			errno = 0;
			long r = prlimit(kid, RLIMIT_NOFILE, NULL, &rl);
			_exit(r == -1 && errno == EPERM ? 0 : 1);
		}
		expect_status(other, "exited 0", 57, "another user's prlimit is EPERM");
	} else {
		printf("ok: not root\n");
	}
	write(gate[1], "x", 1);
	expect_status(kid, "exited 0", 58, "child");
}

int main(void)
{
	fsize_checks();
	nofile_checks();
	prlimit_checks();
	return guest_finish();
}
