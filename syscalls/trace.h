/* --trace: one strace -f style line per syscall and task. */
#ifndef SYSCALLS_TRACE_H
#define SYSCALLS_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

struct task;

extern FILE *trace_file; /* NULL: tracing off */
extern bool trace_json;  /* --trace-format=json */

/* Before the handler runs: capture the arguments. */
void trace_syscall_enter(struct task *t, long nr, const uint64_t *a);
/* A syscall finished (or went to sleep, ret == -EKBLOCK). */
void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret);

#endif
