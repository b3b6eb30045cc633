/*
 * vmsplice_basic: vmsplice(2) on model pipes (fs/splice.c):
 *
 *   - into a pipe's write end: the buffers' bytes, in order; out of its
 *     read end: what the pipe holds, into several buffers
 *   - SPLICE_F_NONBLOCK on an empty read end or a full write end: EAGAIN
 *   - no reader: EPIPE (SIGPIPE ignored); no writer and empty: 0
 *   - bad flags EINVAL, a bad descriptor EBADF; a descriptor that is no
 *     pipe: EBADF, but the vector is read first (EFAULT) and an empty one
 *     is 0
 */
#include "guest_check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/uio.h>

#define EXPECT_ERRNO(call, want, code, what)                                                       \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

int main(void)
{
	int p[2];
	need(pipe(p) == 0, 1, "pipe");
	char a[] = "hello ", b[] = "world";
	struct iovec out[2] = {{a, 6}, {b, 5}};
	expect_eq(vmsplice(p[1], out, 2, 0), 11, 2, "vmsplice into the write end: 11 bytes");
	char buf[64] = "";
	expect_eq(read(p[0], buf, sizeof(buf)), 11, 3, "read 11 bytes");
	check(!memcmp(buf, "hello world", 11), 4, "they are the buffers' bytes in order");

	expect_eq(write(p[1], "abcdef", 6), 6, 5, "write 6 bytes");
	char x[3], y[10];
	struct iovec in[2] = {{x, 3}, {y, 10}};
	expect_eq(vmsplice(p[0], in, 2, 0), 6, 6, "vmsplice out of the read end: 6 bytes");
	check(!memcmp(x, "abc", 3) && !memcmp(y, "def", 3), 7, "split over the two buffers");
	EXPECT_ERRNO(vmsplice(p[0], in, 2, SPLICE_F_NONBLOCK), EAGAIN, 8,
		     "SPLICE_F_NONBLOCK on an empty pipe");
	EXPECT_ERRNO(vmsplice(p[1], out, 2, 0x10), EINVAL, 9, "an unknown flag");
	EXPECT_ERRNO(vmsplice(999, out, 2, 0), EBADF, 10, "a bad descriptor");

	int q[2];
	need(pipe2(q, O_NONBLOCK) == 0, 11, "pipe2");
	static char big[1 << 16];
	long filled = 0, r;
	while ((r = write(q[1], big, sizeof(big))) > 0)
		filled += r;
	expect_eq(filled, 65536, 12, "the pipe takes 64 KiB");
	EXPECT_ERRNO(vmsplice(q[1], out, 2, SPLICE_F_NONBLOCK), EAGAIN, 13,
		     "SPLICE_F_NONBLOCK on a full pipe");

	int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	need(f >= 0, 14, "open file");
	EXPECT_ERRNO(vmsplice(f, out, 2, 0), EBADF, 15, "a regular file");
	expect_eq(vmsplice(f, out, 0, 0), 0, 16, "a regular file, no buffers");
	EXPECT_ERRNO(vmsplice(f, (struct iovec *)8, 1, 0), EFAULT, 17,
		     "a regular file, a bad vector");
	EXPECT_ERRNO(vmsplice(p[1], out, 2000, 0), EINVAL, 18, "more than IOV_MAX buffers");
	unlink("file");

	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	EXPECT_ERRNO(vmsplice(p[1], out, 2, 0), EPIPE, 19, "no reader");
	need(pipe(p) == 0, 20, "pipe");
	close(p[1]);
	expect_eq(vmsplice(p[0], in, 2, 0), 0, 21, "no writer, empty: 0");
	return guest_finish();
}
