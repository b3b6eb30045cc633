/*
 * mmap_mprotect: the memory-map syscalls a libc and a JIT lean on.
 * Anonymous mmap/munmap, mprotect down to read-only and back (checked through
 * the kernel side: read() into a read-only page gives EFAULT, so no signal
 * handler is needed), MAP_FIXED over the middle of a mapping, mremap grow
 * with MREMAP_MAYMOVE, a private file mapping of a file we write ourselves in
 * argv[1] (default /tmp), brk grow and shrink, and a few EINVAL/ENOMEM cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long page;

static void check(int ok, int code, const char *what)
{
	if (!ok) {
		printf("FAILED: %s (errno %d)\n", what, errno);
		exit(code);
	}
	printf("ok: %s\n", what);
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Raw brk, because musl's sbrk() refuses nonzero increments. */
static uintptr_t sys_brk(uintptr_t want)
{
	return (uintptr_t)syscall(SYS_brk, want);
}

static void brk_grow_shrink(void)
{
	/*
	 * Probe first and print afterwards: stdio may allocate from the heap,
	 * and we put the break back exactly where we found it.
	 */
	uintptr_t start = sys_brk(0);
	uintptr_t grown = sys_brk(start + 16 * page);
	int grow_ok = grown == start + 16 * page;
	int write_ok = 0;
	if (grow_ok) {
		memset((void *)start, 0x77, 16 * page);
		write_ok = all_bytes((void *)start, 16 * page, 0x77);
	}
	uintptr_t shrunk = sys_brk(start + 4 * page);
	int shrink_ok = shrunk == start + 4 * page;
	/* Growing again must give zeroed memory past the old end. */
	uintptr_t regrown = sys_brk(start + 8 * page);
	int zero_ok = regrown == start + 8 * page &&
		      all_bytes((void *)(start + 4 * page), 4 * page, 0);
	uintptr_t back = sys_brk(start);

	check(grow_ok, 60, "brk grows by 16 pages");
	check(write_ok, 61, "new brk memory is writable");
	check(shrink_ok, 62, "brk shrinks to 4 pages");
	check(zero_ok, 63, "brk regrowth is zero-filled");
	check(back == start, 64, "brk back to where it started");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	page = sysconf(_SC_PAGESIZE);

	brk_grow_shrink();

	/* Anonymous memory starts zeroed and holds what we write. */
	unsigned char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(a != MAP_FAILED, 10, "mmap 4 anonymous pages");
	check(((uintptr_t)a & (page - 1)) == 0, 11, "mapping is page aligned");
	check(all_bytes(a, 4 * page, 0), 12, "anonymous pages are zero");
	memset(a, 0x11, 4 * page);
	check(all_bytes(a, 4 * page, 0x11), 13, "anonymous pages hold writes");

	/* Read-only: still readable; the kernel refuses to write into it. */
	check(mprotect(a, 2 * page, PROT_READ) == 0, 14, "mprotect first 2 pages read-only");
	check(all_bytes(a, 2 * page, 0x11), 15, "read-only pages still readable");
	int p[2];
	check(pipe(p) == 0 && write(p[1], "abcd", 4) == 4, 16, "pipe with 4 bytes");
	check(read(p[0], a + page, 4) == -1 && errno == EFAULT, 17,
	      "read() into a read-only page gives EFAULT");
	check(read(p[0], a + 2 * page, 4) == 4 && memcmp(a + 2 * page, "abcd", 4) == 0, 18,
	      "read() into a writable page next to it works");
	check(write(p[1], a, 4) == 4, 19, "write() from a read-only page works");
	close(p[0]);
	close(p[1]);
	check(mprotect(a, 2 * page, PROT_READ | PROT_WRITE) == 0, 20, "mprotect back to RW");
	a[page] = 0x22;
	check(a[page] == 0x22 && a[0] == 0x11, 21, "writable again, contents kept");

	/* MAP_FIXED replaces page 1 with a fresh zero page and leaves 0 and 2. */
	memset(a, 0x33, 4 * page);
	unsigned char *f = mmap(a + page, page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	check(f == a + page, 22, "MAP_FIXED lands at the requested address");
	check(all_bytes(a + page, page, 0), 23, "MAP_FIXED page is zero");
	check(all_bytes(a, page, 0x33) && all_bytes(a + 2 * page, 2 * page, 0x33), 24,
	      "neighbouring pages untouched");

	/* Unmapping the middle page splits the mapping in two. */
	check(munmap(a + page, page) == 0, 25, "munmap middle page");
	check(mprotect(a + page, page, PROT_READ) == -1 && errno == ENOMEM, 26,
	      "mprotect on the hole gives ENOMEM");
	check(all_bytes(a + 3 * page, page, 0x33), 27, "tail of split mapping intact");
	check(munmap(a, 4 * page) == 0, 28, "munmap whole range, hole included");

	/* mremap: grow 2 -> 64 pages, allowed to move; contents come along. */
	unsigned char *r = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(r != MAP_FAILED, 30, "mmap 2 pages for mremap");
	for (long i = 0; i < 2 * page; i++)
		r[i] = (unsigned char)(i * 13);
	/* Block in-place growth so the move path is exercised too. */
	void *blocker = mmap(r + 2 * page, page, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	unsigned char *g = mremap(r, 2 * page, 64 * page, MREMAP_MAYMOVE);
	check(g != MAP_FAILED, 31, "mremap grow to 64 pages with MREMAP_MAYMOVE");
	int same = 1;
	for (long i = 0; i < 2 * page; i++)
		same &= g[i] == (unsigned char)(i * 13);
	check(same, 32, "mremap kept the contents");
	check(all_bytes(g + 2 * page, 62 * page, 0), 33, "grown part is zero");
	memset(g + 63 * page, 0x44, page);
	check(g[64 * page - 1] == 0x44, 34, "grown part is writable");
	if (blocker != MAP_FAILED)
		munmap(blocker, page);
	/* Shrinking in place always works and must not move. */
	check(mremap(g, 64 * page, 8 * page, 0) == g, 35, "mremap shrink stays in place");
	check(g[0] == 0 && g[1] == 13 && g[8 * page - 1] == 0, 36, "shrunk mapping intact");
	check(munmap(g, 8 * page) == 0, 37, "munmap remapped area");

	/* A private file mapping sees the file; writes to it stay private. */
	char path[4096];
	/* The pid keeps parallel runs apart; it is never printed. */
	snprintf(path, sizeof(path), "%s/mmap_mprotect.%d.dat", dir, (int)getpid());
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	check(fd >= 0, 40, "create data file");
	size_t flen = 2 * page + 100;
	unsigned char *data = malloc(flen);
	check(data != NULL, 41, "malloc file image");
	for (size_t i = 0; i < flen; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	check(write(fd, data, flen) == (ssize_t)flen, 42, "write file image");
	unsigned char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check(m != MAP_FAILED, 43, "mmap file MAP_PRIVATE");
	check(memcmp(m, data, flen) == 0, 44, "mapping shows the file's bytes");
	check(all_bytes(m + flen, 3 * page - flen, 0), 45, "past EOF in the last page is zero");
	m[5] ^= 0xff;
	unsigned char b;
	check(pread(fd, &b, 1, 5) == 1 && b == data[5], 46, "private write did not reach the file");
	check(munmap(m, 3 * page) == 0, 47, "munmap file mapping");
	unsigned char *o = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
	check(o != MAP_FAILED && memcmp(o, data + page, page) == 0, 48,
	      "mapping at file offset one page");
	munmap(o, page);
	close(fd);
	unlink(path);
	free(data);

	/* Argument errors. */
	errno = 0;
	check(mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      50, "mmap without PRIVATE or SHARED gives EINVAL");
	check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
		      errno == EINVAL,
	      51, "mmap of length 0 gives EINVAL");
	check(munmap((void *)((uintptr_t)&page | 1), page) == -1 && errno == EINVAL, 52,
	      "munmap of an unaligned address gives EINVAL");
	check(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 9999, 0) == MAP_FAILED && errno == EBADF,
	      53, "file mmap of a bad fd gives EBADF");

	puts("mmap_mprotect done");
	return 0;
}
