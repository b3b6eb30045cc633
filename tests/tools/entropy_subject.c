/* The subject of the same-seed tests (rr_cases.sh): everything a program
 * can read that changes from run to run without input — the TSC (RDTSC,
 * RDTSCP), the CPU's random numbers (RDRAND, RDSEED, when CPUID has
 * them), getrandom, AT_RANDOM, /dev/urandom and /dev/random, and the
 * clocks (the wall clock starts at the host's time unless --epoch). */
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	unsigned a, b, c, d, aux;
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t t1 = (uint64_t)hi << 32 | lo;
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	uint64_t t2 = (uint64_t)hi << 32 | lo;
	printf("rdtsc %llu rdtscp %llu (later: %d) aux %u\n", (unsigned long long)t1,
	       (unsigned long long)t2, t2 > t1, aux);
	__cpuid(1, a, b, c, d);
	int has_rdrand = c >> 30 & 1;
	__cpuid_count(7, 0, a, b, c, d);
	int has_rdseed = b >> 18 & 1;
	printf("cpuid rdrand %d rdseed %d\n", has_rdrand, has_rdseed);
	if (has_rdrand) {
		uint64_t r64; uint32_t r32; uint16_t r16; unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r64), "=qm"(ok));
		printf("rdrand64 %016llx cf %d\n", (unsigned long long)r64, ok);
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r32), "=qm"(ok));
		printf("rdrand32 %08x cf %d\n", r32, ok);
		__asm__ volatile("rdrand %0; setc %1" : "=r"(r16), "=qm"(ok));
		printf("rdrand16 %04x cf %d\n", r16, ok);
		__asm__ volatile("rdrand %%r9; setc %1; mov %%r9, %0" : "=r"(r64), "=qm"(ok) :: "r9");
		printf("rdrand r9 %016llx cf %d\n", (unsigned long long)r64, ok);
	}
	if (has_rdseed) {
		uint64_t r64; unsigned char ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(r64), "=qm"(ok));
		printf("rdseed64 %016llx cf %d\n", (unsigned long long)r64, ok);
	}
	unsigned char g[8];
	ssize_t n = getrandom(g, sizeof(g), 0);
	printf("getrandom %zd:", n);
	for (int i = 0; i < 8; i++) printf(" %02x", g[i]);
	const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
	printf("\nAT_RANDOM:");
	for (int i = 0; i < 16; i++) printf(" %02x", at[i]);
	int fd = open("/dev/urandom", O_RDONLY);
	n = read(fd, g, sizeof(g));
	close(fd);
	printf("\n/dev/urandom %zd:", n);
	for (int i = 0; i < 8; i++) printf(" %02x", g[i]);
	fd = open("/dev/random", O_RDONLY);
	n = read(fd, g, sizeof(g));
	close(fd);
	printf("\n/dev/random %zd:", n);
	for (int i = 0; i < 8; i++) printf(" %02x", g[i]);
	printf("\n");
	struct timespec rt, mono, boot;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	printf("realtime %lld.%09ld time %lld gettimeofday %lld.%06ld\n", (long long)rt.tv_sec,
	       rt.tv_nsec, (long long)time(NULL), (long long)tv.tv_sec, (long)tv.tv_usec);
	printf("monotonic %lld.%09ld boottime %lld.%09ld\n", (long long)mono.tv_sec, mono.tv_nsec,
	       (long long)boot.tv_sec, boot.tv_nsec);
	return 0;
}
