#include "kernelmodel/sched.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched_chaos.h"

#include <limits.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernelmodel/cputime.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

/* Tasks in creation order, so iteration and round robin are deterministic. */
static struct {
	struct task **v;
	size_t n, cap;
} tasks;

/* The tasks that may have to be woken by time or by the host: the ticks
 * and the idle wait look at these only, not at every task. An entry stays
 * until a look finds it no longer waits that way. */
static struct {
	struct task **v;
	size_t n, cap;
} sleepers;

/* tid -> the newest task with it, for task_find (open addressing, linear
 * probing, tombstones; grown at half load). */
static struct {
	struct task **v;
	size_t cap, used; /* used counts tombstones too */
} tids;
#define TID_TOMB ((struct task *)1)

static size_t tid_slot(int tid, size_t cap)
{
	return ((uint32_t)tid * 2654435761u) & (cap - 1);
}

static void tid_hash_insert(struct task *t);

static void tid_hash_grow(void)
{
	size_t old_cap = tids.cap;
	struct task **old = tids.v;
	tids.cap = old_cap ? old_cap * 2 : 64;
	while (tids.cap < 4 * tasks.n)
		tids.cap *= 2;
	tids.v = calloc(tids.cap, sizeof(*tids.v));
	if (!tids.v)
		abort(); /* like the task list: fatal like the kernel's panic */
	tids.used = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i] && old[i] != TID_TOMB)
			tid_hash_insert(old[i]);
	free(old);
}

static void tid_hash_insert(struct task *t)
{
	if (2 * (tids.used + 1) > tids.cap)
		tid_hash_grow();
	size_t i = tid_slot(t->tid, tids.cap);
	while (tids.v[i] && tids.v[i] != TID_TOMB && tids.v[i]->tid != t->tid)
		i = (i + 1) & (tids.cap - 1);
	if (!tids.v[i])
		tids.used++;
	tids.v[i] = t; /* a reused tid: the newer task */
}

static struct task *tid_hash_lookup(int tid)
{
	if (!tids.cap)
		return NULL;
	for (size_t i = tid_slot(tid, tids.cap); tids.v[i]; i = (i + 1) & (tids.cap - 1))
		if (tids.v[i] != TID_TOMB && tids.v[i]->tid == tid)
			return tids.v[i];
	return NULL;
}

static void tid_hash_remove(struct task *t)
{
	if (!tids.cap)
		return;
	for (size_t i = tid_slot(t->tid, tids.cap); tids.v[i]; i = (i + 1) & (tids.cap - 1))
		if (tids.v[i] == t) {
			tids.v[i] = TID_TOMB;
			return;
		}
}

static struct {
	uint64_t seed, rng;
	bool preemptible;   /* the slice in progress has the block hook */
	bool need_resched;
	bool counting;      /* the slice in progress counts blocks (has the hook) */
	uint64_t alone_blocks; /* blocks run since a second task last existed */
} policy = {.alone_blocks = SCHED_ALONE_BLOCKS};

void sched_account(uint64_t blocks)
{
	policy.alone_blocks += blocks;
	if (chaos_enabled)
		sched_chaos_account(blocks);
}

void (*sched_new_task_hook)(struct task *t);
void (*sched_wake_hook)(struct task *t);
void (*sched_remove_hook)(struct task *t);

void sched_add(struct task *t)
{
	if (tasks.n == tasks.cap) {
		size_t cap = tasks.cap ? tasks.cap * 2 : 16;
		struct task **v = realloc(tasks.v, cap * sizeof(*v));
		if (!v)
			abort(); /* a pointer per task: fatal like the kernel's panic */
		tasks.v = v;
		tasks.cap = cap;
	}
	t->nhostfds = 0;
	t->sched_idx = tasks.n;
	tasks.v[tasks.n++] = t;
	tid_hash_insert(t);
	if (sched_new_task_hook)
		sched_new_task_hook(t);
	if (!policy.preemptible)
		policy.need_resched = true;
	if (chaos_enabled) {
		sched_chaos_fork(t);
		if (t->state == TASK_RUNNING)
			sched_chaos_woken(t);
	}
}

void sched_remove(struct task *t)
{
	size_t i = t->sched_idx;
	if (chaos_enabled)
		sched_chaos_remove(t);
	if (t->in_sleepers) {
		for (size_t k = 0; k < sleepers.n; k++)
			if (sleepers.v[k] == t) {
				sleepers.v[k] = sleepers.v[--sleepers.n];
				break;
			}
		t->in_sleepers = false;
	}
	if (i < tasks.n && tasks.v[i] == t) {
		if (sched_remove_hook)
			sched_remove_hook(t);
		tid_hash_remove(t);
		for (size_t j = i + 1; j < tasks.n; j++) {
			tasks.v[j - 1] = tasks.v[j];
			tasks.v[j - 1]->sched_idx = j - 1;
		}
		tasks.n--;
		task_put(t);
	}
	if (!tasks.n) {
		free(tasks.v);
		tasks.v = NULL;
		tasks.cap = 0;
		free(tids.v);
		tids.v = NULL;
		tids.cap = tids.used = 0;
		free(sleepers.v);
		sleepers.v = NULL;
		sleepers.n = sleepers.cap = 0;
	}
}

uint64_t sched_seed(void)
{
	return policy.seed;
}

void sched_set_seed(uint64_t seed)
{
	policy.seed = seed;
	policy.rng = seed * 0x9E3779B97F4A7C15ull + 1;
}

/* xorshift64*: small, fast, and the same sequence everywhere. */
static uint64_t rng_next(void)
{
	policy.rng ^= policy.rng >> 12;
	policy.rng ^= policy.rng << 25;
	policy.rng ^= policy.rng >> 27;
	return policy.rng * 2685821657736338717ull;
}

void sched_begin_slice(bool preemptible)
{
	policy.preemptible = preemptible;
	policy.need_resched = false;
}

bool sched_need_resched(void)
{
	return policy.need_resched;
}

static uint64_t outside_signals;

void sched_set_outside_signals(uint64_t mask)
{
	outside_signals = mask;
}

/* Has @t a handler for a signal that may come from outside? */
static bool handles_outside_signal(const struct task *t)
{
	for (int s = 1; s <= NSIG_MODEL; s++) {
		uint64_t h = t->sighand->action[s - 1].handler;
		if ((outside_signals & SIGBIT(s)) && h != (uint64_t)(uintptr_t)SIG_DFL &&
		    h != (uint64_t)(uintptr_t)SIG_IGN)
			return true;
	}
	return false;
}

static uint64_t slice_policy(const struct task *running)
{
	bool others = false, multi = false;
	for (size_t i = 0; i < tasks.n && !others; i++) {
		const struct task *t = tasks.v[i];
		if (t == running || !task_is_alive(t))
			continue;
		multi = true;
		/* Someone runnable, or someone time or the host may wake. */
		others = t->state == TASK_RUNNING ||
			 (t->state == TASK_INTERRUPTIBLE && (t->wake_at_ns || t->nhostfds));
	}
	bool timers = signal_next_timer() != 0;
	/* Arming or disarming Unicorn's block hook throws away every
	 * translation. So the hook stays armed while several tasks exist and
	 * for a while after (a shell forks and reaps again and again), in long
	 * slices when nobody competes; a task left alone long enough runs
	 * without it, at full speed. */
	if (multi || timers)
		policy.alone_blocks = 0;
	if (!multi && !timers)
		/* (A recording keeps the hook: a signal from outside is
		 * delivered at the end of a slice, and slices must end.) */
		return policy.alone_blocks >= SCHED_ALONE_BLOCKS && !rr_recording && !rr_replaying &&
				       !handles_outside_signal(running)
			       ? 0
			       : SCHED_SLICE_ALONE;
	if (!others && !timers)
		return SCHED_SLICE_ALONE;
	if (chaos_enabled)
		return CHAOS_STARVE_BLOCKS; /* PCT preempts; this is the starvation guard */
	if (!policy.seed)
		return SCHED_SLICE_BLOCKS;
	return SCHED_SLICE_BLOCKS / 8 + rng_next() % (SCHED_SLICE_BLOCKS * 2);
}

uint64_t sched_slice(const struct task *running)
{
	uint64_t s = slice_policy(running);
	/* A CPU timer of the running process (ITIMER_VIRTUAL/PROF,
	 * RLIMIT_CPU, a CPU-clock POSIX timer) ends the slice when it is due:
	 * its time is counted in blocks, so the hook must stay. */
	uint64_t cpu = cpu_timer_blocks(running);
	if (cpu) {
		policy.alone_blocks = 0;
		if (!s || s > cpu)
			s = cpu;
	}
	policy.counting = s != 0;
	return s;
}

void sched_count_blocks(void)
{
	if (!policy.counting)
		policy.need_resched = true; /* the dispatcher ends the slice */
}

bool (*sched_hold_hook)(const struct task *t);

static bool runnable(const struct task *t)
{
	return t->state == TASK_RUNNING && !(sched_hold_hook && sched_hold_hook(t));
}

struct task *sched_pick_next(struct task *prev)
{
	if (chaos_enabled)
		return sched_chaos_pick();
	if (policy.seed) {
		size_t n = 0;
		for (size_t i = 0; i < tasks.n; i++)
			n += runnable(tasks.v[i]);
		if (!n)
			return NULL;
		size_t k = rng_next() % n;
		for (size_t i = 0; i < tasks.n; i++)
			if (runnable(tasks.v[i]) && !k--)
				return tasks.v[i];
	}
	size_t start = 0;
	if (prev && prev->sched_idx < tasks.n && tasks.v[prev->sched_idx] == prev)
		start = prev->sched_idx + 1;
	for (size_t k = 0; k < tasks.n; k++) {
		struct task *t = tasks.v[(start + k) % tasks.n];
		if (runnable(t))
			return t;
	}
	return NULL;
}

size_t sched_nr_tasks(void)
{
	return tasks.n;
}

void task_change_tid(struct task *t, int tid)
{
	bool listed = t->sched_idx < tasks.n && tasks.v[t->sched_idx] == t;
	if (listed)
		tid_hash_remove(t);
	t->tid = tid;
	if (listed)
		tid_hash_insert(t);
}

struct task *task_find(int tid)
{
	struct task *t = tid_hash_lookup(tid);
	return t && t->state != TASK_DEAD ? t : NULL;
}

struct task *task_next(struct task *t)
{
	if (!t)
		return tasks.n ? tasks.v[0] : NULL;
	size_t i = t->sched_idx;
	return i + 1 < tasks.n && tasks.v[i] == t ? tasks.v[i + 1] : NULL;
}

static void note_sleeper(struct task *t)
{
	if (t->in_sleepers)
		return;
	if (sleepers.n == sleepers.cap) {
		size_t cap = sleepers.cap ? sleepers.cap * 2 : 16;
		struct task **v = realloc(sleepers.v, cap * sizeof(*v));
		if (!v)
			abort(); /* like the task list */
		sleepers.v = v;
		sleepers.cap = cap;
	}
	sleepers.v[sleepers.n++] = t;
	t->in_sleepers = true;
}

static bool waits_on_time_or_host(const struct task *t)
{
	return t->state == TASK_INTERRUPTIBLE && (t->wake_at_ns || t->nhostfds);
}

/* Drop the sleepers that no longer wait on time or the host. */
static void prune_sleepers(void)
{
	size_t k = 0;
	for (size_t i = 0; i < sleepers.n; i++) {
		struct task *t = sleepers.v[i];
		if (waits_on_time_or_host(t))
			sleepers.v[k++] = t;
		else
			t->in_sleepers = false;
	}
	sleepers.n = k;
}

long sleep_until(struct task *t, const void *chan, uint64_t deadline_ns, const char *why)
{
	account_sleep(t);
	t->state = TASK_INTERRUPTIBLE;
	t->wait_why = why;
	t->wait_chan = chan;
	t->wake_at_ns = deadline_ns;
	t->nhostfds = 0;
	if (deadline_ns)
		note_sleeper(t);
	return -EKBLOCK;
}

long sleep_on(struct task *t, const void *chan, const char *why)
{
	return sleep_until(t, chan, 0, why);
}

long sleep_on_host_fd(struct task *t, int fd, short events, const char *why)
{
	sleep_until(t, NULL, 0, why);
	t->host_one = (struct pollfd){fd, events, 0};
	t->hostfds = &t->host_one;
	t->nhostfds = 1;
	note_sleeper(t);
	return -EKBLOCK;
}

const int poll_chan;

long sleep_poll(struct task *t, const void *chan, uint64_t deadline, struct pollfd *fds, int n,
		const char *why)
{
	sleep_until(t, chan, deadline, why);
	t->hostfds = fds;
	t->nhostfds = n;
	if (n)
		note_sleeper(t);
	return -EKBLOCK;
}

/* poll(2) on host descriptors for the scheduler, recorded or replayed (a
 * replay does not wait: the recording says what became ready). */
static int host_poll(struct pollfd *pfd, int n, int timeout)
{
	int r = (int)RR_SYS(poll(pfd, n, timeout));
	for (int i = 0; i < n; i++)
		rr_bytes(&pfd[i].revents, sizeof(pfd[i].revents));
	return r;
}

/* Gather the host descriptors sleepers wait on: up to @max into @pfd, with
 * the task of each in @who. */
#define MAX_HOST_POLL 256
static int gather_host_fds(struct pollfd *pfd, struct task **who, int max)
{
	int n = 0;
	for (size_t i = 0; i < sleepers.n; i++) {
		struct task *t = sleepers.v[i];
		if (t->state != TASK_INTERRUPTIBLE)
			continue;
		for (int k = 0; k < t->nhostfds && n < max; k++) {
			pfd[n] = (struct pollfd){t->hostfds[k].fd, t->hostfds[k].events, 0};
			who[n++] = t;
		}
	}
	return n;
}

long host_poll_now(struct pollfd *pfd)
{
	long r;
	do
		r = RR_SYS(poll(pfd, 1, 0));
	while (r == -EINTR);
	return r;
}

void wake_task(struct task *t)
{
	if (t->state != TASK_INTERRUPTIBLE)
		return;
	if (!policy.preemptible)
		policy.need_resched = true;
	t->state = TASK_RUNNING;
	t->wait_killable = false;
	t->wait_chan = NULL;
	t->wake_at_ns = 0;
	t->nhostfds = 0;
	if (sched_wake_hook)
		sched_wake_hook(t);
}

void wake_up(const void *chan)
{
	for (size_t i = 0; i < tasks.n; i++)
		if (tasks.v[i]->state == TASK_INTERRUPTIBLE && tasks.v[i]->wait_chan == chan)
			wake_task(tasks.v[i]);
}

/* Wake the sleepers whose deadline has come. */
static void wake_expired(uint64_t now)
{
	for (size_t i = 0; i < sleepers.n; i++) {
		struct task *t = sleepers.v[i];
		if (t->state == TASK_INTERRUPTIBLE && t->wake_at_ns && t->wake_at_ns <= now)
			wake_task(t);
	}
}

void sched_tick(void)
{
	struct pollfd pfd[MAX_HOST_POLL];
	struct task *who[MAX_HOST_POLL];
	uint64_t now = now_ns();
	prune_sleepers();
	wake_expired(now);
	int n = gather_host_fds(pfd, who, MAX_HOST_POLL);
	if (n && host_poll(pfd, n, 0) > 0)
		for (int i = 0; i < n; i++)
			if (pfd[i].revents)
				wake_task(who[i]);
	signal_run_timers(now);
}

/* The host descriptor that becomes readable when a signal from outside
 * arrives (emu/hostsig.c's self-pipe); -1: none is caught. */
static int outside_fd = -1;

void sched_set_outside_fd(int fd)
{
	outside_fd = fd;
}

bool task_waits_outside(const struct task *t)
{
	/* Stopped until a SIGCONT; asleep in pause, sigsuspend or
	 * sigtimedwait until a signal: any process may be sent one. */
	return t->state == TASK_STOPPED ||
	       (t->state == TASK_INTERRUPTIBLE && t->wait_chan == &t->sig_pending);
}

static bool anyone_waits_outside(void)
{
	for (size_t i = 0; i < tasks.n; i++)
		if (task_waits_outside(tasks.v[i]))
			return true;
	return false;
}

/* Wait in the host, using no CPU, for the signal pipe (and nothing else)
 * until @timeout ms (-1: no limit); a replay does not wait for a signal
 * (the recording says where it came). Returns the ns spent. */
static uint64_t wait_outside(int timeout)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!rr_replaying || timeout > 0) {
		struct pollfd w = {rr_replaying ? -1 : outside_fd, POLLIN, 0};
		poll(&w, 1, timeout);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)(t1.tv_nsec - t0.tv_nsec);
}

bool sched_idle(void)
{
	struct pollfd pfd[MAX_HOST_POLL + 1];
	struct task *who[MAX_HOST_POLL];
	uint64_t deadline = 0;
	prune_sleepers();
	for (size_t i = 0; i < sleepers.n; i++) {
		struct task *t = sleepers.v[i];
		if (t->wake_at_ns && (!deadline || t->wake_at_ns < deadline))
			deadline = t->wake_at_ns;
	}
	int n = gather_host_fds(pfd, who, MAX_HOST_POLL);
	uint64_t timer = signal_next_timer();
	if (timer && (!deadline || timer < deadline))
		deadline = timer;
	/* Nothing the outside world can end: a deadlock (sched_report). */
	bool outside = anyone_waits_outside();
	if (!deadline && !n && !outside)
		return false;
	/* A replay has no outside: the recording says whether a signal ended
	 * this wait (under the virtual clock the time it took comes first). */
	if (!deadline && !n && rr_replaying && !clock_is_virtual() && !rr_signal_ahead())
		return false;
	int timeout = -1;
	uint64_t start = now_ns();
	if (deadline)
		timeout = deadline <= start ? 0
			  : deadline - start >= (uint64_t)INT_MAX * 1000000 ? INT_MAX
									 : (int)((deadline - start + 999999) / 1000000);
	if (clock_is_virtual() && !n && deadline) {
		/* Nobody waits for a host descriptor: time jumps to the deadline. */
		clock_advance(deadline - start);
		timeout = 0;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = 0;
	if (n) {
		/* The host descriptors and the signal pipe, recorded together (a
		 * replay's entry for the pipe is inert). */
		pfd[n] = (struct pollfd){rr_replaying ? -1 : outside_fd, POLLIN, 0};
		r = host_poll(pfd, n + 1, timeout);
	} else if (timeout != 0) {
		/* Only time or a signal from outside can end this: sleep in the
		 * host (--clock=host deadlines, pause, stopped tasks). */
		uint64_t spent = wait_outside(timeout);
		if (clock_is_virtual()) {
			spent = rr_replaying ? (uint64_t)rr_value() : (uint64_t)rr_note((long)spent);
			clock_advance(spent);
		}
	}
	if (clock_is_virtual() && n) {
		/* Waiting on the host took real time: let as much virtual time
		 * pass (a replay takes the recorded amount). */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		uint64_t spent = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull +
				 (uint64_t)(t1.tv_nsec - t0.tv_nsec);
		spent = rr_replaying ? (uint64_t)rr_value() : (uint64_t)rr_note((long)spent);
		if (deadline && start + spent > deadline)
			spent = deadline - start;
		clock_advance(spent);
	}
	for (int i = 0; r > 0 && i < n; i++)
		if (pfd[i].revents)
			wake_task(who[i]);
	uint64_t now = now_ns();
	signal_run_timers(now);
	wake_expired(now);
	return true;
}

void sched_report(void)
{
	for (size_t i = 0; i < tasks.n; i++) {
		struct task *t = tasks.v[i];
		fprintf(stderr, "cloneemu:   tid %d (pid %d, %s) %s", t->tid, t->tgid, t->comm,
			task_state_name(t->state));
		if (t->state == TASK_INTERRUPTIBLE)
			fprintf(stderr, " in %s", t->wait_why ? t->wait_why : "?");
		fputc('\n', stderr);
	}
}
