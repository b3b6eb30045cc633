/* Unit tests for emu/codecache.c: the rule that keeps translated code
 * coherent with guest stores (no TLB entry can write a frame while it may
 * hold translations or another entry can execute it), as the TLB-fill hook
 * sees it: which rights a fill may cache, which fills are refused, and what
 * the emulator must do before the refused instruction runs again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/codecache.h"
#include "kernelmodel/mm.h"

#define RWX (MM_READ | MM_WRITE | MM_EXEC)
#define VA1 0x400000ull
#define VA2 0x7f0000001000ull

static frame_t f;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(frames_init(256 * PAGE_SIZE), 0);
	assert_int_equal(codecache_init(256), 0);
	f = frame_alloc();
	assert_true(f != 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	codecache_fini();
	frames_fini();
	return 0;
}

static bool fill(uint64_t va, int access, int *perms)
{
	return codecache_fill(va, f, access, perms);
}

static enum codecache_action take(uint64_t *va)
{
	frame_t g;
	enum codecache_action a = codecache_take(&g, va);
	if (a != CODECACHE_NONE)
		assert_int_equal(g, f);
	return a;
}

static void rwx_page_gets_separate_exec_and_write_entries(void **state)
{
	(void)state;
	int p = RWX;
	assert_true(fill(VA1, MM_READ, &p));
	assert_int_equal(p, MM_READ | MM_WRITE);
	assert_false(frame_is_exec(f)); /* a data read caches no exec right */
	p = RWX;
	assert_true(fill(VA1 + 8, MM_EXEC, &p)); /* replaces the entry of the same page */
	assert_int_equal(p, MM_READ | MM_EXEC);
	assert_true(frame_is_exec(f));
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_NONE);
}

static void write_into_executed_frame_drops_its_translations(void **state)
{
	(void)state;
	int p = MM_READ | MM_EXEC;
	assert_true(fill(VA2, MM_EXEC, &p));
	p = RWX;
	assert_false(fill(VA2 + 0x10, MM_WRITE, &p)); /* same page, RWX */
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_INVALIDATE);
	assert_int_equal(va, VA2);
	assert_int_equal(take(&va), CODECACHE_NONE); /* taken once */
	/* The emulator drops the translations (which clears the mark) through
	 * the stored-to page, leaving an exec entry there: the store goes on. */
	frame_before_host_write(f);
	codecache_exec_entry(VA2, f);
	p = RWX;
	assert_true(fill(VA2, MM_WRITE, &p));
	assert_int_equal(p, MM_READ | MM_WRITE);
	assert_false(frame_is_exec(f));
}

static void exec_while_another_alias_can_write_flushes(void **state)
{
	(void)state;
	int p = MM_READ | MM_WRITE; /* the JIT's writable view */
	assert_true(fill(VA1, MM_WRITE, &p));
	p = MM_READ | MM_EXEC; /* its executable view */
	assert_false(fill(VA2, MM_EXEC, &p));
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_FLUSH);
	codecache_tlb_flushed();
	p = MM_READ | MM_EXEC;
	assert_true(fill(VA2, MM_EXEC, &p));
	/* Writing through the other view now must drop the translations. */
	p = MM_READ | MM_WRITE;
	assert_false(fill(VA1, MM_WRITE, &p));
	assert_int_equal(take(&va), CODECACHE_INVALIDATE);
	assert_int_equal(va, VA1);
}

static void write_while_another_alias_can_execute_flushes(void **state)
{
	(void)state;
	codecache_exec_entry(VA2, f); /* unmarked, e.g. left by an invalidation */
	int p = MM_READ | MM_WRITE;
	assert_false(fill(VA1, MM_WRITE, &p));
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_FLUSH);
	codecache_tlb_flushed();
	p = MM_READ | MM_WRITE;
	assert_true(fill(VA1, MM_WRITE, &p));
}

static void frames_never_executed_cost_nothing(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		int p = MM_READ | MM_WRITE;
		assert_true(fill(VA1 + (uint64_t)i * PAGE_SIZE, MM_WRITE, &p));
		assert_int_equal(p, MM_READ | MM_WRITE);
	}
	int p = MM_READ;
	assert_true(fill(VA2, MM_READ, &p));
	assert_false(frame_is_exec(f));
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_NONE);
	assert_int_equal(codecache_refusals(), 0);
}

static void self_modifying_frame_gets_combined_entries_until_the_next_flush(void **state)
{
	(void)state;
	codecache_self_modifying(f);
	int p = RWX;
	assert_true(fill(VA1, MM_EXEC, &p));
	assert_int_equal(p, RWX);
	p = RWX;
	assert_true(fill(VA1, MM_WRITE, &p)); /* marked, yet not refused */
	assert_int_equal(p, RWX);
	codecache_tlb_flushed();
	p = RWX;
	assert_false(fill(VA1, MM_WRITE, &p));
	uint64_t va;
	assert_int_equal(take(&va), CODECACHE_INVALIDATE);
}

static void a_flush_forgets_every_entry(void **state)
{
	(void)state;
	int p = MM_READ | MM_WRITE;
	assert_true(fill(VA1, MM_WRITE, &p));
	codecache_tlb_flushed();
	p = MM_READ | MM_EXEC;
	assert_true(fill(VA2, MM_EXEC, &p)); /* the writable entry is gone */
}

static void the_zero_frame_is_left_alone(void **state)
{
	(void)state;
	int p = MM_READ | MM_EXEC;
	assert_true(codecache_fill(VA1, ZERO_FRAME, MM_EXEC, &p));
	assert_int_equal(p, MM_READ | MM_EXEC);
	assert_false(frame_is_exec(ZERO_FRAME));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(rwx_page_gets_separate_exec_and_write_entries),
	    T(write_into_executed_frame_drops_its_translations),
	    T(exec_while_another_alias_can_write_flushes),
	    T(write_while_another_alias_can_execute_flushes),
	    T(frames_never_executed_cost_nothing),
	    T(self_modifying_frame_gets_combined_entries_until_the_next_flush),
	    T(a_flush_forgets_every_entry),
	    T(the_zero_frame_is_left_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
