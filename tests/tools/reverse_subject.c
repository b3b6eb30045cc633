/* Reverse execution under gdb (tests/tools/reverse.sh): a breakpoint in
 * step_once is hit five times, with a few million instructions between the
 * hits (periodic checkpoints fall in between) and a line written each time. */
#include <stdio.h>

volatile int counter;

static unsigned long spin(unsigned long n)
{
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < n; i++)
		x += i;
	return x;
}

int step_once(int i)
{
	counter = counter + i;
	return counter;
}

int main(void)
{
	int total = 0;
	for (int i = 1; i <= 5; i++) {
		spin(300000);
		total += step_once(i);
		printf("step %d total %d\n", i, total);
		fflush(stdout);
	}
	return total == 35 ? 0 : 1;
}
