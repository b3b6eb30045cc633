/* mmap: 100,000 map + touch + unmap of 64 KiB. */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	unsigned long sum = 0;
	for (int i = 0; i < 100000; i++) {
		unsigned char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 1;
		for (int k = 0; k < 65536; k += 4096)
			p[k] = (unsigned char)(i + k);
		sum += p[4096];
		munmap(p, 65536);
	}
	printf("mmap: checksum %lu\n", sum);
	return 0;
}
