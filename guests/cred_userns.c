/*
 * cred_userns: credentials and namespaces (user_namespaces(7),
 * kernel/user_namespace.c set_cred_user_ns, kernel/nsproxy.c):
 *
 *   - after unshare(CLONE_NEWUSER), with no uid_map written: every
 *     capability in the new namespace (permitted, effective, bounding; no
 *     inheritable or ambient), ids read as the overflow id in get*id,
 *     getgroups and /proc/self/status, setting any id is EINVAL (nothing
 *     maps), setresuid(-1, -1, -1) is fine, setgroups is EPERM (no
 *     gid_map), capset can still drop capabilities
 *   - clone(CLONE_NEWUSER) gives the child the same full sets while the
 *     parent keeps its own
 *   - without CAP_SYS_ADMIN (root that dropped it from its effective set,
 *     and uid 1000), unshare(CLONE_NEWUTS) and sethostname are EPERM
 */
#include "cred_check.h"

#include <sched.h>
#include <sys/utsname.h>

static const char *const keys[] = {"Uid", "Gid", "Groups", "Cap"};

static void in_new_userns(void)
{
	print_caps("new user namespace");
	print_ids("new user namespace");
	print_status("/proc/self/status", keys, 4);
	struct capsets c = my_caps();
	check(c.eff == c.prm && c.inh == 0, 1, "every capability, none inheritable");
	check(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1, 2, "CAP_SYS_ADMIN bounded in");
	long r = setuid(0);
	expect_errno(r, errno, EINVAL, 3, "setuid(0): no uid maps");
	r = setresgid(0, 0, 0);
	expect_errno(r, errno, EINVAL, 4, "setresgid(0, 0, 0)");
	expect_eq(syscall(SYS_setresuid, -1, -1, -1), 0, 5, "setresuid(-1, -1, -1)");
	gid_t g = 0;
	r = setgroups(1, &g);
	expect_errno(r, errno, EPERM, 6, "setgroups: no gid_map");
	expect_eq(syscall(SYS_setfsuid, 0), 65534, 7, "setfsuid(0) returns the overflow fsuid");
	expect_eq(set_caps(c.eff & ~CAP_BIT(CAP_NET_RAW), c.prm & ~CAP_BIT(CAP_NET_RAW), 0), 0, 8,
		  "capset drops CAP_NET_RAW");
}

static int clone_child(void *arg)
{
	(void)arg;
	struct capsets c = my_caps();
	return c.inh == 0 && c.prm == c.eff && c.prm && getuid() == 65534 ? 0 : 1;
}

static void no_sys_admin(const char *who)
{
	struct utsname u;
	uname(&u);
	long r = unshare(CLONE_NEWUTS);
	printf("%s: ", who);
	expect_errno(r, errno, EPERM, 10, "unshare(CLONE_NEWUTS) without CAP_SYS_ADMIN");
	r = sethostname(u.nodename, strlen(u.nodename));
	printf("%s: ", who);
	expect_errno(r, errno, EPERM, 11, "sethostname without CAP_SYS_ADMIN");
}

static void run_child(void (*fn)(void), const char *what)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		fn();
		fflush(stdout);
		_exit(guest_first_fail);
	}
	expect_status(pid, "exited 0", 20, what);
}

static void unshare_user(void)
{
	need(unshare(CLONE_NEWUSER) == 0, 30, "unshare(CLONE_NEWUSER)");
	in_new_userns();
}

static void clone_user(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct capsets before = my_caps();
	pid_t pid = clone(clone_child, stack + sizeof(stack), CLONE_NEWUSER | SIGCHLD, NULL);
	need(pid > 0, 31, "clone(CLONE_NEWUSER)");
	expect_status(pid, "exited 0", 12, "the clone(CLONE_NEWUSER) child had every capability");
	struct capsets after = my_caps();
	check(before.prm == after.prm && before.eff == after.eff, 13, "the parent's are unchanged");
}

static void root_without_sys_admin(void)
{
	struct capsets c = my_caps();
	need(set_caps(c.eff & ~CAP_BIT(CAP_SYS_ADMIN), c.prm, 0) == 0, 32, "capset");
	no_sys_admin("root without CAP_SYS_ADMIN");
}

static void user_1000(void)
{
	need(setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0, 33, "drop");
	no_sys_admin("uid 1000");
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	run_child(unshare_user, "unshare(CLONE_NEWUSER)");
	run_child(clone_user, "clone(CLONE_NEWUSER)");
	run_child(root_without_sys_admin, "root without CAP_SYS_ADMIN");
	run_child(user_1000, "uid 1000");
	return guest_finish();
}
