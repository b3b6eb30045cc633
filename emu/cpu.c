/* Unicorn glue: engine lifecycle, hooks, registers and contexts.
 *
 * Memory: the frame pool (kernelmodel/frame.c) is mapped once as guest
 * physical memory at address 0. In UC_TLB_VIRTUAL mode Unicorn asks
 * emu/cpu_tlb.c for every TLB miss; it walks the current mm (mm_fault), which
 * demand-allocates and breaks copy-on-write. A refused fill ends the run with
 * UC_ERR_EXCEPTION; the refused address is remembered for SIGSEGV. A fill
 * refused to keep translated code coherent (emu/codecache.h) is acted on and
 * the instruction restarted, invisibly to the guest. */
#include "emu/cpu.h"
#include "emu/chaos.h"
#include "emu/codecache.h"
#include "emu/cpu_tlb.h"
#include "emu/insn.h"
#include "emu/x87.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "kernelmodel/frame.h"
#include "kernelmodel/sched_chaos.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

struct cpu_context {
	uc_context *uc;
};

struct cpuid_entry {
	uint32_t leaf, subleaf;
	uint32_t r[4];
};

static struct {
	uc_engine *uc;
	struct task *current; /* the task on the CPU during emu_run */
	bool stop_requested;
	bool preempted;
	bool block_stop;      /* hook_block stopped the CPU before the block at ... */
	uint64_t block_stop_pc;
	uint64_t budget;      /* blocks left in the slice */
	uint64_t slice;
	uc_hook block_hook;   /* armed only for preemptible slices */
	bool block_hook_on;
	int intno;            /* last interrupt seen by hook_intr, -1 if none */
	bool gpf;             /* an RDTSC under PR_TSC_SIGSEGV raises #GP */
	uc_err last_err;
	struct emu_stats stats;
	uc_hook bp_hooks[64];
	int nbp_hooks;
	bool bp_hit;
	uint64_t bp_skip;
	/* Reverse execution (emu_set_insn_hook): one code hook on every
	 * instruction checks the breakpoints first, then counts. */
	bool (*insn_fn)(struct task *, uint64_t);
	void (*uncount_fn)(struct task *);
	uint64_t bp_inline[64];
	int nbp_inline;
	bool step_armed, step_done; /* emu_step without Unicorn's count */
	uint64_t step_left;
	struct cpuid_entry cpuid[64];
	int ncpuid;
	uint32_t cpuid_max_basic, cpuid_max_ext;
} emu;

static const int uc_regs[EREG_COUNT] = {
	[EREG_RAX] = UC_X86_REG_RAX, [EREG_RBX] = UC_X86_REG_RBX, [EREG_RCX] = UC_X86_REG_RCX,
	[EREG_RDX] = UC_X86_REG_RDX, [EREG_RSI] = UC_X86_REG_RSI, [EREG_RDI] = UC_X86_REG_RDI,
	[EREG_RBP] = UC_X86_REG_RBP, [EREG_RSP] = UC_X86_REG_RSP, [EREG_R8] = UC_X86_REG_R8,
	[EREG_R9] = UC_X86_REG_R9,   [EREG_R10] = UC_X86_REG_R10, [EREG_R11] = UC_X86_REG_R11,
	[EREG_R12] = UC_X86_REG_R12, [EREG_R13] = UC_X86_REG_R13, [EREG_R14] = UC_X86_REG_R14,
	[EREG_R15] = UC_X86_REG_R15, [EREG_RIP] = UC_X86_REG_RIP, [EREG_RFLAGS] = UC_X86_REG_RFLAGS,
	[EREG_FS_BASE] = UC_X86_REG_FS_BASE, [EREG_GS_BASE] = UC_X86_REG_GS_BASE,
	[EREG_FPCW] = UC_X86_REG_FPCW, [EREG_FPSW] = UC_X86_REG_FPSW, [EREG_FPTAG] = UC_X86_REG_FPTAG,
	[EREG_MXCSR] = UC_X86_REG_MXCSR,
};

static int uc_vreg(int vreg)
{
	return vreg < EVREG_XMM0 ? UC_X86_REG_FP0 + vreg : UC_X86_REG_XMM0 + (vreg - EVREG_XMM0);
}

void emu_vreg_read(int vreg, void *buf, size_t len)
{
	uint8_t tmp[64] = {0};
	uc_reg_read(emu.uc, uc_vreg(vreg), tmp);
	memcpy(buf, tmp, len);
}

void emu_vreg_write(int vreg, const void *buf, size_t len)
{
	uint8_t tmp[64] = {0};
	memcpy(tmp, buf, len);
	uc_reg_write(emu.uc, uc_vreg(vreg), tmp);
}

uint64_t emu_reg_read(enum emu_reg r)
{
	uint64_t v = 0;
	uc_reg_read(emu.uc, uc_regs[r], &v);
	return v;
}

void emu_reg_write(enum emu_reg r, uint64_t v)
{
	uc_reg_write(emu.uc, uc_regs[r], &v);
}

void emu_reset_regs(uint64_t rip, uint64_t rsp)
{
	for (int r = 0; r < EREG_COUNT; r++)
		emu_reg_write(r, 0);
	emu_reg_write(EREG_RIP, rip);
	emu_reg_write(EREG_RSP, rsp);
	emu_reg_write(EREG_RFLAGS, 0x202); /* IF set, as the kernel starts a process */
	/* FPU/SSE state as after execve: FNINIT control word, MXCSR default. */
	uint64_t fpcw = 0x37f;
	uc_reg_write(emu.uc, UC_X86_REG_FPCW, &fpcw);
	uint32_t mxcsr = 0x1f80;
	uc_reg_write(emu.uc, UC_X86_REG_MXCSR, &mxcsr);
}

void emu_request_stop(void)
{
	emu.stop_requested = true;
	uc_emu_stop(emu.uc);
}

/* Set from a host signal handler: only flags and uc_emu_stop, which only
 * stores (cpu_exit), so it is safe there.
 *
 * But Unicorn 2.1.1 checks for an exit request after every guest load and
 * store, not only at block starts, and an exit inside a block puts the pc
 * back at the block's start although its first instructions already ran
 * (cpu_tb_exec's resync for TB_EXIT_REQUESTED): a stop at an arbitrary
 * moment may run part of a block twice. A storm of SIGWINCH at a guest
 * reading in a loop made it call read with its arguments shifted by one
 * register, or return to address 0. So while the block hook runs, the
 * hook ends the slice at the next block start, where nothing has run yet;
 * only an unhooked slice is stopped anywhere, and only when told so. */
static volatile sig_atomic_t interrupted;

void emu_interrupt(bool stop_anywhere)
{
	interrupted = 1;
	if (stop_anywhere && emu.uc && !emu.block_hook_on)
		uc_emu_stop(emu.uc);
}

void emu_interrupt_taken(void)
{
	interrupted = 0;
}

const char *emu_error(void)
{
	return uc_strerror(emu.last_err);
}

/* ---- hooks ---- */

static void hook_syscall(uc_engine *uc, void *user)
{
	if (chaos_enabled)
		chaos_syscall(emu.current);
	syscall_dispatch(emu.current);
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	if (--emu.budget == 0 || interrupted) {
		emu.preempted = true;
		emu.block_stop = true;
		emu.block_stop_pc = addr;
		uc_emu_stop(uc);
	}
}

static void hook_breakpoint(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	if (addr == emu.bp_skip) {
		emu.bp_skip = 0;
		return;
	}
	emu.bp_hit = true;
	uc_emu_stop(uc);
}

static void hook_every_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	if (emu.step_armed) {
		if (!emu.step_left) {
			emu.step_done = true;
			uc_emu_stop(uc);
			return;
		}
		emu.step_left--;
	}
	for (int i = 0; i < emu.nbp_inline; i++)
		if (emu.bp_inline[i] == addr) {
			if (addr == emu.bp_skip) {
				emu.bp_skip = 0;
				break;
			}
			emu.bp_hit = true;
			uc_emu_stop(uc);
			return;
		}
	if (emu.insn_fn(emu.current, addr)) {
		emu.bp_hit = true;
		uc_emu_stop(uc);
	}
}

int emu_set_insn_hook(bool (*fn)(struct task *, uint64_t), void (*uncount)(struct task *))
{
	uc_hook h;
	if (emu.insn_fn)
		return -EBUSY;
	emu.insn_fn = fn;
	emu.uncount_fn = uncount;
	if (uc_hook_add(emu.uc, &h, UC_HOOK_CODE, hook_every_insn, NULL, 1, 0)) {
		emu.insn_fn = NULL;
		return -EIO;
	}
	/* No flush of the translations: before the guest's first instruction
	 * there are none, and Unicorn's flush writes its whole 1 GiB code
	 * buffer (seconds of page faults in a fresh fork). */
	return 0;
}

void emu_set_breakpoints(const uint64_t *addrs, int n)
{
	if (emu.insn_fn) { /* checked by hook_every_insn, in one place */
		emu.nbp_inline = 0;
		for (int i = 0; i < n && i < 64; i++)
			emu.bp_inline[emu.nbp_inline++] = addrs[i];
		return;
	}
	for (int i = 0; i < emu.nbp_hooks; i++)
		uc_hook_del(emu.uc, emu.bp_hooks[i]);
	emu.nbp_hooks = 0;
	for (int i = 0; i < n && i < 64; i++)
		if (!uc_hook_add(emu.uc, &emu.bp_hooks[emu.nbp_hooks], UC_HOOK_CODE, hook_breakpoint,
				 NULL, addrs[i], addrs[i]))
			emu.nbp_hooks++;
}

void emu_skip_breakpoint(uint64_t rip)
{
	emu.bp_skip = rip;
}

/* Unicorn compiles the call to a block hook into a block when it
 * translates it, if the hook exists then; a task alone runs without the
 * hook, and blocks translated then would, when another task later runs
 * them (a forked child, a vfork child exec'ing the same program), never
 * end its slice: a loop in them spun for ever. So the two kinds of block
 * are kept apart in the translation cache by a CPU state bit that is part
 * of a block's lookup key (cpu_get_tb_cpu_state's hflags) and inert for
 * user code: CR0.MP (it only matters for WAIT/FWAIT with CR0.TS, which is
 * clear). Set while the hook is armed. Cheaper than a flush (Unicorn
 * clears its whole buffer: 50 ms). */
static void tb_mode(bool hooked)
{
	uint64_t cr0 = 0;
	if (uc_reg_read(emu.uc, UC_X86_REG_CR0, &cr0))
		return;
	uint64_t want = hooked ? cr0 | 2 : cr0 & ~(uint64_t)2;
	if (want != cr0)
		uc_reg_write(emu.uc, UC_X86_REG_CR0, &want);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	emu.intno = (int)intno;
	uc_emu_stop(uc);
}

static bool hook_insn_invalid(uc_engine *uc, void *user)
{
	emu.intno = 6; /* #UD */
	return false;
}

void emu_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	memset(out, 0, 4 * sizeof(uint32_t));
	for (int i = 0; i < emu.ncpuid; i++) {
		const struct cpuid_entry *c = &emu.cpuid[i];
		if (c->leaf == leaf && (c->subleaf == subleaf || c->subleaf == UINT32_MAX)) {
			memcpy(out, c->r, sizeof(c->r));
			return;
		}
	}
}

static int hook_cpuid(uc_engine *uc, void *user)
{
	uint32_t r[4];
	emu_cpuid((uint32_t)emu_reg_read(EREG_RAX), (uint32_t)emu_reg_read(EREG_RCX), r);
	emu_reg_write(EREG_RAX, r[0]);
	emu_reg_write(EREG_RBX, r[1]);
	emu_reg_write(EREG_RCX, r[2]);
	emu_reg_write(EREG_RDX, r[3]);
	return 1; /* skip Unicorn's own CPUID */
}

/* ---- CPUID table ----
 * Probed once from the Haswell model before virtual TLB mode is on (its
 * RDRAND, and RDSEED, which Unicorn executes as RDRAND, get the run's
 * random bits from emu/insn.c's helper_rdrand; RDSEED is advertised too),
 * then
 * features Unicorn does not execute correctly are cleared (DESIGN.md): AVX,
 * AVX2, FMA, F16C, XSAVE/OSXSAVE (XGETBV and XSAVE are invalid), FSGSBASE
 * (RDFSBASE is invalid), TSX. libc then picks its SSE paths. */
static int probe_cpuid_leaf(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	static const uint8_t code[] = {0x0f, 0xa2}; /* cpuid */
	memcpy(frame_ptr(1), code, sizeof(code));
	uint64_t a = leaf, c = subleaf;
	uc_reg_write(emu.uc, UC_X86_REG_RAX, &a);
	uc_reg_write(emu.uc, UC_X86_REG_RCX, &c);
	uc_err err = uc_emu_start(emu.uc, frame_paddr(1), frame_paddr(1) + sizeof(code), 0, 0);
	if (err)
		return -EIO;
	out[0] = (uint32_t)emu_reg_read(EREG_RAX);
	out[1] = (uint32_t)emu_reg_read(EREG_RBX);
	out[2] = (uint32_t)emu_reg_read(EREG_RCX);
	out[3] = (uint32_t)emu_reg_read(EREG_RDX);
	return 0;
}

static void cpuid_add(uint32_t leaf, uint32_t subleaf, const uint32_t r[4])
{
	if (emu.ncpuid >= (int)(sizeof(emu.cpuid) / sizeof(emu.cpuid[0])))
		return;
	struct cpuid_entry *e = &emu.cpuid[emu.ncpuid++];
	e->leaf = leaf;
	e->subleaf = subleaf;
	memcpy(e->r, r, sizeof(e->r));
}

static int build_cpuid_table(void)
{
	uint32_t r[4];
	if (probe_cpuid_leaf(0, 0, r))
		return -EIO;
	emu.cpuid_max_basic = r[0] > 0x1f ? 0x1f : r[0];
	for (uint32_t leaf = 0; leaf <= emu.cpuid_max_basic; leaf++) {
		bool indexed = leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0xf ||
			       leaf == 0x10 || leaf == 0x12 || leaf == 0x14 || leaf == 0x17 ||
			       leaf == 0x18 || leaf == 0x1f;
		for (uint32_t sub = 0; sub < (indexed ? 8u : 1u); sub++) {
			if (probe_cpuid_leaf(leaf, sub, r))
				return -EIO;
			switch (leaf) {
			case 1:
				r[2] &= ~((1u << 12) | (1u << 26) | (1u << 27) | (1u << 28) |
					  (1u << 29)); /* FMA XSAVE OSXSAVE AVX F16C */
				break;
			case 7:
				if (sub == 0)
					r[1] = (r[1] & ~((1u << 0) | (1u << 4) | (1u << 5) | (1u << 11) |
							 0xffff0000u)) | /* FSGSBASE HLE AVX2 RTM AVX-512.. */
					       (1u << 18); /* RDSEED (emu/insn.c) */
				r[2] = r[3] = 0;
				if (sub > 0)
					r[0] = r[1] = 0;
				break;
			case 0xd:
				r[0] = r[1] = r[2] = r[3] = 0; /* no XSAVE state components */
				break;
			}
			cpuid_add(leaf, indexed ? sub : UINT32_MAX, r);
		}
	}
	if (probe_cpuid_leaf(0x80000000u, 0, r))
		return -EIO;
	emu.cpuid_max_ext = r[0] > 0x80000008u ? 0x80000008u : r[0];
	for (uint32_t leaf = 0x80000000u; leaf <= emu.cpuid_max_ext; leaf++) {
		if (probe_cpuid_leaf(leaf, 0, r))
			return -EIO;
		if (leaf == 0x80000000u)
			r[0] = emu.cpuid_max_ext;
		cpuid_add(leaf, UINT32_MAX, r);
	}
	return 0;
}

/* ---- contexts ---- */

struct cpu_context *emu_context_alloc(void)
{
	struct cpu_context *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (uc_context_alloc(emu.uc, &c->uc)) {
		free(c);
		return NULL;
	}
	return c;
}

void emu_context_free(struct cpu_context *c)
{
	if (!c)
		return;
	uc_context_free(c->uc);
	free(c);
}

void emu_context_save(struct cpu_context *c)
{
	uc_context_save(emu.uc, c->uc);
}

void emu_context_load(const struct cpu_context *c)
{
	uc_context_restore(emu.uc, c->uc);
}

void emu_context_write(struct cpu_context *c, enum emu_reg r, uint64_t v)
{
	uc_context_reg_write(c->uc, uc_regs[r], &v);
}

uint64_t emu_context_read(const struct cpu_context *c, enum emu_reg r)
{
	uint64_t v = 0;
	uc_context_reg_read(c->uc, uc_regs[r], &v);
	return v;
}

/* ---- run ---- */

static enum emu_exit run_engine(struct task *t, uint64_t count);

enum emu_exit emu_step(struct task *t, uint64_t n)
{
	if (emu.block_hook_on) {
		emu.block_hook_on = uc_hook_del(emu.uc, emu.block_hook) != UC_ERR_OK;
		tb_mode(emu.block_hook_on);
	}
	emu.budget = emu.slice = 0;
	chaos_suspend(true);
	/* With the hook on every instruction, it counts the steps: Unicorn's
	 * own count adds a hook whose removal flushes every translation (and
	 * rewrites the 1 GiB code buffer, page by page a copy in a fork). */
	emu.step_armed = emu.insn_fn != NULL;
	emu.step_left = n;
	emu.step_done = false;
	enum emu_exit why = run_engine(t, emu.step_armed ? 0 : n);
	emu.step_armed = false;
	chaos_suspend(false);
	return why;
}

void emu_disasm(struct task *t, uint64_t addr, int n, FILE *out)
{
	uint8_t code[16 * 16];
	size_t len = sizeof(code);
	/* Read what is mapped; stop at the first page that is not. */
	while (len && t->mm && copy_from_guest(t->mm, code, addr, len))
		len = len > PAGE_SIZE ? len - PAGE_SIZE : 0;
	csh cs;
	if (!len || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		fprintf(out, "  0x%llx: <unreadable>\n", (unsigned long long)addr);
		return;
	}
	cs_insn *insn;
	size_t count = cs_disasm(cs, code, len, addr, (size_t)n, &insn);
	for (size_t i = 0; i < count; i++)
		fprintf(out, "  0x%llx: %s %s\n", (unsigned long long)insn[i].address,
			insn[i].mnemonic, insn[i].op_str);
	if (count)
		cs_free(insn, count);
	cs_close(&cs);
}

static uint64_t cs_reg_value(csh cs, x86_reg r)
{
	static const struct {
		x86_reg cs;
		int uc;
	} map[] = {
		{X86_REG_RAX, UC_X86_REG_RAX}, {X86_REG_RBX, UC_X86_REG_RBX}, {X86_REG_RCX, UC_X86_REG_RCX},
		{X86_REG_RDX, UC_X86_REG_RDX}, {X86_REG_RSI, UC_X86_REG_RSI}, {X86_REG_RDI, UC_X86_REG_RDI},
		{X86_REG_RBP, UC_X86_REG_RBP}, {X86_REG_RSP, UC_X86_REG_RSP}, {X86_REG_R8, UC_X86_REG_R8},
		{X86_REG_R9, UC_X86_REG_R9},   {X86_REG_R10, UC_X86_REG_R10}, {X86_REG_R11, UC_X86_REG_R11},
		{X86_REG_R12, UC_X86_REG_R12}, {X86_REG_R13, UC_X86_REG_R13}, {X86_REG_R14, UC_X86_REG_R14},
		{X86_REG_R15, UC_X86_REG_R15}, {X86_REG_RIP, UC_X86_REG_RIP},
	};
	if (r == X86_REG_INVALID)
		return 0;
	/* 32-bit forms of the 64-bit registers (eax...) share the value. */
	const char *name = cs_reg_name(cs, r);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *n64 = cs_reg_name(cs, map[i].cs);
		if (map[i].cs == r || (name && n64 && name[0] == 'e' && !strcmp(name + 1, n64 + 1))) {
			uint64_t v = 0;
			uc_reg_read(emu.uc, map[i].uc, &v);
			return name && name[0] == 'e' ? (uint32_t)v : v;
		}
	}
	return 0;
}

uint64_t emu_mem_operand(struct task *t, uint64_t rip, uint64_t page_off)
{
	uint8_t code[16];
	uint64_t found = 0;
	if (!t->mm || copy_from_guest(t->mm, code, rip, sizeof(code)))
		return 0;
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *insn;
	if (cs_disasm(cs, code, sizeof(code), rip, 1, &insn) == 1) {
		cs_x86 *x = &insn->detail->x86;
		for (int i = 0; i < x->op_count && !found; i++) {
			if (x->operands[i].type != X86_OP_MEM)
				continue;
			x86_op_mem m = x->operands[i].mem;
			uint64_t a = (uint64_t)m.disp;
			a += m.base == X86_REG_RIP ? rip + insn->size : cs_reg_value(cs, m.base);
			a += cs_reg_value(cs, m.index) * (uint64_t)(m.scale ? m.scale : 1);
			if (m.segment == X86_REG_FS)
				a += emu_reg_read(EREG_FS_BASE);
			else if (m.segment == X86_REG_GS)
				a += emu_reg_read(EREG_GS_BASE);
			if ((a & ~PAGE_MASK) == page_off)
				found = a;
		}
		cs_free(insn, 1);
	}
	cs_close(&cs);
	return found;
}

int emu_decode_mem_ops(struct task *t, uint64_t rip, struct emu_mem_op *ops, int max, int *len)
{
	static const x86_reg regs64[16] = {
		[EREG_RAX] = X86_REG_RAX, [EREG_RBX] = X86_REG_RBX, [EREG_RCX] = X86_REG_RCX,
		[EREG_RDX] = X86_REG_RDX, [EREG_RSI] = X86_REG_RSI, [EREG_RDI] = X86_REG_RDI,
		[EREG_RBP] = X86_REG_RBP, [EREG_RSP] = X86_REG_RSP, [EREG_R8] = X86_REG_R8,
		[EREG_R9] = X86_REG_R9, [EREG_R10] = X86_REG_R10, [EREG_R11] = X86_REG_R11,
		[EREG_R12] = X86_REG_R12, [EREG_R13] = X86_REG_R13, [EREG_R14] = X86_REG_R14,
		[EREG_R15] = X86_REG_R15,
	};
	uint8_t code[16];
	size_t n = sizeof(code);
	while (n && (!t->mm || copy_from_guest(t->mm, code, rip, n)))
		n = n > 1 ? 1 : 0; /* at the end of a mapping: at least try the first byte */
	if (!n)
		return -1;
	static csh cs;
	static bool open;
	if (!open) {
		if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
			return -1;
		cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
		open = true;
	}
	cs_insn *insn;
	if (cs_disasm(cs, code, n, rip, 1, &insn) != 1)
		return -1;
	cs_x86 *x = &insn->detail->x86;
	int k = 0;
	for (int i = 0; i < x->op_count && k < max; i++) {
		if (x->operands[i].type != X86_OP_MEM)
			continue;
		x86_op_mem m = x->operands[i].mem;
		struct emu_mem_op *o = &ops[k++];
		o->rip_rel = m.base == X86_REG_RIP;
		o->base = o->index = m.base == X86_REG_INVALID || o->rip_rel ? -1 : -2;
		if (m.index == X86_REG_INVALID)
			o->index = -1;
		for (int r = 0; r < 16; r++) {
			if (m.base == regs64[r])
				o->base = r;
			if (m.index == regs64[r])
				o->index = r;
		}
		o->scale = m.scale ? m.scale : 1;
		o->disp = m.disp;
		o->size = x->operands[i].size;
		o->access = (x->operands[i].access & CS_AC_READ ? 1 : 0) |
			    (x->operands[i].access & CS_AC_WRITE ? 2 : 0);
		o->seg = m.segment == X86_REG_FS ? EREG_FS_BASE : m.segment == X86_REG_GS ? EREG_GS_BASE : 0;
	}
	*len = insn->size;
	cs_free(insn, 1);
	return k;
}

uint64_t emu_fault_address(struct task *t, uint64_t page)
{
	/* The TLB-fill hook only sees the page: find the byte by decoding
	 * the faulting instruction's memory operands (SIGSEGV's si_addr). */
	uint64_t rip = emu_reg_read(EREG_RIP), best = page;
	uint8_t code[16];
	if (!t->mm || copy_from_guest(t->mm, code, rip, sizeof(code)))
		return (rip & PAGE_MASK) == page ? rip : page;
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return page;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *insn;
	if (cs_disasm(cs, code, sizeof(code), rip, 1, &insn) == 1) {
		cs_x86 *x = &insn->detail->x86;
		uint64_t next = rip + insn->size;
		for (int i = 0; i < x->op_count; i++) {
			if (x->operands[i].type != X86_OP_MEM)
				continue;
			x86_op_mem m = x->operands[i].mem;
			uint64_t a = (uint64_t)m.disp;
			if (m.base == X86_REG_RIP)
				a += next;
			else
				a += cs_reg_value(cs, m.base);
			a += cs_reg_value(cs, m.index) * (uint64_t)(m.scale ? m.scale : 1);
			if (m.segment == X86_REG_FS)
				a += emu_reg_read(EREG_FS_BASE);
			else if (m.segment == X86_REG_GS)
				a += emu_reg_read(EREG_GS_BASE);
			/* An access straddling into the page faults at its start. */
			if ((a & PAGE_MASK) == page || ((a + x->operands[i].size - 1) & PAGE_MASK) == page) {
				best = (a & PAGE_MASK) == page ? a : page;
				break;
			}
		}
		/* Stack pushes (push, call) write just below rsp. */
		if (best == page) {
			uint64_t sp = emu_reg_read(EREG_RSP) - 8;
			if ((sp & PAGE_MASK) == page)
				best = sp;
		}
		cs_free(insn, 1);
	}
	cs_close(&cs);
	return best;
}

enum emu_exit emu_run(struct task *t, uint64_t slice)
{
	emu.stats.slices++;
	if (slice != 0 && !emu.block_hook_on)
		emu.stats.hook_toggles++;
	if (!slice && emu.block_hook_on)
		emu.stats.hook_toggles++;
	if (slice && !emu.block_hook_on) {
		emu.block_hook_on = !uc_hook_add(emu.uc, &emu.block_hook, UC_HOOK_BLOCK, hook_block,
						 NULL, 1, 0);
		tb_mode(emu.block_hook_on);
	} else if (!slice && emu.block_hook_on) {
		emu.block_hook_on = uc_hook_del(emu.uc, emu.block_hook) != UC_ERR_OK;
		tb_mode(emu.block_hook_on);
	}
	emu.budget = emu.slice = slice;
	chaos_before_run(t, slice);
	return run_engine(t, 0);
}

/* uc_emu_start, with the pc right after a stop at a block start.
 *
 * hook_block's stop takes effect before the block's first instruction
 * (the exit-request check follows the block hook), and cpu_tb_exec puts
 * the pc back at the block's start for that exit (TB_EXIT_REQUESTED) --
 * but in Unicorn 2.1.1 only when no UC_HOOK_CODE exists at all. With one
 * (gdb's breakpoints, reverse execution's or chaos's hook) the pc stays
 * what was last stored: when the block was entered by a chained jump
 * (a direct jmp/jcc/call, which skips the jump's own pc store), that is
 * the pc of an earlier instruction, which then ran again (a direct call
 * twice: two threads of fib under gdb crashed at pc 0x15). */
static uc_err start_engine(uint64_t count)
{
	emu.block_stop = false;
	uc_err err = uc_emu_start(emu.uc, emu_reg_read(EREG_RIP), 0, 0, count);
	if (emu.block_stop)
		emu_reg_write(EREG_RIP, emu.block_stop_pc);
	return err;
}

static enum emu_exit run_engine(struct task *t, uint64_t count)
{
	emu.preempted = false;
	emu.bp_hit = false;
	emu.current = t;
	emu.stop_requested = false;
	emu.intno = -1;
	cpu_tlb_run_start();
	emu.gpf = false;
	emu_switch_mm(t->mm);
	uc_err err;
	bool stepping = count || emu.step_armed;
	for (;;) {
		err = start_engine(count);
		/* A fill refused for code coherence: the CPU stopped exactly at the
		 * instruction; act, then run it again unless the run was to end. */
		bool unflushed = false;
		while (!cpu_tlb_refused(NULL) && cpu_tlb_resolve(&unflushed)) {
			err = UC_ERR_OK;
			if (emu.preempted || emu.stop_requested || emu.bp_hit || interrupted ||
			    emu.intno >= 0) {
				if (unflushed) /* the entry codecache_exec_entry describes */
					cpu_tlb_flush();
				break;
			}
			unflushed = false;
			err = start_engine(count);
		}
		if (emu.bp_hit || emu.stop_requested || emu.preempted || cpu_tlb_refused(NULL) ||
		    emu.step_done)
			break;
		/* #UD on RDRAND/RDSEED: done here, and the slice goes on. */
		if (emu.intno != 6 || !insn_emulate_ud(t))
			break;
		emu.intno = -1;
		err = UC_ERR_OK;
		if (stepping) {
			emu.step_done = emu.step_armed;
			break;
		}
		if (interrupted)
			break;
	}
	emu.current = NULL;
	emu.last_err = err;
	bool oom, refused = cpu_tlb_refused(&oom);
	if (emu.bp_hit)
		return EMU_BREAKPOINT;
	if (emu.gpf)
		return EMU_GPF;
	if (emu.stop_requested)
		return EMU_STOPPED;
	if (emu.preempted || (interrupted && err == UC_ERR_OK && !refused && emu.intno < 0))
		return EMU_PREEMPTED;
	if (refused)
		return oom ? EMU_OOM : EMU_SEGV;
	switch (emu.intno) {
	case 0:
		return EMU_FPE;
	case 1:
	case 3:
		return EMU_TRAP;
	case 6:
		return EMU_ILL;
	case -1:
		break;
	default:
		return EMU_SEGV; /* #GP and friends: Linux sends SIGSEGV */
	}
	if (err == UC_ERR_INSN_INVALID)
		return EMU_ILL;
	if (err == UC_ERR_OK && (count || emu.step_done))
		return EMU_STEPPED;
	if (err == UC_ERR_OK)
		return EMU_SEGV; /* e.g. HLT: privileged in user mode */
	if (err == UC_ERR_EXCEPTION)
		return EMU_SEGV;
	return EMU_ERROR;
}

struct uc_struct *emu_engine(void)
{
	return emu.uc;
}

struct task *emu_current_task(void)
{
	return emu.current;
}

void emu_note_gpf(void)
{
	emu.gpf = true;
}

void emu_preempt(void)
{
	/* Before an instruction hook_every_insn already counted. */
	if (emu.uncount_fn && emu.current)
		emu.uncount_fn(emu.current);
	emu.preempted = true;
	uc_emu_stop(emu.uc);
}

struct emu_stats emu_stats(void)
{
	struct emu_stats s = emu.stats;
	cpu_tlb_stats(&s);
	s.x87_exact = x87_exact_count();
	return s;
}

uint64_t emu_blocks_run(void)
{
	return emu.slice ? emu.slice - emu.budget : 0;
}

/* ---- lifecycle ---- */

int emu_init(size_t phys_bytes, char *errbuf, size_t errlen)
{
	uc_err err;
	int r = frames_init(phys_bytes);
	if (r) {
		snprintf(errbuf, errlen, "cannot reserve %zu MiB of guest memory", phys_bytes >> 20);
		return r;
	}
	if ((err = uc_open(UC_ARCH_X86, UC_MODE_64, &emu.uc)))
		goto fail;
	/* The translation buffer: 1 GiB (Unicorn's default, reserved lazily);
	 * CLONEEMU_TCG_BUFFER_MIB sets another size (tests of the flush). Set
	 * here, since reading it back (UC_CTL_READ) overflows an int in
	 * Unicorn's header. Under --chaos 64 MiB: chaos turns its hooks on
	 * and off with a flush, and Unicorn's flush zeroes the whole buffer
	 * (tcg_region_assign's memset): 1 GiB written, and resident, per
	 * flush made a 10 ms chaos run take 0.6 to 8 s and 1 GiB of memory.
	 * (A --replay of a chaos recording learns it is one later: 1 GiB.) */
	const char *tcg_env = getenv("CLONEEMU_TCG_BUFFER_MIB");
	uint32_t tcg_mib = chaos_enabled ? 64 : 1024;
	if (tcg_env && atoi(tcg_env) > 0 && atoi(tcg_env) <= 2048)
		tcg_mib = (uint32_t)atoi(tcg_env);
	if ((err = uc_ctl_set_tcg_buffer_size(emu.uc, tcg_mib << 20)))
		goto fail;
	if ((err = uc_ctl_set_cpu_model(emu.uc, UC_CPU_X86_HASWELL)))
		goto fail;
	/* CR4 as Linux sets it for user space: OSFXSR (without it FXSAVE and
	 * FXRSTOR skip MXCSR and the XMM registers, which breaks ld.so's lazy
	 * PLT resolver that saves the argument registers with them) and
	 * OSXMMEXCPT (SIMD floating-point exceptions as #XM). */
	uint64_t cr4;
	if ((err = uc_reg_read(emu.uc, UC_X86_REG_CR4, &cr4)))
		goto fail;
	cr4 |= (1u << 9) | (1u << 10);
	if ((err = uc_reg_write(emu.uc, UC_X86_REG_CR4, &cr4)))
		goto fail;
	if ((err = uc_mem_map_ptr(emu.uc, 0, frames_bytes(), UC_PROT_ALL, frames_base())))
		goto fail;
	/* Frame 1 is still untouched: borrow it for the CPUID probe. */
	if (build_cpuid_table()) {
		snprintf(errbuf, errlen, "CPUID probe failed");
		return -EIO;
	}
	memset(frame_ptr(1), 0, PAGE_SIZE);
	uc_ctl_remove_cache(emu.uc, frame_paddr(1), frame_paddr(1) + PAGE_SIZE);
	if ((err = uc_ctl_tlb_mode(emu.uc, UC_TLB_VIRTUAL)))
		goto fail;
	if (codecache_init(frames_bytes() >> PAGE_SHIFT)) {
		snprintf(errbuf, errlen, "cannot allocate the code cache's frame table");
		return -ENOMEM;
	}
	if ((err = cpu_tlb_init(emu.uc, (uint64_t)tcg_mib << 19 /* half of it */)))
		goto fail;
	uc_hook h;
	if ((err = uc_hook_add(emu.uc, &h, UC_HOOK_INSN, hook_syscall, NULL, 1, 0,
			       UC_X86_INS_SYSCALL)))
		goto fail;
	if ((err = uc_hook_add(emu.uc, &h, UC_HOOK_INSN, hook_cpuid, NULL, 1, 0, UC_X86_INS_CPUID)))
		goto fail;
	if ((err = uc_hook_add(emu.uc, &h, UC_HOOK_INTR, hook_intr, NULL, 1, 0)))
		goto fail;
	tb_mode(false); /* no block hook yet */
	if ((err = uc_hook_add(emu.uc, &h, UC_HOOK_INSN_INVALID, hook_insn_invalid, NULL, 1, 0)))
		goto fail;
	chaos_init();
	return 0;
fail:
	snprintf(errbuf, errlen, "unicorn: %s", uc_strerror(err));
	return -EIO;
}

void emu_fini(void)
{
	cpu_tlb_fini();
	codecache_fini();
	if (emu.uc)
		uc_close(emu.uc);
	emu.uc = NULL;
	frames_fini();
}
