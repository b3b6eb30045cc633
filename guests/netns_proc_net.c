/*
 * netns_proc_net: /proc/net and /proc/sys/net of a new network namespace
 * (run as root).
 *
 * A child unshare(CLONE_NEWNET)s and prints what a fresh namespace shows:
 *   - /proc/net/{dev,tcp,tcp6,udp,udp6,unix,raw,raw6,packet,arp,route,
 *     ipv6_route,if_inet6} whole (only lo, down; no sockets), the same
 *     through /proc/self/net and /proc/thread-self/net
 *   - after lo is up: route's header, if_inet6's ::1, ipv6_route's ::1
 *   - with a TCP listener, a connection with 5 unread bytes, a UDP socket,
 *     a TCP6 listener and an abstract AF_UNIX listener: their lines in
 *     tcp, tcp6, udp and unix, found by inode (fstat), with address,
 *     state, rx queue and uid (the client's ephemeral port as "EPH")
 *   - /proc/sys/net/{ipv4/ip_forward,core/somaxconn,...}; ip_forward
 *     written to 1 reads 1 there and stays 0 in the parent's namespace
 *   - if_nameindex(): only lo
 * The parent, in the initial namespace, reads /proc/<child>/net/{dev,tcp}:
 * the child's namespace (lo only, its sockets).
 */
#include "guest_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stddef.h>
#include <sys/un.h>

static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	ssize_t n;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return (int)got;
}

static void print_file(const char *path)
{
	static char buf[65536];
	int n = slurp(path, buf, sizeof(buf));
	if (n < 0) {
		printf("%s: error %d\n", path, -n);
		return;
	}
	printf("%s: %d bytes\n", path, n);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		printf("  |%s|\n", line);
}

static void same_file(const char *a, const char *b)
{
	static char x[65536], y[65536];
	int n = slurp(a, x, sizeof(x)), m = slurp(b, y, sizeof(y));
	check(n >= 0 && n == m && !memcmp(x, y, (size_t)n), 10, "%s reads as %s", b, a);
}

static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	need(ioctl(s, SIOCGIFFLAGS, &ifr) == 0, 11, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	need(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, 12, "SIOCSIFFLAGS lo up");
	close(s);
}

static unsigned long ino_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

struct known {
	const char *role;
	unsigned long ino;
};

/* The lines of @path whose inode is one of @k: role, addresses, state,
 * queues and uid; @eph (hex port) printed as EPH. */
static void show_sockets(const char *path, const struct known *k, int nk, const char *eph)
{
	static char buf[65536];
	if (slurp(path, buf, sizeof(buf)) < 0) {
		printf("%s: unreadable\n", path);
		return;
	}
	int lines = 0, nout = 0;
	static char outl[32][256];
	char *save;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!lines++)
			continue; /* the header */
		char local[64], rem[64], st[8], queues[32], trtm[32], retr[16];
		unsigned uid;
		int timeout;
		unsigned long ino;
		if (sscanf(line, "%*d: %63s %63s %7s %31s %31s %15s %u %d %lu", local, rem, st, queues,
			   trtm, retr, &uid, &timeout, &ino) != 9) {
			printf("%s: unparsed line |%s|\n", path, line);
			continue;
		}
		const char *role = "?";
		for (int i = 0; i < nk; i++)
			if (k[i].ino == ino)
				role = k[i].role;
		char *p;
		if (eph && (p = strstr(local, eph)) && p[strlen(eph)] == 0)
			strcpy(p, "EPH");
		if (eph && (p = strstr(rem, eph)) && p[strlen(eph)] == 0)
			strcpy(p, "EPH");
		if (nout < 32)
			snprintf(outl[nout++], sizeof(outl[0]),
				 "%s: %s local=%s rem=%s st=%s queues=%s uid=%u", path, role, local,
				 rem, st, queues, uid);
	}
	/* In role order: the kernel lists them by hash bucket. */
	qsort(outl, (size_t)nout, sizeof(outl[0]), (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < nout; i++)
		printf("%s\n", outl[i]);
	printf("%s: %d sockets\n", path, lines - 1);
}

static void show_unix(unsigned long ino)
{
	static char buf[65536];
	if (slurp("/proc/net/unix", buf, sizeof(buf)) < 0)
		return;
	int lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!lines++) {
			printf("unix header |%s|\n", line);
			continue;
		}
		unsigned refs, proto, flags, type, st;
		unsigned long i;
		char name[128] = "";
		if (sscanf(line, "%*[0-9a-f]: %x %x %x %x %x %lu %127s", &refs, &proto, &flags, &type,
			   &st, &i, name) < 6) {
			printf("unix: unparsed |%s|\n", line);
			continue;
		}
		printf("unix: %s proto=%x flags=%08x type=%04x st=%02x name=%s\n",
		       i == ino ? "listener" : "?", proto, flags, type, st, name);
	}
	printf("unix: %d sockets\n", lines - 1);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	check(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), 20, "write %s",
	      path);
	if (fd >= 0)
		close(fd);
}

static int sync_pipe[2], hold_pipe[2];

static int in_child(void)
{
	static const char *const files[] = {"dev",  "tcp",    "tcp6", "udp",   "udp6",
					    "unix", "raw",    "raw6", "packet", "arp",
					    "route", "ipv6_route", "if_inet6"};
	char path[128], alt[128];
	need(unshare(CLONE_NEWNET) == 0, 30, "unshare(CLONE_NEWNET)");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/net/%s", files[i]);
		print_file(path);
		snprintf(alt, sizeof(alt), "/proc/self/net/%s", files[i]);
		same_file(path, alt);
	}
	same_file("/proc/net/dev", "/proc/thread-self/net/dev");
	lo_up();
	print_file("/proc/net/route");
	print_file("/proc/net/if_inet6");
	print_file("/proc/net/ipv6_route");
	print_file("/proc/net/dev");

	/* Sockets. */
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(4321)};
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	need(l >= 0 && bind(l, (struct sockaddr *)&a4, sizeof(a4)) == 0 && listen(l, 5) == 0, 31,
	     "tcp listener on 127.0.0.1:4321");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	need(connect(c, (struct sockaddr *)&a4, sizeof(a4)) == 0, 32, "connect");
	int acc = accept(l, NULL, NULL);
	need(acc >= 0, 33, "accept");
	need(write(c, "hello", 5) == 5, 34, "client sends 5 bytes");
	struct sockaddr_in cn;
	socklen_t cl = sizeof(cn);
	getsockname(c, (struct sockaddr *)&cn, &cl);
	char eph[8];
	snprintf(eph, sizeof(eph), ":%04X", ntohs(cn.sin_port));
	struct sockaddr_in u4 = {.sin_family = AF_INET, .sin_port = htons(5353)};
	u4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	need(bind(u, (struct sockaddr *)&u4, sizeof(u4)) == 0, 35, "udp bind 127.0.0.1:5353");
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(4322)};
	a6.sin6_addr = in6addr_loopback;
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	need(l6 >= 0 && bind(l6, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(l6, 1) == 0,
	     36, "tcp6 listener on [::1]:4322");
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memcpy(un.sun_path, "\0netns_proc_net", 15);
	int us = socket(AF_UNIX, SOCK_STREAM, 0);
	need(bind(us, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 15) == 0 &&
		     listen(us, 1) == 0,
	     37, "abstract unix listener");
	/* An unbound TCP socket is not listed. */
	int idle = socket(AF_INET, SOCK_STREAM, 0);
	struct known k[] = {{"listener", ino_of(l)}, {"client", ino_of(c)}, {"accepted", ino_of(acc)},
			    {"udp", ino_of(u)},	     {"listener6", ino_of(l6)}, {"idle", ino_of(idle)}};
	show_sockets("/proc/net/tcp", k, 6, eph);
	show_sockets("/proc/net/tcp6", k, 6, eph);
	show_sockets("/proc/net/udp", k, 6, eph);
	show_unix(ino_of(us));

	/* sysctls of the namespace. */
	print_file("/proc/sys/net/ipv4/ip_forward");
	print_file("/proc/sys/net/core/somaxconn");
	print_file("/proc/sys/net/ipv4/ip_local_port_range");
	print_file("/proc/sys/net/ipv4/ping_group_range");
	print_file("/proc/sys/net/ipv4/conf/lo/forwarding");
	/* Never write the host's value: only once the namespace is seen to be
	 * a new one (lo alone in /proc/net/dev). */
	static char dev[4096];
	int lo_only = slurp("/proc/net/dev", dev, sizeof(dev)) > 0 && strstr(dev, "    lo:") &&
		      strchr(strstr(dev, "    lo:"), '\n')[1] == 0;
	check(lo_only, 21, "/proc/net/dev has only lo before writing a sysctl");
	if (lo_only)
		write_file("/proc/sys/net/ipv4/ip_forward", "1\n");
	print_file("/proc/sys/net/ipv4/conf/all/forwarding");
	print_file("/proc/sys/net/ipv4/conf/lo/forwarding");
	print_file("/proc/sys/net/ipv6/conf/all/forwarding");
	print_file("/proc/sys/net/ipv4/ip_forward");

	struct if_nameindex *ni = if_nameindex();
	for (struct if_nameindex *p = ni; p && p->if_index; p++)
		printf("if_nameindex: %u %s\n", p->if_index, p->if_name);
	if (ni)
		if_freenameindex(ni);
	fflush(stdout);
	char ch = 'r';
	if (write(sync_pipe[1], &ch, 1) != 1 || read(hold_pipe[0], &ch, 1) < 0)
		return 40;
	return guest_finish();
}

int main(void)
{
	if (geteuid() != 0) {
		printf("netns_proc_net: needs root\n");
		return 0;
	}
	char before[64];
	need(slurp("/proc/sys/net/ipv4/ip_forward", before, sizeof(before)) > 0, 2,
	     "read the initial ip_forward");
	if (pipe(sync_pipe) || pipe(hold_pipe))
		return 2;
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		_exit(in_child());
	char ch;
	need(read(sync_pipe[0], &ch, 1) == 1, 3, "child ready");
	char path[64], buf[8192], after[64];
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)child);
	int n = slurp(path, buf, sizeof(buf));
	check(n > 0 && strstr(buf, "    lo:") && !strstr(buf, "eth") &&
		      strchr(strstr(buf, "    lo:"), '\n')[1] == 0,
	      4, "/proc/<child>/net/dev: only lo");
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)child);
	n = slurp(path, buf, sizeof(buf));
	int lines = 0;
	for (int i = 0; i < n; i++)
		lines += buf[i] == '\n';
	check(lines == 4, 5, "/proc/<child>/net/tcp: the child's three sockets (%d lines)", lines);
	need(slurp("/proc/sys/net/ipv4/ip_forward", after, sizeof(after)) > 0, 6, "read ip_forward");
	check(!strcmp(before, after), 7, "the initial namespace's ip_forward unchanged");
	if (write(hold_pipe[1], "x", 1) != 1)
		return 8;
	int st;
	need(waitpid(child, &st, 0) == child, 9, "child exits");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, 9, "child's checks pass");
	return guest_finish();
}
