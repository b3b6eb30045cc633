/* Unit tests for kernelmodel/frame.c: the physical frame pool, its reference
 * counts, the permanent zero page, statistics and the hook that drops
 * translated code when an executed frame is rewritten or freed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernelmodel/frame.h"

/* ---- fixture ---- */

static int setup(void **state)
{
	assert_int_equal(frames_init(1ul << 30), 0);
	return 0;
}

/* 64 frames, of which frame 0 is the zero page: 63 can be handed out. */
static int setup_small_pool(void **state)
{
	assert_int_equal(frames_init(64 * PAGE_SIZE), 0);
	return 0;
}

static int teardown(void **state)
{
	frames_set_invalidate_hook(NULL);
	frames_fini();
	return 0;
}

static bool frame_is_zero(frame_t f)
{
	const uint8_t *p = frame_ptr(f);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return false;
	return true;
}

static int hook_calls;
static uint64_t hook_paddr, hook_len;

static void record_invalidate(uint64_t paddr, uint64_t len)
{
	hook_calls++;
	hook_paddr = paddr;
	hook_len = len;
}

/* ---- tests ---- */

static void pool_reports_its_size(void **state)
{
	assert_non_null(frames_base());
	assert_int_equal(frames_bytes(), 1ul << 30);
	struct frame_stats st = frames_stats();
	assert_int_equal(st.nframes, (1ul << 30) / PAGE_SIZE);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.peak_in_use, 0);
	assert_int_equal(st.cow_copies, 0);
	assert_int_equal(st.cow_reuses, 0);
	assert_ptr_equal(frame_ptr(ZERO_FRAME), frames_base());
	assert_int_equal(frame_paddr(3), 3 * PAGE_SIZE);
}

static void alloc_returns_fresh_zeroed_frame_with_refcount_one(void **state)
{
	frame_t a = frame_alloc(), b = frame_alloc();
	assert_int_not_equal(a, ZERO_FRAME);
	assert_int_not_equal(b, ZERO_FRAME);
	assert_int_not_equal(a, b);
	assert_true(frame_is_zero(a));
	assert_true(frame_is_zero(b));
	assert_int_equal(frame_refcount(a), 1);
	assert_int_equal(frames_stats().in_use, 2);
	frame_put(a);
	frame_put(b);
	assert_int_equal(frames_stats().in_use, 0);
}

/* A freed frame that held data must come back zeroed: a new page in another
 * process must never show the previous owner's bytes. */
static void alloc_reusing_freed_frame_returns_it_zeroed(void **state)
{
	frame_t f = frame_alloc();
	memset(frame_ptr(f), 0xa5, PAGE_SIZE);
	frame_put(f);

	frame_t g = frame_alloc();
	assert_int_equal(g, f); /* the free list is reused before the reservation */
	assert_true(frame_is_zero(g));
	assert_int_equal(frame_refcount(g), 1);

	/* Several at once, freed in any order. */
	frame_t h[4];
	for (int i = 0; i < 4; i++) {
		h[i] = frame_alloc();
		memset(frame_ptr(h[i]), 0xff, PAGE_SIZE);
	}
	frame_put(h[2]);
	frame_put(h[0]);
	frame_put(h[3]);
	for (int i = 0; i < 3; i++) {
		frame_t r = frame_alloc();
		assert_true(r == h[0] || r == h[2] || r == h[3]);
		assert_true(frame_is_zero(r));
		frame_put(r);
	}
	frame_put(h[1]);
	frame_put(g);
}

static void refcount_follows_get_and_put(void **state)
{
	frame_t f = frame_alloc();
	frame_get(f);
	frame_get(f);
	assert_int_equal(frame_refcount(f), 3);
	frame_put(f);
	assert_int_equal(frame_refcount(f), 2);
	frame_put(f);
	assert_int_equal(frame_refcount(f), 1);
	assert_int_equal(frames_stats().in_use, 1);
	frame_put(f);
	assert_int_equal(frame_refcount(f), 0);
	assert_int_equal(frames_stats().in_use, 0);
}

static void zero_frame_is_never_freed_or_counted(void **state)
{
	assert_int_equal(frame_refcount(ZERO_FRAME), 1);
	for (int i = 0; i < 5; i++)
		frame_put(ZERO_FRAME);
	frame_get(ZERO_FRAME);
	assert_int_equal(frame_refcount(ZERO_FRAME), 1);
	assert_int_equal(frames_stats().in_use, 0);
	/* Not on the free list either: allocation never hands it out. */
	for (int i = 0; i < 16; i++)
		assert_int_not_equal(frame_alloc(), ZERO_FRAME);
	assert_int_equal(frames_stats().in_use, 16);
	assert_true(frame_is_zero(ZERO_FRAME));
}

static void exhausted_pool_returns_zero_frame(void **state)
{
	frame_t got[63];
	assert_int_equal(frames_stats().nframes, 64);
	for (int i = 0; i < 63; i++) {
		got[i] = frame_alloc();
		assert_int_not_equal(got[i], ZERO_FRAME);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(got[i], got[j]);
	}
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frames_stats().in_use, 63);
	assert_int_equal(frame_refcount(ZERO_FRAME), 1);

	memset(frame_ptr(got[10]), 0x77, PAGE_SIZE);
	frame_put(got[10]);
	frame_t f = frame_alloc();
	assert_int_equal(f, got[10]);
	assert_true(frame_is_zero(f));
	assert_int_equal(frame_alloc(), 0);
	for (int i = 0; i < 63; i++)
		frame_put(got[i]);
	assert_int_equal(frames_stats().in_use, 0);
}

static void peak_in_use_keeps_high_water_mark(void **state)
{
	frame_t f[5];
	for (int i = 0; i < 5; i++)
		f[i] = frame_alloc();
	for (int i = 0; i < 4; i++)
		frame_put(f[i]);
	struct frame_stats st = frames_stats();
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.peak_in_use, 5);

	frame_t g = frame_alloc();
	assert_int_equal(frames_stats().peak_in_use, 5);
	frame_t h[5];
	for (int i = 0; i < 5; i++)
		h[i] = frame_alloc();
	assert_int_equal(frames_stats().in_use, 7);
	assert_int_equal(frames_stats().peak_in_use, 7);
	for (int i = 0; i < 5; i++)
		frame_put(h[i]);
	frame_put(g);
	frame_put(f[4]);
	assert_int_equal(frames_stats().in_use, 0);
	assert_int_equal(frames_stats().peak_in_use, 7);
}

static void cow_counters_count_copies_and_reuses(void **state)
{
	frames_count_cow(1);
	frames_count_cow(1);
	frames_count_cow(0);
	struct frame_stats st = frames_stats();
	assert_int_equal(st.cow_copies, 2);
	assert_int_equal(st.cow_reuses, 1);
}

static void init_resets_statistics(void **state)
{
	frame_t f = frame_alloc();
	frames_count_cow(1);
	(void)f;
	frames_fini();
	assert_int_equal(frames_init(1ul << 20), 0);
	struct frame_stats st = frames_stats();
	assert_int_equal(st.nframes, 256);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.peak_in_use, 0);
	assert_int_equal(st.cow_copies, 0);
	f = frame_alloc();
	assert_int_equal(f, 1);
	assert_true(frame_is_zero(f));
}

static void invalidate_hook_runs_when_exec_frame_is_freed(void **state)
{
	frames_set_invalidate_hook(record_invalidate);
	hook_calls = 0;
	frame_t f = frame_alloc();
	frame_mark_exec(f);
	frame_get(f);
	frame_put(f);
	assert_int_equal(hook_calls, 0); /* still referenced */
	frame_put(f);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_paddr, frame_paddr(f));
	assert_int_equal(hook_len, PAGE_SIZE);

	/* Reused for data and freed again: no stale mark, no second call. */
	frame_t g = frame_alloc();
	assert_int_equal(g, f);
	frame_put(g);
	assert_int_equal(hook_calls, 1);
}

static void invalidate_hook_runs_once_per_exec_mark_on_host_write(void **state)
{
	frames_set_invalidate_hook(record_invalidate);
	hook_calls = 0;
	frame_t f = frame_alloc();
	frame_mark_exec(f);
	frame_before_host_write(f);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_paddr, frame_paddr(f));
	assert_int_equal(hook_len, PAGE_SIZE);

	/* Translations were dropped: until it is executed again, writes are free. */
	frame_before_host_write(f);
	assert_int_equal(hook_calls, 1);
	frame_mark_exec(f);
	frame_before_host_write(f);
	assert_int_equal(hook_calls, 2);
	frame_put(f);
	assert_int_equal(hook_calls, 2);
}

static void invalidate_hook_skips_frames_never_executed(void **state)
{
	frames_set_invalidate_hook(record_invalidate);
	hook_calls = 0;
	frame_t f = frame_alloc(), g = frame_alloc();
	frame_mark_exec(g);
	frame_before_host_write(f);
	frame_put(f);
	assert_int_equal(hook_calls, 0);
	frame_put(g);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_paddr, frame_paddr(g));
}

static void exec_mark_without_hook_is_harmless(void **state)
{
	frame_t f = frame_alloc();
	frame_mark_exec(f);
	frame_before_host_write(f);
	frame_put(f);
	assert_int_equal(frames_stats().in_use, 0);
}

/* ---- file runs ---- */

/* A scratch file of @len bytes, unlinked at once (the descriptor keeps it). */
static int scratch_file(size_t len)
{
	char path[] = "/tmp/test_frame.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	return fd;
}

static void file_run_shows_the_file_both_ways(void **state)
{
	int fd = scratch_file(2 * FRAME_RUN * PAGE_SIZE);
	frame_t run = frame_run_alloc();
	assert_int_not_equal(run, 0);
	assert_int_equal(run % FRAME_RUN, 0);
	assert_int_equal(frame_run_map(run, fd, FRAME_RUN * PAGE_SIZE, true), 0);
	assert_true(frame_is_file(run) && frame_is_file(run + FRAME_RUN - 1));
	assert_int_equal(frame_refcount(run + 2), 1); /* the owner's */
	assert_int_equal(frames_stats().in_use, 0);   /* the host's page cache, not the pool's */

	memcpy((char *)frame_ptr(run + 2) + 5, "guest", 5);
	char buf[5];
	assert_int_equal(pread(fd, buf, 5, (FRAME_RUN + 2) * PAGE_SIZE + 5), 5);
	assert_memory_equal(buf, "guest", 5);
	assert_int_equal(pwrite(fd, "host", 4, FRAME_RUN * PAGE_SIZE), 4);
	assert_memory_equal(frame_ptr(run), "host", 4);
	assert_int_equal(frame_run_sync(run, FRAME_RUN, MS_SYNC), 0);

	frame_run_release(run);
	assert_true(frame_is_zero(run + 2)); /* anonymous again */
	assert_false(frame_is_file(run));
	close(fd);
}

static void file_run_lives_until_its_last_frame_is_put(void **state)
{
	int fd = scratch_file(FRAME_RUN * PAGE_SIZE);
	frames_set_invalidate_hook(record_invalidate);
	hook_calls = 0;
	frame_t run = frame_run_alloc();
	assert_int_equal(frame_run_map(run, fd, 0, true), 0);
	frame_get(run + 3); /* a page table's */
	frame_mark_exec(run + 3);
	frame_run_release(run);
	assert_true(frame_is_file(run + 3));
	assert_int_equal(pwrite(fd, "late", 4, 3 * PAGE_SIZE), 4);
	assert_memory_equal(frame_ptr(run + 3), "late", 4); /* still the file's page */
	frame_put(run + 3);
	assert_int_equal(hook_calls, 1); /* its translations went with it */
	assert_false(frame_is_file(run + 3));
	assert_true(frame_is_zero(run + 3));
	/* The next run reuses it. */
	assert_int_equal(frame_run_alloc(), run);
	frame_run_release(run);
	close(fd);
}

/* Four runs' worth of frames: frame 0 is the zero page, so 3 runs fit
 * (from frame FRAME_RUN on) and FRAME_RUN - 1 single frames below them. */
static int setup_four_run_pool(void **state)
{
	assert_int_equal(frames_init(4 * FRAME_RUN * PAGE_SIZE), 0);
	return 0;
}

static void full_pool_breaks_up_a_free_run(void **state)
{
	frame_t runs[3];
	for (int i = 0; i < 3; i++)
		assert_int_not_equal(runs[i] = frame_run_alloc(), 0);
	assert_int_equal(frame_run_alloc(), 0);
	for (unsigned i = 1; i < FRAME_RUN; i++)
		assert_int_not_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc(), 0);
	frame_run_release(runs[1]);
	frame_t f = frame_alloc();
	assert_true(f >= runs[1] && f < runs[1] + FRAME_RUN);
	assert_false(frame_is_file(f));
	assert_true(frame_is_zero(f));
	for (unsigned i = 1; i < FRAME_RUN; i++)
		assert_int_not_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc(), 0);
	frame_run_release(runs[0]);
	frame_run_release(runs[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(pool_reports_its_size),
	    T(alloc_returns_fresh_zeroed_frame_with_refcount_one),
	    T(alloc_reusing_freed_frame_returns_it_zeroed),
	    T(refcount_follows_get_and_put),
	    T(zero_frame_is_never_freed_or_counted),
	    cmocka_unit_test_setup_teardown(exhausted_pool_returns_zero_frame, setup_small_pool,
					    teardown),
	    T(peak_in_use_keeps_high_water_mark),
	    T(cow_counters_count_copies_and_reuses),
	    T(init_resets_statistics),
	    T(invalidate_hook_runs_when_exec_frame_is_freed),
	    T(invalidate_hook_runs_once_per_exec_mark_on_host_write),
	    T(invalidate_hook_skips_frames_never_executed),
	    T(exec_mark_without_hook_is_harmless),
	    T(file_run_shows_the_file_both_ways),
	    T(file_run_lives_until_its_last_frame_is_put),
	    cmocka_unit_test_setup_teardown(full_pool_breaks_up_a_free_run, setup_four_run_pool,
					    teardown),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
