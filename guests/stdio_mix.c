/*
 * stdio_mix: reads stdin to EOF with stdio and reports line count, byte
 * count, the longest line and an FNV-1a checksum. Output goes both through
 * stdio and through raw write(1), flushed in between so the order is fixed.
 * Progress notes go to stderr, which the harness does not compare.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	uint64_t hash = 1469598103934665603u;
	size_t lines = 0, bytes = 0, longest = 0, cur = 0;
	int c, last = '\n';

	fprintf(stderr, "stdio_mix: reading stdin\n");
	while ((c = getchar()) != EOF) {
		hash = (hash ^ (unsigned char)c) * 1099511628211u;
		bytes++;
		cur++;
		if (c == '\n') {
			lines++;
			if (cur > longest)
				longest = cur;
			cur = 0;
		}
		last = c;
	}
	if (ferror(stdin))
		return 10;
	if (last != '\n') {
		lines++; /* an unterminated last line still counts */
		if (cur > longest)
			longest = cur;
	}

	printf("lines %zu\n", lines);
	printf("bytes %zu\n", bytes);
	fflush(stdout);

	char buf[64];
	int n = snprintf(buf, sizeof(buf), "longest %zu (raw write)\n", longest);
	if (write(1, buf, n) != n)
		return 11;

	printf("fnv1a %016llx\n", (unsigned long long)hash);
	fprintf(stderr, "stdio_mix: done\n");
	/* Leave the last line in the stdio buffer: exit() must flush it. */
	printf("final line without flush");
	putchar('\n');
	return 0;
}
