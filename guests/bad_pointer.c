/*
 * bad_pointer: syscalls handed unmapped guest pointers must fail with
 * EFAULT (the emulator must neither crash nor touch host memory), and
 * unknown syscall numbers must fail with ENOSYS. Raw syscall() is used where
 * libc would dereference the pointer itself first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Laundered through a volatile so the compiler cannot reason about them. */
static void *volatile bad1 = (void *)1;
static void *volatile bad8 = (void *)8;
static void *volatile bad16 = (void *)16;

static void expect(long ret, int want_errno, int code, const char *what)
{
	if (ret != -1 || errno != want_errno) {
		printf("FAILED: %s: ret %ld errno %d\n", what, ret, ret == -1 ? errno : 0);
		exit(code);
	}
	printf("%s ok: %s\n", want_errno == EFAULT ? "EFAULT" : "ENOSYS", what);
}

int main(int argc, char **argv)
{
	int p[2];
	struct stat st;

	if (argc < 1)
		return 9;
	expect(syscall(SYS_write, 1, bad1, 10), EFAULT, 10, "write(1, 1, 10)");

	/* A zero-length write never looks at the buffer. */
	if (syscall(SYS_write, 1, bad1, 0) != 0)
		return 11;
	puts("zero-length write with bad buffer returns 0");

	/* read needs data waiting, or it returns 0/blocks before touching buf. */
	if (pipe(p) != 0 || write(p[1], "0123456789", 10) != 10)
		return 12;
	expect(syscall(SYS_read, p[0], bad8, 10), EFAULT, 13, "read(pipe, 8, 10)");
	close(p[0]);
	close(p[1]);

	int fd = open(argv[0], O_RDONLY);
	if (fd < 0)
		return 14;
	expect(syscall(SYS_read, fd, bad8, 10), EFAULT, 15, "read(file, 8, 10)");
	expect(syscall(SYS_pread64, fd, bad8, 10, 0), EFAULT, 16, "pread(file, 8, 10, 0)");
	close(fd);

	expect(syscall(SYS_writev, 1, bad16, 2), EFAULT, 17, "writev with bad iovec array");

	expect(stat((const char *)bad16, &st), EFAULT, 18, "stat(16, &st)");
	/* musl's stat() copies from a stack buffer into *st, so go raw here. */
	expect(syscall(SYS_newfstatat, AT_FDCWD, "/", bad16, 0), EFAULT, 19,
	       "newfstatat(\"/\", 16)");
	expect(syscall(SYS_open, bad16, O_RDONLY), EFAULT, 20, "open(16)");
	expect(syscall(SYS_openat, AT_FDCWD, bad16, O_RDONLY), EFAULT, 21, "openat(16)");
	expect(syscall(SYS_uname, bad8), EFAULT, 22, "uname(8)");
	expect(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad8), EFAULT, 23,
	       "clock_gettime(MONOTONIC, 8)");
	expect(syscall(SYS_pipe, bad8), EFAULT, 24, "pipe(8)");
	expect(syscall(SYS_getcwd, bad8, 4096), EFAULT, 25, "getcwd(8, 4096)");

	expect(syscall(1000), ENOSYS, 30, "syscall 1000");
	expect(syscall(-1L), ENOSYS, 32, "syscall -1");

	puts("bad_pointer done");
	return 0;
}
