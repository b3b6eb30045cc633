/*
 * file_roundtrip: file I/O in a scratch directory given as argv[1].
 * Raw syscalls first (openat, write, writev, lseek, read, pread, fstat,
 * stat, O_APPEND, O_EXCL, ftruncate, rename, unlink), then the same kind of
 * round trip through stdio (fopen, fprintf, fgets). Prints one line per
 * verified step; each failure exits with its own code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *dir;

static const char *in_dir(const char *name)
{
	static char buf[2][4096];
	static int which;

	which ^= 1;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", dir, name);
	return buf[which];
}

static void check(int ok, int code, const char *what)
{
	if (!ok) {
		printf("FAILED: %s (errno %d)\n", what, errno);
		exit(code);
	}
	printf("ok: %s\n", what);
}

static void raw_io(void)
{
	char buf[256];
	struct stat st;

	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	check(dfd >= 0, 10, "open scratch dir O_DIRECTORY");
	int fd = openat(dfd, "data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check(fd >= 0, 11, "openat create data.bin");

	check(write(fd, "hello ", 6) == 6, 12, "write 6 bytes");
	struct iovec iov[3] = {
		{ "world", 5 },
		{ "\n", 1 },
		{ "0123456789\n", 11 },
	};
	check(writev(fd, iov, 3) == 17, 13, "writev 3 iovecs, 17 bytes");
	check(lseek(fd, 0, SEEK_CUR) == 23, 14, "offset after writes is 23");
	check(lseek(fd, 0, SEEK_END) == 23, 15, "SEEK_END is 23");
	check(lseek(fd, 0, SEEK_SET) == 0, 16, "SEEK_SET to 0");

	memset(buf, 0, sizeof(buf));
	check(read(fd, buf, sizeof(buf)) == 23, 17, "read returns 23");
	check(memcmp(buf, "hello world\n0123456789\n", 23) == 0, 18, "read data matches");
	check(read(fd, buf, sizeof(buf)) == 0, 19, "read at EOF returns 0");

	memset(buf, 0, sizeof(buf));
	check(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0, 20, "pread 5 at 6");
	check(lseek(fd, 0, SEEK_CUR) == 23, 21, "pread left the offset alone");
	check(pwrite(fd, "W", 1, 6) == 1, 22, "pwrite 1 at 6");

	check(fstat(fd, &st) == 0 && st.st_size == 23, 23, "fstat size 23");
	check(S_ISREG(st.st_mode), 24, "fstat says regular file");
	check(stat(in_dir("data.bin"), &st) == 0 && st.st_size == 23, 25, "stat size 23");
	check(close(fd) == 0, 26, "close");

	fd = openat(dfd, "data.bin", O_CREAT | O_EXCL | O_RDWR, 0644);
	check(fd < 0 && errno == EEXIST, 27, "O_EXCL on existing file gives EEXIST");

	fd = open(in_dir("data.bin"), O_WRONLY | O_APPEND);
	check(fd >= 0, 28, "open O_APPEND");
	check(lseek(fd, 0, SEEK_SET) == 0, 29, "seek to 0 before appending");
	check(write(fd, "tail\n", 5) == 5, 30, "append 5 bytes");
	check(lseek(fd, 0, SEEK_CUR) == 28, 31, "O_APPEND write went to the end");
	check(ftruncate(fd, 6) == 0, 32, "ftruncate to 6");
	check(fstat(fd, &st) == 0 && st.st_size == 6, 33, "size is 6 after ftruncate");
	check(ftruncate(fd, 8192) == 0, 34, "ftruncate up to 8192");
	close(fd);

	fd = open(in_dir("data.bin"), O_RDONLY);
	check(fd >= 0, 35, "reopen read-only");
	memset(buf, 'x', sizeof(buf));
	check(read(fd, buf, 10) == 10, 36, "read 10 after grow");
	check(memcmp(buf, "hello ", 6) == 0 && memcmp(buf + 6, "\0\0\0\0", 4) == 0, 37,
	      "kept prefix, zero-filled hole");
	check(write(fd, "x", 1) < 0 && errno == EBADF, 38, "write to O_RDONLY fd gives EBADF");
	close(fd);

	check(renameat(dfd, "data.bin", dfd, "renamed.bin") == 0, 39, "renameat");
	check(stat(in_dir("data.bin"), &st) < 0 && errno == ENOENT, 40, "old name is gone");
	check(unlinkat(dfd, "renamed.bin", 0) == 0, 41, "unlinkat");
	check(open(in_dir("renamed.bin"), O_RDONLY) < 0 && errno == ENOENT, 42,
	      "open after unlink gives ENOENT");
	close(dfd);
}

static void stdio_io(void)
{
	char line[128];
	const char *path = in_dir("text.txt");

	FILE *f = fopen(path, "w");
	check(f != NULL, 50, "fopen w");
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %03d of %d\n", i, 100);
	check(fclose(f) == 0, 51, "fclose after 100 fprintf lines");

	f = fopen(path, "r");
	check(f != NULL, 52, "fopen r");
	int n = 0, good = 1;
	while (fgets(line, sizeof(line), f)) {
		char want[64];
		snprintf(want, sizeof(want), "line %03d of %d\n", n, 100);
		good &= strcmp(line, want) == 0;
		n++;
	}
	check(n == 100 && good, 53, "fgets read back 100 matching lines");
	check(!ferror(f) && feof(f), 54, "stream at EOF without error");
	fclose(f);

	f = fopen(path, "a+");
	check(f != NULL, 55, "fopen a+");
	fputs("appended\n", f);
	check(fseek(f, -9, SEEK_END) == 0 && fgets(line, sizeof(line), f) &&
		      strcmp(line, "appended\n") == 0,
	      56, "a+ appended and read back");
	fclose(f);
	check(unlink(path) == 0, 57, "unlink text.txt");
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/file_roundtrip.XXXXXX";

	/* Without an argument, work in a fresh directory of our own. */
	dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
	if (!dir)
		return 2;
	raw_io();
	stdio_io();
	if (argc <= 1)
		rmdir(dir);
	puts("file_roundtrip done");
	return 0;
}
