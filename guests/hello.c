/*
 * hello: the smallest useful guest. Two lines through stdio, one of them
 * formatted, then a normal return from main (exit status 0).
 */
#include <stdio.h>

int main(void)
{
	int n = 6 * 7;

	puts("Hello, world!");
	printf("The answer is %d (0x%x), and %s.\n", n, n, "stdio works");
	return 0;
}
