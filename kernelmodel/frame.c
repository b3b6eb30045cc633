#include "kernelmodel/frame.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Per-frame bookkeeping. Free frames are chained through next_free; a frame
 * never handed out lies above 'high' and needs no chaining. The first frame
 * of a file run counts in next_free the frames of its run still
 * referenced, and chains free runs through it once that is 0. */
struct frame_meta {
	uint32_t refcount;
	uint32_t next_free;
	uint8_t exec;
	uint8_t file; /* part of a file run */
};

static struct {
	uint8_t *base;
	size_t bytes;
	uint64_t nframes;
	struct frame_meta *meta;
	uint32_t free_head; /* 0 = empty (frame 0 is the zero page) */
	uint32_t free_runs; /* first frames of free runs (anonymous, zero), 0 = none */
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
	pool.free_runs = 0;
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

static void push_free(frame_t f)
{
	pool.meta[f].next_free = pool.free_head;
	pool.free_head = f;
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
	} else if (pool.free_runs) {
		/* Out of single frames: break up a free run (zero memory). */
		f = pool.free_runs;
		pool.free_runs = pool.meta[f].next_free;
		for (frame_t g = f + FRAME_RUN - 1; g > f; g--)
			push_free(g);
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
	if (m->file) {
		frame_t first = f & ~(FRAME_RUN - 1);
		if (--pool.meta[first].next_free == 0) {
			/* The whole run is unreferenced: anonymous and zero again,
			 * which also lets go of the host file. */
			void *p =
			    mmap(frame_ptr(first), FRAME_RUN * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
			assert(p != MAP_FAILED); /* replacing a mapping needs no new room */
			(void)p;
			for (frame_t g = first; g < first + FRAME_RUN; g++)
				pool.meta[g].file = 0;
			pool.meta[first].next_free = pool.free_runs;
			pool.free_runs = first;
		}
		return;
	}
	push_free(f);
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

bool frame_is_exec(frame_t f)
{
	return pool.meta[f].exec;
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

/* ---- file runs ---- */

/* Safety net for a file a host program shrank under a guest's shared
 * mapping: a host access to a run page past the new EOF raises SIGBUS in
 * the emulator itself (a guest's own truncation unmaps those pages from
 * every page table first: mm_file_truncated). The page becomes anonymous
 * zeroes (the guest reads zeroes there instead of getting SIGBUS) and the
 * access is retried. Any other SIGBUS keeps its default action. */
static void run_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uint8_t *a = si->si_addr;
	if (pool.base && a >= pool.base && a < pool.base + pool.bytes &&
	    pool.meta[(size_t)(a - pool.base) >> PAGE_SHIFT].file &&
	    mmap((void *)((uintptr_t)a & PAGE_MASK), PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
		return;
	signal(SIGBUS, SIG_DFL); /* the retried access dies of it */
}

frame_t frame_run_alloc(void)
{
	frame_t first;
	if (pool.free_runs) {
		first = pool.free_runs;
		pool.free_runs = pool.meta[first].next_free;
	} else {
		uint64_t at = (pool.high + FRAME_RUN - 1) & ~(uint64_t)(FRAME_RUN - 1);
		if (at + FRAME_RUN > pool.nframes)
			return 0;
		while (pool.high < at) /* the frames skipped to align the run */
			push_free((frame_t)pool.high++);
		first = (frame_t)at;
		pool.high = at + FRAME_RUN;
	}
	for (frame_t g = first; g < first + FRAME_RUN; g++) {
		pool.meta[g].refcount = 1; /* the owner's */
		pool.meta[g].file = 1;
		pool.meta[g].exec = 0;
	}
	pool.meta[first].next_free = FRAME_RUN;
	return first;
}

int frame_run_map(frame_t first, int fd, uint64_t off, bool writable)
{
	static bool guard;
	if (!guard) {
		struct sigaction sa = {.sa_sigaction = run_sigbus,
				       .sa_flags = SA_SIGINFO | SA_NODEFER};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		guard = true;
	}
	assert(!(first & (FRAME_RUN - 1)) && pool.meta[first].file);
	/* MAP_POPULATE: the host maps the run's pages in one go (a read fault
	 * each otherwise, taken inside the CPU's store or load: 2.5x slower
	 * in bench mmap_shared). Pages past EOF are left out, silently. */
	void *p =
	    mmap(frame_ptr(first), FRAME_RUN * PAGE_SIZE, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, (off_t)off);
	return p == MAP_FAILED ? -errno : 0;
}

void frame_run_release(frame_t first)
{
	for (frame_t g = first + FRAME_RUN; g-- > first;)
		frame_put(g);
}

bool frame_is_file(frame_t f)
{
	return pool.meta[f].file;
}

int frame_run_sync(frame_t f, unsigned n, int flags)
{
	return msync(frame_ptr(f), n * PAGE_SIZE, flags) ? -errno : 0;
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
