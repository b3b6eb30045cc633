/*
 * errno_bp.h: the harness of the errno_bp_* guests (errno parity on bad
 * pointers, issue 16). Each case is one raw syscall with one pointer
 * argument replaced by a bad pointer of each kind:
 *   NULL      0
 *   unmapped  a page nothing maps (BP_BASE + 4096)
 *   readonly  a PROT_READ page of zeroes (as input: an empty string, a
 *             zero structure; only used where that is harmless on the host)
 *   partial   2 bytes ("AA") at the end of a writable page followed by the
 *             unmapped page: a buffer that crosses into nothing
 *   kernel    0xffff800000001000, the kernel half
 * Every case runs in its own forked child (a crash is contained and says
 * which case it was; nothing a case does leaks into the next). The child
 * prints the result (the return value, or -1 and the errno's name; "ok"
 * for a new descriptor, whose number depends on what the run inherited) and
 * what Linux leaves behind: descriptors created or leaked ("fds+N"),
 * whether the partial page's two bytes were written ("pw" when they
 * changed), and whatever the case's AFTER clause prints (data left in a
 * pipe, a file offset, a signal mask, ...). Calls that could change the
 * host when run natively as root are only made with pointers that fault.
 */
#ifndef GUEST_ERRNO_BP_H
#define GUEST_ERRNO_BP_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Numbers musl's headers may lack. */
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#endif

enum { K_NULL, K_UNMAPPED, K_RO, K_PARTIAL, K_KERNEL, NK };
#define ALL 0x1f                  /* output pointers: every kind */
#define IN (ALL & ~(1 << K_RO))   /* input pointers: a zero input is not "bad" */
#define FAULTS (IN)               /* calls that must not succeed on the host */
#define OKONLY 0x100              /* print "ok" instead of a value that varies */

#define BP_BASE 0x10000000ul

static char *bp_ptrs[NK];
static const char *const bp_names[NK] = {"NULL", "unmapped", "readonly", "partial", "kernel"};
static int bp_kind;
static char *P;
static int bp_cases, bp_lines;

static const char *bp_ename(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{EFAULT, "EFAULT"}, {EINVAL, "EINVAL"}, {ENOENT, "ENOENT"}, {EBADF, "EBADF"},
		{ENOMEM, "ENOMEM"}, {ESRCH, "ESRCH"}, {ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"},
		{ENOTDIR, "ENOTDIR"}, {EPERM, "EPERM"}, {ENOSYS, "ENOSYS"}, {ERANGE, "ERANGE"},
		{ENAMETOOLONG, "ENAMETOOLONG"}, {EINTR, "EINTR"}, {ETIMEDOUT, "ETIMEDOUT"},
		{EACCES, "EACCES"}, {EEXIST, "EEXIST"}, {EISDIR, "EISDIR"}, {ENOTSOCK, "ENOTSOCK"},
		{EOPNOTSUPP, "EOPNOTSUPP"}, {ENOTCONN, "ENOTCONN"}, {EDESTADDRREQ, "EDESTADDRREQ"},
		{EAFNOSUPPORT, "EAFNOSUPPORT"}, {ENOPROTOOPT, "ENOPROTOOPT"}, {ENOTTY, "ENOTTY"},
		{ENODATA, "ENODATA"}, {E2BIG, "E2BIG"}, {EMSGSIZE, "EMSGSIZE"}, {ENOMSG, "ENOMSG"},
		{EIDRM, "EIDRM"}, {ESPIPE, "ESPIPE"}, {EXDEV, "EXDEV"}, {ENOTEMPTY, "ENOTEMPTY"},
		{ELOOP, "ELOOP"}, {EADDRINUSE, "EADDRINUSE"}, {ECONNREFUSED, "ECONNREFUSED"},
		{EISCONN, "EISCONN"}, {EPIPE, "EPIPE"}, {ENOSPC, "ENOSPC"}, {EROFS, "EROFS"},
		{EMFILE, "EMFILE"}, {ENXIO, "ENXIO"}, {EOVERFLOW, "EOVERFLOW"}, {ENOEXEC, "ENOEXEC"},
		{EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
		{EALREADY, "EALREADY"}, {EINPROGRESS, "EINPROGRESS"}, {ENOTBLK, "ENOTBLK"},
		{EBUSY, "EBUSY"}, {ETXTBSY, "ETXTBSY"}, {EFBIG, "EFBIG"}, {EMLINK, "EMLINK"},
		{EDOM, "EDOM"}, {EDEADLK, "EDEADLK"}, {ENOLCK, "ENOLCK"}, {EBADMSG, "EBADMSG"},
		{ESTALE, "ESTALE"}, {EOWNERDEAD, "EOWNERDEAD"}, {ENOTSUP, "ENOTSUP"},
	};
	static char b[16];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(b, sizeof b, "E%d", e);
	return b;
}

/* Open descriptors among 0..127. */
static int bp_nfds(void)
{
	int n = 0;
	for (int fd = 0; fd < 128; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void bp_init(void)
{
	char *b = mmap((void *)BP_BASE, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	char *ro = mmap((void *)(BP_BASE + 0x3000), 4096, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (b != (char *)BP_BASE || ro != (char *)(BP_BASE + 0x3000)) {
		printf("cannot map the test pages\n");
		exit(1);
	}
	bp_ptrs[K_NULL] = NULL;
	bp_ptrs[K_UNMAPPED] = (char *)(BP_BASE + 0x1000);
	bp_ptrs[K_RO] = ro;
	bp_ptrs[K_PARTIAL] = (char *)(BP_BASE + 0x1000 - 2);
	bp_ptrs[K_KERNEL] = (char *)0xffff800000001000ull;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

static void bp_result(const char *name, long r, int e, int mask)
{
	printf("%-34s %-8s -> ", name, bp_names[bp_kind]);
	if (r == -1)
		printf("-1 %s", bp_ename(e));
	else if (mask & OKONLY)
		printf("ok");
	else
		printf("%ld", r);
}

static void bp_after_common(int fds0, int fds1)
{
	if (fds1 != fds0)
		printf(" fds%+d", fds1 - fds0);
	if (bp_kind == K_PARTIAL && (bp_ptrs[K_PARTIAL][0] != 'A' || bp_ptrs[K_PARTIAL][1] != 'A'))
		printf(" pw");
	printf("\n");
	fflush(stdout);
}

static void bp_wait(pid_t c, const char *name, int k)
{
	int st;
	bp_lines++;
	if (c < 0) {
		printf("%-34s %-8s -> fork failed\n", name, bp_names[k]);
		return;
	}
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		printf("%-34s %-8s -> killed by signal %d\n", name, bp_names[k], WTERMSIG(st));
	else if (WEXITSTATUS(st) != 0)
		printf("%-34s %-8s -> child exit %d\n", name, bp_names[k], WEXITSTATUS(st));
	fflush(stdout);
}

/* CASE(name, mask, SETUP, CALL, AFTER): SETUP runs in the child before the
 * call (descriptors it opens are counted before the call), CALL is an
 * expression (usually syscall(...)) using P, AFTER prints what was left
 * behind (" key=value" pieces, on the same line). A call that blocks is
 * ended by SIGALRM after 2 s ("killed by signal 14"). */
#define CASE(name, mask, SETUP, CALL, AFTER)                                          \
	do {                                                                          \
		bp_cases++;                                                           \
		for (int k_ = 0; k_ < NK; k_++) {                                     \
			if (!(((mask) >> k_) & 1))                                    \
				continue;                                             \
			fflush(stdout);                                               \
			pid_t c_ = fork();                                            \
			if (c_ == 0) {                                                \
				bp_kind = k_;                                         \
				P = bp_ptrs[k_];                                      \
				bp_ptrs[K_PARTIAL][0] = bp_ptrs[K_PARTIAL][1] = 'A';  \
				alarm(2);                                             \
				SETUP;                                                \
				int fds0_ = bp_nfds();                                \
				errno = 0;                                            \
				long r_ = (long)(CALL);                               \
				int e_ = errno;                                       \
				int fds1_ = bp_nfds();                                \
				bp_result(name, r_, e_, (mask) | (fds1_ > fds0_ ? OKONLY : 0)); \
				AFTER;                                                \
				bp_after_common(fds0_, fds1_);                        \
				_exit(0);                                             \
			}                                                             \
			bp_wait(c_, name, k_);                                        \
		}                                                                     \
	} while (0)

#define NOTHING ((void)0)

/* After-helpers: bytes waiting in a pipe or socket, a file offset. */
__attribute__((unused)) static void bp_pending(const char *what, int fd)
{
	int n = -1;
	ioctl(fd, FIONREAD, &n);
	printf(" %s=%d", what, n);
}

__attribute__((unused)) static void bp_offset(int fd)
{
	printf(" off=%ld", (long)lseek(fd, 0, SEEK_CUR));
}

static void bp_summary(const char *guest)
{
	printf("%s: %d cases, %d lines\n", guest, bp_cases, bp_lines);
}

#endif
