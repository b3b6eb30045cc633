/* A GDB remote-protocol server for the emulated machine (--gdb PORT). */
#ifndef EMU_GDBSTUB_H
#define EMU_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

struct task;

enum { GDB_CONTINUE, GDB_STEP, GDB_KILL, GDB_REVERSE_STEP, GDB_REVERSE_CONTINUE };

extern bool gdb_active;

/* Listen on 127.0.0.1:@port and wait for gdb. 0 or -errno. */
int gdb_listen(int port);
/* The machine stopped (signal @sig, -1: report nothing) with *@tp on the
 * CPU: serve gdb until it resumes. @load puts another task's registers on
 * the CPU when gdb looks at it. */
int gdb_stopped(struct task **tp, int sig, void (*load)(struct task *));
/* Every task exited with @status (shell style). */
void gdb_exited(int status);
bool gdb_breakpoint_at(uint64_t rip);
/* For reverse execution (emu/reverse.c): a stop reply with @note (e.g.
 * "replaylog:begin;") for @t; gdb's breakpoints, read and put back. */
void gdb_stop_note(struct task *t, const char *note);
int gdb_breakpoints(uint64_t *out, int max);
void gdb_set_breakpoint_list(const uint64_t *addrs, int n);

#endif
