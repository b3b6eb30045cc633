/*
 * malloc_big: exercises the allocator's kernel paths. Small blocks come from
 * brk; blocks above 128 KiB come from mmap (glibc's M_MMAP_THRESHOLD, musl
 * maps large chunks too); realloc growth to several MB goes through mremap in
 * glibc. Every block is filled with a pattern derived from its index and
 * checked before it is freed. The printed checksum depends only on the
 * patterns, never on addresses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sum;

static unsigned char pattern(size_t block, size_t i)
{
	return (unsigned char)(block * 31 + i * 7 + (i >> 12));
}

static void fill(unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(block, i);
}

/* Returns 1 when p[0..n) still holds block's pattern, folding it into sum. */
static int verify(const unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != pattern(block, i))
			return 0;
		sum = sum * 1099511628211u + p[i];
	}
	return 1;
}

int main(void)
{
	static const size_t sizes[] = {
		1,	   7,	      16,	24,	   100,	      1000,	 4095,
		4096,	   4097,      65536,	131071,	   131072,    131073,	 200000,
		1 << 20,   3 << 20,   (8 << 20) + 123,
	};
	enum { NSIZES = sizeof(sizes) / sizeof(sizes[0]) };
	unsigned char *blocks[NSIZES];

	/* All at once, so small and large blocks are live together. */
	for (size_t b = 0; b < NSIZES; b++) {
		blocks[b] = malloc(sizes[b]);
		if (!blocks[b])
			return 10;
		fill(blocks[b], sizes[b], b);
	}
	for (size_t b = 0; b < NSIZES; b++)
		if (!verify(blocks[b], sizes[b], b))
			return 11;
	/* Free every other one, then the rest, to make holes first. */
	for (size_t b = 0; b < NSIZES; b += 2)
		free(blocks[b]);
	for (size_t b = 1; b < NSIZES; b += 2)
		free(blocks[b]);
	printf("malloc/free of %d sizes up to %zu bytes ok\n", NSIZES, sizes[NSIZES - 1]);

	/* Many small allocations: brk has to grow several times. */
	enum { NSMALL = 20000 };
	unsigned char **small = malloc(NSMALL * sizeof(*small));
	if (!small)
		return 12;
	for (size_t i = 0; i < NSMALL; i++) {
		size_t n = 16 + i % 200;
		small[i] = malloc(n);
		if (!small[i])
			return 13;
		fill(small[i], n, i);
	}
	for (size_t i = 0; i < NSMALL; i++) {
		if (!verify(small[i], 16 + i % 200, i))
			return 14;
		free(small[i]);
	}
	free(small);
	printf("%d small blocks ok\n", NSMALL);

	/* realloc doubling from 1 KiB to 16 MiB keeps the old contents. */
	size_t n = 1024;
	unsigned char *p = malloc(n);
	if (!p)
		return 15;
	fill(p, n, 999);
	while (n < (16u << 20)) {
		size_t bigger = n * 2;
		unsigned char *q = realloc(p, bigger);
		if (!q)
			return 16;
		if (!verify(q, n, 999))
			return 17;
		p = q;
		fill(p, bigger, 999);
		n = bigger;
	}
	/* And shrinking keeps the prefix too. */
	p = realloc(p, 300000);
	if (!p || !verify(p, 300000, 999))
		return 18;
	free(p);
	printf("realloc growth to %zu bytes ok\n", n);

	/* calloc must hand back zeroes, including recycled memory. */
	for (int round = 0; round < 4; round++) {
		size_t cn = (size_t)(round + 1) * 700000;
		unsigned char *c = calloc(cn, 1);
		if (!c)
			return 19;
		for (size_t i = 0; i < cn; i++)
			if (c[i])
				return 20;
		memset(c, 0xa5, cn);
		free(c);
		unsigned char *s = calloc(100, 40);
		if (!s)
			return 21;
		for (size_t i = 0; i < 4000; i++)
			if (s[i])
				return 22;
		memset(s, 0x5a, 4000);
		free(s);
	}
	puts("calloc zeroes ok");

	printf("checksum %016llx\n", (unsigned long long)sum);
	return 0;
}
