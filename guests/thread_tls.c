/*
 * thread_tls: thread-local storage and thread-specific data.
 *
 *   - __thread variables: each new thread starts with the initial image
 *     (an initialised one holds its initialiser, a zero-initialised one 0),
 *     sees only its own writes even while every other thread writes its own
 *     copy, and the copies live at distinct addresses
 *   - pthread_key_create with a destructor: each thread's non-NULL value is
 *     passed to the destructor exactly once when the thread exits; a value
 *     set back to NULL gets no call; pthread_getspecific is per thread
 *   - arch_prctl(ARCH_GET_FS): every thread's FS base differs from every
 *     other's (CLONE_SETTLS gave each its own), equals pthread_self() on
 *     both libcs, and arch_prctl(ARCH_SET_FS) in one thread leaves the
 *     others alone
 *
 * Only relations are printed ("different"), never addresses.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>

/* <asm/prctl.h>; not in musl-gcc's include path. */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

#define NTHREADS 8

static __thread long tls_init = 12345;
static __thread long tls_zero;
static __thread char tls_buf[256] = "initial";

static pthread_barrier_t barrier;
static pthread_key_t key, key_nulled;

struct slot {
	int init_ok;     /* saw the initial image */
	int own_ok;      /* saw only its own writes after the barrier */
	int spec_ok;     /* pthread_getspecific returned its own value */
	uintptr_t fs;    /* ARCH_GET_FS */
	uintptr_t self;  /* pthread_self() */
	uintptr_t addr;  /* &tls_init */
	int destructed;  /* times the destructor ran for this slot */
};
static struct slot slots[NTHREADS + 1];
static int destructor_calls, nulled_destructor_calls;

static void destructor(void *v)
{
	struct slot *s = v;
	__atomic_fetch_add(&s->destructed, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&destructor_calls, 1, __ATOMIC_RELAXED);
}

static void nulled_destructor(void *v)
{
	(void)v;
	__atomic_fetch_add(&nulled_destructor_calls, 1, __ATOMIC_RELAXED);
}

static uintptr_t get_fs(void)
{
	unsigned long fs = 0;
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs) != 0)
		return 0;
	return fs;
}

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct slot *s = &slots[me];

	s->init_ok = tls_init == 12345 && tls_zero == 0 && strcmp(tls_buf, "initial") == 0;
	s->addr = (uintptr_t)&tls_init;
	s->fs = get_fs();
	s->self = (uintptr_t)pthread_self();
	tls_init = me * 1000;
	tls_zero = -me;
	snprintf(tls_buf, sizeof(tls_buf), "thread %d", me);
	pthread_setspecific(key, s);
	pthread_setspecific(key_nulled, s);
	pthread_barrier_wait(&barrier); /* everyone has written its copy */
	for (int i = 0; i < 50; i++) {
		tls_init++;
		sched_yield();
	}
	char want[32];
	snprintf(want, sizeof(want), "thread %d", me);
	s->own_ok = tls_init == me * 1000 + 50 && tls_zero == -me && strcmp(tls_buf, want) == 0;
	s->spec_ok = pthread_getspecific(key) == s;
	pthread_setspecific(key_nulled, NULL);
	pthread_barrier_wait(&barrier);
	return NULL;
}

/* ARCH_SET_FS in a thread that uses no libc afterwards: set, read back, restore. */
static uintptr_t set_fs_seen;
static int set_fs_ok;

static void *fs_setter(void *arg)
{
	(void)arg;
	unsigned long old = 0, now = 0;
	syscall(SYS_arch_prctl, ARCH_GET_FS, &old);
	/* Between set and restore only raw inline syscalls: libc needs FS. */
	unsigned long want = old + 64;
	long r1, r2, r3;
	__asm__ volatile("syscall" : "=a"(r1) : "a"((long)SYS_arch_prctl), "D"((long)ARCH_SET_FS), "S"(want)
			 : "rcx", "r11", "memory");
	__asm__ volatile("syscall" : "=a"(r2) : "a"((long)SYS_arch_prctl), "D"((long)ARCH_GET_FS), "S"(&now)
			 : "rcx", "r11", "memory");
	__asm__ volatile("syscall" : "=a"(r3) : "a"((long)SYS_arch_prctl), "D"((long)ARCH_SET_FS), "S"(old)
			 : "rcx", "r11", "memory");
	set_fs_ok = r1 == 0 && r2 == 0 && r3 == 0 && now == want;
	set_fs_seen = now;
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];

	need(pthread_key_create(&key, destructor) == 0, 2, "pthread_key_create");
	need(pthread_key_create(&key_nulled, nulled_destructor) == 0, 3, "pthread_key_create");
	need(pthread_barrier_init(&barrier, NULL, NTHREADS) == 0, 4, "pthread_barrier_init");
	tls_init = -1; /* the main thread's copy; new threads must not inherit it */
	strcpy(tls_buf, "main");
	for (intptr_t i = 0; i < NTHREADS; i++)
		need(pthread_create(&th[i], NULL, worker, (void *)i) == 0, 5, "pthread_create");
	for (int i = 0; i < NTHREADS; i++)
		need(pthread_join(th[i], NULL) == 0, 6, "pthread_join");

	struct slot *m = &slots[NTHREADS];
	m->addr = (uintptr_t)&tls_init;
	m->fs = get_fs();
	m->self = (uintptr_t)pthread_self();

	int init_ok = 1, own_ok = 1, spec_ok = 1, once = 1, distinct_addr = 1, distinct_fs = 1,
	    fs_is_self = 1;
	for (int i = 0; i <= NTHREADS; i++) {
		if (i < NTHREADS) {
			init_ok &= slots[i].init_ok;
			own_ok &= slots[i].own_ok;
			spec_ok &= slots[i].spec_ok;
			once &= slots[i].destructed == 1;
		}
		if (slots[i].fs == 0 || slots[i].fs != slots[i].self)
			fs_is_self = 0;
		for (int j = 0; j < i; j++) {
			if (slots[i].addr == slots[j].addr)
				distinct_addr = 0;
			if (slots[i].fs == slots[j].fs)
				distinct_fs = 0;
		}
	}
	printf("threads: %d\n", NTHREADS);
	check(init_ok, 10, "__thread: each thread started with the initial image, not main's values");
	check(own_ok, 11, "__thread: each thread saw only its own writes");
	check(distinct_addr, 12, "__thread: &var is different in every thread");
	check(tls_init == -1 && strcmp(tls_buf, "main") == 0, 13, "__thread: main's copy untouched");
	check(spec_ok, 14, "pthread_getspecific: each thread got its own value");
	expect_eq(destructor_calls, NTHREADS, 15, "key destructor ran once per thread at exit");
	check(once, 16, "key destructor got each thread's own value exactly once");
	expect_eq(nulled_destructor_calls, 0, 17, "no destructor call for a value set back to NULL");
	printf("ARCH_GET_FS per thread: %s\n", distinct_fs ? "different" : "SAME");
	check(distinct_fs, 18, "ARCH_GET_FS differs between all threads (and main)");
	check(fs_is_self, 19, "ARCH_GET_FS == pthread_self() in every thread");

	pthread_t t;
	need(pthread_create(&t, NULL, fs_setter, NULL) == 0, 20, "pthread_create");
	pthread_join(t, NULL);
	check(set_fs_ok, 21, "ARCH_SET_FS then ARCH_GET_FS in a thread reads back the new base");
	check(get_fs() == m->fs && set_fs_seen != m->fs, 22, "another thread's ARCH_SET_FS left main's FS alone");
	pthread_key_delete(key);
	pthread_key_delete(key_nulled);
	return guest_finish();
}
