/* --chaos: PCT priorities and change points (see sched_chaos.h). */
#include "kernelmodel/sched_chaos.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/mm.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

bool chaos_enabled;
bool chaos_watching;
uint64_t chaos_watch;
bool chaos_tracing;
static unsigned trace_from; /* tracemem=N: the change point */
static int trace_tid, trace_left;

/* What decides the schedule (recorded by --record). */
struct chaos_config {
	uint32_t points; /* enum chaos_points */
	uint32_t depth;  /* d: d-1 change points */
	uint64_t steps;  /* the run's length in steps; 0: drawn from the seed */
	uint32_t nskip;
	uint32_t skip[CHAOS_MAX_SKIP];
};

static struct {
	struct chaos_config cfg;
	uint64_t rng;
	uint64_t change[CHAOS_MAX_DEPTH]; /* the steps that are change points, sorted */
	unsigned nchange, next;           /* next: the first change point not reached */
	uint64_t steps;                   /* steps taken so far */
	struct task *running;             /* the task sched_chaos_pick chose last */
	uint64_t run_blocks;              /* blocks it ran since */
	bool others;                      /* another task is runnable: steps count */
	int64_t floor;                    /* below every priority given so far */
	void (*preempt)(void);
	FILE *log;
} chaos = {.cfg = {.points = CHAOS_UNIFORM}};

/* Initial priorities lie above every demoted one. */
#define PRIO_INITIAL (1ll << 40)

static uint64_t rng_next(void)
{
	/* xorshift64*, as sched.c's; its own state so the two never mix. */
	chaos.rng ^= chaos.rng >> 12;
	chaos.rng ^= chaos.rng << 25;
	chaos.rng ^= chaos.rng >> 27;
	return chaos.rng * 2685821657736338717ull;
}

static int parse_skip(const char *s, char *err, size_t errlen)
{
	chaos.cfg.nskip = 0;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || !v || v > CHAOS_MAX_DEPTH || chaos.cfg.nskip >= CHAOS_MAX_SKIP) {
			snprintf(err, errlen, "--chaos: skip wants change point numbers 1-%d",
				 CHAOS_MAX_DEPTH);
			return -1;
		}
		chaos.cfg.skip[chaos.cfg.nskip++] = (uint32_t)v;
		s = *end == ':' ? end + 1 : end;
		if (*end && *end != ':') {
			snprintf(err, errlen, "--chaos: skip=I[:I...]");
			return -1;
		}
	}
	return 0;
}

int sched_chaos_configure(const char *opts, char *err, size_t errlen)
{
	chaos_enabled = true;
	if (!opts)
		return 0;
	char *copy = strdup(opts), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = 0;
	for (char *o = strtok_r(copy, ",", &save); o && !r; o = strtok_r(NULL, ",", &save)) {
		char *end;
		if (!strcmp(o, "shared")) {
			chaos.cfg.points = CHAOS_SHARED;
		} else if (!strcmp(o, "uniform")) {
			chaos.cfg.points = CHAOS_UNIFORM;
		} else if (!strncmp(o, "depth=", 6)) {
			unsigned long v = strtoul(o + 6, &end, 10);
			if (*end || !o[6] || v < 1 || v > CHAOS_MAX_DEPTH) {
				snprintf(err, errlen, "--chaos: depth wants 1-%d", CHAOS_MAX_DEPTH);
				r = -1;
			}
			chaos.cfg.depth = (uint32_t)v;
		} else if (!strncmp(o, "steps=", 6)) {
			chaos.cfg.steps = strtoull(o + 6, &end, 10);
			if (*end || !o[6] || !chaos.cfg.steps) {
				snprintf(err, errlen, "--chaos: steps wants a number > 0");
				r = -1;
			}
		} else if (!strncmp(o, "skip=", 5)) {
			r = parse_skip(o + 5, err, errlen);
		} else if (!strncmp(o, "watch=", 6)) {
			chaos_watch = strtoull(o + 6, &end, 0);
			chaos_watching = true;
			if (*end || !o[6]) {
				snprintf(err, errlen, "--chaos: watch wants an address");
				r = -1;
			}
		} else if (!strncmp(o, "tracemem=", 9)) {
			trace_from = (unsigned)strtoul(o + 9, &end, 10);
			if (*end || !o[9] || !trace_from) {
				snprintf(err, errlen, "--chaos: tracemem wants a change point number");
				r = -1;
			}
		} else if (!strncmp(o, "log=", 4)) {
			if (chaos.log)
				fclose(chaos.log);
			chaos.log = fopen(o + 4, "we");
			if (!chaos.log) {
				snprintf(err, errlen, "--chaos: cannot write %s: %s", o + 4,
					 strerror(errno));
				r = -1;
			}
		} else {
			snprintf(err, errlen, "--chaos: unknown option '%s' (shared, uniform, depth=D, "
					      "steps=K, skip=I[:I..], log=FILE, watch=ADDR)", o);
			r = -1;
		}
	}
	free(copy);
	return r;
}

enum chaos_points sched_chaos_points(void)
{
	return (enum chaos_points)chaos.cfg.points;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void sched_chaos_start(uint64_t seed)
{
	/* A replay schedules as its recording did, whatever --chaos says now. */
	uint32_t on = chaos_enabled;
	rr_bytes(&on, sizeof(on));
	rr_bytes(&chaos.cfg, sizeof(chaos.cfg));
	chaos_enabled = on;
	if (!chaos_enabled)
		return;
	if (chaos.cfg.depth > CHAOS_MAX_DEPTH)
		chaos.cfg.depth = CHAOS_DEFAULT_DEPTH;
	if (chaos.cfg.nskip > CHAOS_MAX_SKIP)
		chaos.cfg.nskip = CHAOS_MAX_SKIP;
	chaos.rng = (seed ^ 0xc4a05c4a05ull) * 0x9E3779B97F4A7C15ull + 7;
	for (int i = 0; i < 4; i++)
		rng_next();
	uint64_t k = chaos.cfg.steps;
	if (!k) {
		/* Log-uniform between 2^lo and 2^hi: short and long runs alike
		 * get change points spread over their whole length. */
		unsigned lo = chaos.cfg.points == CHAOS_SHARED ? 4 : 10;
		unsigned hi = chaos.cfg.points == CHAOS_SHARED ? 16 : 24;
		unsigned e = lo + (unsigned)(rng_next() % (hi - lo + 1));
		k = (1ull << e) + rng_next() % (1ull << e);
	}
	if (chaos.cfg.depth)
		chaos.nchange = chaos.cfg.depth - 1;
	else {
		uint64_t n = k / CHAOS_STEPS_PER_CHANGE;
		chaos.nchange = n < CHAOS_DEFAULT_DEPTH - 1 ? CHAOS_DEFAULT_DEPTH - 1
			      : n > CHAOS_MAX_DEPTH - 1 ? CHAOS_MAX_DEPTH - 1 : (unsigned)n;
	}
	for (unsigned i = 0; i < chaos.nchange; i++)
		chaos.change[i] = 1 + rng_next() % k;
	qsort(chaos.change, chaos.nchange, sizeof(chaos.change[0]), cmp_u64);
	chaos.floor = 0;
	if (chaos.log) {
		fprintf(chaos.log, "chaos seed %" PRIu64 " points %s depth %u steps %" PRIu64 "\n",
			seed, chaos.cfg.points == CHAOS_SHARED ? "shared" : "uniform",
			chaos.nchange + 1, k);
		fflush(chaos.log);
	}
}

void sched_chaos_fork(struct task *t)
{
	t->chaos_prio = PRIO_INITIAL + (int64_t)(rng_next() >> 24);
}

void sched_chaos_remove(struct task *t)
{
	if (chaos.running == t)
		chaos.running = NULL;
}

void sched_chaos_set_preempt_hook(void (*hook)(void))
{
	chaos.preempt = hook;
}

struct task *sched_chaos_pick(void)
{
	struct task *best = NULL;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t->state == TASK_RUNNING && (!best || t->chaos_prio > best->chaos_prio))
			best = t;
	if (best != chaos.running)
		chaos.run_blocks = 0;
	chaos.running = best;
	return best;
}

bool sched_chaos_run(struct task *t)
{
	if (t != chaos.running)
		chaos.run_blocks = 0;
	chaos.running = t;
	bool outranked = false;
	chaos.others = false;
	for (struct task *o = task_next(NULL); o; o = task_next(o))
		if (o != t && o->state == TASK_RUNNING) {
			chaos.others = true;
			outranked |= o->chaos_prio > t->chaos_prio;
		}
	return outranked;
}

static bool running_outranked_by(const struct task *t)
{
	return chaos.running && chaos.running != t && chaos.running->state == TASK_RUNNING &&
	       t->chaos_prio > chaos.running->chaos_prio;
}

void sched_chaos_woken(struct task *t)
{
	if (t != chaos.running)
		chaos.others = true;
	if (running_outranked_by(t) && chaos.preempt)
		chaos.preempt();
}

void sched_chaos_account(uint64_t blocks)
{
	struct task *r = chaos.running;
	if (!r)
		return;
	chaos.run_blocks += blocks;
	if (chaos.run_blocks < CHAOS_STARVE_BLOCKS)
		return;
	chaos.run_blocks = 0;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t != r && t->state == TASK_RUNNING) {
			r->chaos_prio = --chaos.floor; /* below everyone */
			return;
		}
}

static bool skipped(unsigned n)
{
	for (unsigned i = 0; i < chaos.cfg.nskip; i++)
		if (chaos.cfg.skip[i] == n)
			return true;
	return false;
}

int sched_chaos_step(struct task *t, enum chaos_kind kind, uint64_t addr)
{
	/* A preemption with nobody else to run would change nothing. */
	if (!chaos.others)
		return 0;
	chaos.steps++;
	int r = 0;
	while (chaos.next < chaos.nchange && chaos.change[chaos.next] <= chaos.steps) {
		unsigned n = ++chaos.next;
		if (skipped(n))
			continue;
		/* The i-th change point gives the task priority d-1-i... all
		 * below the initial ones and above the starving. */
		t->chaos_prio = (int64_t)(chaos.nchange - n + 1) << 20;
		r = CHAOS_STEP_CHANGE;
		if (n == trace_from && chaos.log) {
			chaos_tracing = true;
			trace_tid = t->tid;
			trace_left = 64;
		}
	}
	return r;
}

void sched_chaos_finish(void)
{
	if (chaos_enabled && chaos.log) {
		fprintf(chaos.log, "end steps %" PRIu64 "\n", chaos.steps);
		fclose(chaos.log);
		chaos.log = NULL;
	}
}

bool sched_chaos_tracemem(void)
{
	return trace_from != 0 && chaos.log;
}

void sched_chaos_note(struct task *t, enum chaos_kind kind, bool change, uint64_t rip,
		      uint64_t paddr, uint64_t vaddr, int size, bool write)
{
	if (!chaos.log)
		return;
	/* tracemem: the preempted task's first accesses once it runs again. */
	if (chaos_tracing && !change && t->tid == trace_tid && --trace_left <= 0)
		chaos_tracing = false;
	static const char *const kinds[] = {"mem", "syscall", "insn"};
	if (change)
		fprintf(chaos.log, "change %u step %" PRIu64 " ", chaos.next, chaos.steps);
	else
		fprintf(chaos.log, "access step %" PRIu64 " ", chaos.steps);
	fprintf(chaos.log,
		"tid %d kind %s rip 0x%" PRIx64 " addr 0x%" PRIx64 " va 0x%" PRIx64 " size %d %s",
		t->tid, kinds[kind], rip, paddr, vaddr, size, write ? "w" : "r");
	/* Where the instruction comes from, for file:line. */
	const struct vma *v = t->mm ? mm_find_vma(t->mm, rip) : NULL;
	if (v && v->name && v->name[0] && v->name[0] != '[') {
		/* The file's lowest mapping: its load address. */
		uint64_t base = v->start;
		for (size_t i = 0; i < t->mm->nvmas; i++)
			if (t->mm->vmas[i].name && !strcmp(t->mm->vmas[i].name, v->name)) {
				base = t->mm->vmas[i].start;
				break;
			}
		fprintf(chaos.log, " base 0x%" PRIx64 " file %s", base, v->name);
	}
	fputc('\n', chaos.log);
	fflush(chaos.log);
}
