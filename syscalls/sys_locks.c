/* File-lock syscalls (fs/locks.c's entry points): flock(2) and fcntl's
 * F_GETLK, F_SETLK, F_SETLKW and their OFD forms. They decode, check the
 * descriptor's access mode and hand a request to kernelmodel/locks.c, whose
 * table all emulated processes share, which mirrors them on the host file
 * (kernelmodel/locks.c). */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/locks.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

#ifndef LOCK_MAND
#define LOCK_MAND 32
#endif

#define FMODE_READ 1
#define FMODE_WRITE 2
#define FMODE_PATH 4

/* The open file's f_mode bits that locking looks at. */
static int file_fmode(struct file *f)
{
	int fl;
	switch (f->kind) {
	case FILE_HOST:
		fl = (int)RR_SYS(fcntl(f->host_fd, F_GETFL));
		if (fl < 0)
			return 0;
		if (fl & O_PATH)
			return FMODE_PATH;
		break;
	case FILE_PIPE:
		fl = f->flags;
		break;
	case FILE_DIR:
		return FMODE_READ;
	default:
		return FMODE_READ | FMODE_WRITE;
	}
	switch (fl & O_ACCMODE) {
	case O_RDONLY:
		return FMODE_READ;
	case O_WRONLY:
		return FMODE_WRITE;
	case O_RDWR:
		return FMODE_READ | FMODE_WRITE;
	default:
		return 0;
	}
}

SYS(flock)
{
	unsigned cmd = (unsigned)a[1];
	int type;
	/* LOCK_MAND never worked and is ignored since Linux 5.15. */
	if (cmd & LOCK_MAND)
		return 0;
	switch (cmd & ~LOCK_NB) {
	case LOCK_SH:
		type = F_RDLCK;
		break;
	case LOCK_EX:
		type = F_WRLCK;
		break;
	case LOCK_UN:
		type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	struct file *f = fget(t, (uint32_t)a[0]);
	if (!f)
		return -EBADF;
	int mode = file_fmode(f);
	if (mode & FMODE_PATH)
		return -EBADF; /* fdget() does not see O_PATH descriptors */
	if (type != F_UNLCK && !(mode & (FMODE_READ | FMODE_WRITE)))
		return -EBADF;
	return flock_lock_file(t, f, type, !(cmd & LOCK_NB));
}

/* Where a byte offset relative to l_whence starts: the file position or
 * the size (the model's pipes and directories have 0 of both). */
static int whence_base(struct file *f, int whence, int64_t *base)
{
	*base = 0;
	switch (whence) {
	case SEEK_SET:
		return 0;
	case SEEK_CUR:
		if (f->kind == FILE_HOST) {
			long pos = RR_SYS(lseek(f->host_fd, 0, SEEK_CUR));
			*base = pos < 0 ? 0 : pos; /* unseekable: f_pos stays 0 */
		}
		return 0;
	case SEEK_END:
		if (f->kind == FILE_HOST) {
			struct stat st;
			if (!RR_SYS(fstat(f->host_fd, &st))) {
				rr_bytes(&st, sizeof(st));
				*base = st.st_size;
			}
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* flock64_to_posix_lock: a struct flock as a POSIX lock of @t's table. */
static int flock_to_posix_lock(struct task *t, struct file *f, const struct flock *l,
			       struct file_lock *fl)
{
	int64_t start;
	int r = whence_base(f, l->l_whence, &start);
	if (r)
		return r;
	if (l->l_start > OFFSET_MAX - start)
		return -EOVERFLOW;
	start += l->l_start;
	if (start < 0)
		return -EINVAL;
	/* POSIX-2001: a negative length locks the bytes before l_start. */
	if (l->l_len > 0) {
		if (l->l_len - 1 > OFFSET_MAX - start)
			return -EOVERFLOW;
		fl->start = start;
		fl->end = start + (l->l_len - 1);
	} else if (l->l_len < 0) {
		if (start + l->l_len < 0)
			return -EINVAL;
		fl->start = start + l->l_len;
		fl->end = start - 1;
	} else {
		fl->start = start;
		fl->end = OFFSET_MAX;
	}
	fl->next = NULL;
	fl->flags = FL_POSIX;
	fl->owner = t->files;
	fl->pid = t->tgid;
	switch (l->l_type) {
	case F_RDLCK:
	case F_WRLCK:
	case F_UNLCK:
		fl->type = l->l_type;
		return 0;
	default:
		return -EINVAL;
	}
}

/* fcntl_getlk */
static long fcntl_getlk(struct task *t, struct file *f, int cmd, struct flock *l)
{
	struct file_lock fl;
	if (cmd != F_OFD_GETLK && l->l_type != F_RDLCK && l->l_type != F_WRLCK)
		return -EINVAL;
	int r = flock_to_posix_lock(t, f, l, &fl);
	if (r)
		return r;
	if (cmd == F_OFD_GETLK) {
		if (l->l_pid != 0)
			return -EINVAL;
		fl.flags |= FL_OFDLCK;
		fl.owner = f;
	}
	posix_test_lock(f, &fl);
	l->l_type = (short)fl.type;
	if (fl.type != F_UNLCK) {
		/* locks_translate_pid: OFD owners are no process. */
		l->l_pid = (fl.flags & FL_OFDLCK) ? -1 : pid_nr_ns(fl.pid, t->pid_ns);
		l->l_start = fl.start;
		l->l_len = fl.end == OFFSET_MAX ? 0 : fl.end - fl.start + 1;
		l->l_whence = SEEK_SET;
	}
	return 0;
}

/* fcntl_setlk */
static long fcntl_setlk(struct task *t, struct file *f, int mode, int cmd, const struct flock *l)
{
	struct file_lock fl;
	int r = flock_to_posix_lock(t, f, l, &fl);
	if (r)
		return r;
	if ((fl.type == F_RDLCK && !(mode & FMODE_READ)) ||
	    (fl.type == F_WRLCK && !(mode & FMODE_WRITE)))
		return -EBADF; /* check_fmode_for_setlk */
	if (cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW) {
		if (l->l_pid != 0)
			return -EINVAL;
		fl.flags |= FL_OFDLCK;
		fl.owner = f;
	}
	return posix_lock_file(t, f, &fl, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct flock l;
	int mode = file_fmode(f);
	if (mode & FMODE_PATH)
		return -EBADF; /* O_PATH: only the descriptor commands */
	if (copy_from_guest(t->mm, &l, arg, sizeof(l)))
		return -EFAULT;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		long r = fcntl_getlk(t, f, cmd, &l);
		if (r)
			return r;
		return copy_to_guest(t->mm, arg, &l, sizeof(l)) ? -EFAULT : 0;
	}
	return fcntl_setlk(t, f, mode, cmd, &l);
}
