/*
 * mmap_shared_file: MAP_SHARED mappings of a regular file are the file's
 * pages, coherent every way Linux is: a store through the mapping is seen
 * by pread() and read() (the same and another descriptor) and a pwrite() or
 * write() by the mapping; a forked child's stores by the parent's mapping
 * and the file; a child that opens and maps the file itself shares the
 * pages too; a read-only mapping of an O_RDONLY descriptor sees the
 * writers; a private mapping of the file sees shared stores until it writes
 * itself, then keeps its copy; the data are in the file after msync and
 * after munmap (read back by a new process through a new descriptor,
 * `/bin/cat` when it exists), and after the writer's exit.
 * argv[1]: a scratch directory (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

static size_t page;

static int all_is(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static unsigned char file_byte(int fd, off_t off)
{
	unsigned char c = 0xee;
	if (pread(fd, &c, 1, off) != 1)
		return 0xee;
	return c;
}

/* A new process reads byte @off of @path through its own descriptor. */
static int byte_seen_by_new_process(const char *path, off_t off)
{
	int p[2];
	need(pipe(p) == 0, 90, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(p[0]);
		int fd = open(path, O_RDONLY);
		unsigned char c = fd < 0 ? 0xee : file_byte(fd, off);
		_exit(write(p[1], &c, 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	unsigned char c = 0xee;
	if (read(p[0], &c, 1) != 1)
		c = 0xee;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return c;
}

int main(int argc, char **argv)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/mmap_shared_file.%d.dat", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, 1, "create data file");
	size_t flen = 4 * page;
	need(ftruncate(fd, (off_t)flen) == 0, 2, "ftruncate to 4 pages");

	unsigned char *m = mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 3, "mmap MAP_SHARED read-write");
	check(all_is(m, flen, 0), 4, "a new file maps as zeroes");

	/* mapping -> file */
	m[10] = 'a';
	m[page + 1] = 'b';
	check(file_byte(fd, 10) == 'a' && file_byte(fd, (off_t)page + 1) == 'b', 5,
	      "a store through the mapping is seen by pread");
	int fd2 = open(path, O_RDONLY);
	need(fd2 >= 0, 6, "open a second descriptor");
	char buf[16] = {0};
	check(pread(fd2, buf, 11, 0) == 11 && buf[10] == 'a', 7,
	      "... and by read on another descriptor");

	/* file -> mapping */
	need(pwrite(fd, "XYZ", 3, 100) == 3, 8, "pwrite");
	check(memcmp(m + 100, "XYZ", 3) == 0, 9, "a pwrite is seen through the mapping");
	need(lseek(fd, 2 * (off_t)page, SEEK_SET) == 2 * (off_t)page, 10, "lseek");
	need(write(fd, "hello", 5) == 5, 11, "write");
	check(memcmp(m + 2 * page, "hello", 5) == 0, 12, "a write is seen through the mapping");

	/* fork: the child's stores reach the parent and the file */
	pid_t pid = guest_fork();
	if (pid == 0) {
		m[200] = 'c';
		memset(m + 3 * page, 'd', page);
		_exit(m[100] == 'X' ? 0 : 1);
	}
	expect_status(pid, "exited 0", 13, "the child sees the parent's data");
	check(m[200] == 'c' && all_is(m + 3 * page, page, 'd'), 14,
	      "the child's stores are seen by the parent's mapping");
	check(file_byte(fd2, 200) == 'c' && file_byte(fd2, 3 * (off_t)page + 7) == 'd', 15,
	      "... and by read of the file");

	/* a child maps the file on its own */
	int go[2], back[2];
	need(pipe(go) == 0 && pipe(back) == 0, 16, "pipes");
	pid = guest_fork();
	if (pid == 0) {
		close(go[1]);
		close(back[0]);
		int cfd = open(path, O_RDWR);
		unsigned char *cm = cfd < 0 ? MAP_FAILED
					    : mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (cm == MAP_FAILED)
			_exit(2);
		char c;
		cm[300] = 'e'; /* before the parent looks */
		if (write(back[1], "1", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		/* the parent stored 'f' meanwhile */
		_exit(cm[301] == 'f' ? 0 : 4);
	}
	close(go[0]);
	close(back[1]);
	char c;
	need(read(back[0], &c, 1) == 1, 17, "the child mapped the file");
	check(m[300] == 'e', 18, "a store by an independent mapping in another process is seen");
	m[301] = 'f';
	need(write(go[1], "1", 1) == 1, 19, "wake the child");
	expect_status(pid, "exited 0", 20, "the other process sees our store");
	close(go[1]);
	close(back[0]);

	/* a read-only mapping of a read-only descriptor follows the writers */
	unsigned char *ro = mmap(NULL, flen, PROT_READ, MAP_SHARED, fd2, 0);
	need(ro != MAP_FAILED, 21, "mmap MAP_SHARED read-only of an O_RDONLY descriptor");
	m[400] = 'g';
	check(ro[400] == 'g' && ro[10] == 'a', 22, "the read-only mapping sees the writable one");

	/* a private mapping sees shared stores until it writes */
	unsigned char *pv = mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	need(pv != MAP_FAILED, 23, "mmap MAP_PRIVATE of the same file");
	check(pv[10] == 'a' && pv[400] == 'g', 24, "the private mapping shows the file");
	m[401] = 'h';
	check(pv[401] == 'h', 25, "... and a later store through the shared one");
	pv[402] = 'p';
	m[403] = 'i';
	check(pv[402] == 'p' && pv[403] == 0 && m[402] == 0 && file_byte(fd, 402) == 0, 26,
	      "after its own write it keeps a private copy, the file does not change");
	munmap(pv, flen);

	/* msync and munmap: in the file for a new process */
	m[500] = 'j';
	check(msync(m, flen, MS_SYNC) == 0, 27, "msync(MS_SYNC)");
	check(msync(m, flen, MS_ASYNC) == 0 && msync(m, page, MS_INVALIDATE) == 0, 28,
	      "msync(MS_ASYNC) and msync(MS_INVALIDATE)");
	check(byte_seen_by_new_process(path, 500) == 'j', 29, "after msync a new process reads the data");
	m[501] = 'k';
	check(munmap(m, flen) == 0, 30, "munmap");
	check(byte_seen_by_new_process(path, 501) == 'k', 31,
	      "after munmap a new process reads the data");
	check(ro[501] == 'k', 32, "the read-only mapping still shows the data after the writer's munmap");
	munmap(ro, flen);

	/* exit: a child's last store, never synced */
	pid = guest_fork();
	if (pid == 0) {
		unsigned char *cm = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (cm == MAP_FAILED)
			_exit(2);
		cm[600] = 'l';
		_exit(0);
	}
	expect_status(pid, "exited 0", 33, "a child stores and exits");
	check(file_byte(fd2, 600) == 'l', 34, "the exited child's store is in the file");

	/* the whole file, for a program of its own */
	if (access("/bin/cat", X_OK) == 0) {
		int p[2];
		need(pipe(p) == 0, 35, "pipe");
		pid = guest_fork();
		if (pid == 0) {
			dup2(p[1], 1);
			close(p[0]);
			execl("/bin/cat", "cat", path, (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		unsigned char *all = malloc(flen + 1);
		size_t got = read_full(p[0], all, flen + 1);
		close(p[0]);
		waitpid(pid, NULL, 0);
		check(got == flen && all[10] == 'a' && all[100] == 'X' && all[600] == 'l' &&
			      all_is(all + 3 * page, page, 'd'),
		      36, "cat reads every byte stored through the mappings");
		free(all);
	} else {
		check(1, 36, "cat reads every byte stored through the mappings");
	}
	close(fd);
	close(fd2);
	unlink(path);
	return guest_finish();
}
