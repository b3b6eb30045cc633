/* Exact x87: the instructions Unicorn 2.1 computes inexactly, run on the
 * host's own FPU.
 *
 * Unicorn's target/i386/fpu_helper.c (QEMU 5.0's) computes FPREM, FPREM1,
 * F2XM1, FYL2X, FYL2XP1, FPTAN, FSIN, FCOS, FSINCOS and FPATAN through a
 * host double (53-bit significand, a double's exponent range: fmodl of
 * 1e4000 is a NaN), and FSCALE, FXTRACT, FSQRT and FRNDINT with softfloat
 * but without the status word's exception flags, stack faults or the
 * special operands' rules. Each of them is one TCG helper,
 * helper_<name>_x86_64(CPUX86State *), called by the translated code with
 * the FPU state in memory. cloneemu defines those functions itself; the
 * build makes Unicorn's own copies weak (static archive, objcopy -W) or
 * exports ours so they interpose on libunicorn.so's (the ASan build), see
 * CMakeLists.txt. Either way the translated code calls these, at no cost
 * to any other instruction and with nothing to install per address.
 *
 * A helper reads the guest's FPU state through the public register API
 * (control and status word, tags, the registers at ST(0), ST(1), ST(7)),
 * builds the 108-byte FNSAVE image, and runs the same instruction on the
 * host between FRSTOR and FNSAVE, so results, C0-C3, stack faults and
 * exception flags are those of this machine's FPU by construction (and
 * the differential test x87_exact compares them with native runs). The
 * image is loaded without the guest's sticky exception flags and ES: a flag
 * already set with its exception unmasked would make the host's
 * instruction trap (SIGFPE in cloneemu); the old flags are ORed back and
 * ES/B recomputed from the control word.
 * An unmasked exception raised by the instruction gives the hardware's
 * unmasked response (no result stored, ES set); Unicorn never delivers the
 * #MF that would follow at the next waiting instruction (README limits).
 *
 * The helper runs inside uc_emu_start; reading and writing FPU registers
 * there touches only CPUX86State fields, as a hook would. */
#include "emu/cpu.h"
#include "emu/x87.h"

#include <string.h>
#include <unicorn/unicorn.h>

#if defined(__x86_64__)

struct fsave_image {
	uint32_t cw, sw, tw, fip, fcs, fdp, fds;
	uint8_t st[8][10]; /* ST(0)..ST(7) */
} __attribute__((packed));

_Static_assert(sizeof(struct fsave_image) == 108, "FNSAVE's 32-bit protected-mode image");

#define FSW_FLAGS 0x007fu /* IE DE ZE OE UE PE SF: sticky */
#define FSW_ES 0x0080u
#define FSW_B 0x8000u

static uint64_t executed;

uint64_t x87_exact_count(void)
{
	return executed;
}

/* The stack positions an instruction can read or write: ST(0) and ST(1)
 * (operands, results, the register a pop frees), and ST(7) (where a push
 * lands). The other registers never affect the result: they keep their
 * values in Unicorn, and only their tags go into the image. */
static const int touched[] = {0, 1, 7};
#define NTOUCHED 3

static void load_guest(struct fsave_image *img, uint16_t *old_flags, unsigned *top)
{
	uint16_t cw = 0, sw = 0, tw = 0;
	int regs[3] = {UC_X86_REG_FPCW, UC_X86_REG_FPSW, UC_X86_REG_FPTAG};
	void *vals[3] = {&cw, &sw, &tw};
	uc_reg_read_batch(emu_engine(), regs, vals, 3);
	memset(img, 0, sizeof(*img));
	*old_flags = sw & FSW_FLAGS;
	*top = (sw >> 11) & 7;
	img->cw = 0xffff0000u | cw;
	img->sw = 0xffff0000u | (sw & ~(FSW_FLAGS | FSW_ES | FSW_B));
	img->tw = 0xffff0000u | tw;
	int fregs[NTOUCHED];
	void *fvals[NTOUCHED];
	for (int k = 0; k < NTOUCHED; k++) {
		fregs[k] = UC_X86_REG_FP0 + (int)((*top + touched[k]) & 7);
		fvals[k] = img->st[touched[k]]; /* 10 bytes, as Unicorn reads them */
	}
	uc_reg_read_batch(emu_engine(), fregs, fvals, NTOUCHED);
}

/* @img as FNSAVE left it; ST(i) there is physical register (new top + i).
 * @top: TOP before the instruction. */
static void store_guest(struct fsave_image *img, uint16_t old_flags, unsigned top)
{
	uint16_t cw = (uint16_t)img->cw;
	uint16_t sw = ((uint16_t)img->sw & ~(FSW_ES | FSW_B)) | old_flags;
	if (sw & ~cw & 0x3f)
		sw |= FSW_ES | FSW_B;
	uint16_t tw = (uint16_t)img->tw;
	unsigned new_top = (sw >> 11) & 7;
	int regs[2 + NTOUCHED] = {UC_X86_REG_FPSW, UC_X86_REG_FPTAG};
	void *vals[2 + NTOUCHED] = {&sw, &tw};
	for (int k = 0; k < NTOUCHED; k++) {
		unsigned phys = (top + (unsigned)touched[k]) & 7;
		regs[2 + k] = UC_X86_REG_FP0 + (int)phys;
		vals[2 + k] = img->st[(phys - new_top) & 7];
	}
	uc_reg_write_batch(emu_engine(), regs, vals, 2 + NTOUCHED);
	executed++;
}

/* helper_NAME_x86_64: the guest's state through the host's INSN. At a
 * helper call the host's x87 stack is empty (the ABI keeps it so across
 * calls, and cloneemu holds no long double there), so only its control
 * word is kept: FNSAVE leaves the FPU initialized, FLDCW puts the host's
 * control word back. (FNSAVE/FRSTOR of the host's own state would double
 * the cost: each takes 100-160 ns on this machine.) */
#define X87_EXACT(name, insn)                                                                      \
	void helper_##name##_x86_64(void *env);                                                    \
	void helper_##name##_x86_64(void *env)                                                     \
	{                                                                                          \
		struct fsave_image img;                                                            \
		uint16_t old_flags, host_cw;                                                       \
		unsigned top;                                                                      \
		load_guest(&img, &old_flags, &top);                                                \
		__asm__ volatile("fnstcw %[h]\n\t"                                                 \
				 "frstor %[g]\n\t" insn "\n\t"                                     \
				 "fnsave %[g]\n\t"                                                 \
				 "fldcw %[h]"                                                      \
				 : [g] "+m"(img), [h] "=m"(host_cw));                              \
		store_guest(&img, old_flags, top);                                                 \
	}

X87_EXACT(fprem, "fprem")
X87_EXACT(fprem1, "fprem1")
X87_EXACT(fscale, "fscale")
X87_EXACT(fxtract, "fxtract")
X87_EXACT(f2xm1, "f2xm1")
X87_EXACT(fyl2x, "fyl2x")
X87_EXACT(fyl2xp1, "fyl2xp1")
X87_EXACT(fptan, "fptan")
X87_EXACT(fsin, "fsin")
X87_EXACT(fcos, "fcos")
X87_EXACT(fsincos, "fsincos")
X87_EXACT(fpatan, "fpatan")
X87_EXACT(fsqrt, "fsqrt")
X87_EXACT(frndint, "frndint")

#else

uint64_t x87_exact_count(void)
{
	return 0;
}

#endif
