/* --trace: each syscall's arguments the way strace prints them. The table
 * below gives one letter per argument (what it is); a syscall without a row
 * prints its arguments raw. Arguments the call fills in (read's buffer,
 * stat's struct, wait4's status) are printed when it returns, as strace
 * does; when it fails they print as addresses. Adding a syscall: add a row. */
#include "syscalls/trace_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <linux/futex.h>
#include <linux/stat.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
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
 * T timespec, U O_CLOEXEC-style flags, F statx flags, f statx mask, V PRIO_ which, W whence, X rlimit,
 * Y scheduling policy, Z SOCK_ flags, * iovec array (count: next),
 * < clone flags, @ mode with its file type, ! device number (makedev),
 * = IPC_ command, [ fd_set (size: the first argument), { timeval,
 * . raw (decimal when small, else hex), / socket option (level: the
 * argument before), | setsockopt's value (length: next), + named by the
 * syscall's own table (named_args below), : SysV IPC key, ; SysV IPC get
 * flags and mode, , gid array (count: the first argument).
 * Filled in by the call: B buffer (length: the result), 0 getdents,
 * 1 stat, 2 statx, 3 wait status, 4 timespec, 5 sigaction, 6 sigset,
 * 7 int pair, 8 rlimit, 9 string (length: the result), # msghdr,
 * $ utsname, & int, ^ iovec array (length: the result), ~ timeval,
 * % a sleep's remaining time (written only when a signal cut it short),
 * ] epoll_event array (length: the result), ( sockaddr (length: next),
 * ) socklen_t given and returned ("[110 => 2]"), } getsockopt's value,
 * > siginfo, - gid array (count: the result). */
#define S(name, spec) [__NR_##name] = spec
static const char *const specs[NR_SYSCALLS] = {
	S(read, "dBu"), S(write, "dbu"), S(readv, "d^u"), S(writev, "d*u"),
	S(pread64, "dBul"), S(pwrite64, "dbul"), S(preadv, "d^ul"), S(pwritev, "d*ul"),
	S(open, "som"), S(openat, "Dsom"), S(creat, "sm"), S(close, "d"), S(lseek, "dlW"),
	S(fstat, "d1"), S(stat, "s1"), S(lstat, "s1"), S(newfstatat, "Ds1a"),
	S(statx, "DsFf2"), S(ioctl, "dOp"), S(flock, "d+"), S(dup, "d"), S(dup2, "dd"),
	S(dup3, "ddU"), S(access, "sj"), S(faccessat, "Dsj"), S(faccessat2, "Dsja"),
	S(readlink, "s9u"), S(readlinkat, "Ds9u"), S(getcwd, "9u"), S(chdir, "s"),
	S(fchdir, "d"), S(mkdir, "sm"), S(mkdirat, "Dsm"), S(unlink, "s"), S(unlinkat, "Dsa"),
	S(rmdir, "s"), S(rename, "ss"), S(renameat, "DsDs"), S(renameat2, "DsDs+"),
	S(getdents64, "d0u"), S(ftruncate, "dl"), S(truncate, "sl"), S(fsync, "d"),
	S(fdatasync, "d"), S(umask, "m"), S(symlink, "ss"), S(symlinkat, "sDs"), S(link, "ss"),
	S(linkat, "DsDsa"), S(chmod, "sm"), S(fchmod, "dm"), S(fchmodat, "Dsm"),
	S(utimensat, "Dspa"), S(statfs, "sp"), S(fstatfs, "dp"), S(fadvise64, "dll+"),
	S(pipe, "7"), S(pipe2, "7U"), S(socket, "yzd"), S(socketpair, "yzd7"), S(bind, "dQu"),
	S(listen, "dd"), S(connect, "dQu"), S(accept, "d()"), S(accept4, "d()Z"),
	S(shutdown, "dJ"), S(getsockname, "d()"), S(getpeername, "d()"),
	S(setsockopt, "dR/|u"), S(getsockopt, "dR/})"), S(sendto, "dbunQu"),
	S(recvfrom, "dBun()"), S(sendmsg, "dHn"), S(recvmsg, "d#n"), S(sendmmsg, "dpun"),
	S(recvmmsg, "dpunp"), S(brk, "p"), S(mmap, "puPMdx"), S(munmap, "pu"),
	S(mprotect, "puP"), S(mremap, "puuNp"), S(madvise, "puG"), S(msync, "pu+"),
	S(memfd_create, "s+"), S(exit, "d"), S(exit_group, "d"), S(getpid, ""), S(gettid, ""),
	S(getppid, ""), S(getuid, ""), S(geteuid, ""), S(getgid, ""), S(getegid, ""),
	S(getresuid, "&&&"), S(getresgid, "&&&"), S(getgroups, "d-"), S(setuid, "d"),
	S(setgid, "d"), S(setreuid, "dd"), S(setregid, "dd"), S(setresuid, "ddd"),
	S(setresgid, "ddd"), S(setfsuid, "d"), S(setfsgid, "d"), S(setgroups, "d,"),
	S(capget, "pp"), S(capset, "pp"), S(getpgid, "d"), S(getpgrp, ""), S(getsid, "d"),
	S(set_tid_address, "p"), S(set_robust_list, "pu"), S(get_robust_list, "dpp"),
	S(rseq, "pxdx"), S(arch_prctl, "qp"), S(prlimit64, "drX8"), S(getrlimit, "r8"),
	S(setrlimit, "rX"), S(uname, "$"), S(sethostname, "bu"), S(setdomainname, "bu"),
	S(getpriority, "Vd"), S(setpriority, "Vdd"), S(sched_setscheduler, "dYp"),
	S(sched_setparam, "dp"), S(sched_getscheduler, "d"), S(sched_getparam, "dp"),
	S(sched_setattr, "dpx"), S(sched_getattr, "dpux"), S(sched_get_priority_max, "Y"),
	S(sched_get_priority_min, "Y"), S(sched_rr_get_interval, "d4"),
	S(sched_setaffinity, "dup"), S(sched_getaffinity, "dup"), S(sched_yield, ""),
	S(ioprio_set, "ddd"), S(ioprio_get, "dd"), S(prctl, "I...."), S(kill, "dS"),
	S(tkill, "dS"), S(tgkill, "ddS"), S(rt_sigaction, "SA5u"), S(rt_sigprocmask, "hk6u"),
	S(getrusage, "dp"), S(sysinfo, "p"), S(getcpu, "ppp"), S(clock_gettime, "C4"),
	S(clock_getres, "C4"), S(gettimeofday, "~p"), S(time, "p"), S(nanosleep, "T%"),
	S(clock_nanosleep, "CKT%"), S(getrandom, "Bug"), S(clone3, "pu"), S(fork, ""),
	S(vfork, ""), S(execve, "sve"), S(execveat, "Dsvea"), S(wait4, "d3wp"),
	S(waitid, "+d>wp"), S(pidfd_open, "d+"), S(pidfd_send_signal, "dSpx"), S(unshare, "<"),
	S(setpgid, "dd"), S(setsid, ""), S(rt_sigpending, "6u"), S(rt_sigsuspend, "ku"),
	S(pause, ""), S(rt_sigtimedwait, "k>Tu"), S(sigaltstack, "pp"),
	S(rt_sigqueueinfo, "dSp"), S(rt_tgsigqueueinfo, "ddSp"), S(getitimer, "ip"),
	S(setitimer, "ipp"), S(alarm, "u"), S(poll, "Ldd"), S(ppoll, "LdTku"),
	S(select, "d[[[{"), S(pselect6, "d[[[Tp"), S(epoll_create, "d"), S(epoll_create1, "U"),
	S(epoll_ctl, "dtdE"), S(epoll_wait, "d]dd"), S(epoll_pwait, "d]ddku"),
	S(epoll_pwait2, "d]dTku"), S(getxattr, "sspu"), S(lgetxattr, "sspu"),
	S(fgetxattr, "dspu"), S(listxattr, "spu"), S(llistxattr, "spu"), S(flistxattr, "dpu"),
	S(setxattr, "ssbux"), S(lsetxattr, "ssbux"), S(fsetxattr, "dsbux"), S(removexattr, "ss"),
	S(lremovexattr, "ss"), S(fremovexattr, "ds"), S(sendfile, "ddpu"), S(splice, "dpdpux"),
	S(tee, "ddux"), S(copy_file_range, "dpdpux"), S(chown, "sdd"), S(lchown, "sdd"),
	S(fchown, "ddd"), S(fchownat, "Dsdda"), S(eventfd, "u"), S(eventfd2, "uU"),
	S(signalfd4, "dkuU"), S(timerfd_create, "CU"), S(shmget, ":u;"), S(shmat, "dpx"),
	S(shmdt, "p"), S(shmctl, "d=p"), S(semget, ":d;"), S(semop, "dpu"), S(msgget, ":;"),
	S(setns, "d<"), S(mincore, "pup"), S(personality, "x"), S(mknod, "s@!"),
	S(mknodat, "Ds@!"), S(sync, ""), S(syncfs, "d"), S(sync_file_range, "dllx"),
	S(fallocate, "d+ll"), S(close_range, "uu+"), S(name_to_handle_at, "Dsppa"),
	S(futex_waitv, "pudTC"), S(semtimedop, "dpuT"), S(semctl, "dd=x"), S(msgsnd, "dpux"),
	S(msgrcv, "dpulx"), S(msgctl, "d=p"), S(mq_open, "somp"), S(mq_unlink, "s"),
	S(mq_timedsend, "dbuuT"), S(mq_timedreceive, "dBupT"), S(mq_notify, "dp"),
	S(mq_getsetattr, "dpp"), S(timerfd_settime, "d+pp"), S(timerfd_gettime, "dp"),
	S(signalfd, "dku"), S(timer_create, "Cpp"), S(timer_settime, "d+pp"),
	S(timer_gettime, "dp"), S(timer_getoverrun, "d"), S(timer_delete, "d"), S(times, "p"),
};

static bool exit_letter(char c)
{
	return c && strchr("B0123456789#$&^~%]()}>-", c);
}


/* One argument, by its letter. */
static void put_arg(struct tbuf *b, struct task *t, long nr, char c, const uint64_t *a, int i,
		    long ret)
{
	uint64_t v = a[i], next = i < 5 ? a[i + 1] : 0;
	bool failed = ret < 0 && ret >= -4095;
	if (c == '%') {
		if (v && failed)
			tb_timespec(b, t, v);
		else
			tb_addr(b, v);
		return;
	}
	if (exit_letter(c) && failed) {
		tb_addr(b, v);
		return;
	}
	switch (c) {
	case 'a': tb_flags(b, (uint32_t)v, X(at_flags), "0"); break;
	case 'F':
		/* AT_STATX_SYNC_AS_STAT is 0: strace names it whenever no sync
		 * flag is given. */
		if (!(v & 0x6000)) {
			tb_puts(b, "AT_STATX_SYNC_AS_STAT");
			if ((uint32_t)v)
				tb_putc(b, '|');
		}
		if ((uint32_t)v || (v & 0x6000))
			tb_flags(b, (uint32_t)v, X(at_flags), "0");
		break;
	case 'f': tb_flags(b, (uint32_t)v, X(statx_mask), "0"); break;
	case '@': tb_mode(b, (uint32_t)v, true); break;
	case '!': tb_printf(b, "makedev(%#x, %#x)", major(v), minor(v)); break;
	case '=': /* the IPC_ commands; 11 and up are semctl's own */
		if (nr != __NR_semctl && (uint32_t)v > 3)
			tb_printf(b, "%u", (uint32_t)v);
		else
			tb_value(b, (uint32_t)v, X(ipc_cmds), "%llu");
		break;
	case 'b': tb_buffer(b, t, v, next, false); break;
	case 'c': tb_value(b, (uint32_t)v, X(fcntl_cmds), "%#llx"); break;
	case 'd': tb_printf(b, "%d", (int)v); break;
	case 'e': tb_envp(b, t, v); break;
	case 'g': tb_flags(b, (uint32_t)v, X(grnd), "0"); break;
	case 'h': tb_value(b, (uint32_t)v, X(sig_how), "%#llx"); break;
	case 'i': tb_value(b, (uint32_t)v, X(itimers), "%#llx"); break;
	case 'j': tb_flags(b, (uint32_t)v, X(access_modes), "F_OK"); break;
	case 'k':
		if (trace_peek(t, &v, v, 8))
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
		if (v & SOCK_CLOEXEC)
			tb_puts(b, "|SOCK_CLOEXEC");
		if (v & SOCK_NONBLOCK)
			tb_puts(b, "|SOCK_NONBLOCK");
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
		if (!trace_peek(t, &ev, v, sizeof(ev))) {
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
	case 'O': tb_ioctl_request(b, (uint32_t)v); break;
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
	case 'U': {
		/* O_CLOEXEC-style flags, under the name of the call's family. */
		const char *pre = nr == __NR_epoll_create1 ? "EPOLL_"
				  : nr == __NR_eventfd2	   ? "EFD_"
				  : nr == __NR_signalfd4	   ? "SFD_"
				  : nr == __NR_timerfd_create ? "TFD_"
							      : NULL;
		if (!(uint32_t)v) {
			tb_putc(b, '0');
		} else if (pre) {
			uint64_t rest = v & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | (nr == __NR_eventfd2));
			const char *sep = "";
			if (nr == __NR_eventfd2 && (v & 1)) {
				tb_printf(b, "%sSEMAPHORE", pre);
				sep = "|";
			}
			if (v & O_CLOEXEC) {
				tb_printf(b, "%s%sCLOEXEC", sep, pre);
				sep = "|";
			}
			if (v & O_NONBLOCK) {
				tb_printf(b, "%s%sNONBLOCK", sep, pre);
				sep = "|";
			}
			if (rest)
				tb_printf(b, "%s%#llx", sep, (unsigned long long)rest);
		} else {
			struct tbuf tmp = {0};
			tb_open_flags(&tmp, (uint32_t)v);
			tb_puts(b, tmp.s ? tmp.s + strlen("O_RDONLY|") : "0");
			free(tmp.s);
		}
		break;
	}
	case '[': tb_fdset(b, t, v, a[0]); break;
	case '{': {
		int64_t tv[2];
		if (!v)
			tb_puts(b, "NULL");
		else if (trace_peek(t, tv, v, sizeof(tv)))
			tb_printf(b, "{tv_sec=%lld, tv_usec=%lld}", (long long)tv[0], (long long)tv[1]);
		else
			tb_addr(b, v);
		break;
	}
	case ']': tb_epoll_events(b, t, v, (uint64_t)ret); break;
	case '+': tb_named(b, nr, i, v); break;
	case ':':
		if (!(uint32_t)v)
			tb_puts(b, "IPC_PRIVATE");
		else
			tb_printf(b, "%#x", (uint32_t)v);
		break;
	case ';': {
		static const struct flag_name ipc_flags[] = {{01000, "IPC_CREAT"}, {02000, "IPC_EXCL"},
							     {04000, "IPC_NOWAIT"}};
		uint32_t f = (uint32_t)v & ~0777u;
		if (f) {
			tb_flags(b, f, XLAT(ipc_flags), "0");
			tb_putc(b, '|');
		}
		tb_printf(b, "%#03o", (unsigned)v & 0777u);
		break;
	}
	case ',':
	case '-': {
		uint64_t cnt = c == ',' ? (uint32_t)a[0] : (uint64_t)ret;
		if (!v || (c == '-' && !a[0])) {
			tb_addr(b, v);
			break;
		}
		tb_putc(b, '[');
		for (uint64_t k = 0; k < cnt && k < 65536; k++) {
			uint32_t gid;
			if (k == trace_strsize) {
				tb_puts(b, ", ...");
				break;
			}
			if (!trace_peek(t, &gid, v + 4 * k, 4))
				break;
			tb_printf(b, "%s%u", k ? ", " : "", gid);
		}
		tb_putc(b, ']');
		break;
	}
	case '>': {
		int32_t si[7]; /* signo errno code pad, then pid uid status */
		uint64_t addr;
		if (!v) {
			tb_puts(b, "NULL");
			break;
		}
		if (!trace_peek(t, si, v, sizeof(si)) || !trace_peek(t, &addr, v + 16, 8)) {
			tb_addr(b, v);
			break;
		}
		if (nr == __NR_waitid && !si[0]) {
			tb_puts(b, "{}");
			break;
		}
		tb_siginfo(b, si[0], si[2], si[4], si[5], si[6], addr);
		break;
	}
	case '/': {
		uint32_t level = (uint32_t)a[i - 1];
		struct xlat x = level == SOL_SOCKET ? X(so_opts)
				: level == 6	    ? X(tcp_opts)
				: level == 0	    ? X(ip_opts)
				: level == 41	    ? X(ipv6_opts)
						    : (struct xlat){NULL, 0};
		tb_value(b, (uint32_t)v, x, "%llu");
		break;
	}
	case '|':
	case '}': {
		/* An int option prints as [N]; SO_PEERCRED as its ucred. */
		uint32_t len = (uint32_t)next;
		int32_t iv[3];
		if (c == '}' && !trace_peek(t, &len, a[i + 1], 4))
			len = 0;
		if (a[1] == SOL_SOCKET && a[2] == SO_PEERCRED && len >= 12 && trace_peek(t, iv, v, 12))
			tb_printf(b, "{pid=%d, uid=%d, gid=%d}", iv[0], iv[1], iv[2]);
		else if (len == 4 && trace_peek(t, iv, v, 4))
			tb_printf(b, "[%d]", iv[0]);
		else
			tb_buffer(b, t, v, len, false);
		break;
	}
	case '(': {
		uint32_t len;
		if (!v)
			tb_puts(b, "NULL");
		else if (trace_peek(t, &len, next, 4))
			tb_sockaddr(b, t, v, len < t->trace_len ? len : t->trace_len);
		else
			tb_addr(b, v);
		break;
	}
	case ')': {
		uint32_t len;
		if (!v)
			tb_puts(b, "NULL");
		else if (!trace_peek(t, &len, v, 4))
			tb_addr(b, v);
		else if (len != t->trace_len)
			tb_printf(b, "[%u => %u]", t->trace_len, len);
		else
			tb_printf(b, "[%u]", len);
		break;
	}
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
		if (v && ret > 0 && trace_peek(t, &st, v, 4))
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
		if (v && trace_peek(t, &v, v, 8))
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
		if (trace_peek(t, tv, v, sizeof(tv)))
			tb_printf(b, "{tv_sec=%lld, tv_usec=%lld}", (long long)tv[0], (long long)tv[1]);
		else
			tb_addr(b, v);
		break;
	}
	case 'x':
		tb_printf(b, "%#llx", (unsigned long long)v);
		break;
	case '.':
		if ((int64_t)v >= -4096 && (int64_t)v < 65536)
			tb_printf(b, "%lld", (long long)v);
		else
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
		if (!trace_peek(t, ca, a[0], sizeof(ca))) {
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
		return true; /* the size follows in trace_args */
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
		if (trace_peek(t, &mask, emu_reg_read(EREG_RSP) + 296, 8)) {
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

void trace_entry_values(struct task *t, long nr, const uint64_t *a)
{
	const char *spec = nr >= 0 && nr < NR_SYSCALLS ? specs[nr] : NULL;
	const char *p = spec ? strchr(spec, ')') : NULL;
	uint32_t len = 0;
	if (p && !trace_peek(t, &len, a[p - spec], 4))
		len = 0;
	t->trace_len = len;
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
	uint64_t oflags = nr == __NR_openat ? a[2] : a[1];
	if ((nr == __NR_open || nr == __NR_openat || nr == __NR_mq_open) && !(oflags & O_CREAT) &&
	    (oflags & __O_TMPFILE) != __O_TMPFILE)
		n -= nr == __NR_mq_open ? 2 : 1;
	/* mknod's device only for device nodes. */
	uint64_t mmode = nr == __NR_mknodat ? a[2] : a[1];
	if ((nr == __NR_mknod || nr == __NR_mknodat) && !S_ISCHR(mmode) && !S_ISBLK(mmode))
		n--;
	if (nr == __NR_clone3) {
		/* The ids the kernel writes come after the struct at exit:
		 * "clone3({...} => {parent_tid=[N]}, 88)", as strace shows. */
		uint64_t ca[4];
		bool ids = trace_peek(t, ca, a[0], sizeof(ca)) && (ca[0] & (CLONE_PARENT_SETTID | 0x1000));
		if (!exiting) {
			custom_args(b, t, nr, a);
			if (ids)
				return 1;
		} else if (from == 1 && ids && ret > 0) {
			int32_t v;
			const char *sep = "";
			tb_puts(b, " => {");
			if ((ca[0] & 0x1000) && trace_peek(t, &v, ca[1], 4)) {
				tb_printf(b, "pidfd=[%d]", v);
				sep = ", ";
			}
			if ((ca[0] & CLONE_PARENT_SETTID) && trace_peek(t, &v, ca[3], 4))
				tb_printf(b, "%sparent_tid=[%d]", sep, v);
			tb_putc(b, '}');
		} else if (from >= n) {
			return n;
		}
		tb_printf(b, ", %llu", (unsigned long long)a[1]);
		return n;
	}
	if (nr == __NR_prctl || nr == __NR_ioctl)
		return trace_args_by_command(b, t, nr, a, ret, from, exiting);
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

/* What strace adds after some results: poll's revents, select's ready sets. */
void trace_ret_extra(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret)
{
	if (ret < 0)
		return;
	switch (nr) {
	case __NR_rt_sigtimedwait:
		if (ret > 0 && trace_signame((int)ret))
			tb_printf(b, " (%s)", trace_signame((int)ret));
		break;
	case __NR_prctl:
		if ((uint32_t)a[0] == PR_GET_DUMPABLE && ret <= 2)
			tb_printf(b, " (%s)", ret == 0   ? "SUID_DUMP_DISABLE"
					      : ret == 1 ? "SUID_DUMP_USER"
							 : "SUID_DUMP_ROOT");
		break;
	case __NR_poll:
	case __NR_ppoll:
		if (!ret) {
			tb_puts(b, " (Timeout)");
			break;
		}
		tb_puts(b, " (");
		tb_revents(b, t, a[0], a[1]);
		if (nr == __NR_ppoll && a[2]) {
			tb_puts(b, ", left ");
			tb_timespec(b, t, a[2]);
		}
		tb_putc(b, ')');
		break;
	case __NR_select:
	case __NR_pselect6: {
		if (!ret) {
			tb_puts(b, " (Timeout)");
			break;
		}
		static const char *const names[] = {"in", "out", "except"};
		const char *sep = " (";
		for (int i = 0; i < 3; i++) {
			if (!a[i + 1])
				continue;
			tb_printf(b, "%s%s ", sep, names[i]);
			tb_fdset(b, t, a[i + 1], a[0]);
			sep = ", ";
		}
		if (a[4]) {
			tb_printf(b, "%sleft ", sep);
			if (nr == __NR_pselect6)
				tb_timespec(b, t, a[4]);
			else
				put_arg(b, t, nr, '{', a, 4, 0);
			sep = ", ";
		}
		if (*sep == ',')
			tb_putc(b, ')');
		break;
	}
	default:
		break;
	}
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
