/* Checkpoints of the whole machine for reverse execution: forks of
 * cloneemu, each paused on a pipe until it is asked to run forward again
 * (emu/reverse.h says what for). cloneemu is single-threaded, and its
 * guest memory is a private anonymous mapping (kernelmodel/frame.c), so a
 * fork is a copy-on-write copy of the machine: CPU contexts, Unicorn's
 * state, the model, the recording's position.
 *
 * The process cloneemu was started as becomes a supervisor that runs no
 * guest code: it stays the parent the shell waits for, forwards SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT to whichever process currently runs the
 * machine, and when that one exits, ends the checkpoints, reaps everything
 * (it is a child subreaper) and exits as the last one did. Checkpoints exit
 * when it does. */
#ifndef EMU_CHECKPOINT_H
#define EMU_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ck_msg;
struct stop_rec;
struct scan_result;

struct ckpt {
	uint64_t icount; /* instructions executed when it was taken */
	pid_t pid;
	int req;         /* its request pipe (write end) */
	size_t nlog;     /* stop records before it */
	long rr_pos;     /* the recording's position */
	bool at_stop;    /* taken at a gdb stop ... */
	int stop_tid;    /* ... of this thread */
};

/* Become the supervisor's child (the supervisor never returns from here).
 * 0, or -1 when this host does not allow it (nothing changed then). */
int ckpt_init(void);
/* Take a checkpoint (at most @max alive: one is dropped where they lie
 * closest together). Returns at once in the running process; in a fork of
 * the checkpoint asked to run forward, returns after reverse_take_request. */
void ckpt_take(uint64_t icount, size_t nlog, bool at_stop, int tid, int max);
int ckpt_count(void);
const struct ckpt *ckpt_get(int i);
/* Send a request to checkpoint @i (@now: gdb's watchpoints at present).
 * 0, or -1 when it is gone. */
int ckpt_send(int i, const struct ck_msg *m, const struct stop_rec *recs,
	      const struct stop_rec *now, const uint64_t *bps);
/* Checkpoints @i and later: told to exit, forgotten. */
void ckpt_drop_from(int i);
/* Tell the supervisor: this process hands the machine over (before the
 * request), or runs it now. */
void ckpt_handover(void);
void ckpt_now_live(void);
/* The answer to a request to checkpoint @i (a scan's, or 3: a resumed
 * fork runs), 0; -1 when the checkpoint exited instead. */
int ckpt_wait(int i, struct scan_result *r);
/* A scan gives its answer (and exits). */
void ckpt_scan_answer(const struct scan_result *r);

#endif
