/*
 * personality_basic: personality(2) and what it changes (kernel/exec_domain.c,
 * kernel/sys.c, arch/x86 SET_PERSONALITY):
 *
 *   - 0xffffffff queries; any other value is stored and the old one
 *     returned (no validation)
 *   - PER_LINUX32: uname's machine is i686; UNAME26: the release is
 *     "2.6.<60 + patchlevel>" followed by what comes after the version
 *   - READ_IMPLIES_EXEC: a PROT_READ mapping is executable (maps shows
 *     r-x), mprotect(PROT_READ) too; execve on x86_64 clears the flag but
 *     keeps ADDR_NO_RANDOMIZE
 *   - ADDR_NO_RANDOMIZE: two execs lay out the stack and mmap the same way
 */
#include "guest_check.h"

#include <ctype.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/utsname.h>

static const char *maps_perms(void *addr, char *out)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	strcpy(out, "none");
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && (unsigned long)addr >= lo &&
		    (unsigned long)addr < hi) {
			strcpy(out, perms);
			break;
		}
	}
	fclose(f);
	return out;
}

static void expected_uname26(const char *release, char *out, size_t len)
{
	const char *rest = release;
	unsigned patch = 0;
	int ndots = 0;
	while (*rest) {
		if (*rest == '.' && ++ndots >= 3)
			break;
		if (!isdigit((unsigned char)*rest) && *rest != '.')
			break;
		if (ndots == 1 && isdigit((unsigned char)*rest))
			patch = patch * 10 + (unsigned)(*rest - '0');
		rest++;
	}
	snprintf(out, len, "2.6.%u%s", patch + 60, rest);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "layout")) {
		int local;
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		printf("%p %p\n", (void *)&local, m);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "after")) {
		unsigned p = (unsigned)personality(0xffffffff);
		check(!(p & READ_IMPLIES_EXEC), 60, "exec cleared READ_IMPLIES_EXEC");
		check(p & ADDR_NO_RANDOMIZE, 61, "exec kept ADDR_NO_RANDOMIZE");
		char perms[8];
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		check(!strcmp(maps_perms(m, perms), "r--p"), 62, "PROT_READ is %s after exec", perms);
		return guest_finish();
	}
	unsigned start = (unsigned)personality(0xffffffff);
	check((start & PER_MASK) == PER_LINUX, 1, "starts as PER_LINUX");
	expect_eq(personality(0x12345678), start, 2, "set returns the old value");
	expect_eq(personality(0xffffffff), 0x12345678, 3, "any value is stored");
	expect_eq(personality(start), 0x12345678, 4, "restore");

	struct utsname real, u;
	uname(&real);
	personality(PER_LINUX32);
	uname(&u);
	check(!strcmp(u.machine, "i686"), 10, "PER_LINUX32 machine: %s", u.machine);
	personality(PER_LINUX | UNAME26);
	uname(&u);
	char want[80];
	expected_uname26(real.release, want, sizeof(want));
	check(!strcmp(u.release, want) && !strncmp(u.release, "2.6.", 4), 11,
	      "UNAME26 release (%s, want %s)", u.release, want);
	check(!strcmp(u.machine, real.machine), 12, "UNAME26 machine unchanged");
	personality(PER_LINUX);
	uname(&u);
	check(!strcmp(u.release, real.release), 13, "PER_LINUX release again");

	char perms[8];
	personality(PER_LINUX | READ_IMPLIES_EXEC);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(m != MAP_FAILED && !strcmp(maps_perms(m, perms), "r-xp"), 20,
	      "READ_IMPLIES_EXEC: PROT_READ maps as %s", perms);
	void *w = mmap(NULL, 4096, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(!strcmp(maps_perms(w, perms), "-w-p"), 21, "PROT_WRITE alone maps as %s", perms);
	mprotect(w, 4096, PROT_READ | PROT_WRITE);
	check(!strcmp(maps_perms(w, perms), "rwxp"), 22, "mprotect(RW) gives %s", perms);
	personality(PER_LINUX | READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE);
	fflush(stdout);
	pid_t pid = guest_fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "after", (char *)NULL);
		_exit(127);
	}
	expect_status(pid, "exited 0", 23, "exec'd child");

	/* Two unrandomized execs: the same layout. */
	char out[2][128];
	for (int i = 0; i < 2; i++) {
		int p[2];
		need(pipe(p) == 0, 30, "pipe");
		pid = guest_fork();
		if (pid == 0) {
			dup2(p[1], 1);
			execl("/proc/self/exe", argv[0], "layout", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		ssize_t n = read(p[0], out[i], sizeof(out[i]) - 1);
		out[i][n > 0 ? n : 0] = 0;
		close(p[0]);
		expect_status(pid, "exited 0", 31, "layout child");
	}
	check(!strcmp(out[0], out[1]), 32, "ADDR_NO_RANDOMIZE: same layout twice");
	personality(start);
	return guest_finish();
}
