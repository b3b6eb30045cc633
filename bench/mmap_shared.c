/* mmap_shared: 200 rounds of map (MAP_SHARED) + write every page + munmap of
 * a 4 MiB file in /dev/shm (tmpfs: no disk in the figure), a pread of one
 * byte per round to check the data reached the file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN (4 << 20)

int main(void)
{
	char path[] = "/dev/shm/bench_mmap_shared.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	unlink(path);
	if (ftruncate(fd, LEN))
		return 1;
	unsigned long sum = 0;
	for (int i = 0; i < 200; i++) {
		unsigned char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return 1;
		for (int k = 0; k < LEN; k += 4096)
			p[k] = (unsigned char)(i + k / 4096);
		munmap(p, LEN);
		unsigned char c;
		if (pread(fd, &c, 1, 4096 * 7) != 1)
			return 1;
		sum += c;
	}
	printf("mmap_shared: checksum %lu\n", sum);
	return 0;
}
