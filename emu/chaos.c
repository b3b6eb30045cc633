/* --chaos in the emulator (see chaos.h). */
#include "emu/chaos.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "kernelmodel/frame.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/filemap.h"
#include "kernelmodel/sched_chaos.h"
#include "kernelmodel/shmem.h"
#include "kernelmodel/task.h"


static struct {
	bool hooks_on;
	bool suspended;
	bool stop_pending; /* preempt before the next instruction */
	uc_hook code, mem;
	struct {
		bool armed, confirmed, read_store;
		uint64_t paddr, vaddr, loaded, stored;
		int size;
	} split;
	struct decoded *cache;
	uint64_t last_addr;          /* the virtual address of the last step */
	int last_tid;                /* ... and whose it was */
} ch;

/* The memory hooks see physical addresses (virtual-TLB mode); what the
 * instruction meant comes from decoding it, once per address: a cache of
 * its explicit memory operands. */
#define DECODE_CACHE 4096
struct decoded {
	uint64_t rip;
	const struct mm *mm;
	int nops, len; /* nops -1: undecodable */
	struct emu_mem_op ops[2];
};

static const struct decoded *decode(struct task *t, uint64_t rip)
{
	if (!ch.cache && !(ch.cache = calloc(DECODE_CACHE, sizeof(*ch.cache))))
		return NULL;
	struct decoded *d = &ch.cache[(rip ^ (rip >> 12)) & (DECODE_CACHE - 1)];
	if (d->rip != rip || d->mm != t->mm || !d->len) {
		d->rip = rip;
		d->mm = t->mm;
		d->len = 1;
		d->nops = emu_decode_mem_ops(t, rip, d->ops, 2, &d->len);
	}
	return d;
}

/* The virtual address of the access at physical @paddr by the
 * instruction at @rip: 0 when it is none of its explicit operands (push,
 * call, ret: the stack). *@stack: addressed from rsp or rbp. */
static uint64_t access_vaddr(struct task *t, uint64_t rip, uint64_t paddr, bool *stack)
{
	const struct decoded *d = decode(t, rip);
	*stack = true;
	for (int i = 0; d && i < d->nops; i++) {
		const struct emu_mem_op *o = &d->ops[i];
		if (o->base == -2 || o->index == -2)
			continue;
		uint64_t a = (uint64_t)o->disp;
		a += o->rip_rel ? rip + (uint64_t)d->len : o->base >= 0 ? emu_reg_read(o->base) : 0;
		a += o->index >= 0 ? emu_reg_read(o->index) * (uint64_t)o->scale : 0;
		a += o->seg ? emu_reg_read(o->seg) : 0;
		if ((a & ~PAGE_MASK) == (paddr & ~PAGE_MASK)) {
			*stack = o->base == EREG_RSP || o->base == EREG_RBP;
			return a;
		}
	}
	return 0;
}

/* A LOCK prefix, or xchg with memory (locked implicitly): not split. */
static bool insn_locked(struct task *t, uint64_t rip)
{
	uint8_t b[15];
	if (copy_from_guest(t->mm, b, rip, sizeof(b)) &&
	    copy_from_guest(t->mm, b, rip, 1))
		return true;
	for (int i = 0; i < 15; i++) {
		switch (b[i]) {
		case 0xf0:
			return true;
		case 0x66: case 0x67: case 0x2e: case 0x3e: case 0x26: case 0x64: case 0x65:
		case 0x36: case 0xf2: case 0xf3:
			continue;
		}
		if ((b[i] & 0xf0) == 0x40)
			continue; /* REX */
		return b[i] == 0x86 || b[i] == 0x87;
	}
	return true;
}

/* Take the task off the CPU before the next instruction. A split
 * instruction's store is undone now and made when the task runs again. */
static void preempt_now(void)
{
	struct task *t = emu_current_task();
	ch.stop_pending = false;
	if (ch.split.read_store && t &&
	    copy_from_guest(t->mm, &ch.split.stored, ch.split.vaddr, (size_t)ch.split.size))
		ch.split.confirmed = false;
	if (ch.split.confirmed && t) {
		if (!copy_to_guest(t->mm, ch.split.vaddr, &ch.split.loaded, (size_t)ch.split.size)) {
			t->chaos_store_addr = ch.split.vaddr;
			t->chaos_store_val = ch.split.stored;
			t->chaos_store_size = ch.split.size;
		}
	}
	ch.split.armed = ch.split.confirmed = ch.split.read_store = false;
	emu_preempt();
}

/* Does another process map the page at @vaddr through a MAP_SHARED
 * mapping (each VMA holds a reference on its shmem or file pages; a System
 * V segment one more of its own)? */
static bool shared_with_another(const struct mm *mm, uint64_t vaddr)
{
	const struct vma *v = mm_find_vma(mm, vaddr);
	if (!v || !(v->flags & VMA_SHARED) || vaddr < v->start)
		return false;
	if (v->shm)
		return v->shm->refcount > (v->shm->owner ? 2 : 1);
	return v->pages && v->pages->refcount > 1;
}

static void hook_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	if (ch.suspended)
		return;
	if (ch.stop_pending) {
		preempt_now();
		return;
	}
	if (sched_chaos_points() != CHAOS_UNIFORM)
		return;
	struct task *t = emu_current_task();
	int r = sched_chaos_step(t, CHAOS_INSN, 0);
	if (r)
		sched_chaos_note(t, CHAOS_INSN, r & CHAOS_STEP_CHANGE, addr, 0, 0, 0, false);
	if (!(r & CHAOS_STEP_CHANGE))
		return;
	/* A read-modify-write without LOCK of memory other tasks share
	 * (CLONE_VM, or a MAP_SHARED page another process maps): split it
	 * (load now, store when the task runs again). */
	const struct decoded *d = t->mm ? decode(t, addr) : NULL;
	for (int i = 0; d && i < d->nops; i++) {
		const struct emu_mem_op *o = &d->ops[i];
		bool stack;
		if (o->access != 3 || o->size > 8 || o->size < 1 || o->base == -2 || o->index == -2 ||
		    o->base == EREG_RSP || o->base == EREG_RBP || insn_locked(t, addr))
			continue;
		uint64_t va = (uint64_t)o->disp;
		va += o->rip_rel ? addr + (uint64_t)d->len : o->base >= 0 ? emu_reg_read(o->base) : 0;
		va += o->index >= 0 ? emu_reg_read(o->index) * (uint64_t)o->scale : 0;
		va += o->seg ? emu_reg_read(o->seg) : 0;
		(void)stack;
		if (t->mm->refcount < 2 && !shared_with_another(t->mm, va))
			continue;
		ch.split.loaded = 0;
		if (copy_from_guest(t->mm, &ch.split.loaded, va, (size_t)o->size))
			break;
		ch.split.vaddr = va;
		ch.split.size = o->size;
		ch.split.confirmed = ch.split.read_store = true;
		ch.stop_pending = true; /* after it */
		return;
	}
	preempt_now(); /* before this instruction */
}

/* @addr is physical. */
static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		     void *user)
{
	struct task *t = emu_current_task();
	bool write = type == UC_MEM_WRITE;
	if (!t || ch.suspended)
		return;
	if (ch.split.armed && write && addr == ch.split.paddr && size == ch.split.size) {
		ch.split.armed = false;
		ch.split.confirmed = true;
		ch.split.stored = size == 8 ? (uint64_t)value
					    : (uint64_t)value & ((1ull << (8 * size)) - 1);
	}
	bool watched = sched_chaos_watched(addr);
	bool uniform = sched_chaos_points() == CHAOS_UNIFORM;
	/* Memory another live task can reach: a CLONE_VM mm's, but for the
	 * task's own stack (locals, addressed from rsp or rbp); or a page of
	 * a MAP_SHARED mapping (shmem, System V shm, a shared file) another
	 * process maps too. A frame only this mapping holds is neither. */
	bool clone_vm = t->mm && t->mm->refcount > 1;
	if (!clone_vm && !watched && !(t->mm && frame_refcount((frame_t)(addr >> PAGE_SHIFT)) > 1))
		return;
	uint64_t rip = emu_reg_read(EREG_RIP);
	bool stack;
	uint64_t vaddr = access_vaddr(t, rip, addr, &stack);
	bool reach = vaddr && !stack && (clone_vm || shared_with_another(t->mm, vaddr));
	if (!reach && !watched)
		return;
	int r = 0;
	/* A run of accesses to other places of one page (a memset, a struct
	 * filled in) is one step: its first access. The same place again (a
	 * counter, a flag polled) is a step each time. */
	if (!uniform && reach &&
	    ((vaddr ^ ch.last_addr) >= PAGE_SIZE || vaddr == ch.last_addr || t->tid != ch.last_tid)) {
		ch.last_addr = vaddr;
		ch.last_tid = t->tid;
		r = sched_chaos_step(t, CHAOS_MEM, addr);
	}
	if (chaos_tracing && reach)
		watched = true;
	if (!r && !watched)
		return;
	if ((r & CHAOS_STEP_CHANGE) && !ch.stop_pending) {
		ch.stop_pending = true;
		/* The load of a read-modify-write: split it from its store. */
		if (!write && size <= 8 && !insn_locked(t, rip)) {
			ch.split.loaded = 0;
			if (!copy_from_guest(t->mm, &ch.split.loaded, vaddr, (size_t)size)) {
				ch.split.armed = true;
				ch.split.paddr = addr;
				ch.split.vaddr = vaddr;
				ch.split.size = size;
			}
		}
	}
	sched_chaos_note(t, CHAOS_MEM, r & CHAOS_STEP_CHANGE, rip, addr, vaddr, size, write);
}

static void request_preempt(void)
{
	if (ch.hooks_on)
		ch.stop_pending = true;
}

void chaos_init(void)
{
	sched_chaos_set_preempt_hook(request_preempt);
}

void chaos_suspend(bool suspended)
{
	ch.suspended = suspended;
}

void chaos_syscall(struct task *t)
{
	if (!chaos_enabled || ch.suspended || sched_chaos_points() != CHAOS_SHARED)
		return;
	int r = sched_chaos_step(t, CHAOS_SYSCALL, 0);
	if (r)
		sched_chaos_note(t, CHAOS_SYSCALL, r & CHAOS_STEP_CHANGE, emu_reg_read(EREG_RIP), 0,
				 0, 0, false);
	if (r & CHAOS_STEP_CHANGE)
		ch.stop_pending = true; /* after the syscall */
}

void chaos_before_run(struct task *t, uint64_t slice)
{
	if (!chaos_enabled)
		return;
	uc_engine *uc = emu_engine();
	bool want = slice != 0;
	if (want && !ch.hooks_on) {
		bool ok = !uc_hook_add(uc, &ch.code, UC_HOOK_CODE, hook_code, NULL, 1, 0);
		if (ok && (sched_chaos_points() == CHAOS_SHARED || sched_chaos_tracemem()) &&
		    uc_hook_add(uc, &ch.mem, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, hook_mem, NULL, 1,
				0)) {
			uc_hook_del(uc, ch.code);
			ok = false;
		}
		ch.hooks_on = ok;
		/* Blocks translated before carry no calls to the new hooks. */
		uc_ctl_flush_tb(uc);
	} else if (!want && ch.hooks_on) {
		uc_hook_del(uc, ch.code);
		if (sched_chaos_points() == CHAOS_SHARED || sched_chaos_tracemem())
			uc_hook_del(uc, ch.mem);
		ch.hooks_on = false;
		uc_ctl_flush_tb(uc);
	}
	ch.split.armed = ch.split.confirmed = false;
	ch.stop_pending = false;
	/* The store half of an instruction split when it was preempted. */
	if (t->chaos_store_size) {
		copy_to_guest(t->mm, t->chaos_store_addr, &t->chaos_store_val,
			      (size_t)t->chaos_store_size);
		t->chaos_store_size = 0;
	}
	/* Someone more important became runnable while this task could not
	 * be preempted (a clone, a wake-up in a syscall). */
	if (sched_chaos_run(t) && ch.hooks_on)
		ch.stop_pending = true;
}
