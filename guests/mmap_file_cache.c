/*
 * mmap_file_cache: private file mappings of a file nobody has open for
 * writing, the case cloneemu serves from its page cache (one frame per file
 * page, shared copy-on-write by every mapping and process): two mappings
 * see the file and zeroes after EOF in the last page, a write stays in the
 * writer's mapping (not the other mapping, not a forked child's, not the
 * file), MADV_DONTNEED brings back the file's bytes, mremap growing the
 * mapping shows the next file page, and a file rewritten in place (same
 * size, at once: the mtime may not even change) is seen by new mappings.
 * argv[1]: a scratch directory (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

static size_t page;

static unsigned char byte_at(size_t i, unsigned char version)
{
	return (unsigned char)((i * 7 + 3) ^ version);
}

static void write_version(const char *path, size_t len, unsigned char version, int flags)
{
	unsigned char *b = malloc(len);
	need(b != NULL, 80, "malloc file image");
	for (size_t i = 0; i < len; i++)
		b[i] = byte_at(i, version);
	int fd = open(path, O_WRONLY | flags, 0600);
	need(fd >= 0, 81, "open data file for writing");
	need(pwrite(fd, b, len, 0) == (ssize_t)len, 82, "write file image");
	close(fd);
	free(b);
}

/* Does [p, p+n) hold the file's bytes of @version from file offset @off? */
static int shows(const unsigned char *p, size_t off, size_t n, unsigned char version)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != byte_at(off + i, version))
			return 0;
	return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	/* The pid keeps parallel runs apart; it is never printed. */
	snprintf(path, sizeof(path), "%s/mmap_file_cache.%d.dat", dir, (int)getpid());
	size_t flen = 2 * page + 100;
	write_version(path, flen, 0, O_CREAT | O_TRUNC);
	int fd = open(path, O_RDONLY);
	need(fd >= 0, 1, "open data file read-only");

	unsigned char *a = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	unsigned char *b = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE, fd, 0);
	need(a != MAP_FAILED && b != MAP_FAILED, 2, "two private mappings of the file");
	check(shows(a, 0, flen, 0) && shows(b, 0, flen, 0), 3, "both show the file's bytes");
	check(all_zero(a + flen, 3 * page - flen) && all_zero(b + flen, 3 * page - flen), 4,
	      "the last page is zero after EOF");

	a[5] ^= 0xff;
	a[page + 1] = 0;
	a[flen + 1] = 42; /* after EOF, in the last page */
	check(a[5] == (unsigned char)~byte_at(5, 0) && a[page + 1] == 0 && a[flen + 1] == 42, 5,
	      "writes show in the writer's mapping");
	check(shows(b, 0, flen, 0) && b[flen + 1] == 0, 6, "the other mapping keeps the file's bytes");
	unsigned char x = 0;
	check(pread(fd, &x, 1, 5) == 1 && x == byte_at(5, 0), 7, "the file keeps its bytes");

	/* A child writing its copy of the read-only mapping. */
	pid_t pid = guest_fork();
	if (pid == 0) {
		if (mprotect(b, 3 * page, PROT_READ | PROT_WRITE))
			_exit(1);
		b[7] = 0;
		b[2 * page] = 0;
		_exit(b[7] == 0 && b[2 * page] == 0 && shows(b + 8, 8, page - 8, 0) ? 0 : 2);
	}
	expect_status(pid, "exited 0", 8, "child wrote its own copy");
	check(shows(b, 0, flen, 0), 9, "the parent's mapping is untouched by the child");
	check(a[5] == (unsigned char)~byte_at(5, 0), 10, "the parent's private write survives fork");

	/* MADV_DONTNEED drops private copies: a file mapping shows the file again. */
	check(madvise(a, page, MADV_DONTNEED) == 0, 11, "madvise(MADV_DONTNEED)");
	check(shows(a, 0, page, 0), 12, "the file's bytes are back after MADV_DONTNEED");
	check(a[page + 1] == 0, 13, "the page not advised keeps its write");

	/* Growing a one-page mapping maps the next file page. */
	unsigned char *g = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	need(g != MAP_FAILED, 14, "one-page mapping");
	check(g[0] == byte_at(0, 0), 15, "one-page mapping shows the file");
	g = mremap(g, page, 2 * page, MREMAP_MAYMOVE);
	need(g != MAP_FAILED, 16, "mremap grow");
	check(shows(g, 0, 2 * page, 0), 17, "the grown part shows the next file page");
	munmap(g, 2 * page);

	/* Rewritten in place, same size, right away: new mappings see it. */
	write_version(path, flen, 0x55, 0);
	unsigned char *c = mmap(NULL, flen, PROT_READ, MAP_PRIVATE, fd, 0);
	need(c != MAP_FAILED, 18, "mapping after the rewrite");
	check(shows(c, 0, flen, 0x55), 19, "a new mapping shows the rewritten bytes");
	munmap(c, flen);
	int fd2 = open(path, O_RDONLY);
	need(fd2 >= 0, 20, "open again");
	c = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd2, page);
	check(c != MAP_FAILED && shows(c, page, page, 0x55), 21,
	      "a mapping through a new descriptor shows them");
	munmap(c, page);
	close(fd2);

	/* While a writer has it open, each new mapping shows the latest bytes. */
	int w = open(path, O_WRONLY);
	need(w >= 0, 22, "open for writing");
	for (unsigned char v = 1; v <= 3; v++) {
		unsigned char *buf = malloc(flen);
		need(buf != NULL, 23, "malloc");
		for (size_t i = 0; i < flen; i++)
			buf[i] = byte_at(i, v);
		need(pwrite(w, buf, flen, 0) == (ssize_t)flen, 24, "rewrite");
		free(buf);
		c = mmap(NULL, flen, PROT_READ, MAP_PRIVATE, fd, 0);
		check(c != MAP_FAILED && shows(c, 0, flen, v), 25,
		      "a mapping made after rewrite %d shows it", (int)v);
		munmap(c, flen);
	}
	close(w);
	c = mmap(NULL, flen, PROT_READ, MAP_PRIVATE, fd, 0);
	check(c != MAP_FAILED && shows(c, 0, flen, 3), 26, "and after the writer closed");
	munmap(c, flen);

	munmap(a, 3 * page);
	munmap(b, 3 * page);
	close(fd);
	unlink(path);
	puts("mmap_file_cache done");
	return guest_finish();
}
