/* A GDB remote-protocol server for the emulated machine (--gdb PORT). */
#ifndef EMU_GDBSTUB_H
#define EMU_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

struct task;

enum { GDB_NONE = -1, GDB_CONTINUE, GDB_STEP, GDB_KILL, GDB_REVERSE_STEP, GDB_REVERSE_CONTINUE };

extern bool gdb_active;

/* Listen on 127.0.0.1:@port and wait for gdb. 0 or -errno. */
int gdb_listen(int port);
/* The machine stopped (SIGTRAP @sig 5: a breakpoint or a step; -1: report
 * nothing) with *@tp on the CPU, or an event is queued: serve gdb until it
 * resumes. @load puts another task's registers on the CPU when gdb looks
 * at it. A breakpoint of a process gdb does not debug, or of another
 * process than the one at that address, resumes at once (GDB_CONTINUE). */
int gdb_stopped(struct task **tp, int sig, void (*load)(struct task *));
/* How gdb resumed from a signal stop served inside deliver_signals
 * (GDB_STEP: *@tp is the task to step), GDB_NONE when there was none. */
int gdb_take_resume(struct task **tp);
/* A fork, vfork, exec or exit gdb must hear of is queued. */
bool gdb_event_pending(void);
/* The last slice ended on a watched write (queues its report). */
bool gdb_watch_hit(void);
/* The write watchpoints, read and put back (reverse execution replays
 * them with each stop). */
struct gdb_watch {
	int32_t pid;
	uint32_t len;
	uint64_t addr;
};
int gdb_watch_list(struct gdb_watch *out, int max);
void gdb_watch_set_list(const struct gdb_watch *w, int n);
/* The thread a single step is still due to report (blocked in a
 * syscall when it was stepped), 0 none. */
int gdb_stepping_tid(void);
/* gdb resumed only some processes (vCont;c:pPID.-1): @t's stays
 * stopped. gdb_holding: some task is held. */
bool gdb_holds(const struct task *t);
bool gdb_holding(void);
/* Nothing can run but held tasks: wait for gdb's ^C (a SIGINT stop), and
 * serve it until it resumes. */
void gdb_wait_interrupt(void (*load)(struct task *));
/* Every task exited with @status (shell style). */
void gdb_exited(int status);
bool gdb_breakpoint_at(uint64_t rip);
/* For reverse execution (emu/reverse.c): a stop reply with @note (e.g.
 * "replaylog:begin;") for @t; gdb's breakpoints, read and put back. */
void gdb_stop_note(struct task *t, const char *note);
int gdb_breakpoints(uint64_t *out, int max);
void gdb_set_breakpoint_list(const uint64_t *addrs, int n);

#endif
