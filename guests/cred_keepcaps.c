/*
 * cred_keepcaps: what uid changes do to capabilities (capabilities(7),
 * "Effect of user ID changes on capabilities"; security/commoncap.c
 * cap_emulate_setxuid, cap_task_fix_setuid) and what execve does to them.
 * Each case runs in a forked root child so it starts from the full sets:
 *
 *   - PR_SET_KEEPCAPS 2 -> EINVAL; keep-caps is SECBIT_KEEP_CAPS in
 *     PR_GET_SECUREBITS; with it, setresuid(1000) keeps the permitted set
 *     and clears the effective one; capset can raise effective again
 *     (CAP_SETUID) and setresuid(0) then restores effective = permitted
 *   - without it the same setresuid clears both
 *   - euid-only changes: seteuid(1000) clears effective but keeps
 *     permitted, seteuid(0) brings effective back
 *   - fsuid: setfsuid(1000) drops the file-system capabilities from the
 *     effective set, setfsuid(0) raises them again
 *   - SECBIT_NO_SETUID_FIXUP: setresuid(1000) leaves every set alone
 *   - securebits: a locked bit cannot change (PR_SET_KEEPCAPS -> EPERM),
 *     locks cannot be removed, unknown bits are EPERM, and without
 *     CAP_SETPCAP nothing may be set
 *   - execve clears keep-caps; as uid 1000 with keep-caps the new image has
 *     no capabilities; with ruid 0 and euid 1000 it gets the bounding set
 *     as permitted, none effective, and AT_SECURE; AT_UID/AT_EUID/AT_GID/
 *     AT_EGID are the ids it runs with
 */
#include "cred_check.h"

#include <sys/auxv.h>

static uint64_t full_prm;

/* The exec'd image: report what it runs with. */
static int report(const char *how)
{
	printf("exec %s: keepcaps %d securebits %d AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu "
	       "AT_SECURE %lu\n",
	       how, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), prctl(PR_GET_SECUREBITS, 0, 0, 0, 0),
	       getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID),
	       getauxval(AT_SECURE));
	print_ids("exec ids");
	print_caps("exec caps");
	return guest_finish();
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
	expect_status(pid, "exited 0", 50, what);
}

static void with_keepcaps(void)
{
	long r = prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0);
	expect_errno(r, errno, EINVAL, 1, "PR_SET_KEEPCAPS 2");
	expect_eq(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0, 2, "keep-caps starts off");
	expect_eq(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0, 3, "PR_SET_KEEPCAPS 1");
	expect_eq(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1, 4, "PR_GET_KEEPCAPS");
	expect_eq(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBIT_KEEP_CAPS, 5,
		  "securebits are SECBIT_KEEP_CAPS");
	expect_eq(setresuid(1000, 1000, 1000), 0, 6, "setresuid(1000, 1000, 1000)");
	struct capsets c = my_caps();
	check(c.prm == full_prm && c.eff == 0, 7, "keep-caps: permitted kept, effective cleared");
	expect_eq(set_caps(CAP_BIT(CAP_SETUID), c.prm, 0), 0, 8, "capset: CAP_SETUID effective");
	expect_eq(setresuid(0, 0, 0), 0, 9, "setresuid(0, 0, 0) with CAP_SETUID");
	c = my_caps();
	check(c.eff == full_prm, 10, "euid 0 again: effective = permitted");
	print_ids("back to root");
}

static void without_keepcaps(void)
{
	expect_eq(setresuid(1000, 1000, 1000), 0, 11, "setresuid(1000, 1000, 1000)");
	struct capsets c = my_caps();
	check(c.prm == 0 && c.eff == 0, 12, "no keep-caps: permitted and effective cleared");
}

static void euid_only(void)
{
	expect_eq(seteuid(1000), 0, 13, "seteuid(1000)");
	struct capsets c = my_caps();
	check(c.prm == full_prm && c.eff == 0, 14,
	      "euid 1000, ruid 0: permitted kept, no effective");
	print_ids("euid 1000");
	expect_eq(seteuid(0), 0, 15, "seteuid(0)");
	c = my_caps();
	check(c.eff == full_prm, 16, "seteuid(0): effective = permitted");
}

static void fsuid_change(void)
{
	expect_eq(syscall(SYS_setfsuid, 1000), 0, 17, "setfsuid(1000) returns the old fsuid 0");
	print_caps("fsuid 1000");
	struct capsets c = my_caps();
	check(!(c.eff & CAP_BIT(CAP_CHOWN)) && !(c.eff & CAP_BIT(CAP_DAC_OVERRIDE)) &&
		      (c.eff & CAP_BIT(CAP_KILL)),
	      18, "fsuid 1000: CAP_CHOWN, CAP_DAC_OVERRIDE gone, CAP_KILL kept");
	expect_eq(syscall(SYS_setfsuid, 0), 1000, 19, "setfsuid(0) returns 1000");
	c = my_caps();
	check(c.eff == full_prm, 20, "fsuid 0: the file-system capabilities are back");
}

static void no_setuid_fixup(void)
{
	expect_eq(prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0), 0, 21,
		  "PR_SET_SECUREBITS SECBIT_NO_SETUID_FIXUP");
	expect_eq(setresuid(1000, 1000, 1000), 0, 22, "setresuid(1000, 1000, 1000)");
	struct capsets c = my_caps();
	check(c.prm == full_prm && c.eff == full_prm, 23, "no fixup: every set kept");
	print_status("/proc/self/status", (const char *const[]){"Uid", "CapEff"}, 2);
}

static void locked_bits(void)
{
	long r;
	expect_eq(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0), 0, 24,
		  "lock keep-caps (off)");
	r = prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	expect_errno(r, errno, EPERM, 25, "PR_SET_KEEPCAPS 1 when locked");
	r = prctl(PR_SET_SECUREBITS, 0, 0, 0, 0);
	expect_errno(r, errno, EPERM, 26, "removing a lock");
	r = prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | (1 << 20), 0, 0, 0);
	expect_errno(r, errno, EPERM, 27, "an unknown securebit");
	expect_eq(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT, 0, 0, 0), 0,
		  28, "adding SECBIT_NOROOT");
	expect_eq(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT,
		  29, "PR_GET_SECUREBITS");
	struct capsets c = my_caps();
	expect_eq(set_caps(c.eff & ~CAP_BIT(CAP_SETPCAP), c.prm, 0), 0, 30,
		  "capset: CAP_SETPCAP out of effective");
	r = prctl(PR_SET_SECUREBITS,
		  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP, 0, 0, 0);
	expect_errno(r, errno, EPERM, 31, "PR_SET_SECUREBITS without CAP_SETPCAP");
}

/* Exec this program again. Directories on the way may not be searchable
 * by uid 1000: make CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH effective
 * (they are still permitted) so the native run can reach it too. */
static void exec_self(const char *how)
{
	struct capsets c = my_caps();
	uint64_t dac = CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(2);
	need(set_caps(c.eff | (c.prm & dac), c.prm, c.inh) == 0, 41, "capset before exec");
	fflush(stdout);
	execl("/proc/self/exe", "cred_keepcaps", how, (char *)NULL);
	need(0, 40, "execl /proc/self/exe");
}

static void exec_keepcaps_user(void)
{
	expect_eq(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0, 32, "PR_SET_KEEPCAPS 1");
	expect_eq(setresgid(1000, 1000, 1000), 0, 33, "setresgid(1000, 1000, 1000)");
	expect_eq(setresuid(1000, 1000, 1000), 0, 34, "setresuid(1000, 1000, 1000)");
	check(my_caps().prm == full_prm, 35, "permitted kept before exec");
	exec_self("user-keepcaps");
}

static void exec_euid_user(void)
{
	expect_eq(setresuid(0, 1000, 0), 0, 36, "setresuid(0, 1000, 0)");
	exec_self("euid-1000");
}

static void exec_root(void)
{
	exec_self("root");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return report(argv[1]);
	if (!need_root())
		return guest_finish();
	full_prm = my_caps().prm;
	run_child(with_keepcaps, "keep-caps across setuid");
	run_child(without_keepcaps, "setuid without keep-caps");
	run_child(euid_only, "euid changes");
	run_child(fsuid_change, "fsuid changes");
	run_child(no_setuid_fixup, "SECBIT_NO_SETUID_FIXUP");
	run_child(locked_bits, "locked securebits");
	run_child(exec_root, "exec as root");
	run_child(exec_keepcaps_user, "exec as uid 1000 with keep-caps");
	run_child(exec_euid_user, "exec with ruid 0, euid 1000");
	return guest_finish();
}
