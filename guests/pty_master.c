/*
 * pty_master: the pty master's ioctls (pty(7), drivers/tty/pty.c, tty_io.c),
 * as posix_openpt/grantpt/unlockpt/ptsname and openpty use them:
 *
 *   - /dev/ptmx opens; TIOCGPTN names the slave (ptsname is /dev/pts/N);
 *     TIOCGPTLCK reads 1 until TIOCSPTLCK 0 (unlockpt) unlocks it
 *   - the slave opens by name and by TIOCGPTPEER (O_CLOEXEC honoured); it
 *     is a terminal, the master's bytes reach it and its echo comes back
 *   - TIOCPKT on: the master reads a packet header byte before the data;
 *     TIOCGPKT reads the mode back
 *   - TCFLSH drops unread input (TCIFLUSH); TCSBRK 1 (tcdrain) and TCXONC
 *     succeed; a bad TCFLSH queue is EINVAL
 *   - TIOCEXCL: a second open of the slave is EBUSY (root is exempt, as
 *     Linux: CAP_SYS_ADMIN), TIOCGEXCL reads 1; TIOCNXCL clears it
 *   - a pty ioctl on a regular file is ENOTTY
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef TIOCGEXCL
#define TIOCGEXCL _IOR('T', 0x40, int)
#endif
#ifndef TIOCGPKT
#define TIOCGPKT _IOR('T', 0x38, int)
#endif
#ifndef TIOCGPTLCK
#define TIOCGPTLCK _IOR('T', 0x39, int)
#endif

static long read_some(int fd, char *buf, size_t n)
{
	/* The line discipline's work is asynchronous natively: wait for it. */
	for (int i = 0; i < 200; i++) {
		long r = read(fd, buf, n);
		if (r >= 0 || errno != EAGAIN)
			return r;
		usleep(5000);
	}
	return -1;
}

int main(void)
{
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	need(m >= 0, 1, "open /dev/ptmx");
	unsigned n = 99999;
	expect_eq(ioctl(m, TIOCGPTN, &n), 0, 2, "TIOCGPTN");
	check(n < 99999, 3, "TIOCGPTN gave a number");
	int lck = -1;
	expect_eq(ioctl(m, TIOCGPTLCK, &lck), 0, 4, "TIOCGPTLCK");
	check(lck == 1, 5, "a new pty is locked: %d", lck);
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", n);
	errno = 0;
	int s = open(name, O_RDWR | O_NOCTTY);
	check(s < 0 && errno == EIO, 6, "open of a locked slave is EIO (%s)", errno_name(errno));
	if (s >= 0)
		close(s);
	expect_eq(grantpt(m), 0, 7, "grantpt");
	expect_eq(unlockpt(m), 0, 8, "unlockpt (TIOCSPTLCK 0)");
	expect_eq(ioctl(m, TIOCGPTLCK, &lck), 0, 9, "TIOCGPTLCK again");
	check(lck == 0, 10, "unlocked: %d", lck);
	const char *pn = ptsname(m);
	check(pn && strcmp(pn, name) == 0, 11, "ptsname is /dev/pts/N");
	s = open(name, O_RDWR | O_NOCTTY);
	need(s >= 0, 12, "open the slave by name");
	check(isatty(s) && !isatty(open("/dev/null", O_RDONLY)), 13, "the slave is a terminal");

	int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	check(p >= 0, 14, "TIOCGPTPEER (%s)", errno_name(errno));
	check(p >= 0 && (fcntl(p, F_GETFD) & FD_CLOEXEC) && isatty(p), 15, "the peer: a terminal, cloexec");
	struct stat a, b;
	check(p >= 0 && !fstat(p, &a) && !fstat(s, &b) && a.st_rdev == b.st_rdev, 16,
	      "the peer is the same slave");
	if (p >= 0)
		close(p);

	/* Raw slave: what the master writes, the slave reads. */
	struct termios tio;
	need(tcgetattr(s, &tio) == 0, 17, "tcgetattr slave");
	cfmakeraw(&tio);
	expect_eq(tcsetattr(s, TCSANOW, &tio), 0, 18, "tcsetattr raw");
	fcntl(s, F_SETFL, O_NONBLOCK);
	fcntl(m, F_SETFL, O_NONBLOCK);
	char buf[64];
	expect_eq(write(m, "abc", 3), 3, 19, "master writes");
	long r = read_some(s, buf, sizeof(buf));
	check(r == 3 && !memcmp(buf, "abc", 3), 20, "slave reads abc (%ld)", r);
	expect_eq(write(s, "xyz", 3), 3, 21, "slave writes");
	r = read_some(m, buf, sizeof(buf));
	check(r == 3 && !memcmp(buf, "xyz", 3), 22, "master reads xyz (%ld)", r);

	/* Packet mode. */
	int one = 1, pk = -1;
	expect_eq(ioctl(m, TIOCPKT, &one), 0, 23, "TIOCPKT 1");
	expect_eq(ioctl(m, TIOCGPKT, &pk), 0, 24, "TIOCGPKT");
	check(pk == 1, 25, "packet mode read back: %d", pk);
	expect_eq(write(s, "q", 1), 1, 26, "slave writes in packet mode");
	r = read_some(m, buf, sizeof(buf));
	check(r == 2 && buf[0] == TIOCPKT_DATA && buf[1] == 'q', 27, "a header byte, then the data (%ld)", r);
	int zero = 0;
	expect_eq(ioctl(m, TIOCPKT, &zero), 0, 28, "TIOCPKT 0");

	/* Flushing, draining, flow control. */
	expect_eq(write(m, "junk", 4), 4, 29, "input for the slave");
	usleep(50000);
	expect_eq(tcflush(s, TCIFLUSH), 0, 30, "tcflush TCIFLUSH");
	errno = 0;
	r = read(s, buf, sizeof(buf));
	check(r < 0 && errno == EAGAIN, 31, "nothing left to read (%ld %s)", r, errno_name(errno));
	expect_eq(tcdrain(s), 0, 32, "tcdrain (TCSBRK 1)");
	expect_eq(tcflow(s, TCOON), 0, 33, "tcflow TCOON");
	errno = 0;
	check(ioctl(s, TCFLSH, 7) < 0 && errno == EINVAL, 34, "TCFLSH 7 is EINVAL (%s)", errno_name(errno));

	/* Exclusive mode. */
	int ex = -1;
	expect_eq(ioctl(s, TIOCEXCL), 0, 35, "TIOCEXCL");
	expect_eq(ioctl(s, TIOCGEXCL, &ex), 0, 36, "TIOCGEXCL");
	check(ex == 1, 37, "exclusive: %d", ex);
	int s2 = open(name, O_RDWR | O_NOCTTY);
	check(geteuid() == 0 ? s2 >= 0 : s2 < 0 && errno == EBUSY, 38, "second open: root exempt, else EBUSY");
	if (s2 >= 0)
		close(s2);
	expect_eq(ioctl(s, TIOCNXCL), 0, 39, "TIOCNXCL");
	expect_eq(ioctl(s, TIOCGEXCL, &ex), 0, 40, "TIOCGEXCL again");
	check(ex == 0, 41, "not exclusive: %d", ex);

	int f = open("pty_master.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(f >= 0, 42, "a regular file");
	errno = 0;
	check(ioctl(f, TIOCGPTN, &n) < 0 && errno == ENOTTY, 43, "TIOCGPTN on a file: ENOTTY (%s)",
	      errno_name(errno));
	errno = 0;
	check(ioctl(f, TCFLSH, TCIFLUSH) < 0 && errno == ENOTTY, 44, "TCFLSH on a file: ENOTTY (%s)",
	      errno_name(errno));
	close(f);
	unlink("pty_master.tmp");
	close(s);
	close(m);
	return guest_finish();
}
