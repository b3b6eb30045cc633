/* Shared between the gdb stub's files: gdbstub.c (the command loop,
 * threads and resuming), gdb_regs.c (registers, memory), gdb_packets.c
 * (packet I/O, hex, signal numbers, the target description) and
 * gdb_target.c (events, watchpoints, host I/O). */
#ifndef EMU_GDB_INTERNAL_H
#define EMU_GDB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

/* ---- gdb_packets.c ---- */
extern int gdb_fd;
void gdb_send(const char *data);
/* A reply that may hold any byte (host I/O data): escaped as the protocol says. */
void gdb_send_bin(const char *head, const uint8_t *data, size_t len);
/* The next packet's payload (NUL-terminated, static) or NULL when gdb is gone. */
char *gdb_recv(void);
void gdb_put_hex(char *out, const uint8_t *bytes, size_t n);
size_t gdb_get_hex(const char *in, uint8_t *bytes, size_t max);
int gdb_hexval(int c);
/* Linux signal numbers <-> gdb's own (GDB_SIGNAL_*): they differ past 15. */
int gdb_sig_from_linux(int sig);
int gdb_sig_to_linux(int gsig);
/* qXfer:features:read:target.xml:OFF,LEN into @out. */
void gdb_xfer_tdesc(const char *annex_args, char *out, size_t size);

/* ---- gdb_target.c ---- */
struct gdb_event {
	enum { EV_NONE, EV_FORK, EV_VFORK, EV_VFORKDONE, EV_EXEC, EV_EXIT, EV_WATCH } kind;
	int pid, tid;        /* the thread that stops (EV_EXIT: the process) */
	int child_pid;       /* EV_FORK, EV_VFORK */
	int status;          /* EV_EXIT: the wait status */
	uint64_t addr;       /* EV_WATCH */
	char path[4096];     /* EV_EXEC */
};
/* Events waiting to be reported, oldest first. */
bool gdb_event_peek(struct gdb_event *ev);
void gdb_event_pop(void);
/* Install the model's hooks (fork, exec, exit, signals). */
void gdb_target_init(void);
/* Watchpoints on writes (Z2): 0, or -1 when none is left / too many. */
int gdb_watch_add(int pid, uint64_t addr, uint64_t len);
int gdb_watch_del(int pid, uint64_t addr, uint64_t len);
void gdb_watch_clear(int pid);
/* vFile:... host I/O; replies itself. */
void gdb_vfile(const char *p, struct task *cur);

/* ---- gdb_regs.c ---- */
void gdb_regs_packet(char op, const char *p, char *out);
void gdb_mem_packet(char op, const char *p, char *out);

/* ---- gdbstub.c ---- */
/* The task Hg selected, its registers on the CPU (NULL: none). */
struct task *gdb_sel_task(void);
/* Is @t's process one gdb debugs (always, without multiprocess)? */
bool gdb_attached(const struct task *t);
/* Add or drop a process from those gdb debugs. */
void gdb_attach(int pid);
void gdb_detach_pid(int pid);
extern bool gdb_multi, gdb_fork_events, gdb_vfork_events, gdb_exec_events;
/* Drop @pid's breakpoints (exec replaced its image; detached). */
void gdb_bp_clear(int pid);
/* A signal gdb passes without stopping (QPassSignals), by Linux number. */
bool gdb_sig_passed(int sig);
/* Serve a stop of @t for signal @sig: returns the signal to deliver
 * (0: none) and leaves the resume for gdb_take_resume. */
int gdb_signal_stop(struct task *t, int sig);

#endif
