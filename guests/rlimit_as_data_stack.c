/*
 * rlimit_as_data_stack: RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK enforced as
 * mm/mmap.c does (may_expand_vm, check_data_rlimit, acct_stack_growth) and
 * as execve takes RLIMIT_STACK (fs/exec.c, arch_pick_mmap_layout):
 *
 *   - AS: mmap of any protection, mremap growth, brk and malloc past it
 *     fail (ENOMEM, brk unchanged); MAP_FIXED over pages already mapped
 *     counts only what it adds; a limit below the current size refuses
 *     every new mapping
 *   - DATA: only private writable mappings count (read-only and shared
 *     ones do not); mprotect that turns a mapping into data is ENOMEM;
 *     brk is bounded; a soft limit of 0 lets mmap through (Linux's
 *     valgrind workaround) but not brk
 *   - STACK: the main stack grows on demand up to the limit (SIGSEGV past
 *     it), also past 8 MiB when the limit allows; after execve the new
 *     program's stack follows its limit, an unlimited stack moves the mmap
 *     area down, and the argument space is a quarter of the limit (at
 *     least 128 KiB: E2BIG past it)
 *
 * Sizes are measured relative to the process's own VmSize/VmData, so the
 * numbers printed are the same natively and emulated.
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MB (1024L * 1024)

#define EXPECT_ERRNO(call, want, code, what)                                                       \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return kb;
}

static void set_soft(int res, rlim_t cur)
{
	struct rlimit rl;
	need(getrlimit(res, &rl) == 0, 90, "getrlimit");
	rl.rlim_cur = cur;
	need(setrlimit(res, &rl) == 0, 91, "setrlimit");
}

static void *map(long len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static long sys_brk(long addr)
{
	return syscall(SYS_brk, addr);
}

/* Uses about @kb KiB of stack, 16 KiB a frame, touching every page. */
static __attribute__((noinline)) int burn(long kb)
{
	volatile char buf[16384];
	for (int i = 0; i < (int)sizeof(buf); i += 4096)
		buf[i] = (char)kb;
	if (kb <= 16)
		return buf[0];
	return burn(kb - 16) + buf[4096];
}

/* Runs @fn in a child; prints how it ended. */
static void in_child(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	need(pid >= 0, 92, "fork");
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(guest_first_fail);
	}
	int st;
	need(waitpid(pid, &st, 0) == pid, 93, "waitpid");
	printf("%s: %s\n", what, status_str(st));
}

static void as_checks(void)
{
	long size = status_kb("VmSize");
	need(size > 0, 1, "VmSize");
	set_soft(RLIMIT_AS, (rlim_t)size * 1024 + 16 * MB);
	char *p = map(8 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	expect_eq(p != MAP_FAILED, 1, 2, "AS: 8 MiB mapping fits");
	EXPECT_ERRNO(map(16 * MB, PROT_NONE, MAP_PRIVATE), ENOMEM, 3, "AS: 16 MiB PROT_NONE");
	EXPECT_ERRNO(map(16 * MB, PROT_READ, MAP_SHARED), ENOMEM, 4, "AS: 16 MiB shared");
	EXPECT_ERRNO(mremap(p, 8 * MB, 24 * MB, MREMAP_MAYMOVE), ENOMEM, 5, "AS: mremap to 24 MiB");
	char *m = mremap(p, 8 * MB, 9 * MB, MREMAP_MAYMOVE);
	expect_eq(m != MAP_FAILED, 1, 6, "AS: mremap to 9 MiB fits");
	if (m != MAP_FAILED)
		p = mremap(m, 9 * MB, 8 * MB, 0);
	expect_eq(mmap(p, 8 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
			  (void *)p,
		  1, 7, "AS: MAP_FIXED over its own pages");
	long cur = sys_brk(0);
	expect_eq(sys_brk(cur + 16 * MB), cur, 8, "AS: brk 16 MiB further is refused");
	expect_eq(malloc(32 * MB) == NULL, 1, 9, "AS: malloc 32 MiB fails");
	expect_eq(munmap(p, 8 * MB), 0, 10, "AS: munmap");
	void *q = map(12 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	expect_eq(q != MAP_FAILED, 1, 11, "AS: 12 MiB fits again after munmap");
	set_soft(RLIMIT_AS, 1 * MB);
	EXPECT_ERRNO(map(4096, PROT_READ, MAP_PRIVATE), ENOMEM, 12, "AS below the current size");
	expect_eq(munmap(q, 12 * MB), 0, 13, "AS: munmap still works");
}

static void data_checks(void)
{
	long data = status_kb("VmData");
	need(data > 0, 20, "VmData");
	set_soft(RLIMIT_DATA, (rlim_t)data * 1024 + 8 * MB);
	char *w = map(4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	expect_eq(w != MAP_FAILED, 1, 21, "DATA: 4 MiB private writable");
	EXPECT_ERRNO(map(8 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE), ENOMEM, 22,
		     "DATA: 8 MiB more private writable");
	char *r = map(8 * MB, PROT_READ, MAP_PRIVATE);
	expect_eq(r != MAP_FAILED, 1, 23, "DATA: 8 MiB read-only is not data");
	void *s = map(8 * MB, PROT_READ | PROT_WRITE, MAP_SHARED);
	expect_eq(s != MAP_FAILED, 1, 24, "DATA: 8 MiB shared is not data");
	EXPECT_ERRNO(mprotect(r, 8 * MB, PROT_READ | PROT_WRITE), ENOMEM, 25,
		     "DATA: mprotect 8 MiB to writable");
	expect_eq(mprotect(r, 4096, PROT_READ | PROT_WRITE), 0, 26,
		  "DATA: mprotect one page to writable");
	long cur = sys_brk(0);
	expect_eq(sys_brk(cur + 8 * MB), cur, 27, "DATA: brk 8 MiB further is refused");
	expect_eq(sys_brk(cur + 1 * MB), cur + 1 * MB, 28, "DATA: brk 1 MiB further");
	expect_eq(sys_brk(cur), cur, 29, "DATA: brk back");
	set_soft(RLIMIT_DATA, 0);
	void *z = map(4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	expect_eq(z != MAP_FAILED, 1, 30, "DATA 0: mmap passes (valgrind workaround)");
	expect_eq(sys_brk(cur + 4096), cur, 31, "DATA 0: brk is refused");
}

static void stack_1m_half(void)
{
	set_soft(RLIMIT_STACK, 1 * MB);
	burn(512);
}

static void stack_1m_over(void)
{
	set_soft(RLIMIT_STACK, 1 * MB);
	burn(2048);
}

static void stack_32m(void)
{
	set_soft(RLIMIT_STACK, 32 * MB);
	burn(20 * 1024);
}

static const char *exec_kb;
static void exec_with_stack(rlim_t lim, const char *how)
{
	set_soft(RLIMIT_STACK, lim);
	char *argv[] = {"rlimit_as_data_stack", (char *)how, (char *)exec_kb, NULL};
	execv("/proc/self/exe", argv);
	printf("FAILED: execv (errno %s)\n", errno_name(errno));
	_exit(99);
}

static void exec_1m_over(void)
{
	exec_kb = "2048";
	exec_with_stack(1 * MB, "burn");
}

static void exec_32m(void)
{
	exec_kb = "20480";
	exec_with_stack(32 * MB, "burn");
}

static void exec_unlimited(void)
{
	exec_kb = "65536";
	exec_with_stack(RLIM_INFINITY, "layout");
}

static char big[100 * 1024];
static void exec_args(rlim_t lim)
{
	set_soft(RLIMIT_STACK, lim);
	memset(big, 'a', sizeof(big) - 1);
	char *argv[] = {"rlimit_as_data_stack", "args", big, big, NULL};
	errno = 0;
	execv("/proc/self/exe", argv);
	printf("execv with 200 KiB of arguments: %s\n", errno_name(errno));
	fflush(stdout);
	_exit(0);
}

static void exec_args_256k(void)
{
	exec_args(256 * 1024);
}

static void exec_args_8m(void)
{
	exec_args(8 * MB);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "burn")) {
		burn(atol(argv[2]));
		printf("burned %s KiB\n", argv[2]);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "layout")) {
		void *p = map(4096, PROT_READ, MAP_PRIVATE);
		printf("unlimited stack: mmap below 0x200000000000: %d\n",
		       (uintptr_t)p < 0x200000000000ul);
		burn(atol(argv[2]));
		printf("burned %s KiB\n", argv[2]);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "args")) {
		printf("exec with %zu + %zu bytes of arguments ran\n", strlen(argv[2]), strlen(argv[3]));
		return 0;
	}
	printf("rlimit_as_data_stack\n");
	in_child("RLIMIT_AS", as_checks);
	in_child("RLIMIT_DATA", data_checks);
	in_child("STACK 1 MiB, 512 KiB used", stack_1m_half);
	in_child("STACK 1 MiB, 2 MiB used", stack_1m_over);
	in_child("STACK 32 MiB, 20 MiB used", stack_32m);
	in_child("exec STACK 1 MiB, 2 MiB used", exec_1m_over);
	in_child("exec STACK 32 MiB, 20 MiB used", exec_32m);
	in_child("exec STACK unlimited, 64 MiB used", exec_unlimited);
	in_child("exec STACK 256 KiB", exec_args_256k);
	in_child("exec STACK 8 MiB", exec_args_8m);
	return guest_first_fail;
}
