/*
 * futex_pi_raw: the PI futex operations through syscall(SYS_futex): the
 * owner's tid in the word, FUTEX_WAITERS and FUTEX_OWNER_DIED, hand-over
 * on FUTEX_UNLOCK_PI, EDEADLK (self and ABBA), EPERM, ESRCH, EINVAL,
 * ENOSYS, EFAULT, ETIMEDOUT; FUTEX_WAIT_REQUEUE_PI with
 * FUTEX_CMP_REQUEUE_PI; EFAULT for bad second addresses as Linux gives
 * it; a timed FUTEX_WAIT interrupted by a SA_RESTART handler is EINTR.
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
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

static long fx(void *u, int op, long val, void *ts, void *u2, long val3)
{
	return syscall(SYS_futex, u, op, val, ts, u2, val3);
}

static void errno_is(long r, int want, int code, const char *what)
{
	int e = errno;
	if (r == -1 && e == want)
		check(1, code, "%s -> errno %d", what, want);
	else
		check(0, code, "%s: got %ld errno %d, want errno %d", what, r, r == -1 ? e : 0, want);
}

static uint32_t mytid(void)
{
	return (uint32_t)syscall(SYS_gettid);
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

static void yield_n(int n)
{
	for (int i = 0; i < n; i++)
		sched_yield();
}

/* A thread that takes @lock, says so, and waits for @release. */
static uint32_t lk_a, lk_b;
static volatile int holder_has, holder_release, holder_tid;
static void *holder(void *arg)
{
	uint32_t *lock = arg;
	holder_tid = (int)mytid();
	long r = fx(lock, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	holder_has = r == 0 ? 1 : -1;
	while (!holder_release)
		sched_yield();
	return (void *)fx(lock, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
}

static void errors(void)
{
	uint32_t w = 0;
	errno_is(fx(&w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM, 10, "UNLOCK_PI of a free word");
	expect_eq(fx(&w, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), 0, 11, "TRYLOCK_PI of a free word");
	expect_eq(w == mytid(), 1, 12, "word holds the owner's tid");
	errno_is(fx(&w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EDEADLK, 13, "LOCK_PI of own lock");
	errno_is(fx(&w, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EDEADLK, 14, "TRYLOCK_PI of own lock");
	expect_eq(fx(&w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0, 15, "UNLOCK_PI by the owner");
	expect_eq(w, 0, 16, "word is 0 after unlock");
	w = 0x3ffffff0; /* above any pid_max: no such task */
	errno_is(fx(&w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), ESRCH, 17, "LOCK_PI, owner does not exist");
	expect_eq(w, 0x3ffffff0 | FUTEX_WAITERS, 18, "FUTEX_WAITERS set even so");
	errno_is(fx(&w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM, 19, "UNLOCK_PI by a non-owner");
	w = FUTEX_OWNER_DIED;
	expect_eq(fx(&w, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), 0, 20, "TRYLOCK_PI of an owner-died word");
	expect_eq(w == (FUTEX_OWNER_DIED | mytid()), 1, 21, "OWNER_DIED kept, tid set");
	w = FUTEX_WAITERS;
	expect_eq(fx(&w, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0, 22, "LOCK_PI of a word with only WAITERS");
	expect_eq(w == mytid(), 1, 23, "stale FUTEX_WAITERS dropped");
	fx(&w, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	errno_is(fx((char *)&w + 1, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EINVAL, 24, "misaligned word");
	errno_is(fx(&w, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS, 25,
		 "LOCK_PI with FUTEX_CLOCK_REALTIME");
	expect_eq(fx(&w, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0),
		  0, 26, "LOCK_PI2 with FUTEX_CLOCK_REALTIME");
	fx(&w, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(page != MAP_FAILED, 1, "mmap");
	errno_is(fx(page, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EFAULT, 27, "LOCK_PI of a read-only word");
	munmap(page, 4096);
	errno_is(fx(page, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EFAULT, 28, "LOCK_PI unmapped");
	errno_is(fx(page, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EFAULT, 29, "UNLOCK_PI unmapped");
	errno_is(fx(page, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EFAULT, 30, "TRYLOCK_PI unmapped");

	/* Second addresses: a shared key needs the page, a private one does
	 * not; WAKE_OP writes it; CMP_REQUEUE_PI reads it. */
	uint32_t c = 0;
	expect_eq(fx(&c, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)1, page, 0), 0, 31,
		  "private REQUEUE to an unmapped uaddr2");
	errno_is(fx(&c, FUTEX_REQUEUE, 1, (void *)1, page, 0), EFAULT, 32,
		 "shared REQUEUE to an unmapped uaddr2");
	errno_is(fx(&c, FUTEX_CMP_REQUEUE, 1, (void *)1, page, 0), EFAULT, 33,
		 "shared CMP_REQUEUE to an unmapped uaddr2");
	errno_is(fx(&c, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, page, 0), EFAULT, 34,
		 "WAKE_OP on an unmapped uaddr2");
	errno_is(fx(&c, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG, 1, (void *)1, page, 0), EFAULT, 35,
		 "CMP_REQUEUE_PI to an unmapped uaddr2");
	errno_is(fx(&c, FUTEX_CMP_REQUEUE_PI, 2, (void *)1, &w, 0), EINVAL, 36,
		 "CMP_REQUEUE_PI waking 2");
	errno_is(fx(&c, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &c, 0), EINVAL, 37,
		 "CMP_REQUEUE_PI to itself");
	errno_is(fx(&c, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &w, 5), EAGAIN, 38,
		 "CMP_REQUEUE_PI, value differs");
	expect_eq(fx(&c, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &w, 0), 0, 39,
		  "CMP_REQUEUE_PI without waiters");
	errno_is(fx(&c, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &c, 0), EINVAL, 40,
		 "WAIT_REQUEUE_PI on itself");
	errno_is(fx(&c, FUTEX_WAIT_REQUEUE_PI, 1, NULL, &w, 0), EAGAIN, 41,
		 "WAIT_REQUEUE_PI, value differs");
	struct timespec soon = after(CLOCK_MONOTONIC, 10);
	errno_is(fx(&c, FUTEX_WAIT_REQUEUE_PI, 0, &soon, &w, 0), ETIMEDOUT, 42,
		 "WAIT_REQUEUE_PI times out");
}

static void contended(void)
{
	pthread_t th;
	lk_a = 0;
	holder_has = holder_release = 0;
	pthread_create(&th, NULL, holder, &lk_a);
	while (!holder_has)
		sched_yield();
	errno_is(fx(&lk_a, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EAGAIN, 50, "TRYLOCK_PI of a held lock");
	expect_eq(lk_a == (FUTEX_WAITERS | (uint32_t)holder_tid), 1, 51,
		  "failed TRYLOCK_PI leaves FUTEX_WAITERS");
	errno_is(fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM, 52, "UNLOCK_PI of another's lock");
	struct timespec rt = after(CLOCK_REALTIME, 20);
	errno_is(fx(&lk_a, FUTEX_LOCK_PI, 0, &rt, NULL, 0), ETIMEDOUT, 53,
		 "LOCK_PI with an absolute CLOCK_REALTIME deadline");
	struct timespec mono = after(CLOCK_MONOTONIC, 20);
	errno_is(fx(&lk_a, FUTEX_LOCK_PI2, 0, &mono, NULL, 0), ETIMEDOUT, 54,
		 "LOCK_PI2 with an absolute CLOCK_MONOTONIC deadline");
	holder_release = 1;
	void *r;
	pthread_join(th, &r);
	expect_eq((long)r, 0, 55, "holder's UNLOCK_PI (stale FUTEX_WAITERS)");
	expect_eq(lk_a, 0, 56, "no waiters left: word 0");
}

/* Until thread @tid sleeps (in a futex: it does nothing else that sleeps). */
static void wait_sleeping(int tid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (;;) {
		FILE *f = fopen(path, "r");
		need(f != NULL, 2, "open /proc/self/task/N/stat");
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		sched_yield();
	}
}

static volatile int t_tid, t_go;
static volatile uint32_t t_word;
static volatile long t_ret;

static void *locker(void *arg)
{
	uint32_t *lock = arg;
	t_tid = (int)mytid();
	t_ret = fx(lock, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	t_word = *lock;
	fx(lock, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	return NULL;
}

static void handover(void)
{
	pthread_t th;
	lk_a = 0;
	t_tid = 0;
	expect_eq(fx(&lk_a, FUTEX_LOCK_PI, 0, NULL, NULL, 0), 0, 60, "LOCK_PI of a free word");
	pthread_create(&th, NULL, locker, &lk_a);
	while (!t_tid)
		sched_yield();
	wait_sleeping(t_tid);
	expect_eq(lk_a == (FUTEX_WAITERS | mytid()), 1, 61, "a waiter set FUTEX_WAITERS");
	errno_is(fx(&lk_a, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL, 62, "FUTEX_WAKE of a PI waiter");
	expect_eq(fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0, 63, "UNLOCK_PI with a waiter");
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 64, "the waiter's LOCK_PI returns 0");
	expect_eq(t_word == (FUTEX_WAITERS | (uint32_t)t_tid), 1, 65,
		  "the word names the new owner, with FUTEX_WAITERS");
	expect_eq(lk_a, 0, 66, "its UNLOCK_PI leaves 0");
}

/* ABBA: the thread holds B and waits for A, which we hold. */
static void *abba(void *arg)
{
	(void)arg;
	t_tid = (int)mytid();
	fx(&lk_b, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	t_go = 1;
	t_ret = fx(&lk_a, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	fx(&lk_b, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	return NULL;
}

static void deadlock(void)
{
	pthread_t th;
	lk_a = lk_b = 0;
	t_tid = t_go = 0;
	fx(&lk_a, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	pthread_create(&th, NULL, abba, NULL);
	while (!t_go)
		sched_yield();
	wait_sleeping(t_tid);
	errno_is(fx(&lk_b, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EDEADLK, 70, "ABBA: LOCK_PI is EDEADLK");
	fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 71, "ABBA: the other side got A");
	expect_eq(lk_a | lk_b, 0, 72, "ABBA: both free");
}

/* A FUTEX_WAIT waiter on a PI word: UNLOCK_PI is EINVAL. */
static uint32_t mixed;
static void *plain_waiter(void *arg)
{
	(void)arg;
	uint32_t v = mixed;
	t_tid = (int)mytid();
	t_ret = fx(&mixed, FUTEX_WAIT, v, NULL, NULL, 0);
	return NULL;
}

static void mixed_ops(void)
{
	pthread_t th;
	t_tid = 0;
	mixed = mytid();
	pthread_create(&th, NULL, plain_waiter, NULL);
	while (!t_tid)
		sched_yield();
	wait_sleeping(t_tid);
	errno_is(fx(&mixed, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EINVAL, 75,
		 "UNLOCK_PI with a FUTEX_WAIT waiter");
	errno_is(fx(&mixed, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EDEADLK, 76,
		 "TRYLOCK_PI: self-lock is found first");
	expect_eq(fx(&mixed, FUTEX_WAKE, 0, NULL, NULL, 0), 1, 77, "FUTEX_WAKE of 0 waiters wakes it");
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 78, "its FUTEX_WAIT returns 0");
}

/* WAIT_REQUEUE_PI / CMP_REQUEUE_PI: a condition variable c, a PI mutex m. */
static uint32_t cond, mtx;
static volatile int rq_tid[2], rq_owned[2];
static volatile long rq_ret[2];
static void *rq_waiter(void *arg)
{
	long i = (long)arg;
	rq_tid[i] = (int)mytid();
	rq_ret[i] = fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &mtx, 0);
	rq_owned[i] = (mtx & FUTEX_TID_MASK) == mytid();
	fx(&mtx, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	return NULL;
}

static void requeue_pi(void)
{
	pthread_t th[2];
	cond = mtx = 0;
	for (long i = 0; i < 2; i++) {
		rq_tid[i] = 0;
		pthread_create(&th[i], NULL, rq_waiter, (void *)i);
		while (!rq_tid[i])
			sched_yield();
		wait_sleeping(rq_tid[i]);
	}
	errno_is(fx(&cond, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL, 80,
		 "FUTEX_WAKE of WAIT_REQUEUE_PI waiters");
	errno_is(fx(&cond, FUTEX_CMP_REQUEUE, 1, (void *)1, &mtx, 0), EINVAL, 81,
		 "CMP_REQUEUE of WAIT_REQUEUE_PI waiters");
	uint32_t other = 0;
	errno_is(fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &other, 0), EINVAL, 82,
		 "CMP_REQUEUE_PI to another PI futex than theirs");
	expect_eq(fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)INT_MAX, &mtx, 0), 2, 83,
		  "CMP_REQUEUE_PI: one woken with the lock, one requeued");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	expect_eq(rq_ret[0] == 0 && rq_ret[1] == 0, 1, 84, "both WAIT_REQUEUE_PI return 0");
	expect_eq(rq_owned[0] && rq_owned[1], 1, 85, "each owned the PI futex on return");
	expect_eq(mtx, 0, 86, "the PI futex is free at the end");
}

/* A timed FUTEX_WAIT, even with a timeout too large to expire, returns
 * EINTR after a SA_RESTART handler (its restart block). */
static volatile int main_tid, main_done, handled;
static void on_usr1(int sig)
{
	(void)sig;
	handled = 1;
}
static void *signaller(void *arg)
{
	(void)arg;
	while (!main_done) {
		syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
		yield_n(20);
	}
	return NULL;
}

static void timed_eintr(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	main_tid = (int)mytid();
	pthread_t th;
	pthread_create(&th, NULL, signaller, NULL);
	uint32_t z = 0;
	struct timespec huge = {LONG_MAX, 0};
	long r = fx(&z, FUTEX_WAIT, 0, &huge, NULL, 0);
	int e = errno;
	main_done = 1;
	pthread_join(th, NULL);
	errno = e;
	errno_is(r, EINTR, 90, "FUTEX_WAIT with a huge timeout, SA_RESTART handler");
	expect_eq(handled, 1, 91, "the handler ran");
}

/* A signal handler (without SA_RESTART) interrupting LOCK_PI: the lock
 * request is restarted, never EINTR (-ERESTARTNOINTR). */
static volatile int usr2_seen;
static void on_usr2(int sig)
{
	(void)sig;
	usr2_seen = 1;
}

static void lock_pi_restart(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	pthread_t th;
	lk_a = 0;
	t_tid = 0;
	fx(&lk_a, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	pthread_create(&th, NULL, locker, &lk_a);
	while (!t_tid)
		sched_yield();
	wait_sleeping(t_tid);
	syscall(SYS_tgkill, getpid(), t_tid, SIGUSR2);
	while (!usr2_seen)
		sched_yield();
	wait_sleeping(t_tid); /* back in LOCK_PI */
	expect_eq(fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), 0, 95, "UNLOCK_PI to the restarted waiter");
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 96, "LOCK_PI interrupted by a handler is restarted and gets the lock");
	expect_eq(lk_a, 0, 97, "free at the end");
}

/* Woken (or handed the lock) and then signalled before it ran again: the
 * wait's result stands (0). (Natively the thread may have returned before
 * the signal comes, or exited: the handler is not checked.) */
static uint32_t wword;
static void *plain_wait(void *arg)
{
	(void)arg;
	t_tid = (int)mytid();
	t_ret = fx(&wword, FUTEX_WAIT, 0, NULL, NULL, 0);
	return NULL;
}

static void woken_then_signalled(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
	pthread_t th;
	wword = 0;
	t_tid = 0;
	usr2_seen = 0;
	pthread_create(&th, NULL, plain_wait, NULL);
	while (!t_tid)
		sched_yield();
	wait_sleeping(t_tid);
	expect_eq(fx(&wword, FUTEX_WAKE, 1, NULL, NULL, 0), 1, 100, "FUTEX_WAKE woke it");
	syscall(SYS_tgkill, getpid(), t_tid, SIGUSR2);
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 101, "woken then signalled: FUTEX_WAIT returns 0");

	lk_a = 0;
	t_tid = 0;
	usr2_seen = 0;
	fx(&lk_a, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
	pthread_create(&th, NULL, locker, &lk_a);
	while (!t_tid)
		sched_yield();
	wait_sleeping(t_tid);
	fx(&lk_a, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
	syscall(SYS_tgkill, getpid(), t_tid, SIGUSR2);
	pthread_join(th, NULL);
	expect_eq(t_ret, 0, 103, "handed the lock then signalled: LOCK_PI returns 0");
	expect_eq(t_word == (FUTEX_WAITERS | (uint32_t)t_tid), 1, 104, "and owned it");
}

int main(void)
{
	errors();
	contended();
	handover();
	deadlock();
	mixed_ops();
	requeue_pi();
	timed_eintr();
	lock_pi_restart();
	woken_then_signalled();
	return guest_finish();
}
