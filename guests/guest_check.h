/*
 * guest_check.h: small helpers shared by the process guests (fork_wait.c,
 * cow.c, clone_*.c, pipes.c, ...). Header-only, so guests/CMakeLists.txt can
 * keep building one .c into one binary.
 *
 * Every check prints one line to stdout, "ok: WHAT" or "FAILED: WHAT ...",
 * and a failure remembers its code; guest_finish() returns the first failing
 * code (0 if none), so the exit status names the first failure point while
 * stdout shows every one (STYLE.md T3). need() is for setup steps without
 * which the rest is meaningless: it prints and exits at once.
 *
 * Nothing printed on success may vary between runs: no pids, addresses or
 * times, only relations ("child pid == fork return") and fixed values.
 * FAILED lines may show the values that were wrong.
 *
 * Always flush stdout before fork/vfork/clone (guest_fork() does): stdout is
 * a file under the harness, and although guests make it line-buffered (see
 * guest_line_buffered), a partial line would still be written twice.
 */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUEST_UNUSED __attribute__((unused))

/* Flags and syscall numbers newer than some libc headers. */
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static int guest_first_fail;

/*
 * Line-buffered stdout: if the emulator stops a guest dead (deadlock report,
 * crash), the lines printed so far still reach the diff. Output is the same
 * as with full buffering, since every fork flushes first anyway.
 */
__attribute__((constructor)) static void guest_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static GUEST_UNUSED const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ELIBBAD: return "ELIBBAD";
	case ENODATA: return "ENODATA";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EUSERS: return "EUSERS";
	case ESTALE: return "ESTALE";
	default: return "E?";
	}
}

static GUEST_UNUSED void check(int ok, int code, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok: " : "FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok && guest_first_fail == 0)
		guest_first_fail = code;
}

/* A step the rest depends on: on failure print, flush and exit(code). */
static GUEST_UNUSED void need(int ok, int code, const char *what)
{
	if (ok)
		return;
	printf("FAILED: %s (errno %s)\n", what, errno_name(errno));
	fflush(stdout);
	exit(code);
}

static GUEST_UNUSED void expect_eq(long got, long want, int code, const char *what)
{
	if (got == want)
		check(1, code, "%s", what);
	else
		check(0, code, "%s: got %ld, want %ld", what, got, want);
}

/* ret must be -1 with errno == want; prints "ok: WHAT -> ENAME". */
static GUEST_UNUSED void expect_errno(long ret, int err, int want, int code, const char *what)
{
	if (ret == -1 && err == want)
		check(1, code, "%s -> %s", what, errno_name(want));
	else
		check(0, code, "%s: got ret %ld errno %s, want -1 %s", what, ret,
		      ret == -1 ? errno_name(err) : "-", errno_name(want));
}

/* A wait status as fixed text: "exited 3", "killed by signal 9", ... */
static GUEST_UNUSED const char *status_str(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed by signal %d%s", WTERMSIG(st),
			 WCOREDUMP(st) ? " (core dumped)" : "");
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped by signal %d", WSTOPSIG(st));
	else
		snprintf(buf, sizeof(buf), "raw status 0x%x", st);
	return buf;
}

/* waitpid(pid, 0) must return pid with status WANT ("exited 3", ...). */
static GUEST_UNUSED void expect_status(pid_t pid, const char *want, int code, const char *what)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, 0);

	if (r != pid) {
		check(0, code, "%s: waitpid returned %ld (errno %s)", what, (long)r, errno_name(errno));
		return;
	}
	const char *got = status_str(st);
	if (strcmp(got, want) == 0)
		check(1, code, "%s: %s", what, want);
	else
		check(0, code, "%s: got %s, want %s", what, got, want);
}

static GUEST_UNUSED pid_t guest_fork(void)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	need(pid != -1, 90, "fork");
	return pid;
}

static GUEST_UNUSED int guest_finish(void)
{
	fflush(stdout);
	return guest_first_fail;
}

/* Read exactly n bytes unless EOF or an error comes first; returns bytes read. */
static GUEST_UNUSED size_t read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

static GUEST_UNUSED size_t write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

/*
 * fork_gated: fork a child that blocks reading a pipe until its write end,
 * returned in *gate_w, is closed (or the parent dies), then _exits with
 * `code`. Returns the child's pid; setup failures exit with 91.
 */
static GUEST_UNUSED pid_t fork_gated(int code, int *gate_w)
{
	int gate[2];
	char c;

	need(pipe(gate) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(gate[1]);
		while (read(gate[0], &c, 1) > 0)
			;
		_exit(code);
	}
	close(gate[0]);
	*gate_w = gate[1];
	return pid;
}

/*
 * After a clone syscall: in the child (rax == 0) call fn (r12) with arg (r13)
 * on an aligned stack, 128 bytes below the red zone, then SYS_exit with its
 * return value; the parent jumps past. Shared by raw_clone and raw_clone3.
 */
#define GUEST_CLONE_CHILD \
	"test %%rax, %%rax\n\t" \
	"jnz 1f\n\t" \
	"xor %%ebp, %%ebp\n\t" \
	"sub $128, %%rsp\n\t" \
	"and $-16, %%rsp\n\t" \
	"mov %%r13, %%rdi\n\t" \
	"call *%%r12\n\t" \
	"mov %%eax, %%edi\n\t" \
	"mov $60, %%eax\n\t" \
	"syscall\n\t" \
	"hlt\n" \
	"1:\n"

/*
 * raw_clone: the clone syscall with exact flags, no libc in between.
 * x86_64 argument order: flags, newsp, parent_tid, child_tid, tls.
 *
 * The child does not return from here: it calls fn(arg) (on `stack` if one
 * is given, else on a copy of the caller's stack, 128 bytes below the red
 * zone) and passes fn's return value to SYS_exit. The parent gets the new
 * tid, or -errno as a negative number (errno is not touched, so a CLONE_VM
 * child cannot race on it).
 *
 * fn and arg ride in r12/r13, which the syscall preserves in both tasks.
 */
static GUEST_UNUSED long raw_clone(unsigned long flags, void *stack, pid_t *ptid, pid_t *ctid,
				   unsigned long tls, int (*fn)(void *), void *arg)
{
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = (long)tls;
	register void *r12 __asm__("r12") = (void *)fn;
	register void *r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t" GUEST_CLONE_CHILD
			 : "=a"(ret)
			 : "a"((long)SYS_clone), "D"(flags), "S"(stack), "d"(ptid), "r"(r10), "r"(r8),
			   "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return ret;
}

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/*
 * raw_clone3: raw_clone for clone3(args, size). The child side is the same:
 * fn(arg) on the new stack (or on a copy of ours, below the red zone), then
 * SYS_exit with its return value; the parent gets the pid or -errno.
 */
static GUEST_UNUSED long raw_clone3(void *args, size_t size, int (*fn)(void *), void *arg)
{
	register void *r12 __asm__("r12") = (void *)fn;
	register void *r13 __asm__("r13") = arg;
	long ret;

	__asm__ volatile("syscall\n\t" GUEST_CLONE_CHILD
			 : "=a"(ret)
			 : "a"((long)SYS_clone3), "D"(args), "S"(size), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Raw syscalls for CLONE_VM children, which must not touch errno or stdio. */
static GUEST_UNUSED long raw_getpid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
	return r;
}

static GUEST_UNUSED long raw_getppid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return r;
}

static GUEST_UNUSED long raw_gettid(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_gettid) : "rcx", "r11", "memory");
	return r;
}

#endif
