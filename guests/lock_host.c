/*
 * lock_host: file locks shared with host processes (tests/e2e/lock_host.sh
 * runs it natively and under cloneemu against a python3 helper and
 * compares the transcripts). argv[1]: a file the helper has locked (a POSIX
 * write lock on bytes 0-9 and a shared flock lock). Each step waits for a
 * line on stdin from the script.
 *   1. the helper's locks are seen: F_SETLK and F_OFD_SETLK EAGAIN, F_GETLK
 *      reports the write lock (l_pid is a process's, or 0 when the holder is
 *      outside our PID namespace), a read lock elsewhere is granted, flock
 *      LOCK_EX fails and LOCK_SH succeeds;
 *   2. F_SETLKW sleeps until the helper lets go ("waiting" tells the
 *      script), then holds the locks while the script's host checks run;
 *   3. after close() the host can take them.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/file.h>

static void wait_line(void)
{
	char buf[64];
	if (!fgets(buf, sizeof(buf), stdin))
		exit(9);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &l);
}

/* errno read after the call (argument order is unspecified). */
#define EXPECT_ERRNO(call, want, code, what)                                                   \
	do {                                                                                   \
		long r_ = (call);                                                              \
		int e_ = errno;                                                                \
		expect_errno(r_, e_, want, code, what);                                        \
	} while (0)

int main(int argc, char **argv)
{
	need(argc == 2, 1, "usage: lock_host FILE");
	int fd = open(argv[1], O_RDWR);
	need(fd >= 0, 2, "open");
	EXPECT_ERRNO(setlk(fd, F_SETLK, F_WRLCK, 0, 10), EAGAIN, 10,
		     "F_SETLK over the host's write lock");
	EXPECT_ERRNO(setlk(fd, F_SETLK, F_RDLCK, 5, 1), EAGAIN, 11,
		     "F_SETLK read lock inside it");
	EXPECT_ERRNO(setlk(fd, F_OFD_SETLK, F_WRLCK, 0, 10), EAGAIN, 12,
		     "F_OFD_SETLK over it");
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
	expect_eq(fcntl(fd, F_GETLK, &l), 0, 13, "F_GETLK");
	check(l.l_type == F_WRLCK && l.l_start == 0 && l.l_len == 10 && l.l_pid >= 0, 14,
	      "F_GETLK reports the host's write lock on 0-9 held by a process");
	expect_eq(setlk(fd, F_SETLK, F_RDLCK, 20, 10), 0, 15, "F_SETLK read lock on 20-29");
	EXPECT_ERRNO(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK, 16,
		     "flock LOCK_EX against the host's LOCK_SH");
	expect_eq(flock(fd, LOCK_SH | LOCK_NB), 0, 17, "flock LOCK_SH beside it");
	printf("waiting\n");
	expect_eq(setlk(fd, F_SETLKW, F_WRLCK, 0, 10), 0, 18, "F_SETLKW once the host lets go");
	expect_eq(flock(fd, LOCK_EX | LOCK_NB), 0, 19, "flock LOCK_EX once the host lets go");
	printf("holding\n");
	wait_line();
	close(fd);
	printf("released\n");
	wait_line();
	return guest_finish();
}
