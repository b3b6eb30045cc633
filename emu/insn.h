/* The instructions whose answers come from outside the CPU, which cloneemu
 * answers itself so that a run is reproducible (emu/insn.c):
 *  - RDTSC and RDTSCP: Unicorn runs them through the TCG helpers
 *    helper_rdtsc_x86_64 and helper_rdtscp_x86_64, which cloneemu defines
 *    (as emu/x87.c's helpers): the TSC from the virtual clock
 *    (kernelmodel/clock.c), RDTSCP's ECX the task's CPU (TSC_AUX, as
 *    getcpu) — or #GP (SIGSEGV) for a task with
 *    prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
 *  - RDRAND and RDSEED: Unicorn's Haswell model runs both (RDSEED as
 *    RDRAND) through one TCG helper, helper_rdrand_x86_64, which cloneemu
 *    defines to take bytes from kernelmodel/random.c (the seeded stream,
 *    or --random=host). A model without them would raise #UD:
 *    insn_emulate_ud completes that the same way. CPUID advertises both. */
#ifndef EMU_INSN_H
#define EMU_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* After #UD at the task's rip: execute it here if it is RDRAND/RDSEED
 * (registers and rip updated). */
bool insn_emulate_ud(struct task *t);

#endif
