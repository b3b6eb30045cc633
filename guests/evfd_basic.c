/* eventfd(2): counter and EFD_SEMAPHORE semantics, blocking both ways,
 * overflow, errno cases, poll bits, /proc/self/fd and fdinfo, fork. */
#include "guest_check.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define EXPECT_ERR(call, want, code, what)                                              \
	do {                                                                            \
		long r_ = (call);                                                       \
		int e_ = errno;                                                         \
		expect_errno(r_, e_, want, code, what);                                 \
	} while (0)

static short pbits(int fd)
{
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	poll(&p, 1, 0);
	return p.revents;
}

static volatile uintptr_t bad_ptr = 8;

int main(void)
{
	uint64_t v;
	int fd = eventfd(3, 0);
	need(fd >= 0, 1, "eventfd");
	expect_eq(read(fd, &v, 8), 8, 2, "read returns 8");
	expect_eq((long)v, 3, 3, "read takes the whole count");
	v = 5;
	expect_eq(write(fd, &v, 8), 8, 4, "write adds");
	v = 2;
	expect_eq(write(fd, &v, 8), 8, 5, "write adds again");
	expect_eq(read(fd, &v, 8), 8, 6, "read");
	expect_eq((long)v, 7, 7, "sum of writes");
	EXPECT_ERR(read(fd, &v, 4), EINVAL, 8, "short read buffer");
	EXPECT_ERR(write(fd, &v, 7), EINVAL, 9, "short write buffer");
	v = UINT64_MAX;
	EXPECT_ERR(write(fd, &v, 8), EINVAL, 10, "write of 0xffffffffffffffff");
	EXPECT_ERR(write(fd, (void *)bad_ptr, 8), EFAULT, 11, "write from a bad pointer");
	expect_eq(lseek(fd, 0, SEEK_SET), 0, 12, "lseek is a no-op");
	EXPECT_ERR(pread(fd, &v, 8, 0), ESPIPE, 13, "pread");
	expect_eq(pbits(fd), POLLOUT, 14, "empty: POLLOUT only");
	close(fd);

	EXPECT_ERR(eventfd(0, 0x4000000), EINVAL, 20, "unknown flag");
	EXPECT_ERR(syscall(SYS_eventfd2, 0, EFD_SEMAPHORE | 2), EINVAL, 21, "flag bit 1");

	/* Non-blocking: EAGAIN when empty and when the sum would overflow. */
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	need(fd >= 0, 22, "eventfd nonblock");
	expect_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK, 23, "O_NONBLOCK in F_GETFL");
	expect_eq(fcntl(fd, F_GETFD), FD_CLOEXEC, 24, "FD_CLOEXEC");
	EXPECT_ERR(read(fd, &v, 8), EAGAIN, 25, "empty read EAGAIN");
	v = UINT64_MAX - 1;
	expect_eq(write(fd, &v, 8), 8, 26, "write max-1");
	expect_eq(pbits(fd), POLLIN, 27, "full: POLLIN, no POLLOUT");
	v = 1;
	EXPECT_ERR(write(fd, &v, 8), EAGAIN, 28, "overflow EAGAIN");
	v = 0;
	expect_eq(write(fd, &v, 8), 8, 29, "write of 0 always fits");
	expect_eq(read(fd, &v, 8), 8, 30, "read max-1");
	check(v == UINT64_MAX - 1, 31, "value max-1");
	struct stat st;
	expect_eq(fstat(fd, &st), 0, 32, "fstat");
	expect_eq(st.st_mode & 07777, 0600, 33, "mode 0600");
	expect_eq(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode), 0, 34, "no file type");
	char link[64], path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(!strcmp(link, "anon_inode:[eventfd]"), 35, "/proc/self/fd link %s", link);
	v = 0x2a;
	write(fd, &v, 8);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *fi = fopen(path, "r");
	char line[128];
	int saw = 0;
	while (fi && fgets(line, sizeof(line), fi))
		if (!strncmp(line, "eventfd-count:", 14))
			saw = !strcmp(line, "eventfd-count:               2a\n");
	if (fi)
		fclose(fi);
	check(saw, 36, "fdinfo eventfd-count");
	DIR *dd = opendir("/proc/self/fdinfo");
	int listed = 0;
	struct dirent *de;
	while (dd && (de = readdir(dd)))
		listed |= atoi(de->d_name) == fd && de->d_name[0] != '.';
	if (dd)
		closedir(dd);
	check(listed, 55, "/proc/self/fdinfo lists it");
	/* readv/writev loop over the vector. */
	uint64_t two[2] = {1, 2};
	struct iovec iov[2] = {{&two[0], 8}, {&two[1], 8}};
	expect_eq(writev(fd, iov, 2), 16, 37, "writev of two counts");
	expect_eq(read(fd, &v, 8), 8, 38, "read");
	expect_eq((long)v, 0x2a + 3, 39, "writev added both");
	close(fd);

	/* EFD_SEMAPHORE across fork: the child takes 1 at a time and blocks
	 * when it runs out; the parent releases it. */
	fd = eventfd(2, EFD_SEMAPHORE);
	need(fd >= 0, 40, "eventfd semaphore");
	int done = eventfd(0, 0);
	pid_t pid = guest_fork();
	if (pid == 0) {
		uint64_t c;
		int got = 0;
		for (int i = 0; i < 5; i++)
			if (read(fd, &c, 8) == 8 && c == 1)
				got++;
		printf("child: %d semaphore reads of 1\n", got);
		c = 1;
		write(done, &c, 8);
		_exit(got == 5 ? 0 : 1);
	}
	/* The child has two already; it blocks for the other three. */
	v = 3;
	long posted = write(fd, &v, 8);
	long finished = read(done, &v, 8);
	expect_eq(posted, 8, 41, "post 3");
	expect_eq(finished, 8, 42, "child finished");
	expect_status(pid, "exited 0", 43, "child");
	fd = eventfd(0, EFD_NONBLOCK);
	EXPECT_ERR(read(fd, &v, 8), EAGAIN, 44, "drained");

	/* Passed over a socketpair with SCM_RIGHTS: the same counter. */
	int sp[2];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0, 50, "socketpair");
	int passed = eventfd(0, EFD_NONBLOCK);
	pid = guest_fork();
	if (pid == 0) {
		char b = 0;
		struct iovec io = {&b, 1};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct msghdr mh = {0};
		mh.msg_iov = &io;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		if (recvmsg(sp[1], &mh, 0) != 1)
			_exit(1);
		int got;
		memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(got));
		uint64_t c = 9;
		_exit(write(got, &c, 8) == 8 ? 0 : 2);
	}
	{
		char b = 'x';
		struct iovec io = {&b, 1};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct msghdr mh = {0};
		mh.msg_iov = &io;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passed, sizeof(int));
		expect_eq(sendmsg(sp[0], &mh, 0), 1, 51, "sendmsg with the eventfd");
	}
	expect_status(pid, "exited 0", 52, "child wrote through the passed eventfd");
	expect_eq(read(passed, &v, 8), 8, 53, "read here");
	expect_eq((long)v, 9, 54, "the child's count");

	/* A writer blocked on overflow is released by a reader. */
	int big = eventfd(0, 0);
	v = UINT64_MAX - 1;
	write(big, &v, 8);
	pid = guest_fork();
	if (pid == 0) {
		uint64_t c = 5;
		_exit(write(big, &c, 8) == 8 ? 0 : 1);
	}
	expect_eq(read(big, &v, 8), 8, 45, "read releases the writer");
	expect_status(pid, "exited 0", 46, "blocked writer");
	expect_eq(read(big, &v, 8), 8, 47, "writer's count");
	expect_eq((long)v, 5, 48, "5 arrived");
	return guest_finish();
}
