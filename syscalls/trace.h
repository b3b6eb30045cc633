/* --trace: strace -f style lines for every task's syscalls, signals and
 * exits; --trace-only filters them, --summary counts them (strace -c). */
#ifndef SYSCALLS_TRACE_H
#define SYSCALLS_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

struct task;
struct ksiginfo;

extern FILE *trace_file;   /* NULL: no trace lines */
extern bool trace_json;    /* --trace-format=json */
extern bool trace_enabled; /* --trace or --summary: the hooks run */
extern unsigned trace_strsize; /* -s N */

/* Before the handler runs: print what is known at entry. */
void trace_syscall_enter(struct task *t, long nr, const uint64_t *a);
/* A syscall finished (or went to sleep, ret == -EKBLOCK). */
void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret);
/* A signal is taken for delivery (get_signal), or dropped as ignored. */
void trace_signal(struct task *t, const struct ksiginfo *info, bool dropped);
/* @t exits with wait status @status (do_exit). */
void trace_exit(struct task *t, int status);
/* "SIGUSR1" for signal 10, or NULL. */
const char *trace_signame(int sig);
/* The first program's execve, which no guest made. */
void trace_boot(struct task *t, const char *path, int argc, char *const *argv, int envc);

/* --trace-only=SET (strace's -e trace=SET): names and %classes, separated
 * by commas, all negated by a leading '!'. 0, or -1 with a message. */
int trace_only(const char *set, char *err, size_t errlen);
/* --summary: count calls; trace_summary_print writes strace -c's table. */
extern bool trace_summary;
void trace_summary_print(FILE *out);

#endif
