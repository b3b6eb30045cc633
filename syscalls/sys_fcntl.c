/* Descriptor control (fs/fcntl.c, fs/ioctl.c): dup, dup2, dup3, fcntl and
 * the terminal and FIONREAD/FIONBIO ioctls. */
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
#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/nsfs.h"
#include "kernelmodel/filemap.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/tty.h"
#include "kernelmodel/procfs.h"
#include "kernelmodel/rr.h"
#include "syscalls/fs_internal.h"
#include "syscalls/net_internal.h"
#include "syscalls/sys.h"

/* The kernel's struct termios (not glibc's): 4 flags, c_line, 19 c_cc. */
#define KTERMIOS_SIZE 36

/* TIOCGPTPEER (ptm_open_peer): the slave of pty master @f opened with
 * @flags, as a new descriptor of the guest. */
static long pty_open_peer(struct task *t, struct file *f, uint64_t flags)
{
	unsigned n = 0;
	if (f->kind != FILE_HOST || f->host_fd < 0)
		return -ENOTTY;
	long hfd = RR_SYS(ioctl(f->host_fd, TIOCGPTPEER, (unsigned long)flags | O_CLOEXEC));
	if (hfd < 0)
		return hfd;
	/* A replay opens no pty: /dev/null stands in for the descriptor. */
	if (rr_replaying && (hfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -ENFILE;
	if (!rr_replaying && ioctl(f->host_fd, TIOCGPTN, &n))
		n = 0;
	rr_bytes(&n, sizeof(n));
	char path[32];
	snprintf(path, sizeof(path), "/dev/pts/%u", n);
	struct file *slave = file_host_alloc((int)hfd, path);
	if (!slave) {
		close((int)hfd);
		return -ENOMEM;
	}
	long fd = files_install(t->files, slave, 0, flags & O_CLOEXEC);
	file_put(slave);
	return fd;
}

SYS(ioctl)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	/* cmd is an unsigned int (ksys_ioctl): musl passes its int request
	 * sign-extended, TIOCGPTN as 0xffffffff80045430. */
	unsigned long req = (unsigned int)a[1];
	/* Sockets: sock_ioctl (the interface requests reach any socket). */
	if (f->hsk || (f->kind == FILE_SOCKET && (req & ~0xffUL) == 0x8900))
		return sock_ioctl(t, f, req, a[2]);
	uint8_t buf[64] = {0};
	size_t in = 0, out = 0;
	bool byval = false; /* the argument is a value, not a pointer */
	if (file_is_nsfs(f))
		return nsfs_ioctl(t, f, req, a[2]);
	/* Terminals: job control is the model's (kernelmodel/tty.c). */
	long jr = tty_ioctl(t, f, req, a[2]);
	if (jr != -ENOIOCTLCMD)
		return jr;
	switch (req) {
	case TCGETS:
		out = KTERMIOS_SIZE;
		break;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		in = KTERMIOS_SIZE;
		break;
	case TIOCGWINSZ:
		out = sizeof(struct winsize);
		break;
	case TIOCSWINSZ:
		in = sizeof(struct winsize);
		break;
	case FIONREAD: /* SIOCINQ on a socket */
	case TIOCOUTQ: /* SIOCOUTQ */
		out = sizeof(int);
		break;
	case FIONBIO:
		in = sizeof(int);
		break;
	/* pty masters (drivers/tty/pty.c) and the line discipline's and
	 * driver's requests (tty_io.c, n_tty.c): the host's terminal answers. */
	case TIOCGPTN:
	case TIOCGPTLCK:
	case TIOCGPKT:
	case TIOCGEXCL:
	case TIOCGETD:
	case TIOCMGET:
		out = sizeof(int);
		break;
	case TIOCSPTLCK:
	case TIOCPKT:
	case TIOCSETD:
	case TIOCMSET:
	case TIOCMBIS:
	case TIOCMBIC:
		in = sizeof(int);
		break;
	case TIOCEXCL:
	case TIOCNXCL:
	case TIOCSBRK:
	case TIOCCBRK:
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
	case TIOCVHANGUP:
		byval = true;
		break;
	case TIOCGPTPEER:
		return pty_open_peer(t, f, a[2]);
	default:
		return -ENOTTY; /* not modeled: README lists the supported requests */
	}
	if (in && copy_from_guest(t->mm, buf, a[2], in))
		return -EFAULT;
	if (f->kind == FILE_DIR || f->kind == FILE_EPOLL || f->kind == FILE_PIDFD) {
		return -ENOTTY;
	} else if (f->kind == FILE_ANON) {
		/* FIONBIO is the VFS's; FIONREAD the file's (inotify). */
		int n = 0;
		long r;
		if (req == FIONBIO) {
			int on;
			memcpy(&on, buf, sizeof(on));
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
			return 0;
		}
		if (req != FIONREAD || !f->aops->fionread)
			return -ENOTTY;
		if ((r = f->aops->fionread(f, &n)))
			return r;
		return put_guest(t->mm, a[2], &n, sizeof(n));
	} else if (f->kind == FILE_SOCKET) {
		/* sock_ioctl -> unix_ioctl; FIONBIO is the VFS's, as for any file. */
		int n = 0;
		long r;
		if (req == FIONBIO) {
			memcpy(&n, buf, sizeof(n));
			f->flags = n ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		} else if (req == FIONREAD || req == TIOCOUTQ) {
			r = req == FIONREAD ? unix_inq_len(f->sk, &n) : unix_outq_len(f->sk, &n);
			if (r)
				return r;
			memcpy(buf, &n, sizeof(n));
		} else {
			return -ENOTTY;
		}
	} else if (f->kind == FILE_PIPE) {
		if (req == FIONREAD) {
			int n = (int)f->pipe->len;
			memcpy(buf, &n, sizeof(n));
		} else if (req == FIONBIO) {
			int on;
			memcpy(&on, buf, sizeof(on));
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		} else {
			return -ENOTTY;
		}
	} else if (byval) {
		return RR_SYS(ioctl(f->host_fd, req, (unsigned long)a[2]));
	} else {
		long r = RR_SYS(ioctl(f->host_fd, req, buf));
		if (r)
			return r;
		rr_bytes(buf, sizeof(buf));
	}
	/* An int goes out with put_user (all or nothing), a structure with
	 * copy_to_user (up to the first fault). */
	if (out && (out == sizeof(int) ? put_guest : copy_to_guest)(t->mm, a[2], buf, out))
		return -EFAULT;
	return 0;
}

static long do_dup(struct task *t, int oldfd, int newfd, int flags, bool is_dup2)
{
	struct file *f = files_lookup(t->files, oldfd);
	if (!f)
		return -EBADF;
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return is_dup2 ? newfd : -EINVAL;
	return files_install_at(t->files, f, newfd, flags & O_CLOEXEC);
}

SYS(dup)
{
	struct file *f = fget(t, a[0]);
	if (!f)
		return -EBADF;
	return files_install(t->files, f, 0, false);
}

SYS(dup2)
{
	if (a[0] > INT_MAX || a[1] > INT_MAX)
		return -EBADF;
	return do_dup(t, (int)a[0], (int)a[1], 0, true);
}

SYS(dup3)
{
	if (a[0] > INT_MAX || a[1] > INT_MAX)
		return -EBADF;
	return do_dup(t, (int)a[0], (int)a[1], (int)a[2], false);
}

SYS(fcntl)
{
	if (a[0] > INT_MAX)
		return -EBADF;
	struct fd_entry *e = files_entry(t->files, (int)a[0]);
	if (!e)
		return -EBADF;
	int cmd = (int)a[1];
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int64_t)a[2] < 0 || a[2] >= t->files->nofile)
			return -EINVAL;
		return files_install(t->files, e->file, (int)a[2], cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return e->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		e->cloexec = a[2] & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		if (e->file->kind != FILE_HOST || e->file->hsk)
			return e->file->flags;
		return RR_SYS(fcntl(e->file->host_fd, F_GETFL));
	case F_SETFL:
		if (e->file->kind != FILE_HOST || e->file->hsk) {
			int settable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
			e->file->flags = (e->file->flags & ~settable) | ((int)a[2] & settable);
			return 0;
		}
		return RR_SYS(fcntl(e->file->host_fd, F_SETFL, (int)a[2]));
	case F_GETPIPE_SZ:
		if (e->file->kind == FILE_PIPE)
			return (long)e->file->pipe->size;
		if (e->file->kind != FILE_HOST)
			return -EBADF; /* get_pipe_info: not a pipe */
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_SETPIPE_SZ:
		if (e->file->kind == FILE_PIPE)
			return pipe_set_size(e->file->pipe, a[2], capable(t, CAP_SYS_RESOURCE));
		if (e->file->kind != FILE_HOST)
			return -EBADF;
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_GET_SEALS:
		if (e->file->kind == FILE_PIPE)
			return -EINVAL;
		return host_ret(fcntl(e->file->host_fd, cmd, (int)a[2]));
	case F_ADD_SEALS:
		if (e->file->kind != FILE_HOST)
			return -EINVAL;
		return memfd_add_seals(e->file->host_fd, e->file->dev, e->file->ino, (int)a[2]);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(t, e->file, cmd, a[2]);
	default:
		return -EINVAL;
	}
}
