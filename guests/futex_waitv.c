/*
 * futex_waitv: syscall 449 (Linux 5.16+). Wait on several futexes at once:
 * a wake on the second returns 1; EAGAIN when a value differs (before any
 * timeout); the kernel's EINVAL rules (no futexes, more than 128, flags,
 * sizes other than 32 bits, reserved bits, misaligned words, a value that
 * does not fit, a clock other than MONOTONIC/REALTIME); EFAULT; ETIMEDOUT
 * on an absolute deadline of either clock.
 */
#include "guest_check.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
/* <linux/futex.h>, which musl-gcc's include path lacks. */
#define FUTEX_WAKE_PRIVATE 129
#define F2_U8 0x00
#define F2_U32 0x02
#define F2_NUMA 0x04
#define F2_MPOL 0x08
#define F2_PRIVATE 128

struct waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static long waitv(struct waitv *w, unsigned n, unsigned flags, struct timespec *ts, int clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static void errno_is(long r, int want, int code, const char *what)
{
	int e = errno;
	if (r == -1 && e == want)
		check(1, code, "%s -> errno %d", what, want);
	else
		check(0, code, "%s: got %ld errno %d, want errno %d", what, r, r == -1 ? e : 0, want);
}

static uint32_t f[3];
static volatile int main_returned;

static void *waker(void *arg)
{
	(void)arg;
	__atomic_store_n(&f[1], 1, __ATOMIC_SEQ_CST);
	/* Until the main thread sleeps in futex_waitv and is woken. */
	while (syscall(SYS_futex, &f[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) != 1 && !main_returned)
		sched_yield();
	return NULL;
}

static struct timespec after(int clk, long ms)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_nsec += ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

int main(void)
{
	struct waitv w[129];
	for (int i = 0; i < 3; i++)
		w[i] = (struct waitv){0, (uintptr_t)&f[i], F2_U32 | F2_PRIVATE, 0};

	/* Woken on the second futex: returns its index. The waker sets f[1]
	 * before waking, so a late start still finds a changed value. */
	pthread_t th;
	need(pthread_create(&th, NULL, waker, NULL) == 0, 1, "pthread_create");
	long r = waitv(w, 3, 0, NULL, 0);
	main_returned = 1;
	pthread_join(th, NULL);
	if (r == -1 && errno == EAGAIN)
		r = 1; /* the waker won the race: f[1] changed before the wait */
	expect_eq(r, 1, 10, "woken on futex 1 returns 1");
	f[1] = 0;

	/* EAGAIN: a value differs, checked before the deadline. */
	f[2] = 7;
	struct timespec past = {0, 0};
	errno_is(waitv(w, 3, 0, NULL, 0), EAGAIN, 11, "third value differs");
	errno_is(waitv(w, 3, 0, &past, CLOCK_MONOTONIC), EAGAIN, 12,
		 "value differs, deadline passed");
	f[2] = 0;

	/* EINVAL. */
	errno_is(waitv(w, 0, 0, NULL, 0), EINVAL, 20, "nr_futexes 0");
	for (int i = 0; i < 129; i++)
		w[i] = (struct waitv){0, (uintptr_t)&f[0], F2_U32 | F2_PRIVATE, 0};
	errno_is(waitv(w, 129, 0, NULL, 0), EINVAL, 21, "nr_futexes 129");
	struct timespec soon = after(CLOCK_MONOTONIC, 5);
	errno_is(waitv(w, 128, 0, &soon, CLOCK_MONOTONIC), ETIMEDOUT, 22, "128 futexes, timed out");
	errno_is(waitv(w, 1, 1, NULL, 0), EINVAL, 23, "flags 1");
	errno_is(waitv(NULL, 1, 0, NULL, 0), EINVAL, 24, "NULL waiters");
	w[0].flags = F2_U8 | F2_PRIVATE;
	errno_is(waitv(w, 1, 0, NULL, 0), EINVAL, 25, "8-bit futex");
	w[0].flags = F2_U32 | F2_PRIVATE | 0x10;
	errno_is(waitv(w, 1, 0, NULL, 0), EINVAL, 26, "unknown flag bit");
	w[0].flags = F2_U32 | F2_PRIVATE;
	w[0].reserved = 1;
	errno_is(waitv(w, 1, 0, NULL, 0), EINVAL, 27, "__reserved set");
	w[0].reserved = 0;
	w[0].val = 1ull << 32;
	errno_is(waitv(w, 1, 0, NULL, 0), EINVAL, 28, "value wider than 32 bits");
	w[0].val = 0;
	w[1].uaddr = (uintptr_t)&f[0] + 2;
	errno_is(waitv(w, 2, 0, NULL, 0), EINVAL, 29, "misaligned second futex");
	w[1].uaddr = (uintptr_t)&f[1];
	soon = after(CLOCK_MONOTONIC, 5);
	errno_is(waitv(w, 2, 0, &soon, CLOCK_BOOTTIME), EINVAL, 30, "CLOCK_BOOTTIME");
	struct timespec bad = {0, 1000000000};
	errno_is(waitv(w, 2, 0, &bad, CLOCK_MONOTONIC), EINVAL, 31, "tv_nsec 1e9");
	/* flags are checked before the clock, the clock before the time. */
	errno_is(waitv(w, 2, 2, &bad, 99), EINVAL, 32, "flags first");

	/* FUTEX2_NUMA: a node word follows the futex (8-byte aligned pair);
	 * FUTEX_NO_NODE becomes the node used, a node past MAX_NUMNODES is
	 * EINVAL. FUTEX2_MPOL alone changes nothing visible. */
	static uint32_t pair[2] __attribute__((aligned(8)));
	struct waitv nw = {0, (uintptr_t)pair, F2_U32 | F2_PRIVATE | F2_NUMA, 0};
	pair[1] = UINT32_MAX;
	errno_is(waitv(&nw, 1, 0, &past, CLOCK_MONOTONIC), ETIMEDOUT, 33, "FUTEX2_NUMA, FUTEX_NO_NODE");
	expect_eq(pair[1] != UINT32_MAX, 1, 34, "FUTEX_NO_NODE replaced by a node");
	pair[1] = 0x7fffffff;
	errno_is(waitv(&nw, 1, 0, &past, CLOCK_MONOTONIC), EINVAL, 35, "FUTEX2_NUMA, no such node");
	pair[1] = 0;
	nw.uaddr = (uintptr_t)&pair[1];
	errno_is(waitv(&nw, 1, 0, &past, CLOCK_MONOTONIC), EINVAL, 36, "FUTEX2_NUMA, 4-byte aligned");
	nw.flags = F2_U32 | F2_PRIVATE | F2_MPOL;
	errno_is(waitv(&nw, 1, 0, &past, CLOCK_MONOTONIC), ETIMEDOUT, 37, "FUTEX2_MPOL, 4-byte aligned");

	/* EFAULT. */
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(page != MAP_FAILED, 2, "mmap");
	munmap(page, 4096);
	errno_is(waitv(page, 1, 0, NULL, 0), EFAULT, 40, "waiters unmapped");
	w[1].uaddr = (uintptr_t)page;
	errno_is(waitv(w, 2, 0, NULL, 0), EFAULT, 41, "private futex unmapped");
	w[1].flags = F2_U32;
	errno_is(waitv(w, 2, 0, NULL, 0), EFAULT, 42, "shared futex unmapped");
	w[1] = (struct waitv){0, (uintptr_t)&f[1], F2_U32, 0};
	errno_is(waitv(w, 2, 0, (struct timespec *)page, CLOCK_MONOTONIC), EFAULT, 43,
		 "timeout unmapped");

	/* ETIMEDOUT on either clock, shared and private entries mixed. */
	soon = after(CLOCK_MONOTONIC, 20);
	errno_is(waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), ETIMEDOUT, 50, "CLOCK_MONOTONIC deadline");
	soon = after(CLOCK_REALTIME, 20);
	errno_is(waitv(w, 2, 0, &soon, CLOCK_REALTIME), ETIMEDOUT, 51, "CLOCK_REALTIME deadline");
	errno_is(waitv(w, 2, 0, &past, CLOCK_REALTIME), ETIMEDOUT, 52, "deadline already passed");
	return guest_finish();
}
