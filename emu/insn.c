#include "emu/insn.h"

#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/random.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/task.h"

static struct {
	uint64_t *sites; /* RDTSC/RDTSCP addresses seen: the engine's exits, sorted */
	size_t n, cap;
	csh cs;
	bool cs_ok;
	bool off; /* insn_tsc_off */
} insn;

static bool legacy_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x2e ||
	       b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

/* RDTSC (0f 31) or RDTSCP (0f 01 f9) at @rip of @t's memory: its length,
 * *@p set for RDTSCP; 0 when it is neither. */
static int tsc_insn(struct task *t, uint64_t rip, bool *p)
{
	uint8_t b[15];
	int n = (int)sizeof(b);
	while (n >= 2 && (!t->mm || copy_from_guest(t->mm, b, rip, (size_t)n)))
		n = n > 4 ? 4 : n - 1; /* near the end of a page: fewer bytes */
	int i = 0;
	while (i < n && (legacy_prefix(b[i]) || (b[i] & 0xf0) == 0x40))
		i++;
	if (i + 2 <= n && b[i] == 0x0f && b[i + 1] == 0x31) {
		*p = false;
		return i + 2;
	}
	if (i + 3 <= n && b[i] == 0x0f && b[i + 1] == 0x01 && b[i + 2] == 0xf9) {
		*p = true;
		return i + 3;
	}
	return 0;
}

static bool site_known(uint64_t a, size_t *at)
{
	size_t lo = 0, hi = insn.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (insn.sites[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < insn.n && insn.sites[lo] == a;
}

/* A block was translated and has not run yet: hook its RDTSC/RDTSCPs. */
static void hook_new_tb(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *user)
{
	static uint8_t code[8192];
	struct task *t = emu_current_task();
	size_t len = cur->size < sizeof(code) ? cur->size : sizeof(code);
	if (!t || !t->mm || !len || copy_from_guest(t->mm, code, cur->pc, len))
		return;
	if (insn.off)
		return;
	bool maybe = false; /* cheap first: an 0f 31 or 0f 01 f9 anywhere */
	for (size_t i = 0; i + 1 < len && !maybe; i++)
		maybe = code[i] == 0x0f &&
			(code[i + 1] == 0x31 || (i + 2 < len && code[i + 1] == 0x01 && code[i + 2] == 0xf9));
	if (!maybe || !insn.cs_ok)
		return;
	cs_insn *in;
	size_t cnt = cs_disasm(insn.cs, code, len, cur->pc, 0, &in);
	bool added = false;
	for (size_t i = 0; i < cnt; i++) {
		size_t at;
		if ((in[i].id != X86_INS_RDTSC && in[i].id != X86_INS_RDTSCP) ||
		    site_known(in[i].address, &at))
			continue;
		if (insn.n == insn.cap) {
			size_t cap = insn.cap ? 2 * insn.cap : 64;
			uint64_t *s = realloc(insn.sites, cap * sizeof(*s));
			if (!s)
				break;
			insn.sites = s;
			insn.cap = cap;
		}
		memmove(insn.sites + at + 1, insn.sites + at, (insn.n - at) * sizeof(*insn.sites));
		insn.sites[at] = in[i].address;
		insn.n++;
		added = true;
	}
	if (cnt)
		cs_free(in, cnt);
	if (added) { /* translate it again, ending before them, before it runs */
		uc_ctl_set_exits(uc, insn.sites, insn.n);
		uc_ctl_remove_cache(uc, cur->pc, cur->pc + cur->size);
		emu_restart_slice();
	}
}

void insn_tsc_off(void)
{
	if (insn.off)
		return;
	insn.off = true;
	if (!insn.n)
		return;
	insn.n = 0;
	uc_ctl_set_exits(emu_engine(), insn.sites, 0);
	uc_ctl_flush_tb(emu_engine()); /* blocks that end before a site */
}

bool insn_tsc_site(uint64_t rip)
{
	size_t at;
	return site_known(rip, &at);
}

int insn_init(void)
{
	insn.n = 0; /* a new engine */
	insn.off = false;
	if (!insn.cs_ok)
		insn.cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &insn.cs) == CS_ERR_OK;
	uc_hook h;
	uc_err err = uc_ctl_exits_enable(emu_engine()); /* the sites, not uc_emu_start's until */
	if (err)
		return err;
	return uc_hook_add(emu_engine(), &h, UC_HOOK_EDGE_GENERATED, hook_new_tb, NULL, 1, 0);
}

bool insn_emulate_tsc(struct task *t, uint64_t rip)
{
	bool p;
	int len = tsc_insn(t, rip, &p);
	if (!len)
		return true; /* another program's instruction at a hooked address */
	if (t->tsc_sigsegv)
		return false; /* TIF_NOTSC: #GP */
	uint64_t v = clock_read_tsc();
	emu_reg_write(EREG_RAX, (uint32_t)v);
	emu_reg_write(EREG_RDX, v >> 32);
	if (p)
		emu_reg_write(EREG_RCX, task_cpu(t)); /* TSC_AUX: node 0 << 12 | cpu */
	emu_reg_write(EREG_RIP, rip + (uint64_t)len);
	return true;
}

#if defined(__x86_64__)
/* Unicorn's RDRAND and RDSEED (on the Haswell model it runs both, RDSEED
 * as RDRAND) call this TCG helper for 8 random bytes; the translated code
 * stores them in the destination and takes the arithmetic flags from
 * cc_src. Unicorn's own copy asks the host (qemu_guest_getrandom). The
 * build makes that copy weak in the static archive and exports this one
 * over libunicorn.so's (CMakeLists.txt, as emu/x87.c's helpers), so every
 * RDRAND/RDSEED gets the run's bits: the seeded stream, or with
 * --random=host the host's, recorded. The flags go in through EFLAGS
 * (cpu_load_eflags sets cc_src): CF=1, OF SF ZF AF PF clear, the rest
 * (DF, IF, ...) kept. */
uint64_t helper_rdrand_x86_64(void *env);
uint64_t helper_rdrand_x86_64(void *env)
{
	uint64_t v, fl = 0;
	get_random_bytes(&v, sizeof(v));
	uc_engine *uc = emu_engine();
	uc_reg_read(uc, UC_X86_REG_EFLAGS, &fl);
	fl &= ~(uint64_t)(0x800 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1);
	fl |= 1;
	uc_reg_write(uc, UC_X86_REG_EFLAGS, &fl);
	return v;
}
#endif

/* RDRAND r / RDSEED r: [66] [REX] 0f c7 /6 or /7 with a register operand.
 * The destination gets random bits (16 bits keep the rest of the
 * register, 32 bits clear the upper half), CF=1 and OF SF ZF AF PF clear:
 * a value is always there. */
bool insn_emulate_ud(struct task *t)
{
	uint64_t rip = emu_reg_read(EREG_RIP);
	uint8_t b[5] = {0};
	int n = 5; /* the longest form; shorter ones may end a page */
	while (n >= 3 && (!t->mm || copy_from_guest(t->mm, b, rip, (size_t)n)))
		n--;
	if (n < 3)
		return false;
	unsigned i = 0, opsize = 32, rex = 0;
	if (b[i] == 0x66) {
		opsize = 16;
		i++;
	}
	if ((b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (rex & 8)
		opsize = 64;
	if (i + 3 > (unsigned)n || b[i] != 0x0f || b[i + 1] != 0xc7)
		return false;
	uint8_t modrm = b[i + 2];
	unsigned reg = (modrm >> 3) & 7;
	if ((modrm >> 6) != 3 || (reg != 6 && reg != 7))
		return false;
	static const enum emu_reg regs[16] = {
		EREG_RAX, EREG_RCX, EREG_RDX, EREG_RBX, EREG_RSP, EREG_RBP, EREG_RSI, EREG_RDI,
		EREG_R8,  EREG_R9,  EREG_R10, EREG_R11, EREG_R12, EREG_R13, EREG_R14, EREG_R15,
	};
	enum emu_reg dst = regs[(modrm & 7) | (rex & 1 ? 8 : 0)];
	uint64_t v;
	get_random_bytes(&v, sizeof(v));
	if (opsize == 16)
		v = (emu_reg_read(dst) & ~0xffffull) | (v & 0xffff);
	else if (opsize == 32)
		v &= 0xffffffffull;
	emu_reg_write(dst, v);
	uint64_t fl = emu_reg_read(EREG_RFLAGS);
	fl &= ~(uint64_t)(0x800 | 0x80 | 0x40 | 0x10 | 0x4); /* OF SF ZF AF PF */
	emu_reg_write(EREG_RFLAGS, fl | 1);                 /* CF */
	emu_reg_write(EREG_RIP, rip + i + 3);
	return true;
}
