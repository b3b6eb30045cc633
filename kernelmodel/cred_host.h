/* Host file operations under the guest's credentials (the host side of
 * include/linux/cred.h's override_creds): before a syscall reaches the
 * host, cloneemu's host thread takes the task's fs uid, fs gid,
 * supplementary groups and file-system capabilities (CAP_CHOWN,
 * CAP_DAC_OVERRIDE, CAP_FOWNER, ...), so the host kernel checks every
 * open, create, chown and chmod exactly as Linux would for the guest, and
 * new files belong to the guest's fs ids.
 *
 * Raw setfsuid/setfsgid/setgroups/capset change the calling host thread
 * only (glibc's setgroups wrapper would broadcast to every thread). The
 * state applied last is cached, so a syscall whose task has the same
 * credentials costs a comparison. Needs CAP_SETUID and CAP_SETGID on the
 * host: without them (cloneemu not run as root) host files keep being
 * checked with cloneemu's own ids. Under --replay nothing reaches the host
 * and nothing is applied. */
#ifndef KERNELMODEL_CRED_HOST_H
#define KERNELMODEL_CRED_HOST_H

#include <stdbool.h>

struct task;

/* Make the host thread's file-system credentials @t's. */
void host_override_creds(const struct task *t);
/* access(2)'s credentials (fs/open.c access_override_creds): the real
 * uid and gid, and root's permitted capabilities or none. Returns true
 * when applied: the host call must then check with AT_EACCESS (the host's
 * own real ids are cloneemu's). The next syscall restores the fs ids. */
bool host_override_access_creds(const struct task *t);
/* Does cloneemu apply guest credentials to host files (it may)? */
bool host_creds_applied(void);

#endif
