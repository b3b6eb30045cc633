/* The per-task settings of prctl(2) that are not about credentials
 * (kernel/sys.c; the capability options are cred.c's cap_task_prctl) and
 * personality(2) (kernel/exec_domain.c), with what fork and execve do to
 * them. They are reported back as Linux reports them; what they change:
 *   - ADDR_NO_RANDOMIZE: the next execve lays the image out unrandomized
 *     (as --seed 0 does);
 *   - READ_IMPLIES_EXEC: PROT_READ mappings get PROT_EXEC (x86_64's
 *     execve clears it again);
 *   - PER_LINUX32 and UNAME26: uname's machine and release;
 *   - dumpability: set by execve and credential changes (fs.suid_dumpable).
 * The timer slack, machine-check policy, I/O flusher flag and THP setting
 * are stored and inherited only (the model has no timers to coalesce, no
 * machine checks, no block layer, no huge pages). */
#ifndef KERNELMODEL_PRCTL_H
#define KERNELMODEL_PRCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/personality.h> /* PER_*, ADDR_NO_RANDOMIZE, ... */

struct task;

#define PER_CLEAR_ON_SETID (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE | ADDR_COMPAT_LAYOUT | MMAP_PAGE_ZERO)

/* The first task: cloneemu's own personality and timer slack (recorded). */
void prctl_init_first_task(struct task *t);
/* copy_process: the child's copy of @parent's settings; its default timer
 * slack is the parent's current one. */
void prctl_fork(struct task *p, const struct task *parent);
/* execve past the point of no return: x86_64 clears READ_IMPLIES_EXEC; a
 * set-ID or privilege-raising exec (@secure) clears PER_CLEAR_ON_SETID;
 * the new mm is dumpable unless the credentials changed (commit_creds). */
void prctl_exec(struct task *t, bool secure);
/* personality(2): the old personality; 0xffffffff only queries. */
long task_personality(struct task *t, uint32_t persona);
/* UNAME26's release (override_release): "2.6.<60 + patchlevel>" and the
 * rest of @release after its version numbers, in place. */
void uname26_release(char *release, size_t len);
/* prctl(2) options of this file; -ENOSYS for an option it does not know
 * (the caller then returns Linux's EINVAL). */
long task_prctl(struct task *t, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
		uint64_t arg5);

#endif
