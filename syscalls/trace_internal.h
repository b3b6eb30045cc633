/* Shared between the trace core (trace.c), the argument decoders
 * (trace_decode.c), the name tables (trace_flags.c) and --summary /
 * --trace-only (trace_filter.c). Not for the rest of cloneemu. */
#ifndef SYSCALLS_TRACE_INTERNAL_H
#define SYSCALLS_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls/trace.h"

struct task;

/* A growing text buffer: one trace line is built in it, then written. */
struct tbuf {
	char *s;
	size_t len, cap;
};

void tb_putc(struct tbuf *b, char c);
void tb_puts(struct tbuf *b, const char *s);
void tb_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strace's quoting of @n bytes (hex: every byte as \\xNN). */
void tb_quote(struct tbuf *b, const unsigned char *s, size_t n, bool hex);

/* -s N: how many bytes of a string or buffer are shown (strace's default 32). */
extern unsigned trace_strsize;

/* Named bits and named values (trace_flags.c). */
struct flag_name {
	uint64_t bit;
	const char *name;
};
struct xlat {
	const struct flag_name *v;
	size_t n;
};
#define XLAT(a) ((struct xlat){(a), sizeof(a) / sizeof((a)[0])})

/* v as NAME|NAME|0x..., or @zero when v is 0 (NULL: "0"). */
void tb_flags(struct tbuf *b, uint64_t v, struct xlat x, const char *zero);
/* Argument @i of syscall @nr by the names its own table gives (flock's
 * LOCK_*, fadvise's POSIX_FADV_*, ...), else raw. */
void tb_named(struct tbuf *b, long nr, int i, uint64_t v);
/* One value by name, else @fallback formatted with v ("%d", "%#x"). */
void tb_value(struct tbuf *b, uint64_t v, struct xlat x, const char *fallback);
void tb_signal(struct tbuf *b, int sig);        /* SIGUSR1, or the number */
void tb_sigset(struct tbuf *b, uint64_t set);   /* [USR1 CHLD], ~[...] */
void tb_open_flags(struct tbuf *b, uint64_t v);
void tb_mode(struct tbuf *b, uint64_t mode, bool with_type);
void tb_wait_status(struct tbuf *b, int st);
void tb_clone_flags(struct tbuf *b, uint64_t v, bool with_signal);
void tb_futex_op(struct tbuf *b, uint64_t op);
void tb_errno(struct tbuf *b, int err);         /* ENOENT (No such file or directory) */
void tb_siginfo(struct tbuf *b, int signo, int code, int pid, int uid, int status,
		uint64_t addr);

extern const struct flag_name trace_prot[], trace_map_flags[], trace_at_flags[],
	trace_sa_flags[], trace_wait_flags[], trace_clocks[], trace_rlimits[],
	trace_fcntl_cmds[], trace_sig_how[], trace_whence[], trace_poll_events[],
	trace_arch_prctl[], trace_af[], trace_sock_type[], trace_epoll_ops[],
	trace_epoll_events[], trace_grnd[], trace_access_modes[], trace_msg_flags[],
	trace_madv[], trace_prctl[], trace_fd_flags[], trace_mremap[], trace_clock_flags[],
	trace_sol[], trace_shut[], trace_itimers[], trace_prio_which[], trace_sched_policy[],
	trace_statx_mask[], trace_statx_attrs[], trace_ipc_cmds[], trace_so_opts[], trace_tcp_opts[],
	trace_ip_opts[], trace_ipv6_opts[];
extern const size_t trace_prot_n, trace_map_flags_n, trace_at_flags_n, trace_sa_flags_n,
	trace_wait_flags_n, trace_clocks_n, trace_rlimits_n, trace_fcntl_cmds_n, trace_sig_how_n,
	trace_whence_n, trace_poll_events_n, trace_arch_prctl_n, trace_af_n, trace_sock_type_n,
	trace_epoll_ops_n, trace_epoll_events_n, trace_grnd_n, trace_access_modes_n,
	trace_msg_flags_n, trace_madv_n, trace_prctl_n, trace_fd_flags_n, trace_mremap_n,
	trace_clock_flags_n, trace_sol_n, trace_shut_n, trace_itimers_n, trace_prio_which_n,
	trace_sched_policy_n, trace_statx_mask_n, trace_statx_attrs_n, trace_ipc_cmds_n,
	trace_so_opts_n, trace_tcp_opts_n, trace_ip_opts_n, trace_ipv6_opts_n;
#define X(name) ((struct xlat){trace_##name, trace_##name##_n})

/* Guest memory as strace shows it (trace_struct.c). */
bool trace_peek(struct task *t, void *dst, uint64_t addr, size_t n);
void tb_addr(struct tbuf *b, uint64_t v);
void tb_buffer(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len, bool hex);
void tb_string(struct tbuf *b, struct task *t, uint64_t addr, bool limit);
void tb_argv(struct tbuf *b, struct task *t, uint64_t addr);
void tb_envp(struct tbuf *b, struct task *t, uint64_t addr);
void tb_timespec(struct tbuf *b, struct task *t, uint64_t addr);
void tb_sigaction(struct tbuf *b, struct task *t, uint64_t addr);
void tb_stat(struct tbuf *b, struct task *t, uint64_t addr);
void tb_statx(struct tbuf *b, struct task *t, uint64_t addr);
void tb_rlim_val(struct tbuf *b, uint64_t v);
void tb_rlimit(struct tbuf *b, struct task *t, uint64_t addr);
void tb_pollfds(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n);
void tb_iovec(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n, uint64_t total);
void tb_sockaddr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len);
void tb_msghdr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t data);
void tb_uname(struct tbuf *b, struct task *t, uint64_t addr);
void tb_getdents(struct tbuf *b, struct task *t, uint64_t addr, long ret);
void tb_int_out(struct tbuf *b, struct task *t, uint64_t addr, int n);

/* Decoding one syscall's arguments (trace_decode.c). At entry (exiting
 * false) arguments are printed from @from up to the first one that the
 * call fills in; the index of that one is returned (nargs: all printed).
 * At exit the rest are printed. */
void tb_cmsgs(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len);
void tb_fdset(struct tbuf *b, struct task *t, uint64_t addr, uint64_t nfds);
void tb_revents(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n);
void tb_epoll_events(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n);

int trace_nargs(long nr);
/* prctl and ioctl (trace_cmds.c), with trace_args' contract. */
int trace_args_by_command(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret,
			  int from, bool exiting);
void tb_ioctl_request(struct tbuf *b, uint32_t req);
/* Small values in decimal, others in hex (an argument without a decoder). */
void tb_raw(struct tbuf *b, uint64_t v);
/* Values the call will overwrite that strace shows with the result
 * (accept's "[110 => 2]"): kept in the task at entry. */
void trace_entry_values(struct task *t, long nr, const uint64_t *a);
int trace_args(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret, int from,
	       bool exiting);
/* The return value the way strace prints it for this syscall (" = ..."
 * without the " = "), including the errno name and message. */
void trace_retval(struct tbuf *b, long nr, long ret);
/* What strace writes after some results: " ([{fd=3, revents=POLLIN}])". */
void trace_ret_extra(struct tbuf *b, struct task *t, long nr, const uint64_t *a, long ret);

/* --trace-only and --summary (trace_filter.c). */
bool trace_selected(long nr);
void trace_count(long nr, long ret, uint64_t ns);

#endif
