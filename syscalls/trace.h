/* --trace: one strace -f style line per syscall and task. */
#ifndef SYSCALLS_TRACE_H
#define SYSCALLS_TRACE_H

#include <stdio.h>
#include <stdint.h>

struct task;

extern FILE *trace_file; /* NULL: tracing off */

/* A syscall finished (or went to sleep, ret == -EKBLOCK). */
void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret);

#endif
