/*
 * cloneflags_accepted: flags Linux accepts whose only visible effect here is
 * that the call succeeds, or a small, checkable one.
 *
 *   - CLONE_SYSVSEM, CLONE_IO, CLONE_PTRACE (nobody traces us),
 *     CLONE_UNTRACED: an ordinary child, through clone and through clone3;
 *     CLONE_DETACHED: ignored by legacy clone (clone3 refuses it, see
 *     cloneflags_invalid);
 *   - legacy clone drops flag bits above 31: CLONE_CLEAR_SIGHAND (bit 32)
 *     given to clone changes nothing;
 *   - an exit signal that is no signal (65) in legacy clone's low byte: the
 *     child is made, nobody is signalled, and only __WALL waits find it;
 *   - CLONE_CLEAR_SIGHAND (clone3): the child's handled signals are back to
 *     SIG_DFL with flags and mask cleared, while an ignored signal stays
 *     SIG_IGN; the parent's handlers are untouched;
 *   - CLONE_PARENT_SETTID aimed at unmapped memory: the child is made anyway
 *     (the kernel ignores that write failing);
 *   - clone3 with CLONE_PIDFD and CLONE_PARENT_SETTID at two different
 *     places: both are written;
 *   - CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS,
 *     CLONE_NEWPID, CLONE_NEWUSER (legacy clone) and CLONE_NEWTIME (clone3:
 *     in legacy clone 0x80 is part of the exit signal byte): the child's
 *     /proc/self/ns/<name> link differs from the parent's and has the same
 *     "type:[" prefix; its other links are the parent's.
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>

#define CLONE_CLEAR_SIGHAND_ 0x100000000ull
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static int exit_99(void *p)
{
	(void)p;
	return 99;
}

static void expect_child(long r, int code, const char *what)
{
	if (r <= 0) {
		check(0, code, "%s: errno %s, want a child", what, errno_name(-(int)r));
		return;
	}
	expect_status((pid_t)r, "exited 99", code, what);
}

static void ignored_flags(void)
{
	static const struct {
		const char *name;
		unsigned long flags;
		int clone3_too;
	} cases[] = {
	    {"CLONE_SYSVSEM", CLONE_SYSVSEM, 1},
	    {"CLONE_IO", CLONE_IO, 1},
	    {"CLONE_PTRACE (not traced)", CLONE_PTRACE, 1},
	    {"CLONE_UNTRACED", CLONE_UNTRACED, 1},
	    {"CLONE_DETACHED", CLONE_DETACHED, 0},
	};
	char what[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fflush(stdout);
		long r = raw_clone(cases[i].flags | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL,
				   0, exit_99, NULL);
		snprintf(what, sizeof(what), "clone %s: an ordinary child", cases[i].name);
		expect_child(r, 10 + (int)i, what);
		if (!cases[i].clone3_too)
			continue;
		struct clone_args_v0 a = {.flags = cases[i].flags, .exit_signal = SIGCHLD};
		fflush(stdout);
		r = raw_clone3(&a, sizeof(a), exit_99, NULL);
		snprintf(what, sizeof(what), "clone3 %s: an ordinary child", cases[i].name);
		expect_child(r, 20 + (int)i, what);
	}

	/* An exit "signal" of 65: no signal, a __WALL-only child. */
	fflush(stdout);
	long r = raw_clone(65, child_stack + STACK_SIZE, NULL, NULL, 0, exit_99, NULL);
	need(r > 0, 90, "clone with exit signal 65");
	int st = 0;
	long w = waitpid((pid_t)r, &st, 0);
	expect_errno(w, errno, ECHILD, 30, "clone exit signal 65: plain waitpid does not see it");
	w = waitpid((pid_t)r, &st, __WALL);
	check(w == r && WIFEXITED(st) && WEXITSTATUS(st) == 99, 31,
	      "clone exit signal 65: waitpid __WALL reaps it, exited 99");

	/* CLONE_PARENT_SETTID into unmapped memory. */
	fflush(stdout);
	r = raw_clone(CLONE_PARENT_SETTID | SIGCHLD, child_stack + STACK_SIZE, (pid_t *)8, NULL, 0,
		      exit_99, NULL);
	expect_child(r, 32, "clone CLONE_PARENT_SETTID to an unmapped address: the child is made");

	/* Both CLONE_PIDFD and CLONE_PARENT_SETTID, at two places. */
	int pidfd = -1;
	pid_t ptid = 0;
	struct clone_args_v0 a = {.flags = CLONE_PIDFD | CLONE_PARENT_SETTID,
				  .pidfd = (uintptr_t)&pidfd,
				  .parent_tid = (uintptr_t)&ptid,
				  .exit_signal = SIGCHLD};
	fflush(stdout);
	r = raw_clone3(&a, sizeof(a), exit_99, NULL);
	need(r > 0, 91, "clone3 CLONE_PIDFD|CLONE_PARENT_SETTID");
	check(
	    ptid == r && pidfd > 2, 33,
	    "clone3 CLONE_PIDFD|CLONE_PARENT_SETTID: parent_tid holds the pid, pidfd a descriptor");
	expect_status((pid_t)r, "exited 99", 34, "clone3 CLONE_PIDFD|CLONE_PARENT_SETTID child");
	close(pidfd);
}

/* ---- CLONE_CLEAR_SIGHAND ---- */

static void on_usr1(int sig)
{
	(void)sig;
}

/* Child: 0 when SIGUSR1 is SIG_DFL with no flags or mask and SIGUSR2 is
 * still SIG_IGN; the bits say what was wrong. */
static int clear_sighand_child(void *p)
{
	int want_cleared = (int)(intptr_t)p;
	struct sigaction sa;
	int bad = 0;

	sigaction(SIGUSR1, NULL, &sa);
	if (want_cleared) {
		if (sa.sa_handler != SIG_DFL)
			bad |= 1;
		if (sa.sa_flags & ~SA_RESTORER)
			bad |= 2;
		if (sigismember(&sa.sa_mask, SIGUSR2))
			bad |= 4;
	} else if (sa.sa_handler != on_usr1) {
		bad |= 1;
	}
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler != SIG_IGN)
		bad |= 8;
	return bad;
}

static void clear_sighand(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaddset(&sa.sa_mask, SIGUSR2);
	need(sigaction(SIGUSR1, &sa, NULL) == 0, 92, "sigaction SIGUSR1");
	need(signal(SIGUSR2, SIG_IGN) != SIG_ERR, 93, "SIG_IGN SIGUSR2");

	struct clone_args_v0 a = {.flags = CLONE_CLEAR_SIGHAND_, .exit_signal = SIGCHLD};
	fflush(stdout);
	long r = raw_clone3(&a, sizeof(a), clear_sighand_child, (void *)1);
	need(r > 0, 94, "clone3 CLONE_CLEAR_SIGHAND");
	expect_status(
	    (pid_t)r, "exited 0", 40,
	    "clone3 CLONE_CLEAR_SIGHAND: handler reset to SIG_DFL (no flags, empty mask), "
	    "SIG_IGN kept");

	fflush(stdout);
	r = raw_clone((unsigned long)CLONE_CLEAR_SIGHAND_ | SIGCHLD, child_stack + STACK_SIZE, NULL,
		      NULL, 0, clear_sighand_child, (void *)0);
	need(r > 0, 95, "clone with bit 32");
	expect_status(
	    (pid_t)r, "exited 0", 41,
	    "clone (legacy) with CLONE_CLEAR_SIGHAND's bit: dropped, the handler is kept");

	sigaction(SIGUSR1, NULL, &sa);
	check(sa.sa_handler == on_usr1, 42, "parent: its SIGUSR1 handler is untouched");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* ---- namespaces: a new /proc/self/ns link ---- */

static const char *const ns_names[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
#define NNS (sizeof(ns_names) / sizeof(ns_names[0]))
static char parent_links[NNS][64];

static int read_links(char links[NNS][64])
{
	for (size_t i = 0; i < NNS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		ssize_t n = readlink(path, links[i], 63);
		if (n < 0)
			return -1;
		links[i][n] = 0;
	}
	return 0;
}

/* Child: 0 when exactly the namespace @p (an index) is new. For a new PID
 * namespace "pid" is pid_for_children's job; the child itself is in it. */
static int new_ns_child(void *p)
{
	size_t want = (size_t)(uintptr_t)p;
	char links[NNS][64];
	int bad = 0;

	if (read_links(links))
		return 90;
	for (size_t i = 0; i < NNS; i++) {
		size_t tl = strlen(ns_names[i]);
		if (strncmp(links[i], ns_names[i], tl) || strncmp(links[i] + tl, ":[", 2))
			bad |= 1; /* wrong type prefix */
		int same = strcmp(links[i], parent_links[i]) == 0;
		if (i == want ? same : !same)
			bad |= 2;
	}
	if (!strcmp(ns_names[want], "pid") && getpid() != 1)
		bad |= 4;
	return bad;
}

static void new_namespaces(void)
{
	static const uint64_t flags[NNS] = {CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNS,
					    CLONE_NEWNET,    CLONE_NEWPID, CLONE_NEWTIME,
					    CLONE_NEWUSER,   CLONE_NEWUTS};
	static const char *const flag_names[NNS] = {
	    "CLONE_NEWCGROUP", "CLONE_NEWIPC",	"CLONE_NEWNS",	 "CLONE_NEWNET",
	    "CLONE_NEWPID",    "CLONE_NEWTIME", "CLONE_NEWUSER", "CLONE_NEWUTS"};
	char what[128];

	need(read_links(parent_links) == 0, 96, "readlink /proc/self/ns/*");
	for (size_t i = 0; i < NNS; i++) {
		long r;
		fflush(stdout);
		if (flags[i] == CLONE_NEWTIME) {
			struct clone_args_v0 a = {.flags = flags[i], .exit_signal = SIGCHLD};
			r = raw_clone3(&a, sizeof(a), new_ns_child, (void *)(uintptr_t)i);
		} else {
			r = raw_clone(flags[i] | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0,
				      new_ns_child, (void *)(uintptr_t)i);
		}
		snprintf(what, sizeof(what),
			 "%s %s: the child's /proc/self/ns/%s is new, the rest shared",
			 flags[i] == CLONE_NEWTIME ? "clone3" : "clone", flag_names[i],
			 ns_names[i]);
		if (r <= 0) {
			check(0, 50 + (int)i, "%s: errno %s", what, errno_name(-(int)r));
			continue;
		}
		expect_status((pid_t)r, "exited 0", 50 + (int)i, what);
	}
	char now[NNS][64];
	need(read_links(now) == 0, 97, "readlink /proc/self/ns/*");
	int same = 1;
	for (size_t i = 0; i < NNS; i++)
		same &= strcmp(now[i], parent_links[i]) == 0;
	check(same, 60, "parent: its own /proc/self/ns links are unchanged");
}

int main(void)
{
	ignored_flags();
	clear_sighand();
	new_namespaces();
	return guest_finish();
}
