/* emu/cpu_tlb.c: Unicorn's TLB and translation buffer glued to the model's
 * mm, frames and code cache. For emu/cpu.c only (emu_switch_mm, declared in
 * emu/cpu.h, lives there too). */
#ifndef EMU_CPU_TLB_H
#define EMU_CPU_TLB_H

#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"

/* Hook TLB fills and newly translated blocks of @uc, and the model's TLB
 * flushes and code invalidations; past an estimated @tb_limit bytes of
 * translation buffer a run stops and cpu_tlb_resolve() flushes it.
 * UC_ERR_OK or Unicorn's error. */
uc_err cpu_tlb_init(uc_engine *uc, uint64_t tb_limit);
/* Unhook the model; no mm is current any more. */
void cpu_tlb_fini(void);
/* Flush the TLB (the code cache learns of it). */
void cpu_tlb_flush(void);
/* A run starts: no fill refused yet. */
void cpu_tlb_run_start(void);
/* Did a fill refuse an access in this run? *@oom (if not NULL): for lack
 * of memory. */
bool cpu_tlb_refused(bool *oom);
/* After a run stopped: act on a fill refused for code coherence and flush
 * a translation buffer past its limit. True when there was something to
 * do (the stopped instruction runs again); *@unflushed set when the TLB
 * keeps an entry made only to drop translations (flush it before leaving). */
bool cpu_tlb_resolve(bool *unflushed);
/* Fill @s's tlb_flushes, code_invalidations, code_retries and tb_flushes. */
void cpu_tlb_stats(struct emu_stats *s);

#endif
