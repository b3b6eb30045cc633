/*
 * unix_check.h: what the unix_*.c guests (AF_UNIX sockets) share on top of
 * guest_check.h: errno names of the socket errors, an errno check that
 * knows them, and sockaddr_un helpers. Header-only, like guest_check.h.
 */
#ifndef UNIX_CHECK_H
#define UNIX_CHECK_H

#include "guest_check.h"

#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

static GUEST_UNUSED const char *sock_errno_name(int e)
{
	switch (e) {
	case ENOTSOCK: return "ENOTSOCK";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTOTYPE: return "EPROTOTYPE";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EADDRINUSE: return "EADDRINUSE";
	case ECONNRESET: return "ECONNRESET";
	case EISCONN: return "EISCONN";
	case ENOTCONN: return "ENOTCONN";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOBUFS: return "ENOBUFS";
	case ESRCH: return "ESRCH";
	default: return errno_name(e);
	}
}

/* ret must be -1 with errno == want; prints "ok: WHAT -> ENAME". */
static GUEST_UNUSED void expect_serr(long ret, int err, int want, int code, const char *what)
{
	if (ret == -1 && err == want)
		check(1, code, "%s -> %s", what, sock_errno_name(want));
	else
		check(0, code, "%s: got ret %ld errno %s, want -1 %s", what, ret,
		      ret == -1 ? sock_errno_name(err) : "-", sock_errno_name(want));
}

/* Run EXPR and check it fails with WANT. */
#define EXPECT_ERR(expr, want, code, what)                                                   \
	do {                                                                                \
		errno = 0;                                                                  \
		long r_ = (long)(expr);                                                     \
		expect_serr(r_, errno, want, code, what);                                   \
	} while (0)

/* A path address; returns its length as bind/connect take it. */
static GUEST_UNUSED socklen_t un_path(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path, path, sizeof(a->sun_path) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* An abstract address "\0NAME" (no trailing NUL counted). */
static GUEST_UNUSED socklen_t un_abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(name);
	memcpy(a->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static GUEST_UNUSED int sockopt_int(int fd, int name)
{
	int v = -12345;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, name, &v, &l))
		return -errno * 1000;
	return v;
}

static GUEST_UNUSED short poll_now(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* poll bits as fixed text: "IN|OUT|HUP". */
static GUEST_UNUSED const char *poll_str(short re)
{
	static char buf[80];
	buf[0] = 0;
	static const struct { short bit; const char *name; } names[] = {
		{POLLIN, "IN"}, {POLLPRI, "PRI"}, {POLLOUT, "OUT"}, {POLLERR, "ERR"},
		{POLLHUP, "HUP"}, {POLLNVAL, "NVAL"}, {POLLRDHUP, "RDHUP"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (re & names[i].bit) {
			if (buf[0])
				strcat(buf, "|");
			strcat(buf, names[i].name);
		}
	if (!buf[0])
		strcpy(buf, "0");
	return buf;
}

#endif
