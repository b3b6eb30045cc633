/* Inspection of the modeled kernel: every task of the run, the objects
 * live tasks share, and the pipes and sockets between tasks. */
#ifndef EMU_INSPECT_H
#define EMU_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct task;

/* Every task of the run in creation order (the live ones with their state,
 * what a sleeping one waits on and the objects it holds; the others with
 * their exit status), the mm, files, fs, sighand, signal and nsproxy
 * objects with reference counts and holders, copy-on-write figures, and
 * the pipes and sockets data went through from one task to another and
 * whose ends live processes hold. Without --inspect, --graph or
 * --timeline (no record of the run) the live tasks only. */
void inspect_print(FILE *out);
/* The same as a Graphviz digraph (render with dot -Tsvg): a box per task
 * labeled with tid, comm and state or exit status, a cluster per thread
 * group, dashed edges to the parent process, edges for the data between
 * tasks (pipe:[ino], socket:[ino]) and dotted ones between processes that
 * hold the two ends of one. */
void inspect_dot(FILE *out);

/* The syscall hook: @t's call @nr returned @ret > 0; count data through
 * pipes and sockets. */
void inspect_note_io(struct task *t, long nr, const uint64_t *a, long ret);
/* What sleeping task @t waits on ("read on fd 3, pipe:[5] read end",
 * "futex word 0x4c70 (FUTEX_WAIT_PRIVATE)"); "" when it does not sleep. */
void inspect_describe_wait(struct task *t, char *out, size_t len);

enum { IO_PIPE, IO_SOCKET };
struct io_rec {
	int kind;      /* IO_PIPE, IO_SOCKET */
	int dir;       /* 1: wrote (sent), 0: read (received) */
	uint64_t ino;  /* the pipe; the socket that received (or a send reaches) */
	uint32_t obs;  /* the task (emu/observe.h) */
	uint64_t bytes;
};
const struct io_rec *inspect_io_records(size_t *n);
/* Call @fn for each pipe end and socket in the descriptor tables of live
 * tasks (one task per shared table). */
void inspect_held_ends(void (*fn)(void *ctx, const struct task *t, int fd, int kind, uint64_t ino,
				  uint64_t peer, bool write_end),
		       void *ctx);

#endif
