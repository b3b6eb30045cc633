/* Translated code stays coherent with the bytes it was translated from.
 *
 * Unicorn keeps translated blocks by physical page and notices a guest store
 * into one only on the first store through a TLB entry after a block was
 * translated through that same virtual page (it then marks the entry clean
 * for good: Unicorn 2.1.1's notdirty_write). Stores through another virtual
 * alias (a memfd mapped twice, the JIT's writable view), or later stores into
 * other blocks of the same page (a JIT writing its next function next to the
 * last one), would run stale code.
 *
 * So the TLB-fill hook keeps one rule: for any frame, the TLB never holds an
 * entry that can write it while it may hold translated code or an entry that
 * can execute it. Writable and executable rights of an RWX page go into
 * separate entries (a fetch gets R+X, a read or write R+W); a write fill of a
 * frame that may hold translations or that another entry can execute, or an
 * exec fill while another entry can write the frame, is refused: the engine stops precisely at the
 * instruction, the emulator drops the frame's translations and/or flushes the
 * TLB (codecache_take says which), and restarts the instruction. Frames only
 * written or only executed never pay for it.
 *
 * One exception: an instruction that writes into its own page (code patching
 * the code right after it). It needs both rights at once, so that page gets
 * one entry with both until the next TLB flush, and Unicorn's own detection
 * (exact for the store that hits the running block) covers it.
 *
 * This file holds the decisions only (no Unicorn calls): emu/cpu.c performs
 * them. */
#ifndef EMU_CODECACHE_H
#define EMU_CODECACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/frame.h"

int codecache_init(uint64_t nframes);
void codecache_fini(void);

/* The whole TLB was flushed: every entry recorded so far is gone. */
void codecache_tlb_flushed(void);

/* The TLB-fill hook translated page @va to frame @f with rights *@perms
 * (MM_* bits) for @access (MM_READ/MM_WRITE/MM_EXEC). Returns true with
 * *@perms reduced to what the entry may hold (and the frame marked
 * executable when it keeps MM_EXEC), or false: refuse the fill and act on
 * codecache_take() before running again. */
bool codecache_fill(uint64_t va, frame_t f, int access, int *perms);

enum codecache_action {
	CODECACHE_NONE,
	CODECACHE_FLUSH,      /* flush the TLB */
	CODECACHE_INVALIDATE, /* drop the frame's translations (which flushes the TLB) */
};

/* What a refused fill asked for (and forget it); *@f: the frame, *@va:
 * the page the refused fill was for. */
enum codecache_action codecache_take(frame_t *f, uint64_t *va);

/* The emulator installed an entry at @va that can execute @f only to drop
 * @f's translations through it (no block is translated through it before
 * the refused store runs again, which replaces it; if the run stops
 * instead, the emulator flushes the TLB). Recorded, @f not marked. */
void codecache_exec_entry(uint64_t va, frame_t f);

/* After CODECACHE_INVALIDATE of @f, when the instruction that stored into
 * @f is itself in @f: give @f combined entries until the next flush. */
void codecache_self_modifying(frame_t f);

uint64_t codecache_refusals(void);

#endif
