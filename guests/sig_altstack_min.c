/*
 * sig_altstack_min: the smallest alternate stacks.
 *
 *   - sigaltstack takes any size from the kernel's MINSIGSTKSZ (2048) up:
 *     2047 -> ENOMEM; 2048, 4096 and 8192 are accepted (the kernel's
 *     constant, whatever a libc's MINSIGSTKSZ macro expands to)
 *   - the auxiliary vector has AT_MINSIGSTKSZ, and a stack of that size (at
 *     least 2048) is enough to deliver a signal: an SA_ONSTACK handler runs
 *     on it and returns
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/auxv.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

static char alt[65536] __attribute__((aligned(16)));
static char *lo, *hi;
static volatile int ran_on_alt = -1;

static void handler(int sig)
{
	char local;
	(void)sig;
	ran_on_alt = &local >= lo && &local < hi;
}

static int try_size(size_t size)
{
	stack_t ss = {.ss_sp = alt, .ss_size = size, .ss_flags = 0};
	return sigaltstack(&ss, NULL) ? -errno : 0;
}

int main(void)
{
	expect_eq(try_size(2047), -ENOMEM, 1, "2047 bytes");
	expect_eq(try_size(2048), 0, 2, "2048 bytes");
	expect_eq(try_size(4096), 0, 3, "4096 bytes");
	expect_eq(try_size(8192), 0, 4, "8192 bytes");

	unsigned long min = getauxval(AT_MINSIGSTKSZ);
	check(min > 0 && min <= sizeof(alt), 5, "AT_MINSIGSTKSZ is in the auxiliary vector");
	size_t size = min < 2048 ? 2048 : min;
	/* The top of the buffer: the frame grows down from lo + size. */
	lo = alt + sizeof(alt) - size;
	hi = alt + sizeof(alt);
	stack_t ss = {.ss_sp = lo, .ss_size = size, .ss_flags = 0};
	need(sigaltstack(&ss, NULL) == 0, 90, "sigaltstack of AT_MINSIGSTKSZ bytes");
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	need(sigaction(SIGUSR1, &sa, NULL) == 0, 91, "sigaction");
	raise(SIGUSR1);
	expect_eq(ran_on_alt, 1, 6, "a handler ran on a stack of max(AT_MINSIGSTKSZ, 2048) bytes");
	return guest_finish();
}
