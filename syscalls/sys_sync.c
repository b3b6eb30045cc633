/* fs/sync.c: sync, syncfs, sync_file_range (fsync and fdatasync are in
 * sys_read_write.c). Host files are flushed by the host; the model's own
 * files (pipes, sockets, anonymous inodes, /proc) have nothing to write. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#define SYNC_FILE_RANGE_ALL                                                                        \
	(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER)

SYS(sync)
{
	(void)t;
	(void)a;
	if (!rr_replaying)
		sync();
	return 0;
}

SYS(syncfs)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return 0; /* pipefs, sockfs, anon_inodefs, proc: nothing to write back */
	return RR_SYS(syncfs(f->host_fd));
}

SYS(sync_file_range)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_HOST)
		return RR_SYS(sync_file_range(f->host_fd, (off64_t)a[1], (off64_t)a[2], (unsigned)a[3]));
	int64_t off = (int64_t)a[1], n = (int64_t)a[2];
	if (a[3] & ~(uint64_t)SYNC_FILE_RANGE_ALL)
		return -EINVAL;
	int64_t end = (int64_t)((uint64_t)off + (uint64_t)n);
	if (off < 0 || end < 0 || end < off)
		return -EINVAL;
	return f->kind == FILE_DIR ? 0 : -ESPIPE; /* not a regular file */
}
