/*
 * cred_drop_root: a root process drops to an ordinary user the way daemons
 * do (setgroups, setresgid, setresuid) and every id, group and capability
 * set follows Linux's rules (kernel/sys.c, credentials(7), capabilities(7)
 * "Effect of user ID changes on capabilities"):
 *
 *   - the starting ids, groups and capability sets (whatever the machine
 *     gives us: cloneemu must hand its guest its own real ones)
 *   - setgroups stores the list sorted; getgroups(0) counts, a short buffer
 *     is EINVAL; /proc/self/status shows Uid/Gid/Groups/Cap lines
 *   - setresgid then setresuid to 1000: every get* value, fsuid/fsgid, and
 *     all capabilities gone (permitted, effective; inheritable stays)
 *   - then forbidden: setuid(0), setgid(0), setresuid(0,-1,-1),
 *     setreuid(-1,0), setgroups, capset raising -> EPERM; setuid(-1) ->
 *     EINVAL; setfsuid(0) returns the old fsuid and changes nothing
 *   - allowed: setresuid(-1,-1,-1), setuid(1000), swapping among our own
 *     ids
 *   - kill: a root process is EPERM (also for signal 0), SIGCONT to a root
 *     process of our session is allowed, a group or -1 with some EPERM
 *     members succeeds
 *   - a child forked after the drop inherits it and is ours to signal; its
 *     handler's si_uid is our real uid; waitid's si_uid is the child's uid
 */
#include "cred_check.h"

#include <signal.h>

static const char *const id_keys[] = {"Uid", "Gid", "Groups", "Cap", "NoNewPrivs"};

static volatile sig_atomic_t got_uid = -1;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_uid = (sig_atomic_t)si->si_uid;
}

int main(void)
{
	print_ids("start");
	print_caps("start caps");
	print_status("/proc/self/status", id_keys, 5);
	if (!need_root())
		return guest_finish();

	/* A root process of our session that stays root, for kill checks. */
	int gate_w;
	pid_t rootkid = fork_gated(10, &gate_w);

	gid_t groups[] = {20, 10, 10, 30};
	expect_eq(setgroups(4, groups), 0, 1, "setgroups(20 10 10 30)");
	gid_t back[8];
	expect_eq(getgroups(0, NULL), 4, 2, "getgroups(0) counts 4");
	errno = 0;
	long r = getgroups(2, back);
	expect_errno(r, errno, EINVAL, 3, "getgroups with room for 2 of 4");
	expect_eq(getgroups(8, back), 4, 4, "getgroups(8)");
	check(back[0] == 10 && back[1] == 10 && back[2] == 20 && back[3] == 30, 5,
	      "groups come back sorted: %u %u %u %u", back[0], back[1], back[2], back[3]);

	expect_eq(setresgid(1000, 1001, 1002), 0, 6, "setresgid(1000, 1001, 1002)");
	print_ids("after setresgid");
	expect_eq(setresgid(1000, 1000, 1000), 0, 7, "setresgid(1000, 1000, 1000)");
	expect_eq(setresuid(1000, 1000, 1000), 0, 8, "setresuid(1000, 1000, 1000)");
	print_ids("dropped");
	print_caps("dropped caps");
	struct capsets c = my_caps();
	check(c.eff == 0 && c.prm == 0, 9, "no permitted or effective capability is left");
	print_status("/proc/self/status", id_keys, 5);

	errno = 0;
	r = setuid(0);
	expect_errno(r, errno, EPERM, 10, "setuid(0)");
	r = setgid(0);
	expect_errno(r, errno, EPERM, 11, "setgid(0)");
	r = setresuid(0, -1, -1);
	expect_errno(r, errno, EPERM, 12, "setresuid(0, -1, -1)");
	r = setreuid(-1, 0);
	expect_errno(r, errno, EPERM, 13, "setreuid(-1, 0)");
	r = setresgid(-1, 0, -1);
	expect_errno(r, errno, EPERM, 14, "setresgid(-1, 0, -1)");
	r = setgroups(0, NULL);
	expect_errno(r, errno, EPERM, 15, "setgroups(0, NULL)");
	r = syscall(SYS_setuid, -1);
	expect_errno(r, errno, EINVAL, 16, "setuid(-1): not an id");
	r = syscall(SYS_setresuid, 2000, -1, -1);
	expect_errno(r, errno, EPERM, 17, "setresuid(2000, -1, -1)");
	r = set_caps(CAP_BIT(CAP_KILL), CAP_BIT(CAP_KILL), 0);
	expect_errno(r, errno, EPERM, 18, "capset raising CAP_KILL");
	expect_eq(syscall(SYS_setfsuid, 0), 1000, 19, "setfsuid(0) returns the old fsuid 1000");
	expect_eq(syscall(SYS_setfsuid, -1), 1000, 20, "... and did not change it");
	expect_eq(syscall(SYS_setfsgid, 0), 1000, 21, "setfsgid(0) returns the old fsgid 1000");
	expect_eq(syscall(SYS_setresuid, -1, -1, -1), 0, 22, "setresuid(-1, -1, -1)");
	expect_eq(setuid(1000), 0, 23, "setuid(1000): our own uid");
	expect_eq(getgroups(0, NULL), 4, 24, "the groups stayed");

	/* Signals across users. */
	r = kill(rootkid, 0);
	expect_errno(r, errno, EPERM, 25, "kill(root process, 0)");
	r = kill(rootkid, SIGTERM);
	expect_errno(r, errno, EPERM, 26, "kill(root process, SIGTERM)");
	expect_eq(kill(rootkid, SIGCONT), 0, 27, "SIGCONT to a root process of our session");
	expect_eq(kill(-getpgrp(), 0), 0, 28, "kill(our group, 0): we are in it");
	expect_eq(kill(-1, 0), 0, 29, "kill(-1, 0): EPERM targets are skipped");

	/* A child of ours inherits the drop and is ours to signal; its
	 * handler sees our real uid as si_uid. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	int ready[2];
	need(pipe(ready) == 0, 91, "pipe");
	pid_t kid = guest_fork();
	if (kid == 0) {
		print_ids("forked child");
		fflush(stdout);
		write(ready[1], "x", 1);
		while (got_uid == -1)
			pause();
		_exit(got_uid == 1000 ? 7 : 8);
	}
	char ch;
	need(read(ready[0], &ch, 1) == 1, 94, "the child has printed");
	expect_eq(kill(kid, 0), 0, 30, "kill(our own child, 0)");
	expect_eq(kill(kid, SIGUSR1), 0, 31, "kill(our own child, SIGUSR1)");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	expect_eq(waitid(P_PID, kid, &si, WEXITED), 0, 32, "waitid for the child");
	expect_eq(si.si_uid, 1000, 33, "waitid's si_uid is the child's uid");
	expect_eq(si.si_status, 7, 34, "the child's handler saw si_uid 1000");

	close(gate_w);
	expect_status(rootkid, "exited 10", 35, "the root child was not disturbed");
	return guest_finish();
}
