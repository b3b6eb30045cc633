/* --trace-only (strace's -e trace=) and --summary (strace -c). The classes
 * are strace's, by name; a syscall added later joins one by adding its
 * name to the list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/dispatch.h"
#include "syscalls/trace.h"
#include "syscalls/trace_internal.h"

bool trace_summary;

static const struct {
	const char *name;
	const char *calls;
} classes[] = {
	{"file", "access acct chdir chmod chown chroot creat execve execveat faccessat faccessat2 "
		 "fanotify_mark fchmodat fchownat futimesat getcwd getxattr inotify_add_watch lchown "
		 "lgetxattr link linkat listxattr llistxattr lremovexattr lsetxattr lstat mkdir "
		 "mkdirat mknod mknodat mount name_to_handle_at newfstatat open openat openat2 "
		 "pivot_root quotactl readlink readlinkat removexattr rename renameat renameat2 rmdir "
		 "setxattr stat statfs statx swapoff swapon symlink symlinkat truncate umount2 unlink "
		 "unlinkat uselib utime utimensat utimes"},
	{"desc", "read write open close fstat poll lseek mmap ioctl pread64 pwrite64 readv writev "
		 "pipe select dup dup2 sendfile socket connect accept sendto recvfrom sendmsg recvmsg "
		 "shutdown bind listen getsockname getpeername socketpair setsockopt getsockopt fcntl "
		 "flock fsync fdatasync ftruncate getdents fchdir creat fchmod fchown fstatfs readahead "
		 "fsetxattr fgetxattr flistxattr fremovexattr epoll_create getdents64 fadvise64 "
		 "epoll_wait epoll_ctl inotify_add_watch inotify_rm_watch openat mkdirat mknodat "
		 "fchownat futimesat newfstatat unlinkat renameat linkat symlinkat readlinkat fchmodat "
		 "faccessat pselect6 ppoll splice tee sync_file_range vmsplice utimensat epoll_pwait "
		 "signalfd timerfd_create eventfd fallocate timerfd_settime timerfd_gettime accept4 "
		 "signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init inotify_init1 preadv pwritev "
		 "perf_event_open recvmmsg fanotify_init fanotify_mark name_to_handle_at "
		 "open_by_handle_at syncfs sendmmsg setns finit_module renameat2 memfd_create bpf "
		 "execveat userfaultfd copy_file_range preadv2 pwritev2 statx pidfd_send_signal "
		 "io_uring_setup io_uring_enter io_uring_register pidfd_open close_range openat2 "
		 "pidfd_getfd faccessat2 epoll_pwait2 process_madvise mq_open mq_timedsend "
		 "mq_timedreceive mq_notify mq_getsetattr"},
	{"process", "clone clone3 execve execveat exit exit_group fork vfork kill tkill tgkill "
		    "rt_sigqueueinfo rt_tgsigqueueinfo unshare wait4 waitid pidfd_open "
		    "pidfd_send_signal pidfd_getfd"},
	{"signal", "kill pause rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo "
		   "rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_tgsigqueueinfo sigaltstack "
		   "signalfd signalfd4 tgkill tkill pidfd_send_signal"},
	{"ipc", "msgctl msgget msgrcv msgsnd semctl semget semop semtimedop shmat shmctl shmdt "
		"shmget"},
	{"network", "accept accept4 bind connect getpeername getsockname getsockopt listen "
		    "recvfrom recvmmsg recvmsg sendmmsg sendmsg sendto setsockopt shutdown socket "
		    "socketpair"},
	{"net", "accept accept4 bind connect getpeername getsockname getsockopt listen recvfrom "
		"recvmmsg recvmsg sendmmsg sendmsg sendto setsockopt shutdown socket socketpair"},
	{"memory", "brk get_mempolicy madvise mbind migrate_pages mincore mlock mlock2 mlockall mmap "
		   "move_pages mprotect mremap msync munlock munlockall munmap pkey_mprotect "
		   "remap_file_pages set_mempolicy process_madvise process_mrelease "
		   "set_mempolicy_home_node"},
	{"creds", "capget capset getegid geteuid getgid getgroups getresgid getresuid getuid "
		  "setfsgid setfsuid setgid setgroups setregid setresgid setresuid setreuid setuid"},
	{"clock", "adjtimex clock_adjtime clock_getres clock_gettime clock_settime gettimeofday "
		  "settimeofday time"},
	{"stat", "stat"},
	{"lstat", "lstat"},
	{"fstat", "fstat newfstatat"},
	{"%stat", "stat lstat fstat newfstatat statx"},
	{"statfs", "statfs"},
	{"fstatfs", "fstatfs"},
	{"%statfs", "statfs fstatfs"},
	{"pure", "getpid getppid getuid geteuid getgid getegid gettid getpgrp"},
};

static unsigned char selected[NR_SYSCALLS];
static bool filtering, negated;

static int lookup(const char *name)
{
	for (int nr = 0; nr < NR_SYSCALLS; nr++)
		if (syscall_names[nr] && !strcmp(syscall_names[nr], name))
			return nr;
	return -1;
}

static bool add_class(const char *cls)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strcmp(classes[i].name, cls))
			continue;
		char *list = strdup(classes[i].calls), *save = NULL;
		for (char *w = list ? strtok_r(list, " ", &save) : NULL; w;
		     w = strtok_r(NULL, " ", &save)) {
			int nr = lookup(w);
			if (nr >= 0)
				selected[nr] = 1;
		}
		free(list);
		return true;
	}
	return false;
}

int trace_only(const char *set, char *err, size_t errlen)
{
	bool negate = *set == '!';
	if (negate)
		set++;
	memset(selected, 0, sizeof(selected));
	char *copy = strdup(set), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	bool any = false;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		any = true;
		if (!strcmp(w, "all")) {
			memset(selected, 1, sizeof(selected));
		} else if (!strcmp(w, "none")) {
			/* nothing */
		} else if (*w == '%') {
			if (!add_class(w + 1)) {
				snprintf(err, errlen, "invalid syscall class '%s'", w);
				rc = -1;
				break;
			}
		} else {
			int nr = lookup(w);
			if (nr < 0) {
				snprintf(err, errlen, "invalid system call '%s'", w);
				rc = -1;
				break;
			}
			selected[nr] = 1;
		}
	}
	free(copy);
	if (!rc && !any) {
		snprintf(err, errlen, "empty syscall set");
		rc = -1;
	}
	negated = negate;
	if (negate)
		for (int nr = 0; nr < NR_SYSCALLS; nr++)
			selected[nr] = !selected[nr];
	filtering = true;
	return rc;
}

bool trace_selected(long nr)
{
	if (!filtering)
		return true;
	return nr >= 0 && nr < NR_SYSCALLS ? selected[nr] : negated;
}

/* ---- --summary ---- */

struct counter {
	unsigned long calls, errors;
	uint64_t ns;
};
static struct counter counts[NR_SYSCALLS];

void trace_count(long nr, long ret, uint64_t ns)
{
	if (!trace_summary || nr < 0 || nr >= NR_SYSCALLS || !trace_selected(nr))
		return;
	counts[nr].calls++;
	counts[nr].ns += ns;
	if (ret < 0 && ret >= -4095)
		counts[nr].errors++;
}

static int by_time(const void *x, const void *y)
{
	const struct counter *a = &counts[*(const int *)x], *b = &counts[*(const int *)y];
	if (a->ns != b->ns)
		return a->ns < b->ns ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	const char *na = syscall_name(*(const int *)x), *nb = syscall_name(*(const int *)y);
	return strcmp(na ? na : "", nb ? nb : "");
}

void trace_summary_print(FILE *out)
{
	if (!trace_summary)
		return;
	int order[NR_SYSCALLS], n = 0;
	uint64_t total_ns = 0;
	unsigned long calls = 0, errors = 0;
	for (int nr = 0; nr < NR_SYSCALLS; nr++)
		if (counts[nr].calls) {
			order[n++] = nr;
			total_ns += counts[nr].ns;
			calls += counts[nr].calls;
			errors += counts[nr].errors;
		}
	qsort(order, n, sizeof(order[0]), by_time);
	const char *dashes = "------ ----------- ----------- --------- --------- ----------------\n";
	fprintf(out, "%6.6s %11.11s %11.11s %9.9s %9.9s %s\n", "% time", "seconds", "usecs/call",
		"calls", "errors", "syscall");
	fputs(dashes, out);
	for (int i = 0; i < n; i++) {
		const struct counter *c = &counts[order[i]];
		char unknown[32];
		const char *name = syscall_name_or_nr(order[i], unknown, sizeof(unknown));
		fprintf(out, "%6.2f %4llu.%06llu %11llu %9lu %9.lu %s\n",
			total_ns ? 100.0 * (double)c->ns / (double)total_ns : 0.0,
			(unsigned long long)(c->ns / 1000000000ull),
			(unsigned long long)(c->ns / 1000 % 1000000),
			(unsigned long long)(c->ns / 1000 / c->calls), c->calls, c->errors, name);
	}
	fputs(dashes, out);
	fprintf(out, "%6.2f %4llu.%06llu %11llu %9lu %9.lu total\n", 100.0,
		(unsigned long long)(total_ns / 1000000000ull),
		(unsigned long long)(total_ns / 1000 % 1000000),
		(unsigned long long)(calls ? total_ns / 1000 / calls : 0), calls, errors);
	fflush(out);
}
