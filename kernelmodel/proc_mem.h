/* /proc/<pid>/mem (fs/proc/base.c's mem_open, mem_rw). */
#ifndef KERNELMODEL_PROC_MEM_H
#define KERNELMODEL_PROC_MEM_H

struct file;
struct task;

/* Open @target's memory for @t as @path: -EACCES without ptrace access
 * (attach, fs credentials), -ENOMEM, or 0 with the file in *@out. */
int proc_mem_open(struct task *t, struct task *target, const char *path, int flags,
		  struct file **out);

#endif
