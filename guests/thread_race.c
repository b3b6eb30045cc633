/*
 * thread_race: a deliberately racy program for the determinism tests
 * (tests/threads/determinism.sh).
 *
 * 4 threads each append their id to a shared log 300 times. Every append is
 * under a mutex, so no entry is lost, but which thread appends next is up to
 * the scheduler: between appends each thread does a varying amount of pure
 * computation (no syscalls, so only preemption can switch threads there),
 * and now and then sched_yield() or a short nanosleep().
 *
 * Without arguments it prints only what every correct run agrees on (the
 * number of entries, per-thread counts, and that each thread's own entries
 * carry increasing sequence numbers), so the automatic native-vs-emulated
 * test passes. With `--hash` it also prints a hash of the interleaving
 * (the order of ids in the log), which natively differs from run to run,
 * and under cloneemu must be the same for the same --seed.
 */
#include "guest_check.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#define NT 4
#define PER 300

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_id[NT * PER], log_seq[NT * PER];
static int log_len;
static volatile uint64_t sink;

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(me + 1);

	for (int i = 0; i < PER; i++) {
		pthread_mutex_lock(&lock);
		log_id[log_len] = me;
		log_seq[log_len] = i;
		log_len++;
		pthread_mutex_unlock(&lock);
		/* xorshift: how long to compute before the next append */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int spin = (int)(x % 2000);
		uint64_t acc = 0;
		for (int k = 0; k < spin; k++)
			acc += (uint64_t)k * (uint64_t)k ^ x;
		sink = acc;
		if (x % 11 == 0)
			sched_yield();
		if (x % 37 == 0) {
			struct timespec d = {0, (long)(x % 3 + 1) * 100000L};
			nanosleep(&d, NULL);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[NT];
	int print_hash = argc > 1 && strcmp(argv[1], "--hash") == 0;

	for (intptr_t i = 0; i < NT; i++)
		need(pthread_create(&th[i], NULL, worker, (void *)i) == 0, 2, "pthread_create");
	for (int i = 0; i < NT; i++)
		need(pthread_join(th[i], NULL) == 0, 3, "pthread_join");

	int count[NT] = {0}, next[NT] = {0}, in_order = 1, bad_id = 0;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the ids */
	for (int i = 0; i < log_len; i++) {
		int id = log_id[i];
		if (id < 0 || id >= NT) {
			bad_id = 1;
			continue;
		}
		count[id]++;
		if (log_seq[i] != next[id]++)
			in_order = 0;
		h ^= (uint64_t)id;
		h *= 0x100000001b3ULL;
	}
	printf("threads %d, appends per thread %d\n", NT, PER);
	expect_eq(log_len, NT * PER, 4, "log entries == 1200");
	for (int i = 0; i < NT; i++)
		check(count[i] == PER, 5, "thread %d appended %d", i, count[i]);
	check(!bad_id, 6, "every entry is a valid thread id");
	check(in_order, 7, "each thread's entries are in its own order");
	if (print_hash)
		printf("interleaving hash %016llx\n", (unsigned long long)h);
	return guest_finish();
}
