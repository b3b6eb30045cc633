/*
 * memfd_seals: memfd_create and file seals. A memfd is a regular file
 * with a name in /proc/self/fd ("/memfd:NAME (deleted)"), close-on-exec
 * with MFD_CLOEXEC, that reads, writes, grows and maps MAP_SHARED like one
 * (a forked child's stores through the mapping reach the parent). Without
 * MFD_ALLOW_SEALING it carries F_SEAL_SEAL. F_SEAL_WRITE is EBUSY while a
 * shared mapping that may write exists (even PROT_READ of a read-write
 * descriptor), and allowed with only a mapping of a read-only descriptor;
 * then write() and pwrite() are EPERM, and so is mmap(PROT_WRITE,
 * MAP_SHARED), a read-only shared mapping cannot be mprotect'ed writable
 * (EACCES), a private one can. F_SEAL_GROW and F_SEAL_SHRINK refuse
 * ftruncate and writes past the end (EPERM); F_SEAL_SEAL refuses more
 * seals; F_SEAL_FUTURE_WRITE leaves existing writable mappings writable but
 * refuses write() and new writable shared mappings. Bad flags and a name
 * longer than 249 bytes are EINVAL.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef SYS_memfd_create
#define SYS_memfd_create 319
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#define MFD_ALLOW_SEALING 2U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

static int memfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static long map_err(size_t len, int prot, int flags, int fd)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

int main(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	long r;

	int fd = memfd("cetest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	need(fd >= 0, 1, "memfd_create");
	check(fcntl(fd, F_GETFD) == FD_CLOEXEC, 2, "MFD_CLOEXEC sets FD_CLOEXEC");
	char link[64], target[256] = {0};
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	check(readlink(link, target, sizeof(target) - 1) > 0 && !strcmp(target, "/memfd:cetest (deleted)"),
	      3, "/proc/self/fd names it /memfd:cetest (deleted)");
	struct stat st;
	check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0, 4, "an empty regular file");
	expect_eq(fcntl(fd, F_GET_SEALS), 0, 5, "no seals yet");

	need(write(fd, "hello", 5) == 5 && ftruncate(fd, (off_t)(2 * page)) == 0, 6, "write and grow");
	unsigned char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 7, "mmap MAP_SHARED");
	check(memcmp(m, "hello", 5) == 0, 8, "the mapping shows the written bytes");
	pid_t pid = guest_fork();
	if (pid == 0) {
		memcpy(m + page, "child", 5);
		_exit(0);
	}
	expect_status(pid, "exited 0", 9, "a child stores through the mapping");
	char buf[8] = {0};
	check(pread(fd, buf, 5, (off_t)page) == 5 && !memcmp(buf, "child", 5), 10,
	      "the parent reads the child's store");

	/* F_SEAL_WRITE needs no mapping that may write */
	r = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	expect_errno(r, errno, EBUSY, 11, "F_SEAL_WRITE with a writable shared mapping");
	munmap(m, 2 * page);
	unsigned char *ro = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	need(ro != MAP_FAILED, 12, "a PROT_READ shared mapping of the read-write descriptor");
	r = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	expect_errno(r, errno, EBUSY, 13, "F_SEAL_WRITE with it (mprotect could make it writable)");
	munmap(ro, page);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int rofd = open(path, O_RDONLY);
	need(rofd >= 0, 14, "reopen read-only through /proc/self/fd");
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_SHARED, rofd, 0);
	need(m != MAP_FAILED && ro != MAP_FAILED, 15, "a writable mapping and one of the read-only descriptor");
	m[10] = 'w';
	munmap(m, page);
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0, 16,
		  "F_SEAL_WRITE with only a mapping of a read-only descriptor");
	expect_eq(fcntl(fd, F_GET_SEALS), F_SEAL_WRITE, 17, "F_GET_SEALS shows it");
	check(ro[10] == 'w' && ro[0] == 'h', 18, "the read-only mapping still shows the data");
	r = write(fd, "x", 1);
	expect_errno(r, errno, EPERM, 19, "write() after F_SEAL_WRITE");
	r = pwrite(fd, "x", 1, 0);
	expect_errno(r, errno, EPERM, 20, "pwrite() after F_SEAL_WRITE");
	r = map_err(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	expect_errno(r, errno, EPERM, 21, "mmap(PROT_WRITE, MAP_SHARED) after F_SEAL_WRITE");
	unsigned char *ro2 = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	need(ro2 != MAP_FAILED, 22, "mmap(PROT_READ, MAP_SHARED) after F_SEAL_WRITE");
	r = mprotect(ro2, page, PROT_READ | PROT_WRITE);
	expect_errno(r, errno, EACCES, 23, "mprotect(PROT_WRITE) of it");
	unsigned char *pv = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	need(pv != MAP_FAILED, 24, "mmap(PROT_WRITE, MAP_PRIVATE) after F_SEAL_WRITE");
	pv[0] = 'P';
	check(ro2[0] == 'h', 25, "a private write stays private");
	munmap(pv, page);
	munmap(ro2, page);
	munmap(ro, page);
	close(rofd);

	/* grow, shrink, seal */
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0, 26, "F_SEAL_GROW|F_SEAL_SHRINK");
	r = ftruncate(fd, (off_t)(4 * page));
	expect_errno(r, errno, EPERM, 27, "ftruncate to grow");
	r = ftruncate(fd, (off_t)page);
	expect_errno(r, errno, EPERM, 28, "ftruncate to shrink");
	expect_eq(ftruncate(fd, (off_t)(2 * page)), 0, 29, "ftruncate to the same size");
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0, 30, "F_SEAL_SEAL");
	r = fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
	expect_errno(r, errno, EPERM, 31, "another seal after F_SEAL_SEAL");
	expect_eq(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE, 32,
		  "F_GET_SEALS shows all four");
	close(fd);

	/* F_SEAL_GROW on a fresh memfd: writes past the end are refused */
	fd = memfd("grow", MFD_ALLOW_SEALING);
	need(fd >= 0 && ftruncate(fd, 10) == 0, 33, "a second memfd of 10 bytes");
	check(fcntl(fd, F_GETFD) == 0, 34, "without MFD_CLOEXEC no FD_CLOEXEC");
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), 0, 35, "F_SEAL_GROW");
	expect_eq(pwrite(fd, "0123456789", 10, 0), 10, 36, "a write inside the file");
	r = pwrite(fd, "abc", 3, 9);
	expect_errno(r, errno, EPERM, 37, "a write past the end");

	/* F_SEAL_FUTURE_WRITE */
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 38, "a writable shared mapping");
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0, 39,
		  "F_SEAL_FUTURE_WRITE with a writable mapping");
	m[1] = 'M';
	char c = 0;
	check(pread(fd, &c, 1, 1) == 1 && c == 'M', 40, "the existing mapping still writes the file");
	r = pwrite(fd, "x", 1, 0);
	expect_errno(r, errno, EPERM, 41, "pwrite() after F_SEAL_FUTURE_WRITE");
	r = map_err(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	expect_errno(r, errno, EPERM, 42, "a new mmap(PROT_WRITE, MAP_SHARED)");
	ro = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	need(ro != MAP_FAILED, 43, "a new read-only shared mapping");
	r = mprotect(ro, page, PROT_READ | PROT_WRITE);
	expect_errno(r, errno, EACCES, 44, "mprotect(PROT_WRITE) of it");
	check(ro[1] == 'M', 45, "it shows the data");
	munmap(ro, page);
	munmap(m, page);
	close(fd);

	/* sealed before it is ever mapped */
	fd = memfd("sealed-first", MFD_ALLOW_SEALING);
	need(fd >= 0 && write(fd, "early", 5) == 5, 46, "a third memfd with data");
	expect_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0, 46, "F_SEAL_WRITE before any mapping");
	ro = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	need(ro != MAP_FAILED, 46, "then a read-only shared mapping");
	check(!memcmp(ro, "early", 5), 46, "it shows the data");
	munmap(ro, page);
	close(fd);

	/* without MFD_ALLOW_SEALING */
	fd = memfd("nosealing", 0);
	need(fd >= 0, 46, "memfd_create without MFD_ALLOW_SEALING");
	expect_eq(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL, 47, "it carries F_SEAL_SEAL");
	r = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
	expect_errno(r, errno, EPERM, 48, "F_ADD_SEALS on it");
	close(fd);

	/* bad arguments */
	r = memfd("bad", 0x100);
	expect_errno(r, errno, EINVAL, 49, "an unknown flag");
	char name[300];
	memset(name, 'n', sizeof(name));
	name[249] = 0;
	fd = memfd(name, 0);
	check(fd >= 0, 50, "a name of 249 bytes");
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	r = memfd(name, 0);
	expect_errno(r, errno, EINVAL, 51, "a name of 250 bytes");
	r = memfd((const char *)8, 0);
	expect_errno(r, errno, EFAULT, 52, "a bad name pointer");
	return guest_finish();
}
