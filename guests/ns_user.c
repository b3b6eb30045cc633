/*
 * ns_user: credentials in a new user namespace (user_namespaces(7)).
 *
 * A process in a user namespace without a uid_map/gid_map sees every id as
 * the overflow id (/proc/sys/kernel/overflowuid, usually 65534), has an
 * empty /proc/self/uid_map, and its capabilities count only for namespaces
 * its user namespace owns: sethostname on the UTS namespace it inherited
 * (owned by the parent's user namespace) is EPERM, while with
 * CLONE_NEWUSER|CLONE_NEWUTS the new UTS namespace is its own and
 * sethostname works. The same holds after unshare(CLONE_NEWUSER).
 *
 * The EPERM attempt sets the hostname to its current value, so the host is
 * unchanged even if it were wrongly allowed.
 */
#include "guest_check.h"

#include <sched.h>
#include <sys/utsname.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static long overflow_uid = -1, overflow_gid = -1;

static long read_num(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long file_size(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long n = (long)fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n;
}

/* Checks made inside the new user namespace, printed from there. */
static void inside(const char *how)
{
	check(getuid() == overflow_uid && geteuid() == overflow_uid, 20,
	      "%s: uid and euid are the overflow uid", how);
	check(getgid() == overflow_gid && getegid() == overflow_gid, 21,
	      "%s: gid and egid are the overflow gid", how);
	long n = file_size("/proc/self/uid_map");
	if (n == 0)
		check(1, 22, "%s: /proc/self/uid_map is empty", how);
	else
		check(0, 22, "%s: /proc/self/uid_map has %ld bytes, want 0", how, n);
	struct utsname u;
	uname(&u);
	long r = sethostname(u.nodename, strlen(u.nodename));
	int e = errno;
	expect_errno(r, e, EPERM, 23, "sethostname in the inherited UTS namespace");
}

static int clone_child(void *p)
{
	(void)p;
	guest_first_fail = 0;
	inside("clone(CLONE_NEWUSER)");
	fflush(stdout);
	return guest_finish();
}

static int clone_uts_child(void *p)
{
	(void)p;
	guest_first_fail = 0;
	check(sethostname("userns-host", 11) == 0, 30,
	      "CLONE_NEWUSER|CLONE_NEWUTS: sethostname in our own UTS namespace works");
	struct utsname u;
	uname(&u);
	check(strcmp(u.nodename, "userns-host") == 0, 31,
	      "CLONE_NEWUSER|CLONE_NEWUTS: uname follows");
	fflush(stdout);
	return guest_finish();
}

int main(void)
{
	overflow_uid = read_num("/proc/sys/kernel/overflowuid");
	overflow_gid = read_num("/proc/sys/kernel/overflowgid");
	need(overflow_uid > 0 && overflow_gid > 0, 90, "read /proc/sys/kernel/overflow{u,g}id");
	check(getuid() != overflow_uid, 10, "outside: uid is not the overflow uid");

	fflush(stdout);
	pid_t pid = clone(clone_child, child_stack + STACK_SIZE, CLONE_NEWUSER | SIGCHLD, NULL);
	need(pid > 0, 91, "clone(CLONE_NEWUSER)");
	expect_status(pid, "exited 0", 11, "clone(CLONE_NEWUSER) child");

	pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		need(unshare(CLONE_NEWUSER) == 0, 92, "unshare(CLONE_NEWUSER)");
		inside("unshare(CLONE_NEWUSER)");
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", 12, "unshare(CLONE_NEWUSER) child");

	fflush(stdout);
	pid = clone(clone_uts_child, child_stack + STACK_SIZE,
		    CLONE_NEWUSER | CLONE_NEWUTS | SIGCHLD, NULL);
	need(pid > 0, 93, "clone(CLONE_NEWUSER|CLONE_NEWUTS)");
	expect_status(pid, "exited 0", 13, "clone(CLONE_NEWUSER|CLONE_NEWUTS) child");
	check(getuid() != overflow_uid, 14, "outside: uid unchanged");
	return guest_finish();
}
