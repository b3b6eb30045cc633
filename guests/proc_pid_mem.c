/*
 * proc_pid_mem: /proc/<pid>/mem.
 *
 *   - /proc/self/mem at a variable's address reads its bytes (pread, and
 *     read after lseek to the address); pwrite changes the variable
 *   - a write goes through a read-only mapping (as a debugger's does), and
 *     the mapping stays read-only for the process itself
 *   - an unmapped address reads as EIO, a read running into one stops
 *     there (short count); a descriptor opened O_RDONLY cannot write (EBADF)
 *   - a parent reads and writes its child's memory (same user); a child
 *     that dropped to another user may not open its parent's (EACCES)
 */
#include "guest_check.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

static char word[16] = "original";

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/mem", O_RDWR);
	need(fd >= 0, 90, "open /proc/self/mem");
	char buf[32] = "";
	check(pread(fd, buf, 8, (off_t)(uintptr_t)word) == 8 && !memcmp(buf, "original", 8), 1,
	      "pread at a variable's address reads it");
	check(pwrite(fd, "changed!", 8, (off_t)(uintptr_t)word) == 8 && !memcmp(word, "changed!", 8), 2,
	      "pwrite changes it");
	memset(buf, 0, sizeof(buf));
	check(lseek(fd, (off_t)(uintptr_t)word, SEEK_SET) == (off_t)(uintptr_t)word &&
		      read(fd, buf, 8) == 8 && !memcmp(buf, "changed!", 8) &&
		      lseek(fd, 0, SEEK_CUR) == (off_t)(uintptr_t)word + 8,
	      3, "lseek to the address, then read, moves the position");

	char *ro = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(ro != MAP_FAILED, 91, "mmap");
	strcpy(ro, "before");
	need(mprotect(ro, pg, PROT_READ) == 0 && munmap(ro + pg, pg) == 0, 92, "mprotect+munmap");
	check(pwrite(fd, "AFTER!", 6, (off_t)(uintptr_t)ro) == 6 && !strcmp(ro, "AFTER!"), 4,
	      "a write goes through a read-only mapping");
	errno = 0;
	long r = pread(fd, buf, 8, (off_t)(uintptr_t)(ro + pg));
	expect_errno(r, errno, EIO, 5, "an unmapped address");
	check(pread(fd, buf, 16, (off_t)(uintptr_t)(ro + pg - 8)) == 8, 6,
	      "a read running into a hole stops there");
	int rofd = open("/proc/self/mem", O_RDONLY);
	need(rofd >= 0, 93, "open O_RDONLY");
	errno = 0;
	r = pwrite(rofd, "x", 1, (off_t)(uintptr_t)word);
	expect_errno(r, errno, EBADF, 7, "write on an O_RDONLY descriptor");

	int go[2], back[2];
	need(pipe(go) == 0 && pipe(back) == 0, 94, "pipe");
	fflush(stdout);
	pid_t c = fork();
	need(c >= 0, 95, "fork");
	if (!c) {
		strcpy(word, "in child");
		char x;
		if (write(back[1], "r", 1) != 1 || read(go[0], &x, 1) != 1)
			_exit(90);
		/* The parent changed our word; then drop to nobody and look back. */
		int st = !strcmp(word, "parent!!") ? 0 : 1;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)getppid());
		if (getuid() == 0 && setresgid(65534, 65534, 65534) == 0 &&
		    setresuid(65534, 65534, 65534) == 0) {
			int pfd = open(path, O_RDONLY);
			st |= pfd < 0 && errno == EACCES ? 0 : 2;
		}
		_exit(st);
	}
	char x;
	need(read(back[0], &x, 1) == 1, 96, "child ready");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c);
	int cfd = open(path, O_RDWR);
	memset(buf, 0, sizeof(buf));
	check(cfd >= 0 && pread(cfd, buf, 8, (off_t)(uintptr_t)word) == 8 && !strcmp(buf, "in child"), 8,
	      "the parent reads its child's copy of the variable");
	check(cfd >= 0 && pwrite(cfd, "parent!!", 8, (off_t)(uintptr_t)word) == 8, 9,
	      "and writes it");
	need(write(go[1], "g", 1) == 1, 97, "go");
	int st;
	need(waitpid(c, &st, 0) == c, 98, "waitpid");
	check(WIFEXITED(st) && !(WEXITSTATUS(st) & 1), 10, "the child saw the parent's write");
	check(WIFEXITED(st) && !(WEXITSTATUS(st) & 2), 11,
	      "a child that dropped to another user may not open its parent's memory");
	return guest_finish();
}
