/*
 * futex_direct: the futex syscall itself, through syscall(SYS_futex, ...),
 * no libc locking in between.
 *
 *   - FUTEX_WAIT when *uaddr != val -> EAGAIN (plain, PRIVATE, WAIT_BITSET)
 *   - timeouts -> ETIMEDOUT, no earlier than asked: FUTEX_WAIT relative
 *     10 ms; WAIT_BITSET absolute CLOCK_MONOTONIC and, with
 *     FUTEX_CLOCK_REALTIME, absolute CLOCK_REALTIME; a zero timeout; an
 *     invalid one (tv_nsec = 1e9) -> EINVAL; FUTEX_WAIT|FUTEX_CLOCK_REALTIME
 *     prints its result (ENOSYS since Linux 5.13)
 *   - FUTEX_WAKE with no waiters -> 0; a waiter woken by another thread
 *     returns 0 (plain and PRIVATE)
 *   - FUTEX_CMP_REQUEUE: moves waiters from one word to another (the count
 *     returned is woken + requeued), with a wrong val3 -> EAGAIN, negative
 *     counts -> EINVAL; nr_wake=1, nr_requeue=1 of 3 waiters leaves the 3rd
 *     where it was; then FUTEX_WAKE on the second word wakes the moved ones
 *     and on the first finds none
 *   - FUTEX_REQUEUE the same way (Linux returns woken + requeued here too,
 *     whatever futex(2) says)
 *   - WAIT_BITSET/WAKE_BITSET: a wake whose bitset does not intersect the
 *     waiter's does not wake it; a requeued waiter keeps its bitset; a zero
 *     bitset -> EINVAL
 *   - FUTEX_WAKE_OP: SET, ADD, OR, ANDN, XOR and OPARG_SHIFT on *uaddr2 with
 *     the old value returned through the comparison; waiters on both words,
 *     the second woken only when the comparison holds
 *   - two processes sharing a MAP_SHARED|MAP_ANONYMOUS page wake each other
 *     with non-private ops; a PRIVATE wake from the other process does not
 *     wake a PRIVATE waiter there
 *   - a signal handler interrupting FUTEX_WAIT: with a timeout -> EINTR
 *     with or without SA_RESTART; without a timeout -> EINTR without
 *     SA_RESTART, and with SA_RESTART the wait is restarted on the original
 *     word (and later returns 0 when woken there)
 *   - errors: misaligned uaddr -> EINVAL, NULL uaddr -> EFAULT, unknown op
 *     -> ENOSYS, FUTEX_WAKE|FUTEX_CLOCK_REALTIME -> ENOSYS
 *
 * "Waiting" is never guessed from timing. To know that N threads are
 * queued, they wait on a staging word and the main thread repeatedly
 * FUTEX_CMP_REQUEUEs that word onto the target until N have been moved
 * (park()); to know one waiter is queued and wake it, FUTEX_WAKE is
 * repeated until it reports 1 (wake_until()). Both give up after a few
 * seconds' worth of 1 ms sleeps.
 */
#include "guest_check.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* <linux/futex.h>, which musl-gcc's include path lacks. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	(((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff))

#define VAL2(n) ((const struct timespec *)(uintptr_t)(n))
#define TRIES 5000

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t *uaddr2,
		  uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static const char *ename(int e)
{
	return e == ETIMEDOUT ? "ETIMEDOUT" : errno_name(e);
}

/* Calls f and checks -1/want: "ok: WHAT -> ENAME". */
static void expect_err(long ret, int err, int want, int code, const char *what)
{
	if (ret == -1 && err == want)
		check(1, code, "%s -> %s", what, ename(want));
	else
		check(0, code, "%s: got ret %ld errno %s, want -1 %s", what, ret,
		      ret == -1 ? ename(err) : "-", ename(want));
}

static void ms_sleep(long ms)
{
	struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&d, NULL);
}

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_nsec += ms * 1000000L;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int ts_ge(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* ---- waiter threads ---- */

struct waiter {
	uint32_t *word;
	int op;
	uint32_t val;
	const struct timespec *ts;
	uint32_t bitset;
	long ret;
	int err;
	int done;
	pthread_t th;
};

static void *waiter_fn(void *p)
{
	struct waiter *w = p;
	errno = 0;
	long r = futex(w->word, w->op, w->val, w->ts, NULL, w->bitset);
	w->err = errno;
	w->ret = r;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void start(struct waiter *w, uint32_t *word, int op, const struct timespec *ts, uint32_t bitset)
{
	memset(w, 0, sizeof(*w));
	w->word = word;
	w->op = op;
	w->val = *word;
	w->ts = ts;
	w->bitset = bitset;
	need(pthread_create(&w->th, NULL, waiter_fn, w) == 0, 90, "pthread_create");
}

static int is_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static void join(struct waiter *w)
{
	pthread_join(w->th, NULL);
}

/* Joins each and reports whether all returned 0. */
static int join_all_zero(struct waiter *w, int n)
{
	int ok = 1;
	for (int i = 0; i < n; i++) {
		join(&w[i]);
		ok &= w[i].ret == 0;
	}
	return ok;
}

/* Repeats `op` (a wake) on word until it has woken n in total. */
static long wake_until(uint32_t *word, int op, int n, uint32_t bitset)
{
	long total = 0;
	for (int i = 0; i < TRIES && total < n; i++) {
		long r = futex(word, op, n - total, NULL, NULL, bitset);
		if (r < 0)
			return r;
		total += r;
		if (total < n)
			ms_sleep(1);
	}
	return total;
}

/*
 * Waits until n threads waiting on staging (value *staging) have been
 * requeued onto target; returns how many were moved (n unless it gave up).
 */
static long park(uint32_t *staging, uint32_t *target, int n, int private)
{
	long total = 0;
	int op = FUTEX_CMP_REQUEUE | (private ? FUTEX_PRIVATE_FLAG : 0);
	for (int i = 0; i < TRIES && total < n; i++) {
		long r = futex(staging, op, 0, VAL2(n - total), target, *staging);
		if (r < 0)
			return r;
		total += r;
		if (total < n)
			ms_sleep(1);
	}
	return total;
}

/* ---- the cases ---- */

static void test_eagain(void)
{
	uint32_t w = 1;
	errno = 0;
	long r = futex(&w, FUTEX_WAIT, 0, NULL, NULL, 0);
	expect_err(r, errno, EAGAIN, 10, "FUTEX_WAIT, *uaddr 1 != val 0");
	errno = 0;
	r = futex(&w, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
	expect_err(r, errno, EAGAIN, 11, "FUTEX_WAIT_PRIVATE, *uaddr 1 != val 2");
	errno = 0;
	r = futex(&w, FUTEX_WAIT_BITSET, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
	expect_err(r, errno, EAGAIN, 12, "FUTEX_WAIT_BITSET, *uaddr 1 != val 0");
}

static void test_timeouts(void)
{
	uint32_t w = 0;
	struct timespec rel = {0, 10 * 1000 * 1000}, t0, t1, deadline;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	long r = futex(&w, FUTEX_WAIT, 0, &rel, NULL, 0);
	int err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	expect_err(r, err, ETIMEDOUT, 20, "FUTEX_WAIT 10 ms relative");
	add_ms(&t0, 10);
	check(ts_ge(&t1, &t0), 21, "FUTEX_WAIT 10 ms: at least 10 ms passed on CLOCK_MONOTONIC");

	errno = 0;
	r = futex(&w, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
	expect_err(r, errno, ETIMEDOUT, 22, "FUTEX_WAIT_PRIVATE 10 ms relative");

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	add_ms(&deadline, 10);
	errno = 0;
	r = futex(&w, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	expect_err(r, err, ETIMEDOUT, 23, "FUTEX_WAIT_BITSET absolute CLOCK_MONOTONIC +10 ms");
	check(ts_ge(&t1, &deadline), 24, "FUTEX_WAIT_BITSET: returned no earlier than the monotonic deadline");

	clock_gettime(CLOCK_REALTIME, &deadline);
	add_ms(&deadline, 10);
	errno = 0;
	r = futex(&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
	err = errno;
	clock_gettime(CLOCK_REALTIME, &t1);
	expect_err(r, err, ETIMEDOUT, 25, "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME absolute +10 ms");
	check(ts_ge(&t1, &deadline), 26, "FUTEX_WAIT_BITSET|CLOCK_REALTIME: returned no earlier than the deadline");

	/*
	 * futex(2) says FUTEX_WAIT takes FUTEX_CLOCK_REALTIME since Linux 4.5,
	 * but Linux 5.13 took that back (and stable kernels got the change):
	 * only WAIT_BITSET, WAIT_REQUEUE_PI and LOCK_PI2 take it, the rest get
	 * ENOSYS, as on the 6.18 kernel this was written on. Printed rather
	 * than asserted, so the comparison is with the kernel the test runs on.
	 */
	errno = 0;
	r = futex(&w, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &rel, NULL, 0);
	printf("FUTEX_WAIT|FUTEX_CLOCK_REALTIME 10 ms -> %ld %s\n", r, r == -1 ? ename(errno) : "");

	struct timespec zero = {0, 0}, bad = {0, 1000000000L};
	errno = 0;
	r = futex(&w, FUTEX_WAIT, 0, &zero, NULL, 0);
	expect_err(r, errno, ETIMEDOUT, 28, "FUTEX_WAIT with a zero timeout");
	errno = 0;
	r = futex(&w, FUTEX_WAIT, 0, &bad, NULL, 0);
	expect_err(r, errno, EINVAL, 29, "FUTEX_WAIT with tv_nsec = 1000000000");
}

static void test_wake(void)
{
	uint32_t w = 0;
	struct waiter a;

	expect_eq(futex(&w, FUTEX_WAKE, 1, NULL, NULL, 0), 0, 30, "FUTEX_WAKE with no waiters -> 0");
	expect_eq(futex(&w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0, 31,
		  "FUTEX_WAKE_PRIVATE(INT_MAX) with no waiters -> 0");

	start(&a, &w, FUTEX_WAIT, NULL, 0);
	expect_eq(wake_until(&w, FUTEX_WAKE, 1, 0), 1, 32, "FUTEX_WAKE from another thread woke 1 waiter");
	join(&a);
	expect_eq(a.ret, 0, 33, "the woken FUTEX_WAIT returned 0");

	start(&a, &w, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(wake_until(&w, FUTEX_WAKE_PRIVATE, 1, 0), 1, 34, "FUTEX_WAKE_PRIVATE woke 1 private waiter");
	join(&a);
	expect_eq(a.ret, 0, 35, "the woken FUTEX_WAIT_PRIVATE returned 0");
}

static void test_cmp_requeue(void)
{
	uint32_t a = 0, b = 0;
	struct waiter w[3];

	for (int i = 0; i < 3; i++)
		start(&w[i], &a, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&a, &b, 3, 1), 3, 40, "FUTEX_CMP_REQUEUE(nr_wake 0) moved 3 waiters from A to B");
	errno = 0;
	long r = futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, VAL2(INT_MAX), &b, 1);
	expect_err(r, errno, EAGAIN, 41, "FUTEX_CMP_REQUEUE with val3 1 != *A 0");
	errno = 0;
	r = futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, (uint32_t)-1, VAL2(1), &b, 0);
	expect_err(r, errno, EINVAL, 42, "FUTEX_CMP_REQUEUE with nr_wake -1");
	expect_eq(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0, 43, "FUTEX_WAKE on A finds no one");
	ms_sleep(5);
	check(!is_done(&w[0]) && !is_done(&w[1]) && !is_done(&w[2]), 44, "requeued waiters still asleep");
	expect_eq(futex(&b, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1, 45, "FUTEX_WAKE(1) on B woke 1");
	expect_eq(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 2, 46,
		  "FUTEX_WAKE(INT_MAX) on B woke the other 2");
	check(join_all_zero(w, 3), 47, "all 3 requeued waiters returned 0");

	/* nr_wake 1, nr_requeue 1 of 3: one woken, one moved, one stays on A. */
	uint32_t s = 0;
	for (int i = 0; i < 3; i++)
		start(&w[i], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &a, 3, 1), 3, 48, "3 waiters parked on A");
	expect_eq(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(1), &b, 0), 2, 49,
		  "FUTEX_CMP_REQUEUE(nr_wake 1, nr_requeue 1) of 3 -> 2");
	expect_eq(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 50, "1 waiter left on A");
	expect_eq(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 51, "1 waiter moved to B");
	check(join_all_zero(w, 3), 52, "all 3 returned 0");
}

static void test_requeue(void)
{
	uint32_t s = 0, a = 0, b = 0;
	struct waiter w[3];

	for (int i = 0; i < 2; i++)
		start(&w[i], &s, FUTEX_WAIT, NULL, 0);
	expect_eq(park(&s, &a, 2, 0), 2, 55, "2 waiters parked on A (non-private CMP_REQUEUE)");
	expect_eq(futex(&a, FUTEX_REQUEUE, 0, VAL2(INT_MAX), &b, 0), 2, 56,
		  "FUTEX_REQUEUE(nr_wake 0) A -> B returns 2 (woken + requeued)");
	expect_eq(futex(&a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0, 57, "FUTEX_WAKE on A finds no one");
	expect_eq(futex(&b, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 2, 58, "FUTEX_WAKE on B woke 2");
	check(join_all_zero(w, 2), 59, "both returned 0");

	for (int i = 0; i < 3; i++)
		start(&w[i], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &a, 3, 1), 3, 60, "3 waiters parked on A");
	expect_eq(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, VAL2(1), &b, 0), 2, 61,
		  "FUTEX_REQUEUE_PRIVATE(nr_wake 1, nr_requeue 1) of 3 -> 2");
	expect_eq(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 62, "1 waiter moved to B");
	expect_eq(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 63, "1 waiter left on A");
	check(join_all_zero(w, 3), 64, "all 3 returned 0");
}

static void test_bitset(void)
{
	uint32_t word = 0, s = 0;
	struct waiter x, y;

	errno = 0;
	long r = futex(&word, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0);
	expect_err(r, errno, EINVAL, 70, "FUTEX_WAIT_BITSET with bitset 0");
	errno = 0;
	r = futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0);
	expect_err(r, errno, EINVAL, 71, "FUTEX_WAKE_BITSET with bitset 0");

	/* Directly on one word: only the bitset-0x2 wake may wake y. */
	start(&x, &word, FUTEX_WAIT_BITSET_PRIVATE, NULL, 0x1);
	start(&y, &word, FUTEX_WAIT_BITSET_PRIVATE, NULL, 0x2);
	long n = 0;
	int stray = 0;
	for (int i = 0; i < TRIES && n == 0; i++) {
		if (futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x4) != 0)
			stray = 1;
		n = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x2);
		if (n == 0)
			ms_sleep(1);
	}
	check(!stray, 72, "WAKE_BITSET 0x4 never woke waiters of 0x1 / 0x2");
	expect_eq(n, 1, 73, "WAKE_BITSET(INT_MAX, 0x2) woke exactly 1 (the 0x2 waiter)");
	join(&y);
	ms_sleep(5);
	check(!is_done(&x), 74, "the 0x1 waiter is still asleep");
	expect_eq(wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, 0x3), 1, 75, "WAKE_BITSET 0x3 woke the 0x1 waiter");
	join(&x);
	check(x.ret == 0 && y.ret == 0, 76, "both bitset waiters returned 0");

	/* Parked (requeued) waiters keep their bitsets. */
	start(&x, &s, FUTEX_WAIT_BITSET_PRIVATE, NULL, 0x1);
	start(&y, &s, FUTEX_WAIT_BITSET_PRIVATE, NULL, 0x2);
	expect_eq(park(&s, &word, 2, 1), 2, 77, "2 bitset waiters parked");
	expect_eq(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x4), 0, 78,
		  "requeued: WAKE_BITSET 0x4 wakes none");
	expect_eq(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x1), 1, 79,
		  "requeued: WAKE_BITSET 0x1 wakes only the 0x1 waiter");
	join(&x);
	check(!is_done(&y), 80, "requeued: the 0x2 waiter is still asleep");
	expect_eq(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 81,
		  "requeued: plain FUTEX_WAKE (match any) wakes the 0x2 waiter");
	join(&y);
	check(x.ret == 0 && y.ret == 0, 82, "both returned 0");
}

static void wake_op_value(uint32_t start_val, int op, int oparg, int cmp, int cmparg, uint32_t want_val,
			  long want_ret, int code, const char *what)
{
	uint32_t u1 = 0, u2 = start_val;
	long r = futex(&u1, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &u2, FUTEX_OP(op, oparg, cmp, cmparg));
	if (r == want_ret && u2 == want_val)
		check(1, code, "FUTEX_WAKE_OP %s", what);
	else
		check(0, code, "FUTEX_WAKE_OP %s: got ret %ld *uaddr2 %#x, want %ld %#x", what, r, u2, want_ret,
		      want_val);
}

static void test_wake_op(void)
{
	wake_op_value(5, FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5, 8, 0, 90, "ADD 3: 5 -> 8, no waiters -> 0");
	wake_op_value(8, FUTEX_OP_SET, 1, FUTEX_OP_CMP_NE, 0, 1, 0, 91, "SET 1: 8 -> 1");
	wake_op_value(1, FUTEX_OP_OR, 6, FUTEX_OP_CMP_LT, 0, 7, 0, 92, "OR 6: 1 -> 7");
	wake_op_value(7, FUTEX_OP_ANDN, 2, FUTEX_OP_CMP_LE, 0, 5, 0, 93, "ANDN 2: 7 -> 5");
	wake_op_value(5, FUTEX_OP_XOR, 0xf, FUTEX_OP_CMP_GT, 0, 0xa, 0, 94, "XOR 0xf: 5 -> 0xa");
	wake_op_value(0xa, FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_GE, 0, 0x1a, 0, 95,
		      "OR (1 << 4) with OPARG_SHIFT: 0xa -> 0x1a");

	uint32_t s = 0, u1 = 0, u2 = 0;
	struct waiter w[4];

	start(&w[0], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &u1, 1, 1), 1, 96, "a waiter parked on uaddr");
	start(&w[1], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &u2, 1, 1), 1, 97, "a waiter parked on uaddr2");
	long r = futex(&u1, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &u2,
		       FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
	expect_eq(r, 2, 98, "FUTEX_WAKE_OP(SET 1, old == 0 holds) woke both -> 2");
	expect_eq(u2, 1, 99, "FUTEX_WAKE_OP stored 1 in *uaddr2");
	check(join_all_zero(w, 2), 100, "both returned 0");

	start(&w[2], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &u1, 1, 1), 1, 101, "a waiter parked on uaddr");
	start(&w[3], &s, FUTEX_WAIT_PRIVATE, NULL, 0);
	expect_eq(park(&s, &u2, 1, 1), 1, 102, "a waiter parked on uaddr2");
	r = futex(&u1, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &u2, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 5));
	expect_eq(r, 1, 103, "FUTEX_WAKE_OP(ADD 1, old 1 > 5 fails) woke only uaddr's -> 1");
	expect_eq(u2, 2, 104, "FUTEX_WAKE_OP stored 2 in *uaddr2");
	join(&w[2]);
	check(!is_done(&w[3]), 105, "uaddr2's waiter still asleep");
	expect_eq(futex(&u2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1, 106, "FUTEX_WAKE on uaddr2 woke it");
	join(&w[3]);
	check(w[2].ret == 0 && w[3].ret == 0, 107, "both returned 0");
}

static void test_shared_processes(void)
{
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	need(sh != MAP_FAILED, 110, "mmap MAP_SHARED|MAP_ANONYMOUS");

	pid_t pid = guest_fork();
	if (pid == 0) {
		/* Child: wait on sh[0] until the parent wakes us, then wake it on sh[2]. */
		long r = futex(&sh[0], FUTEX_WAIT, 0, NULL, NULL, 0);
		__atomic_store_n(&sh[1], r == 0 ? 1 : 2, __ATOMIC_RELEASE);
		__atomic_store_n(&sh[2], 1, __ATOMIC_RELEASE);
		futex(&sh[2], FUTEX_WAKE, 1, NULL, NULL, 0);
		/* A private wait the parent's private wakes must not reach. */
		struct timespec t = {0, 50 * 1000 * 1000};
		errno = 0;
		r = futex(&sh[3], FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
		__atomic_store_n(&sh[5], r == -1 && errno == ETIMEDOUT ? 1 : 2, __ATOMIC_RELEASE);
		__atomic_store_n(&sh[4], 1, __ATOMIC_RELEASE);
		_exit(0);
	}
	expect_eq(wake_until(&sh[0], FUTEX_WAKE, 1, 0), 1, 111,
		  "parent's FUTEX_WAKE on the shared page woke the child's FUTEX_WAIT");
	struct timespec t = {10, 0};
	for (int i = 0; i < 100 && __atomic_load_n(&sh[2], __ATOMIC_ACQUIRE) == 0; i++)
		futex(&sh[2], FUTEX_WAIT, 0, &t, NULL, 0);
	expect_eq(__atomic_load_n(&sh[2], __ATOMIC_ACQUIRE), 1, 112, "the child woke the parent on the shared page");
	expect_eq(__atomic_load_n(&sh[1], __ATOMIC_ACQUIRE), 1, 113, "the child's FUTEX_WAIT returned 0");
	long stray = 0;
	for (int i = 0; i < TRIES && !__atomic_load_n(&sh[4], __ATOMIC_ACQUIRE); i++) {
		stray += futex(&sh[3], FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
		ms_sleep(1);
	}
	expect_eq(stray, 0, 114, "parent's FUTEX_WAKE_PRIVATE on the shared page woke no one");
	expect_eq(sh[5], 1, 115, "child's FUTEX_WAIT_PRIVATE timed out (not woken by another process)");
	expect_status(pid, "exited 0", 116, "waitpid(child)");
	munmap(sh, 4096);
}

static int handled;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_fetch_add(&handled, 1, __ATOMIC_RELAXED);
}

/* One waiter on s, parked on p, then one SIGUSR1; returns the waiter. */
static void interrupt_case(struct waiter *w, int sa_restart, const struct timespec *ts, uint32_t *s, uint32_t *p)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = sa_restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);

	int before = __atomic_load_n(&handled, __ATOMIC_RELAXED);
	start(w, s, FUTEX_WAIT_PRIVATE, ts, 0);
	need(park(s, p, 1, 1) == 1, 120, "parking the waiter before the signal");
	pthread_kill(w->th, SIGUSR1);
	for (int i = 0; i < TRIES && __atomic_load_n(&handled, __ATOMIC_RELAXED) == before; i++)
		ms_sleep(1);
	need(__atomic_load_n(&handled, __ATOMIC_RELAXED) == before + 1, 121, "the handler ran");
}

static void test_eintr(void)
{
	uint32_t s = 0, p = 0;
	struct timespec ten = {10, 0};
	struct waiter w;

	interrupt_case(&w, 0, &ten, &s, &p);
	join(&w);
	expect_err(w.ret, w.err, EINTR, 122, "FUTEX_WAIT(10 s timeout) + handler without SA_RESTART");

	interrupt_case(&w, 1, &ten, &s, &p);
	join(&w);
	expect_err(w.ret, w.err, EINTR, 123, "FUTEX_WAIT(10 s timeout) + handler with SA_RESTART");

	interrupt_case(&w, 0, NULL, &s, &p);
	join(&w);
	expect_err(w.ret, w.err, EINTR, 124, "FUTEX_WAIT(no timeout) + handler without SA_RESTART");

	interrupt_case(&w, 1, NULL, &s, &p);
	ms_sleep(5);
	check(!is_done(&w), 125, "FUTEX_WAIT(no timeout) + handler with SA_RESTART: still waiting");
	expect_eq(futex(&p, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0, 126,
		  "restarted wait is no longer on the word it was requeued to");
	expect_eq(wake_until(&s, FUTEX_WAKE_PRIVATE, 1, 0), 1, 127, "restarted wait is on its original word");
	join(&w);
	expect_eq(w.ret, 0, 128, "the restarted FUTEX_WAIT returned 0 when woken");
	signal(SIGUSR1, SIG_DFL);
}

static void test_errors(void)
{
	uint32_t words[2] = {0, 0};
	errno = 0;
	long r = futex((uint32_t *)((char *)words + 1), FUTEX_WAIT, 0, NULL, NULL, 0);
	expect_err(r, errno, EINVAL, 130, "FUTEX_WAIT on a misaligned address");
	errno = 0;
	r = futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0);
	expect_err(r, errno, EFAULT, 131, "FUTEX_WAIT on NULL");
	errno = 0;
	r = futex(words, 99, 0, NULL, NULL, 0);
	expect_err(r, errno, ENOSYS, 132, "futex op 99");
	errno = 0;
	r = futex(words, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0);
	expect_err(r, errno, ENOSYS, 133, "FUTEX_WAKE|FUTEX_CLOCK_REALTIME");
}

int main(void)
{
	test_eagain();
	test_timeouts();
	test_wake();
	test_cmp_requeue();
	test_requeue();
	test_bitset();
	test_wake_op();
	test_shared_processes();
	test_eintr();
	test_errors();
	return guest_finish();
}
