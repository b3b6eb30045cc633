/*
 * cred_capset: capget/capset (kernel/capability.c, cap_capset in
 * security/commoncap.c) and the capability prctls, as root:
 *
 *   - header versions: an unknown version gets v3 written back, EINVAL,
 *     but 0 with NULL data (the version probe libcap does); v1 moves one
 *     32-bit word per set (the second slot stays untouched); v2 and v3 two
 *   - capget of another task by pid (a forked child that dropped some
 *     capabilities), pid -1 -> EINVAL, no such pid -> ESRCH; capset for
 *     another pid -> EPERM
 *   - capset: effective must be within permitted, permitted can only
 *     shrink, inheritable needs CAP_SETPCAP beyond permitted and can never
 *     leave the bounding set
 *   - PR_CAPBSET_READ/DROP (EINVAL past the last capability, EPERM without
 *     CAP_SETPCAP), ambient capabilities (raise needs permitted and
 *     inheritable, capset dropping inheritable drops ambient, CLEAR_ALL,
 *     SECBIT_NO_CAP_AMBIENT_RAISE)
 *   - PR_SET/GET_NO_NEW_PRIVS: EINVAL for stray arguments, inherited by
 *     fork, shown in /proc/self/status
 */
#include "cred_check.h"

static void versions(void)
{
	struct cap_header h = {0x12345678, 0};
	struct cap_data d[2];
	memset(d, 0xaa, sizeof(d));
	long r = syscall(SYS_capget, &h, d);
	expect_errno(r, errno, EINVAL, 1, "capget with an unknown version");
	check(h.version == CAP_V3, 2, "... writes back v3 (%#x)", h.version);
	h.version = 0;
	expect_eq(syscall(SYS_capget, &h, NULL), 0, 3, "capget(version 0, NULL): the probe");
	check(h.version == CAP_V3, 4, "... gets v3 (%#x)", h.version);
	h.version = CAP_V1;
	expect_eq(syscall(SYS_capget, &h, d), 0, 5, "capget v1");
	check(d[1].effective == 0xaaaaaaaa && d[1].permitted == 0xaaaaaaaa, 6,
	      "v1 fills one word per set");
	struct capsets c = my_caps();
	check(d[0].permitted == (uint32_t)c.prm, 7, "v1's word is the low half");
	h.version = CAP_V2;
	memset(d, 0xaa, sizeof(d));
	expect_eq(syscall(SYS_capget, &h, d), 0, 8, "capget v2");
	check(d[1].permitted == (uint32_t)(c.prm >> 32), 9, "v2 fills both words");
	h.version = CAP_V3;
	h.pid = -1;
	r = syscall(SYS_capget, &h, d);
	expect_errno(r, errno, EINVAL, 10, "capget pid -1");
	h.pid = 4194000;
	r = syscall(SYS_capget, &h, d);
	expect_errno(r, errno, ESRCH, 11, "capget of no such pid");
	h.pid = getppid() > 1 ? getppid() : 1;
	h.version = 0x1;
	r = syscall(SYS_capset, &h, d);
	expect_errno(r, errno, EINVAL, 12, "capset with an unknown version");
}

static void other_task(void)
{
	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct capsets c = my_caps();
		set_caps(c.eff & ~CAP_BIT(CAP_NET_RAW), c.prm & ~CAP_BIT(CAP_NET_RAW), 0);
		write(rep[1], "x", 1);
		for (;;)
			pause();
	}
	close(rep[1]);
	char ch;
	need(read(rep[0], &ch, 1) == 1, 94, "child ready");
	struct capsets c;
	expect_eq(caps_of(pid, &c), 0, 13, "capget of a child by pid");
	struct capsets mine = my_caps();
	check(c.prm == (mine.prm & ~CAP_BIT(CAP_NET_RAW)), 14,
	      "the child's permitted set lacks CAP_NET_RAW, ours does not");
	struct cap_header h = {CAP_V3, pid};
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	long r = syscall(SYS_capset, &h, d);
	expect_errno(r, errno, EPERM, 15, "capset of another process");
	close(rep[0]);
	kill(pid, SIGKILL);
	expect_status(pid, "killed by signal 9", 16, "child");
}

static void capset_rules(void)
{
	struct capsets c = my_caps();
	uint64_t all = c.prm;
	long r = set_caps(all, all & ~CAP_BIT(CAP_NET_RAW), 0);
	expect_errno(r, errno, EPERM, 20, "effective beyond permitted");
	expect_eq(set_caps(all & ~CAP_BIT(CAP_SYS_ADMIN), all, 0), 0, 21,
		  "CAP_SYS_ADMIN out of effective");
	expect_eq(set_caps(all, all, 0), 0, 22, "... and back");
	expect_eq(set_caps(all & ~CAP_BIT(CAP_NET_RAW), all & ~CAP_BIT(CAP_NET_RAW), 0), 0, 23,
		  "CAP_NET_RAW out of permitted");
	r = set_caps(all, all, 0);
	expect_errno(r, errno, EPERM, 24, "CAP_NET_RAW back into permitted");
	uint64_t prm = all & ~CAP_BIT(CAP_NET_RAW);
	expect_eq(set_caps(prm, prm, CAP_BIT(CAP_NET_RAW)), 0, 25,
		  "inheritable beyond permitted with CAP_SETPCAP");
	expect_eq(set_caps(prm & ~CAP_BIT(CAP_SETPCAP), prm, CAP_BIT(CAP_NET_RAW)), 0, 26,
		  "keeping it without CAP_SETPCAP");
	expect_eq(set_caps(prm & ~CAP_BIT(CAP_SETPCAP), prm,
			   CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_NET_BIND_SERVICE)),
		  0, 27, "a permitted one into inheritable without CAP_SETPCAP");
	r = set_caps(prm & ~CAP_BIT(CAP_SETPCAP), prm, CAP_BIT(CAP_NET_RAW) | CAP_BIT(63));
	expect_eq(r, 0, 28, "capability 63 (none) is ignored");
	check(!(my_caps().inh & CAP_BIT(63)), 29, "... and not stored");
	print_caps("after capset rules");
	print_status("/proc/self/status", (const char *const[]){"Cap"}, 1);
}

static void bounding_set(void)
{
	expect_eq(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0), 1, 30,
		  "PR_CAPBSET_READ CAP_SYS_ADMIN");
	long r = prctl(PR_CAPBSET_READ, 63, 0, 0, 0);
	expect_errno(r, errno, EINVAL, 31, "PR_CAPBSET_READ 63");
	r = prctl(PR_CAPBSET_DROP, 63, 0, 0, 0);
	expect_errno(r, errno, EINVAL, 32, "PR_CAPBSET_DROP 63");
	expect_eq(prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0), 0, 33,
		  "PR_CAPBSET_DROP CAP_NET_RAW");
	expect_eq(prctl(PR_CAPBSET_READ, CAP_NET_RAW, 0, 0, 0), 0, 34, "... gone from the set");
	struct capsets c = my_caps();
	check(c.prm & CAP_BIT(CAP_NET_RAW), 35, "but still permitted");
	r = set_caps(c.eff, c.prm, CAP_BIT(CAP_NET_RAW));
	expect_errno(r, errno, EPERM, 36, "inheritable outside the bounding set");
	expect_eq(set_caps(c.eff & ~CAP_BIT(CAP_SETPCAP), c.prm, 0), 0, 37,
		  "CAP_SETPCAP out of effective");
	r = prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0);
	expect_errno(r, errno, EPERM, 38, "PR_CAPBSET_DROP without CAP_SETPCAP");
	print_status("/proc/self/status", (const char *const[]){"CapBnd"}, 1);
}

static void ambient(void)
{
	long r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0);
	expect_errno(r, errno, EPERM, 40, "ambient raise without inheritable");
	struct capsets c = my_caps();
	expect_eq(set_caps(c.eff, c.prm, CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_KILL)), 0, 41,
		  "CAP_NET_RAW, CAP_KILL inheritable");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), 0, 42,
		  "ambient raise CAP_NET_RAW");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0), 0, 43,
		  "ambient raise CAP_KILL");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 1, 44,
		  "IS_SET CAP_NET_RAW");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_ADMIN, 0, 0), 0, 45,
		  "IS_SET CAP_SYS_ADMIN");
	r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 63, 0, 0);
	expect_errno(r, errno, EINVAL, 46, "IS_SET 63");
	r = prctl(PR_CAP_AMBIENT, 9, CAP_NET_RAW, 0, 0);
	expect_errno(r, errno, EINVAL, 47, "an unknown ambient operation");
	print_status("/proc/self/status", (const char *const[]){"CapAmb"}, 1);
	expect_eq(set_caps(c.eff, c.prm, CAP_BIT(CAP_KILL)), 0, 48, "CAP_NET_RAW not inheritable");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0, 49,
		  "... drops it from ambient");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_KILL, 0, 0), 0, 50, "LOWER");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0), 0, 51,
		  "RAISE again");
	r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0);
	expect_errno(r, errno, EINVAL, 52, "CLEAR_ALL with an argument");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), 0, 53, "CLEAR_ALL");
	expect_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0), 0, 54,
		  "... cleared CAP_KILL");
	expect_eq(prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE, 0, 0, 0), 0, 55,
		  "SECBIT_NO_CAP_AMBIENT_RAISE");
	r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0);
	expect_errno(r, errno, EPERM, 56, "ambient raise with SECBIT_NO_CAP_AMBIENT_RAISE");
}

static void no_new_privs(void)
{
	expect_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, 60, "no_new_privs starts off");
	long r = prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0);
	expect_errno(r, errno, EINVAL, 61, "PR_SET_NO_NEW_PRIVS with a stray argument");
	r = prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0);
	expect_errno(r, errno, EINVAL, 62, "PR_SET_NO_NEW_PRIVS 2");
	r = prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0);
	expect_errno(r, errno, EINVAL, 63, "PR_GET_NO_NEW_PRIVS with an argument");
	expect_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0, 64, "PR_SET_NO_NEW_PRIVS 1");
	expect_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1, 65, "PR_GET_NO_NEW_PRIVS");
	print_status("/proc/self/status", (const char *const[]){"NoNewPrivs"}, 1);
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
	expect_status(pid, "exited 0", 66, "a forked child has no_new_privs too");
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
	expect_status(pid, "exited 0", 70, what);
}

int main(void)
{
	print_caps("start");
	printf("PR_CAPBSET_READ CAP_KILL: %d, ambient CAP_KILL: %d, no_new_privs %d\n",
	       prctl(PR_CAPBSET_READ, CAP_KILL, 0, 0, 0),
	       prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0),
	       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	if (!need_root())
		return guest_finish();
	run_child(versions, "header versions");
	run_child(other_task, "another task's capabilities");
	run_child(capset_rules, "capset rules");
	run_child(bounding_set, "the bounding set");
	run_child(ambient, "ambient capabilities");
	run_child(no_new_privs, "no_new_privs");
	return guest_finish();
}
