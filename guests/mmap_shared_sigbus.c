/*
 * mmap_shared_sigbus: a MAP_SHARED file mapping longer than its file.
 * The last page is the file's bytes then zeroes, and a store after EOF in
 * it stays out of the file's size; a page wholly past EOF is SIGBUS with
 * si_code BUS_ADRERR and si_addr the byte touched (read or write, caught
 * by a handler and left with siglongjmp); pread() into such a page is
 * EFAULT. ftruncate growing the file makes the pages reachable (zeroes,
 * then the data written), shrinking it makes them SIGBUS again, also for
 * a forked child and for a second mapping of the file; truncate() by path
 * and open(O_TRUNC) too. A private mapping's page past EOF is SIGBUS as
 * well. argv[1]: a scratch directory (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

static size_t page;
static sigjmp_buf env;
static volatile sig_atomic_t got_code;
static void *volatile got_addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(env, 1);
}

/* Touch @p (a read, or a write of @v): 0 when it worked, else the SIGBUS
 * si_code (and @p must be si_addr, or -1 is returned). */
static int touch(volatile unsigned char *p, int write, unsigned char v)
{
	got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(env, 1) == 0) {
		if (write)
			*p = v;
		else
			(void)*p;
		return 0;
	}
	return got_addr == (void *)p ? got_code : -1;
}

int main(int argc, char **argv)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/mmap_shared_sigbus.%d.dat", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, 1, "create data file");
	need(write(fd, "0123456789", 10) == 10, 2, "write 10 bytes");

	struct sigaction sa = {0};
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	need(sigaction(SIGBUS, &sa, NULL) == 0, 3, "SIGBUS handler");

	unsigned char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 4, "map 4 pages of a 10-byte file");
	check(memcmp(m, "0123456789", 10) == 0 && m[10] == 0 && m[page - 1] == 0, 5,
	      "the last page: the file's bytes, then zeroes");
	m[20] = 'z';
	check(lseek(fd, 0, SEEK_END) == 10, 6, "a store after EOF in the last page does not grow the file");
	expect_eq(touch(m + page, 0, 0), BUS_ADRERR, 7, "a read of a page past EOF is SIGBUS BUS_ADRERR at the byte");
	expect_eq(touch(m + 3 * page + 123, 1, 'x'), BUS_ADRERR, 8,
		  "a write past EOF too, si_addr the byte");
	errno = 0;
	long r = pread(fd, m + 2 * page, 1, 0);
	expect_errno(r, errno, EFAULT, 9, "pread() into a page past EOF");

	/* grow */
	need(ftruncate(fd, (off_t)(3 * page)) == 0, 10, "ftruncate to 3 pages");
	check(touch(m + page, 0, 0) == 0 && m[page] == 0 && m[2 * page + 5] == 0, 11,
	      "after growing, the new pages read as zeroes");
	check(touch(m + 2 * page + 6, 1, 'G') == 0, 12, "... and take stores");
	unsigned char c = 0;
	check(pread(fd, &c, 1, (off_t)(2 * page + 6)) == 1 && c == 'G', 13, "... that reach the file");
	check(m[20] == 0, 14, "the store after the old EOF was not kept (the page was the file's)");
	expect_eq(touch(m + 3 * page, 0, 0), BUS_ADRERR, 15, "the page past the new EOF is still SIGBUS");

	/* shrink, seen by a child and by a second mapping */
	unsigned char *m2 = mmap(NULL, 4 * page, PROT_READ, MAP_SHARED, fd, 0);
	need(m2 != MAP_FAILED, 16, "a second mapping");
	check(m2[2 * page + 6] == 'G', 17, "the second mapping shows the data");
	int go[2], ready[2];
	need(pipe(go) == 0 && pipe(ready) == 0, 18, "pipes");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char x;
		close(go[1]);
		close(ready[0]);
		if (m[2 * page + 6] != 'G' || write(ready[1], "r", 1) != 1 || read(go[0], &x, 1) != 0)
			_exit(1);
		/* the parent has shrunk the file to one page */
		_exit(touch(m + 2 * page + 6, 0, 0) == BUS_ADRERR && touch(m + 5, 0, 0) == 0 ? 0 : 2);
	}
	close(go[0]);
	close(ready[1]);
	char x;
	need(read(ready[0], &x, 1) == 1, 19, "the child has touched the page");
	close(ready[0]);
	need(ftruncate(fd, (off_t)page) == 0, 19, "ftruncate to 1 page");
	close(go[1]);
	expect_status(pid, "exited 0", 20, "a child that touched the page before gets SIGBUS after the shrink");
	expect_eq(touch(m + page, 0, 0), BUS_ADRERR, 21, "the page past the new EOF is SIGBUS again");
	expect_eq(touch(m2 + 2 * page + 6, 0, 0), BUS_ADRERR, 22, "... in the second mapping too");
	check(m[5] == '5' && m2[5] == '5', 23, "the first page keeps its data");

	/* truncate() by path, then open(O_TRUNC) */
	need(ftruncate(fd, (off_t)(2 * page)) == 0, 24, "grow to 2 pages");
	check(touch(m + page + 1, 1, 'T') == 0, 25, "the second page is back");
	need(truncate(path, 100) == 0, 26, "truncate() by path to 100 bytes");
	expect_eq(touch(m + page + 1, 0, 0), BUS_ADRERR, 27, "after truncate() the second page is SIGBUS");
	check(m[50] == 0 && m[5] == '5', 28, "the first page shows the truncated file");
	int tfd = open(path, O_RDWR | O_TRUNC);
	need(tfd >= 0, 29, "open(O_TRUNC)");
	expect_eq(touch(m + 5, 0, 0), BUS_ADRERR, 30, "after open(O_TRUNC) the first page is SIGBUS");
	close(tfd);

	/* a private mapping's page past EOF */
	need(ftruncate(fd, 10) == 0, 31, "back to 10 bytes");
	unsigned char *pv = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	need(pv != MAP_FAILED, 32, "a private mapping of 2 pages");
	check(pv[0] == 0 && touch(pv + 1, 1, 'p') == 0, 33, "its first page is there");
	expect_eq(touch(pv + page, 0, 0), BUS_ADRERR, 34, "its page past EOF is SIGBUS too");

	munmap(pv, 2 * page);
	munmap(m, 4 * page);
	munmap(m2, 4 * page);
	close(fd);
	unlink(path);
	return guest_finish();
}
