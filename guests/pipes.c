/*
 * pipes: pipes between processes, the way shells and build tools use them.
 *
 *   - 256 KiB parent -> child, then 256 KiB child -> parent (each more than
 *     a pipe holds, so writers must block and wake), contents checked; the
 *     child's read loop ends at EOF when the parent closes its write end
 *   - a short write is returned at once by a read asking for more; FIONREAD
 *   - EOF only once every write end is closed (a child still holds one:
 *     a non-blocking read says EAGAIN, not EOF)
 *   - O_NONBLOCK: read on an empty pipe -> EAGAIN; filling with 4 KiB
 *     writes stops at 64 KiB with EAGAIN; F_GETFL shows O_NONBLOCK
 *   - pipe2(O_CLOEXEC): FD_CLOEXEC on both ends; pipe(): on neither
 *   - with SIGPIPE ignored (SIG_IGN, no handler), write with no reader ->
 *     EPIPE, also when the reader was a child that exited
 *   - a writer with SIGPIPE at its default action is killed by it: the
 *     parent sees WTERMSIG == SIGPIPE
 *   - fork + dup2(pipe, 1) + exec of this program ("echo" mode): the
 *     parent reads the exec'd image's stdout from the pipe
 *   - two children writing 4096-byte (== PIPE_BUF) records into one pipe at
 *     the same time: every record arrives whole
 *   - fstat: S_ISFIFO; lseek and pread -> ESPIPE; zero-length read and
 *     write return 0
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define BULK (256 * 1024)

static unsigned char pattern(size_t i, int salt)
{
	return (unsigned char)((i * 131 + (i >> 9) + (size_t)salt) & 0xff);
}

static void xpipe(int fds[2])
{
	need(pipe(fds) == 0, 91, "pipe");
}

static void bulk_both_ways(void)
{
	int down[2], up[2];

	xpipe(down);
	xpipe(up);
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		static unsigned char buf[BULK + 1];
		size_t got = 0;
		ssize_t r;
		/* read in odd-sized pieces until EOF */
		while ((r = read(down[0], buf + got, got + 7777 > sizeof(buf) ? sizeof(buf) - got : 7777)) > 0)
			got += (size_t)r;
		int bad = got != BULK;
		for (size_t i = 0; !bad && i < BULK; i++)
			bad = buf[i] != pattern(i, 1);
		for (size_t i = 0; i < BULK; i++)
			buf[i] = pattern(i, 2);
		if (write_full(up[1], buf, BULK) != BULK)
			bad |= 2;
		_exit(bad);
	}
	close(down[0]);
	close(up[1]);
	static unsigned char buf[BULK];
	for (size_t i = 0; i < BULK; i++)
		buf[i] = pattern(i, 1);
	size_t put = write_full(down[1], buf, BULK);
	expect_eq((long)put, BULK, 10, "parent wrote 256 KiB into the pipe");
	close(down[1]); /* the child's read loop ends at EOF */
	memset(buf, 0, sizeof(buf));
	size_t got = read_full(up[0], buf, BULK);
	expect_eq((long)got, BULK, 11, "parent read 256 KiB back");
	int same = 1;
	for (size_t i = 0; same && i < BULK; i++)
		same = buf[i] == pattern(i, 2);
	check(same, 12, "contents from the child intact");
	char c;
	expect_eq(read(up[0], &c, 1), 0, 13, "read after the child closed its end: EOF (0)");
	expect_status(pid, "exited 0", 14, "child got 256 KiB intact, to EOF");
	close(up[0]);
}

static void short_reads_and_fionread(void)
{
	int p[2];
	char buf[100];

	xpipe(p);
	need(write(p[1], "0123456789", 10) == 10, 92, "write 10");
	int avail = -1;
	check(ioctl(p[0], FIONREAD, &avail) == 0 && avail == 10, 20, "FIONREAD == 10");
	expect_eq(read(p[0], buf, sizeof(buf)), 10, 21, "read(100) returns the 10 bytes available");
	close(p[0]);
	close(p[1]);
}

static void eof_needs_every_writer(void)
{
	int p[2], gate[2];

	xpipe(p);
	xpipe(gate);
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(p[0]);
		close(gate[1]);
		read(gate[0], &c, 1); /* hold p[1] until the parent says so */
		_exit(0);
	}
	close(p[1]);
	close(gate[0]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char c;
	errno = 0;
	long r = read(p[0], &c, 1);
	expect_errno(r, errno, EAGAIN, 30, "child still holds a write end: non-blocking read");
	close(gate[1]);
	expect_status(pid, "exited 0", 31, "write-end holder");
	expect_eq(read(p[0], &c, 1), 0, 32, "after the last writer exited: EOF");
	close(p[0]);
}

static void nonblocking(void)
{
	int p[2];
	char buf[4096];

	need(pipe2(p, O_NONBLOCK) == 0, 91, "pipe2(O_NONBLOCK)");
	check((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK), 40,
	      "pipe2(O_NONBLOCK): F_GETFL shows O_NONBLOCK on both ends");
	errno = 0;
	long r = read(p[0], buf, sizeof(buf));
	expect_errno(r, errno, EAGAIN, 41, "O_NONBLOCK read on an empty pipe");
	memset(buf, 'x', sizeof(buf));
	long total = 0;
	for (int i = 0; i < 64; i++) {
		r = write(p[1], buf, sizeof(buf));
		if (r < 0)
			break;
		total += r;
	}
	int err = errno;
	expect_eq(total, 65536, 42, "O_NONBLOCK: pipe holds 64 KiB");
	expect_errno(r, err, EAGAIN, 43, "O_NONBLOCK write to a full pipe");
	expect_eq(read(p[0], buf, sizeof(buf)), 4096, 44, "drain one 4 KiB piece");
	expect_eq(write(p[1], buf, 10), 10, 45, "room again: write 10");
	close(p[0]);
	close(p[1]);
}

static void cloexec_flags(void)
{
	int p[2];

	need(pipe2(p, O_CLOEXEC) == 0, 91, "pipe2(O_CLOEXEC)");
	check(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, 50,
	      "pipe2(O_CLOEXEC): FD_CLOEXEC on both ends");
	close(p[0]);
	close(p[1]);
	xpipe(p);
	check(fcntl(p[0], F_GETFD) == 0 && fcntl(p[1], F_GETFD) == 0, 51, "pipe(): no FD_CLOEXEC");
	close(p[0]);
	close(p[1]);
}

static void epipe_ignored(void)
{
	int p[2];

	need(signal(SIGPIPE, SIG_IGN) != SIG_ERR, 93, "signal(SIGPIPE, SIG_IGN)");
	xpipe(p);
	close(p[0]);
	errno = 0;
	long r = write(p[1], "x", 1);
	expect_errno(r, errno, EPIPE, 60, "SIGPIPE ignored: write with the read end closed");
	close(p[1]);

	xpipe(p);
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(p[1]);
		_exit(0); /* the reader goes away */
	}
	close(p[0]);
	expect_status(pid, "exited 0", 61, "reader child");
	errno = 0;
	r = write(p[1], "x", 1);
	expect_errno(r, errno, EPIPE, 62, "SIGPIPE ignored: write after the reader child exited");
	close(p[1]);
}

static void killed_by_sigpipe(void)
{
	int p[2], gate[2];

	xpipe(p);
	xpipe(gate);
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		signal(SIGPIPE, SIG_DFL); /* SIG_IGN was inherited */
		close(p[0]);
		close(gate[1]);
		read(gate[0], &c, 1); /* wait until the parent closed its read end */
		write(p[1], "x", 1);
		_exit(0); /* not reached */
	}
	close(p[0]);
	close(p[1]);
	close(gate[0]);
	close(gate[1]); /* EOF on the gate: go */
	expect_status(pid, "killed by signal 13", 70, "writer with default SIGPIPE");
}

static void redirect_and_exec(const char *self)
{
	int p[2];

	xpipe(p);
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) != 1)
			_exit(120);
		close(p[1]);
		char *argv[] = {(char *)"pipes", (char *)"echo", (char *)"through the pipe", NULL};
		char *envp[] = {NULL};
		execve(self, argv, envp);
		_exit(121);
	}
	close(p[1]);
	char buf[256];
	size_t n = read_full(p[0], buf, sizeof(buf) - 1);
	buf[n] = 0;
	close(p[0]);
	check(strcmp(buf, "echo: through the pipe\necho: stdout is a pipe\n") == 0, 80,
	      "exec'd child's stdout arrived through the pipe");
	printf("captured: %s", buf);
	expect_status(pid, "exited 0", 81, "exec'd echo child");
}

#define RECORDS 40
#define RECLEN 4096 /* PIPE_BUF: writes up to this size are atomic */

static void atomic_records(void)
{
	int p[2];
	pid_t kids[2];

	xpipe(p);
	for (int k = 0; k < 2; k++) {
		kids[k] = guest_fork();
		if (kids[k] == 0) {
			static char rec[RECLEN];
			close(p[0]);
			memset(rec, k ? 'B' : 'A', sizeof(rec));
			for (int i = 0; i < RECORDS; i++)
				if (write(p[1], rec, sizeof(rec)) != RECLEN)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	static char rec[RECLEN];
	int whole = 1, count[2] = {0, 0};
	while (read_full(p[0], rec, RECLEN) == RECLEN) {
		int k = rec[0] == 'B';
		for (int i = 0; i < RECLEN; i++)
			whole = whole && rec[i] == rec[0];
		count[k]++;
	}
	close(p[0]);
	check(whole, 100, "two writers, 4096-byte records: every record whole");
	check(count[0] == RECORDS && count[1] == RECORDS, 101, "40 records from each writer");
	expect_status(kids[0], "exited 0", 102, "writer A");
	expect_status(kids[1], "exited 0", 103, "writer B");
}

static void not_seekable(void)
{
	int p[2];
	struct stat st;
	char c;

	xpipe(p);
	check(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), 105, "fstat of a pipe: S_ISFIFO");
	errno = 0;
	long r = lseek(p[0], 0, SEEK_CUR);
	expect_errno(r, errno, ESPIPE, 106, "lseek on a pipe");
	write(p[1], "z", 1);
	errno = 0;
	r = pread(p[0], &c, 1, 0);
	expect_errno(r, errno, ESPIPE, 107, "pread on a pipe");
	expect_eq(write(p[1], &c, 0), 0, 108, "zero-length write returns 0");
	expect_eq(read(p[0], &c, 0), 0, 109, "zero-length read returns 0 (data pending)");
	close(p[0]);
	close(p[1]);
}

static int echo_mode(int argc, char **argv)
{
	struct stat st;
	printf("echo: %s\n", argc > 2 ? argv[2] : "");
	printf("echo: stdout is %s\n", fstat(1, &st) == 0 && S_ISFIFO(st.st_mode) ? "a pipe" : "not a pipe");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "echo") == 0)
		return echo_mode(argc, argv);

	bulk_both_ways();
	short_reads_and_fionread();
	eof_needs_every_writer();
	nonblocking();
	cloexec_flags();
	epipe_ignored();
	killed_by_sigpipe();
	redirect_and_exec(argv[0]);
	atomic_records();
	not_seekable();
	return guest_finish();
}
