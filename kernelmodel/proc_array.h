/* The lines of /proc/<pid>/status beyond ids and signals (fs/proc/array.c
 * and fs/proc/task_mmu.c task_mem): memory sizes from the task's VMAs and
 * resident pages, the queued-signal count against RLIMIT_SIGPENDING,
 * seccomp (never in use: seccomp is not modeled), the speculation
 * mitigations and memory nodes of the host (the guests run on its CPUs),
 * the task's CPU affinity, context switches (not counted: 0). */
#ifndef KERNELMODEL_PROC_ARRAY_H
#define KERNELMODEL_PROC_ARRAY_H

#include <stdio.h>

struct task;

/* Kthread, VmPeak .. VmSwap, HugetlbPages, CoreDumping, THP_enabled, untag_mask. */
void proc_task_mem(FILE *out, const struct task *t);
/* "SigQ:\t<queued>/<RLIMIT_SIGPENDING>". */
void proc_task_sigq(FILE *out, const struct task *t);
/* Seccomp .. nonvoluntary_ctxt_switches. */
void proc_task_tail(FILE *out, const struct task *t);
/* /proc/<pid>/limits (fs/proc/base.c proc_pid_limits), Linux's table. */
void proc_pid_limits(FILE *out, const struct task *t);
/* open of /proc/<pid>/oom_score_adj by @t: readable, writable with
 * Linux's rules (-1000..1000, lowering below the floor needs
 * CAP_SYS_RESOURCE). 0 with *@out or -errno. */
struct file;
int proc_oom_score_adj_open(struct task *t, struct task *target, int flags, struct file **out);

#endif
