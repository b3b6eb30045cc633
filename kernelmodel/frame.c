#include "kernelmodel/frame.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Per-frame bookkeeping. Free frames are chained through next_free; a frame
 * never handed out lies above 'high' and needs no chaining. */
struct frame_meta {
	uint32_t refcount;
	uint32_t next_free;
	uint8_t exec;
};

static struct {
	uint8_t *base;
	size_t bytes;
	uint64_t nframes;
	struct frame_meta *meta;
	uint32_t free_head; /* 0 = empty (frame 0 is the zero page) */
	uint64_t high;      /* frames below this were handed out at least once */
	struct frame_stats st;
	void (*invalidate)(uint64_t paddr, uint64_t len);
} pool;

int frames_init(size_t bytes)
{
	bytes = PAGE_ALIGN(bytes);
	if (bytes >> PAGE_SHIFT > UINT32_MAX)
		return -EINVAL;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	struct frame_meta *m = calloc(bytes >> PAGE_SHIFT, sizeof(*m));
	if (!m) {
		munmap(p, bytes);
		return -ENOMEM;
	}
	pool.base = p;
	pool.bytes = bytes;
	pool.nframes = bytes >> PAGE_SHIFT;
	pool.meta = m;
	pool.free_head = 0;
	pool.high = 1;
	memset(&pool.st, 0, sizeof(pool.st));
	pool.st.nframes = pool.nframes;
	pool.meta[ZERO_FRAME].refcount = 1; /* permanent */
	return 0;
}

void frames_fini(void)
{
	if (pool.base)
		munmap(pool.base, pool.bytes);
	free(pool.meta);
	pool.base = NULL;
	pool.meta = NULL;
}

void *frames_base(void)
{
	return pool.base;
}

size_t frames_bytes(void)
{
	return pool.bytes;
}

void frames_set_invalidate_hook(void (*hook)(uint64_t, uint64_t))
{
	pool.invalidate = hook;
}

void *frame_ptr(frame_t f)
{
	assert(f < pool.nframes);
	return pool.base + ((size_t)f << PAGE_SHIFT);
}

frame_t frame_alloc(void)
{
	frame_t f;
	if (pool.free_head) {
		f = pool.free_head;
		pool.free_head = pool.meta[f].next_free;
		memset(frame_ptr(f), 0, PAGE_SIZE);
	} else if (pool.high < pool.nframes) {
		f = (frame_t)pool.high++; /* fresh from the reservation: already zero */
	} else {
		return 0;
	}
	pool.meta[f].refcount = 1;
	pool.meta[f].next_free = 0;
	if (++pool.st.in_use > pool.st.peak_in_use)
		pool.st.peak_in_use = pool.st.in_use;
	return f;
}

void frame_get(frame_t f)
{
	if (f == ZERO_FRAME)
		return;
	assert(pool.meta[f].refcount > 0);
	pool.meta[f].refcount++;
}

void frame_put(frame_t f)
{
	if (f == ZERO_FRAME)
		return;
	struct frame_meta *m = &pool.meta[f];
	assert(m->refcount > 0);
	if (--m->refcount)
		return;
	frame_before_host_write(f);
	m->next_free = pool.free_head;
	pool.free_head = f;
	pool.st.in_use--;
}

unsigned frame_refcount(frame_t f)
{
	return pool.meta[f].refcount;
}

void frame_mark_exec(frame_t f)
{
	pool.meta[f].exec = 1;
}

void frame_before_host_write(frame_t f)
{
	struct frame_meta *m = &pool.meta[f];
	if (m->exec) {
		m->exec = 0;
		if (pool.invalidate)
			pool.invalidate(frame_paddr(f), PAGE_SIZE);
	}
}

void frames_count_cow(int copied)
{
	if (copied)
		pool.st.cow_copies++;
	else
		pool.st.cow_reuses++;
}

struct frame_stats frames_stats(void)
{
	return pool.st;
}
