/*
 * madvise_fork: how fork treats each kind of anonymous mapping.
 *
 *   - MADV_DONTFORK: the range is absent in the child, which dies of
 *     SIGSEGV touching it (the parent checks WTERMSIG == SIGSEGV) and keeps
 *     its data; MADV_DOFORK undoes it
 *   - MADV_WIPEONFORK: the child reads zeros (and may write), the parent
 *     keeps its data; MADV_KEEPONFORK undoes it; on a MAP_SHARED mapping
 *     WIPEONFORK is EINVAL
 *   - MAP_SHARED|MAP_ANONYMOUS: the child's writes, also to pages nobody
 *     touched before fork, are seen by the parent; the parent's writes made
 *     after fork are seen by the child
 *   - MAP_PRIVATE|MAP_ANONYMOUS: the child's writes are not seen
 */
#include "guest_check.h"

#include <sys/mman.h>

#define PAGES 4
#define PG 4096
#define LEN (PAGES * PG)

static unsigned char *map(int flags)
{
	void *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 91, "mmap");
	return p;
}

static int all(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void dontfork(void)
{
	unsigned char *p = map(MAP_PRIVATE);
	memset(p, 0x42, LEN);
	check(madvise(p, LEN, MADV_DONTFORK) == 0, 10, "madvise(MADV_DONTFORK)");
	pid_t pid = guest_fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		unsigned char v = *(volatile unsigned char *)(p + PG);
		_exit(v); /* not reached */
	}
	expect_status(pid, "killed by signal 11", 11, "MADV_DONTFORK: child touching the range");
	check(all(p, LEN, 0x42), 12, "MADV_DONTFORK: parent keeps its data");

	/* The child can map something new at that address: it is free there. */
	pid = guest_fork();
	if (pid == 0) {
		void *q = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);
		_exit(q == p ? 0 : 1);
	}
	expect_status(pid, "exited 0", 13, "MADV_DONTFORK: the address is free in the child (MAP_FIXED_NOREPLACE works)");

	check(madvise(p, LEN, MADV_DOFORK) == 0, 14, "madvise(MADV_DOFORK)");
	pid = guest_fork();
	if (pid == 0)
		_exit(all(p, LEN, 0x42) ? 0 : 1);
	expect_status(pid, "exited 0", 15, "after MADV_DOFORK the child sees the data");
	munmap(p, LEN);
}

static void wipeonfork(void)
{
	unsigned char *p = map(MAP_PRIVATE);
	memset(p, 0x37, LEN);
	check(madvise(p, LEN, MADV_WIPEONFORK) == 0, 20, "madvise(MADV_WIPEONFORK)");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int zero = all(p, LEN, 0);
		memset(p, 0x99, LEN);
		_exit(zero && all(p, LEN, 0x99) ? 0 : 1);
	}
	expect_status(pid, "exited 0", 21, "MADV_WIPEONFORK: child reads zeros, then writes");
	check(all(p, LEN, 0x37), 22, "MADV_WIPEONFORK: parent keeps its data");

	/* the wipe happens at every fork, also in a grandchild */
	pid = guest_fork();
	if (pid == 0) {
		memset(p, 0x55, LEN);
		pid_t gc = fork();
		if (gc == 0)
			_exit(all(p, LEN, 0) ? 0 : 1);
		int st = 0;
		waitpid(gc, &st, 0);
		_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 && all(p, LEN, 0x55) ? 0 : 1);
	}
	expect_status(pid, "exited 0", 23, "MADV_WIPEONFORK is inherited: the grandchild reads zeros");

	check(madvise(p, LEN, MADV_KEEPONFORK) == 0, 24, "madvise(MADV_KEEPONFORK)");
	pid = guest_fork();
	if (pid == 0)
		_exit(all(p, LEN, 0x37) ? 0 : 1);
	expect_status(pid, "exited 0", 25, "after MADV_KEEPONFORK the child sees the data");
	munmap(p, LEN);

	unsigned char *s = map(MAP_SHARED);
	errno = 0;
	long r = madvise(s, LEN, MADV_WIPEONFORK);
	expect_errno(r, errno, EINVAL, 26, "MADV_WIPEONFORK on a MAP_SHARED mapping");
	munmap(s, LEN);
}

static void shared_and_private(void)
{
	unsigned char *s = map(MAP_SHARED);
	unsigned char *p = map(MAP_PRIVATE);
	s[0] = 1; /* only page 0 of each is touched before fork */
	p[0] = 1;
	int gate[2];
	need(pipe(gate) == 0, 92, "pipe");

	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		for (int i = 0; i < PAGES; i++) {
			s[i * PG + 7] = (unsigned char)(0x10 + i);
			p[i * PG + 7] = (unsigned char)(0x10 + i);
		}
		close(gate[1]);
		read(gate[0], &c, 1); /* the parent writes s[PG * 3 + 100] meanwhile */
		_exit(s[PG * 3 + 100] == 0xee ? 0 : 1);
	}
	close(gate[0]);
	s[PG * 3 + 100] = 0xee;
	close(gate[1]);
	expect_status(pid, "exited 0", 30, "MAP_SHARED: child sees the parent's write made after fork");
	int seen = 1, unseen = 1;
	for (int i = 0; i < PAGES; i++) {
		seen = seen && s[i * PG + 7] == 0x10 + i;
		unseen = unseen && p[i * PG + 7] == 0;
	}
	check(seen, 31, "MAP_SHARED: parent sees the child's writes on all pages, untouched ones too");
	check(unseen && p[0] == 1, 32, "MAP_PRIVATE: parent does not see the child's writes");
	munmap(s, LEN);
	munmap(p, LEN);
}

int main(void)
{
	dontfork();
	wipeonfork();
	shared_and_private();
	return guest_finish();
}
