/* /proc/sys/kernel entries the model answers itself (kernel/sysctl.c,
 * kernel/utsname_sysctl.c), so no guest reads the host's view or writes
 * the host's settings: hostname and domainname of the task's UTS
 * namespace (writable as sethostname/setdomainname are), and pid_max,
 * threads-max (the model's own limits), ngroups_max, overflowuid,
 * overflowgid (read-only here: opening them for writing is EACCES). */
#ifndef KERNELMODEL_SYSCTL_KERNEL_H
#define KERNELMODEL_SYSCTL_KERNEL_H

struct file;
struct task;

/* open of @path: 1 with *@out, -errno, or 0 when it is not one of ours. */
int kernel_sysctl_open(struct task *t, const char *path, int flags, struct file **out);

#endif
