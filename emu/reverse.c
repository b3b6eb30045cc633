/* Reverse execution under gdb (see reverse.h). */
#include "emu/reverse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unicorn/unicorn.h>

#include "emu/checkpoint.h"
#include "emu/cpu.h"
#include "emu/gdbstub.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

#define DEFAULT_INTERVAL 1000000ull
#define DEFAULT_MAX_CKPT 32
#define LAST_SLOTS 4096

bool reverse_enabled;

static struct {
	bool started, on, off_by_user;
	bool replaying, scanning;   /* a resumed checkpoint before its target */
	bool base_recording;        /* the recording is ours: cut it at the target */
	uint64_t icount;            /* guest instructions executed */
	uint64_t interval, next_ckpt;
	int max_ckpt;
	/* The target of a replay, or the end of a scan. */
	uint64_t target;
	int target_tid;             /* 0: any */
	bool target_begin;
	uint64_t target_watch;      /* the target is a write to this watchpoint */
	bool missed_warned, diverged_warned;
	uint64_t bps[REVERSE_MAX_BP]; /* gdb's breakpoints at the target; a scan's */
	int nbp;
	struct scan_result found;
	bool answered;
	struct stop_rec now;        /* gdb's watchpoints at the target */
	/* The stop log: every gdb stop of this run's timeline. */
	struct stop_rec *log;
	size_t nlog, cap, replay_at;
	bool stop_ckpt_taken;
	uint64_t stop_ckpt_icount;
	struct last *cur;           /* the running thread's slot (if its tid matches) */
	/* Each thread's last instruction: where reverse-stepi goes. */
	struct last {
		int tid;
		uint64_t at, prev;
	} last[LAST_SLOTS];
} rv = {.interval = DEFAULT_INTERVAL, .max_ckpt = DEFAULT_MAX_CKPT};

int reverse_configure(const char *opts)
{
	char buf[128];
	if (!opts)
		return 0;
	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *save, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *end;
		if (!strcmp(o, "off"))
			rv.off_by_user = true;
		else if (!strncmp(o, "interval=", 9) && (rv.interval = strtoull(o + 9, &end, 10)) &&
			 !*end)
			continue;
		else if (!strncmp(o, "max=", 4) && (rv.max_ckpt = (int)strtol(o + 4, &end, 10)) >= 3 &&
			 !*end)
			continue;
		else {
			fprintf(stderr, "cloneemu: CLONEEMU_REVERSE: %s? (off, interval=N, max=M>=3)\n", o);
			return -1;
		}
	}
	return 0;
}

uint64_t reverse_icount(void)
{
	return rv.icount;
}

/* Stop records of the timeline so far (in a replay: those replayed). */
size_t reverse_nlog(void)
{
	return rv.replaying || rv.scanning ? rv.replay_at : rv.nlog;
}

/* ---- each thread's last instruction ---- */

static struct last *last_slot(int tid, bool add)
{
	for (unsigned i = 0, h = (unsigned)tid * 2654435761u; i < LAST_SLOTS; i++) {
		struct last *l = &rv.last[(h + i) % LAST_SLOTS];
		if (l->tid == tid)
			return l;
		if (!l->tid) {
			if (!add)
				return NULL;
			l->tid = tid;
			l->at = l->prev = UINT64_MAX;
			return l;
		}
	}
	return add ? &rv.last[(unsigned)tid % LAST_SLOTS] : NULL; /* full: reuse */
}

/* ---- the instruction hook ---- */

static void scan_done(void)
{
	if (!rv.answered) {
		rv.answered = true;
		ckpt_scan_answer(&rv.found);
	}
	_exit(0);
}

static void scan_atexit(void)
{
	if (!rv.answered) { /* the replay failed (diverged): say so */
		rv.found.found = -1;
		rv.answered = true;
		ckpt_scan_answer(&rv.found);
	}
}

static bool in_bps(uint64_t a)
{
	for (int i = 0; i < rv.nbp; i++)
		if (rv.bps[i] == a)
			return true;
	return false;
}

static bool on_insn(struct task *t, uint64_t addr)
{
	if (!rv.on || !t)
		return false;
	if (rv.scanning) {
		if (rv.icount >= rv.target)
			scan_done();
		if (in_bps(addr))
			rv.found = (struct scan_result){1, t->tid, rv.icount, 0};
	} else if (rv.icount >= rv.next_ckpt) {
		/* Every interval, or every max-th of the run so far when
		 * that is longer: a long run forks O(max log(run)) times,
		 * not run/interval (a fork copies the page tables). */
		uint64_t step = rv.icount / (uint64_t)rv.max_ckpt;
		rv.next_ckpt = rv.icount + (step > rv.interval ? step : rv.interval);
		ckpt_take(rv.icount, reverse_nlog(), false, t->tid, rv.max_ckpt);
	}
	/* (A checkpoint resumed just now may stop right here.) */
	if (rv.replaying && !rv.scanning &&
	    (rv.icount > rv.target ||
	     (rv.icount == rv.target && (!rv.target_tid || t->tid == rv.target_tid)))) {
		if (rv.icount > rv.target && !rv.missed_warned) {
			rv.missed_warned = true;
			fprintf(stderr, "cloneemu: reverse: thread %d never ran at instruction %llu; "
				"stopped at %llu\n", rv.target_tid, (unsigned long long)rv.target,
				(unsigned long long)rv.icount);
		}
		return true; /* stop before it, not counted */
	}
	struct last *l = rv.cur; /* a lookup per instruction cost as much as the hook */
	if (!l || l->tid != t->tid)
		l = rv.cur = last_slot(t->tid, true);
	l->prev = l->at;
	l->at = rv.icount++;
	return false;
}

static void on_uncount(struct task *t)
{
	struct last *l = last_slot(t->tid, false);
	if (!rv.on || !rv.icount)
		return;
	rv.icount--;
	if (l && l->at == rv.icount)
		l->at = l->prev;
}

/* ---- the stop log ---- */

static int log_reserve(size_t n)
{
	if (n <= rv.cap)
		return 0;
	size_t cap = rv.cap ? rv.cap : 64;
	while (cap < n)
		cap *= 2;
	struct stop_rec *l = realloc(rv.log, cap * sizeof(*l));
	if (!l)
		return -1;
	rv.log = l;
	rv.cap = cap;
	return 0;
}

static void log_append(int tid_in, int what, int tid_out)
{
	if (log_reserve(rv.nlog + 1))
		return;
	struct stop_rec *r = &rv.log[rv.nlog++];
	memset(r, 0, sizeof(*r));
	r->icount = rv.icount;
	r->tid_in = tid_in;
	r->what = what;
	r->tid_out = tid_out;
	r->nbp = gdb_breakpoints(r->bp, REVERSE_MAX_BP);
	r->nwatch = gdb_watch_list((struct gdb_watch *)r->watch, REVERSE_MAX_WATCH);
}

/* Replay how gdb resumed from this stop. */
static int replay_pop(struct task **tp)
{
	if (rv.replay_at >= rv.nlog)
		return -1;
	struct stop_rec *r = &rv.log[rv.replay_at++];
	if ((r->icount != rv.icount || (*tp && r->tid_in != (*tp)->tid)) && !rv.diverged_warned) {
		rv.diverged_warned = true;
		fprintf(stderr, "cloneemu: reverse: the replay diverged: a stop of thread %d at "
			"instruction %llu, recorded: thread %d at %llu\n", *tp ? (*tp)->tid : 0,
			(unsigned long long)rv.icount, r->tid_in, (unsigned long long)r->icount);
	}
	emu_set_breakpoints(r->bp, r->nbp);
	gdb_watch_set_list((const struct gdb_watch *)r->watch, r->nwatch);
	struct task *x = task_find(r->tid_out);
	if (x && task_is_alive(x))
		*tp = x;
	return r->what;
}

/* In a scan: a write (@paddr physical) to one of gdb's watchpoints now. */
static void scan_write(uc_engine *uc, uc_mem_type type, uint64_t paddr, int size, int64_t value,
		       void *user)
{
	struct task *t = emu_current_task();
	if (!t)
		return;
	uint64_t off = paddr & ~PAGE_MASK, va = 0;
	for (int i = 0; i < rv.now.nwatch; i++) {
		uint64_t a = rv.now.watch[i].addr, len = rv.now.watch[i].len;
		if (rv.now.watch[i].pid && rv.now.watch[i].pid != t->tgid)
			continue;
		/* The page offsets overlap (cheap) before the decode. */
		uint64_t woff = a & ~PAGE_MASK, wend = woff + len, end = off + (uint64_t)size;
		if (!(off < wend && woff < end) && !(wend > PAGE_SIZE && off < wend - PAGE_SIZE) &&
		    !(end > PAGE_SIZE && woff < end - PAGE_SIZE))
			continue;
		if (!va)
			va = emu_mem_operand(t, emu_reg_read(EREG_RIP), off);
		if (!va || va + (uint64_t)size <= a || va >= a + len)
			continue;
		struct last *l = last_slot(t->tid, false);
		if (l && l->at != UINT64_MAX)
			rv.found = (struct scan_result){2, t->tid, l->at, a};
		return;
	}
}

void reverse_take_request(const struct ck_msg *m, const struct stop_rec *recs,
			  const uint64_t *bps)
{
	size_t at = reverse_nlog();
	if (log_reserve(at + m->nrec)) {
		fprintf(stderr, "cloneemu: reverse: out of memory\n");
		_exit(1);
	}
	memcpy(rv.log + at, recs, m->nrec * sizeof(*recs));
	rv.now = recs[m->nrec];
	rv.nlog = at + m->nrec;
	rv.replay_at = at;
	rv.replaying = true;
	rv.scanning = m->op == CK_SCAN;
	rv.target = m->target;
	rv.target_tid = m->tid;
	rv.target_begin = m->flags & CK_BEGIN;
	rv.target_watch = m->watch;
	rv.nbp = m->nbp;
	memcpy(rv.bps, bps, (size_t)m->nbp * sizeof(*bps));
	rv.missed_warned = rv.diverged_warned = false;
	rv.stop_ckpt_taken = false;
	if (rv.scanning) {
		rv.found = (struct scan_result){0, 0, 0, 0};
		rv.answered = false;
		atexit(scan_atexit);
		uc_hook h; /* writes to gdb's watchpoints now (not the replayed ones) */
		if (rv.now.nwatch)
			uc_hook_add(emu_engine(), &h, UC_HOOK_MEM_WRITE, scan_write, NULL, 1, 0);
	}
}

/* The target is reached: this process is the machine from now on. */
static void become_live(struct task *t)
{
	if (rv.base_recording && rr_resume_recording())
		fprintf(stderr, "cloneemu: reverse: cannot go on recording\n");
	rv.nlog = rv.replay_at;
	rv.replaying = false;
	gdb_set_breakpoint_list(rv.bps, rv.nbp);
	gdb_watch_set_list((const struct gdb_watch *)rv.now.watch, rv.now.nwatch);
	char note[48] = "";
	if (rv.target_begin)
		snprintf(note, sizeof(note), "replaylog:begin;");
	else if (rv.target_watch)
		snprintf(note, sizeof(note), "watch:%llx;", (unsigned long long)rv.target_watch);
	gdb_stop_note(t, note);
}

/* ---- going back ---- */

/* Resume the machine at instruction @target (thread @tid's next, 0: any
 * thread's): the checkpoint to start from runs forward to it and takes
 * over; this process exits. Returns only when no checkpoint could. */
static void go_to(uint64_t target, int tid, int flags, uint64_t watch)
{
	int j = -1;
	for (int i = ckpt_count() - 1; i >= 0 && j < 0; i--) {
		const struct ckpt *c = ckpt_get(i);
		if (c->icount == target && c->at_stop && (!tid || c->stop_tid == tid))
			j = i;
	}
	if (j < 0)
		for (j = ckpt_count() - 1; j > 0 && ckpt_get(j)->icount >= target; j--)
			;
	struct ck_msg m = {.op = CK_RESUME, .flags = flags, .tid = tid, .target = target,
			   .watch = watch};
	struct stop_rec cur;
	memset(&cur, 0, sizeof(cur));
	cur.nwatch = gdb_watch_list((struct gdb_watch *)cur.watch, REVERSE_MAX_WATCH);
	m.nbp = gdb_breakpoints(rv.bps, REVERSE_MAX_BP);
	ckpt_handover();
	for (; j >= 0; j--) {
		const struct ckpt *c = ckpt_get(j);
		if (c->icount > target)
			continue;
		m.nrec = rv.nlog - c->nlog;
		struct scan_result ack;
		if (!ckpt_send(j, &m, rv.log + c->nlog, &cur, rv.bps) && !ckpt_wait(j, &ack) &&
		    ack.found == 3) {
			ckpt_drop_from(j + 1);
			fflush(NULL);
			_exit(0);
		}
	}
	ckpt_now_live();
}

/* The last hit of a breakpoint, or write to a watchpoint, before now:
 * scans forward from the checkpoints, newest first. */
static bool last_hit(uint64_t now, uint64_t *at, int *tid, uint64_t *watch)
{
	uint64_t end = now;
	struct ck_msg m = {.op = CK_SCAN};
	struct stop_rec cur;
	memset(&cur, 0, sizeof(cur));
	cur.nwatch = gdb_watch_list((struct gdb_watch *)cur.watch, REVERSE_MAX_WATCH);
	m.nbp = gdb_breakpoints(rv.bps, REVERSE_MAX_BP);
	if (!m.nbp && !cur.nwatch)
		return false;
	for (int j = ckpt_count() - 1; j >= 0; j--) {
		const struct ckpt *c = ckpt_get(j);
		struct scan_result r;
		if (c->icount >= end)
			continue;
		m.target = end;
		m.nrec = rv.nlog - c->nlog;
		if (ckpt_send(j, &m, rv.log + c->nlog, &cur, rv.bps) || ckpt_wait(j, &r))
			continue; /* gone (or going): the one before scans further */
		if (r.found < 0 || r.found > 2) {
			fprintf(stderr, "cloneemu: reverse: a scan from instruction %llu failed\n",
				(unsigned long long)c->icount);
			return false;
		}
		if (r.found) {
			*at = r.icount;
			*tid = r.tid;
			*watch = r.found == 2 ? r.watch : 0;
			return true;
		}
		end = c->icount;
	}
	return false;
}

static void go_back(int what, struct task *t)
{
	uint64_t target, watch = 0;
	int tid = 0;
	if (what == GDB_REVERSE_STEP) {
		struct last *l = t ? last_slot(t->tid, false) : NULL;
		const struct ckpt *first = ckpt_get(0);
		if (l && l->at != UINT64_MAX && first && l->at >= first->icount)
			go_to(l->at, t->tid, 0, 0);
	} else if (last_hit(rv.icount, &target, &tid, &watch)) {
		go_to(target, tid, 0, watch);
	} else if (ckpt_get(0) && ckpt_get(0)->icount < rv.icount) {
		go_to(ckpt_get(0)->icount, 0, CK_BEGIN, 0);
	}
	gdb_stop_note(t, "replaylog:begin;"); /* nothing before: stay */
}

/* gdb wrote registers or memory: what came before cannot be replayed. */
static void forget_history(void)
{
	ckpt_drop_from(0);
	rv.nlog = 0;
	memset(rv.last, 0, sizeof(rv.last));
	rv.next_ckpt = rv.icount;
	rv.stop_ckpt_taken = false;
}

static void start(void)
{
	rv.started = true;
	if (reverse_configure(getenv("CLONEEMU_REVERSE")) || rv.off_by_user)
		return;
	if (!rr_recording && !rr_replaying && rr_start_memory()) {
		fprintf(stderr, "cloneemu: reverse execution off: no in-memory recording\n");
		return;
	}
	rv.base_recording = rr_recording;
	if (ckpt_init()) {
		fprintf(stderr, "cloneemu: reverse execution off: cannot fork checkpoints\n");
		return;
	}
	if (emu_set_insn_hook(on_insn, on_uncount))
		return;
	rv.next_ckpt = rv.interval;
	rv.on = reverse_enabled = true;
}

int reverse_gdb_stopped(struct task **tp, int sig, void (*load)(struct task *),
			int (*serve)(struct task **, int, void (*)(struct task *)))
{
	if (!rv.started)
		start();
	if (!rv.on)
		return serve(tp, sig, load);
	int tid_in = *tp ? (*tp)->tid : 0;
	if (!rv.replaying && (!rv.stop_ckpt_taken || rv.stop_ckpt_icount != rv.icount)) {
		rv.stop_ckpt_taken = true;
		rv.stop_ckpt_icount = rv.icount;
		ckpt_take(rv.icount, reverse_nlog(), true, tid_in, rv.max_ckpt);
	}
	if (rv.scanning) {
		if (rv.icount >= rv.target)
			scan_done();
		int what = replay_pop(tp);
		if (what < 0)
			scan_done();
		return what;
	}
	if (rv.replaying) {
		if (rv.icount < rv.target || (rv.icount == rv.target && rv.target_tid && tid_in &&
					      tid_in != rv.target_tid)) {
			int what = replay_pop(tp);
			if (what >= 0)
				return what;
			fprintf(stderr, "cloneemu: reverse: the stop log ended before instruction "
				"%llu\n", (unsigned long long)rv.target);
		}
		become_live(*tp);
		sig = -1;
	}
	for (;;) {
		int what = serve(tp, sig, load);
		if (what == GDB_REVERSE_STEP || what == GDB_REVERSE_CONTINUE) {
			go_back(what, *tp);
			sig = -1;
			continue;
		}
		if (!gdb_active) { /* detached, or gone: no more going back */
			forget_history();
			rv.on = false;
			return what;
		}
		log_append(tid_in, what, *tp ? (*tp)->tid : 0);
		return what;
	}
}

void reverse_wrote(void)
{
	if (rv.on)
		forget_history();
}

bool reverse_replaying(void)
{
	return rv.on && rv.replaying;
}

_Static_assert(sizeof(((struct stop_rec *)0)->watch[0]) == sizeof(struct gdb_watch),
	       "stop_rec's watchpoints are gdb_watch_list's");
