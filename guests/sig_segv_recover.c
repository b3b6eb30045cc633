/*
 * sig_segv_recover: CPU faults turned into signals, with the siginfo and
 * ucontext Linux gives, and the two ways out of a handler: siglongjmp, or
 * fixing the cause and returning so the instruction runs again.
 *
 *   - store to a PROT_READ page: SIGSEGV, si_code SEGV_ACCERR, si_addr the
 *     exact byte, REG_ERR has the write and present bits, REG_TRAPNO 14
 *   - load from an unmapped page (munmapped hole): SEGV_MAPERR, si_addr the
 *     exact byte, REG_ERR has neither the write nor the present bit
 *   - jump into a PROT_READ|PROT_WRITE page: SEGV_ACCERR at that address,
 *     and REG_RIP is that address (NX)
 *   - integer division by zero: SIGFPE, FPE_INTDIV, si_addr and REG_RIP
 *     the idiv instruction
 *   - ud2: SIGILL, ILL_ILLOPN, si_addr and REG_RIP the ud2; a second
 *     handler advances REG_RIP by 2 in the ucontext and returns, and
 *     execution continues after the ud2 with the registers intact
 *   - int3: SIGTRAP, si_code SI_KERNEL, REG_RIP just after the int3
 *   - a handler that mprotects the page writable and returns: the store is
 *     retried and lands; the handler ran exactly once
 *   - a fault while SIGSEGV is blocked, or inside the SIGSEGV handler
 *     itself (no SA_NODEFER), kills the process with SIGSEGV (in children)
 *   - the sigsetjmp mask: siglongjmp out of the handler unblocks SIGSEGV
 *     again, so the next fault is caught too
 */
#include "guest_check.h"

#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#ifndef SI_KERNEL
#define SI_KERNEL 0x80
#endif

static sigjmp_buf env;
static volatile int got_sig, got_code, runs;
static void *volatile got_addr;
static volatile long long got_err, got_trapno;
static volatile uintptr_t got_rip;
static long page;

static void record(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	runs++;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	got_err = uc->uc_mcontext.gregs[REG_ERR];
	got_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	got_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
}

static void jump_out(int sig, siginfo_t *si, void *uc)
{
	record(sig, si, uc);
	siglongjmp(env, 1);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	need(sigaction(sig, &sa, NULL) == 0, 91, "sigaction");
}

static void reset(void)
{
	runs = got_sig = got_code = 0;
	got_addr = NULL;
	got_err = got_trapno = -1;
	got_rip = 0;
}

static char *map(int prot, long npages)
{
	void *p = mmap(NULL, (size_t)(page * npages), prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 92, "mmap");
	return p;
}

/* "" when si_addr is right; else how it is off (printed only on failure). */
static const char *addr_note(const void *want)
{
	static char buf[96];
	if (got_addr == want)
		return "";
	snprintf(buf, sizeof(buf), " (got %p = want %+ld bytes)", got_addr,
		 (long)((uintptr_t)got_addr - (uintptr_t)want));
	return buf;
}

/* "" when ok; else the REG_ERR value (printed only on failure). */
static const char *err_note(int ok)
{
	static char buf[48];
	if (ok)
		return "";
	snprintf(buf, sizeof(buf), " (got %lld)", got_err);
	return buf;
}

static void write_readonly(void)
{
	char *ro = map(PROT_READ, 1);
	char *target = ro + 123;
	reset();
	if (sigsetjmp(env, 1) == 0) {
		*(volatile char *)target = 1;
		check(0, 10, "store to a PROT_READ page did not fault");
	}
	expect_eq(got_sig, SIGSEGV, 10, "store to a PROT_READ page: SIGSEGV");
	expect_eq(got_code, SEGV_ACCERR, 11, "  si_code SEGV_ACCERR");
	check(got_addr == target, 12, "  si_addr is the byte stored to%s", addr_note(target));
	int ok = got_err >= 0 && (got_err & 2) && (got_err & 4);
	check(ok, 13, "  REG_ERR: write and user bits set%s", err_note(ok));
	expect_eq(got_trapno, 14, 14, "  REG_TRAPNO 14 (page fault)");
	munmap(ro, (size_t)page);
}

static void read_unmapped(void)
{
	char *two = map(PROT_READ | PROT_WRITE, 2);
	need(munmap(two + page, (size_t)page) == 0, 93, "munmap");
	char *target = two + page + 77;
	reset();
	if (sigsetjmp(env, 1) == 0) {
		(void)*(volatile char *)target;
		check(0, 20, "load from an unmapped page did not fault");
	}
	expect_eq(got_sig, SIGSEGV, 20, "load from an unmapped page: SIGSEGV (caught again after siglongjmp)");
	expect_eq(got_code, SEGV_MAPERR, 21, "  si_code SEGV_MAPERR");
	check(got_addr == target, 22, "  si_addr is the byte loaded%s", addr_note(target));
	int ok = got_err >= 0 && !(got_err & 2) && !(got_err & 1) && (got_err & 4);
	check(ok, 23, "  REG_ERR: user bit, neither write nor protection bit%s", err_note(ok));
	munmap(two, (size_t)page);
}

static void exec_noexec(void)
{
	unsigned char *rw = (unsigned char *)map(PROT_READ | PROT_WRITE, 1);
	rw[0] = 0xc3; /* ret */
	void (*fn)(void) = (void (*)(void))rw;
	reset();
	if (sigsetjmp(env, 1) == 0) {
		fn();
		check(0, 30, "call into a non-executable page did not fault");
	}
	expect_eq(got_sig, SIGSEGV, 30, "call into a PROT_READ|PROT_WRITE page: SIGSEGV");
	expect_eq(got_code, SEGV_ACCERR, 31, "  si_code SEGV_ACCERR");
	check(got_addr == rw, 32, "  si_addr is the page");
	check(got_rip == (uintptr_t)rw, 33, "  REG_RIP is the page");
	munmap(rw, (size_t)page);
}

extern char sig_idiv_insn[], sig_ud2_insn[], sig_int3_after[], sig_ud2_fixed[];

static void divide_by_zero(void)
{
	reset();
	if (sigsetjmp(env, 1) == 0) {
		long q;
		__asm__ volatile("xor %%edx, %%edx\n\t"
				 "mov $7, %%eax\n\t"
				 "xor %%ecx, %%ecx\n\t"
				 ".globl sig_idiv_insn\n"
				 "sig_idiv_insn:\n\t"
				 "idiv %%ecx\n\t"
				 : "=a"(q)
				 :
				 : "rcx", "rdx", "cc");
		check(0, 40, "idiv by zero did not trap (got %ld)", q);
	}
	expect_eq(got_sig, SIGFPE, 40, "idiv by zero: SIGFPE");
	expect_eq(got_code, FPE_INTDIV, 41, "  si_code FPE_INTDIV");
	check(got_addr == sig_idiv_insn, 42, "  si_addr is the idiv instruction");
	check(got_rip == (uintptr_t)sig_idiv_insn, 43, "  REG_RIP is the idiv instruction");
}

static void illegal(void)
{
	reset();
	if (sigsetjmp(env, 1) == 0) {
		__asm__ volatile(".globl sig_ud2_insn\n"
				 "sig_ud2_insn:\n\t"
				 "ud2\n\t");
		check(0, 50, "ud2 did not trap");
	}
	expect_eq(got_sig, SIGILL, 50, "ud2: SIGILL");
	expect_eq(got_code, ILL_ILLOPN, 51, "  si_code ILL_ILLOPN");
	check(got_addr == sig_ud2_insn, 52, "  si_addr is the ud2");
	check(got_rip == (uintptr_t)sig_ud2_insn, 53, "  REG_RIP is the ud2");
}

/* Returns after moving RIP past the 2-byte ud2. */
static void skip_ud2(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	record(sig, si, ucv);
	uc->uc_mcontext.gregs[REG_RIP] += 2;
	uc->uc_mcontext.gregs[REG_RBX] = 0x5eed; /* the handler may set registers too */
}

static void ud2_skipped(void)
{
	install(SIGILL, skip_ud2, 0);
	reset();
	long r12_in = 0x1234567, r12_out, rbx_out;
	__asm__ volatile("mov %2, %%r12\n\t"
			 "xor %%ebx, %%ebx\n\t"
			 "ud2\n\t"
			 ".globl sig_ud2_fixed\n"
			 "sig_ud2_fixed:\n\t"
			 "mov %%r12, %0\n\t"
			 "mov %%rbx, %1\n\t"
			 : "=r"(r12_out), "=r"(rbx_out)
			 : "r"(r12_in)
			 : "r12", "rbx");
	expect_eq(runs, 1, 54, "handler that adds 2 to REG_RIP: execution continues after the ud2");
	check(got_rip + 2 == (uintptr_t)sig_ud2_fixed, 55, "  (REG_RIP was the ud2)");
	expect_eq(r12_out, r12_in, 56, "  r12 survives the handler");
	expect_eq(rbx_out, 0x5eed, 57, "  rbx is what the handler wrote into the ucontext");
	install(SIGILL, jump_out, 0);
}

static void breakpoint(void)
{
	install(SIGTRAP, record, 0);
	reset();
	__asm__ volatile("int3\n\t"
			 ".globl sig_int3_after\n"
			 "sig_int3_after:\n\t");
	expect_eq(got_sig, SIGTRAP, 60, "int3: SIGTRAP, and returning continues after it");
	expect_eq(got_code, SI_KERNEL, 61, "  si_code SI_KERNEL");
	check(got_rip == (uintptr_t)sig_int3_after, 62, "  REG_RIP is just after the int3");
	signal(SIGTRAP, SIG_DFL);
}

static char *fix_page;

static void make_writable(int sig, siginfo_t *si, void *uc)
{
	record(sig, si, uc);
	if (mprotect(fix_page, (size_t)page, PROT_READ | PROT_WRITE) != 0)
		_exit(97);
}

static void fix_and_retry(void)
{
	fix_page = map(PROT_READ, 1);
	install(SIGSEGV, make_writable, 0);
	reset();
	*(volatile int *)(fix_page + 64) = 4242;
	expect_eq(runs, 1, 70, "handler mprotects the page writable and returns: ran once");
	expect_eq(*(volatile int *)(fix_page + 64), 4242, 71, "  the retried store landed");
	check(got_addr == fix_page + 64, 72, "  si_addr was the store's address%s", addr_note(fix_page + 64));
	install(SIGSEGV, jump_out, 0);
	munmap(fix_page, (size_t)page);
}

static void fault_while_blocked(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
		*(volatile int *)8 = 1;
		_exit(0);
	}
	expect_status(pid, "killed by signal 11", 80, "fault with SIGSEGV blocked (handler installed)");
}

static void fault_in_handler(int sig, siginfo_t *si, void *uc)
{
	record(sig, si, uc);
	*(volatile int *)16 = 1; /* SIGSEGV is blocked in here */
}

static void fault_inside_handler(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		install(SIGSEGV, fault_in_handler, 0);
		*(volatile int *)8 = 1;
		_exit(0);
	}
	expect_status(pid, "killed by signal 11", 81, "fault inside the SIGSEGV handler");
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	install(SIGSEGV, jump_out, 0);
	install(SIGFPE, jump_out, 0);
	install(SIGILL, jump_out, 0);
	write_readonly();
	read_unmapped();
	exec_noexec();
	divide_by_zero();
	illegal();
	ud2_skipped();
	breakpoint();
	fix_and_retry();
	fault_while_blocked();
	fault_inside_handler();
	return guest_finish();
}
