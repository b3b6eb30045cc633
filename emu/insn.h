/* The instructions whose answers come from outside the CPU, which cloneemu
 * executes itself so that a run is reproducible (emu/insn.c):
 *  - RDTSC and RDTSCP: Unicorn 2.1.1 cannot hook them (UC_X86_INS_RDTSC
 *    hooks came in 2.1.2), so every newly translated block is scanned
 *    (UC_HOOK_EDGE_GENERATED, before it first runs) and each RDTSC/RDTSCP
 *    found becomes an exit address of the engine (uc_ctl_set_exits: the
 *    translation stops before it, with rip there; a code hook would do too,
 *    but while any exists Unicorn no longer restores rip when a slice ends
 *    at a chained block's start); the block is translated again. At such a
 *    stop insn_emulate_tsc completes the instruction: the TSC from the virtual clock
 *    (kernelmodel/clock.c), RDTSCP's ECX the task's CPU (TSC_AUX, as
 *    getcpu) — or SIGSEGV for a task with prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
 *  - RDRAND and RDSEED: Unicorn's Haswell model runs both (RDSEED as
 *    RDRAND) through one TCG helper, helper_rdrand_x86_64, which cloneemu
 *    defines (as emu/x87.c's helpers) to take bytes from
 *    kernelmodel/random.c (the seeded stream, or --random=host). A model
 *    without them would raise #UD: insn_emulate_ud completes that the
 *    same way. CPUID advertises both. */
#ifndef EMU_INSN_H
#define EMU_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* Once, at engine start. 0 or a Unicorn error. */
int insn_init(void);
/* The slice stopped before a hooked RDTSC/RDTSCP at @rip: execute it.
 * false: the task may not read the TSC (#GP, SIGSEGV). */
bool insn_emulate_tsc(struct task *t, uint64_t rip);
/* From now on RDTSC/RDTSCP run as Unicorn runs them (the host's TSC):
 * with the instruction hook of gdb's reverse execution armed, the sites'
 * exits crash a checkpoint's process (not understood yet). */
void insn_tsc_off(void);
/* Is @rip one of those addresses? */
bool insn_tsc_site(uint64_t rip);
/* After #UD at the task's rip: execute it here if it is RDRAND/RDSEED
 * (registers and rip updated). */
bool insn_emulate_ud(struct task *t);

#endif
