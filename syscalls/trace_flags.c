/* --trace: the names strace gives to flags, constants, signals, errnos and
 * wait statuses, and the text buffer lines are built in. */
#include "syscalls/trace_internal.h"

#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void tb_putc(struct tbuf *b, char c)
{
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *s = realloc(b->s, cap);
		if (!s)
			return; /* the line loses a character; tracing goes on */
		b->s = s;
		b->cap = cap;
	}
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

void tb_puts(struct tbuf *b, const char *s)
{
	while (*s)
		tb_putc(b, *s++);
}

void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	tb_puts(b, tmp);
}

#define F(x) {x, #x}
#define N(name) const size_t trace_##name##_n = sizeof(trace_##name) / sizeof(trace_##name[0])

const struct flag_name trace_prot[] = {F(PROT_READ), F(PROT_WRITE), F(PROT_EXEC), {0x8, "PROT_SEM"},
				       F(PROT_GROWSDOWN), F(PROT_GROWSUP)};
N(prot);
const struct flag_name trace_map_flags[] = {
	F(MAP_SHARED),    F(MAP_PRIVATE),   {0x03, "MAP_SHARED_VALIDATE"}, F(MAP_FIXED),
	F(MAP_ANONYMOUS), F(MAP_32BIT),     F(MAP_GROWSDOWN), F(MAP_DENYWRITE),
	F(MAP_EXECUTABLE), F(MAP_LOCKED),   F(MAP_NORESERVE), F(MAP_POPULATE),
	F(MAP_NONBLOCK),  F(MAP_STACK),     F(MAP_HUGETLB),   {0x80000, "MAP_SYNC"},
	{0x100000, "MAP_FIXED_NOREPLACE"}, {0x4000000, "MAP_UNINITIALIZED"},
};
N(map_flags);
const struct flag_name trace_at_flags[] = {F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR),
					   F(AT_SYMLINK_FOLLOW), F(AT_NO_AUTOMOUNT),
					   F(AT_EMPTY_PATH), F(AT_EACCESS),
					   {0x4000, "AT_STATX_DONT_SYNC"}, {0x2000, "AT_STATX_FORCE_SYNC"},
					   {0x8000, "AT_RECURSIVE"}};
N(at_flags);
const struct flag_name trace_sa_flags[] = {
	F(SA_NOCLDSTOP), F(SA_NOCLDWAIT), F(SA_SIGINFO), {0x04000000, "SA_RESTORER"},
	F(SA_ONSTACK),   F(SA_RESTART),   F(SA_NODEFER), F(SA_RESETHAND),
};
N(sa_flags);
const struct flag_name trace_wait_flags[] = {F(WNOHANG), F(WUNTRACED), F(WEXITED), F(WCONTINUED),
					     F(WNOWAIT), F(__WNOTHREAD), F(__WALL), F(__WCLONE)};
N(wait_flags);
const struct flag_name trace_clocks[] = {
	F(CLOCK_REALTIME), F(CLOCK_MONOTONIC), F(CLOCK_PROCESS_CPUTIME_ID),
	F(CLOCK_THREAD_CPUTIME_ID), F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE),
	F(CLOCK_MONOTONIC_COARSE), F(CLOCK_BOOTTIME), F(CLOCK_REALTIME_ALARM),
	F(CLOCK_BOOTTIME_ALARM), F(CLOCK_TAI),
};
N(clocks);
const struct flag_name trace_clock_flags[] = {F(TIMER_ABSTIME)};
N(clock_flags);
const struct flag_name trace_rlimits[] = {
	F(RLIMIT_CPU),   F(RLIMIT_FSIZE), F(RLIMIT_DATA),    F(RLIMIT_STACK),   F(RLIMIT_CORE),
	F(RLIMIT_RSS),   F(RLIMIT_NPROC), F(RLIMIT_NOFILE),  F(RLIMIT_MEMLOCK), F(RLIMIT_AS),
	F(RLIMIT_LOCKS), F(RLIMIT_SIGPENDING), F(RLIMIT_MSGQUEUE), F(RLIMIT_NICE),
	F(RLIMIT_RTPRIO), F(RLIMIT_RTTIME),
};
N(rlimits);
const struct flag_name trace_fcntl_cmds[] = {
	F(F_DUPFD),   F(F_GETFD),   F(F_SETFD),   F(F_GETFL),    F(F_SETFL),    F(F_GETLK),
	F(F_SETLK),   F(F_SETLKW),  F(F_SETOWN),  F(F_GETOWN),   F(F_SETSIG),   F(F_GETSIG),
	F(F_SETOWN_EX), F(F_GETOWN_EX), F(F_OFD_GETLK), F(F_OFD_SETLK), F(F_OFD_SETLKW),
	F(F_SETLEASE), F(F_GETLEASE), F(F_NOTIFY), F(F_DUPFD_CLOEXEC), F(F_SETPIPE_SZ),
	F(F_GETPIPE_SZ), F(F_ADD_SEALS), F(F_GET_SEALS),
};
N(fcntl_cmds);
const struct flag_name trace_fd_flags[] = {F(FD_CLOEXEC)};
N(fd_flags);
const struct flag_name trace_sig_how[] = {F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK)};
N(sig_how);
const struct flag_name trace_whence[] = {F(SEEK_SET), F(SEEK_CUR), F(SEEK_END), F(SEEK_DATA),
					 F(SEEK_HOLE)};
N(whence);
const struct flag_name trace_poll_events[] = {F(POLLIN),   F(POLLPRI),    F(POLLOUT),
					      F(POLLERR),  F(POLLHUP),    F(POLLNVAL),
					      F(POLLRDNORM), F(POLLRDBAND), F(POLLWRNORM),
					      F(POLLWRBAND), F(POLLMSG),  F(POLLRDHUP)};
N(poll_events);
const struct flag_name trace_arch_prctl[] = {F(ARCH_SET_GS), F(ARCH_SET_FS), F(ARCH_GET_FS),
					     F(ARCH_GET_GS), {0x1001, "ARCH_GET_CPUID"},
					     {0x1002, "ARCH_SET_CPUID"}};
N(arch_prctl);
const struct flag_name trace_af[] = {F(AF_UNSPEC), F(AF_UNIX), F(AF_INET), F(AF_INET6),
				     F(AF_NETLINK), F(AF_PACKET)};
N(af);
const struct flag_name trace_sock_type[] = {F(SOCK_STREAM), F(SOCK_DGRAM), F(SOCK_RAW),
					    F(SOCK_RDM), F(SOCK_SEQPACKET), F(SOCK_PACKET)};
N(sock_type);
const struct flag_name trace_epoll_ops[] = {F(EPOLL_CTL_ADD), F(EPOLL_CTL_DEL), F(EPOLL_CTL_MOD)};
N(epoll_ops);
const struct flag_name trace_epoll_events[] = {
	F(EPOLLIN),     F(EPOLLPRI),    F(EPOLLOUT),    F(EPOLLERR),     F(EPOLLHUP),
	{0x20, "EPOLLNVAL"}, F(EPOLLRDNORM), F(EPOLLRDBAND), F(EPOLLWRNORM),  F(EPOLLWRBAND),
	F(EPOLLMSG),    F(EPOLLRDHUP),  F(EPOLLEXCLUSIVE), F(EPOLLWAKEUP), F(EPOLLONESHOT),
	F(EPOLLET),
};
N(epoll_events);
const struct flag_name trace_grnd[] = {F(GRND_NONBLOCK), F(GRND_RANDOM), {4, "GRND_INSECURE"}};
N(grnd);
const struct flag_name trace_access_modes[] = {F(R_OK), F(W_OK), F(X_OK)};
N(access_modes);
const struct flag_name trace_msg_flags[] = {
	F(MSG_OOB),      F(MSG_PEEK),     F(MSG_DONTROUTE), F(MSG_CTRUNC),   F(MSG_PROXY),
	F(MSG_TRUNC),    F(MSG_DONTWAIT), F(MSG_EOR),       F(MSG_WAITALL),  F(MSG_FIN),
	F(MSG_SYN),      F(MSG_CONFIRM),  F(MSG_RST),       F(MSG_ERRQUEUE), F(MSG_NOSIGNAL),
	F(MSG_MORE),     F(MSG_WAITFORONE), F(MSG_FASTOPEN), F(MSG_CMSG_CLOEXEC),
};
N(msg_flags);
const struct flag_name trace_madv[] = {
	F(MADV_NORMAL), F(MADV_RANDOM), F(MADV_SEQUENTIAL), F(MADV_WILLNEED), F(MADV_DONTNEED),
	F(MADV_FREE), F(MADV_REMOVE), F(MADV_DONTFORK), F(MADV_DOFORK), F(MADV_MERGEABLE),
	F(MADV_UNMERGEABLE), F(MADV_HUGEPAGE), F(MADV_NOHUGEPAGE), F(MADV_DONTDUMP),
	F(MADV_DODUMP), F(MADV_WIPEONFORK), F(MADV_KEEPONFORK), F(MADV_COLD), F(MADV_PAGEOUT),
	F(MADV_HWPOISON),
};
N(madv);
const struct flag_name trace_prctl[] = {
	F(PR_SET_PDEATHSIG), F(PR_GET_PDEATHSIG), F(PR_GET_DUMPABLE), F(PR_SET_DUMPABLE),
	F(PR_SET_NAME), F(PR_GET_NAME), F(PR_SET_CHILD_SUBREAPER), F(PR_GET_CHILD_SUBREAPER),
	F(PR_SET_NO_NEW_PRIVS), F(PR_GET_NO_NEW_PRIVS), F(PR_SET_SECCOMP), F(PR_GET_SECCOMP),
	F(PR_CAPBSET_READ), F(PR_CAPBSET_DROP), F(PR_SET_KEEPCAPS), F(PR_GET_KEEPCAPS),
	F(PR_SET_TIMERSLACK), F(PR_GET_TIMERSLACK), F(PR_SET_MM), F(PR_SET_VMA),
	F(PR_CAP_AMBIENT), F(PR_GET_TID_ADDRESS), F(PR_SET_THP_DISABLE), F(PR_GET_THP_DISABLE),
};
N(prctl);
const struct flag_name trace_statx_mask[] = {
	{0x7ff, "STATX_BASIC_STATS"}, {0x1, "STATX_TYPE"}, {0x2, "STATX_MODE"},
	{0x4, "STATX_NLINK"}, {0x8, "STATX_UID"}, {0x10, "STATX_GID"}, {0x20, "STATX_ATIME"},
	{0x40, "STATX_MTIME"}, {0x80, "STATX_CTIME"}, {0x100, "STATX_INO"}, {0x200, "STATX_SIZE"},
	{0x400, "STATX_BLOCKS"}, {0x800, "STATX_BTIME"}, {0x1000, "STATX_MNT_ID"},
	{0x2000, "STATX_DIOALIGN"}, {0x4000, "STATX_MNT_ID_UNIQUE"},
};
N(statx_mask);
const struct flag_name trace_statx_attrs[] = {
	{0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"}, {0x20, "STATX_ATTR_APPEND"},
	{0x40, "STATX_ATTR_NODUMP"}, {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"},
	{0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"}, {0x200000, "STATX_ATTR_DAX"},
};
N(statx_attrs);
const struct flag_name trace_ipc_cmds[] = {
	{0, "IPC_RMID"}, {1, "IPC_SET"}, {2, "IPC_STAT"}, {3, "IPC_INFO"}, {11, "GETPID"},
	{12, "GETVAL"}, {13, "GETALL"}, {14, "GETNCNT"}, {15, "GETZCNT"}, {16, "SETVAL"},
	{17, "SETALL"}, {18, "SEM_STAT"}, {19, "SEM_INFO"},
};
N(ipc_cmds);
const struct flag_name trace_mremap[] = {F(MREMAP_MAYMOVE), F(MREMAP_FIXED), {4, "MREMAP_DONTUNMAP"}};
N(mremap);
const struct flag_name trace_sol[] = {F(SOL_SOCKET), {6, "SOL_TCP"}, {0, "SOL_IP"},
				      {41, "SOL_IPV6"}, {17, "SOL_UDP"}};
N(sol);
const struct flag_name trace_so_opts[] = {
	F(SO_DEBUG), F(SO_REUSEADDR), F(SO_TYPE), F(SO_ERROR), F(SO_DONTROUTE), F(SO_BROADCAST),
	F(SO_SNDBUF), F(SO_RCVBUF), F(SO_KEEPALIVE), F(SO_OOBINLINE), F(SO_NO_CHECK),
	F(SO_PRIORITY), F(SO_LINGER), F(SO_BSDCOMPAT), F(SO_REUSEPORT), F(SO_PASSCRED),
	F(SO_PEERCRED), F(SO_RCVLOWAT), F(SO_SNDLOWAT), {20, "SO_RCVTIMEO_OLD"},
	{21, "SO_SNDTIMEO_OLD"}, F(SO_BINDTODEVICE), F(SO_ACCEPTCONN), F(SO_PEERSEC),
	F(SO_SNDBUFFORCE), F(SO_RCVBUFFORCE), F(SO_PASSSEC), {35, "SO_TIMESTAMPNS_OLD"},
	F(SO_MARK), F(SO_PROTOCOL), F(SO_DOMAIN), F(SO_PEEK_OFF), {76, "SO_PASSPIDFD"},
	{77, "SO_PEERPIDFD"},
};
N(so_opts);
const struct flag_name trace_tcp_opts[] = {
	{1, "TCP_NODELAY"}, {2, "TCP_MAXSEG"}, {3, "TCP_CORK"}, {4, "TCP_KEEPIDLE"},
	{5, "TCP_KEEPINTVL"}, {6, "TCP_KEEPCNT"}, {9, "TCP_DEFER_ACCEPT"}, {11, "TCP_INFO"},
	{12, "TCP_QUICKACK"}, {18, "TCP_USER_TIMEOUT"}, {23, "TCP_FASTOPEN"},
};
N(tcp_opts);
const struct flag_name trace_ip_opts[] = {
	{1, "IP_TOS"}, {2, "IP_TTL"}, {3, "IP_HDRINCL"}, {4, "IP_OPTIONS"}, {8, "IP_RECVTTL"},
	{10, "IP_MTU_DISCOVER"}, {11, "IP_RECVERR"}, {32, "IP_MULTICAST_IF"},
	{33, "IP_MULTICAST_TTL"}, {34, "IP_MULTICAST_LOOP"}, {35, "IP_ADD_MEMBERSHIP"},
};
N(ip_opts);
const struct flag_name trace_ipv6_opts[] = {
	{16, "IPV6_UNICAST_HOPS"}, {26, "IPV6_V6ONLY"}, {49, "IPV6_RECVPKTINFO"},
};
N(ipv6_opts);
const struct flag_name trace_shut[] = {F(SHUT_RD), F(SHUT_WR), F(SHUT_RDWR)};
N(shut);
const struct flag_name trace_itimers[] = {F(ITIMER_REAL), F(ITIMER_VIRTUAL), F(ITIMER_PROF)};
N(itimers);
const struct flag_name trace_prio_which[] = {F(PRIO_PROCESS), F(PRIO_PGRP), F(PRIO_USER)};
N(prio_which);
const struct flag_name trace_sched_policy[] = {F(SCHED_OTHER), F(SCHED_FIFO), F(SCHED_RR),
					       F(SCHED_BATCH), F(SCHED_IDLE), {6, "SCHED_DEADLINE"}};
N(sched_policy);

static const struct flag_name clone_flags[] = {
	F(CLONE_VM), F(CLONE_FS), F(CLONE_FILES), F(CLONE_SIGHAND), {0x1000, "CLONE_PIDFD"},
	F(CLONE_PTRACE), F(CLONE_VFORK), F(CLONE_PARENT), F(CLONE_THREAD), F(CLONE_NEWNS),
	F(CLONE_SYSVSEM), F(CLONE_SETTLS), F(CLONE_PARENT_SETTID), F(CLONE_CHILD_CLEARTID),
	F(CLONE_DETACHED), F(CLONE_UNTRACED), F(CLONE_CHILD_SETTID), F(CLONE_NEWCGROUP),
	F(CLONE_NEWUTS), F(CLONE_NEWIPC), F(CLONE_NEWUSER), F(CLONE_NEWPID), F(CLONE_NEWNET),
	F(CLONE_IO), {0x100000000ull, "CLONE_CLEAR_SIGHAND"}, {0x200000000ull, "CLONE_INTO_CGROUP"},
	{0x80, "CLONE_NEWTIME"},
};

/* In strace's order; composites (O_SYNC, O_TMPFILE) before their parts. */
static const struct flag_name open_flags[] = {
	F(O_CREAT), F(O_EXCL), F(O_NOCTTY), F(O_TRUNC), F(O_APPEND), F(O_NONBLOCK),
	{04010000, "O_SYNC"}, F(O_DSYNC), F(O_DIRECT), {0100000, "O_LARGEFILE"}, F(O_NOFOLLOW),
	F(O_NOATIME), F(O_CLOEXEC), F(O_PATH), {020200000, "O_TMPFILE"}, F(O_DIRECTORY),
	F(FASYNC),
};

static const struct flag_name futex_cmds[] = {
	F(FUTEX_WAIT), F(FUTEX_WAKE), F(FUTEX_FD), F(FUTEX_REQUEUE), F(FUTEX_CMP_REQUEUE),
	F(FUTEX_WAKE_OP), F(FUTEX_LOCK_PI), F(FUTEX_UNLOCK_PI), F(FUTEX_TRYLOCK_PI),
	F(FUTEX_WAIT_BITSET), F(FUTEX_WAKE_BITSET), F(FUTEX_WAIT_REQUEUE_PI),
	F(FUTEX_CMP_REQUEUE_PI), {13, "FUTEX_LOCK_PI2"},
};

void tb_flags(struct tbuf *b, uint64_t v, struct xlat x, const char *zero)
{
	bool any = false;
	for (size_t i = 0; i < x.n; i++)
		if (x.v[i].bit && (v & x.v[i].bit) == x.v[i].bit) {
			tb_printf(b, "%s%s", any ? "|" : "", x.v[i].name);
			v &= ~x.v[i].bit;
			any = true;
		}
	if (v)
		tb_printf(b, "%s%#llx", any ? "|" : "", (unsigned long long)v);
	else if (!any)
		tb_puts(b, zero ? zero : "0");
}

void tb_value(struct tbuf *b, uint64_t v, struct xlat x, const char *fallback)
{
	for (size_t i = 0; i < x.n; i++)
		if (x.v[i].bit == v) {
			tb_puts(b, x.v[i].name);
			return;
		}
	tb_printf(b, fallback, v);
}

const char *trace_signame(int sig)
{
	static char rt[16];
	if (sig == 32)
		return "SIGRTMIN";
	if (sig > 32 && sig <= 64) {
		snprintf(rt, sizeof(rt), "SIGRT_%d", sig - 32);
		return rt;
	}
	const char *a = sig > 0 && sig < 32 ? sigabbrev_np(sig) : NULL;
	if (!a)
		return NULL;
	static char b[16];
	snprintf(b, sizeof(b), "SIG%s", a);
	return b;
}

void tb_signal(struct tbuf *b, int sig)
{
	const char *n = trace_signame(sig);
	if (n)
		tb_puts(b, n);
	else
		tb_printf(b, "%d", sig);
}

void tb_sigset(struct tbuf *b, uint64_t set)
{
	/* strace prints the complement when more than half is set. */
	bool inv = __builtin_popcountll(set) > 32;
	if (inv) {
		set = ~set;
		tb_putc(b, '~');
	}
	tb_putc(b, '[');
	bool first = true;
	for (int s = 1; s <= 64; s++)
		if (set & (1ull << (s - 1))) {
			const char *n = trace_signame(s);
			if (!first)
				tb_putc(b, ' ');
			first = false;
			if (n)
				tb_puts(b, n + 3);
			else
				tb_printf(b, "%d", s);
		}
	tb_putc(b, ']');
}

void tb_open_flags(struct tbuf *b, uint64_t v)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	tb_puts(b, acc[v & O_ACCMODE]);
	v &= ~(uint64_t)O_ACCMODE;
	if (v) {
		tb_putc(b, '|');
		tb_flags(b, v, XLAT(open_flags), NULL);
	}
}

void tb_mode(struct tbuf *b, uint64_t mode, bool with_type)
{
	if (with_type) {
		static const struct flag_name types[] = {F(S_IFREG), F(S_IFDIR), F(S_IFCHR), F(S_IFBLK),
							 F(S_IFIFO), F(S_IFLNK), F(S_IFSOCK)};
		bool named = false;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if ((mode & S_IFMT) == types[i].bit) {
				tb_printf(b, "%s|", types[i].name);
				named = true;
			}
		if (!named && (mode & S_IFMT))
			tb_printf(b, "%#llo|", (unsigned long long)(mode & S_IFMT));
		mode &= ~(uint64_t)S_IFMT;
	}
	if (mode & S_ISUID)
		tb_puts(b, "S_ISUID|");
	if (mode & S_ISGID)
		tb_puts(b, "S_ISGID|");
	if (mode & S_ISVTX)
		tb_puts(b, "S_ISVTX|");
	tb_printf(b, "%#03llo", (unsigned long long)(mode & 0777));
}

void tb_wait_status(struct tbuf *b, int st)
{
	tb_puts(b, "[{");
	if (WIFEXITED(st)) {
		tb_printf(b, "WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		tb_puts(b, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		tb_signal(b, WTERMSIG(st));
		if (WCOREDUMP(st))
			tb_puts(b, " && WCOREDUMP(s)");
	} else if (WIFSTOPPED(st)) {
		tb_puts(b, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		tb_signal(b, WSTOPSIG(st));
	} else if (WIFCONTINUED(st)) {
		tb_puts(b, "WIFCONTINUED(s)");
	} else {
		tb_printf(b, "%#x", st);
	}
	tb_puts(b, "}]");
}

void tb_clone_flags(struct tbuf *b, uint64_t v, bool with_signal)
{
	uint64_t sig = with_signal ? v & 0xff : 0;
	if (with_signal)
		v &= ~0xffull;
	if (v)
		tb_flags(b, v, XLAT(clone_flags), NULL);
	if (sig) {
		if (v)
			tb_putc(b, '|');
		tb_signal(b, (int)sig);
	} else if (!v) {
		tb_putc(b, '0');
	}
}

void tb_futex_op(struct tbuf *b, uint64_t op)
{
	uint64_t cmd = op & FUTEX_CMD_MASK;
	tb_value(b, cmd, XLAT(futex_cmds), "%#llx");
	if (op & FUTEX_PRIVATE_FLAG)
		tb_puts(b, "_PRIVATE");
	if (op & FUTEX_CLOCK_REALTIME)
		tb_puts(b, "|FUTEX_CLOCK_REALTIME");
}

void tb_errno(struct tbuf *b, int err)
{
	const char *n = strerrorname_np(err);
	if (n)
		tb_printf(b, "%s (%s)", n, strerror(err));
	else
		tb_printf(b, "errno %d", err);
}

static const char *si_code_name(int signo, int code)
{
	static const struct flag_name gen[] = {
		{0, "SI_USER"}, {0x80, "SI_KERNEL"}, {(uint64_t)-1, "SI_QUEUE"},
		{(uint64_t)-2, "SI_TIMER"}, {(uint64_t)-3, "SI_MESGQ"}, {(uint64_t)-4, "SI_ASYNCIO"},
		{(uint64_t)-5, "SI_SIGIO"}, {(uint64_t)-6, "SI_TKILL"},
	};
	for (size_t i = 0; i < sizeof(gen) / sizeof(gen[0]); i++)
		if ((uint64_t)(int64_t)code == gen[i].bit)
			return gen[i].name;
	static const char *const segv[] = {NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					   "SEGV_PKUERR"};
	static const char *const bus[] = {NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"};
	static const char *const ill[] = {NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR",
					  "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC",
					  "ILL_BADSTK"};
	static const char *const fpe[] = {NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
					  "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
					  "FPE_FLTSUB"};
	static const char *const chld[] = {NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
	static const char *const trap[] = {NULL, "TRAP_BRKPT", "TRAP_TRACE"};
#define PICK(arr) return code > 0 && (size_t)code < sizeof(arr) / sizeof(arr[0]) ? arr[code] : NULL
	switch (signo) {
	case SIGSEGV:
		PICK(segv);
	case SIGBUS:
		PICK(bus);
	case SIGILL:
		PICK(ill);
	case SIGFPE:
		PICK(fpe);
	case SIGCHLD:
		PICK(chld);
	case SIGTRAP:
		PICK(trap);
	default:
		return NULL;
	}
#undef PICK
}

void tb_siginfo(struct tbuf *b, int signo, int code, int pid, int uid, int status, uint64_t addr)
{
	tb_puts(b, "{si_signo=");
	tb_signal(b, signo);
	const char *cn = si_code_name(signo, code);
	if (cn)
		tb_printf(b, ", si_code=%s", cn);
	else
		tb_printf(b, ", si_code=%d", code);
	if (code == SI_USER || code == SI_TKILL || code == SI_QUEUE) {
		tb_printf(b, ", si_pid=%d, si_uid=%d", pid, uid);
	} else if (code == SI_KERNEL) {
		/* nothing more */
	} else if (signo == SIGCHLD) {
		tb_printf(b, ", si_pid=%d, si_uid=%d, si_status=", pid, uid);
		if (code == CLD_EXITED)
			tb_printf(b, "%d", status);
		else
			tb_signal(b, status);
		tb_puts(b, ", si_utime=0, si_stime=0");
	} else if (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
		   signo == SIGTRAP) {
		if (addr)
			tb_printf(b, ", si_addr=%#llx", (unsigned long long)addr);
		else
			tb_puts(b, ", si_addr=NULL");
	}
	tb_putc(b, '}');
}

/* Arguments named by a table of their syscall's own ('+'). */
#define NF(x) {x, #x}
static const struct flag_name lock_ops[] = {NF(LOCK_SH), NF(LOCK_EX), NF(LOCK_NB), NF(LOCK_UN)};
static const struct flag_name fadv[] = {
	NF(POSIX_FADV_NORMAL), NF(POSIX_FADV_RANDOM), NF(POSIX_FADV_SEQUENTIAL),
	NF(POSIX_FADV_WILLNEED), NF(POSIX_FADV_DONTNEED), NF(POSIX_FADV_NOREUSE)};
static const struct flag_name ms_flags[] = {NF(MS_ASYNC), NF(MS_INVALIDATE), NF(MS_SYNC)};
static const struct flag_name mfd_flags[] = {{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"},
					     {4, "MFD_HUGETLB"}, {8, "MFD_NOEXEC_SEAL"},
					     {0x10, "MFD_EXEC"}};
static const struct flag_name rename_flags[] = {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"},
						{4, "RENAME_WHITEOUT"}};
static const struct flag_name falloc_flags[] = {
	{1, "FALLOC_FL_KEEP_SIZE"}, {2, "FALLOC_FL_PUNCH_HOLE"}, {8, "FALLOC_FL_COLLAPSE_RANGE"},
	{0x10, "FALLOC_FL_ZERO_RANGE"}, {0x20, "FALLOC_FL_INSERT_RANGE"},
	{0x40, "FALLOC_FL_UNSHARE_RANGE"}};
static const struct flag_name close_range_flags[] = {{2, "CLOSE_RANGE_UNSHARE"},
						     {4, "CLOSE_RANGE_CLOEXEC"}};
static const struct flag_name tfd_settime[] = {{1, "TFD_TIMER_ABSTIME"},
					       {2, "TFD_TIMER_CANCEL_ON_SET"}};
static const struct flag_name timer_flags[] = {{1, "TIMER_ABSTIME"}};
static const struct flag_name idtypes[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};
static const struct flag_name pidfd_flags[] = {{O_NONBLOCK, "PIDFD_NONBLOCK"}};
static const struct {
	int nr, arg;
	struct xlat x;
	bool flags;
} named_args[] = {
	{__NR_flock, 1, XLAT(lock_ops), true},
	{__NR_fadvise64, 3, XLAT(fadv), false},
	{__NR_msync, 2, XLAT(ms_flags), true},
	{__NR_memfd_create, 1, XLAT(mfd_flags), true},
	{__NR_renameat2, 4, XLAT(rename_flags), true},
	{__NR_fallocate, 1, XLAT(falloc_flags), true},
	{__NR_close_range, 2, XLAT(close_range_flags), true},
	{__NR_timerfd_settime, 1, XLAT(tfd_settime), true},
	{__NR_timer_settime, 1, XLAT(timer_flags), true},
	{__NR_waitid, 0, XLAT(idtypes), false},
	{__NR_pidfd_open, 1, XLAT(pidfd_flags), true},
};

void tb_named(struct tbuf *b, long nr, int i, uint64_t v)
{
	for (size_t k = 0; k < sizeof(named_args) / sizeof(named_args[0]); k++)
		if (named_args[k].nr == nr && named_args[k].arg == i) {
			if (named_args[k].flags)
				tb_flags(b, (uint32_t)v, named_args[k].x, "0");
			else
				tb_value(b, (uint32_t)v, named_args[k].x, "%llu");
			return;
		}
	tb_raw(b, v);
}
