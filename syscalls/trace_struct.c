/* --trace: guest memory as strace shows it: quoted strings and buffers,
 * argv/envp, and the structs strace decodes (stat, timespec, sigaction,
 * pollfd, iovec, msghdr, sockaddr, rlimit, utsname, dirents). Every reader
 * goes through trace_peek(): an unreadable address prints as the address. */
#include "syscalls/trace_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/stat.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "kernelmodel/mm.h"
#include "kernelmodel/task.h"

/* Guest memory, read without leaving a trace in the fault record the CPU's
 * fault path looks at. */
bool trace_peek(struct task *t, void *dst, uint64_t addr, size_t n)
{
	if (!t->mm || !addr)
		return false;
	struct mm_fault_info saved = t->mm->last_fault;
	bool ok = !copy_from_guest(t->mm, dst, addr, n);
	t->mm->last_fault = saved;
	return ok;
}

void tb_raw(struct tbuf *b, uint64_t v)
{
	if ((int64_t)v >= -4096 && (int64_t)v < 65536)
		tb_printf(b, "%lld", (long long)v);
	else
		tb_printf(b, "%#llx", (unsigned long long)v);
}

void tb_addr(struct tbuf *b, uint64_t v)
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
void tb_buffer(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len, bool hex)
{
	size_t n = len < trace_strsize ? (size_t)len : trace_strsize;
	unsigned char tmp[4096] = {0};
	unsigned char *p = n <= sizeof(tmp) ? tmp : malloc(n);
	if (!p || (n && !trace_peek(t, p, addr, n))) {
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
void tb_string(struct tbuf *b, struct task *t, uint64_t addr, bool limit)
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

void tb_argv(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t p;
	if (!addr) {
		tb_puts(b, "NULL");
		return;
	}
	tb_putc(b, '[');
	for (unsigned i = 0;; i++) {
		if (!trace_peek(t, &p, addr + 8ull * i, 8)) {
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

void tb_envp(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t p = 1;
	unsigned n = 0;
	tb_addr(b, addr);
	if (!addr)
		return;
	while (n < 1u << 20 && trace_peek(t, &p, addr + 8ull * n, 8) && p)
		n++;
	tb_printf(b, " /* %u var%s */", n, n == 1 ? "" : "s");
}

void tb_timespec(struct tbuf *b, struct task *t, uint64_t addr)
{
	int64_t ts[2];
	if (!trace_peek(t, ts, addr, sizeof(ts)))
		tb_addr(b, addr);
	else
		tb_printf(b, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
}

void tb_sigaction(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t sa[4]; /* handler, flags, restorer, mask */
	if (!trace_peek(t, sa, addr, sizeof(sa))) {
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

void tb_stat(struct tbuf *b, struct task *t, uint64_t addr)
{
	struct stat st;
	if (!trace_peek(t, &st, addr, sizeof(st))) {
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

void tb_statx(struct tbuf *b, struct task *t, uint64_t addr)
{
	struct statx sx;
	if (!trace_peek(t, &sx, addr, sizeof(sx))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{stx_mask=");
	tb_flags(b, sx.stx_mask, X(statx_mask), "0");
	tb_puts(b, ", stx_attributes=");
	tb_flags(b, sx.stx_attributes, X(statx_attrs), "0");
	tb_puts(b, ", stx_mode=");
	tb_mode(b, sx.stx_mode, true);
	tb_printf(b, ", stx_size=%llu, ...}", (unsigned long long)sx.stx_size);
}

void tb_rlim_val(struct tbuf *b, uint64_t v)
{
	if (v == ~0ull)
		tb_puts(b, "RLIM64_INFINITY");
	else if (v && !(v % 1024))
		tb_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		tb_printf(b, "%llu", (unsigned long long)v);
}

void tb_rlimit(struct tbuf *b, struct task *t, uint64_t addr)
{
	uint64_t r[2];
	if (!trace_peek(t, r, addr, sizeof(r))) {
		tb_addr(b, addr);
		return;
	}
	tb_puts(b, "{rlim_cur=");
	tb_rlim_val(b, r[0]);
	tb_puts(b, ", rlim_max=");
	tb_rlim_val(b, r[1]);
	tb_putc(b, '}');
}

void tb_pollfds(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n)
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
		if (!trace_peek(t, &p, addr + 8 * i, 8)) {
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
void tb_iovec(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n, uint64_t total)
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
		if (!trace_peek(t, iov, addr + 16 * i, 16)) {
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

void tb_sockaddr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len)
{
	unsigned char sa[128] = {0};
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (len < 2 || !trace_peek(t, sa, addr, len)) {
		tb_addr(b, addr);
		return;
	}
	uint16_t fam;
	memcpy(&fam, sa, 2);
	tb_puts(b, "{sa_family=");
	tb_value(b, fam, X(af), "%llu");
	if (fam == AF_UNIX && len <= 2) {
		/* unnamed */
	} else if (fam == AF_UNIX) {
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
void tb_msghdr(struct tbuf *b, struct task *t, uint64_t addr, uint64_t data)
{
	struct { uint64_t name; uint32_t namelen, pad; uint64_t iov, iovlen, control, controllen;
		 int32_t flags; } m;
	if (!trace_peek(t, &m, addr, sizeof(m))) {
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
		tb_cmsgs(b, t, m.control, m.controllen);
	}
	tb_printf(b, ", msg_controllen=%llu, msg_flags=", (unsigned long long)m.controllen);
	tb_flags(b, (uint32_t)m.flags, X(msg_flags), "0");
	tb_putc(b, '}');
}

/* Control messages: SCM_RIGHTS' descriptors, SCM_CREDENTIALS' ids. */
void tb_cmsgs(struct tbuf *b, struct task *t, uint64_t addr, uint64_t len)
{
	struct { uint64_t len; int32_t level, type; } h;
	if (len < sizeof(h) || !trace_peek(t, &h, addr, sizeof(h))) {
		tb_addr(b, addr);
		return;
	}
	tb_putc(b, '[');
	uint64_t off = 0;
	for (int i = 0; off + sizeof(h) <= len && i < 64; i++) {
		if (!trace_peek(t, &h, addr + off, sizeof(h)) || h.len < sizeof(h))
			break;
		tb_printf(b, "%s{cmsg_len=%llu, cmsg_level=", i ? ", " : "", (unsigned long long)h.len);
		tb_value(b, (uint32_t)h.level, X(sol), "%llu");
		uint64_t dlen = (h.len < len - off ? h.len : len - off) - sizeof(h);
		uint64_t data = addr + off + sizeof(h);
		if (h.level == SOL_SOCKET && h.type == SCM_RIGHTS) {
			tb_puts(b, ", cmsg_type=SCM_RIGHTS, cmsg_data=[");
			for (uint64_t k = 0; k + 4 <= dlen && k < 4 * 253; k += 4) {
				int32_t fd;
				if (!trace_peek(t, &fd, data + k, 4))
					break;
				tb_printf(b, "%s%d", k ? ", " : "", fd);
			}
			tb_putc(b, ']');
		} else if (h.level == SOL_SOCKET && h.type == SCM_CREDENTIALS && dlen >= 12) {
			int32_t c[3];
			tb_puts(b, ", cmsg_type=SCM_CREDENTIALS, cmsg_data=");
			if (trace_peek(t, c, data, sizeof(c)))
				tb_printf(b, "{pid=%d, uid=%d, gid=%d}", c[0], c[1], c[2]);
			else
				tb_addr(b, data);
		} else {
			tb_printf(b, ", cmsg_type=%#x, cmsg_data=", (unsigned)h.type);
			tb_buffer(b, t, data, dlen, false);
		}
		tb_putc(b, '}');
		off += (h.len + 7) & ~7ull;
	}
	tb_putc(b, ']');
}

void tb_uname(struct tbuf *b, struct task *t, uint64_t addr)
{
	char u[6][65];
	if (!trace_peek(t, u, addr, sizeof(u))) {
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

void tb_getdents(struct tbuf *b, struct task *t, uint64_t addr, long ret)
{
	unsigned n = 0;
	for (long off = 0; off + 19 <= ret;) {
		uint16_t reclen;
		if (!trace_peek(t, &reclen, addr + (uint64_t)off + 16, 2) || !reclen)
			break;
		off += reclen;
		n++;
	}
	tb_printf(b, "%#llx /* %u entr%s */", (unsigned long long)addr, n, n == 1 ? "y" : "ies");
}


void tb_int_out(struct tbuf *b, struct task *t, uint64_t addr, int n)
{
	int32_t v[2];
	if (!trace_peek(t, v, addr, 4u * n)) {
		tb_addr(b, addr);
		return;
	}
	if (n == 2)
		tb_printf(b, "[%d, %d]", v[0], v[1]);
	else
		tb_printf(b, "[%d]", v[0]);
}

/* An fd_set of @nfds descriptors: [0 3]. */
void tb_fdset(struct tbuf *b, struct task *t, uint64_t addr, uint64_t nfds)
{
	if (!addr) {
		tb_puts(b, "NULL");
		return;
	}
	uint64_t words[16]; /* FD_SETSIZE bits */
	if (nfds > 1024)
		nfds = 1024;
	size_t n = (nfds + 63) / 64 * 8;
	if (n && !trace_peek(t, words, addr, n)) {
		tb_addr(b, addr);
		return;
	}
	tb_putc(b, '[');
	const char *sep = "";
	for (uint64_t fd = 0; fd < nfds; fd++)
		if (words[fd / 64] & (1ull << (fd % 64))) {
			tb_printf(b, "%s%llu", sep, (unsigned long long)fd);
			sep = " ";
		}
	tb_putc(b, ']');
}

/* poll's result: the entries with revents set. */
void tb_revents(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n)
{
	tb_putc(b, '[');
	const char *sep = "";
	for (uint64_t i = 0; i < n && i < 4096; i++) {
		struct { int32_t fd; int16_t events, revents; } p;
		if (!trace_peek(t, &p, addr + 8 * i, 8))
			break;
		if (!p.revents)
			continue;
		tb_printf(b, "%s{fd=%d, revents=", sep, p.fd);
		tb_flags(b, (uint16_t)p.revents, X(poll_events), "0");
		tb_putc(b, '}');
		sep = ", ";
	}
	tb_putc(b, ']');
}

/* epoll_wait's result: @n events. */
void tb_epoll_events(struct tbuf *b, struct task *t, uint64_t addr, uint64_t n)
{
	tb_putc(b, '[');
	for (uint64_t i = 0; i < n; i++) {
		struct { uint32_t events; uint64_t data; } __attribute__((packed)) ev;
		if (i == trace_strsize) {
			tb_puts(b, ", ...");
			break;
		}
		if (!trace_peek(t, &ev, addr + 12 * i, sizeof(ev)))
			break;
		tb_printf(b, "%s{events=", i ? ", " : "");
		tb_flags(b, ev.events, X(epoll_events), "0");
		tb_printf(b, ", data={u32=%u, u64=%llu}}", (uint32_t)ev.data, (unsigned long long)ev.data);
	}
	tb_putc(b, ']');
}
