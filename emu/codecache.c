#include "emu/codecache.h"

#include <stdlib.h>

#include "kernelmodel/mm.h"

/* Per frame: in which TLB generation an entry that can execute / write it
 * was last installed, and for which virtual page (MANY: more than one).
 * A generation ends with every TLB flush. Allocated for the whole pool but
 * touched only for frames the CPU maps (calloc'd pages stay untouched). */
#define MANY 1ull /* never a page address */

struct cc_frame {
	uint32_t xgen, wgen, selfgen;
	uint64_t xva, wva;
};

static struct {
	struct cc_frame *f;
	uint64_t n;
	uint32_t gen;
	enum codecache_action pending;
	frame_t pending_frame;
	uint64_t pending_va;
	uint64_t refusals;
} cc;

int codecache_init(uint64_t nframes)
{
	free(cc.f);
	cc.f = calloc(nframes, sizeof(*cc.f));
	if (!cc.f)
		return -1;
	cc.n = nframes;
	cc.gen = 1;
	cc.pending = CODECACHE_NONE;
	cc.refusals = 0;
	return 0;
}

void codecache_fini(void)
{
	free(cc.f);
	cc.f = NULL;
	cc.n = 0;
}

void codecache_tlb_flushed(void)
{
	if (++cc.gen == 0) { /* wrapped: forget every record rather than alias one */
		for (uint64_t i = 0; i < cc.n; i++)
			cc.f[i] = (struct cc_frame){0};
		cc.gen = 1;
	}
}

static void record(uint32_t *gen, uint64_t *va, uint64_t page)
{
	*va = *gen == cc.gen && *va != page ? MANY : page;
	*gen = cc.gen;
}

static bool refuse(enum codecache_action a, frame_t f, uint64_t page)
{
	cc.pending = a;
	cc.pending_frame = f;
	cc.pending_va = page;
	cc.refusals++;
	return false;
}

bool codecache_fill(uint64_t va, frame_t f, int access, int *perms)
{
	if (!cc.f || f >= cc.n || f == ZERO_FRAME)
		return true; /* the zero frame is never writable */
	struct cc_frame *c = &cc.f[f];
	uint64_t page = va & PAGE_MASK;
	bool combined = c->selfgen == cc.gen;
	if (!combined && (*perms & MM_WRITE) && (*perms & MM_EXEC))
		*perms &= access == MM_EXEC ? ~MM_WRITE : ~MM_EXEC;
	if (!combined && (*perms & MM_EXEC) && c->wgen == cc.gen && c->wva != page)
		return refuse(CODECACHE_FLUSH, f, page); /* an entry elsewhere can write it */
	if (!combined && (*perms & MM_WRITE) && frame_is_exec(f))
		return refuse(CODECACHE_INVALIDATE, f, page); /* it may hold translations */
	if (!combined && (*perms & MM_WRITE) && c->xgen == cc.gen && c->xva != page)
		return refuse(CODECACHE_FLUSH, f, page); /* an entry elsewhere can execute it */
	if (*perms & MM_EXEC) {
		frame_mark_exec(f);
		record(&c->xgen, &c->xva, page);
	}
	if (*perms & MM_WRITE)
		record(&c->wgen, &c->wva, page);
	return true;
}

enum codecache_action codecache_take(frame_t *f, uint64_t *va)
{
	enum codecache_action a = cc.pending;
	*f = cc.pending_frame;
	*va = cc.pending_va;
	cc.pending = CODECACHE_NONE;
	return a;
}

void codecache_exec_entry(uint64_t va, frame_t f)
{
	if (cc.f && f < cc.n)
		record(&cc.f[f].xgen, &cc.f[f].xva, va & PAGE_MASK);
}

void codecache_self_modifying(frame_t f)
{
	if (cc.f && f < cc.n)
		cc.f[f].selfgen = cc.gen;
}

uint64_t codecache_refusals(void)
{
	return cc.refusals;
}
