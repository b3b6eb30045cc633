/*
 * mm_mincore_ranges: mincore(2), and huge ranges handed to the memory calls.
 *
 *   - mincore: touched pages of a private anonymous mapping are resident,
 *     untouched ones are not; the pages of a file just written are (the
 *     page cache); a hole in the range is ENOMEM, an unaligned start
 *     EINVAL, a vector outside the address space EFAULT, length 0 is 0,
 *     and a length that is not a page multiple covers the partial page
 *   - 16 TiB from a real mapping: msync and mincore say ENOMEM (holes),
 *     munmap says EINVAL (past the top of user space), and none of them
 *     touches the mapping (at once: no walk over the whole range); mprotect
 *     changes the mapping up to the first hole, then says ENOMEM
 */
#include "guest_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The call first, then its errno (argument order is unspecified). */
#define EXPECT_ERRNO(call, want, code, what)                   \
	do {                                                   \
		long r_ = (long)(call);                        \
		expect_errno(r_, errno, want, code, what);     \
	} while (0)

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char vec[8];
	char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 90, "mmap");
	p[0] = 1;
	p[2 * pg] = 1;
	memset(vec, 0xff, sizeof(vec));
	need(mincore(p, 4 * pg, vec) == 0, 91, "mincore");
	printf("anon: %d %d %d %d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
	check(vec[4] == 0xff, 1, "mincore wrote 4 bytes for 4 pages");
	check(mincore(p, 2 * pg + 1, vec) == 0 && (vec[2] & 1), 2, "a partial last page is covered");
	check(mincore(p, 0, vec) == 0, 3, "length 0 is 0");
	EXPECT_ERRNO(mincore(p + 1, pg, vec), EINVAL, 4, "unaligned start");
	EXPECT_ERRNO(mincore(p, pg, (unsigned char *)0xffff800000000000ul), EFAULT, 5,
		     "vector outside user space");

	char path[] = "/tmp/mincore.XXXXXX";
	int fd = mkstemp(path);
	need(fd >= 0, 92, "mkstemp");
	unlink(path);
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	need(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), 93, "write");
	char *f = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	need(f != MAP_FAILED, 94, "mmap file");
	check(mincore(f, pg, vec) == 0 && (vec[0] & 1), 6, "a file page just written is resident");

	/* A hole: unmap the second page. */
	need(munmap(p + pg, pg) == 0, 95, "munmap");
	EXPECT_ERRNO(mincore(p, 4 * pg, vec), ENOMEM, 7, "a hole is ENOMEM");

	uint64_t huge = 1ull << 44;
	EXPECT_ERRNO(msync(p, huge, MS_SYNC), ENOMEM, 8, "msync of 16 TiB");
	EXPECT_ERRNO(mincore(p, huge, vec), ENOMEM, 10, "mincore of 16 TiB");
	EXPECT_ERRNO(munmap(p, huge), EINVAL, 12, "munmap past the top of user space");
	check(p[0] == 1 && p[2 * pg] == 1, 13, "the mapping kept its bytes");
	p[0] = 2; /* and is still writable */

	/* mprotect changes the mapping before the first hole, then says ENOMEM. */
	char *q = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(q != MAP_FAILED && munmap(q + pg, pg) == 0, 96, "mmap+munmap");
	EXPECT_ERRNO(mprotect(q, huge, PROT_READ), ENOMEM, 9, "mprotect of 16 TiB");
	FILE *maps = fopen("/proc/self/maps", "r");
	need(maps != NULL, 97, "/proc/self/maps");
	char line[512], perms[8] = "";
	unsigned long lo, hi;
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo == (uintptr_t)q)
			break;
	fclose(maps);
	printf("mprotect up to the hole: %s\n", perms);
	return guest_finish();
}
