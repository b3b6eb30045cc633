/*
 * fifo_pipe_packet: pipes in packet mode (pipe2(O_DIRECT), pipe(7)): each
 * write is a packet (a write larger than PIPE_BUF is several), a read
 * returns at most one packet and drops what does not fit; every packet
 * takes a page of the pipe, so a 64 KiB pipe holds 16; F_SETFL O_DIRECT
 * turns a writer to packets; without O_DIRECT writes run together.
 */
#include "guest_check.h"

#include <fcntl.h>

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static char big[5000], buf[8192];

int main(void)
{
	int p[2];
	need(pipe2(p, O_DIRECT | O_NONBLOCK) == 0, 1, "pipe2(O_DIRECT)");
	check((fcntl(p[1], F_GETFL) & O_DIRECT) && !(fcntl(p[0], F_GETFL) & O_DIRECT), 2,
	      "O_DIRECT in the write end's F_GETFL only");
	memset(big, 'x', sizeof(big));
	expect_eq(write(p[1], "abc", 3), 3, 3, "write abc");
	expect_eq(write(p[1], "defgh", 5), 5, 4, "write defgh");
	expect_eq(write(p[1], big, sizeof(big)), 5000, 5, "write 5000");
	expect_eq(read(p[0], buf, 100), 3, 6, "one packet: abc");
	expect_eq(read(p[0], buf, 2), 2, 7, "two bytes of defgh");
	check(!memcmp(buf, "de", 2), 8, "they are de");
	expect_eq(read(p[0], buf, sizeof(buf)), 4096, 9, "the first PIPE_BUF of 5000");
	expect_eq(read(p[0], buf, sizeof(buf)), 904, 10, "the rest");
	EXPECT_ERRNO(read(p[0], buf, 1), EAGAIN, 11, "empty: fgh was dropped");
	int n = 0;
	while (write(p[1], "y", 1) == 1)
		n++;
	expect_eq(n, 16, 12, "sixteen 1-byte packets fill 64 KiB");
	for (int i = 0; i < 16; i++)
		read(p[0], buf, 10);
	close(p[0]);
	close(p[1]);

	need(pipe2(p, O_NONBLOCK) == 0, 20, "plain pipe");
	write(p[1], "abc", 3);
	write(p[1], "def", 3);
	expect_eq(read(p[0], buf, 100), 6, 21, "plain writes run together");
	expect_eq(fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK), 0, 22, "F_SETFL O_DIRECT");
	write(p[1], "abc", 3);
	write(p[1], "def", 3);
	expect_eq(read(p[0], buf, 100), 3, 23, "now packets");
	expect_eq(read(p[0], buf, 100), 3, 24, "the second packet");
	EXPECT_ERRNO(pipe2(p, 0x10000000), EINVAL, 25, "pipe2 with an unknown flag");
	return guest_finish();
}
