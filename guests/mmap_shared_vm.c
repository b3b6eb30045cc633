/*
 * mmap_shared_vm: the VMA operations keep working on MAP_SHARED file
 * mappings. mprotect to read-only (a write is SIGSEGV) and back; a part
 * unmapped in the middle leaves the two sides mapped and coherent; MAP_FIXED
 * of another file offset over a page; mremap growing in place and moving
 * (data kept, still the file's pages), and with old_len 0 a second mapping
 * of the same pages (EINVAL for a private mapping, ENOMEM without
 * MREMAP_MAYMOVE); MADV_DONTFORK leaves the mapping out of a child while
 * another shared mapping stays shared; MADV_DONTNEED keeps the data (they
 * are the file's); /proc/self/maps shows the mapping as shared ('s') with
 * its file offset. And /dev/zero: MAP_SHARED is anonymous memory shared
 * with a child, MAP_PRIVATE private. argv[1]: a scratch directory
 * (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

static size_t page;
static sigjmp_buf env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

/* A write to @p: 1 if it faulted. */
static int write_faults(volatile unsigned char *p)
{
	if (sigsetjmp(env, 1) == 0) {
		*p = 1;
		return 0;
	}
	return 1;
}

static unsigned char file_byte(int fd, off_t off)
{
	unsigned char c = 0xee;
	return pread(fd, &c, 1, off) == 1 ? c : 0xee;
}

/* Is there a line in /proc/self/maps for @addr with perms @perms and offset @off? */
static int maps_line(void *addr, const char *perms, unsigned long off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	char line[512];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, o;
		char p[8];
		if (sscanf(line, "%lx-%lx %7s %lx", &lo, &hi, p, &o) == 4 && lo == (unsigned long)addr) {
			found = !strcmp(p, perms) && o == off;
			break;
		}
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/mmap_shared_vm.%d.dat", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, 1, "create data file");
	need(ftruncate(fd, (off_t)(16 * page)) == 0, 2, "ftruncate to 16 pages");
	signal(SIGSEGV, on_segv);

	unsigned char *m = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 3, "map 8 pages");
	for (size_t i = 0; i < 8; i++)
		m[i * page] = (unsigned char)('a' + i);
	check(maps_line(m, "rw-s", 0), 4, "/proc/self/maps shows rw-s at offset 0");

	/* mprotect */
	need(mprotect(m + page, page, PROT_READ) == 0, 5, "mprotect one page read-only");
	check(write_faults(m + page + 1) && !write_faults(m + 2 * page + 1), 6,
	      "a write to it faults, the next page takes writes");
	check(maps_line(m + page, "r--s", page), 7, "/proc/self/maps shows r--s at offset 1 page");
	need(mprotect(m + page, page, PROT_READ | PROT_WRITE) == 0, 8, "mprotect it writable again");
	check(!write_faults(m + page + 1) && file_byte(fd, (off_t)page + 1) == 1, 9,
	      "it takes writes again, into the file");

	/* partial munmap, MAP_FIXED over a page */
	need(munmap(m + 3 * page, page) == 0, 10, "unmap page 3");
	m[2 * page + 5] = 'L';
	m[4 * page + 5] = 'R';
	check(file_byte(fd, 2 * (off_t)page + 5) == 'L' && file_byte(fd, 4 * (off_t)page + 5) == 'R', 11,
	      "both sides of the hole still write the file");
	unsigned char *f = mmap(m + 5 * page, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
				(off_t)(12 * page));
	need(f == m + 5 * page, 12, "MAP_FIXED of file page 12 over page 5");
	f[0] = 'F';
	check(file_byte(fd, 12 * (off_t)page) == 'F' && file_byte(fd, 5 * (off_t)page) == 'f', 13,
	      "it writes file page 12, page 5 keeps its data");
	check(maps_line(f, "rw-s", 12 * page), 14, "/proc/self/maps shows its offset");

	/* mremap: grow in place or move, then duplicate */
	unsigned char *g = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(8 * page));
	need(g != MAP_FAILED, 15, "map file pages 8-9");
	g[0] = 'G';
	unsigned char *g2 = mremap(g, 2 * page, 4 * page, MREMAP_MAYMOVE);
	need(g2 != MAP_FAILED, 16, "mremap to 4 pages");
	check(g2[0] == 'G' && g2[3 * page] == 0, 17, "the data is kept, the new pages are the file's");
	g2[3 * page + 1] = 'H';
	check(file_byte(fd, 11 * (off_t)page + 1) == 'H', 18, "a store in a new page reaches the file");
	void *far = mmap(NULL, 64 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *g3 = mremap(g2, 4 * page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED,
				   (char *)far + 32 * page);
	need(g3 == (unsigned char *)far + 32 * page, 19, "mremap moved with MREMAP_FIXED");
	need(pwrite(fd, "W", 1, 8 * (off_t)page + 2) == 1, 20, "pwrite");
	check(g3[0] == 'G' && g3[2] == 'W', 21, "the moved mapping shows the file");
	unsigned char *dup = mremap(g3, 0, 2 * page, MREMAP_MAYMOVE);
	need(dup != MAP_FAILED, 22, "mremap with old_len 0 of a shared mapping");
	dup[3] = 'D';
	check(g3[3] == 'D' && dup[0] == 'G', 23, "the second mapping shares the pages");
	long r = (long)mremap(g3, 0, page, 0);
	expect_errno(r == (long)MAP_FAILED ? -1 : 0, errno, ENOMEM, 24, "old_len 0 without MREMAP_MAYMOVE");
	unsigned char *priv = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	r = (long)mremap(priv, 0, page, MREMAP_MAYMOVE);
	expect_errno(r == (long)MAP_FAILED ? -1 : 0, errno, EINVAL, 25, "old_len 0 of a private mapping");
	munmap(priv, page);

	/* MADV_DONTNEED keeps the data of a shared file mapping */
	check(madvise(dup, 2 * page, MADV_DONTNEED) == 0 && dup[3] == 'D' && dup[0] == 'G', 26,
	      "MADV_DONTNEED keeps the file's data");

	/* MADV_DONTFORK */
	need(madvise(dup, 2 * page, MADV_DONTFORK) == 0, 27, "MADV_DONTFORK");
	pid_t pid = guest_fork();
	if (pid == 0) {
		/* dup is absent: msync reports the hole; g3 is shared */
		int absent = msync(dup, page, 0) == -1 && errno == ENOMEM;
		g3[4] = 'C';
		m[6 * page + 6] = 'c';
		_exit(absent ? 0 : 1);
	}
	expect_status(pid, "exited 0", 28, "the child does not have the DONTFORK mapping");
	check(g3[4] == 'C' && dup[4] == 'C' && m[6 * page + 6] == 'c', 29,
	      "the child's stores through the other mappings reach the parent");

	/* the pages after fork and mprotect in the child */
	pid = guest_fork();
	if (pid == 0) {
		if (mprotect(m, page, PROT_READ) || !write_faults(m + 7))
			_exit(1);
		m[page + 7] = 'K';
		_exit(0);
	}
	expect_status(pid, "exited 0", 30, "a child's mprotect stays in the child");
	check(!write_faults(m + 7) && m[page + 7] == 'K', 31, "the parent still writes, and sees the child's store");

	/* /dev/zero: MAP_SHARED is shared anonymous memory, MAP_PRIVATE private */
	int z = open("/dev/zero", O_RDWR);
	need(z >= 0, 32, "open /dev/zero");
	unsigned char *zs = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	unsigned char *zp = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	need(zs != MAP_FAILED && zp != MAP_FAILED, 33, "MAP_SHARED and MAP_PRIVATE of /dev/zero");
	close(z);
	check(zs[0] == 0 && zs[2 * page - 1] == 0 && zp[5] == 0, 34, "both read as zeroes");
	pid = guest_fork();
	if (pid == 0) {
		zs[page + 3] = 'Z';
		zp[5] = 'P';
		_exit(0);
	}
	expect_status(pid, "exited 0", 35, "a child writes both");
	check(zs[page + 3] == 'Z' && zp[5] == 0, 36,
	      "the shared /dev/zero page is shared, the private one stays ours");
	munmap(zs, 2 * page);
	munmap(zp, page);

	munmap(m, 8 * page);
	munmap(dup, 2 * page);
	munmap(far, 64 * page);
	close(fd);
	unlink(path);
	return guest_finish();
}
