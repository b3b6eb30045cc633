/* struct mm: VMAs, the page table, demand paging and copy-on-write.
 *
 * Page table: four levels of 512 entries (x86_64's 9+9+9+9+12 split). Upper
 * levels hold host pointers to the next table; a leaf PTE holds
 *   frame << PAGE_SHIFT | PTE_PRESENT [| PTE_COW]
 * Permissions are not stored in PTEs: they come from the VMA at fill time, so
 * mprotect only edits VMAs and flushes the TLB. PTE_COW marks a frame that
 * may be shared with another mm (or is the zero page): the first write copies
 * it, or just takes it when this mm holds the only reference (xv6's uvmcopy
 * turned copy-on-write, STYLE.md K7). */
#include "kernelmodel/mm.h"
#include "kernelmodel/filemap.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pagecache.h"
#include "kernelmodel/shmem.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#define PTE_PRESENT 0x1ull
#define PTE_COW 0x2ull
#define PTE_FRAME(pte) ((frame_t)((pte) >> PAGE_SHIFT))
#define PT_ENTRIES 512

static void (*tlb_flush_hook)(struct mm *mm, bool dying);

void mm_set_tlb_flush_hook(void (*hook)(struct mm *mm, bool dying))
{
	tlb_flush_hook = hook;
}

static void flush_tlb(struct mm *mm)
{
	if (tlb_flush_hook)
		tlb_flush_hook(mm, false);
}

/* ---- page table ---- */

static inline unsigned pt_index(gva_t addr, int level)
{
	return (addr >> (PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

/* The leaf PTE slot for @addr, allocating intermediate tables if @create.
 * NULL if absent (or on ENOMEM with @create). */
static uint64_t *pte_slot(struct mm *mm, gva_t addr, bool create)
{
	uint64_t *table = mm->pgd;
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &table[pt_index(addr, level)];
		if (!*e) {
			if (!create)
				return NULL;
			uint64_t *next = calloc(PT_ENTRIES, sizeof(uint64_t));
			if (!next)
				return NULL;
			*e = (uint64_t)(uintptr_t)next;
		}
		table = (uint64_t *)(uintptr_t)*e;
	}
	return &table[pt_index(addr, 0)];
}

/* Call @fn on every present PTE in [start, end), skipping absent tables so
 * that huge sparse reservations cost what is mapped, not their size. */
typedef void (*pte_fn)(struct mm *mm, gva_t addr, uint64_t *pte, void *arg);

static void pt_walk_level(struct mm *mm, uint64_t *table, int level, gva_t base, gva_t start,
			  gva_t end, pte_fn fn, void *arg)
{
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * level);
	for (unsigned i = pt_index(start > base ? start : base, level); i < PT_ENTRIES; i++) {
		gva_t lo = base + i * span;
		if (lo >= end)
			break;
		if (!table[i])
			continue;
		if (level == 0)
			fn(mm, lo, &table[i], arg);
		else
			pt_walk_level(mm, (uint64_t *)(uintptr_t)table[i], level - 1, lo, start, end, fn,
				      arg);
	}
}

static void pt_walk(struct mm *mm, gva_t start, gva_t end, pte_fn fn, void *arg)
{
	if (start < end)
		pt_walk_level(mm, mm->pgd, 3, 0, start, end, fn, arg);
}

static void pt_free_level(uint64_t *table, int level)
{
	if (level > 0)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (table[i])
				pt_free_level((uint64_t *)(uintptr_t)table[i], level - 1);
	free(table);
}

/* @arg: NULL, or a counter of the PTEs dropped. */
static void drop_pte(struct mm *mm, gva_t addr, uint64_t *pte, void *arg)
{
	frame_put(PTE_FRAME(*pte));
	*pte = 0;
	if (arg)
		(*(uint64_t *)arg)++;
}

static void count_pte(struct mm *mm, gva_t addr, uint64_t *pte, void *arg)
{
	(*(uint64_t *)arg)++;
}

/* Counts the PTEs of private pages written (or inherited) so far: what
 * gives an anonymous VMA its anon_vma in Linux. */
static void count_anon_pte(struct mm *mm, gva_t addr, uint64_t *pte, void *arg)
{
	if (PTE_FRAME(*pte) != ZERO_FRAME)
		(*(uint64_t *)arg)++;
}

uint64_t mm_resident_pages(const struct mm *mm)
{
	uint64_t n = 0;
	pt_walk((struct mm *)mm, 0, TASK_SIZE, count_pte, &n);
	return n;
}

/* ---- VMA list (sorted array) ---- */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void vma_free_fields(struct vma *v)
{
	free(v->name);
	v->name = NULL;
	shmem_put(v->shm);
	v->shm = NULL;
	mapping_put(v->mapping);
	v->mapping = NULL;
	inode_pages_put(v->pages, !(v->flags & VMA_NOWRITE));
	v->pages = NULL;
}

/* Duplicate the owned fields of @v into @c (a bitwise copy). 0 or -ENOMEM. */
static int vma_copy_fields(struct vma *c, const struct vma *v)
{
	c->name = xstrdup(v->name);
	if (v->name && !c->name)
		return -ENOMEM;
	if (v->shm)
		shmem_get(v->shm);
	if (v->mapping)
		mapping_get(v->mapping);
	if (v->pages)
		inode_pages_get(v->pages, !(v->flags & VMA_NOWRITE));
	return 0;
}

/* Index of the first VMA with end > addr (nvmas if none). */
static size_t vma_lower_bound(const struct mm *mm, gva_t addr)
{
	size_t lo = 0, hi = mm->nvmas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mm->vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct vma *mm_find_vma(const struct mm *mm, gva_t addr)
{
	size_t i = vma_lower_bound(mm, addr);
	if (i < mm->nvmas && mm->vmas[i].start <= addr)
		return &mm->vmas[i];
	return NULL;
}

static int vma_reserve(struct mm *mm, size_t extra)
{
	if (mm->nvmas + extra <= mm->cap)
		return 0;
	size_t cap = mm->cap ? mm->cap * 2 : 16;
	while (cap < mm->nvmas + extra)
		cap *= 2;
	struct vma *v = realloc(mm->vmas, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mm->vmas = v;
	mm->cap = cap;
	return 0;
}

static int vma_insert_at(struct mm *mm, size_t i, const struct vma *v)
{
	if (vma_reserve(mm, 1))
		return -ENOMEM;
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nvmas - i) * sizeof(*v));
	mm->vmas[i] = *v;
	mm->nvmas++;
	return 0;
}

static void vma_remove_at(struct mm *mm, size_t i)
{
	vma_free_fields(&mm->vmas[i]);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nvmas - i - 1) * sizeof(struct vma));
	mm->nvmas--;
}

/* Split the VMA containing @addr (if any, and if @addr is inside it) so that
 * a VMA boundary lies at @addr. */
static int vma_split(struct mm *mm, gva_t addr)
{
	size_t i = vma_lower_bound(mm, addr);
	if (i >= mm->nvmas || mm->vmas[i].start >= addr)
		return 0;
	struct vma hi = mm->vmas[i];
	hi.start = addr;
	hi.pgoff += addr - mm->vmas[i].start;
	hi.shm_pgoff += (addr - mm->vmas[i].start) >> PAGE_SHIFT;
	if (vma_copy_fields(&hi, &mm->vmas[i]))
		return -ENOMEM;
	if (vma_insert_at(mm, i + 1, &hi)) {
		vma_free_fields(&hi);
		return -ENOMEM;
	}
	mm->vmas[i].end = addr;
	return 0;
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Merge VMA i with i+1 when they are contiguous and alike. */
static void vma_try_merge(struct mm *mm, size_t i)
{
	if (i + 1 >= mm->nvmas)
		return;
	struct vma *a = &mm->vmas[i], *b = &mm->vmas[i + 1];
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    !same_name(a->name, b->name) || a->dev != b->dev || a->ino != b->ino)
		return;
	if (a->pgoff + (a->end - a->start) != b->pgoff || a->shm != b->shm ||
	    a->mapping != b->mapping || a->pages != b->pages)
		return;
	if (a->shm && a->shm_pgoff + ((a->end - a->start) >> PAGE_SHIFT) != b->shm_pgoff)
		return;
	a->end = b->end;
	vma_remove_at(mm, i + 1);
}

static void vma_merge_around(struct mm *mm, gva_t start, gva_t end)
{
	size_t i = vma_lower_bound(mm, start);
	if (i > 0)
		i--;
	while (i < mm->nvmas && mm->vmas[i].start <= end) {
		size_t before = mm->nvmas;
		vma_try_merge(mm, i);
		if (mm->nvmas == before)
			i++;
	}
}

/* Remove [start, end) from the VMA list and drop its pages. */
static int do_munmap(struct mm *mm, gva_t start, gva_t end)
{
	if (vma_split(mm, start) || vma_split(mm, end))
		return -ENOMEM;
	size_t i = vma_lower_bound(mm, start);
	while (i < mm->nvmas && mm->vmas[i].start < end)
		vma_remove_at(mm, i);
	/* The CPU caches only pages that were present: nothing to flush
	 * when none was (ld.so's MAP_FIXED segments over its reservation). */
	uint64_t dropped = 0;
	pt_walk(mm, start, end, drop_pte, &dropped);
	if (dropped)
		flush_tlb(mm);
	return 0;
}

static bool range_is_free(const struct mm *mm, gva_t start, gva_t end)
{
	size_t i = vma_lower_bound(mm, start);
	return i >= mm->nvmas || mm->vmas[i].start >= end;
}

/* Pages of [start, end) that VMAs map. */
static uint64_t mapped_pages(const struct mm *mm, gva_t start, gva_t end)
{
	uint64_t n = 0;
	for (size_t i = vma_lower_bound(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		gva_t s = mm->vmas[i].start > start ? mm->vmas[i].start : start;
		gva_t e = mm->vmas[i].end < end ? mm->vmas[i].end : end;
		n += (e - s) >> PAGE_SHIFT;
	}
	return n;
}

/* Top-down search for a free range of @len below mm->mmap_base. */
static long get_unmapped_area(struct mm *mm, uint64_t len)
{
	gva_t hi = mm->mmap_base;
	for (size_t k = mm->nvmas; k-- > 0;) {
		const struct vma *v = &mm->vmas[k];
		if (v->start >= hi)
			continue;
		if (v->end <= hi && hi - v->end >= len)
			return (long)(hi - len);
		hi = v->start;
	}
	if (hi >= MMAP_MIN_ADDR && hi - MMAP_MIN_ADDR >= len)
		return (long)(hi - len);
	return -ENOMEM;
}

/* ---- object lifetime ---- */

static struct mm *all_mms; /* every live mm, newest first */

struct mm *mm_alloc(void)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pgd = calloc(PT_ENTRIES, sizeof(uint64_t));
	if (!mm->pgd) {
		free(mm);
		return NULL;
	}
	mm->refcount = 1; /* the caller's */
	mm->dumpable = 1; /* SUID_DUMP_USER */
	mm->mmap_base = MMAP_BASE;
	mm->all_next = all_mms;
	if (all_mms)
		all_mms->all_prev = mm;
	all_mms = mm;
	return mm;
}

struct mm *mm_get(struct mm *mm)
{
	mm->refcount++;
	return mm;
}

void mm_put(struct mm *mm)
{
	if (!mm || --mm->refcount > 0)
		return;
	if (tlb_flush_hook)
		tlb_flush_hook(mm, true);
	if (mm->exe_denied)
		inode_allow_write_access(mm->exe_dev, mm->exe_ino);
	pt_walk(mm, 0, TASK_SIZE, drop_pte, NULL);
	pt_free_level(mm->pgd, 3);
	for (size_t i = 0; i < mm->nvmas; i++)
		vma_free_fields(&mm->vmas[i]);
	free(mm->vmas);
	if (mm->all_prev)
		mm->all_prev->all_next = mm->all_next;
	else
		all_mms = mm->all_next;
	if (mm->all_next)
		mm->all_next->all_prev = mm->all_prev;
	free(mm);
}

struct dup_arg {
	struct mm *new;
	const struct vma *vma;
	int err;
};

/* Share one present page with the child: MAP_SHARED pages stay writable in
 * both; private ones become COW in both (the parent's TLB is flushed after). */
static void dup_pte(struct mm *old, gva_t addr, uint64_t *pte, void *arg)
{
	struct dup_arg *d = arg;
	if (d->err)
		return;
	uint64_t *slot = pte_slot(d->new, addr, true);
	if (!slot) {
		d->err = -ENOMEM;
		return;
	}
	if (!(d->vma->flags & VMA_SHARED))
		*pte |= PTE_COW;
	frame_get(PTE_FRAME(*pte));
	*slot = *pte;
}

struct mm *mm_dup(struct mm *old)
{
	struct mm *mm = mm_alloc();
	if (!mm)
		return NULL;
	if (vma_reserve(mm, old->nvmas))
		goto fail;
	mm->dumpable = old->dumpable;
	mm->thp_disable = old->thp_disable;
	mm->start_brk = old->start_brk;
	mm->start_data = old->start_data;
	mm->end_data = old->end_data;
	mm->brk = old->brk;
	mm->mmap_base = old->mmap_base;
	mm->start_stack = old->start_stack;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	if (old->exe_denied)
		mm_set_exe(mm, old->exe_dev, old->exe_ino); /* cannot fail: no writer exists */
	for (size_t i = 0; i < old->nvmas; i++) {
		const struct vma *v = &old->vmas[i];
		if (v->flags & VMA_DONTFORK)
			continue;
		struct vma c = *v;
		c.flags &= ~VMA_LOCKED; /* memory locks are not inherited (dup_mmap) */
		if (vma_copy_fields(&c, v))
			goto fail;
		mm->vmas[mm->nvmas++] = c;
		if (v->flags & VMA_WIPEONFORK)
			continue;
		struct dup_arg d = {mm, v, 0};
		pt_walk(old, v->start, v->end, dup_pte, &d);
		if (d.err)
			goto fail;
	}
	flush_tlb(old); /* its private pages just lost write access */
	return mm;
fail:
	flush_tlb(old);
	mm_put(mm);
	return NULL;
}

int mm_set_exe(struct mm *mm, uint64_t dev, uint64_t ino)
{
	int r = inode_deny_write_access(dev, ino);
	if (r)
		return r;
	if (mm->exe_denied)
		inode_allow_write_access(mm->exe_dev, mm->exe_ino);
	mm->exe_dev = dev;
	mm->exe_ino = ino;
	mm->exe_denied = true;
	return 0;
}

/* ---- faults ---- */

static int vma_perms(const struct vma *v)
{
	int p = 0;
	if (v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		p |= MM_READ; /* x86: any access right implies read */
	if (v->prot & PROT_WRITE)
		p |= MM_WRITE;
	if (v->prot & PROT_EXEC)
		p |= MM_EXEC;
	return p;
}

/* The core of every translation. @force: kernel access ignoring protection
 * (still needs a VMA). *@changed is set when an already present PTE now
 * points at another frame (the CPU's TLB may hold the old one). */
static int do_fault(struct mm *mm, gva_t addr, int access, bool force, uint64_t *paddr, int *perms,
		    bool *changed)
{
	const struct vma *v = mm_find_vma(mm, addr);
	if (!v && !force)
		v = mm_expand_stack(mm, addr);
	if (!v) {
		mm->last_fault = (struct mm_fault_info){addr, access, 1 /* SEGV_MAPERR */};
		return -EFAULT;
	}
	int allowed = vma_perms(v);
	if (!force && (access & ~allowed)) {
		mm->last_fault = (struct mm_fault_info){addr, access, 2 /* SEGV_ACCERR */};
		return -EACCES;
	}
	/* A forced write (FOLL_FORCE) into a shared mapping that may not be
	 * written: Linux refuses it (there is no private copy to make). */
	if ((access & MM_WRITE) && !(allowed & MM_WRITE) && v->pages)
		return -EFAULT;
	uint64_t *pte = pte_slot(mm, addr, true);
	if (!pte)
		return -ENOMEM;
	gva_t fault_addr = addr;
	addr &= PAGE_MASK;
	bool was_present = *pte & PTE_PRESENT;
	if (!was_present) {
		if (v->shm) {
			frame_t f;
			if (shmem_frame(v->shm, v->shm_pgoff + ((addr - v->start) >> PAGE_SHIFT), &f))
				return -ENOMEM;
			frame_get(f);
			*pte = (uint64_t)f << PAGE_SHIFT | PTE_PRESENT;
		} else if (v->pages) {
			/* The file's own page (a host mapping of it): shared,
			 * never copied. Wholly past EOF: SIGBUS. */
			frame_t f;
			int r = inode_pages_fault(v->pages, v->pgoff + (addr - v->start), &f);
			if (r == -EFAULT || r == -EIO) {
				mm->last_fault = (struct mm_fault_info){fault_addr, access,
									2 /* BUS_ADRERR */, true};
				return -EFAULT;
			}
			if (r)
				return r;
			if (allowed & MM_EXEC)
				v->pages->exec = true;
			*pte = (uint64_t)f << PAGE_SHIFT | PTE_PRESENT;
		} else if (v->mapping) {
			/* The page cache's frame, shared: a write copies it
			 * below (do_cow_fault). A page wholly after EOF or
			 * one the host cannot read is SIGBUS, as in Linux. */
			frame_t f;
			int r = filemap_fault(v->mapping, v->pgoff + (addr - v->start), &f);
			if (r == -EFAULT || r == -EIO) {
				mm->last_fault = (struct mm_fault_info){fault_addr, access,
									2 /* BUS_ADRERR */, true};
				return -EFAULT;
			}
			if (r)
				return r;
			*pte = (uint64_t)f << PAGE_SHIFT | PTE_PRESENT | PTE_COW;
		} else if ((access & MM_WRITE) || (v->flags & VMA_SHARED)) {
			frame_t f = frame_alloc();
			if (!f)
				return -ENOMEM;
			*pte = (uint64_t)f << PAGE_SHIFT | PTE_PRESENT;
		} else {
			*pte = (uint64_t)ZERO_FRAME << PAGE_SHIFT | PTE_PRESENT | PTE_COW;
		}
	}
	if ((access & MM_WRITE) && (*pte & PTE_COW)) {
		frame_t old = PTE_FRAME(*pte);
		/* A file frame is the file's: a private writer always copies. */
		if (old != ZERO_FRAME && frame_refcount(old) == 1 && !frame_is_file(old)) {
			*pte &= ~PTE_COW; /* last user: take it */
			frames_count_cow(0);
		} else {
			frame_t f = frame_alloc();
			if (!f) {
				if (!was_present) {
					frame_put(old);
					*pte = 0;
				}
				return -ENOMEM;
			}
			if (old != ZERO_FRAME) {
				memcpy(frame_ptr(f), frame_ptr(old), PAGE_SIZE);
				mm->pages_copied++;
				frames_count_cow(1);
			}
			frame_put(old);
			*pte = (uint64_t)f << PAGE_SHIFT | PTE_PRESENT;
			*changed |= was_present;
		}
	}
	frame_t f = PTE_FRAME(*pte);
	if (*pte & PTE_COW)
		allowed &= ~MM_WRITE;
	*paddr = frame_paddr(f);
	*perms = allowed;
	return 0;
}

int mm_fault(struct mm *mm, gva_t addr, int access, uint64_t *paddr, int *perms)
{
	bool changed = false;
	if (addr >= TASK_SIZE) {
		mm->last_fault = (struct mm_fault_info){addr, access, 1};
		return -EFAULT;
	}
	/* The CPU replaces its entry for this page itself: no flush needed.
	 * The caller marks the frame executable (frame_mark_exec) when it
	 * installs an entry that can fetch from it: the emulator's TLB-fill
	 * hook may grant less than *perms (emu/cpu.c). */
	return do_fault(mm, addr, access, false, paddr, perms, &changed);
}

/* Walk guest memory page by page for a kernel-side copy. */
static int guest_copy(struct mm *mm, gva_t addr, void *buf, size_t n, int access, bool force)
{
	bool changed = false;
	int ret = 0;
	if (!n)
		return 0; /* copy_{to,from}_user of nothing never fails */
	if (addr + n < addr || addr + n > TASK_SIZE)
		return -EFAULT;
	uint8_t *b = buf;
	while (n) {
		gva_t page = addr & PAGE_MASK;
		size_t off = addr - page, chunk = PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		uint64_t paddr;
		int perms;
		ret = do_fault(mm, page, access, force, &paddr, &perms, &changed);
		if (ret) {
			ret = ret == -ENOMEM ? -ENOMEM : -EFAULT;
			break;
		}
		frame_t f = (frame_t)(paddr >> PAGE_SHIFT);
		uint8_t *host = (uint8_t *)frame_ptr(f) + off;
		if (access & MM_WRITE) {
			frame_before_host_write(f);
			if (b)
				memcpy(host, b, chunk);
			else
				memset(host, 0, chunk);
		} else {
			memcpy(b, host, chunk);
		}
		if (b)
			b += chunk;
		addr += chunk;
		n -= chunk;
	}
	if (changed)
		flush_tlb(mm);
	return ret;
}

int copy_from_guest(struct mm *mm, void *dst, gva_t src, size_t n)
{
	return guest_copy(mm, src, dst, n, MM_READ, false);
}

int copy_to_guest(struct mm *mm, gva_t dst, const void *src, size_t n)
{
	return guest_copy(mm, dst, (void *)src, n, MM_WRITE, false);
}

int mm_peek(struct mm *mm, void *dst, gva_t src, size_t n)
{
	return guest_copy(mm, src, dst, n, MM_READ, true);
}

int mm_poke(struct mm *mm, gva_t dst, const void *src, size_t n)
{
	return guest_copy(mm, dst, (void *)src, n, MM_WRITE, true);
}

int mm_clear(struct mm *mm, gva_t dst, size_t n)
{
	return guest_copy(mm, dst, NULL, n, MM_WRITE, true);
}

static int pin_iov(struct mm *mm, gva_t addr, size_t len, int access, struct iovec *iov, int max,
		   size_t *covered, bool prefix)
{
	bool changed = false;
	int n = 0;
	*covered = 0;
	if (addr + len < addr || addr + len > TASK_SIZE)
		return -EFAULT;
	while (len && n <= max) {
		gva_t page = addr & PAGE_MASK;
		size_t off = addr - page, chunk = PAGE_SIZE - off;
		if (chunk > len)
			chunk = len;
		uint64_t paddr;
		int perms;
		int r = do_fault(mm, page, access, false, &paddr, &perms, &changed);
		if (r && prefix && r != -ENOMEM)
			break; /* what came before is the result */
		if (r) {
			if (changed)
				flush_tlb(mm);
			return r == -ENOMEM ? -ENOMEM : -EFAULT;
		}
		frame_t f = (frame_t)(paddr >> PAGE_SHIFT);
		if (access & MM_WRITE)
			frame_before_host_write(f);
		uint8_t *host = (uint8_t *)frame_ptr(f) + off;
		if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == host) {
			iov[n - 1].iov_len += chunk;
		} else {
			if (n == max)
				break;
			iov[n].iov_base = host;
			iov[n].iov_len = chunk;
			n++;
		}
		*covered += chunk;
		addr += chunk;
		len -= chunk;
	}
	if (changed)
		flush_tlb(mm);
	return n;
}

int mm_pin_iov(struct mm *mm, gva_t addr, size_t len, int access, struct iovec *iov, int max,
	       size_t *covered)
{
	return pin_iov(mm, addr, len, access, iov, max, covered, false);
}

int mm_pin_iov_prefix(struct mm *mm, gva_t addr, size_t len, int access, struct iovec *iov,
		      int max, size_t *covered)
{
	return pin_iov(mm, addr, len, access, iov, max, covered, true);
}

void *mm_fault_base(void)
{
	static uint8_t *base;
	if (!base) {
		uint8_t *p = mmap(NULL, MM_FAULT_STAGING + PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || mprotect(p + MM_FAULT_STAGING, PAGE_SIZE, PROT_NONE))
			return NULL;
		base = p + MM_FAULT_STAGING;
	}
	return base;
}

size_t copy_to_guest_prefix(struct mm *mm, gva_t dst, const void *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = PAGE_SIZE - ((dst + done) & ~PAGE_MASK);
		if (chunk > n - done)
			chunk = n - done;
		if (copy_to_guest(mm, dst + done, (const uint8_t *)src + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

int put_guest(struct mm *mm, gva_t dst, const void *src, size_t n)
{
	if (dst + n < dst || dst + n > TASK_SIZE)
		return -EFAULT;
	for (gva_t p = dst & PAGE_MASK; n && p < dst + n; p += PAGE_SIZE) {
		const struct vma *v = mm_find_vma(mm, p);
		if (!v || !(vma_perms(v) & MM_WRITE))
			return -EFAULT;
	}
	return copy_to_guest(mm, dst, src, n);
}

long strncpy_from_guest(struct mm *mm, char *dst, gva_t src, size_t max)
{
	size_t done = 0;
	while (done < max) {
		gva_t a = src + done;
		size_t chunk = PAGE_SIZE - (a & ~PAGE_MASK);
		if (chunk > max - done)
			chunk = max - done;
		if (copy_from_guest(mm, dst + done, a, chunk))
			return -EFAULT;
		char *nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

/* ---- mmap family ---- */

#define MAP_TYPE_MASK 0x0f

long mm_mmap(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags, const char *name,
	     uint64_t pgoff)
{
	struct mm_file file = {.name = name, .pgoff = pgoff};
	return mm_mmap_file(mm, addr, len, prot, flags, &file);
}

long mm_mmap_file(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags,
		  const struct mm_file *file)
{
	const char *name = file->name;
	uint64_t pgoff = file->pgoff;
	int type = flags & MAP_TYPE_MASK;
	if (!len)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (file->mapping && (type != MAP_PRIVATE || (flags & MAP_ANONYMOUS)))
		return -EINVAL;
	if (file->pages && (type == MAP_PRIVATE || (flags & MAP_ANONYMOUS)))
		return -EINVAL;
	if ((file->pages || file->shm) && !file->maywrite && (prot & PROT_WRITE))
		return -EACCES;
	if (file->shm && (type == MAP_PRIVATE || (flags & MAP_ANONYMOUS) || file->pages))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (PAGE_ALIGN(len) < len || PAGE_ALIGN(len) == 0)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	if (len > TASK_SIZE)
		return -ENOMEM;

	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, addr + len))
			return -EEXIST;
	} else {
		addr &= PAGE_MASK;
		if (!addr || addr < MMAP_MIN_ADDR || addr > TASK_SIZE - len ||
		    !range_is_free(mm, addr, addr + len)) {
			long a = get_unmapped_area(mm, len);
			if (a < 0)
				return a;
			addr = (gva_t)a;
		}
	}

	int vflags = (type == MAP_PRIVATE ? 0 : VMA_SHARED) | (flags & MAP_GROWSDOWN ? VMA_GROWSDOWN : 0);
	/* mmap_region(): RLIMIT_AS/RLIMIT_DATA count what this adds beyond
	 * the pages it replaces. */
	uint64_t replaced = fixed ? mapped_pages(mm, addr, addr + len) : 0;
	if (!mm_may_expand_vm(mm, prot, vflags, (len >> PAGE_SHIFT) - replaced))
		return -ENOMEM;

	struct vma v = {
		.start = addr,
		.end = addr + len,
		.prot = prot,
		.flags = (type == MAP_PRIVATE ? 0 : VMA_SHARED) | (flags & MAP_ANONYMOUS ? VMA_ANON : 0) |
			 (flags & MAP_GROWSDOWN ? VMA_GROWSDOWN : 0),
		/* Anonymous memory counts its offset from address 0, as Linux's
		 * vm_pgoff does, so that neighbours merge. */
		.pgoff = flags & MAP_ANONYMOUS ? addr : pgoff,
		.dev = file->dev,
		.ino = file->ino,
	};
	if ((flags & MAP_LOCKED) || mm->lock_future)
		v.flags |= VMA_LOCKED;
	/* mmap_region(): accountable_mapping() */
	if (flags & MAP_NORESERVE)
		v.flags |= VMA_NORESERVE;
	else if (type == MAP_PRIVATE && (prot & PROT_WRITE))
		v.flags |= VMA_ACCOUNT;
	if (name && !strcmp(name, "[stack]"))
		v.flags |= VMA_STACK;
	if (name && !strcmp(name, "[heap]"))
		v.flags |= VMA_HEAP;
	v.name = xstrdup(name);
	if (name && !v.name)
		return -ENOMEM;
	if ((v.flags & (VMA_SHARED | VMA_ANON)) == (VMA_SHARED | VMA_ANON) && !(v.shm = shmem_alloc())) {
		vma_free_fields(&v);
		return -ENOMEM;
	}
	if (file->mapping)
		v.mapping = mapping_get(file->mapping);
	if (file->pages) {
		if (!file->maywrite)
			v.flags |= VMA_NOWRITE;
		v.pages = inode_pages_get(file->pages, file->maywrite);
	}
	if (file->shm) {
		if (!file->maywrite)
			v.flags |= VMA_NOWRITE;
		v.shm = shmem_get(file->shm);
	}
	if ((fixed && do_munmap(mm, addr, addr + len)) ||
	    vma_insert_at(mm, vma_lower_bound(mm, addr), &v)) {
		vma_free_fields(&v);
		return -ENOMEM;
	}
	vma_merge_around(mm, addr, addr + len);
	return (long)addr;
}

long mm_munmap(struct mm *mm, gva_t addr, uint64_t len)
{
	if ((addr & ~PAGE_MASK) || !len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || addr > TASK_SIZE || len > TASK_SIZE - addr)
		return -EINVAL;
	return do_munmap(mm, addr, addr + len);
}

/* Every byte of [start, end) must be mapped (mprotect/madvise say ENOMEM otherwise). */
static bool range_fully_mapped(const struct mm *mm, gva_t start, gva_t end)
{
	size_t i = vma_lower_bound(mm, start);
	gva_t at = start;
	for (; i < mm->nvmas && at < end; i++) {
		if (mm->vmas[i].start > at)
			return false;
		at = mm->vmas[i].end;
	}
	return at >= end;
}

/* How Linux changes the VMAs of a range (mprotect_fixup's and
 * apply_vma_lock_flags' loops): split them at @start and @end, hand each
 * one from @start on to @fn until the first hole, stopping where @fn
 * refuses (-errno), then merge again. What comes before a refusal or a
 * hole keeps the change. 0, @fn's error, or -ENOMEM for the hole (also
 * when @start itself is not mapped, then with nothing changed). */
static long change_vmas(struct mm *mm, gva_t start, gva_t end, long (*fn)(struct vma *v, void *arg),
			void *arg)
{
	size_t i = vma_lower_bound(mm, start);
	if (i >= mm->nvmas || mm->vmas[i].start > start)
		return -ENOMEM;
	if (vma_split(mm, start) || vma_split(mm, end))
		return -ENOMEM;
	long ret = 0;
	gva_t at = start;
	for (i = vma_lower_bound(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		if (mm->vmas[i].start > at)
			break;
		if ((ret = fn(&mm->vmas[i], arg)))
			break;
		at = mm->vmas[i].end;
	}
	if (!ret && at < end)
		ret = -ENOMEM;
	vma_merge_around(mm, start, end);
	return ret;
}

struct mprotect_arg {
	struct mm *mm;
	struct vma want; /* the new protection */
	bool narrowed;   /* a right was taken away somewhere */
};

static long mprotect_vma(struct vma *v, void *arg)
{
	struct mprotect_arg *m = arg;
	if ((m->want.prot & PROT_WRITE) && (v->flags & VMA_NOWRITE))
		return -EACCES;
	/* mprotect_fixup(): a mapping turning into data needs room under
	 * RLIMIT_DATA. */
	uint64_t n = (v->end - v->start) >> PAGE_SHIFT;
	if (!mm_is_data(v->prot, v->flags) && mm_is_data(m->want.prot, v->flags) &&
	    !mm_may_expand_vm(m->mm, m->want.prot, v->flags, n) &&
	    mm_may_expand_vm(m->mm, v->prot, v->flags, n))
		return -ENOMEM;
	m->narrowed |= (vma_perms(v) & ~vma_perms(&m->want)) != 0;
	/* mprotect_fixup(): making a private mapping writable charges it;
	 * making it read-only again only uncharges an anonymous one that
	 * has no anon_vma yet (no page written). */
	if (m->want.prot & PROT_WRITE) {
		if (!(v->prot & PROT_WRITE) &&
		    !(v->flags & (VMA_ACCOUNT | VMA_SHARED | VMA_NORESERVE)))
			v->flags |= VMA_ACCOUNT;
	} else if ((v->flags & VMA_ACCOUNT) && (v->flags & VMA_ANON)) {
		uint64_t written = 0;
		pt_walk(m->mm, v->start, v->end, count_anon_pte, &written);
		if (!written)
			v->flags &= ~VMA_ACCOUNT;
	}
	v->prot = m->want.prot;
	return 0;
}

long mm_mprotect(struct mm *mm, gva_t addr, uint64_t len, int prot)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	if (!len || addr + len <= addr)
		return -ENOMEM;
	gva_t end = addr + len;
	struct mprotect_arg m = {.mm = mm, .want = {.prot = prot}};
	long ret = change_vmas(mm, addr, end, mprotect_vma, &m);
	/* The CPU asks again for an access its entry does not allow, so only
	 * taking a right away from present pages needs a flush. */
	uint64_t present = 0;
	if (m.narrowed)
		pt_walk(mm, addr, end, count_pte, &present);
	if (present)
		flush_tlb(mm);
	return ret;
}

struct move_arg {
	struct mm *mm;
	int64_t delta;
	int err;
};

static void move_pte(struct mm *mm, gva_t addr, uint64_t *pte, void *arg)
{
	struct move_arg *m = arg;
	uint64_t *slot = pte_slot(mm, addr + m->delta, true);
	if (!slot) {
		m->err = -ENOMEM;
		return;
	}
	*slot = *pte;
	*pte = 0;
}

long mm_mremap(struct mm *mm, gva_t old, uint64_t old_len, uint64_t new_len, int flags,
	       gva_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not implemented: documented in README */
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (old & ~PAGE_MASK)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;
	if (new_len > TASK_SIZE || old_len > TASK_SIZE || old > TASK_SIZE - old_len)
		return -EINVAL;
	const struct vma *v = mm_find_vma(mm, old);
	if (!v || (old_len && old + old_len > v->end))
		return -EFAULT;
	/* old_len 0: a second mapping of the same shared pages (Linux keeps
	 * this for shared mappings only, and it cannot grow in place). */
	if (!old_len && !(v->flags & VMA_SHARED))
		return -EINVAL;
	if (!old_len && !(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		if (new_addr & ~PAGE_MASK)
			return -EINVAL;
		if (new_addr > TASK_SIZE - new_len)
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
	}

	/* vma_to_resize(): growing counts against RLIMIT_AS/RLIMIT_DATA. */
	if (new_len > old_len &&
	    !mm_may_expand_vm(mm, v->prot, v->flags, (new_len - old_len) >> PAGE_SHIFT))
		return -ENOMEM;

	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				do_munmap(mm, old + new_len, old + old_len);
			return (long)old;
		}
		/* Grow in place when the VMA ends here and the space after is free. */
		if (old + old_len == v->end && old + new_len <= TASK_SIZE &&
		    range_is_free(mm, v->end, old + new_len)) {
			size_t i = v - mm->vmas;
			mm->vmas[i].end = old + new_len;
			vma_merge_around(mm, old, old + new_len);
			return (long)old;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
	}

	/* Move: a new VMA like the old one, the page table entries carried over. */
	struct vma nv = *v;
	if (vma_copy_fields(&nv, v))
		return -ENOMEM;
	nv.pgoff += old - v->start;
	nv.shm_pgoff += (old - v->start) >> PAGE_SHIFT;
	if (flags & MREMAP_FIXED) {
		if (do_munmap(mm, new_addr, new_addr + new_len)) {
			vma_free_fields(&nv);
			return -ENOMEM;
		}
	} else {
		long a = get_unmapped_area(mm, new_len);
		if (a < 0) {
			vma_free_fields(&nv);
			return a;
		}
		new_addr = (gva_t)a;
	}
	uint64_t keep = old_len < new_len ? old_len : new_len;
	nv.start = new_addr;
	nv.end = new_addr + new_len;
	if (vma_insert_at(mm, vma_lower_bound(mm, new_addr), &nv)) {
		vma_free_fields(&nv);
		return -ENOMEM;
	}
	struct move_arg m = {mm, (int64_t)(new_addr - old), 0};
	pt_walk(mm, old, old + keep, move_pte, &m);
	if (m.err)
		return m.err;
	if (old_len)
		do_munmap(mm, old, old + old_len);
	vma_merge_around(mm, new_addr, new_addr + new_len);
	flush_tlb(mm);
	return (long)new_addr;
}

long mm_brk(struct mm *mm, gva_t brk)
{
	if (brk < mm->start_brk || mm_brk_over_data_limit(mm, brk))
		return (long)mm->brk;
	gva_t newbrk = PAGE_ALIGN(brk), oldbrk = PAGE_ALIGN(mm->brk);
	if (newbrk == oldbrk) {
		mm->brk = brk;
		return (long)brk;
	}
	if (newbrk < oldbrk) {
		do_munmap(mm, newbrk, oldbrk);
		mm->brk = brk;
		return (long)brk;
	}
	if (newbrk > mm->mmap_base || !range_is_free(mm, oldbrk, newbrk))
		return (long)mm->brk;
	long r = mm_mmap(mm, oldbrk, newbrk - oldbrk, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, "[heap]", 0);
	if (r < 0)
		return (long)mm->brk;
	mm->brk = brk;
	return (long)brk;
}

long mm_madvise(struct mm *mm, gva_t addr, uint64_t len, int advice)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	uint64_t alen = PAGE_ALIGN(len);
	if (alen < len || addr + alen < addr)
		return -EINVAL;
	gva_t end = addr + alen;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		/* Hints about host paging: nothing to do in the model. */
		return range_fully_mapped(mm, addr, end) ? 0 : -ENOMEM;
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		break;
	default:
		return -EINVAL;
	}
	if (!alen)
		return 0;
	bool mapped = range_fully_mapped(mm, addr, end);
	if (vma_split(mm, addr) || vma_split(mm, end))
		return -ENOMEM;
	/* Linux applies the advice to the mapped parts, then reports ENOMEM for holes. */
	for (size_t i = vma_lower_bound(mm, addr); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		struct vma *v = &mm->vmas[i];
		switch (advice) {
		case MADV_DONTNEED:
		case MADV_FREE:
			/* Shared pages keep their contents (the backing object
			 * would supply them again); private ones read as zero. */
			if (!(v->flags & VMA_SHARED)) {
				uint64_t dropped = 0;
				pt_walk(mm, v->start, v->end, drop_pte, &dropped);
				if (dropped)
					flush_tlb(mm);
			}
			break;
		case MADV_REMOVE:
			if (v->pages) {
				if (!(v->prot & PROT_WRITE))
					return -EACCES;
				long r = inode_pages_punch(v->pages, v->pgoff, v->end - v->start);
				if (r)
					return r;
				break;
			}
			if (!v->shm)
				return -EINVAL;
			shmem_punch(v->shm, v->shm_pgoff, (v->end - v->start) >> PAGE_SHIFT);
			break;
		case MADV_DONTFORK:
			v->flags |= VMA_DONTFORK;
			break;
		case MADV_DOFORK:
			v->flags &= ~VMA_DONTFORK;
			break;
		case MADV_WIPEONFORK:
			if ((v->flags & VMA_SHARED) || !(v->flags & VMA_ANON))
				return -EINVAL;
			v->flags |= VMA_WIPEONFORK;
			break;
		case MADV_KEEPONFORK:
			v->flags &= ~VMA_WIPEONFORK;
			break;
		}
	}
	vma_merge_around(mm, addr, end);
	return mapped ? 0 : -ENOMEM;
}

long mm_msync(struct mm *mm, gva_t addr, uint64_t len, int flags)
{
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	gva_t end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (end == addr)
		return 0;
	/* Like Linux: every mapped part is synced, a hole is ENOMEM at the end.
	 * The pages are the host's page cache already: MS_SYNC only asks the
	 * host to write them to disk; MS_ASYNC and MS_INVALIDATE have nothing
	 * to do (the caches are coherent). */
	bool hole = false;
	gva_t at = addr;
	for (size_t i = vma_lower_bound(mm, addr); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		const struct vma *v = &mm->vmas[i];
		if (v->start > at)
			hole = true;
		gva_t lo = v->start > addr ? v->start : addr, hi = v->end < end ? v->end : end;
		if ((flags & MS_SYNC) && v->pages) {
			int r = inode_pages_sync(v->pages, v->pgoff + (lo - v->start), hi - lo);
			if (r)
				return r;
		}
		at = v->end;
	}
	return hole || at < end ? -ENOMEM : 0;
}

uint64_t mm_locked_bytes(const struct mm *mm)
{
	uint64_t n = 0;
	for (size_t i = 0; i < mm->nvmas; i++)
		if (mm->vmas[i].flags & VMA_LOCKED)
			n += mm->vmas[i].end - mm->vmas[i].start;
	return n;
}

/* Locked bytes of [start, end) (count_mm_mlocked_page_nr). */
static uint64_t locked_in(const struct mm *mm, gva_t start, gva_t end)
{
	uint64_t n = 0;
	for (size_t i = vma_lower_bound(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		const struct vma *v = &mm->vmas[i];
		if (v->flags & VMA_LOCKED)
			n += (v->end < end ? v->end : end) - (v->start > start ? v->start : start);
	}
	return n;
}

/* __mm_populate: the pages of the mapped parts of [start, end) come in now
 * (written ones for a private writable mapping); inaccessible ones are
 * left alone. -ENOMEM when the frames run out. */
static long populate(struct mm *mm, gva_t start, gva_t end)
{
	for (size_t i = vma_lower_bound(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		const struct vma *v = &mm->vmas[i];
		if (!(v->prot & (PROT_READ | PROT_WRITE)))
			continue;
		int access = (v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED) ? MM_WRITE : MM_READ;
		gva_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
		for (gva_t a = lo; a < hi; a += PAGE_SIZE) {
			uint64_t paddr;
			int perms;
			if (mm_fault(mm, a, access, &paddr, &perms) == -ENOMEM)
				return -ENOMEM;
		}
	}
	return 0;
}

static long lock_vma(struct vma *v, void *arg)
{
	(void)arg;
	v->flags |= VMA_LOCKED;
	return 0;
}

static long unlock_vma(struct vma *v, void *arg)
{
	(void)arg;
	v->flags &= ~VMA_LOCKED;
	return 0;
}

long mm_mlock(struct mm *mm, gva_t addr, uint64_t len, bool lock, uint64_t limit, bool capable)
{
	gva_t start = addr & PAGE_MASK;
	len = PAGE_ALIGN(len + (addr - start));
	gva_t end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (lock && !capable) {
		uint64_t locked = len + mm_locked_bytes(mm);
		if (locked > limit && locked - locked_in(mm, start, end) > limit)
			return -ENOMEM;
	}
	long ret = change_vmas(mm, start, end, lock ? lock_vma : unlock_vma, NULL);
	if (ret)
		return ret;
	return lock ? populate(mm, start, end) : 0;
}

long mm_mlock_all(struct mm *mm, bool lock)
{
	for (size_t i = 0; i < mm->nvmas; i++) {
		if (lock)
			mm->vmas[i].flags |= VMA_LOCKED;
		else
			mm->vmas[i].flags &= ~VMA_LOCKED;
	}
	vma_merge_around(mm, 0, TASK_SIZE);
	return lock ? populate(mm, 0, TASK_SIZE) : 0;
}

struct mincore_walk {
	gva_t start;
	uint8_t *vec;
};

static void mincore_pte(struct mm *mm, gva_t addr, uint64_t *pte, void *arg)
{
	struct mincore_walk *w = arg;
	w->vec[(addr - w->start) >> PAGE_SHIFT] = 1;
}

long mm_mincore(struct mm *mm, gva_t addr, uint64_t npages, uint8_t *vec)
{
	gva_t end = addr + (npages << PAGE_SHIFT);
	memset(vec, 0, npages);
	size_t i = vma_lower_bound(mm, addr);
	for (gva_t at = addr; at < end; i++) {
		if (i >= mm->nvmas || mm->vmas[i].start > at)
			return -ENOMEM;
		const struct vma *v = &mm->vmas[i];
		gva_t hi = v->end < end ? v->end : end;
		/* A file's or a shared object's pages are in memory (the model
		 * has no swap; the host's page cache holds the file). */
		if (v->shm || v->pages || v->mapping)
			memset(vec + ((at - addr) >> PAGE_SHIFT), 1, (hi - at) >> PAGE_SHIFT);
		at = hi;
	}
	struct mincore_walk w = {addr, vec};
	pt_walk(mm, addr, end, mincore_pte, &w);
	return 0;
}

void mm_file_truncated(uint64_t dev, uint64_t ino, uint64_t size)
{
	struct inode_pages *ip = inode_pages_find(dev, ino);
	if (ip)
		ip->size = size;
	else if (!mapping_inode_mapped(dev, ino))
		return; /* nothing maps the file: no mm to walk */
	uint64_t from = PAGE_ALIGN(size);
	for (struct mm *mm = all_mms; mm; mm = mm->all_next) {
		uint64_t dropped = 0;
		for (size_t i = 0; i < mm->nvmas; i++) {
			const struct vma *v = &mm->vmas[i];
			/* Private mappings of the file lose their pages past EOF
			 * too, copies included (Linux's unmap_mapping_range
			 * with even_cows): the next touch is SIGBUS. */
			bool ours = (ip && v->pages == ip) ||
				    (v->mapping && v->mapping->id.dev == dev && v->mapping->id.ino == ino);
			uint64_t vlen = v->end - v->start;
			if (!ours || v->pgoff + vlen <= from)
				continue;
			gva_t lo = v->pgoff >= from ? v->start : v->start + (from - v->pgoff);
			pt_walk(mm, lo, v->end, drop_pte, &dropped);
		}
		if (dropped)
			flush_tlb(mm);
	}
}
