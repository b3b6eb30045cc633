/* A GDB remote-protocol server for the emulated machine (--gdb PORT). */
#ifndef EMU_GDBSTUB_H
#define EMU_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

struct task;

enum { GDB_CONTINUE, GDB_STEP, GDB_KILL };

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

#endif
