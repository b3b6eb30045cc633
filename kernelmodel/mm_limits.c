/* The address-space limits of mm/mmap.c: RLIMIT_AS and RLIMIT_DATA
 * (may_expand_vm, check_data_rlimit) and the growth of a VM_GROWSDOWN
 * mapping on a fault below it (expand_downwards, acct_stack_growth:
 * RLIMIT_STACK, the stack guard gap). The limits are the current task's,
 * as Linux's rlimit() reads current->signal; the task layer installs the
 * hook that answers for it. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kernelmodel/mm.h"

static uint64_t (*rlimit_hook)(int resource, bool max);

void mm_set_rlimit_hook(uint64_t (*hook)(int resource, bool max))
{
	rlimit_hook = hook;
}

uint64_t mm_rlimit(int resource)
{
	return rlimit_hook ? rlimit_hook(resource, false) : RLIM_INFINITY;
}

static uint64_t rlimit_max(int resource)
{
	return rlimit_hook ? rlimit_hook(resource, true) : RLIM_INFINITY;
}

/* is_data_mapping(): private, writable and not a stack. */
bool mm_is_data(int prot, int vma_flags)
{
	return (prot & PROT_WRITE) && !(vma_flags & (VMA_SHARED | VMA_GROWSDOWN));
}

/* total_vm and data_vm in pages (Linux keeps them as counters; the model
 * sums the VMAs, only when a limit is finite). */
static void vm_pages(const struct mm *mm, uint64_t *total, uint64_t *data)
{
	*total = *data = 0;
	for (size_t i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		uint64_t n = (v->end - v->start) >> PAGE_SHIFT;
		*total += n;
		if (mm_is_data(v->prot, v->flags))
			*data += n;
	}
}

bool mm_may_expand_vm(const struct mm *mm, int prot, int vma_flags, uint64_t npages)
{
	uint64_t as = mm_rlimit(RLIMIT_AS), data_lim = mm_rlimit(RLIMIT_DATA);
	bool data = mm_is_data(prot, vma_flags);
	if (as == RLIM_INFINITY && (!data || data_lim == RLIM_INFINITY))
		return true;
	uint64_t total, dvm;
	vm_pages(mm, &total, &dvm);
	if (as != RLIM_INFINITY && total + npages > as >> PAGE_SHIFT)
		return false;
	/* Linux lets RLIMIT_DATA 0 pass up to the hard limit (valgrind's
	 * workaround) and otherwise refuses (ignore_rlimit_data is off). */
	if (data && data_lim != RLIM_INFINITY && dvm + npages > data_lim >> PAGE_SHIFT) {
		uint64_t max = rlimit_max(RLIMIT_DATA);
		if (data_lim == 0 && (max == RLIM_INFINITY || dvm + npages <= max >> PAGE_SHIFT))
			return true;
		return false;
	}
	return true;
}

bool mm_brk_over_data_limit(const struct mm *mm, gva_t brk)
{
	uint64_t lim = mm_rlimit(RLIMIT_DATA);
	return lim != RLIM_INFINITY &&
	       (brk - mm->start_brk) + (mm->end_data - mm->start_data) > lim;
}

struct vma *mm_expand_stack(struct mm *mm, gva_t addr)
{
	/* The first VMA ending above @addr: it must start above it and grow down. */
	size_t i = 0;
	while (i < mm->nvmas && mm->vmas[i].end <= addr)
		i++;
	if (i >= mm->nvmas)
		return NULL;
	struct vma *v = &mm->vmas[i];
	if (!(v->flags & VMA_GROWSDOWN) || v->start <= addr)
		return NULL;
	gva_t start = addr & PAGE_MASK;
	if (start < MMAP_MIN_ADDR)
		return NULL;
	/* The stack guard gap below it, unless the neighbour is another stack
	 * or inaccessible. */
	if (i > 0) {
		const struct vma *p = &mm->vmas[i - 1];
		if (!(p->flags & VMA_GROWSDOWN) && p->prot != PROT_NONE &&
		    start - p->end < STACK_GUARD_GAP)
			return NULL;
	}
	/* acct_stack_growth(). */
	if (!mm_may_expand_vm(mm, v->prot, v->flags, (v->start - start) >> PAGE_SHIFT))
		return NULL;
	if (v->end - start > mm_rlimit(RLIMIT_STACK))
		return NULL;
	if (v->flags & VMA_ANON)
		v->pgoff -= v->start - start;
	v->start = start;
	return v;
}

gva_t mm_mmap_base(uint64_t rlim_stack, uint64_t rnd)
{
	/* arch/x86/mm/mmap.c mmap_base() (no stack randomization pad). */
	uint64_t gap = rlim_stack, pad = STACK_GUARD_GAP;
	if (gap + pad > gap)
		gap += pad;
	if (gap < (128ul << 20))
		gap = 128ul << 20;
	else if (gap > TASK_SIZE / 6 * 5)
		gap = TASK_SIZE / 6 * 5;
	return PAGE_ALIGN(TASK_SIZE - gap - rnd);
}
