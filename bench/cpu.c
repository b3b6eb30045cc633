/* cpu: a hash over 64 MiB plus a recursive fib — guest code, no syscalls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
	size_t n = 64u << 20;
	uint8_t *buf = malloc(n);
	if (!buf)
		return 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	printf("cpu: hash %016llx fib(30) %u\n", (unsigned long long)h, fib(30));
	return 0;
}
