/*
 * splice_xattr: calls that coreutils, grep, python's shutil and cp -a make
 * and that move data or metadata inside the kernel. argv[1] is a scratch
 * directory (our cwd).
 *
 *   - sendfile from a file at an offset into a pipe: count, offset updated,
 *     file position unchanged; sendfile from a pipe with an offset: ESPIPE
 *   - splice pipe -> file at an offset, file -> pipe, pipe -> pipe; splice
 *     between two files: EINVAL; an offset on the pipe side: ESPIPE;
 *     SPLICE_F_NONBLOCK on an empty pipe: EAGAIN; EOF: 0
 *   - tee duplicates a pipe's contents without consuming them
 *   - copy_file_range between two files, with and without offsets;
 *     flags != 0: EINVAL
 *   - extended attributes on a scratch file: set (XATTR_CREATE twice:
 *     EEXIST), get, list, size query, remove, ENODATA, XATTR_REPLACE of a
 *     missing one: ENODATA; the same through fsetxattr/fgetxattr and
 *     llistxattr; /proc/self/status has none (list 0, get EOPNOTSUPP)
 *   - chown/lchown/fchownat/fchown to the owner the file already has
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* The call runs before errno is read. */
#define EXPECT_ERRNO(call, want, code, what)                                                       \
	do {                                                                                       \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                       \
	} while (0)

static void fill(const char *name, size_t n)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	need(fd >= 0, 90, name);
	for (size_t i = 0; i < n; i++) {
		char c = 'a' + i % 26;
		need(write(fd, &c, 1) == 1, 91, "write");
	}
	close(fd);
}

int main(int argc, char **argv)
{
	need(argc > 1 && chdir(argv[1]) == 0, 2, "chdir to the scratch dir");
	fill("src", 100000);
	int src = open("src", O_RDONLY | O_CLOEXEC), p[2], q[2];
	need(src >= 0 && pipe(p) == 0 && pipe(q) == 0, 3, "open src, two pipes");

	off_t off = 26;
	expect_eq(sendfile(p[1], src, &off, 1000), 1000, 4, "sendfile file -> pipe: 1000 bytes");
	expect_eq(off, 1026, 5, "sendfile advanced the offset");
	expect_eq(lseek(src, 0, SEEK_CUR), 0, 6, "sendfile with an offset left the position");
	char buf[70000];
	expect_eq(read(p[0], buf, sizeof(buf)), 1000, 7, "the pipe holds 1000 bytes");
	check(buf[0] == 'a' && buf[999] == 'a' + 999 % 26, 8, "they are the file's bytes 26..1025");
	off = 0;
	EXPECT_ERRNO(sendfile(p[1], p[0], &off, 10), ESPIPE, 9, "sendfile from a pipe with an offset");

	/* splice: file -> pipe (position advances), pipe -> file at an offset. */
	expect_eq(splice(src, NULL, p[1], NULL, 5000, 0), 5000, 10, "splice file -> pipe");
	expect_eq(lseek(src, 0, SEEK_CUR), 5000, 11, "the file position advanced");
	int dst = open("dst", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	need(dst >= 0, 12, "open dst");
	loff_t doff = 100;
	expect_eq(splice(p[0], NULL, dst, &doff, 5000, 0), 5000, 13, "splice pipe -> file at offset 100");
	expect_eq(doff, 5100, 14, "the offset advanced");
	struct stat st;
	fstat(dst, &st);
	expect_eq(st.st_size, 5100, 15, "the file is 5100 bytes (a hole first)");
	loff_t o2 = 0;
	EXPECT_ERRNO(splice(src, NULL, dst, NULL, 10, 0), EINVAL, 16, "splice file -> file");
	EXPECT_ERRNO(splice(p[0], &o2, dst, NULL, 10, 0), ESPIPE, 17, "splice with an offset on the pipe");
	EXPECT_ERRNO(splice(p[0], NULL, dst, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN, 18,
		     "splice from an empty pipe, SPLICE_F_NONBLOCK");

	/* tee, then pipe -> pipe. */
	need(write(p[1], "teedata", 7) == 7, 19, "write");
	expect_eq(tee(p[0], q[1], 100, 0), 7, 20, "tee copies 7 bytes");
	expect_eq(read(q[0], buf, sizeof(buf)), 7, 21, "the second pipe has them");
	expect_eq(splice(p[0], NULL, q[1], NULL, 100, 0), 7, 22, "and the first still has them: splice pipe -> pipe");
	expect_eq(read(q[0], buf, 7), 7, 23, "read them");
	check(!memcmp(buf, "teedata", 7), 24, "the bytes survived tee and splice");
	close(p[1]);
	expect_eq(splice(p[0], NULL, q[1], NULL, 100, 0), 0, 25, "splice at EOF returns 0");

	/* copy_file_range */
	int cp = open("copy", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	need(cp >= 0, 26, "open copy");
	lseek(src, 0, SEEK_SET);
	long total = 0, n;
	while ((n = copy_file_range(src, NULL, cp, NULL, 1 << 20, 0)) > 0)
		total += n;
	expect_eq(total, 100000, 27, "copy_file_range copied the whole file");
	loff_t in = 10, out = 0;
	expect_eq(copy_file_range(src, &in, cp, &out, 10, 0), 10, 28, "copy_file_range with offsets");
	expect_eq(in, 20, 29, "the input offset advanced");
	pread(cp, buf, 10, 0);
	check(!memcmp(buf, "klmnopqrst", 10), 30, "the copied bytes are at offset 0");
	EXPECT_ERRNO(copy_file_range(src, NULL, cp, NULL, 10, 1), EINVAL, 31, "copy_file_range flags 1");

	/* Extended attributes. */
	expect_eq(setxattr("dst", "user.ce", "v1", 2, XATTR_CREATE), 0, 32, "setxattr user.ce");
	EXPECT_ERRNO(setxattr("dst", "user.ce", "v1", 2, XATTR_CREATE), EEXIST, 33, "XATTR_CREATE again");
	EXPECT_ERRNO(setxattr("dst", "user.none", "v", 1, XATTR_REPLACE), ENODATA, 34, "XATTR_REPLACE of a missing one");
	expect_eq(getxattr("dst", "user.ce", NULL, 0), 2, 35, "getxattr size query");
	memset(buf, 0, 16);
	expect_eq(getxattr("dst", "user.ce", buf, sizeof(buf)), 2, 36, "getxattr");
	check(!memcmp(buf, "v1", 2), 37, "the value");
	EXPECT_ERRNO(getxattr("dst", "user.ce", buf, 1), ERANGE, 38, "getxattr into a short buffer");
	EXPECT_ERRNO(getxattr("dst", "user.none", buf, 16), ENODATA, 39, "getxattr of a missing one");
	long ln = listxattr("dst", buf, sizeof(buf));
	check(ln == 8 && !memcmp(buf, "user.ce", 8), 40, "listxattr lists user.ce");
	expect_eq(fsetxattr(dst, "user.fd", "x", 1, 0), 0, 41, "fsetxattr");
	expect_eq(fgetxattr(dst, "user.fd", buf, 16), 1, 42, "fgetxattr");
	expect_eq(llistxattr("dst", NULL, 0), 16, 43, "llistxattr size: two names");
	expect_eq(removexattr("dst", "user.ce"), 0, 44, "removexattr");
	EXPECT_ERRNO(fremovexattr(dst, "user.ce"), ENODATA, 45, "removed: ENODATA");
	expect_eq(listxattr("/proc/self/status", buf, sizeof(buf)), 0, 46, "/proc/self/status lists none");
	EXPECT_ERRNO(getxattr("/proc/self/status", "user.ce", buf, 16), EOPNOTSUPP, 47, "getxattr on /proc");

	/* chown to the owner the file has. */
	need(symlink("dst", "link") == 0, 48, "symlink");
	expect_eq(chown("dst", st.st_uid, st.st_gid), 0, 49, "chown to the same owner");
	expect_eq(lchown("link", st.st_uid, st.st_gid), 0, 50, "lchown of a symlink");
	expect_eq(fchownat(AT_FDCWD, "link", -1, -1, AT_SYMLINK_NOFOLLOW), 0, 51, "fchownat -1 -1 NOFOLLOW");
	expect_eq(fchown(dst, st.st_uid, -1), 0, 52, "fchown");
	EXPECT_ERRNO(fchownat(AT_FDCWD, "dst", 0, 0, 0x8000), EINVAL, 53, "fchownat with a bad flag");
	EXPECT_ERRNO(chown("missing", 0, 0), ENOENT, 54, "chown of a missing file");
	return guest_finish();
}
