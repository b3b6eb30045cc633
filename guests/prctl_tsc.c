/* prctl(PR_SET_TSC): PR_TSC_SIGSEGV makes RDTSC and RDTSCP raise SIGSEGV
 * (SI_KERNEL, no address, rip at the instruction) in that task; PR_GET_TSC
 * reads the mode; bad modes are EINVAL; fork inherits it and execve keeps
 * it (arch_setup_new_exec resets only TIF_NOCPUID); PR_TSC_ENABLE gives
 * the TSC back. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_GET_TSC
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2
#endif

static sigjmp_buf back;
static volatile int got_code;
static volatile uintptr_t got_addr, got_rip;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	got_rip = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	siglongjmp(back, 1);
}

extern char rdtsc_at[], rdtscp_at[];

/* 1 when the read faulted (the handler's findings checked), 0 when it ran. */
__attribute__((noinline, noclone)) static int try_tsc(int p)
{
	uint32_t lo, hi, aux;
	got_code = -1;
	if (sigsetjmp(back, 1)) {
		uintptr_t want = (uintptr_t)(p ? rdtscp_at : rdtsc_at);
		printf("  %s: SIGSEGV si_code %d si_addr %s rip %s\n", p ? "rdtscp" : "rdtsc", got_code,
		       got_addr ? "set" : "0", got_rip == want ? "at the instruction" : "elsewhere");
		return 1;
	}
	if (p)
		__asm__ volatile("rdtscp_at: rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	else
		__asm__ volatile("rdtsc_at: rdtsc" : "=a"(lo), "=d"(hi));
	printf("  %s: ran\n", p ? "rdtscp" : "rdtsc");
	return 0;
}

static void show_mode(const char *who)
{
	int mode = -1;
	int r = prctl(PR_GET_TSC, &mode, 0, 0, 0);
	printf("%s: PR_GET_TSC %d mode %d\n", who, r, mode);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);

	if (argc > 1 && !strcmp(argv[1], "exec")) {
		show_mode("after execve");
		try_tsc(0);
		return 0;
	}
	show_mode("start");
	try_tsc(0);
	try_tsc(1);
	int r = prctl(PR_SET_TSC, 3, 0, 0, 0);
	printf("PR_SET_TSC 3: %d %s\n", r, r ? strerror(errno) : "");
	r = prctl(PR_SET_TSC, 0, 0, 0, 0);
	printf("PR_SET_TSC 0: %d %s\n", r, r ? strerror(errno) : "");
	r = prctl(PR_GET_TSC, (void *)8, 0, 0, 0);
	printf("PR_GET_TSC to a bad pointer: %d %s\n", r, r ? strerror(errno) : "");

	printf("PR_SET_TSC PR_TSC_SIGSEGV: %d\n", prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0));
	show_mode("disabled");
	try_tsc(0);
	try_tsc(1);
	try_tsc(0); /* the same instruction again */

	pid_t c = fork();
	if (c == 0) {
		show_mode("forked child");
		try_tsc(0);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));

	c = fork();
	if (c == 0) {
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	/* A dynamic glibc program's ld.so reads the TSC at start: killed. */
	printf("exec'd child: %s\n", WIFEXITED(st) && !WEXITSTATUS(st) ? "ok"
				      : WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? "killed by SIGSEGV"
										   : "other");

	printf("PR_SET_TSC PR_TSC_ENABLE: %d\n", prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0));
	show_mode("enabled again");
	try_tsc(0);
	try_tsc(1);
	return 0;
}
