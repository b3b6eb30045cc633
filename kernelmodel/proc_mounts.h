/* /proc/<pid>/{mounts,mountinfo,mountstats}: see proc_mounts.c. */
#ifndef KERNELMODEL_PROC_MOUNTS_H
#define KERNELMODEL_PROC_MOUNTS_H

#include <stdio.h>

struct task;

/* Writes @which ("mounts", "mountinfo" or "mountstats") as @target sees
 * it to @out: the host's table, mount points relative to the task's root,
 * mounts outside it left out. 0 or -ENOENT. */
int proc_mounts_show(const struct task *target, const char *which, FILE *out);

#endif
