/* The anonymous-inode descriptors: eventfd/eventfd2, timerfd_*,
 * signalfd/signalfd4, inotify_*. Each decodes its flags as the kernel's
 * SYSCALL_DEFINE does and hands the object to kernelmodel/. */
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/eventfd.h"
#include "kernelmodel/inotify.h"
#include "kernelmodel/signalfd.h"
#include "kernelmodel/timerfd.h"
#include "kernelmodel/files.h"
#include "syscalls/fs_internal.h"
#include "syscalls/sys.h"

/* Install new file @f (the caller's reference is dropped) at the lowest
 * free descriptor. */
static long install_new(struct task *t, struct file *f, int flags)
{
	if (!f)
		return -ENOMEM;
	long fd = files_install(t->files, f, 0, flags & O_CLOEXEC);
	file_put(f);
	return fd;
}

static long do_eventfd(struct task *t, unsigned int count, int flags)
{
	if (flags & ~(EFD_SEMAPHORE_MODEL | O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	return install_new(t, eventfd_file_create(count, flags), flags);
}

SYS(eventfd)
{
	return do_eventfd(t, (unsigned int)a[0], 0);
}

SYS(eventfd2)
{
	return do_eventfd(t, (unsigned int)a[0], (int)a[1]);
}

/* ---- timerfd ---- */

static bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
}

SYS(timerfd_create)
{
	int clockid = (int)a[0], flags = (int)a[1];
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME && clockid != CLOCK_BOOTTIME &&
	    clockid != CLOCK_REALTIME_ALARM && clockid != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM) &&
	    !capable(t, CAP_WAKE_ALARM))
		return -EPERM;
	return install_new(t, timerfd_file_create(clockid, flags), flags);
}

/* fdget + "is it a timerfd": EBADF, then EINVAL. */
static long timerfd_fget(struct task *t, int fd, struct file **out)
{
	struct file *f = files_lookup(t->files, fd);
	if (!f)
		return -EBADF;
	if (!file_is_timerfd(f))
		return -EINVAL;
	*out = f;
	return 0;
}

static long put_itimerspec(struct task *t, gva_t dst, uint64_t value, uint64_t interval)
{
	struct itimerspec its;
	ns_to_timespec(value, &its.it_value);
	ns_to_timespec(interval, &its.it_interval);
	return copy_to_guest(t->mm, dst, &its, sizeof(its)) ? -EFAULT : 0;
}

SYS(timerfd_settime)
{
	struct itimerspec its;
	int flags = (int)a[1];
	struct file *f;
	if (copy_from_guest(t->mm, &its, a[2], sizeof(its)))
		return -EFAULT;
	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (!timespec_valid(&its.it_value) || !timespec_valid(&its.it_interval))
		return -EINVAL;
	long r = timerfd_fget(t, (int)a[0], &f);
	if (r)
		return r;
	uint64_t ov, oi;
	timerfd_settime_ns(f, flags,
			   timespec_to_ns((uint64_t)its.it_value.tv_sec, (uint64_t)its.it_value.tv_nsec),
			   timespec_to_ns((uint64_t)its.it_interval.tv_sec,
					  (uint64_t)its.it_interval.tv_nsec),
			   &ov, &oi);
	return a[3] ? put_itimerspec(t, a[3], ov, oi) : 0;
}

SYS(timerfd_gettime)
{
	struct file *f;
	long r = timerfd_fget(t, (int)a[0], &f);
	if (r)
		return r;
	uint64_t v, i;
	timerfd_gettime_ns(f, &v, &i);
	return put_itimerspec(t, a[1], v, i);
}

/* ---- signalfd ---- */

static long do_signalfd4(struct task *t, int ufd, gva_t gmask, uint64_t sizemask, int flags)
{
	uint64_t mask;
	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_guest(t->mm, &mask, gmask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	if (ufd == -1)
		return install_new(t, signalfd_file_create(mask, flags), flags);
	struct file *f = files_lookup(t->files, ufd);
	if (!f)
		return -EBADF;
	long r = signalfd_set_mask(f, mask);
	return r ? r : ufd;
}

SYS(signalfd)
{
	return do_signalfd4(t, (int)a[0], a[1], a[2], 0);
}

SYS(signalfd4)
{
	return do_signalfd4(t, (int)a[0], a[1], a[2], (int)a[3]);
}

/* ---- inotify ---- */

static long do_inotify_init(struct task *t, int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	long err;
	struct file *f = inotify_file_create(t, flags, &err);
	return f ? install_new(t, f, flags) : err;
}

SYS(inotify_init)
{
	return do_inotify_init(t, 0);
}

SYS(inotify_init1)
{
	return do_inotify_init(t, (int)a[0]);
}

#define ALL_INOTIFY_BITS                                                                          \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | IN_DONT_FOLLOW |  \
	 IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

SYS(inotify_add_watch)
{
	uint32_t mask = (uint32_t)a[2];
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	struct file *f = files_lookup(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	if (!file_is_inotify(f))
		return -EINVAL;
	WITH_PATH(t, AT_FDCWD, a[1], path, hdir);
	struct stat st;
	int nofollow = (mask & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
	if (fstatat(hdir, path, &st, nofollow))
		return -errno;
	if ((mask & IN_ONLYDIR) && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (syscall(SYS_faccessat2, hdir, path, R_OK, AT_EACCESS | nofollow) && errno == EACCES)
		return -EACCES;
	return inotify_add_watch_inode(t, f, st.st_dev, st.st_ino, S_ISDIR(st.st_mode), mask);
}

SYS(inotify_rm_watch)
{
	struct file *f = files_lookup(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	if (!file_is_inotify(f))
		return -EINVAL;
	return inotify_rm_watch_wd(f, (int)a[1]);
}
