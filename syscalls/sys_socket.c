/* Sockets (net/socket.c): names of the host sockets a guest inherits. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

/* getsockname/getpeername: sockets are host descriptors (the model has
 * none of its own); anything else is ENOTSOCK, which bash relies on to
 * tell a pipe or file on stdin from a network connection. */
static long sock_name(struct task *t, const uint64_t *a, bool peer)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return -ENOTSOCK;
	uint32_t len;
	if (copy_from_guest(t->mm, &len, a[2], sizeof(len)))
		return -EFAULT;
	uint8_t buf[128];
	socklen_t hl = sizeof(buf);
	int r = peer ? getpeername(f->host_fd, (struct sockaddr *)buf, &hl)
		     : getsockname(f->host_fd, (struct sockaddr *)buf, &hl);
	if (r)
		return -errno;
	if (copy_to_guest(t->mm, a[1], buf, hl < len ? hl : len) ||
	    copy_to_guest(t->mm, a[2], &hl, sizeof(uint32_t)))
		return -EFAULT;
	return 0;
}

SYS(getsockname)
{
	return sock_name(t, a, false);
}

SYS(getpeername)
{
	return sock_name(t, a, true);
}
