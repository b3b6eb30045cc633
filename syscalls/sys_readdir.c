/* getdents64 (fs/readdir.c): host directories and the modeled /proc
 * listings. */
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

/* getdents64 on a directory the model lists itself. */
static long dir_getdents(struct task *t, struct dirlist *d, gva_t gbuf, size_t size)
{
	char rec[64 + 24];
	size_t done = 0;
	while (d->pos < d->n) {
		const struct dirent_model *e = &d->e[d->pos];
		size_t namelen = strlen(e->name);
		size_t reclen = (19 + namelen + 1 + 7) & ~7ul;
		if (done + reclen > size)
			break;
		memset(rec, 0, sizeof(rec));
		uint64_t ino = e->ino ? e->ino : 0x1000 + (uint64_t)d->pos, off = (uint64_t)d->pos + 1;
		uint16_t rl = (uint16_t)reclen;
		memcpy(rec, &ino, 8);
		memcpy(rec + 8, &off, 8);
		memcpy(rec + 16, &rl, 2);
		rec[18] = (char)e->type;
		memcpy(rec + 19, e->name, namelen);
		if (copy_to_guest(t->mm, gbuf + done, rec, reclen))
			return -EFAULT;
		done += reclen;
		d->pos++;
	}
	if (!done && d->pos < d->n)
		return -EINVAL; /* buffer too small for one entry */
	return (long)done;
}

SYS(getdents64)
{
	struct file *df = fget(t, a[0]);
	if (df && df->kind == FILE_DIR) {
		dirlist_refresh(df->dir);
		return dir_getdents(t, df->dir, a[1], a[2]);
	}
	int h = fget_host(t, a[0], -ENOTDIR);
	if (h < 0)
		return h;
	size_t n = a[2] > (1 << 20) ? (1 << 20) : a[2];
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	off_t start = RR_SYS(lseek(h, 0, SEEK_CUR));
	long r = RR_SYS(syscall(SYS_getdents64, h, buf, n));
	if (r > 0)
		rr_bytes(buf, (size_t)r);
	/* filldir64 stores entry by entry: the ones before the first that
	 * cannot be stored are the result, and the directory's position
	 * stays after them (at the start: EFAULT, nothing consumed). */
	long done = 0;
	while (done < r) {
		struct linux_dirent64_hdr { uint64_t ino; int64_t off; uint16_t reclen; } hd;
		memcpy(&hd, buf + done, sizeof(hd));
		if (put_guest(t->mm, a[1] + (uint64_t)done, buf + done, hd.reclen))
			break;
		done += hd.reclen;
		start = hd.off;
	}
	if (done < r)
		RR_SYS(lseek(h, start, SEEK_SET));
	free(buf);
	return r > 0 && !done ? -EFAULT : r > 0 ? done : r;
}
