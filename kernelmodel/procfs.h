/* The modeled /proc: /proc/self, /proc/thread-self and /proc/<pid> of
 * emulated tasks are built from the model, never from the host's view of
 * cloneemu. Other /proc files (cpuinfo, meminfo, ...) are the host's. */
#ifndef KERNELMODEL_PROCFS_H
#define KERNELMODEL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>

struct task;



/* readlink of a per-task /proc path: the length written (no NUL) or -errno,
 * with *handled = 1; *handled = 0 when the path is not ours. */
long procfs_readlink(struct task *t, const char *path, char *buf, size_t size, int *handled);
/* Follow a per-task /proc magic link at the start of @path (exe, cwd,
 * fd/N naming a host file), as path lookup does: writes the host path with
 * the rest of @path appended to @out (PATH_MAX) and returns 1; 0 when @path
 * has no such link (or it is the last component and !@follow_final);
 * -errno when the link is dead. */
int procfs_follow(struct task *t, const char *path, bool follow_final, char *out);
/* The host descriptor behind @path when it is exactly a per-task
 * /proc/<pid>/fd/N link to a host file (magic-link resolution reaches the
 * file itself, whatever the permissions of the directories of its name);
 * -1 otherwise. */
int procfs_fd_host(struct task *t, const char *path);
/* open of a modeled /proc path: a new file (refcount 1) in *@out — a
 * snapshot of the contents, or a FILE_DIR listing — and 0; -errno; or
 * *@handled = 0 when the path is not ours. */
struct file;
int procfs_open(struct task *t, const char *path, int flags, int *handled, struct file **out);
/* A host memfd holding @len bytes of @data, positioned at 0; or -errno. */
int proc_snapshot_fd(const char *data, size_t len);

#endif
