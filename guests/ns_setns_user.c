/*
 * ns_setns_user: setns(2) into a user namespace (run as root).
 *
 * A child unshares a user and a network namespace (no id maps). Another
 * process enters its user namespace by descriptor: it is in the child's
 * namespace, its uid reads as the overflow id and it holds every
 * capability there; then it may enter the network namespace owned by that
 * user namespace, but not the initial network or user namespace (EPERM:
 * no capability over the initial user namespace any more), nor the user
 * namespace it is in (EINVAL). A pidfd with CLONE_NEWUSER|CLONE_NEWNET
 * enters both at once.
 */
#include "guest_check.h"

#include <fcntl.h>

/* linux/capability.h (musl has no kernel headers) */
struct cap_header {
	unsigned version;
	int pid;
};
struct cap_data {
	unsigned effective, permitted, inheritable;
};
#define CAP_VERSION_3 0x20080522

#ifndef SYS_setns
#define SYS_setns 308
#endif

static int my_setns(int fd, int type)
{
	return (int)syscall(SYS_setns, fd, type);
}

static void report(const char *what, int r)
{
	printf("%s: %d %s\n", what, r, r ? strerror(errno) : "");
}

static void link_of(const char *path, char *buf)
{
	ssize_t n = readlink(path, buf, 63);
	buf[n < 0 ? 0 : n] = 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("ns_setns_user: needs root\n");
		return 0;
	}
	int p[2], h[2];
	need(pipe(p) == 0 && pipe(h) == 0, 2, "pipes");
	int initu = open("/proc/self/ns/user", O_RDONLY);
	int initn = open("/proc/self/ns/net", O_RDONLY);
	need(initu >= 0 && initn >= 0, 3, "open own user and net namespaces");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char x;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) || write(p[1], "r", 1) != 1 ||
		    read(h[0], &x, 1) < 0)
			_exit(9);
		_exit(0);
	}
	char x, path[64];
	need(read(p[0], &x, 1) == 1, 4, "child unshared");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c);
	int fu = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c);
	int fn = open(path, O_RDONLY);
	need(fu >= 0 && fn >= 0, 5, "open the child's namespaces");
	fflush(stdout);
	pid_t g = fork();
	if (g == 0) {
		report("setns(child user ns)", my_setns(fu, CLONE_NEWUSER));
		char a[64], b[64];
		link_of("/proc/self/ns/user", a);
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c);
		link_of(path, b);
		printf("in the child's user ns: %d, uid %d\n", !strcmp(a, b), (int)getuid());
		struct cap_header hd = {CAP_VERSION_3, 0};
		struct cap_data d[2];
		if (!syscall(SYS_capget, &hd, d))
			printf("effective %x %x\n", d[0].effective, d[1].effective);
		report("setns(net ns it owns)", my_setns(fn, CLONE_NEWNET));
		report("setns(initial net ns)", my_setns(initn, CLONE_NEWNET));
		report("setns(initial user ns)", my_setns(initu, CLONE_NEWUSER));
		report("setns(the user ns it is in)", my_setns(fu, CLONE_NEWUSER));
		fflush(stdout);
		_exit(0);
	}
	waitpid(g, NULL, 0);
	fflush(stdout);
	g = fork();
	if (g == 0) {
		int pfd = (int)syscall(SYS_pidfd_open, c, 0);
		report("setns(pidfd, CLONE_NEWUSER|CLONE_NEWNET)",
		       my_setns(pfd, CLONE_NEWUSER | CLONE_NEWNET));
		char a[64], b[64];
		link_of("/proc/self/ns/net", a);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c);
		link_of(path, b);
		printf("in the child's net ns: %d\n", !strcmp(a, b));
		fflush(stdout);
		_exit(0);
	}
	waitpid(g, NULL, 0);
	int st;
	need(write(h[1], "x", 1) == 1 && waitpid(c, &st, 0) == c, 6, "child done");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, 7, "child exits 0");
	return guest_finish();
}
