/*
 * fifo_pipe_size: F_GETPIPE_SZ / F_SETPIPE_SZ (fcntl(2), pipe(7)) on pipes
 * and FIFOs: 64 KiB to start; sizes round up to a power of two of at
 * least a page; a pipe holds exactly its size; shrinking below what it
 * holds is EBUSY; past /proc/sys/fs/pipe-max-size EPERM without
 * CAP_SYS_RESOURCE; more than 2^31 EINVAL; not a pipe EBADF.
 */
#include "cred_check.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static char buf[1 << 16];

static long fill(int fd)
{
	long total = 0;
	for (;;) {
		ssize_t n = write(fd, buf, 1000);
		if (n < 0)
			return errno == EAGAIN ? total : -errno;
		total += n;
	}
}

int main(void)
{
	int p[2];
	need(pipe2(p, O_NONBLOCK) == 0, 1, "pipe2");
	expect_eq(fcntl(p[0], F_GETPIPE_SZ), 65536, 2, "default size");
	expect_eq(fcntl(p[1], F_SETPIPE_SZ, 100000), 131072, 3, "100000 rounds to 131072");
	expect_eq(fcntl(p[0], F_GETPIPE_SZ), 131072, 4, "both ends see it");
	expect_eq(fcntl(p[1], F_SETPIPE_SZ, 0), 4096, 5, "0 gives a page");
	expect_eq(fill(p[1]), 4000, 6, "4000 bytes in 1000-byte atomic writes");
	expect_eq(write(p[1], buf, 96), 96, 22, "the last 96");
	EXPECT_ERRNO(write(p[1], buf, 1), EAGAIN, 7, "full at 4096");
	expect_eq(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192, 8, "grow while full");
	expect_eq(fill(p[1]), 4000, 9, "room for 4000 more in 1000-byte writes");
	EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY, 10, "shrink below the contents");
	expect_eq(read(p[0], buf, 8000), 8000, 11, "the data survived");
	expect_eq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096, 12, "shrink when empty enough");
	EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, 0x80000001u), EINVAL, 13, "past 2^31");
	long max = 0;
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
	need(f && fscanf(f, "%ld", &max) == 1, 14, "pipe-max-size");
	fclose(f);
	if (my_caps().eff & CAP_BIT(24)) { /* CAP_SYS_RESOURCE */
		expect_eq(fcntl(p[1], F_SETPIPE_SZ, max * 2), max * 2, 15, "past pipe-max-size");
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			struct capsets c = my_caps();
			set_caps(c.eff & ~CAP_BIT(24), c.prm, c.inh); /* CAP_SYS_RESOURCE */
			errno = 0;
			int ok = fcntl(p[1], F_SETPIPE_SZ, max * 4) == -1 && errno == EPERM;
			ok = ok && fcntl(p[1], F_SETPIPE_SZ, max) == max; /* shrinking is fine */
			_exit(ok ? 0 : 1);
		}
		expect_status(pid, "exited 0", 16, "without CAP_SYS_RESOURCE");
	} else {
		EXPECT_ERRNO(fcntl(p[1], F_SETPIPE_SZ, max * 2), EPERM, 15,
			     "past pipe-max-size without CAP_SYS_RESOURCE");
		expect_eq(fcntl(p[1], F_SETPIPE_SZ, max), max, 16, "up to pipe-max-size");
	}
	int file = open("plain", O_CREAT | O_RDWR, 0644);
	EXPECT_ERRNO(fcntl(file, F_GETPIPE_SZ), EBADF, 17, "a file");
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	EXPECT_ERRNO(fcntl(sv[0], F_SETPIPE_SZ, 4096), EBADF, 18, "a socket");
	need(mkfifo("fifo", 0600) == 0, 19, "mkfifo");
	int fr = open("fifo", O_RDWR);
	expect_eq(fcntl(fr, F_GETPIPE_SZ), 65536, 20, "a FIFO's size");
	expect_eq(fcntl(fr, F_SETPIPE_SZ, 16384), 16384, 21, "set a FIFO's size");
	return guest_finish();
}
