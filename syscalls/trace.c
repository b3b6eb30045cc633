/* Syscall trace lines in strace's shape: "[pid N] name(args) = ret", errors
 * as "-1 ENAME (message)", a sleeping call as "<unfinished ...>" and its
 * completion as "<... name resumed>". Paths, clone flags, open flags and
 * clone3's struct are decoded; other arguments print raw (decimal when
 * small, hex otherwise). --trace-format=json writes one object a line:
 * {"vtime":ns,"pid":N,"syscall":"name","args":[...],"ret":R,"errno":"E"}. */
#include "syscalls/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>

#include "kernelmodel/clock.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

FILE *trace_file;
bool trace_json;

/* The arguments, formatted before the syscall runs (execve replaces the
 * memory its path lives in). One syscall is in flight at a time. */
static char entry_args[6][1024];
static int entry_nargs;

struct flag_name {
	uint64_t bit;
	const char *name;
};

static const struct flag_name clone_flags[] = {
	{CLONE_VM, "CLONE_VM"},
	{CLONE_FS, "CLONE_FS"},
	{CLONE_FILES, "CLONE_FILES"},
	{CLONE_SIGHAND, "CLONE_SIGHAND"},
	{0x1000, "CLONE_PIDFD"},
	{CLONE_PTRACE, "CLONE_PTRACE"},
	{CLONE_VFORK, "CLONE_VFORK"},
	{CLONE_PARENT, "CLONE_PARENT"},
	{CLONE_THREAD, "CLONE_THREAD"},
	{CLONE_NEWNS, "CLONE_NEWNS"},
	{CLONE_SYSVSEM, "CLONE_SYSVSEM"},
	{CLONE_SETTLS, "CLONE_SETTLS"},
	{CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
	{CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
	{CLONE_DETACHED, "CLONE_DETACHED"},
	{CLONE_UNTRACED, "CLONE_UNTRACED"},
	{CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
	{CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	{CLONE_NEWUTS, "CLONE_NEWUTS"},
	{CLONE_NEWIPC, "CLONE_NEWIPC"},
	{CLONE_NEWUSER, "CLONE_NEWUSER"},
	{CLONE_NEWPID, "CLONE_NEWPID"},
	{CLONE_NEWNET, "CLONE_NEWNET"},
	{CLONE_IO, "CLONE_IO"},
	{0x100000000ull, "CLONE_CLEAR_SIGHAND"},
	{0x200000000ull, "CLONE_INTO_CGROUP"},
};

static const struct flag_name open_flags[] = {
	{O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
	{O_TRUNC, "O_TRUNC"},       {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
	{O_DSYNC, "O_DSYNC"},       {O_DIRECT, "O_DIRECT"},     {O_LARGEFILE, "O_LARGEFILE"},
	{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
	{O_CLOEXEC, "O_CLOEXEC"},   {O_PATH, "O_PATH"},
};

static void put_flags(char *buf, size_t size, uint64_t v, const struct flag_name *names, size_t n,
		      const char *zero)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++)
		if (v & names[i].bit) {
			len += snprintf(buf + len, size > len ? size - len : 0, "%s%s", len ? "|" : "",
					names[i].name);
			v &= ~names[i].bit;
		}
	if (v || !len)
		snprintf(buf + len, size > len ? size - len : 0, "%s%#llx", len ? "|" : "",
			 (unsigned long long)v);
	if (!len && !v && zero)
		snprintf(buf, size, "%s", zero);
}

static const char *signame(int sig)
{
	static char b[16];
	const char *a = sig > 0 && sig < 65 ? sigabbrev_np(sig) : NULL;
	if (!a) {
		snprintf(b, sizeof(b), "%d", sig);
		return b;
	}
	snprintf(b, sizeof(b), "SIG%s", a);
	return b;
}

/* How to print argument @i of syscall @nr. */
enum arg_kind { ARG_RAW, ARG_PATH, ARG_CLONE_FLAGS, ARG_OPEN_FLAGS, ARG_DIRFD, ARG_SIGNAL,
		ARG_CLONE_ARGS };

static enum arg_kind arg_kind(long nr, int i)
{
	switch (nr) {
	case SYS_open:
	case SYS_stat:
	case SYS_lstat:
	case SYS_access:
	case SYS_execve:
	case SYS_chdir:
	case SYS_mkdir:
	case SYS_unlink:
	case SYS_rmdir:
	case SYS_readlink:
	case SYS_creat:
	case SYS_truncate:
	case SYS_chmod:
		return i == 0 ? ARG_PATH : nr == SYS_open && i == 1 ? ARG_OPEN_FLAGS : ARG_RAW;
	case SYS_openat:
		return i == 0 ? ARG_DIRFD : i == 1 ? ARG_PATH : i == 2 ? ARG_OPEN_FLAGS : ARG_RAW;
	case SYS_newfstatat:
	case SYS_faccessat:
	case SYS_faccessat2:
	case SYS_readlinkat:
	case SYS_mkdirat:
	case SYS_unlinkat:
	case SYS_statx:
	case SYS_execveat:
		return i == 0 ? ARG_DIRFD : i == 1 ? ARG_PATH : ARG_RAW;
	case SYS_clone:
		return i == 0 ? ARG_CLONE_FLAGS : ARG_RAW;
	case SYS_unshare:
		return i == 0 ? ARG_CLONE_FLAGS : ARG_RAW;
	case SYS_clone3:
		return i == 0 ? ARG_CLONE_ARGS : ARG_RAW;
	case SYS_kill:
	case SYS_tkill:
		return i == 1 ? ARG_SIGNAL : ARG_RAW;
	case SYS_tgkill:
		return i == 2 ? ARG_SIGNAL : ARG_RAW;
	case SYS_rt_sigaction:
		return i == 0 ? ARG_SIGNAL : ARG_RAW;
	default:
		return ARG_RAW;
	}
}

static void format_raw(char *buf, size_t size, uint64_t v)
{
	if ((int64_t)v >= -4096 && (int64_t)v < 65536)
		snprintf(buf, size, "%lld", (long long)(int64_t)v);
	else
		snprintf(buf, size, "%#llx", (unsigned long long)v);
}

/* Format argument @i into @buf; JSON needs strings quoted either way. */
static void format_arg(struct task *t, long nr, int i, uint64_t v, char *buf, size_t size)
{
	char tmp[512];
	switch (arg_kind(nr, i)) {
	case ARG_PATH:
		if (t->mm && strncpy_from_guest(t->mm, tmp, v, sizeof(tmp) - 1) >= 0) {
			tmp[sizeof(tmp) - 1] = 0;
			snprintf(buf, size, "\"%s\"", tmp);
			return;
		}
		break;
	case ARG_DIRFD:
		if ((int)v == AT_FDCWD) {
			snprintf(buf, size, "AT_FDCWD");
			return;
		}
		break;
	case ARG_CLONE_FLAGS: {
		uint64_t sig = nr == SYS_clone ? v & 0xff : 0;
		put_flags(tmp, sizeof(tmp), v & ~(uint64_t)(nr == SYS_clone ? 0xff : 0), clone_flags,
			  sizeof(clone_flags) / sizeof(clone_flags[0]), "0");
		if (sig)
			snprintf(buf, size, "flags=%s|%s", tmp, signame((int)sig));
		else
			snprintf(buf, size, "flags=%s", tmp);
		return;
	}
	case ARG_OPEN_FLAGS: {
		const char *acc = (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
				  : (v & O_ACCMODE) == O_RDWR ? "O_RDWR"
							      : "O_RDONLY";
		put_flags(tmp, sizeof(tmp), v & ~(uint64_t)O_ACCMODE, open_flags,
			  sizeof(open_flags) / sizeof(open_flags[0]), NULL);
		if (v & ~(uint64_t)O_ACCMODE)
			snprintf(buf, size, "%s|%s", acc, tmp);
		else
			snprintf(buf, size, "%s", acc);
		return;
	}
	case ARG_SIGNAL:
		snprintf(buf, size, "%s", signame((int)v));
		return;
	case ARG_CLONE_ARGS: {
		uint64_t ca[8];
		if (t->mm && !copy_from_guest(t->mm, ca, v, sizeof(ca))) {
			put_flags(tmp, sizeof(tmp), ca[0], clone_flags,
				  sizeof(clone_flags) / sizeof(clone_flags[0]), "0");
			snprintf(buf, size,
				 "{flags=%s, pidfd=%#llx, child_tid=%#llx, parent_tid=%#llx, "
				 "exit_signal=%s, stack=%#llx, stack_size=%#llx, tls=%#llx}",
				 tmp, (unsigned long long)ca[1], (unsigned long long)ca[2],
				 (unsigned long long)ca[3], ca[4] ? signame((int)ca[4]) : "0",
				 (unsigned long long)ca[5], (unsigned long long)ca[6],
				 (unsigned long long)ca[7]);
			return;
		}
		break;
	}
	default:
		break;
	}
	format_raw(buf, size, v);
}

static void json_string(const char *s)
{
	fputc('"', trace_file);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', trace_file);
		if ((unsigned char)*s < 0x20)
			fprintf(trace_file, "\\u%04x", *s);
		else
			fputc(*s, trace_file);
	}
	fputc('"', trace_file);
}

static void trace_json_line(struct task *t, const char *name, long ret)
{
	fprintf(trace_file, "{\"vtime\":%llu,\"pid\":%d,\"tid\":%d,\"syscall\":",
		(unsigned long long)now_ns(), t->tgid, t->tid);
	json_string(name);
	fputs(",\"args\":[", trace_file);
	for (int i = 0; i < entry_nargs; i++) {
		if (i)
			fputc(',', trace_file);
		json_string(entry_args[i]);
	}
	fputc(']', trace_file);
	if (ret == -EKBLOCK)
		fputs(",\"blocked\":true", trace_file);
	else if (!task_is_alive(t))
		fputs(",\"ret\":null", trace_file);
	else if (ret < 0 && ret >= -4095) {
		const char *e = strerrorname_np((int)-ret);
		fprintf(trace_file, ",\"ret\":-1,\"errno\":\"%s\"", e ? e : "?");
	} else
		fprintf(trace_file, ",\"ret\":%ld", ret);
	fputs("}\n", trace_file);
}

static void print_ret(long ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *name = strerrorname_np((int)-ret);
		fprintf(trace_file, " = -1 %s (%s)\n", name ? name : "?", strerror((int)-ret));
	} else if (ret >= 0 && ret < 65536) {
		fprintf(trace_file, " = %ld\n", ret);
	} else {
		fprintf(trace_file, " = %#lx\n", (unsigned long)ret);
	}
}

void trace_syscall_enter(struct task *t, long nr, const uint64_t *a)
{
	entry_nargs = nr >= 0 && nr < NR_SYSCALLS && syscall_table[nr].fn ? syscall_table[nr].nargs : 6;
	for (int i = 0; i < entry_nargs; i++)
		format_arg(t, nr, i, a[i], entry_args[i], sizeof(entry_args[i]));
}

void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret)
{
	const char *name = syscall_name(nr);
	char unknown[32];
	if (!name) {
		snprintf(unknown, sizeof(unknown), "syscall_%ld", nr);
		name = unknown;
	}
	if (trace_json) {
		if (!(ret == -EKBLOCK && t->trace_resumed))
			trace_json_line(t, name, ret);
		t->trace_resumed = ret == -EKBLOCK;
		return;
	}
	fprintf(trace_file, "[pid %d] ", t->tid);
	if (t->trace_resumed) {
		fprintf(trace_file, "<... %s resumed>)", name);
	} else {
		fprintf(trace_file, "%s(", name);
		for (int i = 0; i < entry_nargs; i++)
			fprintf(trace_file, "%s%s", i ? ", " : "", entry_args[i]);
		fputc(')', trace_file);
	}
	if (ret == -EKBLOCK) {
		fputs(" <unfinished ...>\n", trace_file);
		t->trace_resumed = true;
		return;
	}
	t->trace_resumed = false;
	if (!task_is_alive(t))
		fputs(" = ?\n", trace_file); /* exit, exit_group, a fatal execve */
	else
		print_ret(ret);
}
