/* --trace: each syscall's arguments the way strace prints them. The table
 * below gives one letter per argument (what it is); a syscall without a row
 * prints its arguments raw. Arguments the call fills in (read's buffer,
 * stat's struct, wait4's status) are printed when it returns, as strace
 * does; when it fails they print as addresses. Adding a syscall: add a row. */
#include "syscalls/trace_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <linux/futex.h>
#include <linux/stat.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "emu/cpu.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

unsigned trace_strsize = 32;

/* Argument letters. Entry: a at-flags, b buffer (length: next argument),
 * c fcntl command, d int, e envp, g getrandom flags, h sigprocmask how,
 * i itimer, j access mode, k sigset, l long, m mode, n MSG_ flags, o open
 * flags, p address, q arch_prctl code, r RLIMIT_, s path, t epoll op,
 * u unsigned, v argv, w wait options, x hex, y address family, z socket
 * type, A sigaction, C clock, D dirfd, E epoll_event, G madvise advice,
 * H msghdr, I prctl option, J shutdown how, K TIMER_ flags, L pollfd array
 * (count: next argument), M MAP_ flags, N MREMAP_ flags, O ioctl request,
 * P PROT_, Q sockaddr (length: next), R socket level, S signal,
 * T timespec, U O_CLOEXEC-style flags, V PRIO_ which, W whence, X rlimit,
 * Y scheduling policy, Z SOCK_ flags, * iovec array (count: next),
 * < clone flags.
 * Filled in by the call: B buffer (length: the result), 0 getdents,
 * 1 stat, 2 statx, 3 wait status, 4 timespec, 5 sigaction, 6 sigset,
 * 7 int pair, 8 rlimit, 9 string (length: the result), # msghdr,
 * $ utsname, & int, ^ iovec array (length: the result), ~ timeval. */
#define S(name, spec) [__NR_##name] = spec
static const char *const specs[NR_SYSCALLS] = {
	S(read, "dBu"), S(write, "dbu"), S(readv, "d^u"), S(writev, "d*u"),
	S(pread64, "dBul"), S(pwrite64, "dbul"), S(preadv, "d^ul"), S(pwritev, "d*ul"),
	S(open, "som"), S(openat, "Dsom"), S(creat, "sm"), S(close, "d"), S(lseek, "dlW"),
	S(fstat, "d1"), S(stat, "s1"), S(lstat, "s1"), S(newfstatat, "Ds1a"),
	S(statx, "Dsax2"), S(ioctl, "dOp"), S(flock, "dd"), S(dup, "d"), S(dup2, "dd"),
	S(dup3, "ddU"), S(access, "sj"), S(faccessat, "Dsj"), S(faccessat2, "Dsja"),
	S(readlink, "s9u"), S(readlinkat, "Ds9u"), S(getcwd, "9u"), S(chdir, "s"),
	S(fchdir, "d"), S(mkdir, "sm"), S(mkdirat, "Dsm"), S(unlink, "s"), S(unlinkat, "Dsa"),
	S(rmdir, "s"), S(rename, "ss"), S(renameat, "DsDs"), S(renameat2, "DsDsx"),
	S(getdents64, "d0u"), S(ftruncate, "dl"), S(truncate, "sl"), S(fsync, "d"),
	S(fdatasync, "d"), S(umask, "m"), S(symlink, "ss"), S(symlinkat, "sDs"), S(link, "ss"),
	S(linkat, "DsDsa"), S(chmod, "sm"), S(fchmod, "dm"), S(fchmodat, "Dsm"),
	S(utimensat, "Dspa"), S(statfs, "sp"), S(fstatfs, "dp"), S(fadvise64, "dlld"),
	S(pipe, "7"), S(pipe2, "7U"), S(socket, "yzd"), S(socketpair, "yzd7"), S(bind, "dQu"),
	S(listen, "dd"), S(connect, "dQu"), S(accept, "dpp"), S(accept4, "dppZ"),
	S(shutdown, "dJ"), S(getsockname, "dpp"), S(getpeername, "dpp"),
	S(setsockopt, "dRdpu"), S(getsockopt, "dRdpp"), S(sendto, "dbunQu"),
	S(recvfrom, "dBunpp"), S(sendmsg, "dHn"), S(recvmsg, "d#n"), S(sendmmsg, "dpun"),
	S(recvmmsg, "dpunp"), S(brk, "p"), S(mmap, "puPMdx"), S(munmap, "pu"),
	S(mprotect, "puP"), S(mremap, "puuNp"), S(madvise, "puG"), S(msync, "pux"),
	S(memfd_create, "sx"), S(exit, "d"), S(exit_group, "d"), S(getpid, ""), S(gettid, ""),
	S(getppid, ""), S(getuid, ""), S(geteuid, ""), S(getgid, ""), S(getegid, ""),
	S(getresuid, "&&&"), S(getresgid, "&&&"), S(getgroups, "dp"), S(setuid, "d"),
	S(setgid, "d"), S(setreuid, "dd"), S(setregid, "dd"), S(setresuid, "ddd"),
	S(setresgid, "ddd"), S(setfsuid, "d"), S(setfsgid, "d"), S(setgroups, "dp"),
	S(capget, "pp"), S(capset, "pp"), S(getpgid, "d"), S(getpgrp, ""), S(getsid, "d"),
	S(set_tid_address, "p"), S(set_robust_list, "pu"), S(get_robust_list, "dpp"),
	S(rseq, "pxdx"), S(arch_prctl, "qp"), S(prlimit64, "drX8"), S(getrlimit, "r8"),
	S(setrlimit, "rX"), S(uname, "$"), S(sethostname, "bu"), S(setdomainname, "bu"),
	S(getpriority, "Vd"), S(setpriority, "Vdd"), S(sched_setscheduler, "dYp"),
	S(sched_setparam, "dp"), S(sched_getscheduler, "d"), S(sched_getparam, "dp"),
	S(sched_setattr, "dpx"), S(sched_getattr, "dpux"), S(sched_get_priority_max, "Y"),
	S(sched_get_priority_min, "Y"), S(sched_rr_get_interval, "d4"),
	S(sched_setaffinity, "dup"), S(sched_getaffinity, "dup"), S(sched_yield, ""),
	S(ioprio_set, "ddd"), S(ioprio_get, "dd"), S(prctl, "Ixxxx"), S(kill, "dS"),
	S(tkill, "dS"), S(tgkill, "ddS"), S(rt_sigaction, "SA5u"), S(rt_sigprocmask, "hk6u"),
	S(getrusage, "dp"), S(sysinfo, "p"), S(getcpu, "ppp"), S(clock_gettime, "C4"),
	S(clock_getres, "C4"), S(gettimeofday, "~p"), S(time, "p"), S(nanosleep, "T4"),
	S(clock_nanosleep, "CKT4"), S(getrandom, "Bug"), S(clone3, "pu"), S(fork, ""),
	S(vfork, ""), S(execve, "sve"), S(execveat, "Dsvea"), S(wait4, "d3wp"),
	S(waitid, "ddpwp"), S(pidfd_open, "dx"), S(pidfd_send_signal, "dSpx"), S(unshare, "<"),
	S(setpgid, "dd"), S(setsid, ""), S(rt_sigpending, "6u"), S(rt_sigsuspend, "ku"),
	S(pause, ""), S(rt_sigtimedwait, "kpTu"), S(sigaltstack, "pp"),
	S(rt_sigqueueinfo, "dSp"), S(rt_tgsigqueueinfo, "ddSp"), S(getitimer, "ip"),
	S(setitimer, "ipp"), S(alarm, "u"), S(poll, "Ldd"), S(ppoll, "LdTku"),
	S(select, "dpppp"), S(pselect6, "dppppp"), S(epoll_create, "d"), S(epoll_create1, "U"),
	S(epoll_ctl, "dtdE"), S(epoll_wait, "dpdd"), S(epoll_pwait, "dpddku"),
	S(epoll_pwait2, "dpdTku"), S(getxattr, "sspu"), S(lgetxattr, "sspu"),
	S(fgetxattr, "dspu"), S(listxattr, "spu"), S(llistxattr, "spu"), S(flistxattr, "dpu"),
	S(setxattr, "ssbux"), S(lsetxattr, "ssbux"), S(fsetxattr, "dsbux"), S(removexattr, "ss"),
	S(lremovexattr, "ss"), S(fremovexattr, "ds"), S(sendfile, "ddpu"), S(splice, "dpdpux"),
	S(tee, "ddux"), S(copy_file_range, "dpdpux"), S(chown, "sdd"), S(lchown, "sdd"),
	S(fchown, "ddd"), S(fchownat, "Dsdda"), S(eventfd, "u"), S(eventfd2, "uU"),
	S(signalfd4, "dkuU"), S(timerfd_create, "CU"), S(shmget, "dux"), S(shmat, "dpx"),
	S(shmdt, "p"), S(shmctl, "ddp"), S(semget, "ddx"), S(semop, "dpu"), S(msgget, "dx"),
	S(setns, "d<"),
};

static bool exit_letter(char c)
{
	return c && strchr("B0123456789#$&^~", c);
}

/* Guest memory, read without leaving a trace in the fault record the CPU's
 * fault path looks at. */
static bool peek(struct task *t, void *dst, uint64_t addr, size_t n)
{
	if (!t->mm || !addr)
		return false;
	struct mm_fault_info saved = t->mm->last_fault;
	bool ok = !copy_from_guest(t->mm, dst, addr, n);
	t->mm->last_fault = saved;
	return ok;
}

static void tb_addr(struct tbuf *b, uint64_t v)
{
	if (v)
		tb_printf(b, "%#llx", (unsigned long long)v);
	else
		tb_puts(b, "NULL");
}

/* strace's string_quote: C escapes, octal for the rest (three digits when
 * a digit follows), or \x for every byte when @hex. */
void tb_quote(struct tbuf *b, const unsigned char *s, size_t n, bool hex)
{
	tb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (hex) {
			tb_printf(b, "\\x%02x", c);
			continue;
		}
		switch (c) {
		case '"': tb_puts(b, "\\\""); continue;
		case '\\': tb_puts(b, "\\\\"); continue;
		case '\f': tb_puts(b, "\\f"); continue;
		case '\n': tb_puts(b, "\\n"); continue;
		case '\r': tb_puts(b, "\\r"); continue;
		case '\t': tb_puts(b, "\\t"); continue;
		case '\v': tb_puts(b, "\\v"); continue;
		default: break;
		}
		if (c >= ' ' && c < 0x7f) {
			tb_putc(b, (char)c);
			continue;
		}
		tb_putc(b, '\\');
		if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
			tb_printf(b, "%03o", c);
		else
			tb_printf(b, "%o", c);
	}
	tb_putc(b, '"');
}

/* A buffer of @len bytes: at most -s of them, then "..." when cut. */
static void tb_buffer(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len, bool hex)
{
	size_t n = len < trace_strsize ? (size_t)len : trace_strsize;
	unsigned char tmp[4096] = {0};
	unsigned char *p = n <= sizeof(tmp) ? tmp : malloc(n);
	if (!p || (n && !peek(t, p, addr, n))) {
		tb_addr(b, addr);
	} else {
		tb_quote(b, p, n, hex);
		if (len > n)
			tb_puts(b, "...");
	}
	if (p != tmp)
		free(p);
}

/* A NUL-terminated string; @limit: cut at -s like argv (paths are not). */
static void tb_string(struct tbuf *b, struct task *t, uint64_t addr, bool limit)
{
	char tmp[4097];
	long n = t->mm && addr ? strncpy_from_guest(t->mm, tmp, addr, sizeof(tmp)) : -EFAULT;
	if (n == -ENAMETOOLONG)
		n = sizeof(tmp) - 1;
	if (n < 0) {
		tb_addr(b, addr);
		return;
	}
	size_t show = limit && (size_t)n > trace_strsize ? trace_strsize : (size_t)n;
	tb_quote(b, (unsigned char *)tmp, show, false);
	if (show < (size_t)n || n == sizeof(tmp) - 1)
		tb_puts(b, "...");
}

static void tb_argv(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t p;
	if (!addr) {
		tb_puts(b, "NULL");
		return;
	}
	tb_putc(b, '[');
	for (unsigned i = 0;; i++) {
		if (!peek(t, &p, addr + 8ull * i, 8)) {
			tb_printf(b, "%s%#llx", i ? ", " : "", (unsigned long long)(addr + 8ull * i));
			break;
		}
		if (!p)
			break;
		if (i)
			tb_puts(b, ", ");
		if (i == trace_strsize) {
			tb_puts(b, "...");
			break;
		}
		tb_string(b, t, p, true);
	}
	tb_putc(b, ']');
}

static void tb_envp(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t p = 1;
	unsigned n = 0;
	tb_addr(b, addr);
	if (!addr)
		return;
	while (n < 1u << 20 && peek(t, &p, addr + 8ull * n, 8) && p)
		n++;
	tb_printf(b, " /* %u var%s */", n, n == 1 ? "" : "s");
}

static void tb_timespec(struct tbuf *b, struct task *t, uint64_t addr)
{
	int64_t ts[2];
	if (!peek(t, ts, addr, sizeof(ts)))
		tb_addr(b, addr);
	else
		tb_printf(b, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
}

static void tb_sigaction(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t sa[4]; /* handler, flags, restorer, mask */
	if (!peek(t, sa, addr, sizeof(sa))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{sa_handler=");
	if (sa[0] == 0)
		tb_puts(b, "SIG_DFL");
	else if (sa[0] == 1)
		tb_puts(b, "SIG_IGN");
	else
		tb_printf(b, "%#llx", (unsigned long long)sa[0]);
	tb_puts(b, ", sa_mask=");
	tb_sigset(b, sa[3]);
	tb_puts(b, ", sa_flags=");
	tb_flags(b, sa[1], X(sa_flags), "0");
	if (sa[1] & 0x04000000)
		tb_printf(b, ", sa_restorer=%#llx", (unsigned long long)sa[2]);
	tb_putc(b, '}');
}

static void tb_stat(struct tbuf *b, struct task *t, uint64_t addr)
{
	struct stat st;
	if (!peek(t, &st, addr, sizeof(st))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{st_mode=");
	tb_mode(b, st.st_mode, true);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		tb_printf(b, ", st_rdev=makedev(%#x, %#x)", major(st.st_rdev), minor(st.st_rdev));
	else
		tb_printf(b, ", st_size=%lld", (long long)st.st_size);
	tb_puts(b, ", ...}");
}

static void tb_statx(struct tbuf *b, struct task *t, uint64_t addr)
{
	struct statx sx;
	if (!peek(t, &sx, addr, sizeof(sx))) {
		tb_addr(b, addr);
		return;
	}
	tb_printf(b, "{stx_mask=%#x, stx_attributes=%#llx, stx_mode=", sx.stx_mask,
		  (unsigned long long)sx.stx_attributes);
	tb_mode(b, sx.stx_mode, true);
	tb_printf(b, ", stx_size=%llu, ...}", (unsigned long long)sx.stx_size);
}

static void tb_rlim_val(struct tbuf *b, uint64_t v)
{
	if (v == ~0ull)
		tb_puts(b, "RLIM64_INFINITY");
	else if (v && !(v % 1024))
		tb_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		tb_printf(b, "%llu", (unsigned long long)v);
}

static void tb_rlimit(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t r[2];
	if (!peek(t, r, addr, sizeof(r))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{rlim_cur=");
	tb_rlim_val(b, r[0]);
	tb_puts(b, ", rlim_max=");
	tb_rlim_val(b, r[1]);
	tb_putc(b, '}');
}

static void tb_pollfds(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n)
{
	if (!addr) {
		tb_puts(b, "NULL");
		return;
	}
	tb_putc(b, '[');
	for (uint64_t i = 0; i < n; i++) {
		struct { int32_t fd; int16_t events, revents; } p;
		if (i == trace_strsize) {
			tb_puts(b, ", ...");
			break;
		}
		if (!peek(t, &p, addr + 8 * i, 8)) {
			tb_printf(b, "%s%#llx", i ? ", " : "", (unsigned long long)(addr + 8 * i));
			break;
		}
		tb_printf(b, "%s{fd=%d, events=", i ? ", " : "", p.fd);
		tb_flags(b, (uint16_t)p.events, X(poll_events), "0");
		tb_putc(b, '}');
	}
	tb_putc(b, ']');
}

/* An iovec array; @total: bytes of data to show in all (-1: each whole). */
static void tb_iovec(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n, uint64_t total)
{
	if (!addr) {
		tb_puts(b, "NULL");
		return;
	}
	tb_putc(b, '[');
	for (uint64_t i = 0; i < n; i++) {
		uint64_t iov[2];
		if (i == trace_strsize) {
			tb_puts(b, ", ...");
			break;
		}
		if (!peek(t, iov, addr + 16 * i, 16)) {
			tb_printf(b, "%s%#llx", i ? ", " : "", (unsigned long long)(addr + 16 * i));
			break;
		}
		uint64_t show = iov[1] < total ? iov[1] : total;
		total -= show;
		tb_printf(b, "%s{iov_base=", i ? ", " : "");
		tb_buffer(b, t, iov[0], show, false);
		tb_printf(b, ", iov_len=%llu}", (unsigned long long)iov[1]);
	}
	tb_putc(b, ']');
}

static void tb_sockaddr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len)
{
	unsigned char sa[128] = {0};
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (len < 2 || !peek(t, sa, addr, len)) {
		tb_addr(b, addr);
		return;
	}
	uint16_t fam;
	memcpy(&fam, sa, 2);
	tb_puts(b, "{sa_family=");
	tb_value(b, fam, X(af), "%llu");
	if (fam == AF_UNIX && len > 2) {
		const char *path = (const char *)sa + 2;
		size_t n = strnlen(path, len - 2);
		if (!n && len > 3) {
			tb_puts(b, ", sun_path=@");
			tb_quote(b, sa + 3, len - 3, false);
		} else {
			tb_puts(b, ", sun_path=");
			tb_quote(b, (const unsigned char *)path, n, false);
		}
	} else if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof(in));
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip));
		tb_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")", ntohs(in.sin_port), ip);
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof(in6));
		char ip[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip));
		tb_printf(b, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"%s\", &sin6_addr)",
			  ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip);
	} else {
		tb_puts(b, ", ...");
	}
	tb_putc(b, '}');
}

/* A msghdr; @data: bytes to show from its iovecs (-1: all). */
static void tb_msghdr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t data)
{
	struct { uint64_t name; uint32_t namelen, pad; uint64_t iov, iovlen, control, controllen;
		 int32_t flags; } m;
	if (!peek(t, &m, addr, sizeof(m))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{msg_name=");
	if (m.name && m.namelen)
		tb_sockaddr(b, t, m.name, m.namelen);
	else
		tb_addr(b, m.name);
	tb_printf(b, ", msg_namelen=%u, msg_iov=", m.namelen);
	tb_iovec(b, t, m.iov, m.iovlen, data);
	tb_printf(b, ", msg_iovlen=%llu", (unsigned long long)m.iovlen);
	if (m.controllen) {
		tb_puts(b, ", msg_control=");
		tb_addr(b, m.control);
	}
	tb_printf(b, ", msg_controllen=%llu, msg_flags=", (unsigned long long)m.controllen);
	tb_flags(b, (uint32_t)m.flags, X(msg_flags), "0");
	tb_putc(b, '}');
}

static void tb_uname(struct tbuf *b, struct task *t, uint64_t addr)
{
	char u[6][65];
	if (!peek(t, u, addr, sizeof(u))) {
		tb_addr(b, addr);
		return;
	}
	u[0][64] = u[1][64] = 0;
	tb_puts(b, "{sysname=");
	tb_quote(b, (unsigned char *)u[0], strlen(u[0]), false);
	tb_puts(b, ", nodename=");
	tb_quote(b, (unsigned char *)u[1], strlen(u[1]), false);
	tb_puts(b, ", ...}");
}

static void tb_getdents(struct tbuf *b, struct task *t, uint64_t addr, long ret)
{
	unsigned n = 0;
	for (long off = 0; off + 19 <= ret;) {
		uint16_t reclen;
		if (!peek(t, &reclen, addr + (uint64_t)off + 16, 2) || !reclen)
			break;
		off += reclen;
		n++;
	}
	tb_printf(b, "%#llx /* %u entr%s */", (unsigned long long)addr, n, n == 1 ? "y" : "ies");
}

static const struct flag_name ioctls[] = {
	{TCGETS, "TCGETS"},       {TCSETS, "TCSETS"},         {TCSETSW, "TCSETSW"},
	{TCSETSF, "TCSETSF"},     {TIOCGWINSZ, "TIOCGWINSZ"}, {TIOCSWINSZ, "TIOCSWINSZ"},
	{TIOCGPGRP, "TIOCGPGRP"}, {TIOCSPGRP, "TIOCSPGRP"},   {TIOCSCTTY, "TIOCSCTTY"},
	{TIOCNOTTY, "TIOCNOTTY"}, {FIONREAD, "FIONREAD"},     {FIONBIO, "FIONBIO"},
	{FIOCLEX, "FIOCLEX"},     {FIONCLEX, "FIONCLEX"},     {TIOCGPTN, "TIOCGPTN"},
	{TIOCSPTLCK, "TIOCSPTLCK"}, {TIOCGSID, "TIOCGSID"},   {TCFLSH, "TCFLSH"},
	{TIOCOUTQ, "TIOCOUTQ"},   {TCXONC, "TCXONC"},         {TCSBRK, "TCSBRK"},
};

static void tb_int_out(struct tbuf *b, struct task *t, uint64_t addr, int n)
{
	int32_t v[2];
	if (!peek(t, v, addr, 4u * n)) {
		tb_addr(b, addr);
		return;
	}
	if (n == 2)
		tb_printf(b, "[%d, %d]", v[0], v[1]);
	else
		tb_printf(b, "[%d]", v[0]);
}

/* One argument, by its letter. */
static void put_arg(struct tbuf *b, struct task *t, long nr, char c, const uint64_t *a, int i,
		    long ret)
{
	uint64_t v = a[i], next = i < 5 ? a[i + 1] : 0;
	bool failed = ret < 0 && ret >= -4095;
	if (exit_letter(c) && failed) {
		tb_addr(b, v);
		return;
	}
	switch (c) {
	case 'a': tb_flags(b, (uint32_t)v, X(at_flags), "0"); break;
	case 'b': tb_buffer(b, t, v, next, false); break;
	case 'c': tb_value(b, (uint32_t)v, X(fcntl_cmds), "%#llx"); break;
	case 'd': tb_printf(b, "%d", (int)v); break;
	case 'e': tb_envp(b, t, v); break;
	case 'g': tb_flags(b, (uint32_t)v, X(grnd), "0"); break;
	case 'h': tb_value(b, (uint32_t)v, X(sig_how), "%#llx"); break;
	case 'i': tb_value(b, (uint32_t)v, X(itimers), "%#llx"); break;
	case 'j': tb_flags(b, (uint32_t)v, X(access_modes), "F_OK"); break;
	case 'k':
		if (peek(t, &v, v, 8))
			tb_sigset(b, v);
		else
			tb_addr(b, a[i]);
		break;
	case 'l': tb_printf(b, "%lld", (long long)v); break;
	case 'm': tb_mode(b, (uint32_t)v, false); break;
	case 'n': tb_flags(b, (uint32_t)v, X(msg_flags), "0"); break;
	case 'o': tb_open_flags(b, (uint32_t)v); break;
	case 'q': tb_value(b, v, X(arch_prctl), "%#llx"); break;
	case 'r': tb_value(b, (uint32_t)v, X(rlimits), "%#llx"); break;
	case 's': tb_string(b, t, v, false); break;
	case 't': tb_value(b, (uint32_t)v, X(epoll_ops), "%#llx"); break;
	case 'u': tb_printf(b, "%llu", (unsigned long long)v); break;
	case 'v': tb_argv(b, t, v); break;
	case 'w': tb_flags(b, (uint32_t)v, X(wait_flags), "0"); break;
	case 'y': tb_value(b, (uint32_t)v, X(af), "%llu"); break;
	case 'z':
		tb_value(b, v & 0xf, X(sock_type), "%#llx");
		if (v & SOCK_NONBLOCK)
			tb_puts(b, "|SOCK_NONBLOCK");
		if (v & SOCK_CLOEXEC)
			tb_puts(b, "|SOCK_CLOEXEC");
		if (v & ~(uint64_t)(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC))
			tb_printf(b, "|%#llx", (unsigned long long)(v & ~(uint64_t)(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)));
		break;
	case 'A': tb_sigaction(b, t, v); break;
	case 'C': tb_value(b, (uint32_t)v, X(clocks), "%llu"); break;
	case 'D':
		if ((int)v == AT_FDCWD)
			tb_puts(b, "AT_FDCWD");
		else
			tb_printf(b, "%d", (int)v);
		break;
	case 'E': {
		struct { uint32_t events; uint64_t data; } __attribute__((packed)) ev;
		if (!peek(t, &ev, v, sizeof(ev))) {
			tb_addr(b, v);
			break;
		}
		tb_puts(b, "{events=");
		tb_flags(b, ev.events, X(epoll_events), "0");
		tb_printf(b, ", data={u32=%u, u64=%llu}}", (uint32_t)ev.data, (unsigned long long)ev.data);
		break;
	}
	case 'G': tb_value(b, (uint32_t)v, X(madv), "%llu"); break;
	case 'H': tb_msghdr(b, t, v, ~0ull); break;
	case 'I': tb_value(b, (uint32_t)v, X(prctl), "%#llx"); break;
	case 'J': tb_value(b, (uint32_t)v, X(shut), "%llu"); break;
	case 'K': tb_flags(b, (uint32_t)v, X(clock_flags), "0"); break;
	case 'L': tb_pollfds(b, t, v, next); break;
	case 'M': tb_flags(b, v, X(map_flags), "0"); break;
	case 'N': tb_flags(b, v, X(mremap), "0"); break;
	case 'O': tb_value(b, (uint32_t)v, XLAT(ioctls), "%#llx"); break;
	case 'P': tb_flags(b, v, X(prot), "PROT_NONE"); break;
	case 'Q': tb_sockaddr(b, t, v, next); break;
	case 'R': tb_value(b, (uint32_t)v, X(sol), "%llu"); break;
	case 'S': tb_signal(b, (int)v); break;
	case 'T':
		if (v)
			tb_timespec(b, t, v);
		else
			tb_puts(b, "NULL");
		break;
	case 'U':
		if ((uint32_t)v) {
			/* O_CLOEXEC-style flags without an access mode. */
			struct tbuf tmp = {0};
			tb_open_flags(&tmp, (uint32_t)v);
			tb_puts(b, tmp.s ? tmp.s + strlen("O_RDONLY|") : "0");
			free(tmp.s);
		} else {
			tb_putc(b, '0');
		}
		break;
	case 'V': tb_value(b, (uint32_t)v, X(prio_which), "%llu"); break;
	case 'W': tb_value(b, (uint32_t)v, X(whence), "%llu"); break;
	case 'X':
		if (v)
			tb_rlimit(b, t, v);
		else
			tb_puts(b, "NULL");
		break;
	case 'Y': tb_value(b, (uint32_t)v, X(sched_policy), "%llu"); break;
	case 'Z': {
		uint64_t f = v & (SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (!v)
			tb_putc(b, '0');
		else if (f == v)
			tb_printf(b, "%s%s%s", v & SOCK_CLOEXEC ? "SOCK_CLOEXEC" : "",
				  f == (SOCK_NONBLOCK | SOCK_CLOEXEC) ? "|" : "",
				  v & SOCK_NONBLOCK ? "SOCK_NONBLOCK" : "");
		else
			tb_printf(b, "%#llx", (unsigned long long)v);
		break;
	}
	case '*': tb_iovec(b, t, v, next, ~0ull); break;
	case '<': tb_clone_flags(b, v, false); break;
	/* Filled in by the call. */
	case 'B': tb_buffer(b, t, v, (uint64_t)ret, nr == __NR_getrandom); break;
	case '0': tb_getdents(b, t, v, ret); break;
	case '1': tb_stat(b, t, v); break;
	case '2': tb_statx(b, t, v); break;
	case '3': {
		int32_t st;
		if (v && ret > 0 && peek(t, &st, v, 4))
			tb_wait_status(b, st);
		else
			tb_addr(b, v);
		break;
	}
	case '4':
		if (v)
			tb_timespec(b, t, v);
		else
			tb_puts(b, "NULL");
		break;
	case '5':
		if (v)
			tb_sigaction(b, t, v);
		else
			tb_puts(b, "NULL");
		break;
	case '6':
		if (v && peek(t, &v, v, 8))
			tb_sigset(b, v);
		else
			tb_addr(b, a[i]);
		break;
	case '7': tb_int_out(b, t, v, 2); break;
	case '8':
		if (v)
			tb_rlimit(b, t, v);
		else
			tb_puts(b, "NULL");
		break;
	case '9': {
		/* readlink's result has no NUL; getcwd's length counts it. */
		uint64_t n = nr == __NR_getcwd && ret > 0 ? (uint64_t)ret - 1 : (uint64_t)ret;
		tb_buffer(b, t, v, n, false);
		break;
	}
	case '#': tb_msghdr(b, t, v, (uint64_t)ret); break;
	case '$': tb_uname(b, t, v); break;
	case '&': tb_int_out(b, t, v, 1); break;
	case '^': tb_iovec(b, t, v, next, (uint64_t)ret); break;
	case '~': {
		int64_t tv[2];
		if (peek(t, tv, v, sizeof(tv)))
			tb_printf(b, "{tv_sec=%lld, tv_usec=%lld}", (long long)tv[0], (long long)tv[1]);
		else
			tb_addr(b, v);
		break;
	}
	case 'x':
		tb_printf(b, "%#llx", (unsigned long long)v);
		break;
	case 'p':
	default: tb_addr(b, v); break;
	}
}

/* Syscalls whose arguments depend on one another. */
static bool custom_args(struct tbuf *b, struct task *t, long nr, const uint64_t *a)
{
	switch (nr) {
	case __NR_clone: {
		/* x86_64 order: flags, stack, parent_tid, child_tid, tls. */
		tb_puts(b, "child_stack=");
		tb_addr(b, a[1]);
		tb_puts(b, ", flags=");
		tb_clone_flags(b, a[0], true);
		if (a[0] & (CLONE_PARENT_SETTID | 0x1000))
			tb_printf(b, ", parent_tid=%#llx", (unsigned long long)a[2]);
		if (a[0] & CLONE_SETTLS)
			tb_printf(b, ", tls=%#llx", (unsigned long long)a[4]);
		if (a[0] & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			tb_printf(b, ", child_tidptr=%#llx", (unsigned long long)a[3]);
		return true;
	}
	case __NR_clone3: {
		uint64_t ca[8]; /* flags pidfd child_tid parent_tid exit_signal stack size tls */
		if (!peek(t, ca, a[0], sizeof(ca))) {
			tb_addr(b, a[0]);
		} else {
			tb_puts(b, "{flags=");
			tb_clone_flags(b, ca[0], false);
			if (ca[0] & 0x1000)
				tb_printf(b, ", pidfd=%#llx", (unsigned long long)ca[1]);
			if (ca[0] & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
				tb_printf(b, ", child_tid=%#llx", (unsigned long long)ca[2]);
			if (ca[0] & CLONE_PARENT_SETTID)
				tb_printf(b, ", parent_tid=%#llx", (unsigned long long)ca[3]);
			tb_puts(b, ", exit_signal=");
			if (ca[4])
				tb_signal(b, (int)ca[4]);
			else
				tb_putc(b, '0');
			tb_printf(b, ", stack=%#llx, stack_size=%#llx", (unsigned long long)ca[5],
				  (unsigned long long)ca[6]);
			if (ca[0] & CLONE_SETTLS)
				tb_printf(b, ", tls=%#llx", (unsigned long long)ca[7]);
			tb_putc(b, '}');
		}
		tb_printf(b, ", %llu", (unsigned long long)a[1]);
		return true;
	}
	case __NR_futex: {
		int cmd = (int)(a[1] & FUTEX_CMD_MASK);
		tb_addr(b, a[0]);
		tb_puts(b, ", ");
		tb_futex_op(b, a[1]);
		switch (cmd) {
		case FUTEX_WAIT:
		case FUTEX_WAIT_BITSET:
			tb_printf(b, ", %u, ", (uint32_t)a[2]);
			put_arg(b, t, nr, 'T', a, 3, 0);
			if (cmd == FUTEX_WAIT_BITSET) {
				if ((uint32_t)a[5] == FUTEX_BITSET_MATCH_ANY)
					tb_puts(b, ", FUTEX_BITSET_MATCH_ANY");
				else
					tb_printf(b, ", %#x", (uint32_t)a[5]);
			}
			break;
		case FUTEX_WAKE:
			tb_printf(b, ", %u", (uint32_t)a[2]);
			break;
		case FUTEX_WAKE_BITSET:
			tb_printf(b, ", %u, ", (uint32_t)a[2]);
			if ((uint32_t)a[5] == FUTEX_BITSET_MATCH_ANY)
				tb_puts(b, "FUTEX_BITSET_MATCH_ANY");
			else
				tb_printf(b, "%#x", (uint32_t)a[5]);
			break;
		case FUTEX_REQUEUE:
			tb_printf(b, ", %u, %u, %#llx", (uint32_t)a[2], (uint32_t)a[3],
				  (unsigned long long)a[4]);
			break;
		case FUTEX_CMP_REQUEUE:
		case FUTEX_CMP_REQUEUE_PI:
			tb_printf(b, ", %u, %u, %#llx, %u", (uint32_t)a[2], (uint32_t)a[3],
				  (unsigned long long)a[4], (uint32_t)a[5]);
			break;
		case FUTEX_LOCK_PI:
		case 13: /* FUTEX_LOCK_PI2 */
			tb_puts(b, ", ");
			put_arg(b, t, nr, 'T', a, 3, 0);
			break;
		case FUTEX_UNLOCK_PI:
		case FUTEX_TRYLOCK_PI:
			break;
		default:
			tb_printf(b, ", %u, %#llx, %#llx, %#llx", (uint32_t)a[2], (unsigned long long)a[3],
				  (unsigned long long)a[4], (unsigned long long)a[5]);
		}
		return true;
	}
	case __NR_fcntl: {
		int cmd = (int)a[1];
		tb_printf(b, "%d, ", (int)a[0]);
		put_arg(b, t, nr, 'c', a, 1, 0);
		switch (cmd) {
		case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
		case F_GETPIPE_SZ: case F_GET_SEALS:
			break;
		case F_SETFD:
			tb_puts(b, ", ");
			tb_flags(b, (uint32_t)a[2], X(fd_flags), "0");
			break;
		case F_SETFL:
			tb_puts(b, ", ");
			tb_open_flags(b, (uint32_t)a[2]);
			break;
		case F_GETLK: case F_SETLK: case F_SETLKW: case F_OFD_GETLK: case F_OFD_SETLK:
		case F_OFD_SETLKW: case F_GETOWN_EX: case F_SETOWN_EX:
			tb_puts(b, ", ");
			tb_addr(b, a[2]);
			break;
		default:
			tb_printf(b, ", %d", (int)a[2]);
		}
		return true;
	}
	case __NR_rt_sigreturn: {
		uint64_t mask;
		if (peek(t, &mask, emu_reg_read(EREG_RSP) + 296, 8)) {
			tb_puts(b, "{mask=");
			tb_sigset(b, mask);
			tb_putc(b, '}');
		}
		return true;
	}
	default:
		return false;
	}
}

int trace_nargs(long nr)
{
	if (nr < 0 || nr >= NR_SYSCALLS)
		return 6;
	if (specs[nr])
		return (int)strlen(specs[nr]);
	return syscall_table[nr].fn ? syscall_table[nr].nargs : 6;
}

int trace_args(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret, int from,
	       bool exiting)
{
	int n = trace_nargs(nr);
	/* open's mode is printed only when it is used, as strace does. */
	if ((nr == __NR_open || nr == __NR_openat) &&
	    !(a[nr == __NR_open ? 1 : 2] & (O_CREAT | __O_TMPFILE)))
		n--;
	if (!exiting && custom_args(b, t, nr, a))
		return n; /* these print everything at entry */
	const char *spec = nr >= 0 && nr < NR_SYSCALLS ? specs[nr] : NULL;
	for (int i = from; i < n; i++) {
		char c = spec ? spec[i] : 0;
		if (!exiting && exit_letter(c))
			return i;
		if (c) {
			put_arg(b, t, nr, c, a, i, ret);
		} else if ((int64_t)a[i] >= -4096 && (int64_t)a[i] < 65536) {
			tb_printf(b, "%lld", (long long)a[i]); /* no decoder: raw */
		} else {
			tb_printf(b, "%#llx", (unsigned long long)a[i]);
		}
		if (i + 1 < n)
			tb_puts(b, ", ");
	}
	return n;
}

void trace_retval(struct tbuf *b, long nr, long ret)
{
	if (ret < 0 && ret >= -4095) {
		tb_puts(b, "-1 ");
		tb_errno(b, (int)-ret);
	} else if (nr == __NR_mmap || nr == __NR_brk || nr == __NR_mremap || nr == __NR_shmat) {
		tb_printf(b, "%#lx", (unsigned long)ret);
	} else if (nr == __NR_umask) {
		tb_printf(b, "%#03lo", (unsigned long)ret);
	} else {
		tb_printf(b, "%ld", ret);
	}
}
