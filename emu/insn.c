#include "emu/insn.h"

#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/random.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/task.h"

#if defined(__x86_64__)
void raise_exception_ra_x86_64(void *env, int exception_index, uintptr_t retaddr);

/* Unicorn's RDTSC and RDTSCP call these TCG helpers (qemu's
 * target/i386/misc_helper.c), which read the host's TSC. cloneemu defines
 * them (Unicorn's copies weak in the static archive, interposed over
 * libunicorn.so's; CMakeLists.txt), so every RDTSC reads the virtual
 * clock's TSC (kernelmodel/clock.c), under reverse execution and chaos
 * too. The helpers may write guest registers (no TCG_CALL_NO_WG flag):
 * the translated code reloads them after the call. A task with
 * prctl(PR_SET_TSC, PR_TSC_SIGSEGV) takes #GP at the instruction, as with
 * CR4.TSD on Linux (SIGSEGV, SI_KERNEL). */
static void rdtsc_common(void *env, uintptr_t ra, bool aux)
{
	struct task *t = emu_current_task();
	if (t && t->tsc_sigsegv) {
		emu_note_gpf();
		raise_exception_ra_x86_64(env, 13, ra); /* does not return */
	}
	uint64_t v = clock_read_tsc();
	emu_reg_write(EREG_RAX, (uint32_t)v);
	emu_reg_write(EREG_RDX, v >> 32);
	if (aux) /* TSC_AUX: node 0 << 12 | cpu, as getcpu */
		emu_reg_write(EREG_RCX, t ? (uint32_t)task_cpu(t) : 0);
}

void helper_rdtsc_x86_64(void *env);
void helper_rdtsc_x86_64(void *env)
{
	rdtsc_common(env, (uintptr_t)__builtin_return_address(0), false);
}

void helper_rdtscp_x86_64(void *env);
void helper_rdtscp_x86_64(void *env)
{
	rdtsc_common(env, (uintptr_t)__builtin_return_address(0), true);
}
#endif

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
