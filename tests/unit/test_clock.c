/* Unit tests of the clock's time arithmetic: huge timeouts saturate at
 * KTIME_MAX (as Linux's timespec64_to_ktime) and become "no deadline"
 * instead of wrapping into a deadline in the past. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernelmodel/clock.h"

static void timespec_to_ns_converts_and_saturates(void **state)
{
	(void)state;
	assert_int_equal(timespec_to_ns(0, 0), 0);
	assert_int_equal(timespec_to_ns(1, 5), 1000000005ull);
	assert_int_equal(timespec_to_ns(9223372035ull, 999999999), 9223372035999999999ull);
	assert_int_equal(timespec_to_ns(9223372036ull, 0), KTIME_MAX);
	assert_int_equal(timespec_to_ns(LONG_MAX, 999999999), KTIME_MAX);
	assert_int_equal(timespec_to_ns(UINT64_MAX, 999999999), KTIME_MAX);
}

static void deadline_after_is_never_zero_and_none_past_ktime_max(void **state)
{
	(void)state;
	clock_init(true);
	uint64_t now = now_ns();
	assert_true(now > 0);
	assert_int_equal(deadline_after(0), now);
	assert_int_equal(deadline_after(1000), now + 1000);
	assert_int_equal(deadline_after(KTIME_MAX - now - 1), KTIME_MAX - 1);
	assert_int_equal(deadline_after(KTIME_MAX - now), 0);
	assert_int_equal(deadline_after(KTIME_MAX), 0);
	assert_int_equal(deadline_after(UINT64_MAX), 0);
	/* An absolute time: in the past is now, far in the future is none. */
	assert_int_equal(clock_to_sched(CLOCK_MONOTONIC, 0), now);
	assert_int_equal(clock_to_sched(CLOCK_MONOTONIC, KTIME_MAX), 0);
	clock_advance(5000);
	assert_int_equal(deadline_after(7), now + 5007);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(timespec_to_ns_converts_and_saturates),
	    cmocka_unit_test(deadline_after_is_never_zero_and_none_past_ktime_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
