/* Handlers: each decodes its arguments, checks guest pointers through
 * copy_{from,to}_guest and delegates to kernelmodel. They return a value or
 * -errno and never touch registers (STYLE.md S2, S3). */
#ifndef SYSCALLS_SYS_H
#define SYSCALLS_SYS_H

#include <errno.h>
#include <stdint.h>

#include "kernelmodel/mm.h"
#include "kernelmodel/task.h"

#define SYS(name) long sys_##name(struct task *t, const uint64_t *a)

/* A host call's result as the kernel would return it: value or -errno. */
static inline long host_ret(long r)
{
	return r < 0 ? -errno : r;
}

/* A struct timespec from the guest as nanoseconds: 0, -EFAULT, or -EINVAL
 * for a negative or unnormalised value (as every time-taking syscall). */
long get_user_timespec_ns(struct task *t, uint64_t gts, uint64_t *ns);

/* Copy a path from the guest (PATH_MAX bytes at most). 0 or -EFAULT/-ENAMETOOLONG/-ENOENT (""). */
int get_user_path(struct task *t, uint64_t gpath, char *buf);
/* ... without following a /proc magic link in the last component (readlink, lstat). */
int get_user_path_nofollow(struct task *t, uint64_t gpath, char *buf);
/* Host directory descriptor for a guest dirfd (AT_FDCWD = the task's cwd). -EBADF if none. */
int host_dirfd(struct task *t, int dirfd);

/* sys_namei.c, sys_open.c, sys_read_write.c, sys_stat.c, sys_fcntl.c, sys_readdir.c,
 * sys_socket.c */
SYS(read); SYS(write); SYS(readv); SYS(writev); SYS(pread64); SYS(pwrite64);
SYS(preadv); SYS(pwritev);
SYS(open); SYS(openat); SYS(creat); SYS(close); SYS(lseek); SYS(fstat); SYS(stat); SYS(lstat);
SYS(newfstatat); SYS(statx); SYS(ioctl); SYS(fcntl); SYS(dup); SYS(dup2); SYS(dup3);
SYS(access); SYS(faccessat); SYS(faccessat2); SYS(readlink); SYS(readlinkat); SYS(getcwd);
SYS(chdir); SYS(fchdir); SYS(mkdir); SYS(mkdirat); SYS(unlink); SYS(unlinkat); SYS(rmdir);
SYS(rename); SYS(renameat); SYS(renameat2); SYS(getdents64); SYS(ftruncate); SYS(truncate);
SYS(fsync); SYS(fdatasync); SYS(umask); SYS(symlink); SYS(symlinkat); SYS(link); SYS(linkat);
SYS(chmod); SYS(fchmod); SYS(fchmodat); SYS(chown); SYS(lchown); SYS(fchown); SYS(fchownat); SYS(utimensat); SYS(statfs); SYS(fstatfs);
SYS(fadvise64); SYS(pipe); SYS(pipe2);

/* sys_socket.c */
SYS(socket); SYS(socketpair); SYS(bind); SYS(listen); SYS(connect); SYS(accept); SYS(accept4);
SYS(shutdown); SYS(getsockname); SYS(getpeername); SYS(setsockopt); SYS(getsockopt);
SYS(sendto); SYS(recvfrom); SYS(sendmsg); SYS(recvmsg); SYS(sendmmsg); SYS(recvmmsg);

/* sys_locks.c */
SYS(flock);

/* sys_ipc.c */
SYS(shmget); SYS(shmat); SYS(shmdt); SYS(shmctl); SYS(semget); SYS(semop); SYS(semtimedop);
SYS(semctl); SYS(msgget); SYS(msgsnd); SYS(msgrcv); SYS(msgctl);
/* sys_mqueue.c */
SYS(mq_open); SYS(mq_unlink); SYS(mq_timedsend); SYS(mq_timedreceive); SYS(mq_notify);
SYS(mq_getsetattr);

/* sys_mm.c */
SYS(brk); SYS(mmap); SYS(munmap); SYS(mprotect); SYS(mremap); SYS(madvise); SYS(msync); SYS(mincore); SYS(mlock); SYS(mlock2); SYS(munlock);
SYS(mlockall); SYS(munlockall);
SYS(memfd_create);

/* sys_process.c */
SYS(exit); SYS(exit_group); SYS(getpid); SYS(gettid); SYS(getppid); SYS(getpgid);
SYS(getpgrp); SYS(getsid); SYS(setpgid); SYS(setsid); SYS(set_tid_address); SYS(set_robust_list); SYS(get_robust_list);
SYS(rseq); SYS(arch_prctl); SYS(prlimit64); SYS(getrlimit); SYS(setrlimit); SYS(uname);
SYS(sethostname); SYS(setdomainname); SYS(prctl); SYS(personality); SYS(mknod); SYS(mknodat);
SYS(sync); SYS(syncfs); SYS(sync_file_range); SYS(fallocate); SYS(close_range);
SYS(name_to_handle_at); SYS(open_by_handle_at); SYS(vmsplice); SYS(chroot);
SYS(getrusage); SYS(sysinfo); SYS(getcpu);

/* sys_cred.c */
SYS(getuid); SYS(geteuid); SYS(getgid); SYS(getegid); SYS(getresuid); SYS(getresgid);
SYS(setuid); SYS(setgid); SYS(setreuid); SYS(setregid); SYS(setresuid); SYS(setresgid);
SYS(setfsuid); SYS(setfsgid); SYS(getgroups); SYS(setgroups); SYS(capget); SYS(capset);

/* sys_sched.c */
SYS(getpriority); SYS(setpriority); SYS(sched_setscheduler); SYS(sched_setparam);
SYS(sched_getscheduler); SYS(sched_getparam); SYS(sched_setattr); SYS(sched_getattr);
SYS(sched_get_priority_max); SYS(sched_get_priority_min); SYS(sched_rr_get_interval);
SYS(sched_setaffinity); SYS(sched_getaffinity); SYS(sched_yield); SYS(ioprio_set);
SYS(ioprio_get);

/* sys_fork.c */
SYS(clone); SYS(clone3); SYS(fork); SYS(vfork); SYS(execve); SYS(execveat); SYS(wait4); SYS(waitid);
SYS(pidfd_open); SYS(pidfd_send_signal); SYS(unshare); SYS(setns);

/* sys_signal.c */
SYS(rt_sigaction); SYS(rt_sigprocmask); SYS(rt_sigreturn); SYS(rt_sigpending);
SYS(rt_sigsuspend); SYS(pause); SYS(rt_sigtimedwait); SYS(sigaltstack); SYS(kill); SYS(tkill);
SYS(tgkill); SYS(rt_sigqueueinfo); SYS(rt_tgsigqueueinfo); SYS(getitimer); SYS(setitimer);
SYS(alarm);

/* sys_poll.c */
SYS(poll); SYS(ppoll); SYS(select); SYS(pselect6); SYS(epoll_create); SYS(epoll_create1);
SYS(epoll_ctl); SYS(epoll_wait); SYS(epoll_pwait); SYS(epoll_pwait2);

/* sys_time.c */
SYS(clock_gettime); SYS(clock_getres); SYS(gettimeofday); SYS(time); SYS(nanosleep);
SYS(clock_nanosleep); SYS(getrandom);

/* sys_eventfd.c */
SYS(eventfd); SYS(eventfd2); SYS(timerfd_create); SYS(timerfd_settime); SYS(timerfd_gettime);
SYS(signalfd); SYS(signalfd4);

/* sys_timer.c */
SYS(timer_create); SYS(timer_settime); SYS(timer_gettime); SYS(timer_getoverrun);
SYS(timer_delete); SYS(times);

/* sys_eventfd.c (inotify), sys_fork.c (pidfd_getfd) */
SYS(pidfd_getfd); SYS(inotify_init); SYS(inotify_init1); SYS(inotify_add_watch);
SYS(inotify_rm_watch);

/* sys_time.c: setting the clock */
SYS(clock_settime); SYS(settimeofday); SYS(adjtimex); SYS(clock_adjtime);

/* sys_futex.c */
SYS(futex); SYS(futex_waitv);

/* sys_xattr.c */
SYS(getxattr); SYS(lgetxattr); SYS(fgetxattr); SYS(listxattr); SYS(llistxattr); SYS(flistxattr);
SYS(setxattr); SYS(lsetxattr); SYS(fsetxattr); SYS(removexattr); SYS(lremovexattr);
SYS(fremovexattr);

/* sys_splice.c */
SYS(sendfile); SYS(splice); SYS(tee); SYS(copy_file_range);

#endif
