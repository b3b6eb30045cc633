/* brk(2) grows and shrinks the heap: the break moves by whole requests,
 * the new pages read as zero and are writable, shrinking gives them back
 * (a regrow sees zeroes again). Built static-PIE too (brk_grow.pie.*):
 * Linux moves a static PIE's brk out of the mmap area where the program
 * sits, to ELF_ET_DYN_BASE, so that it has room to grow. The raw syscall,
 * because musl's sbrk refuses to grow the heap; only above the break malloc
 * left (stdout's buffer is allocated first), which is restored at the end. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest_check.h"

static char *set_brk(char *want)
{
	return (char *)syscall(SYS_brk, want);
}

int main(void)
{
	const long mib = 1 << 20;
	puts("brk_grow: from the current break");
	fflush(stdout);
	char *start = set_brk(0);
	char *top = set_brk(start + 4 * mib);
	check(top == start + 4 * mib, 1, "brk did not grow by 4 MiB");
	char zero[4096] = {0};
	check(!memcmp(start, zero, sizeof(zero)) && !memcmp(top - 4096, zero, 4096), 2,
	      "new heap pages are not zero");
	memset(start, 0xab, 4 * mib);
	check(set_brk(start + mib) == start + mib, 3, "brk did not shrink");
	check(set_brk(start + 2 * mib) == start + 2 * mib, 4, "brk did not regrow");
	check(start[mib] == 0 && start[2 * mib - 1] == 0, 5, "regrown pages kept old bytes");
	check((unsigned char)start[mib - 1] == 0xab, 6, "kept pages lost their bytes");
	check(set_brk((char *)1) == start + 2 * mib, 7, "brk below the start moved the break");
	check(set_brk(start) == start, 8, "brk did not go back to its start");
	puts("brk_grow: grew 4 MiB, shrank to 1, regrew to 2 with zeroes");
	return 0;
}
