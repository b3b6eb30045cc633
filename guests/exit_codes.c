/*
 * exit_codes: leaves in the way argv asks, so the harness can compare exit
 * statuses:
 *   exit_codes CODE exit     exit(CODE): atexit handlers and stdio flush run
 *   exit_codes CODE _exit    _exit(CODE): straight to exit_group
 *   exit_codes CODE return   return CODE from main
 *   exit_codes SIG  signal   raise(SIG) with SIG's default action (status 128+SIG)
 *   exit_codes 0    segv     store through a null pointer (status 139)
 * CODE is truncated to 8 bits by the kernel (256 -> 0, -1 -> 255).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void at_exit_handler(void)
{
	puts("atexit handler ran");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CODE|SIG exit|_exit|return|signal|segv\n", argv[0]);
		return 100;
	}
	int code = atoi(argv[1]);
	const char *mode = argv[2];

	if (atexit(at_exit_handler) != 0)
		return 101;
	printf("mode %s, value %d\n", mode, code);
	/* Flush now: _exit and a fatal signal would drop buffered output. */
	fflush(stdout);

	if (strcmp(mode, "exit") == 0)
		exit(code);
	if (strcmp(mode, "_exit") == 0)
		_exit(code);
	if (strcmp(mode, "return") == 0)
		return code;
	if (strcmp(mode, "signal") == 0) {
		/* Make sure the default action applies whatever we inherited. */
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, code);
		if (signal(code, SIG_DFL) == SIG_ERR && code != SIGKILL && code != SIGSTOP)
			return 102;
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(code);
		puts("still alive after raise");
		return 103;
	}
	if (strcmp(mode, "segv") == 0) {
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)0 = 1;
		puts("still alive after null store");
		return 104;
	}
	fprintf(stderr, "unknown mode %s\n", mode);
	return 105;
}
