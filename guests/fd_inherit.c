/*
 * fd_inherit: file descriptors versus open file descriptions, across dup
 * and fork. The table entry (fd number, FD_CLOEXEC) belongs to one fd of one
 * process; the description (offset, O_APPEND/O_NONBLOCK status flags) is
 * shared by every dup and by the fork child.
 *
 *   - after fork the child reads 3 bytes: the parent's offset moved too;
 *     the parent seeks: the child sees the new offset
 *   - F_SETFL O_APPEND in the child shows in the parent's F_GETFL; the
 *     child's FD_CLOEXEC does not show in the parent's F_GETFD
 *   - dup: same offset and status flags, FD_CLOEXEC cleared on the copy
 *   - dup2(fd, fd) returns fd; dup2 onto an open fd closes it first; dup2
 *     from a closed fd -> EBADF; dup3(fd, fd) -> EINVAL; dup3 with
 *     O_CLOEXEC sets it; dup3 with another flag -> EINVAL
 *   - F_DUPFD returns the lowest free fd >= arg; F_DUPFD_CLOEXEC sets the
 *     flag; F_DUPFD at RLIMIT_NOFILE -> EINVAL, dup2 onto it -> EBADF
 *   - parent and child appending to one O_APPEND fd in turn: nothing is
 *     overwritten
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/resource.h>

static char path[64];

static int open_fresh(const char *text, int flags)
{
	int fd = open(path, O_RDWR | O_TRUNC | flags);
	need(fd >= 0, 91, "open");
	need(write_full(fd, text, strlen(text)) == strlen(text), 92, "write");
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void offsets_across_fork(void)
{
	int fd = open_fresh("0123456789", 0);
	int ready[2], gate[2];
	need(pipe(ready) == 0 && pipe(gate) == 0, 93, "pipe");

	pid_t pid = guest_fork();
	if (pid == 0) {
		char buf[3], c;
		close(ready[0]);
		close(gate[1]);
		int ok = read(fd, buf, 3) == 3 && memcmp(buf, "012", 3) == 0;
		write(ready[1], "r", 1);
		read(gate[0], &c, 1); /* the parent seeks meanwhile */
		ok = ok && lseek(fd, 0, SEEK_CUR) == 7;
		/* O_APPEND and FD_CLOEXEC set here, checked by the parent */
		ok = ok && fcntl(fd, F_SETFL, O_APPEND) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
		_exit(ok ? 0 : 1);
	}
	close(ready[1]);
	close(gate[0]);
	char c;
	need(read(ready[0], &c, 1) == 1, 94, "child ready");
	expect_eq(lseek(fd, 0, SEEK_CUR), 3, 10, "parent's offset after the child read 3 bytes");
	lseek(fd, 7, SEEK_SET);
	close(gate[1]);
	expect_status(pid, "exited 0", 11, "child read 012, saw the parent's seek to 7, set flags");
	check(fcntl(fd, F_GETFL) & O_APPEND, 12, "O_APPEND set by the child shows in the parent's F_GETFL");
	expect_eq(fcntl(fd, F_GETFD), 0, 13, "FD_CLOEXEC set by the child does not show in the parent");
	close(ready[0]);
	close(fd);
}

static void dup_shares_description(void)
{
	int fd = open_fresh("abcdef", O_CLOEXEC);
	int d = dup(fd);
	check(d > fd, 20, "dup returns a new, higher fd here");
	char buf[2];
	read(fd, buf, 2);
	expect_eq(lseek(d, 0, SEEK_CUR), 2, 21, "dup: the copy shares the offset");
	fcntl(d, F_SETFL, O_NONBLOCK);
	check(fcntl(fd, F_GETFL) & O_NONBLOCK, 22, "dup: status flags (O_NONBLOCK) are shared");
	check(fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(d, F_GETFD) == 0, 23,
	      "dup: FD_CLOEXEC stays on the original, not on the copy");
	close(d);
	close(fd);
}

static void dup2_dup3(void)
{
	int fd = open_fresh("xyz", 0);
	int other = open("/dev/null", O_RDONLY);
	need(other >= 0, 95, "open /dev/null");

	expect_eq(dup2(fd, fd), fd, 30, "dup2(fd, fd) returns fd");
	expect_eq(dup2(fd, other), other, 31, "dup2 onto an open fd returns it");
	char c = 0;
	check(read(other, &c, 1) == 1 && c == 'x', 32, "that fd now reads the file, not /dev/null");
	close(other);
	errno = 0;
	long r = dup2(other, 50);
	expect_errno(r, errno, EBADF, 33, "dup2 from a closed fd");
	errno = 0;
	/* raw dup3: musl's wrapper answers fd == fd itself and drops other flags */
	r = syscall(SYS_dup3, fd, fd, 0);
	expect_errno(r, errno, EINVAL, 34, "dup3(fd, fd, 0)");
	r = syscall(SYS_dup3, fd, 60, O_CLOEXEC);
	check(r == 60 && fcntl(60, F_GETFD) == FD_CLOEXEC, 35, "dup3(O_CLOEXEC) sets FD_CLOEXEC");
	close(60);
	errno = 0;
	r = syscall(SYS_dup3, fd, 61, O_NONBLOCK);
	expect_errno(r, errno, EINVAL, 36, "dup3 with a flag other than O_CLOEXEC");
	close(fd);
}

static void fcntl_dupfd(void)
{
	int fd = open_fresh("q", 0);
	close(70);
	close(71);
	int keep = dup2(fd, 70);
	long r = fcntl(fd, F_DUPFD, 70);
	check(keep == 70 && r == 71, 40, "F_DUPFD 70 with 70 taken returns 71");
	check(fcntl(71, F_GETFD) == 0, 41, "F_DUPFD: no FD_CLOEXEC");
	r = fcntl(fd, F_DUPFD_CLOEXEC, 70);
	check(r == 72 && fcntl(72, F_GETFD) == FD_CLOEXEC, 42, "F_DUPFD_CLOEXEC returns 72 with FD_CLOEXEC");
	close(70);
	close(71);
	close(72);

	struct rlimit rl;
	need(getrlimit(RLIMIT_NOFILE, &rl) == 0, 96, "getrlimit");
	struct rlimit low = {256, rl.rlim_max};
	need(setrlimit(RLIMIT_NOFILE, &low) == 0, 97, "setrlimit");
	errno = 0;
	r = fcntl(fd, F_DUPFD, 256);
	expect_errno(r, errno, EINVAL, 43, "F_DUPFD at RLIMIT_NOFILE");
	errno = 0;
	r = dup2(fd, 256);
	expect_errno(r, errno, EBADF, 44, "dup2 onto RLIMIT_NOFILE");
	r = dup2(fd, 255);
	expect_eq(r, 255, 45, "dup2 onto RLIMIT_NOFILE - 1 works");
	close(255);
	setrlimit(RLIMIT_NOFILE, &rl);
	close(fd);
}

static void append_in_turn(void)
{
	int fd = open_fresh("", O_APPEND);
	for (int i = 0; i < 3; i++) {
		write(fd, "P", 1);
		pid_t pid = guest_fork();
		if (pid == 0)
			_exit(write(fd, "CC", 2) == 2 ? 0 : 1);
		expect_status(pid, "exited 0", 50 + i, "child appended");
	}
	char buf[32] = "";
	lseek(fd, 0, SEEK_SET);
	read(fd, buf, sizeof(buf) - 1);
	printf("file after alternating appends: %s\n", buf);
	check(strcmp(buf, "PCCPCCPCC") == 0, 53, "appends by parent and children interleave, none lost");
	close(fd);
}

int main(void)
{
	strcpy(path, "/tmp/fd_inherit.XXXXXX");
	int fd = mkstemp(path);
	need(fd >= 0, 90, "mkstemp");
	close(fd);
	offsets_across_fork();
	dup_shares_description();
	dup2_dup3();
	fcntl_dupfd();
	append_in_turn();
	unlink(path);
	return guest_finish();
}
