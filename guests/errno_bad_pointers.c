/*
 * errno_bad_pointers: what each syscall says when handed a bad pointer,
 * compared with Linux: NULL, an address nothing maps, a read-only page
 * (where the call writes; where it reads, the page holds zeroes: an empty
 * string, a zero mask), a kernel address and a PROT_NONE page, for one
 * pointer argument at a time. Raw syscalls (a libc wrapper may fault in
 * user space first). Only "ok" or the errno name is printed. Every call is
 * harmless when run natively as root: no path exists, nothing is set that
 * the run depends on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <poll.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>

static const char *ename(int e){ switch(e){case 0:return "0";case EFAULT:return "EFAULT";case EINVAL:return "EINVAL";case ENOENT:return "ENOENT";case EBADF:return "EBADF";case ENOMEM:return "ENOMEM";case ESRCH:return "ESRCH";case ECHILD:return "ECHILD";case EAGAIN:return "EAGAIN";case ENOTDIR:return "ENOTDIR";case EPERM:return "EPERM";case ENOSYS:return "ENOSYS";case ERANGE:return "ERANGE";case ENAMETOOLONG:return "ENAMETOOLONG";case EINTR:return "EINTR";case ETIMEDOUT:return "ETIMEDOUT"; default: {static char b[16]; snprintf(b,16,"E%d",e); return b;}}}

static char *ptrs[5];
static const char *pn[5] = {"NULL", "unmapped", "readonly", "kernel", "prot_none"};
#define T(name, ...) do { for (int i_ = 0; i_ < 5; i_++) { char *P = ptrs[i_]; (void)P; errno = 0; long r_ = syscall(__VA_ARGS__); printf("%-24s %-9s -> %s %s\n", name, pn[i_], r_ < 0 ? "-1" : "ok", r_ < 0 ? ename(errno) : ""); fflush(stdout);} } while (0)

int main(void)
{
	long pg = 4096;
	ptrs[0] = NULL;
	ptrs[1] = (char *)0x200000; /* below any program: nothing maps it */
	ptrs[2] = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ptrs[3] = (char *)0xffff800000001000ull;
	ptrs[4] = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
	struct timeval zt = {0, 0};
	struct timespec zts = {0, 0};
	int p[2]; pipe(p); write(p[1], "abcdefgh", 8);
	int file = open("/proc/self/exe", O_RDONLY);
	T("read /dev/zero", SYS_read, zero, P, 16);
	T("read pipe", SYS_read, p[0], P, 1);
	T("read file", SYS_read, file, P, 16);
	T("write /dev/null", SYS_write, null, P, 16);
	T("write pipe", SYS_write, p[1], P, 1);
	T("pread file", SYS_pread64, file, P, 16, 0);
	T("readv iov", SYS_readv, zero, P, 1);
	T("writev iov", SYS_writev, null, P, 1);
	T("open", SYS_open, P, O_RDONLY);
	T("openat", SYS_openat, AT_FDCWD, P, O_RDONLY);
	T("stat path", SYS_stat, P, ptrs[2]);
	T("fstat buf", SYS_fstat, file, P);
	T("newfstatat buf", SYS_newfstatat, AT_FDCWD, "/", P, 0);
	T("statx buf", SYS_statx, AT_FDCWD, "/", 0, 0x7ff, P);
	T("access", SYS_access, P, F_OK);
	T("readlink path", SYS_readlink, P, ptrs[2], 16);
	T("readlink buf", SYS_readlink, "/proc/self/exe", P, 16);
	T("getcwd", SYS_getcwd, P, 4096);
	T("chdir", SYS_chdir, P);
	T("uname", SYS_uname, P);
	T("sysinfo", SYS_sysinfo, P);
	T("times", SYS_times, P);
	T("gettimeofday", SYS_gettimeofday, P, NULL);
	T("clock_gettime", SYS_clock_gettime, CLOCK_MONOTONIC, P);
	T("clock_getres", SYS_clock_getres, CLOCK_MONOTONIC, P);
	T("nanosleep", SYS_nanosleep, P, NULL);
	T("pipe", SYS_pipe, P);
	T("pipe2", SYS_pipe2, P, 0);
	T("socketpair", SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, P);
	T("getrlimit", SYS_getrlimit, RLIMIT_NOFILE, P);
	T("prlimit old", SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, P);
	T("getrusage", SYS_getrusage, RUSAGE_SELF, P);
	T("rt_sigaction act", SYS_rt_sigaction, SIGUSR1, P, NULL, 8);
	T("rt_sigaction old", SYS_rt_sigaction, SIGUSR1, NULL, P, 8);
	T("rt_sigprocmask set", SYS_rt_sigprocmask, SIG_BLOCK, P, NULL, 8);
	T("rt_sigprocmask old", SYS_rt_sigprocmask, SIG_BLOCK, NULL, P, 8);
	T("rt_sigpending", SYS_rt_sigpending, P, 8);
	T("sigaltstack new", SYS_sigaltstack, P, NULL);
	T("sigaltstack old", SYS_sigaltstack, NULL, P);
	T("getgroups", SYS_getgroups, 4, P);
	T("getresuid", SYS_getresuid, P, P, P);
	T("poll", SYS_poll, P, 1, 0);
	T("ppoll fds", SYS_ppoll, P, 1, &zts, NULL, 8);
	T("select readfds", SYS_select, 1, P, NULL, NULL, &zt);
	T("wait4 status (none)", SYS_wait4, -1, P, WNOHANG, NULL);
	T("getdents64", SYS_getdents64, file, P, 64);
	T("statfs path", SYS_statfs, P, ptrs[2]);
	T("fstatfs buf", SYS_fstatfs, file, P);
	T("sched_getaffinity", SYS_sched_getaffinity, 0, 128, P);
	T("sched_setaffinity", SYS_sched_setaffinity, 0, 128, P);
	T("sched_getparam", SYS_sched_getparam, 0, P);
	T("getitimer", SYS_getitimer, ITIMER_REAL, P);
	T("setitimer new", SYS_setitimer, ITIMER_REAL, P, NULL);
	T("futex wait", SYS_futex, P, 0 /*WAIT*/, 0, NULL, NULL, 0);
	T("futex wake", SYS_futex, P, 1 /*WAKE*/, 1, NULL, NULL, 0);
	T("capget hdr", SYS_capget, P, NULL);
	T("get_robust_list", SYS_get_robust_list, 0, P, P);
	T("getcpu", SYS_getcpu, P, NULL, NULL);
	T("getrandom", SYS_getrandom, P, 8, 0);
	T("mkdir", SYS_mkdir, P, 0700);
	T("unlink", SYS_unlink, P);
	T("rename old", SYS_rename, P, "/tmp/x_never");
	T("execve path", SYS_execve, P, NULL, NULL);
	T("rt_sigtimedwait set", SYS_rt_sigtimedwait, P, NULL, &zts, 8);
	T("sendfile off", SYS_sendfile, null, file, P, 16);
	T("epoll_ctl event", SYS_epoll_ctl, zero, 1, file, P);
	T("timer_create evp", SYS_timer_create, CLOCK_MONOTONIC, P, ptrs[2]);
	T("arch_prctl get fs", SYS_arch_prctl, 0x1003, P);
	T("prctl get name", SYS_prctl, 16 /*PR_GET_NAME*/, P);
	T("ioctl TIOCGWINSZ", SYS_ioctl, null, 0x5413, P);
	T("fcntl GETLK", SYS_fcntl, file, F_GETLK, P);
	return 0;
}
