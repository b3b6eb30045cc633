/* Reverse execution under gdb (reverse-stepi, reverse-step, reverse-next,
 * reverse-continue; gdb's bs and bc packets).
 *
 * A position in the run is a count of guest instructions (all tasks), kept
 * by a hook on every instruction (emu_set_insn_hook). Checkpoints are
 * forks of cloneemu (emu/checkpoint.c): one at every gdb stop and one every
 * so many instructions, at most so many alive. Going back to position K
 * resumes the latest checkpoint before K, which runs forward to K: the run
 * is deterministic given what came from outside (a recording, kernelmodel/
 * rr.c, kept in memory, replayed by the resumed checkpoint: files are not
 * read again, output is not written again) and how gdb resumed at every
 * stop (the stop log here, replayed too). The process that was ahead
 * exits; the resumed one takes over gdb's connection. */
#ifndef EMU_REVERSE_H
#define EMU_REVERSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

/* --gdb, and CLONEEMU_REVERSE is not "off": qSupported offers
 * ReverseStep and ReverseContinue. */
extern bool reverse_enabled;

/* CLONEEMU_REVERSE="interval=N,max=M" or "off"; 0, or -1 with a message. */
int reverse_configure(const char *opts);

/* gdb_stopped's body under reverse execution: @serve talks to gdb. Takes
 * a checkpoint, records the resumption; in a resumed checkpoint that has
 * not reached its target yet, replays it instead. */
int reverse_gdb_stopped(struct task **tp, int sig, void (*load)(struct task *),
			int (*serve)(struct task **, int, void (*)(struct task *)));

/* gdb wrote registers or memory: the history before cannot be replayed
 * (reverse execution starts again from here). */
void reverse_wrote(void);
/* A resumed checkpoint is running forward to its target: gdb stops are
 * replayed from the log, not reported. */
bool reverse_replaying(void);

/* ---- for emu/checkpoint.c ---- */

/* One gdb stop of the run: where, and how gdb resumed (the breakpoints it
 * had inserted then). */
#define REVERSE_MAX_BP 64
#define REVERSE_MAX_WATCH 16
struct stop_rec {
	uint64_t icount;
	int32_t tid_in, what, tid_out, nbp, nwatch;
	uint64_t bp[REVERSE_MAX_BP];
	struct {
		int32_t pid;
		uint32_t len;
		uint64_t addr;
	} watch[REVERSE_MAX_WATCH];
};

/* What a checkpoint is asked to do. */
enum { CK_RESUME = 1, CK_SCAN, CK_DIE };
#define CK_BEGIN 1 /* flags: the target is the beginning of the history */
struct ck_msg {
	int32_t op, flags, tid, nbp;
	uint64_t target; /* RESUME: stop there; SCAN: scan up to there */
	uint64_t nrec;   /* stop records that follow, from the checkpoint's own
			  * count, and one more: gdb's watchpoints now */
	uint64_t watch;  /* RESUME: the target is a write to this watchpoint */
	int32_t from;    /* the sender's pid (ckpt_send fills it in) */
	int32_t pad;
};
/* found: 0 nothing, 1 a breakpoint hit, 2 a watched write (@watch: the
 * watchpoint), -1 the scan failed; @icount: where the instruction began. */
struct scan_result {
	int32_t found, tid;
	uint64_t icount, watch;
};

/* Called by a checkpoint's fork that is to run forward: the request. */
void reverse_take_request(const struct ck_msg *m, const struct stop_rec *recs,
			  const uint64_t *bps);
uint64_t reverse_icount(void);
size_t reverse_nlog(void);

#endif
