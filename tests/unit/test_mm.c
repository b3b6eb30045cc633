/* Unit tests for kernelmodel/mm.c: demand paging, copy-on-write fork, the
 * mmap family, brk, faults and guest copies. No CPU is involved: every case
 * drives the mm directly (mm_fault plays the TLB-fill hook) and checks the
 * results through copy_{from,to}_guest, the page table and frames_stats().
 * Expected values follow the Linux man pages (mmap(2), munmap(2),
 * mprotect(2), mremap(2), madvise(2), brk(2)) and mm/mmap.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernelmodel/filemap.h"
#include "kernelmodel/frame.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/pagecache.h"

#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED_ANON (MAP_SHARED | MAP_ANONYMOUS)
#define SEGV_MAPERR_CODE 1
#define SEGV_ACCERR_CODE 2
/* A fixed spot for MAP_FIXED cases, far from the top-down mmap area. */
#define FIXED_BASE 0x10000000ul

/* ---- fixture: a 1 GiB frame pool (reserved lazily) and one empty mm ---- */

static int setup(void **state)
{
	assert_int_equal(frames_init(1ul << 30), 0);
	struct mm *mm = mm_alloc();
	assert_non_null(mm);
	*state = mm;
	return 0;
}

/* A pool of 64 frames (63 usable: frame 0 is the zero page). */
static int setup_small_pool(void **state)
{
	assert_int_equal(frames_init(64 * PAGE_SIZE), 0);
	struct mm *mm = mm_alloc();
	assert_non_null(mm);
	*state = mm;
	return 0;
}

static int teardown(void **state)
{
	mm_put(*state);
	frames_set_invalidate_hook(NULL);
	frames_fini();
	return 0;
}

/* ---- helpers ---- */

static gva_t map_anon(struct mm *mm, uint64_t len, int prot)
{
	long a = mm_mmap(mm, 0, len, prot, PRIV_ANON, NULL, 0);
	assert_true(a > 0);
	return (gva_t)a;
}

static gva_t map_fixed(struct mm *mm, gva_t addr, uint64_t len, int prot)
{
	long a = mm_mmap(mm, addr, len, prot, PRIV_ANON | MAP_FIXED, NULL, 0);
	assert_int_equal(a, (long)addr);
	return addr;
}

static void put8(struct mm *mm, gva_t a, uint8_t v)
{
	assert_int_equal(copy_to_guest(mm, a, &v, 1), 0);
}

static uint8_t get8(struct mm *mm, gva_t a)
{
	uint8_t v = 0xee;
	assert_int_equal(copy_from_guest(mm, &v, a, 1), 0);
	return v;
}

static uint64_t in_use(void)
{
	return frames_stats().in_use;
}

/* The frame behind @a, faulting it in for reading. */
static frame_t frame_at(struct mm *mm, gva_t a)
{
	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(mm, a, MM_READ, &paddr, &perms), 0);
	return (frame_t)(paddr >> PAGE_SHIFT);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- demand paging ---- */

/* A read of a never-written private page must not cost a frame: it maps the
 * shared zero page read-only. */
static void read_of_untouched_anon_page_maps_zero_page_without_frame(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 2 * PAGE_SIZE, RW);
	uint64_t before = in_use();
	uint8_t buf[2 * PAGE_SIZE];

	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(copy_from_guest(mm, buf, a, sizeof(buf)), 0);
	assert_true(all_zero(buf, sizeof(buf)));
	assert_int_equal(in_use(), before);

	uint64_t paddr = 1;
	int perms = 0;
	assert_int_equal(mm_fault(mm, a + 8, MM_READ, &paddr, &perms), 0);
	assert_int_equal(paddr, frame_paddr(ZERO_FRAME));
	assert_int_equal(perms, MM_READ);
	assert_int_equal(mm_resident_pages(mm), 2);
	assert_int_equal(in_use(), before);
}

/* The first write takes exactly one frame, whether or not the page was read
 * (zero page) before; later writes to it take none. */
static void first_write_to_anon_page_allocates_exactly_one_frame(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 4 * PAGE_SIZE, RW);
	uint64_t before = in_use();

	put8(mm, a, 1);
	assert_int_equal(in_use(), before + 1);
	put8(mm, a + 100, 2);
	assert_int_equal(in_use(), before + 1);

	assert_int_equal(get8(mm, a + PAGE_SIZE), 0); /* zero page */
	assert_int_equal(in_use(), before + 1);
	put8(mm, a + PAGE_SIZE, 3);
	assert_int_equal(in_use(), before + 2);
	assert_int_equal(get8(mm, a + PAGE_SIZE), 3);

	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(mm, a + 2 * PAGE_SIZE, MM_WRITE, &paddr, &perms), 0);
	assert_int_not_equal(paddr, frame_paddr(ZERO_FRAME));
	assert_int_equal(perms, MM_READ | MM_WRITE);
	assert_int_equal(in_use(), before + 3);
	/* A write into the zero page is not a COW copy. */
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, 0);
}

/* munmap gives the frames back. */
static void munmap_returns_frames_to_pool(void **state)
{
	struct mm *mm = *state;
	uint64_t before = in_use();
	gva_t a = map_anon(mm, 8 * PAGE_SIZE, RW);

	for (int i = 0; i < 8; i++)
		put8(mm, a + i * PAGE_SIZE, (uint8_t)i);
	assert_int_equal(in_use(), before + 8);
	assert_int_equal(mm_munmap(mm, a, 8 * PAGE_SIZE), 0);
	assert_int_equal(in_use(), before);
	assert_int_equal(mm_resident_pages(mm), 0);
}

/* ---- copy-on-write fork ---- */

static void cow_fork_shares_frames_and_data(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);
	const char msg[] = "before fork";

	assert_int_equal(copy_to_guest(mm, a, msg, sizeof(msg)), 0);
	uint64_t before = in_use();
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(in_use(), before); /* nothing copied by fork itself */

	char p[sizeof(msg)], c[sizeof(msg)];
	assert_int_equal(copy_from_guest(mm, p, a, sizeof(p)), 0);
	assert_int_equal(copy_from_guest(child, c, a, sizeof(c)), 0);
	assert_string_equal(p, msg);
	assert_string_equal(c, msg);
	assert_int_equal(frame_at(mm, a), frame_at(child, a));
	assert_int_equal(frame_refcount(frame_at(mm, a)), 2);
	assert_int_equal(child->pages_copied, 0);
	mm_put(child);
	assert_int_equal(frame_refcount(frame_at(mm, a)), 1);
}

static void cow_write_in_child_leaves_parent_page(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);

	put8(mm, a, 'P');
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	uint64_t before = in_use();
	uint64_t copies = frames_stats().cow_copies;

	put8(child, a, 'C');
	assert_int_equal(child->pages_copied, 1);
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, copies + 1);
	assert_int_equal(in_use(), before + 1);
	assert_int_equal(get8(mm, a), 'P');
	assert_int_equal(get8(child, a), 'C');
	assert_int_not_equal(frame_at(mm, a), frame_at(child, a));
	mm_put(child);
}

/* After the child copied, the parent holds the only reference to the old
 * frame: its write takes the frame back without copying. */
static void cow_parent_write_after_child_copy_reuses_sole_frame(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);

	put8(mm, a, 'P');
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	put8(child, a, 'C');
	frame_t f = frame_at(mm, a);
	struct frame_stats st = frames_stats();
	uint64_t before = in_use();

	put8(mm, a, 'Q');
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, st.cow_copies);
	assert_int_equal(frames_stats().cow_reuses, st.cow_reuses + 1);
	assert_int_equal(in_use(), before);
	assert_int_equal(frame_at(mm, a), f);
	assert_int_equal(get8(mm, a), 'Q');
	assert_int_equal(get8(child, a), 'C');
	mm_put(child);
}

/* A page no one wrote before fork is the zero page on both sides: a write
 * gives that side a fresh zeroed frame, and no copy is counted. */
static void cow_untouched_page_keeps_zero_page_semantics_after_fork(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 2 * PAGE_SIZE, RW);

	assert_int_equal(get8(mm, a), 0); /* zero page mapped */
	put8(mm, a + PAGE_SIZE, 'x');	  /* a real page next to it */
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	struct frame_stats st = frames_stats();
	uint64_t before = in_use();

	put8(child, a + 5, 'c');
	assert_int_equal(in_use(), before + 1);
	assert_int_equal(child->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, st.cow_copies);
	assert_int_equal(get8(mm, a + 5), 0);
	assert_int_equal(frame_at(mm, a), ZERO_FRAME);

	uint8_t page[PAGE_SIZE];
	assert_int_equal(copy_from_guest(child, page, a, PAGE_SIZE), 0);
	assert_int_equal(page[5], 'c');
	page[5] = 0;
	assert_true(all_zero(page, PAGE_SIZE));

	put8(mm, a + 7, 'p');
	assert_int_equal(in_use(), before + 2);
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, st.cow_copies);
	assert_int_equal(get8(child, a + 7), 0);
	mm_put(child);
}

/* The parent exits first: the child becomes the sole owner and writes without
 * copying. */
static void cow_child_outliving_parent_owns_pages_without_copy(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);

	put8(mm, a, 'P');
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	mm_put(mm);
	*state = child;
	uint64_t before = in_use();
	assert_int_equal(get8(child, a), 'P');
	put8(child, a, 'C');
	assert_int_equal(child->pages_copied, 0);
	assert_int_equal(in_use(), before);
	assert_int_equal(get8(child, a), 'C');
}

/* fork of a process with a large touched heap must be O(page table), not
 * O(memory): only pages written afterwards are copied. */
static void fork_of_64mb_heap_copies_only_written_pages(void **state)
{
	struct mm *mm = *state;
	const uint64_t len = 64ul << 20, npages = len / PAGE_SIZE;
	gva_t a = map_anon(mm, len, RW);

	for (uint64_t i = 0; i < npages; i++)
		put8(mm, a + i * PAGE_SIZE, (uint8_t)(i * 7 + 1));
	uint64_t before = in_use();
	assert_true(before >= npages);

	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(in_use(), before);
	assert_int_equal(mm_resident_pages(child), npages);

	put8(child, a + 1000 * PAGE_SIZE, 0xcc);
	assert_int_equal(mm->pages_copied + child->pages_copied, 1);
	assert_true(in_use() <= before + 1);
	assert_int_equal(get8(mm, a + 1000 * PAGE_SIZE), (uint8_t)(1000 * 7 + 1));
	assert_int_equal(get8(child, a + 1000 * PAGE_SIZE), 0xcc);
	assert_int_equal(get8(child, a + 999 * PAGE_SIZE), (uint8_t)(999 * 7 + 1));
	assert_int_equal(get8(child, a + (npages - 1) * PAGE_SIZE),
			 (uint8_t)((npages - 1) * 7 + 1));

	mm_put(child);
	assert_int_equal(in_use(), before);

	/* Every page is the parent's alone again: rewriting all copies none. */
	uint64_t reuses = frames_stats().cow_reuses;
	for (uint64_t i = 0; i < npages; i++)
		put8(mm, a + i * PAGE_SIZE, 0);
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(in_use(), before);
	assert_int_equal(frames_stats().cow_reuses, reuses + npages);
}

/* ---- MAP_SHARED across fork ---- */

static void shared_anon_mapping_stays_shared_across_fork(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, 0, 2 * PAGE_SIZE, RW, SHARED_ANON, NULL, 0);
	assert_true(r > 0);
	gva_t a = (gva_t)r;

	put8(mm, a, 'p');
	put8(mm, a + PAGE_SIZE, 'q');
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	uint64_t before = in_use();
	uint64_t copies = frames_stats().cow_copies;

	put8(child, a, 'c');
	assert_int_equal(get8(mm, a), 'c');
	put8(mm, a + PAGE_SIZE, 'P');
	assert_int_equal(get8(child, a + PAGE_SIZE), 'P');

	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(child, a, MM_READ, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_WRITE); /* no COW on shared pages */
	assert_int_equal(child->pages_copied + mm->pages_copied, 0);
	assert_int_equal(frames_stats().cow_copies, copies);
	assert_int_equal(in_use(), before);
	mm_put(child);
}

/* The usual pattern: mmap(MAP_SHARED|MAP_ANONYMOUS) a result area, fork, the
 * child writes into it, the parent reads it. Nobody touched it before fork;
 * on Linux both sides still see the same shmem pages. */
static void shared_anon_page_untouched_before_fork_is_shared(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, 0, 2 * PAGE_SIZE, RW, SHARED_ANON, NULL, 0);
	assert_true(r > 0);
	gva_t a = (gva_t)r;

	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	put8(child, a, 'c');
	put8(mm, a + PAGE_SIZE, 'p');
	uint8_t in_parent = get8(mm, a), in_child = get8(child, a + PAGE_SIZE);
	mm_put(child);
	assert_int_equal(in_parent, 'c');
	assert_int_equal(in_child, 'p');
}

/* ---- madvise fork controls ---- */

static void dontfork_range_is_absent_in_child(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 3 * PAGE_SIZE, RW);

	for (int i = 0; i < 3; i++)
		put8(mm, a + i * PAGE_SIZE, (uint8_t)('a' + i));
	assert_int_equal(mm_madvise(mm, a + PAGE_SIZE, PAGE_SIZE, MADV_DONTFORK), 0);
	struct mm *child = mm_dup(mm);
	assert_non_null(child);

	uint8_t v;
	assert_int_equal(copy_from_guest(child, &v, a + PAGE_SIZE, 1), -EFAULT);
	assert_null(mm_find_vma(child, a + PAGE_SIZE));
	assert_int_equal(get8(child, a), 'a');
	assert_int_equal(get8(child, a + 2 * PAGE_SIZE), 'c');
	assert_int_equal(get8(mm, a + PAGE_SIZE), 'b');
	assert_int_equal(mm_resident_pages(child), 2);
	mm_put(child);
}

static void wipeonfork_range_is_zero_in_child_and_kept_in_parent(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 2 * PAGE_SIZE, RW);

	put8(mm, a, 'k');
	put8(mm, a + PAGE_SIZE, 'w');
	assert_int_equal(mm_madvise(mm, a + PAGE_SIZE, PAGE_SIZE, MADV_WIPEONFORK), 0);
	uint64_t before = in_use();
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(in_use(), before);

	const struct vma *v = mm_find_vma(child, a + PAGE_SIZE);
	assert_non_null(v);
	assert_true(v->flags & VMA_WIPEONFORK);
	assert_int_equal(get8(child, a + PAGE_SIZE), 0);
	assert_int_equal(get8(child, a), 'k');
	assert_int_equal(get8(mm, a + PAGE_SIZE), 'w');
	put8(child, a + PAGE_SIZE, 'x');
	assert_int_equal(child->pages_copied, 0);
	assert_int_equal(get8(mm, a + PAGE_SIZE), 'w');
	mm_put(child);
}

static void wipeonfork_on_shared_mapping_returns_einval(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, 0, PAGE_SIZE, RW, SHARED_ANON, NULL, 0);
	assert_true(r > 0);
	assert_int_equal(mm_madvise(mm, (gva_t)r, PAGE_SIZE, MADV_WIPEONFORK), -EINVAL);
	assert_false(mm_find_vma(mm, (gva_t)r)->flags & VMA_WIPEONFORK);
}

static void dontneed_on_private_page_reads_zero_and_spares_fork_sibling(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);

	put8(mm, a, 'd');
	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(mm_madvise(child, a, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(get8(child, a), 0);
	assert_int_equal(get8(mm, a), 'd');
	assert_int_equal(frame_refcount(frame_at(mm, a)), 1);
	mm_put(child);
}

/* ---- mm_fault permissions ---- */

static void fault_write_to_readonly_mapping_is_eacces_with_accerr(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, PROT_READ);
	uint64_t paddr;
	int perms;

	assert_int_equal(mm_fault(mm, a + 0x10, MM_WRITE, &paddr, &perms), -EACCES);
	assert_int_equal(mm->last_fault.si_code, SEGV_ACCERR_CODE);
	assert_int_equal(mm->last_fault.access, MM_WRITE);
	assert_int_equal(mm->last_fault.addr & PAGE_MASK, a);
	assert_int_equal(mm_fault(mm, a + 0x10, MM_READ, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ);
}

/* SIGSEGV's si_addr is the faulting byte, not its page (x86 CR2). */
static void fault_records_exact_faulting_address(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, PROT_READ);
	uint64_t paddr;
	int perms;

	assert_int_equal(mm_fault(mm, a + 0x123, MM_WRITE, &paddr, &perms), -EACCES);
	assert_int_equal(mm->last_fault.addr, a + 0x123);
	assert_int_equal(mm_fault(mm, a + PAGE_SIZE + 0x45, MM_READ, &paddr, &perms), -EFAULT);
	assert_int_equal(mm->last_fault.addr, a + PAGE_SIZE + 0x45);
}

static void fault_on_unmapped_address_is_efault_with_maperr(void **state)
{
	struct mm *mm = *state;
	uint64_t paddr;
	int perms;

	assert_int_equal(mm_fault(mm, FIXED_BASE, MM_READ, &paddr, &perms), -EFAULT);
	assert_int_equal(mm->last_fault.si_code, SEGV_MAPERR_CODE);
	assert_int_equal(mm->last_fault.addr & PAGE_MASK, FIXED_BASE);
	assert_int_equal(mm->last_fault.access, MM_READ);

	assert_int_equal(mm_fault(mm, TASK_SIZE + 0x1000, MM_WRITE, &paddr, &perms), -EFAULT);
	assert_int_equal(mm->last_fault.si_code, SEGV_MAPERR_CODE);
	assert_int_equal(mm->last_fault.addr, TASK_SIZE + 0x1000);
	assert_int_equal(mm_fault(mm, 0, MM_READ, &paddr, &perms), -EFAULT);
}

static void fault_exec_fetch_from_noexec_mapping_is_eacces(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);
	gva_t x = map_anon(mm, PAGE_SIZE, PROT_READ | PROT_EXEC);
	uint64_t paddr;
	int perms;

	assert_int_equal(mm_fault(mm, a, MM_EXEC, &paddr, &perms), -EACCES);
	assert_int_equal(mm->last_fault.si_code, SEGV_ACCERR_CODE);
	assert_int_equal(mm->last_fault.access, MM_EXEC);
	assert_int_equal(mm_fault(mm, x, MM_EXEC, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_EXEC);
}

static void fault_on_prot_none_mapping_is_eacces_for_any_access(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, PROT_NONE);
	uint64_t paddr;
	int perms;
	uint8_t v;

	assert_int_equal(mm_fault(mm, a, MM_READ, &paddr, &perms), -EACCES);
	assert_int_equal(mm->last_fault.si_code, SEGV_ACCERR_CODE);
	assert_int_equal(copy_from_guest(mm, &v, a, 1), -EFAULT);
	/* The kernel side may still write it (loader). */
	v = 9;
	assert_int_equal(mm_poke(mm, a, &v, 1), 0);
	assert_int_equal(mm_mprotect(mm, a, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(get8(mm, a), 9);
}

static void fault_perms_of_cow_page_lack_write_until_written(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, PAGE_SIZE, RW);
	uint64_t paddr, paddr2;
	int perms;

	put8(mm, a, 1);
	assert_int_equal(mm_fault(mm, a, MM_READ, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_WRITE);

	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(mm_fault(mm, a, MM_READ, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ);
	assert_int_equal(mm_fault(child, a, MM_READ, &paddr2, &perms), 0);
	assert_int_equal(perms, MM_READ);
	assert_int_equal(paddr, paddr2);

	assert_int_equal(mm_fault(child, a, MM_WRITE, &paddr2, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_WRITE);
	assert_int_not_equal(paddr, paddr2);
	assert_int_equal(mm_fault(child, a, MM_READ, &paddr2, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_WRITE);
	mm_put(child);
}

/* ---- mmap ---- */

static void mmap_zero_length_returns_einval(void **state)
{
	struct mm *mm = *state;
	assert_int_equal(mm_mmap(mm, 0, 0, RW, PRIV_ANON, NULL, 0), -EINVAL);
	assert_int_equal(mm_mmap(mm, FIXED_BASE, 0, RW, PRIV_ANON | MAP_FIXED, NULL, 0), -EINVAL);
	assert_int_equal(mm->nvmas, 0);
}

static void mmap_fixed_unaligned_returns_einval(void **state)
{
	struct mm *mm = *state;
	assert_int_equal(mm_mmap(mm, FIXED_BASE + 1, PAGE_SIZE, RW, PRIV_ANON | MAP_FIXED, NULL, 0),
			 -EINVAL);
	assert_int_equal(mm_mmap(mm, FIXED_BASE + 0x800, PAGE_SIZE, RW,
				 PRIV_ANON | MAP_FIXED_NOREPLACE, NULL, 0),
			 -EINVAL);
	assert_int_equal(mm->nvmas, 0);
}

static void mmap_without_private_or_shared_returns_einval(void **state)
{
	struct mm *mm = *state;
	assert_int_equal(mm_mmap(mm, 0, PAGE_SIZE, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
}

static void mmap_fixed_noreplace_over_mapping_returns_eexist(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, RW);
	put8(mm, FIXED_BASE + PAGE_SIZE, 'k');

	/* Overlapping only the last page is enough. */
	assert_int_equal(mm_mmap(mm, FIXED_BASE + PAGE_SIZE, 2 * PAGE_SIZE, RW,
				 PRIV_ANON | MAP_FIXED_NOREPLACE, NULL, 0),
			 -EEXIST);
	assert_int_equal(get8(mm, FIXED_BASE + PAGE_SIZE), 'k');
	assert_int_equal(mm_find_vma(mm, FIXED_BASE)->end, FIXED_BASE + 2 * PAGE_SIZE);
	/* Right behind it is free. */
	assert_int_equal(mm_mmap(mm, FIXED_BASE + 2 * PAGE_SIZE, PAGE_SIZE, RW,
				 PRIV_ANON | MAP_FIXED_NOREPLACE, NULL, 0),
			 (long)(FIXED_BASE + 2 * PAGE_SIZE));
}

/* Linux (do_mmap) turns MAP_FIXED_NOREPLACE into MAP_FIXED and then still
 * refuses any overlap: adding MAP_FIXED must not make it clobber. */
static void mmap_fixed_noreplace_with_map_fixed_still_returns_eexist(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	put8(mm, FIXED_BASE, 'k');

	assert_int_equal(mm_mmap(mm, FIXED_BASE, PAGE_SIZE, RW,
				 PRIV_ANON | MAP_FIXED | MAP_FIXED_NOREPLACE, NULL, 0),
			 -EEXIST);
	assert_int_equal(get8(mm, FIXED_BASE), 'k');
}

static void mmap_fixed_replaces_part_and_drops_old_data(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, 3 * PAGE_SIZE, RW);
	for (int i = 0; i < 3; i++)
		put8(mm, FIXED_BASE + i * PAGE_SIZE + 1, (uint8_t)('a' + i));
	uint64_t before = in_use();

	map_fixed(mm, FIXED_BASE + PAGE_SIZE, PAGE_SIZE, RW);
	assert_int_equal(in_use(), before - 1); /* the old middle frame was freed */
	assert_int_equal(get8(mm, FIXED_BASE + 1), 'a');
	assert_int_equal(get8(mm, FIXED_BASE + PAGE_SIZE + 1), 0);
	assert_int_equal(get8(mm, FIXED_BASE + 2 * PAGE_SIZE + 1), 'c');
	/* Same kind of anonymous memory: the three pieces merge back. */
	assert_int_equal(mm->nvmas, 1);

	/* A different protection stays a separate VMA. */
	map_fixed(mm, FIXED_BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ);
	assert_int_equal(mm->nvmas, 2);
	assert_int_equal(get8(mm, FIXED_BASE + 2 * PAGE_SIZE + 1), 0);
	assert_int_equal(mm_find_vma(mm, FIXED_BASE + 2 * PAGE_SIZE)->prot, PROT_READ);
}

static void mmap_places_second_mapping_below_first(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 3 * PAGE_SIZE, RW);
	gva_t b = map_anon(mm, 2 * PAGE_SIZE, PROT_READ);

	assert_true(a + 3 * PAGE_SIZE <= MMAP_BASE);
	assert_int_equal(a, MMAP_BASE - 3 * PAGE_SIZE);
	assert_int_equal(b + 2 * PAGE_SIZE, a);
	assert_int_equal(mm->nvmas, 2);
	/* A hole that fits is reused before going lower. */
	assert_int_equal(mm_munmap(mm, a, PAGE_SIZE), 0);
	gva_t c = map_anon(mm, PAGE_SIZE, PROT_EXEC);
	assert_int_equal(c, a);
}

static void mmap_honours_hint_address_when_free(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, FIXED_BASE, 2 * PAGE_SIZE, RW, PRIV_ANON, NULL, 0);
	assert_int_equal(r, (long)FIXED_BASE);

	/* An occupied hint is only a hint: no error, another place, no clobbering. */
	put8(mm, FIXED_BASE, 'h');
	r = mm_mmap(mm, FIXED_BASE + PAGE_SIZE, PAGE_SIZE, RW, PRIV_ANON, NULL, 0);
	assert_true(r > 0);
	assert_true((gva_t)r + PAGE_SIZE <= FIXED_BASE || (gva_t)r >= FIXED_BASE + 2 * PAGE_SIZE);
	assert_int_equal(get8(mm, FIXED_BASE), 'h');
}

static void mmap_rounds_length_up_to_pages(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, FIXED_BASE, 10, RW, PRIV_ANON | MAP_FIXED, NULL, 0);
	assert_int_equal(r, (long)FIXED_BASE);
	const struct vma *v = mm_find_vma(mm, FIXED_BASE);
	assert_non_null(v);
	assert_int_equal(v->end - v->start, PAGE_SIZE);
	put8(mm, FIXED_BASE + PAGE_SIZE - 1, 1);
}

static void mmap_named_file_mapping_keeps_name_and_offset(void **state)
{
	struct mm *mm = *state;
	long r = mm_mmap(mm, FIXED_BASE, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			 "/bin/x", 0x2000);
	assert_int_equal(r, (long)FIXED_BASE);
	/* Splitting in the middle carries the name and the offset along. */
	assert_int_equal(mm_munmap(mm, FIXED_BASE + PAGE_SIZE, PAGE_SIZE), 0);
	const struct vma *hi = mm_find_vma(mm, FIXED_BASE + 2 * PAGE_SIZE);
	assert_non_null(hi);
	assert_string_equal(hi->name, "/bin/x");
	assert_int_equal(hi->pgoff, 0x2000 + 2 * PAGE_SIZE);
	assert_string_equal(mm_find_vma(mm, FIXED_BASE)->name, "/bin/x");
}

/* ---- munmap ---- */

static void munmap_middle_page_splits_vma_leaving_hole(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 3 * PAGE_SIZE, RW);
	for (int i = 0; i < 3; i++)
		put8(mm, a + i * PAGE_SIZE, (uint8_t)('a' + i));
	assert_int_equal(mm->nvmas, 1);

	assert_int_equal(mm_munmap(mm, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(mm->nvmas, 2);
	assert_null(mm_find_vma(mm, a + PAGE_SIZE));
	uint8_t v;
	assert_int_equal(copy_from_guest(mm, &v, a + PAGE_SIZE, 1), -EFAULT);
	assert_int_equal(get8(mm, a), 'a');
	assert_int_equal(get8(mm, a + 2 * PAGE_SIZE), 'c');
	assert_int_equal(mm_find_vma(mm, a)->end, a + PAGE_SIZE);
	assert_int_equal(mm_find_vma(mm, a + 2 * PAGE_SIZE)->start, a + 2 * PAGE_SIZE);
	assert_int_equal(mm_resident_pages(mm), 2);
}

static void munmap_argument_errors_and_unmapped_range(void **state)
{
	struct mm *mm = *state;
	assert_int_equal(mm_munmap(mm, FIXED_BASE + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(mm_munmap(mm, FIXED_BASE, 0), -EINVAL);
	/* Unmapping nothing is not an error. */
	assert_int_equal(mm_munmap(mm, FIXED_BASE, PAGE_SIZE), 0);
	/* A range over several VMAs and holes removes them all. */
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	map_fixed(mm, FIXED_BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ);
	assert_int_equal(mm_munmap(mm, FIXED_BASE - PAGE_SIZE, 5 * PAGE_SIZE), 0);
	assert_int_equal(mm->nvmas, 0);
}

/* ---- mprotect ---- */

static void mprotect_over_hole_returns_enomem(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	map_fixed(mm, FIXED_BASE + 2 * PAGE_SIZE, PAGE_SIZE, RW);

	assert_int_equal(mm_mprotect(mm, FIXED_BASE, 3 * PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(mm_mprotect(mm, FIXED_BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(mm_mprotect(mm, FIXED_BASE + 1, PAGE_SIZE, PROT_READ), -EINVAL);
	assert_int_equal(mm_find_vma(mm, FIXED_BASE + 2 * PAGE_SIZE)->prot, RW);
}

/* mprotect(2): len is rounded up to pages, and a range that wraps is ENOMEM
 * (mm/mprotect.c: "end = start + len; if (end <= start) return -ENOMEM"). */
static void mprotect_length_wrapping_address_space_returns_enomem(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	assert_int_equal(mm_mprotect(mm, FIXED_BASE, UINT64_MAX, PROT_READ), -ENOMEM);
	assert_int_equal(mm_find_vma(mm, FIXED_BASE)->prot, RW);
}

/* mprotect(2): PROT_GROWSDOWN and PROT_GROWSUP together are EINVAL. */
static void mprotect_with_growsdown_and_growsup_returns_einval(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	assert_int_equal(
	    mm_mprotect(mm, FIXED_BASE, PAGE_SIZE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP),
	    -EINVAL);
	assert_int_equal(mm_find_vma(mm, FIXED_BASE)->prot, RW);
}

static void mprotect_split_then_restore_merges_vmas(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 4 * PAGE_SIZE, RW);
	size_t n0 = mm->nvmas;
	put8(mm, a + PAGE_SIZE, 'm');

	assert_int_equal(mm_mprotect(mm, a + PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(mm->nvmas, n0 + 2);
	assert_int_equal(mm_find_vma(mm, a)->prot, RW);
	assert_int_equal(mm_find_vma(mm, a + PAGE_SIZE)->prot, PROT_READ);
	assert_int_equal(mm_find_vma(mm, a + 2 * PAGE_SIZE)->end, a + 3 * PAGE_SIZE);
	assert_int_equal(mm_find_vma(mm, a + 3 * PAGE_SIZE)->prot, RW);
	uint8_t v = 1;
	assert_int_equal(copy_to_guest(mm, a + PAGE_SIZE, &v, 1), -EFAULT);
	assert_int_equal(get8(mm, a + PAGE_SIZE), 'm');

	assert_int_equal(mm_mprotect(mm, a + PAGE_SIZE, 2 * PAGE_SIZE, RW), 0);
	assert_int_equal(mm->nvmas, n0);
	assert_int_equal(mm_find_vma(mm, a)->end, a + 4 * PAGE_SIZE);
	put8(mm, a + PAGE_SIZE, 'n');
	assert_int_equal(get8(mm, a + PAGE_SIZE), 'n');
}

/* ---- mremap ---- */

static void mremap_grows_in_place_when_space_after_is_free(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	put8(mm, FIXED_BASE, 'g');

	assert_int_equal(mm_mremap(mm, FIXED_BASE, PAGE_SIZE, 3 * PAGE_SIZE, 0, 0),
			 (long)FIXED_BASE);
	assert_int_equal(mm_find_vma(mm, FIXED_BASE)->end, FIXED_BASE + 3 * PAGE_SIZE);
	assert_int_equal(get8(mm, FIXED_BASE), 'g');
	assert_int_equal(get8(mm, FIXED_BASE + 2 * PAGE_SIZE), 0);
	put8(mm, FIXED_BASE + 2 * PAGE_SIZE, 1);
	assert_int_equal(mm->nvmas, 1);
}

static void mremap_maymove_moves_when_blocked_keeping_contents(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, RW);
	map_fixed(mm, FIXED_BASE + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ); /* the blocker */
	put8(mm, FIXED_BASE + 1, 'x');
	put8(mm, FIXED_BASE + PAGE_SIZE + 1, 'y');
	uint64_t before = in_use();

	assert_int_equal(mm_mremap(mm, FIXED_BASE, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0), -ENOMEM);
	long r = mm_mremap(mm, FIXED_BASE, 2 * PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	assert_true(r > 0);
	gva_t n = (gva_t)r;
	assert_int_not_equal(n, FIXED_BASE);

	assert_int_equal(get8(mm, n + 1), 'x');
	assert_int_equal(get8(mm, n + PAGE_SIZE + 1), 'y');
	assert_int_equal(get8(mm, n + 3 * PAGE_SIZE), 0);
	assert_int_equal(in_use(), before); /* moved, not copied */
	assert_int_equal(mm->pages_copied, 0);
	const struct vma *v = mm_find_vma(mm, n);
	assert_non_null(v);
	assert_int_equal(v->end, n + 4 * PAGE_SIZE);
	assert_int_equal(v->prot, RW);

	uint8_t b;
	assert_null(mm_find_vma(mm, FIXED_BASE));
	assert_int_equal(copy_from_guest(mm, &b, FIXED_BASE, 1), -EFAULT);
	assert_int_equal(copy_from_guest(mm, &b, FIXED_BASE + PAGE_SIZE, 1), -EFAULT);
	assert_non_null(mm_find_vma(mm, FIXED_BASE + 2 * PAGE_SIZE));
}

static void mremap_fixed_moves_to_requested_address(void **state)
{
	struct mm *mm = *state;
	const gva_t dst = FIXED_BASE + 0x100000;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	map_fixed(mm, dst, 2 * PAGE_SIZE, RW);
	put8(mm, FIXED_BASE, 's');
	put8(mm, dst, 'o');
	put8(mm, dst + PAGE_SIZE, 'o');

	assert_int_equal(
	    mm_mremap(mm, FIXED_BASE, PAGE_SIZE, PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, dst),
	    (long)dst);
	assert_int_equal(get8(mm, dst), 's');
	assert_null(mm_find_vma(mm, FIXED_BASE));
	/* The old mapping at dst was replaced only where the new one lies. */
	assert_int_equal(get8(mm, dst + PAGE_SIZE), 'o');
	/* Overlapping old and new ranges are refused, and nothing moves. */
	const gva_t b = FIXED_BASE + 0x200000;
	map_fixed(mm, b, 2 * PAGE_SIZE, RW);
	put8(mm, b + PAGE_SIZE, 'b');
	assert_int_equal(mm_mremap(mm, b, 2 * PAGE_SIZE, PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
				   b + PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(get8(mm, b + PAGE_SIZE), 'b');
	assert_int_equal(mm_find_vma(mm, b)->end, b + 2 * PAGE_SIZE);
}

static void mremap_shrink_unmaps_tail(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 4 * PAGE_SIZE, RW);
	for (int i = 0; i < 4; i++)
		put8(mm, a + i * PAGE_SIZE, (uint8_t)(i + 1));
	uint64_t before = in_use();

	assert_int_equal(mm_mremap(mm, a, 4 * PAGE_SIZE, PAGE_SIZE, 0, 0), (long)a);
	assert_int_equal(in_use(), before - 3);
	assert_int_equal(get8(mm, a), 1);
	assert_int_equal(mm_find_vma(mm, a)->end, a + PAGE_SIZE);
	assert_null(mm_find_vma(mm, a + PAGE_SIZE));
	uint8_t v;
	assert_int_equal(copy_from_guest(mm, &v, a + 3 * PAGE_SIZE, 1), -EFAULT);
}

static void mremap_fixed_without_maymove_returns_einval(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	assert_int_equal(
	    mm_mremap(mm, FIXED_BASE, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED, FIXED_BASE + 0x100000),
	    -EINVAL);
	assert_null(mm_find_vma(mm, FIXED_BASE + 0x100000));
	assert_int_equal(mm_mremap(mm, FIXED_BASE, PAGE_SIZE, 0, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal(mm_mremap(mm, FIXED_BASE + 1, PAGE_SIZE, PAGE_SIZE, 0, 0), -EINVAL);
}

static void mremap_of_unmapped_address_returns_efault(void **state)
{
	struct mm *mm = *state;
	assert_int_equal(mm_mremap(mm, FIXED_BASE, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	/* old_len reaching past the end of the VMA is EFAULT too. */
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	assert_int_equal(mm_mremap(mm, FIXED_BASE, 2 * PAGE_SIZE, 3 * PAGE_SIZE, MREMAP_MAYMOVE, 0),
			 -EFAULT);
}

/* ---- brk ---- */

#define BRK_START 0x600000ul

static void brk_grows_and_shrinks(void **state)
{
	struct mm *mm = *state;
	mm->start_brk = mm->brk = BRK_START;

	assert_int_equal(mm_brk(mm, 0), (long)BRK_START); /* query */
	assert_int_equal(mm_brk(mm, BRK_START + 3 * PAGE_SIZE + 10),
			 (long)(BRK_START + 3 * PAGE_SIZE + 10));
	const struct vma *v = mm_find_vma(mm, BRK_START);
	assert_non_null(v);
	assert_true(v->flags & VMA_HEAP);
	assert_int_equal(v->end, BRK_START + 4 * PAGE_SIZE);
	put8(mm, BRK_START + 3 * PAGE_SIZE + 9, 'h');

	/* Growing again extends the same VMA. */
	assert_int_equal(mm_brk(mm, BRK_START + 6 * PAGE_SIZE), (long)(BRK_START + 6 * PAGE_SIZE));
	assert_int_equal(mm->nvmas, 1);
	assert_int_equal(mm_find_vma(mm, BRK_START)->end, BRK_START + 6 * PAGE_SIZE);

	assert_int_equal(mm_brk(mm, BRK_START + PAGE_SIZE), (long)(BRK_START + PAGE_SIZE));
	assert_int_equal(mm->brk, BRK_START + PAGE_SIZE);
	assert_int_equal(mm_find_vma(mm, BRK_START)->end, BRK_START + PAGE_SIZE);
	assert_null(mm_find_vma(mm, BRK_START + PAGE_SIZE));

	assert_int_equal(mm_brk(mm, BRK_START), (long)BRK_START);
	assert_int_equal(mm->nvmas, 0);
}

static void brk_below_start_brk_returns_current_brk(void **state)
{
	struct mm *mm = *state;
	mm->start_brk = mm->brk = BRK_START;
	assert_int_equal(mm_brk(mm, BRK_START + PAGE_SIZE), (long)(BRK_START + PAGE_SIZE));
	assert_int_equal(mm_brk(mm, BRK_START - PAGE_SIZE), (long)(BRK_START + PAGE_SIZE));
	assert_int_equal(mm->brk, BRK_START + PAGE_SIZE);
	assert_int_equal(mm_find_vma(mm, BRK_START)->end, BRK_START + PAGE_SIZE);
}

static void brk_into_existing_mapping_fails_with_current_brk(void **state)
{
	struct mm *mm = *state;
	mm->start_brk = mm->brk = BRK_START;
	map_fixed(mm, BRK_START + 2 * PAGE_SIZE, PAGE_SIZE, RW);
	put8(mm, BRK_START + 2 * PAGE_SIZE, 'm');
	assert_int_equal(mm_brk(mm, BRK_START + 4 * PAGE_SIZE), (long)BRK_START);
	assert_int_equal(get8(mm, BRK_START + 2 * PAGE_SIZE), 'm');
}

static void brk_shrink_frees_pages_and_regrow_reads_zero(void **state)
{
	struct mm *mm = *state;
	mm->start_brk = mm->brk = BRK_START;
	uint64_t before = in_use();

	assert_int_equal(mm_brk(mm, BRK_START + 4 * PAGE_SIZE), (long)(BRK_START + 4 * PAGE_SIZE));
	for (int i = 0; i < 4; i++)
		put8(mm, BRK_START + i * PAGE_SIZE + 3, 0x5a);
	assert_int_equal(in_use(), before + 4);

	assert_int_equal(mm_brk(mm, BRK_START + PAGE_SIZE), (long)(BRK_START + PAGE_SIZE));
	assert_int_equal(in_use(), before + 1);
	assert_int_equal(mm_brk(mm, BRK_START + 4 * PAGE_SIZE), (long)(BRK_START + 4 * PAGE_SIZE));
	assert_int_equal(get8(mm, BRK_START + 3), 0x5a);
	for (int i = 1; i < 4; i++)
		assert_int_equal(get8(mm, BRK_START + i * PAGE_SIZE + 3), 0);
	assert_int_equal(in_use(), before + 1);
}

/* ---- guest copies ---- */

static void copy_to_guest_across_into_readonly_page_returns_efault(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	map_fixed(mm, FIXED_BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ);
	const char buf[16] = "0123456789abcdef";

	assert_int_equal(copy_to_guest(mm, FIXED_BASE + PAGE_SIZE - 8, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(get8(mm, FIXED_BASE + PAGE_SIZE), 0);
	/* Within the writable page it works; reading across works too. */
	assert_int_equal(copy_to_guest(mm, FIXED_BASE + PAGE_SIZE - 8, buf, 8), 0);
	char out[16];
	assert_int_equal(copy_from_guest(mm, out, FIXED_BASE + PAGE_SIZE - 8, sizeof(out)), 0);
	assert_memory_equal(out, buf, 8);
	assert_true(all_zero((uint8_t *)out + 8, 8));
}

static void copy_from_guest_into_unmapped_tail_returns_efault(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	char out[16];
	assert_int_equal(copy_from_guest(mm, out, FIXED_BASE + PAGE_SIZE - 8, sizeof(out)),
			 -EFAULT);
	assert_int_equal(copy_from_guest(mm, out, TASK_SIZE - 8, sizeof(out)), -EFAULT);
	assert_int_equal(copy_from_guest(mm, out, UINT64_MAX - 4, sizeof(out)), -EFAULT);
}

static void mm_poke_writes_readonly_mapping_but_not_holes(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, PROT_READ);
	const char s[] = "text";
	assert_int_equal(mm_poke(mm, FIXED_BASE + 10, s, sizeof(s)), 0);
	char out[sizeof(s)];
	assert_int_equal(copy_from_guest(mm, out, FIXED_BASE + 10, sizeof(out)), 0);
	assert_string_equal(out, s);
	assert_int_equal(mm_poke(mm, FIXED_BASE + PAGE_SIZE - 2, s, sizeof(s)), -EFAULT);
	assert_int_equal(mm_clear(mm, FIXED_BASE + 10, 2), 0);
	assert_int_equal(get8(mm, FIXED_BASE + 11), 0);
	assert_int_equal(get8(mm, FIXED_BASE + 12), 'x');
}

static void strncpy_from_guest_returns_enametoolong_without_nul(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, RW);
	char s[32];
	memset(s, 'a', sizeof(s));
	assert_int_equal(copy_to_guest(mm, FIXED_BASE, s, sizeof(s)), 0);

	char out[16];
	assert_int_equal(strncpy_from_guest(mm, out, FIXED_BASE, sizeof(out)), -ENAMETOOLONG);
	/* Exactly max bytes with no NUL among them: still too long. */
	put8(mm, FIXED_BASE + 16, 0);
	assert_int_equal(strncpy_from_guest(mm, out, FIXED_BASE, 16), -ENAMETOOLONG);
	/* With room for the NUL it fits: length 16. */
	char big[32];
	assert_int_equal(strncpy_from_guest(mm, big, FIXED_BASE, 17), 16);
}

static void strncpy_from_guest_returns_length(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, RW);
	const char s[] = "hello";
	/* The string ends right before the unmapped page: no fault past it. */
	gva_t at = FIXED_BASE + PAGE_SIZE - sizeof(s);
	assert_int_equal(copy_to_guest(mm, at, s, sizeof(s)), 0);

	char out[64];
	assert_int_equal(strncpy_from_guest(mm, out, at, sizeof(out)), 5);
	assert_string_equal(out, "hello");
	/* max counts the NUL: "hello" fits in 6, not in 5. */
	assert_int_equal(strncpy_from_guest(mm, out, at, 6), 5);
	assert_int_equal(strncpy_from_guest(mm, out, at, 5), -ENAMETOOLONG);
	assert_int_equal(strncpy_from_guest(mm, out, at + 5, 8), 0);
	/* Running off the mapping without a NUL faults. */
	put8(mm, at + 5, 'x');
	assert_int_equal(strncpy_from_guest(mm, out, at, sizeof(out)), -EFAULT);
}

/* A string crossing into the next page is found whole. */
static void strncpy_from_guest_crosses_pages(void **state)
{
	struct mm *mm = *state;
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, RW);
	const char s[] = "crossing";
	gva_t at = FIXED_BASE + PAGE_SIZE - 3;
	assert_int_equal(copy_to_guest(mm, at, s, sizeof(s)), 0);
	char out[32];
	assert_int_equal(strncpy_from_guest(mm, out, at, sizeof(out)), (long)strlen(s));
	assert_string_equal(out, s);
}

/* ---- pinning ---- */

static void pin_iov_merges_adjacent_frames_and_respects_max(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 3 * PAGE_SIZE, RW);
	struct iovec iov[4];
	size_t covered;

	/* Fresh frames come from the pool in order: two pages, one iovec. */
	int n = mm_pin_iov(mm, a + 100, 2 * PAGE_SIZE - 200, MM_WRITE, iov, 4, &covered);
	assert_int_equal(n, 1);
	assert_int_equal(covered, 2 * PAGE_SIZE - 200);
	assert_int_equal(iov[0].iov_len, 2 * PAGE_SIZE - 200);
	memset(iov[0].iov_base, 'z', iov[0].iov_len);
	assert_int_equal(get8(mm, a + 100), 'z');
	assert_int_equal(get8(mm, a + PAGE_SIZE + 50), 'z');

	/* A read of the untouched page maps the zero page: not adjacent. */
	n = mm_pin_iov(mm, a + PAGE_SIZE, 2 * PAGE_SIZE, MM_READ, iov, 1, &covered);
	assert_int_equal(n, 1);
	assert_int_equal(covered, PAGE_SIZE);
	assert_int_equal(mm_pin_iov(mm, a, 4 * PAGE_SIZE, MM_READ, iov, 4, &covered), -EFAULT);
}

/* ---- pool exhaustion and translation invalidation ---- */

static void fault_when_pool_is_exhausted_returns_enomem(void **state)
{
	struct mm *mm = *state;
	gva_t a = map_anon(mm, 128 * PAGE_SIZE, RW);
	uint64_t paddr;
	int perms;
	uint64_t i;

	for (i = 0; i < 128; i++)
		if (mm_fault(mm, a + i * PAGE_SIZE, MM_WRITE, &paddr, &perms))
			break;
	assert_int_equal(i, 63);
	assert_int_equal(mm_fault(mm, a + i * PAGE_SIZE, MM_WRITE, &paddr, &perms), -ENOMEM);
	uint8_t v = 1;
	assert_int_equal(copy_to_guest(mm, a + i * PAGE_SIZE, &v, 1), -ENOMEM);
	/* Reads still work: the zero page is free. */
	assert_int_equal(get8(mm, a + i * PAGE_SIZE), 0);
	/* Giving pages back makes room again. */
	assert_int_equal(mm_munmap(mm, a, PAGE_SIZE), 0);
	assert_int_equal(mm_fault(mm, a + i * PAGE_SIZE, MM_WRITE, &paddr, &perms), 0);
}

static int hook_calls;
static uint64_t hook_paddr;

static void record_invalidate(uint64_t paddr, uint64_t len)
{
	hook_calls++;
	hook_paddr = paddr;
	assert_int_equal(len, PAGE_SIZE);
}

/* What the emulator's TLB-fill hook does: translate, and mark the frame
 * executable when the entry it caches may fetch from it. */
static int cpu_fill(struct mm *mm, gva_t addr, int access, uint64_t *paddr, int *perms)
{
	int r = mm_fault(mm, addr, access, paddr, perms);
	if (!r && (*perms & MM_EXEC))
		frame_mark_exec((frame_t)(*paddr >> PAGE_SHIFT));
	return r;
}

/* Code fetched from a page and then rewritten by the kernel side (loader,
 * ptrace-like pokes) or freed by munmap must drop its translations. */
static void poke_into_executed_page_invalidates_translations(void **state)
{
	struct mm *mm = *state;
	hook_calls = 0;
	frames_set_invalidate_hook(record_invalidate);
	map_fixed(mm, FIXED_BASE, PAGE_SIZE, PROT_READ | PROT_EXEC);
	const uint8_t code[] = {0x90, 0xc3};
	assert_int_equal(mm_poke(mm, FIXED_BASE, code, sizeof(code)), 0);

	uint64_t paddr;
	int perms;
	assert_int_equal(cpu_fill(mm, FIXED_BASE, MM_EXEC, &paddr, &perms), 0);
	int calls = hook_calls;
	assert_int_equal(mm_poke(mm, FIXED_BASE, code, 1), 0);
	assert_int_equal(hook_calls, calls + 1);
	assert_int_equal(hook_paddr, paddr);

	assert_int_equal(cpu_fill(mm, FIXED_BASE, MM_EXEC, &paddr, &perms), 0);
	calls = hook_calls;
	assert_int_equal(mm_munmap(mm, FIXED_BASE, PAGE_SIZE), 0);
	assert_int_equal(hook_calls, calls + 1);
	assert_int_equal(hook_paddr, paddr);

	/* Data pages never fetched from cost no invalidation. */
	gva_t d = map_anon(mm, PAGE_SIZE, RW);
	calls = hook_calls;
	put8(mm, d, 1);
	put8(mm, d, 2);
	assert_int_equal(mm_munmap(mm, d, PAGE_SIZE), 0);
	assert_int_equal(hook_calls, calls);
}


static int flushes;

static void count_flush(struct mm *mm, bool dying)
{
	if (!dying)
		flushes++;
}

/* The CPU caches translations of present pages only, and asks again for an
 * access its entry lacks: unmapping pages never touched, or granting
 * rights, costs no TLB flush; removing a present page or a right does. */
static void tlb_flush_only_when_a_cached_translation_may_be_wrong(void **state)
{
	struct mm *mm = *state;
	mm_set_tlb_flush_hook(count_flush);
	flushes = 0;
	gva_t a = map_fixed(mm, FIXED_BASE, 4 * PAGE_SIZE, PROT_READ);
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC); /* over untouched pages */
	assert_int_equal(mm_mprotect(mm, a, 4 * PAGE_SIZE, RW), 0);
	assert_int_equal(flushes, 0);
	put8(mm, a + 3 * PAGE_SIZE, 1);
	assert_int_equal(mm_mprotect(mm, a, 2 * PAGE_SIZE, PROT_READ), 0); /* none present */
	assert_int_equal(mm_madvise(mm, a, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(mm_munmap(mm, a, PAGE_SIZE), 0);
	assert_int_equal(flushes, 0);
	assert_int_equal(mm_mprotect(mm, a + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(flushes, 1);
	assert_int_equal(mm_madvise(mm, a + 3 * PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(flushes, 2);
	assert_int_equal(get8(mm, a + 3 * PAGE_SIZE), 0);
	assert_int_equal(mm_munmap(mm, a + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(flushes, 3);
	mm_set_tlb_flush_hook(NULL);
}

/* ---- private file mappings through the page cache ---- */

/* A file of 2.5 pages whose byte i is file_byte(i) (never zero), its
 * page-cache identity and an address_space reading it. */
struct test_file {
	int fd;
	char path[64];
	struct file_id id;
	struct address_space *as;
};

#define FILE_LEN (2 * PAGE_SIZE + PAGE_SIZE / 2)

static uint8_t file_byte(uint64_t i)
{
	return (uint8_t)(i * 7 + 1) | 1;
}

static void file_identity(struct test_file *tf)
{
	struct stat st;
	assert_int_equal(fstat(tf->fd, &st), 0);
	tf->id = (struct file_id){st.st_dev, st.st_ino, (uint64_t)st.st_size,
				  (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
					  (uint64_t)st.st_mtim.tv_nsec};
}

static void make_file(struct test_file *tf, uint8_t xor)
{
	uint8_t buf[FILE_LEN];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = file_byte(i) ^ xor;
	snprintf(tf->path, sizeof(tf->path), "/tmp/cloneemu-test-mm-XXXXXX");
	tf->fd = mkstemp(tf->path);
	assert_true(tf->fd >= 0);
	assert_int_equal(pwrite(tf->fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	file_identity(tf);
	tf->as = mapping_open(&tf->id, tf->fd, true);
	assert_non_null(tf->as);
}

static void drop_file(struct test_file *tf)
{
	mapping_put(tf->as);
	close(tf->fd);
	unlink(tf->path);
}

static gva_t map_file(struct mm *mm, struct test_file *tf, uint64_t len, int prot, uint64_t off)
{
	struct mm_file f = {tf->path, off, tf->id.dev, tf->id.ino, tf->as};
	long a = mm_mmap_file(mm, 0, len, prot, MAP_PRIVATE, &f);
	assert_true(a > 0);
	return (gva_t)a;
}

static int teardown_pagecache(void **state)
{
	mm_put(*state);
	pagecache_drop();
	frames_set_invalidate_hook(NULL);
	frames_fini();
	return 0;
}

/* Two processes mapping the same file page share one frame (so code
 * translated for one is reused by the other), and see the file's bytes. */
static void file_page_is_one_frame_shared_by_two_mms(void **state)
{
	struct mm *mm = *state, *other = mm_alloc();
	struct test_file tf;
	make_file(&tf, 0);
	gva_t a = map_file(mm, &tf, FILE_LEN, PROT_READ | PROT_EXEC, 0);
	gva_t b = map_file(other, &tf, FILE_LEN, PROT_READ, 0);
	uint64_t before = in_use();

	assert_int_equal(frame_at(mm, a + PAGE_SIZE), frame_at(other, b + PAGE_SIZE));
	assert_int_equal(in_use(), before + 1); /* one frame, held by the cache */
	uint8_t buf[PAGE_SIZE];
	assert_int_equal(copy_from_guest(other, buf, b + PAGE_SIZE, PAGE_SIZE), 0);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(buf[i], file_byte(PAGE_SIZE + i));

	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(mm, a, MM_EXEC, &paddr, &perms), 0);
	assert_int_equal(perms, MM_READ | MM_EXEC); /* never writable in place */

	/* Unmapping in both leaves the page to the cache, ready for the next. */
	assert_int_equal(mm_munmap(mm, a, FILE_LEN), 0);
	assert_int_equal(mm_munmap(other, b, FILE_LEN), 0);
	mm_put(other);
	other = mm_alloc();
	b = map_file(other, &tf, FILE_LEN, PROT_READ, 0);
	uint64_t cached = in_use();
	assert_int_equal(get8(other, b + PAGE_SIZE + 5), file_byte(PAGE_SIZE + 5));
	assert_int_equal(in_use(), cached);
	mm_put(other);
	drop_file(&tf);
}

/* MAP_PRIVATE: a write copies the page for the writer only; the cache,
 * other mappings, and a later mapping keep the file's bytes. mprotect to
 * writable and fork keep this. */
static void write_to_file_page_copies_it_for_the_writer_only(void **state)
{
	struct mm *mm = *state, *other = mm_alloc();
	struct test_file tf;
	make_file(&tf, 0);
	gva_t a = map_file(mm, &tf, FILE_LEN, RW, 0);
	gva_t b = map_file(other, &tf, FILE_LEN, PROT_READ, 0);
	frame_t shared = frame_at(other, b);

	put8(mm, a + 10, 0); /* never a file byte */
	assert_int_equal(get8(mm, a + 10), 0);
	assert_int_equal(get8(mm, a + 11), file_byte(11));
	assert_int_not_equal(frame_at(mm, a), shared);
	assert_int_equal(get8(other, b + 10), file_byte(10));
	assert_int_equal(mm->pages_copied, 1);

	/* Read first (shared), then made writable and written. */
	gva_t c = map_file(mm, &tf, FILE_LEN, PROT_READ, 0);
	assert_int_equal(frame_at(mm, c), shared);
	assert_int_equal(mm_mprotect(mm, c, PAGE_SIZE, RW), 0);
	put8(mm, c, 0);
	assert_int_equal(get8(mm, c), 0);
	assert_int_equal(get8(other, b), file_byte(0));

	/* fork: the child shares the untouched page and copies on write. */
	struct mm *child = mm_dup(other);
	assert_non_null(child);
	assert_int_equal(frame_at(child, b + PAGE_SIZE), frame_at(other, b + PAGE_SIZE));
	assert_int_equal(mm_mprotect(child, b, FILE_LEN, RW), 0);
	put8(child, b + PAGE_SIZE, 0);
	assert_int_equal(get8(other, b + PAGE_SIZE), file_byte(PAGE_SIZE));
	assert_int_equal(get8(child, b + 2 * PAGE_SIZE), file_byte(2 * PAGE_SIZE));
	mm_put(child);

	/* A new mapping still reads the file's bytes. */
	gva_t d = map_file(mm, &tf, FILE_LEN, PROT_READ, 0);
	assert_int_equal(get8(mm, d + 10), file_byte(10));
	assert_int_equal(get8(mm, d + PAGE_SIZE), file_byte(PAGE_SIZE));

	/* MADV_DONTNEED drops the private copy: the file's byte is back. */
	assert_int_equal(mm_madvise(mm, a, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(get8(mm, a + 10), file_byte(10));
	mm_put(other);
	drop_file(&tf);
}

/* The last page holds the file's tail and zeroes after EOF and takes
 * writes there; a page wholly after EOF faults (SIGBUS, recorded as a bus
 * error). An offset mapping starts at its file offset. */
static void file_mapping_zeroes_after_eof(void **state)
{
	struct mm *mm = *state;
	struct test_file tf;
	make_file(&tf, 0);
	gva_t a = map_file(mm, &tf, 4 * PAGE_SIZE, PROT_READ, 0);
	uint8_t buf[PAGE_SIZE];

	assert_int_equal(copy_from_guest(mm, buf, a + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(buf[i], i < FILE_LEN - 2 * PAGE_SIZE ? file_byte(2 * PAGE_SIZE + i) : 0);
	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(mm, a + 3 * PAGE_SIZE + 5, MM_READ, &paddr, &perms), -EFAULT);
	assert_true(mm->last_fault.bus);
	assert_int_equal(mm->last_fault.si_code, 2 /* BUS_ADRERR */);
	assert_int_equal(mm->last_fault.addr, a + 3 * PAGE_SIZE + 5);
	assert_int_equal(copy_from_guest(mm, buf, a + 3 * PAGE_SIZE, 1), -EFAULT);
	assert_int_equal(mm_mprotect(mm, a, 4 * PAGE_SIZE, RW), 0);
	put8(mm, a + FILE_LEN, 8);
	assert_int_equal(get8(mm, a + FILE_LEN), 8);
	assert_int_equal(get8(mm, a + FILE_LEN + 1), 0);

	/* Another mapping's tail page is still zero after EOF. */
	gva_t b = map_file(mm, &tf, PAGE_SIZE, PROT_READ, 2 * PAGE_SIZE);
	assert_int_equal(get8(mm, b), file_byte(2 * PAGE_SIZE));
	assert_int_equal(get8(mm, b + FILE_LEN - 2 * PAGE_SIZE), 0);
	drop_file(&tf);
}

/* A guest rewriting the file (same size, same mtime: coarse timestamps)
 * must not leave new mappings with the old bytes: opening it for writing
 * moves the file's cached pages out of reach. */
static void file_rewritten_by_guest_is_read_again_by_new_mappings(void **state)
{
	struct mm *mm = *state;
	struct test_file tf;
	make_file(&tf, 0);
	struct stat st;
	assert_int_equal(fstat(tf.fd, &st), 0);
	gva_t a = map_file(mm, &tf, FILE_LEN, PROT_READ, 0);
	assert_int_equal(get8(mm, a), file_byte(0));

	uint8_t buf[FILE_LEN];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = file_byte(i) ^ 0x80;
	pagecache_inode_written(tf.id.dev, tf.id.ino); /* open for writing */
	assert_int_equal(pwrite(tf.fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	const struct timespec same[2] = {st.st_atim, st.st_mtim};
	assert_int_equal(futimens(tf.fd, same), 0);
	pagecache_inode_written(tf.id.dev, tf.id.ino); /* closed */

	struct test_file again = tf;
	file_identity(&again);
	assert_memory_equal(&again.id, &tf.id, sizeof(tf.id)); /* the same key */
	gva_t b = map_file(mm, &tf, FILE_LEN, PROT_READ, 0);
	assert_int_equal(get8(mm, b), file_byte(0) ^ 0x80);
	assert_int_equal(get8(mm, b + PAGE_SIZE), file_byte(PAGE_SIZE) ^ 0x80);
	assert_int_equal(get8(mm, a), file_byte(0)); /* the old mapping keeps its page */
	drop_file(&tf);
}

/* While the file is open for writing its mappings are uncached: each first
 * touch reads a private copy of the file as it is then (the bytes written
 * after mmap, but before the touch, show, as on Linux). */
static void uncached_file_mapping_reads_the_file_at_first_touch(void **state)
{
	struct mm *mm = *state;
	struct test_file tf;
	make_file(&tf, 0);
	struct address_space *as = mapping_open(&tf.id, tf.fd, false);
	assert_non_null(as);
	struct mm_file f = {tf.path, 0, tf.id.dev, tf.id.ino, as};
	long a = mm_mmap_file(mm, 0, 3 * PAGE_SIZE, RW, MAP_PRIVATE, &f);
	long b = mm_mmap_file(mm, 0, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, &f);
	mapping_put(as);
	assert_true(a > 0 && b > 0);
	assert_int_equal(get8(mm, a), file_byte(0));

	uint8_t v = 0;
	assert_int_equal(pwrite(tf.fd, &v, 1, PAGE_SIZE), 1);
	assert_int_equal(get8(mm, a + PAGE_SIZE), 0);
	assert_int_not_equal(frame_at(mm, a), frame_at(mm, b));
	uint64_t before = in_use();
	put8(mm, a + 1, 0); /* its own page: taken, not copied */
	assert_int_equal(in_use(), before);
	assert_int_equal(mm->pages_copied, 0);
	assert_int_equal(get8(mm, b + 1), file_byte(1));
	/* The tail after EOF is zero here too. */
	assert_int_equal(get8(mm, a + FILE_LEN), 0);
	assert_int_equal(get8(mm, a + 2 * PAGE_SIZE), file_byte(2 * PAGE_SIZE));
	drop_file(&tf);
}

/* Pages the cache keeps for nobody are at most a quarter of the pool, so a
 * file read once cannot starve later anonymous memory (pool: 63 frames). */
static void page_cache_leaves_three_quarters_of_the_pool_to_the_guests(void **state)
{
	struct mm *mm = *state;
	struct test_file tf;
	make_file(&tf, 0);
	uint8_t page_bytes[PAGE_SIZE];
	memset(page_bytes, 0x5a, sizeof(page_bytes));
	for (int i = 0; i < 40; i++)
		assert_int_equal(pwrite(tf.fd, page_bytes, PAGE_SIZE, (off_t)i * PAGE_SIZE),
				 (ssize_t)PAGE_SIZE);
	file_identity(&tf);
	mapping_put(tf.as);
	tf.as = mapping_open(&tf.id, tf.fd, true);

	for (int round = 0; round < 2; round++) {
		gva_t a = map_file(mm, &tf, 40 * PAGE_SIZE, PROT_READ, 0);
		for (int i = 0; i < 40; i++)
			assert_int_equal(get8(mm, a + i * PAGE_SIZE + 7), 0x5a);
		assert_int_equal(mm_munmap(mm, a, 40 * PAGE_SIZE), 0);
		assert_true(in_use() <= 64 / 4);
		gva_t b = map_anon(mm, 40 * PAGE_SIZE, RW);
		for (int i = 0; i < 40; i++)
			put8(mm, b + i * PAGE_SIZE, 1);
		assert_int_equal(mm_munmap(mm, b, 40 * PAGE_SIZE), 0);
	}
	drop_file(&tf);
}

/* Filling a fresh page of a code mapping from the kernel side (loader,
 * mmap under --record) costs no invalidation: nothing was translated. */
static void poke_into_code_page_never_fetched_costs_no_invalidation(void **state)
{
	struct mm *mm = *state;
	hook_calls = 0;
	frames_set_invalidate_hook(record_invalidate);
	map_fixed(mm, FIXED_BASE, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC);
	uint8_t code[2 * PAGE_SIZE];
	memset(code, 0x90, sizeof(code));
	assert_int_equal(mm_poke(mm, FIXED_BASE, code, sizeof(code)), 0);
	assert_int_equal(mm_poke(mm, FIXED_BASE, code, sizeof(code)), 0);
	assert_int_equal(hook_calls, 0);
	/* A CPU fill, even for a read, may leave an executable TLB entry. */
	uint64_t paddr;
	int perms;
	assert_int_equal(cpu_fill(mm, FIXED_BASE, MM_READ, &paddr, &perms), 0);
	assert_int_equal(mm_poke(mm, FIXED_BASE, code, 1), 0);
	assert_int_equal(hook_calls, 1);
}

/* MAP_SHARED of a file: its pages are the file's (host mappings of it in
 * the pool, not counted as pool memory) both ways, a fork shares them
 * writable, a private mapping of the file takes them copy-on-write, a page
 * past EOF is a bus error, and a truncation takes the pages past the new
 * EOF out of every mm. */
static void shared_file_mapping_is_the_files_pages(void **state)
{
	struct mm *mm = *state;
	struct test_file tf;
	make_file(&tf, 0);
	struct inode_pages *ip;
	assert_int_equal(inode_pages_open(tf.fd, true, true, tf.id.dev, tf.id.ino, &ip), 0);
	struct mm_file f = {tf.path, 0, tf.id.dev, tf.id.ino, NULL, ip, true};
	long r = mm_mmap_file(mm, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &f);
	assert_true(r > 0);
	gva_t a = (gva_t)r;
	inode_pages_put(ip, false); /* the VMA holds its own */
	uint64_t before = in_use();

	assert_int_equal(get8(mm, a + 5), file_byte(5));
	put8(mm, a + PAGE_SIZE + 3, 0x5a);
	uint8_t c = 0;
	assert_int_equal(pread(tf.fd, &c, 1, PAGE_SIZE + 3), 1);
	assert_int_equal(c, 0x5a);
	assert_int_equal(pwrite(tf.fd, "\x77", 1, 2 * PAGE_SIZE), 1);
	assert_int_equal(get8(mm, a + 2 * PAGE_SIZE), 0x77);
	assert_int_equal(in_use(), before);

	struct mm *child = mm_dup(mm);
	assert_non_null(child);
	assert_int_equal(frame_at(mm, a + PAGE_SIZE), frame_at(child, a + PAGE_SIZE));
	put8(child, a + 7, 0x11);
	assert_int_equal(get8(mm, a + 7), 0x11);

	gva_t p = map_file(mm, &tf, PAGE_SIZE, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(get8(mm, p + 7), 0x11);
	put8(mm, p + 7, 0x22);
	assert_int_equal(get8(mm, a + 7), 0x11);
	assert_int_equal(get8(mm, p + 7), 0x22);

	uint64_t paddr;
	int perms;
	assert_int_equal(mm_fault(mm, a + 3 * PAGE_SIZE, MM_READ, &paddr, &perms), -EFAULT);
	assert_true(mm->last_fault.bus);
	assert_int_equal(ftruncate(tf.fd, PAGE_SIZE), 0);
	mm_file_truncated(tf.id.dev, tf.id.ino, PAGE_SIZE);
	assert_int_equal(mm_fault(child, a + PAGE_SIZE, MM_READ, &paddr, &perms), -EFAULT);
	assert_true(child->last_fault.bus);
	assert_int_equal(get8(child, a + 7), 0x11);
	mm_put(child);
	drop_file(&tf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(read_of_untouched_anon_page_maps_zero_page_without_frame),
	    T(first_write_to_anon_page_allocates_exactly_one_frame),
	    T(munmap_returns_frames_to_pool),
	    T(cow_fork_shares_frames_and_data),
	    T(cow_write_in_child_leaves_parent_page),
	    T(cow_parent_write_after_child_copy_reuses_sole_frame),
	    T(cow_untouched_page_keeps_zero_page_semantics_after_fork),
	    T(cow_child_outliving_parent_owns_pages_without_copy),
	    T(fork_of_64mb_heap_copies_only_written_pages),
	    T(shared_anon_mapping_stays_shared_across_fork),
	    T(shared_anon_page_untouched_before_fork_is_shared),
	    T(dontfork_range_is_absent_in_child),
	    T(wipeonfork_range_is_zero_in_child_and_kept_in_parent),
	    T(wipeonfork_on_shared_mapping_returns_einval),
	    T(dontneed_on_private_page_reads_zero_and_spares_fork_sibling),
	    T(fault_write_to_readonly_mapping_is_eacces_with_accerr),
	    T(fault_records_exact_faulting_address),
	    T(fault_on_unmapped_address_is_efault_with_maperr),
	    T(fault_exec_fetch_from_noexec_mapping_is_eacces),
	    T(fault_on_prot_none_mapping_is_eacces_for_any_access),
	    T(fault_perms_of_cow_page_lack_write_until_written),
	    T(mmap_zero_length_returns_einval),
	    T(mmap_fixed_unaligned_returns_einval),
	    T(mmap_without_private_or_shared_returns_einval),
	    T(mmap_fixed_noreplace_over_mapping_returns_eexist),
	    T(mmap_fixed_noreplace_with_map_fixed_still_returns_eexist),
	    T(mmap_fixed_replaces_part_and_drops_old_data),
	    T(mmap_places_second_mapping_below_first),
	    T(mmap_honours_hint_address_when_free),
	    T(mmap_rounds_length_up_to_pages),
	    T(mmap_named_file_mapping_keeps_name_and_offset),
	    T(munmap_middle_page_splits_vma_leaving_hole),
	    T(munmap_argument_errors_and_unmapped_range),
	    T(mprotect_over_hole_returns_enomem),
	    T(mprotect_length_wrapping_address_space_returns_enomem),
	    T(mprotect_with_growsdown_and_growsup_returns_einval),
	    T(mprotect_split_then_restore_merges_vmas),
	    T(mremap_grows_in_place_when_space_after_is_free),
	    T(mremap_maymove_moves_when_blocked_keeping_contents),
	    T(mremap_fixed_moves_to_requested_address),
	    T(mremap_shrink_unmaps_tail),
	    T(mremap_fixed_without_maymove_returns_einval),
	    T(mremap_of_unmapped_address_returns_efault),
	    T(brk_grows_and_shrinks),
	    T(brk_below_start_brk_returns_current_brk),
	    T(brk_into_existing_mapping_fails_with_current_brk),
	    T(brk_shrink_frees_pages_and_regrow_reads_zero),
	    T(copy_to_guest_across_into_readonly_page_returns_efault),
	    T(copy_from_guest_into_unmapped_tail_returns_efault),
	    T(mm_poke_writes_readonly_mapping_but_not_holes),
	    T(strncpy_from_guest_returns_enametoolong_without_nul),
	    T(strncpy_from_guest_returns_length),
	    T(strncpy_from_guest_crosses_pages),
	    T(pin_iov_merges_adjacent_frames_and_respects_max),
	    T(poke_into_executed_page_invalidates_translations),
	    T(poke_into_code_page_never_fetched_costs_no_invalidation),
	    T(tlb_flush_only_when_a_cached_translation_may_be_wrong),
#undef T
#define P(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_pagecache)
	    P(file_page_is_one_frame_shared_by_two_mms),
	    P(write_to_file_page_copies_it_for_the_writer_only),
	    P(file_mapping_zeroes_after_eof),
	    P(file_rewritten_by_guest_is_read_again_by_new_mappings),
	    P(uncached_file_mapping_reads_the_file_at_first_touch),
	    P(shared_file_mapping_is_the_files_pages),
#undef P
	    cmocka_unit_test_setup_teardown(fault_when_pool_is_exhausted_returns_enomem,
					    setup_small_pool, teardown),
	    cmocka_unit_test_setup_teardown(
		    page_cache_leaves_three_quarters_of_the_pool_to_the_guests, setup_small_pool,
		    teardown_pagecache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
