/* Physical memory of the emulated machine: one host reservation carved into
 * 4 KiB frames with reference counts. Frame 0 is the shared zero page: it is
 * never written and never freed. The emulator maps the whole pool into the
 * CPU as "physical" memory; page tables (mm.c) point guest pages at frames. */
#ifndef KERNELMODEL_FRAME_H
#define KERNELMODEL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ul
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

typedef uint32_t frame_t; /* frame number; paddr = frame << PAGE_SHIFT */
#define ZERO_FRAME ((frame_t)0)

struct frame_stats {
	uint64_t nframes;      /* pool size in frames */
	uint64_t in_use;       /* frames with refcount > 0, zero page excluded */
	uint64_t peak_in_use;  /* high-water mark of in_use */
	uint64_t cow_copies;   /* pages copied because a shared frame was written */
	uint64_t cow_reuses;   /* COW faults resolved without a copy (sole owner) */
};

/* Reserve a pool of @bytes (rounded to pages) with MAP_NORESERVE. Returns 0 or -ENOMEM. */
int frames_init(size_t bytes);
/* Release the pool (tests, and exit under the leak checker). */
void frames_fini(void);
void *frames_base(void);
size_t frames_bytes(void);

/* A zeroed frame with refcount 1, or 0 (never a valid fresh frame) when the pool is full. */
frame_t frame_alloc(void);
void frame_get(frame_t f);
/* Drop a reference; at zero the frame returns to the free list. */
void frame_put(frame_t f);
unsigned frame_refcount(frame_t f);
void *frame_ptr(frame_t f);
static inline uint64_t frame_paddr(frame_t f)
{
	return (uint64_t)f << PAGE_SHIFT;
}

/* Translated guest code is cached by physical address. A frame the CPU may
 * have fetched from (an executable TLB entry for it was installed) is marked;
 * when such a frame is rewritten by the model or freed, the emulator's hook
 * drops translations for it and the mark (emu/codecache.h for the CPU's own
 * stores). */
void frame_mark_exec(frame_t f);
bool frame_is_exec(frame_t f);
void frame_before_host_write(frame_t f);
void frames_set_invalidate_hook(void (*hook)(uint64_t paddr, uint64_t len));

/* File runs: FRAME_RUN contiguous frames (aligned to FRAME_RUN) through
 * which a host file shows FRAME_RUN of its pages: the run's host memory is
 * a MAP_SHARED mapping of the file placed over the pool (MAP_FIXED), so
 * the guests, the emulator's read/write on the file and every other host
 * process see the same bytes (the host's page cache is the page cache).
 * One host mmap per run (256 KiB), not per page: fewer calls, and runs of
 * consecutive file offsets that land next to each other in the pool merge
 * into one host VMA (the host allows 65530: 2 per run at worst, so 8 GiB
 * of scattered runs).
 * A new run's frames hold one reference each, its owner's (filemap.c);
 * page tables take more with frame_get. When the last reference to every
 * frame of a run is gone (owner and page tables alike), its memory is
 * anonymous and zero again and it waits for the next run. File frames are
 * not counted in in_use: their memory is the host's page cache. */
#define FRAME_RUN_SHIFT 6
#define FRAME_RUN (1u << FRAME_RUN_SHIFT)
/* The first frame of a free run, or 0 when the pool has no room. */
frame_t frame_run_alloc(void);
/* Show file @fd's bytes from @off (run aligned) through run @first (host
 * mmap MAP_SHARED|MAP_FIXED; @writable: PROT_WRITE too). A run mapped
 * before is mapped again (a new descriptor, other rights): the bytes stay
 * the file's. 0 or -errno. */
int frame_run_map(frame_t first, int fd, uint64_t off, bool writable);
/* The owner lets go of run @first: frame_put on each of its frames. */
void frame_run_release(frame_t first);
bool frame_is_file(frame_t f);
/* Host msync of the pages [@f, @f+@n) of a run. 0 or -errno. */
int frame_run_sync(frame_t f, unsigned n, int flags);

void frames_count_cow(int copied);
struct frame_stats frames_stats(void);

#endif
