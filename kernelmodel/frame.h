/* Physical memory of the emulated machine: one host reservation carved into
 * 4 KiB frames with reference counts. Frame 0 is the shared zero page: it is
 * never written and never freed. The emulator maps the whole pool into the
 * CPU as "physical" memory; page tables (mm.c) point guest pages at frames. */
#ifndef KERNELMODEL_FRAME_H
#define KERNELMODEL_FRAME_H

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

/* Translated guest code is cached by physical address. A frame that was ever
 * fetched from is marked; when such a frame is rewritten by the model or
 * freed, the emulator's hook drops translations for it. */
void frame_mark_exec(frame_t f);
void frame_before_host_write(frame_t f);
void frames_set_invalidate_hook(void (*hook)(uint64_t paddr, uint64_t len));

void frames_count_cow(int copied);
struct frame_stats frames_stats(void);

#endif
