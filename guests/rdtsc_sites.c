/* RDTSC where cloneemu once stopped the engine: at the first byte of a
 * page whose previous page is unmapped (the exit cloneemu placed before an
 * RDTSC there made Unicorn look up the page before: SIGSEGV at the
 * previous page), and at an address whose RDTSC was overwritten by other
 * code (the address stayed an exit, and the new instruction there never
 * ran: the task spun), in this process and in a child. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const unsigned char tsc[] = {
	0x0f, 0x31,             /* rdtsc */
	0x48, 0xc1, 0xe2, 0x20, /* shl rdx, 32 */
	0x48, 0x09, 0xd0,       /* or rax, rdx */
	0xc3,                   /* ret */
};
static const unsigned char mov42[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, 42; ret */

static uint64_t call(unsigned char *p)
{
	__builtin___clear_cache((char *)p, (char *)p + 16);
	return ((uint64_t(*)(void))p)();
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *area = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	unsigned char *p = area + pg;
	munmap(area, pg); /* the page before p: unmapped */
	if (mprotect(p, pg, PROT_READ | PROT_WRITE | PROT_EXEC))
		return 1;
	memcpy(p, tsc, sizeof(tsc));
	uint64_t a = call(p), b = call(p);
	printf("page start: rdtsc runs, grows %d\n", b > a);
	memcpy(p, mov42, sizeof(mov42));
	printf("rewritten: %llu\n", (unsigned long long)call(p));
	memcpy(p, tsc, sizeof(tsc));
	a = call(p);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		memcpy(p, mov42, sizeof(mov42));
		printf("child rewritten: %llu\n", (unsigned long long)call(p));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	b = call(p);
	printf("parent still rdtsc: grows %d; child status %d\n", b > a, st);
	return 0;
}
