/* Access to another process's memory and state (kernel/ptrace.c's
 * ptrace_may_access): who may read /proc/<pid>/mem, take a descriptor with
 * pidfd_getfd, or use process_vm_readv/writev. cloneemu does not model
 * ptrace(2) itself. */
#ifndef KERNELMODEL_PTRACE_H
#define KERNELMODEL_PTRACE_H

#include <stdbool.h>

struct task;

#define PTRACE_MODE_READ 0x01
#define PTRACE_MODE_ATTACH 0x02
#define PTRACE_MODE_FSCREDS 0x08   /* compare the caller's fs ids ... */
#define PTRACE_MODE_REALCREDS 0x10 /* ... or its real ids with the target's */

/* May @t inspect @p in @mode? Its own process always; CAP_SYS_PTRACE over
 * @p's user namespace; or the same ids on both sides (the caller's real or
 * fs ids against the target's real, effective and saved ones) and a
 * dumpable target. */
bool ptrace_may_access(const struct task *t, const struct task *p, unsigned mode);

#endif
