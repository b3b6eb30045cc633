/*
 * ns_uts: UTS namespaces, in the shape of the clone(2) man page's example.
 *
 *   1. clone(CLONE_NEWUTS) through libc's clone() on a private stack: the
 *      child starts with the parent's names, sets its own hostname, prints
 *      it, and a grandchild forked in there shares it (one namespace, two
 *      processes); the parent's hostname is unchanged and its
 *      /proc/self/ns/uts link differs from the child's.
 *   2. unshare(CLONE_NEWUTS) in a forked child, then sethostname and
 *      setdomainname there: the child's uname() follows, its later children
 *      inherit the names, and the parent sees neither.
 *   3. sethostname's length rules inside a new namespace: exactly len bytes
 *      are taken (no terminator needed), 64 is the longest, 65 is EINVAL.
 *
 * The real host's names are never touched: every sethostname/setdomainname
 * runs in a process that is already in a new UTS namespace. The host's
 * names vary between machines, so they are compared, never printed.
 */
#include "guest_check.h"

#include <sched.h>
#include <sys/utsname.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static struct utsname parent_uts;
static char parent_link[64];

static int ns_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* Fixed text for a child's verdict, so the parent can report it. */
static int same_names(const struct utsname *a, const struct utsname *b)
{
	return strcmp(a->nodename, b->nodename) == 0 && strcmp(a->domainname, b->domainname) == 0;
}

/* The man page's childFunc: change the hostname in our own namespace,
 * show it, and let a grandchild (same namespace) change it once more. */
static int newuts_child(void *arg)
{
	const char *name = arg;
	struct utsname u;

	need(uname(&u) == 0, 30, "child: uname");
	check(same_names(&u, &parent_uts), 31,
	      "child: starts with the parent's hostname and domainname");
	char link[64];
	need(ns_link("/proc/self/ns/uts", link, sizeof(link)) == 0, 36, "child: readlink");
	check(strncmp(link, "uts:[", 5) == 0 && strcmp(link, parent_link) != 0, 37,
	      "child: /proc/self/ns/uts differs from the parent's, same type");
	need(sethostname(name, strlen(name)) == 0, 32, "child: sethostname in the new namespace");
	need(uname(&u) == 0, 33, "child: uname");
	printf("child: uts.nodename = %s\n", u.nodename);

	pid_t g = guest_fork();
	if (g == 0) {
		struct utsname gu;
		uname(&gu);
		int ok = strcmp(gu.nodename, name) == 0;
		if (sethostname("grandchild", 10) != 0)
			ok = 0;
		_exit(ok ? 0 : 1);
	}
	expect_status(g, "exited 0", 34,
		      "grandchild: inherits the child's hostname and sets another");
	uname(&u);
	check(strcmp(u.nodename, "grandchild") == 0, 35,
	      "child: sees the grandchild's hostname (one namespace shared by both)");
	fflush(stdout);
	return 0;
}

static void clone_case(void)
{
	need(ns_link("/proc/self/ns/uts", parent_link, sizeof(parent_link)) == 0, 91,
	     "readlink /proc/self/ns/uts");
	check(strncmp(parent_link, "uts:[", 5) == 0, 10,
	      "parent: /proc/self/ns/uts is uts:[inode]");

	fflush(stdout);
	pid_t pid = clone(newuts_child, child_stack + STACK_SIZE, CLONE_NEWUTS | SIGCHLD,
			  (void *)"cloneemu-uts");
	need(pid > 0, 92, "clone(CLONE_NEWUTS)");
	/* The child prints while we wait: nothing of ours may interleave. */
	expect_status(pid, "exited 0", 11, "clone(CLONE_NEWUTS) child");

	struct utsname u;
	need(uname(&u) == 0, 93, "uname");
	check(same_names(&u, &parent_uts), 13, "parent: hostname and domainname unchanged");
}

static void unshare_case(void)
{
	char before[64], after[64];
	need(ns_link("/proc/self/ns/uts", before, sizeof(before)) == 0, 94, "readlink");

	pid_t pid = guest_fork();
	if (pid == 0) {
		int code = 0;
		if (unshare(CLONE_NEWUTS) != 0)
			_exit(40);
		if (ns_link("/proc/self/ns/uts", after, sizeof(after)) != 0 ||
		    strcmp(after, before) == 0)
			code = code ? code : 41;
		if (sethostname("unshared-host", 13) != 0)
			_exit(42);
		if (setdomainname("unshared.domain", 15) != 0)
			_exit(43);
		struct utsname u;
		uname(&u);
		if (strcmp(u.nodename, "unshared-host") || strcmp(u.domainname, "unshared.domain"))
			code = code ? code : 44;
		printf("unshared child: nodename %s domainname %s\n", u.nodename, u.domainname);
		fflush(stdout);

		/* Children made after the unshare live in the new namespace. */
		pid_t g = fork();
		if (g == 0) {
			struct utsname gu;
			uname(&gu);
			char glink[64];
			int ok = strcmp(gu.nodename, "unshared-host") == 0 &&
				 strcmp(gu.domainname, "unshared.domain") == 0 &&
				 ns_link("/proc/self/ns/uts", glink, sizeof(glink)) == 0 &&
				 strcmp(glink, after) == 0;
			_exit(ok ? 0 : 1);
		}
		int st;
		if (g < 0 || waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			code = code ? code : 45;

		/* sethostname takes exactly len bytes: no terminator needed. */
		if (sethostname("abcdefgh", 3) != 0)
			code = code ? code : 46;
		uname(&u);
		if (strcmp(u.nodename, "abc") != 0)
			code = code ? code : 47;
		char longest[65];
		memset(longest, 'h', 64);
		longest[64] = 'X';
		if (sethostname(longest, 64) != 0)
			code = code ? code : 48;
		uname(&u);
		if (strlen(u.nodename) != 64 || u.nodename[0] != 'h')
			code = code ? code : 49;
		errno = 0;
		if (sethostname(longest, 65) != -1 || errno != EINVAL)
			code = code ? code : 50;
		errno = 0;
		if (setdomainname(longest, 65) != -1 || errno != EINVAL)
			code = code ? code : 51;
		_exit(code);
	}
	expect_status(pid, "exited 0", 20,
		      "unshare(CLONE_NEWUTS) child: new ns link, sethostname, setdomainname, "
		      "inherited by its fork, length rules");

	struct utsname u;
	need(uname(&u) == 0, 95, "uname");
	check(same_names(&u, &parent_uts), 21, "parent: names unchanged after the child's unshare");
	need(ns_link("/proc/self/ns/uts", after, sizeof(after)) == 0, 96, "readlink");
	check(strcmp(before, after) == 0, 22, "parent: /proc/self/ns/uts unchanged");
}

int main(void)
{
	need(uname(&parent_uts) == 0, 90, "uname");
	clone_case();
	unshare_case();
	return guest_finish();
}
