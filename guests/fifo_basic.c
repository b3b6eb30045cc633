/*
 * fifo_basic: named pipes (fifo(7), mknod(2), open(2), pipe(7)):
 *
 *   - mkfifo and mknod(S_IFIFO) make a FIFO (umask applied, EEXIST the
 *     second time); mknod of a directory is EPERM, of an unknown type
 *     EINVAL, of type 0 a regular file; as root a character device
 *   - O_WRONLY|O_NONBLOCK without readers is ENXIO; O_RDONLY|O_NONBLOCK
 *     opens at once, reads EOF and polls without POLLHUP until a writer
 *     came; then writes reach it, and POLLHUP after the writer closed
 *   - O_RDWR never blocks and holds both ends; the data goes when the
 *     last descriptor closes; fstat shows the FIFO's inode
 *   - between two processes: the reader's blocking open waits for the
 *     writer and the other way round; a message goes through
 *   - a process killed in its blocking open leaves no reader behind
 */
#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static short revents(int fd)
{
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	poll(&p, 1, 0);
	return p.revents;
}

int main(void)
{
	umask(022);
	expect_eq(mkfifo("f", 0666), 0, 1, "mkfifo");
	struct stat st;
	need(stat("f", &st) == 0, 2, "stat f");
	check(S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0644, 3, "FIFO 0644: %o", st.st_mode);
	EXPECT_ERRNO(mkfifo("f", 0666), EEXIST, 4, "mkfifo again");
	EXPECT_ERRNO(mknod("d", S_IFDIR | 0755, 0), EPERM, 5, "mknod S_IFDIR");
	EXPECT_ERRNO(mknod("x", 0170000 | 0644, 0), EINVAL, 6, "mknod of type 0170000");
	expect_eq(mknod("reg", 0640, 0), 0, 7, "mknod type 0");
	need(stat("reg", &st) == 0, 8, "stat reg");
	check(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640, 9, "regular 0640");
	expect_eq(mknodat(AT_FDCWD, "g", S_IFIFO | 0600, 0), 0, 10, "mknodat S_IFIFO");
	if (geteuid() == 0) {
		expect_eq(mknod("null", S_IFCHR | 0666, makedev(1, 3)), 0, 11, "mknod char 1:3");
		need(stat("null", &st) == 0, 12, "stat null");
		check(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, 13,
		      "char device 1:3");
		int fd = open("null", O_WRONLY);
		check(fd >= 0 && write(fd, "x", 1) == 1, 14, "write to the new null device");
		close(fd);
	} else {
		printf("ok: not root\n");
	}

	/* Non-blocking ends. */
	EXPECT_ERRNO(open("f", O_WRONLY | O_NONBLOCK), ENXIO, 20, "writer without readers");
	int r = open("f", O_RDONLY | O_NONBLOCK);
	need(r >= 0, 21, "non-blocking reader");
	char buf[16];
	expect_eq(read(r, buf, sizeof(buf)), 0, 22, "read without writers: EOF");
	expect_eq(revents(r), 0, 23, "no POLLHUP before a writer");
	int w = open("f", O_WRONLY | O_NONBLOCK);
	check(w >= 0, 24, "writer with a reader");
	expect_eq(revents(w), POLLOUT, 25, "writer polls POLLOUT");
	expect_eq(write(w, "hello", 5), 5, 26, "write");
	expect_eq(revents(r), POLLIN, 27, "reader polls POLLIN");
	expect_eq(read(r, buf, sizeof(buf)), 5, 28, "read");
	check(!memcmp(buf, "hello", 5), 29, "the bytes");
	close(w);
	expect_eq(revents(r), POLLHUP, 30, "POLLHUP after the writer closed");
	int flags = fcntl(r, F_GETFL);
	expect_eq(flags & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK, 31, "F_GETFL");
	struct stat fst, pst;
	fstat(r, &fst);
	stat("f", &pst);
	check(S_ISFIFO(fst.st_mode) && fst.st_ino == pst.st_ino && fst.st_dev == pst.st_dev, 32,
	      "fstat is the FIFO's inode");
	close(r);

	/* O_RDWR: both ends, never blocks; the data goes with the last close. */
	int rw = open("f", O_RDWR);
	need(rw >= 0, 40, "O_RDWR");
	expect_eq(write(rw, "abc", 3), 3, 41, "write to O_RDWR");
	expect_eq(read(rw, buf, 2), 2, 42, "read back from O_RDWR");
	expect_eq(revents(rw), POLLIN | POLLOUT, 43, "O_RDWR polls in and out");
	close(rw);
	rw = open("f", O_RDWR | O_NONBLOCK);
	EXPECT_ERRNO(read(rw, buf, sizeof(buf)), EAGAIN, 44, "the data went with the last close");
	close(rw);
	EXPECT_ERRNO(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, 45, "O_DIRECTORY");

	/* Two processes, blocking opens on both sides. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("f", O_RDONLY);
		if (fd < 0)
			_exit(1);
		ssize_t n = read(fd, buf, sizeof(buf));
		_exit(n == 4 && !memcmp(buf, "ping", 4) ? 0 : 2);
	}
	w = open("f", O_WRONLY);
	check(w >= 0, 50, "blocking writer open");
	expect_eq(write(w, "ping", 4), 4, 51, "write ping");
	close(w);
	expect_status(pid, "exited 0", 52, "reader got ping");

	pid = fork();
	if (pid == 0) {
		int fd = open("g", O_WRONLY);
		if (fd < 0)
			_exit(1);
		_exit(write(fd, "pong", 4) == 4 ? 0 : 2);
	}
	r = open("g", O_RDONLY);
	check(r >= 0, 53, "blocking reader open");
	ssize_t n = read(r, buf, 4);
	check(n == 4 && !memcmp(buf, "pong", 4), 54, "read pong");
	expect_status(pid, "exited 0", 55, "writer exits");
	expect_eq(read(r, buf, 4), 0, 56, "EOF after the writer");
	close(r);

	/* Killed while waiting in open: no reader is left behind. */
	pid = fork();
	if (pid == 0) {
		open("g", O_RDONLY);
		_exit(3);
	}
	usleep(50000);
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", 60, "reader killed");
	EXPECT_ERRNO(open("g", O_WRONLY | O_NONBLOCK), ENXIO, 61, "no reader left");
	expect_eq(unlink("f") | unlink("g"), 0, 62, "unlink the FIFOs");
	return guest_finish();
}
