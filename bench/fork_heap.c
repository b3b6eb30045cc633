/* fork benchmark: a process with a 64 MiB touched heap forks 200 times;
 * each child writes one page and exits. Fork must cost a page-table copy,
 * not a memory copy: cloneemu --stats shows the pages copied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEAP (64u << 20)
#define FORKS 200

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : FORKS;
	unsigned char *heap = malloc(HEAP);
	if (!heap)
		return 1;
	for (size_t i = 0; i < HEAP; i += 4096)
		heap[i] = (unsigned char)(i >> 12);
	unsigned long sum = 0;
	for (int k = 0; k < forks; k++) {
		pid_t p = fork();
		if (p < 0)
			return 2;
		if (p == 0) {
			heap[(size_t)k * 4096 % HEAP] ^= 0xff; /* one page copied */
			_exit(heap[(size_t)k * 4096 % HEAP] & 0x7f);
		}
		int st;
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
			return 3;
		sum += WEXITSTATUS(st);
	}
	printf("fork_heap: %d forks of a 64 MiB heap, checksum %lu\n", forks, sum);
	return 0;
}
