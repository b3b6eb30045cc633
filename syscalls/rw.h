/* File I/O internals shared by sys_file.c and the calls that move data
 * between two files inside the kernel (sys_splice.c). */
#ifndef SYSCALLS_RW_H
#define SYSCALLS_RW_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct iovec;
struct task;

/* readv/writev (or the p- forms at @off >= 0) on a host file, recorded and
 * replayed. Returns the count or -errno. */
long host_rw(struct file *f, struct iovec *iov, int n, bool to_guest, int64_t off);
/* file_update_time(): stamp a regular host file's mtime (and atime, for a
 * new file) with the guest's clock after a change, as Linux stamps it with
 * current_time(); without it files written under the virtual clock would
 * carry the host's time, ahead of the guest's. No-op with --clock=host. */
void file_update_time(struct file *f, bool atime_too);
/* Sleep until a host descriptor that is not regular and not O_NONBLOCK is
 * ready; 0 when the I/O can go ahead now. */
long host_wait_ready(struct task *t, struct file *f, bool for_read);

#endif
