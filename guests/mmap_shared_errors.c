/*
 * mmap_shared_errors: what Linux refuses around shared file mappings.
 * mmap(PROT_WRITE, MAP_SHARED) of an O_RDONLY descriptor is EACCES (also
 * with MAP_SHARED_VALIDATE), any mapping of an O_WRONLY one is EACCES;
 * a read-only MAP_SHARED mapping of an O_RDONLY descriptor cannot be made
 * writable by mprotect (EACCES) but can be made PROT_NONE and back, while a
 * MAP_PRIVATE one can; MAP_SHARED_VALIDATE with a flag it does not know is
 * EOPNOTSUPP (MAP_SHARED ignores it), with MAP_ANONYMOUS EINVAL; MAP_SYNC
 * with MAP_SHARED_VALIDATE is EOPNOTSUPP on a file system without DAX;
 * MAP_GROWSDOWN on a file is EINVAL; a bad descriptor or an O_PATH one
 * EBADF, a directory ENODEV; a negative offset EOVERFLOW; msync's EINVAL (unaligned, bad
 * flags) and ENOMEM (unmapped), and MADV_REMOVE on a read-only shared
 * mapping EACCES. argv[1]: a scratch directory (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#define MAP_UNKNOWN_BIT 0x400 /* no meaning on x86_64 */

static long map_errno(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/mmap_shared_errors.%d.dat", dir, (int)getpid());
	int rw = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(rw >= 0, 1, "create data file");
	need(ftruncate(rw, (off_t)(2 * page)) == 0, 2, "ftruncate");
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
	need(ro >= 0 && wo >= 0, 3, "open read-only and write-only");
	long r;

	r = map_errno(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	expect_errno(r, errno, EACCES, 4, "MAP_SHARED PROT_WRITE of an O_RDONLY descriptor");
	r = map_errno(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, ro, 0);
	expect_errno(r, errno, EACCES, 5, "MAP_SHARED_VALIDATE PROT_WRITE of an O_RDONLY descriptor");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, wo, 0);
	expect_errno(r, errno, EACCES, 6, "MAP_SHARED of an O_WRONLY descriptor");
	r = map_errno(NULL, page, PROT_READ, MAP_PRIVATE, wo, 0);
	expect_errno(r, errno, EACCES, 7, "MAP_PRIVATE of an O_WRONLY descriptor");
	expect_eq(map_errno(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0), 0, 8,
		  "MAP_PRIVATE PROT_WRITE of an O_RDONLY descriptor works");

	unsigned char *m = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, ro, 0);
	need(m != MAP_FAILED, 9, "MAP_SHARED PROT_READ of an O_RDONLY descriptor");
	r = mprotect(m, page, PROT_READ | PROT_WRITE);
	expect_errno(r, errno, EACCES, 10, "mprotect(PROT_WRITE) of it");
	expect_eq(mprotect(m, 2 * page, PROT_NONE), 0, 11, "mprotect(PROT_NONE) of it");
	expect_eq(mprotect(m, 2 * page, PROT_READ | PROT_EXEC), 0, 12, "mprotect(PROT_READ|PROT_EXEC) of it");
	r = madvise(m, page, MADV_REMOVE);
	expect_errno(r, errno, EACCES, 13, "MADV_REMOVE of a read-only shared mapping");
	munmap(m, 2 * page);
	unsigned char *p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, ro, 0);
	need(p != MAP_FAILED, 14, "MAP_PRIVATE PROT_READ of it");
	expect_eq(mprotect(p, page, PROT_READ | PROT_WRITE), 0, 15, "a private one can be made writable");
	munmap(p, page);
	unsigned char *w = mmap(NULL, page, PROT_READ, MAP_SHARED, rw, 0);
	need(w != MAP_FAILED, 16, "MAP_SHARED PROT_READ of an O_RDWR descriptor");
	expect_eq(mprotect(w, page, PROT_READ | PROT_WRITE), 0, 17, "... can be made writable");
	w[0] = 1;
	munmap(w, page);

	r = map_errno(NULL, page, PROT_READ, MAP_SHARED_VALIDATE | MAP_UNKNOWN_BIT, rw, 0);
	expect_errno(r, errno, EOPNOTSUPP, 18, "MAP_SHARED_VALIDATE with an unknown flag");
	expect_eq(map_errno(NULL, page, PROT_READ, MAP_SHARED | MAP_UNKNOWN_BIT, rw, 0), 0, 19,
		  "MAP_SHARED ignores it");
	r = map_errno(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, rw, 0);
	expect_errno(r, errno, EOPNOTSUPP, 20, "MAP_SHARED_VALIDATE|MAP_SYNC without DAX");
	expect_eq(map_errno(NULL, page, PROT_READ,
			    MAP_SHARED_VALIDATE | MAP_POPULATE | MAP_NORESERVE | MAP_LOCKED, rw, 0),
		  0, 21, "MAP_SHARED_VALIDATE with MAP_POPULATE, MAP_NORESERVE, MAP_LOCKED");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
	expect_errno(r, errno, EINVAL, 22, "MAP_SHARED_VALIDATE|MAP_ANONYMOUS");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED | MAP_GROWSDOWN, rw, 0);
	expect_errno(r, errno, EINVAL, 23, "MAP_SHARED|MAP_GROWSDOWN of a file");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, 1000, 0);
	expect_errno(r, errno, EBADF, 24, "MAP_SHARED of a closed descriptor");
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	need(d >= 0, 25, "open the directory");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, d, 0);
	expect_errno(r, errno, ENODEV, 26, "MAP_SHARED of a directory");
	close(d);
	int op = open(path, O_PATH);
	need(op >= 0, 27, "open O_PATH");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, op, 0);
	expect_errno(r, errno, EBADF, 27, "MAP_SHARED of an O_PATH descriptor");
	close(op);
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, rw, -(off_t)page);
	expect_errno(r, errno, EOVERFLOW, 27, "a negative offset");
	r = map_errno(NULL, page, PROT_READ, MAP_SHARED, rw, 1);
	expect_errno(r, errno, EINVAL, 28, "an unaligned offset");
	r = map_errno(NULL, 0, PROT_READ, MAP_SHARED, rw, 0);
	expect_errno(r, errno, EINVAL, 29, "length 0");

	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	need(m != MAP_FAILED, 30, "a read-write shared mapping");
	r = msync(m + 1, page, MS_SYNC);
	expect_errno(r, errno, EINVAL, 31, "msync of an unaligned address");
	r = msync(m, page, MS_SYNC | MS_ASYNC);
	expect_errno(r, errno, EINVAL, 32, "msync(MS_SYNC|MS_ASYNC)");
	r = msync(m, page, 0x100);
	expect_errno(r, errno, EINVAL, 33, "msync with an unknown flag");
	need(munmap(m + page, page) == 0, 34, "unmap the second page");
	r = msync(m, 2 * page, MS_SYNC);
	expect_errno(r, errno, ENOMEM, 35, "msync over an unmapped page");
	expect_eq(msync(m, 0, MS_SYNC), 0, 36, "msync of length 0");
	expect_eq(msync(m, 1, 0), 0, 37, "msync with no flags");
	memset(m, 7, page);
	expect_eq(madvise(m, page, MADV_REMOVE), 0, 38, "MADV_REMOVE of a writable shared mapping");
	check(m[0] == 0 && m[page - 1] == 0, 39, "... punches a hole: zeroes");
	munmap(m, page);

	close(rw);
	close(ro);
	close(wo);
	unlink(path);
	return guest_finish();
}
