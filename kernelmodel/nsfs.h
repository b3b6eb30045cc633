/* nsfs (fs/nsfs.c, fs/proc/namespaces.c) and setns(2) (kernel/nsproxy.c).
 *
 * /proc/<pid>/ns/<name> is a magic link: readlink gives "<type>:[<inode>]",
 * following it (stat, open) reaches the namespace's nsfs inode, a regular
 * file 0444 on the nsfs device whose st_ino is the namespace's inode
 * number. An open file on it (struct ns_file, a FILE_ANON with
 * nsfs_file_operations) holds a reference to the namespace, so the
 * namespace outlives its last task as long as the descriptor is open, and
 * setns() can enter it. */
#ifndef KERNELMODEL_NSFS_H
#define KERNELMODEL_NSFS_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct task;

/* Linux's nsfs superblock: st_dev 0:4 on this machine's kernels. */
#define NSFS_DEV 4

/* The entries of /proc/<pid>/ns, in readdir order. */
extern const char *const proc_ns_names[];
extern const unsigned proc_ns_count;

/* proc_ns_get_link: @name's link text for @target into @buf (64 bytes):
 * its type ("pid" for pid_for_children) and inode number; the inode in
 * *@inum. Returns 0, or -ENOENT (no such entry; pid_for_children before
 * the namespace has a task). */
int proc_ns_link(const struct task *target, const char *name, char *buf, uint64_t *inum);
/* open of /proc/<pid>/ns/<name>: an nsfs file (refcount 1) on @target's
 * namespace. 0 with *@out, or -ENOENT/-ENOMEM. */
int proc_ns_open(const struct task *target, const char *name, int flags, struct file **out);
/* Is @f an nsfs file? */
bool file_is_nsfs(const struct file *f);

/* ioctl on an nsfs file: NS_GET_NSTYPE, NS_GET_USERNS, NS_GET_PARENT (a
 * new close-on-exec descriptor, EPERM when the namespace is outside the
 * caller's view, EINVAL for types without parents), NS_GET_OWNER_UID
 * (user namespaces; the uid stored at guest @arg); ENOTTY otherwise. */
long nsfs_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg);

/* setns(@fd's file @f, @nstype) for @t: an nsfs file (@nstype 0 or its
 * CLONE_NEW* type) or a pidfd (@nstype a non-empty set of CLONE_NEW*
 * flags, every namespace of that process named in it). Linux's rules and
 * errnos: EINVAL for a file of another kind or type, unknown flags, a
 * user namespace one is already in, user/mnt with shared fs or threads,
 * a pid namespace that is not the active one or below it; EUSERS for
 * time with threads; EPERM without CAP_SYS_ADMIN over the namespace's
 * owner and the caller's own user namespace; ESRCH for a pidfd of a
 * process that exited. Entering is all-or-nothing. 0 or -errno. */
long do_setns(struct task *t, struct file *f, uint64_t nstype);

#endif
