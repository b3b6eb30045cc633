/* hello: the smallest dynamically linked program; timing it measures
 * start-up (exec, ld.so mapping libc, relocation, exit). */
#include <stdio.h>

int main(void)
{
	puts("hello");
	return 0;
}
