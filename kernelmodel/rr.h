/* Record and replay (--record FILE, --replay FILE). Everything that reaches
 * the guests from outside the model goes through here: results and output
 * bytes of host calls (files, stdin, stat, readlink, randomness, host
 * readiness for the scheduler) and the start-up facts (AT_RANDOM, the
 * wall-clock base, the seed). Recording logs them; replaying feeds them
 * back without calling the host, so a replayed run sees the same world
 * (stdin closed, files changed or gone) and makes the same syscalls, which
 * are checked one by one: the first difference is reported as divergence.
 * The log is a stream of records: a tag byte, a length, and the bytes. */
#ifndef KERNELMODEL_RR_H
#define KERNELMODEL_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iovec;

extern bool rr_recording, rr_replaying;

#define EXIT_DIVERGED 124 /* cloneemu's status when a replay diverges */

int rr_start_record(const char *path);
int rr_start_replay(const char *path);
void rr_finish(void);

/* A host call's result: recorded, or in replay taken from the log (the
 * call is not made). Use: r = rr_replaying ? rr_value() : rr_note(host()). */
long rr_note(long value);
long rr_value(void);
/* Bytes a host call produced into @buf (@len of them): recorded, or in
 * replay written into @buf from the log. */
void rr_bytes(void *buf, size_t len);
/* The same for bytes scattered over @iov (the first @len bytes). */
void rr_iov(const struct iovec *iov, int n, size_t len);
/* A host call as the model uses it (value or -errno), recorded or replayed:
 * in replay @expr is not evaluated. */
static inline long rr_sys_ret(long r)
{
	extern int *__errno_location(void);
	return r < 0 ? -*__errno_location() : r;
}
#define RR_SYS(expr) (rr_replaying ? rr_value() : rr_note(rr_sys_ret((long)(expr))))

/* Every syscall: recorded as (tid, nr, pc, args), or checked against the
 * log; a difference ends the replay naming both. */
void rr_syscall(int tid, long nr, uint64_t pc, const uint64_t args[6]);
/* Names syscalls in divergence reports (set by the syscall layer). */
extern const char *(*rr_syscall_name)(long nr);

/* An executable or interpreter the loader read at @path: its result @ret
 * (0 or -errno) and, loaded, a hash of its @size bytes. Recorded; in a
 * replay a file that failed to load then fails the same way (its recorded
 * -errno is returned), and one that loaded must load now with the same
 * contents, or the replay is refused (exit EXIT_DIVERGED) naming the file.
 * Returns the result to use. */
long rr_image(const char *path, long ret, const void *bytes, size_t size);

/* A signal from outside delivered at a scheduler step: @rec (its first
 * element the step) is recorded. In a replay, rr_signal_next fills @rec
 * with the next recorded one when it belongs to @step. */
void rr_signal(const int64_t *rec, size_t len);
bool rr_signal_next(uint64_t step, int64_t *rec, size_t len);
/* Is the next record a signal from outside (a replay waiting for one)? */
bool rr_signal_ahead(void);

/* Reverse execution (emu/reverse.c) keeps a recording of its own in
 * memory (a memfd) when none was asked for; checkpoints are forks, so a
 * position in the log is where a resumed checkpoint replays from. */
int rr_start_memory(void);
/* The log's position (flushed), -1 without a log. */
long rr_position(void);
/* After a fork: a file description of this process's own over the same
 * log, at @pos, replaying (@replay) or recording. 0 or -1. */
int rr_reopen(long pos, bool replay);
/* A replay reached its target: cut the log here and record from now on.
 * 0 or -1 (not replaying). */
int rr_resume_recording(void);

#endif
