/* The glue between Unicorn's software TLB and translation buffer and the
 * model, split from emu/cpu.c: Unicorn asks hook_tlb_fill for every TLB
 * miss, which walks the current mm (mm_fault: demand allocation, breaking
 * copy-on-write) through the code cache's coherence checks
 * (emu/codecache.h); a page-table change that narrows access flushes the
 * TLB (tlb_flush), a host write into a frame with translated code drops
 * that code (invalidate_code), and the translation buffer is flushed
 * between runs before Unicorn would flush it itself. */
#include "emu/cpu_tlb.h"
#include "emu/codecache.h"

#include <errno.h>

#include "kernelmodel/frame.h"
#include "kernelmodel/mm.h"

static struct {
	uc_engine *uc;
	struct mm *mm;        /* the mm the TLB currently translates */
	bool tlb_refused;     /* hook_tlb_fill said no during this run */
	bool tlb_oom;
	bool identity_fill;   /* translate vaddr == paddr (cache invalidation) */
	uint64_t inval_va;    /* or: invalidate through this guest page (codecache_resolve) */
	bool inval_fill;
	uint64_t tb_bytes;    /* estimated translation-buffer use since the last flush */
	uint64_t tb_limit;    /* flush above this (half the buffer) */
	bool tb_flush_pending;
	uint64_t tlb_flushes, code_invalidations, code_retries, tb_flushes; /* emu_stats */
} tlb;

void cpu_tlb_flush(void)
{
	uc_ctl_flush_tlb(tlb.uc);
	codecache_tlb_flushed();
}

static bool hook_tlb_fill(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *e,
			  void *user)
{
	if (tlb.identity_fill) {
		e->paddr = vaddr & PAGE_MASK;
		e->perms = UC_PROT_ALL;
		return true;
	}
	if (tlb.inval_fill) { /* checked by codecache_resolve: maps the frame, executable */
		uint64_t pa;
		int pm;
		if (!tlb.mm || mm_fault(tlb.mm, vaddr, MM_EXEC, &pa, &pm))
			return false;
		e->paddr = pa;
		e->perms = UC_PROT_READ | UC_PROT_EXEC;
		codecache_exec_entry(vaddr, (frame_t)(pa >> PAGE_SHIFT));
		return true;
	}
	int access = type == UC_MEM_FETCH ? MM_EXEC : type == UC_MEM_WRITE ? MM_WRITE : MM_READ;
	uint64_t paddr;
	int perms;
	int r = tlb.mm ? mm_fault(tlb.mm, vaddr, access, &paddr, &perms) : -EFAULT;
	if (r) {
		tlb.tlb_refused = true;
		tlb.tlb_oom = r == -ENOMEM;
		return false;
	}
	if (!codecache_fill(vaddr, (frame_t)(paddr >> PAGE_SHIFT), access, &perms))
		return false;
	e->paddr = paddr;
	e->perms = (perms & MM_READ ? UC_PROT_READ : 0) | (perms & MM_WRITE ? UC_PROT_WRITE : 0) |
		   (perms & MM_EXEC ? UC_PROT_EXEC : 0);
	return true;
}

static void tlb_flush(struct mm *mm, bool dying)
{
	if (mm != tlb.mm)
		return;
	tlb.tlb_flushes++;
	cpu_tlb_flush();
	if (dying)
		tlb.mm = NULL; /* a new mm at the same address must not look current */
}

/* Drop translated code for a physical range. Unicorn takes a *virtual*
 * address here and translates it through the TLB, so translate identically
 * for the duration of the call, then flush those identity entries away. */
static void invalidate_code(uint64_t paddr, uint64_t len)
{
	tlb.code_invalidations++;
	if (tlb.inval_va) { /* a guest page that executes this frame: no flush */
		tlb.inval_fill = true;
		uc_ctl_remove_cache(tlb.uc, tlb.inval_va, tlb.inval_va + len);
		tlb.inval_fill = false;
		return;
	}
	tlb.identity_fill = true;
	uc_ctl_remove_cache(tlb.uc, paddr, paddr + len);
	tlb.identity_fill = false;
	cpu_tlb_flush();
}

void emu_switch_mm(struct mm *mm)
{
	if (mm == tlb.mm)
		return;
	tlb.mm = mm;
	cpu_tlb_flush();
}

/* After a fill refused by codecache_fill: flush the TLB or drop the frame's
 * translations, so that the refused instruction can run again. Returns
 * false when nothing was pending. */
static bool codecache_resolve(bool *unflushed)
{
	frame_t f;
	uint64_t va;
	switch (codecache_take(&f, &va)) {
	case CODECACHE_NONE:
		return false;
	case CODECACHE_FLUSH:
		cpu_tlb_flush();
		return true;
	case CODECACHE_INVALIDATE:
		break;
	}
	/* Is the storing instruction in the frame it stores into? It needs
	 * both rights at once (codecache.h). */
	bool self = false;
	uint64_t rip = emu_reg_read(EREG_RIP), paddr;
	int perms;
	for (uint64_t a = rip; a <= rip + 15 && !self && tlb.mm; a = (a & PAGE_MASK) + PAGE_SIZE)
		self = !mm_fault(tlb.mm, a, MM_EXEC, &paddr, &perms) && paddr >> PAGE_SHIFT == f;
	tlb.code_retries++;
	/* Drop its translations: through the stored-to page when it may also
	 * execute the frame (an RWX page: no TLB flush), else through an
	 * identity mapping, which flushes the TLB. */
	if (tlb.mm && !mm_fault(tlb.mm, va, MM_EXEC, &paddr, &perms) && paddr >> PAGE_SHIFT == f) {
		tlb.inval_va = va;
		*unflushed = true;
	}
	frame_before_host_write(f);
	tlb.inval_va = 0;
	if (frame_is_exec(f)) /* no invalidate hook (cannot happen in cloneemu) */
		cpu_tlb_flush();
	if (self)
		codecache_self_modifying(f);
	return true;
}

/* ---- translation buffer ----
 * Unicorn 2.1.1 crashes (tb_set_jmp_target on a block the flush freed) when
 * its translation buffer fills in the middle of a run and it flushes the
 * buffer itself; guests that keep rewriting code (a JIT, qemu-user) fill it
 * sooner. So the edge hook, which sees every newly translated block, adds up
 * an upper estimate of the buffer's use, and when it passes half the buffer
 * the run stops at the next block boundary and the emulator flushes between
 * runs (tb_flush_resolve), which is safe. */
#define TB_HOST_BYTES(guest_bytes) (1024u + 48u * (uint64_t)(guest_bytes))

static void hook_edge(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *user)
{
	tlb.tb_bytes += TB_HOST_BYTES(cur->size);
	if (tlb.tb_bytes > tlb.tb_limit && !tlb.tb_flush_pending) {
		tlb.tb_flush_pending = true;
		uc_emu_stop(uc);
	}
}

static bool tb_flush_resolve(void)
{
	if (!tlb.tb_flush_pending)
		return false;
	uc_ctl_flush_tb(tlb.uc);
	tlb.tb_bytes = 0;
	tlb.tb_flush_pending = false;
	tlb.tb_flushes++;
	return true;
}

bool cpu_tlb_resolve(bool *unflushed)
{
	return codecache_resolve(unflushed) | tb_flush_resolve();
}

void cpu_tlb_run_start(void)
{
	tlb.tlb_refused = false;
}

bool cpu_tlb_refused(bool *oom)
{
	if (oom)
		*oom = tlb.tlb_oom;
	return tlb.tlb_refused;
}

void cpu_tlb_stats(struct emu_stats *s)
{
	s->tlb_flushes = tlb.tlb_flushes;
	s->code_invalidations = tlb.code_invalidations;
	s->code_retries = tlb.code_retries;
	s->tb_flushes = tlb.tb_flushes;
}

uc_err cpu_tlb_init(uc_engine *uc, uint64_t tb_limit)
{
	uc_hook h;
	uc_err err;
	tlb.uc = uc;
	tlb.tb_limit = tb_limit;
	if ((err = uc_hook_add(uc, &h, UC_HOOK_TLB_FILL, hook_tlb_fill, NULL, 1, 0)) ||
	    (err = uc_hook_add(uc, &h, UC_HOOK_EDGE_GENERATED, hook_edge, NULL, 1, 0)))
		return err;
	mm_set_tlb_flush_hook(tlb_flush);
	frames_set_invalidate_hook(invalidate_code);
	return UC_ERR_OK;
}

void cpu_tlb_fini(void)
{
	mm_set_tlb_flush_hook(NULL);
	frames_set_invalidate_hook(NULL);
	tlb.uc = NULL;
	tlb.mm = NULL;
}
