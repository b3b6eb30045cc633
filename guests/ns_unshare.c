/*
 * ns_unshare: unshare(2) (kernel/fork.c ksys_unshare). Each case runs in a
 * forked child, which prints its own checks, so this process keeps its
 * namespaces, descriptors and cwd.
 *
 *   - each namespace flag gives the caller a new namespace of that kind:
 *     its /proc/self/ns link changes and the others stay; for CLONE_NEWTIME
 *     the caller stays where it is and only time_for_children changes;
 *   - after unshare(CLONE_NEWPID): getpid() and /proc/self/ns/pid are
 *     unchanged; pid_for_children cannot be read (ENOENT) until the
 *     namespace has its pid 1, then it is new and is that child's
 *     /proc/self/ns/pid; the next fork's
 *     child is pid 1 inside (fork still returns its outer pid), a second
 *     child is pid 2 with getppid() == 0 (its parent is outside); once pid 1
 *     has exited, fork fails with ENOMEM; a second unshare(CLONE_NEWPID)
 *     while pid_for_children is already new is EINVAL;
 *   - unshare(CLONE_FILES) and unshare(CLONE_FS) detach the caller from a
 *     sibling made with CLONE_FILES / CLONE_FS before: a close or chdir
 *     afterwards no longer reaches the sibling; CLONE_NEWNS implies
 *     CLONE_FS, so it detaches the cwd too;
 *   - with a second thread: CLONE_THREAD, CLONE_SIGHAND, CLONE_VM and
 *     CLONE_NEWUSER (which implies CLONE_THREAD) are EINVAL; single-threaded
 *     they succeed (nothing to unshare);
 *   - flags unshare does not know (CLONE_PARENT, CLONE_SETTLS, CLONE_VFORK,
 *     CLONE_PIDFD, an exit signal, bit 32) are EINVAL; 0 and CLONE_SYSVSEM
 *     are accepted.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/stat.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static const char *const ns_names[] = {
    "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
    "user",   "uts"};
#define NNS (sizeof(ns_names) / sizeof(ns_names[0]))

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

/* unshare(flags) must fail with @want. */
static void expect_unshare_errno(unsigned long flags, int want, int code, const char *what)
{
	long r = syscall(SYS_unshare, flags);
	int e = errno;
	expect_errno(r, e, want, code, what);
}

/* Run fn in a forked child that prints its own checks; it must exit 0. */
static void in_child(void (*fn)(void), int code, const char *what)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		fn();
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", code, what);
}

/* ---- each namespace flag ---- */

static void links_case(void)
{
	static const struct {
		const char *flag_name;
		int flag;
		const char *changes; /* the one link that must change */
	} cases[] = {
	    {"CLONE_NEWCGROUP", CLONE_NEWCGROUP, "cgroup"},
	    {"CLONE_NEWIPC", CLONE_NEWIPC, "ipc"},
	    {"CLONE_NEWNS", CLONE_NEWNS, "mnt"},
	    {"CLONE_NEWNET", CLONE_NEWNET, "net"},
	    {"CLONE_NEWTIME", CLONE_NEWTIME, "time_for_children"},
	    {"CLONE_NEWUSER", CLONE_NEWUSER, "user"},
	    {"CLONE_NEWUTS", CLONE_NEWUTS, "uts"},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		pid_t pid = guest_fork();
		if (pid == 0) {
			char before[NNS][64], after[NNS][64];
			if (read_links(before))
				_exit(90);
			if (unshare(cases[c].flag) != 0)
				_exit(91);
			if (read_links(after))
				_exit(92);
			int bad = 0;
			for (size_t i = 0; i < NNS; i++) {
				int changed = strcmp(before[i], after[i]) != 0;
				int want = strcmp(ns_names[i], cases[c].changes) == 0;
				if (changed != want) {
					printf("FAILED: unshare(%s): /proc/self/ns/%s %s\n",
					       cases[c].flag_name, ns_names[i],
					       changed ? "changed" : "did not change");
					bad = 1;
				}
				/* Same type before and after. */
				size_t tl = strcspn(before[i], ":");
				if (strncmp(before[i], after[i], tl + 2))
					bad = 1;
			}
			fflush(stdout);
			_exit(bad);
		}
		char what[128];
		snprintf(what, sizeof(what), "unshare(%s): only /proc/self/ns/%s changes",
			 cases[c].flag_name, cases[c].changes);
		expect_status(pid, "exited 0", 10 + (int)c, what);
	}
}

/* ---- CLONE_NEWPID in detail ---- */

static int link_of(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static void newpid_case(void)
{
	char pid0[64], pid1[64], pfc[64], inner[64] = "";
	pid_t me = getpid();

	need(link_of("/proc/self/ns/pid", pid0, sizeof(pid0)) == 0, 20, "readlink ns/pid");
	need(unshare(CLONE_NEWPID) == 0, 20, "unshare(CLONE_NEWPID)");
	check(getpid() == me, 21, "unshare(CLONE_NEWPID): getpid() unchanged");
	/* The new namespace has no init yet: Linux shows no link for it. */
	int r = link_of("/proc/self/ns/pid_for_children", pfc, sizeof(pfc));
	int e = errno;
	expect_errno(r, e, ENOENT, 22, "readlink pid_for_children before the first child");
	expect_unshare_errno(CLONE_NEWPID, EINVAL, 23,
			     "a second unshare(CLONE_NEWPID) before anyone entered the first");

	int gate[2], up[2];
	need(pipe(gate) == 0 && pipe(up) == 0, 24, "pipe");
	pid_t init = guest_fork();
	if (init == 0) {
		char c, link[64] = "";
		close(gate[1]);
		close(up[0]);
		link_of("/proc/self/ns/pid", link, sizeof(link));
		write(up[1], link, sizeof(link));
		int ok = getpid() == 1 && getppid() == 0;
		read(gate[0], &c, 1);
		_exit(ok ? 0 : 1);
	}
	close(gate[0]);
	close(up[1]);
	check(init > 1, 25, "first fork after unshare returns the child's outer pid");
	read_full(up[0], inner, sizeof(inner));
	close(up[0]);
	r = link_of("/proc/self/ns/pid_for_children", pfc, sizeof(pfc));
	check(r == 0 && strncmp(pfc, "pid:[", 5) == 0 && strcmp(pfc, pid0) != 0, 26,
	      "with pid 1 alive: pid_for_children is a new pid:[...]");
	check(link_of("/proc/self/ns/pid", pid1, sizeof(pid1)) == 0 && strcmp(pid0, pid1) == 0, 27,
	      "our own /proc/self/ns/pid is unchanged");
	check(strcmp(inner, pfc) == 0, 28, "the child's /proc/self/ns/pid is our pid_for_children");

	pid_t second = guest_fork();
	if (second == 0)
		_exit(getpid() == 2 && getppid() == 0 ? 0 : 1);
	check(second > 1 && second != init, 29, "second fork returns another outer pid");
	expect_status(second, "exited 0", 30,
		      "second child: getpid() == 2, getppid() == 0 (its parent is outside)");
	close(gate[1]);
	expect_status(init, "exited 0", 31, "first child: getpid() == 1, getppid() == 0");

	fflush(stdout);
	pid_t late = fork();
	e = errno;
	if (late == 0)
		_exit(0);
	if (late > 0)
		waitpid(late, NULL, 0);
	expect_errno(late, e, ENOMEM, 32, "fork after the namespace's init exited");
}

/* ---- CLONE_FILES / CLONE_FS ---- */

static int gate[2];
static int probe_fd;
static char start_cwd[PATH_MAX];

/* Sibling: wait for the gate, then report what it sees. */
static int files_sibling(void *p)
{
	(void)p;
	char c;
	read(gate[0], &c, 1);
	return fcntl(probe_fd, F_GETFD) == -1 ? 1 : 0; /* still open: 0 */
}

static int fs_sibling(void *p)
{
	(void)p;
	char c, cwd[PATH_MAX];
	read(gate[0], &c, 1);
	if (!getcwd(cwd, sizeof(cwd)))
		return 2;
	return strcmp(cwd, start_cwd) == 0 ? 0 : 1; /* unchanged: 0 */
}

static void files_case(void)
{
	need(pipe(gate) == 0, 30, "pipe");
	probe_fd = open("/dev/null", O_RDONLY);
	need(probe_fd >= 0, 31, "open");
	fflush(stdout);
	long s = raw_clone(CLONE_FILES | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0,
			   files_sibling, NULL);
	need(s > 0, 32, "clone(CLONE_FILES)");
	check(unshare(CLONE_FILES) == 0, 33, "unshare(CLONE_FILES)");
	close(probe_fd);
	write(gate[1], "g", 1);
	expect_status((pid_t)s, "exited 0", 34,
		      "CLONE_FILES sibling still has the descriptor we closed after unshare");
}

static void fs_case_with(int flag, const char *name)
{
	need(pipe(gate) == 0, 40, "pipe");
	need(getcwd(start_cwd, sizeof(start_cwd)) != NULL, 41, "getcwd");
	fflush(stdout);
	long s = raw_clone(CLONE_FS | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0, fs_sibling,
			   NULL);
	need(s > 0, 42, "clone(CLONE_FS)");
	check(unshare(flag) == 0, 43, "unshare(%s)", name);
	need(chdir("/") == 0, 44, "chdir /");
	write(gate[1], "g", 1);
	char what[128];
	snprintf(what, sizeof(what),
		 "CLONE_FS sibling's cwd did not follow our chdir after unshare(%s)", name);
	expect_status((pid_t)s, "exited 0", 45, what);
}

static void fs_case(void)
{
	fs_case_with(CLONE_FS, "CLONE_FS");
}

static void newns_fs_case(void)
{
	fs_case_with(CLONE_NEWNS, "CLONE_NEWNS");
}

/* ---- threads ---- */

static int thread_gate[2];

static void *blocker(void *p)
{
	(void)p;
	char c;
	read(thread_gate[0], &c, 1);
	return NULL;
}

static void thread_case(void)
{
	pthread_t th;
	need(pipe(thread_gate) == 0, 50, "pipe");
	need(pthread_create(&th, NULL, blocker, NULL) == 0, 51, "pthread_create");
	expect_unshare_errno(CLONE_THREAD, EINVAL, 52, "two threads: unshare(CLONE_THREAD)");
	expect_unshare_errno(CLONE_SIGHAND, EINVAL, 53, "two threads: unshare(CLONE_SIGHAND)");
	expect_unshare_errno(CLONE_VM, EINVAL, 54, "two threads: unshare(CLONE_VM)");
	expect_unshare_errno(CLONE_NEWUSER, EINVAL, 55, "two threads: unshare(CLONE_NEWUSER)");
	write(thread_gate[1], "g", 1);
	pthread_join(th, NULL);
}

/* A process that never had a second thread (a joined thread may linger in
 * the kernel for a moment after pthread_join returns). */
static void single_thread_case(void)
{
	check(unshare(CLONE_THREAD) == 0, 56, "one thread: unshare(CLONE_THREAD) succeeds");
	check(unshare(CLONE_SIGHAND) == 0, 57, "one thread: unshare(CLONE_SIGHAND) succeeds");
	check(unshare(CLONE_VM) == 0, 58, "one thread: unshare(CLONE_VM) succeeds");
}

/* ---- flags unshare does not take ---- */

static void unknown_case(void)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} bad[] = {
	    {"CLONE_PARENT", CLONE_PARENT},
	    {"CLONE_SETTLS", CLONE_SETTLS},
	    {"CLONE_VFORK", CLONE_VFORK},
	    {"CLONE_PIDFD", CLONE_PIDFD},
	    {"CLONE_PARENT_SETTID", CLONE_PARENT_SETTID},
	    {"CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID},
	    {"SIGCHLD (an exit signal)", SIGCHLD},
	    {"bit 32", 1ul << 32},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "unshare(%s)", bad[i].name);
		expect_unshare_errno(bad[i].flags, EINVAL, 60 + (int)i, what);
	}
	check(unshare(0) == 0, 70, "unshare(0) succeeds");
	check(unshare(CLONE_SYSVSEM) == 0, 71, "unshare(CLONE_SYSVSEM) succeeds");
}

int main(void)
{
	links_case();
	in_child(newpid_case, 80, "unshare(CLONE_NEWPID) case");
	in_child(files_case, 81, "unshare(CLONE_FILES) case");
	in_child(fs_case, 82, "unshare(CLONE_FS) case");
	in_child(newns_fs_case, 83, "unshare(CLONE_NEWNS) detaches fs too");
	in_child(thread_case, 84, "threads case");
	in_child(single_thread_case, 86, "single thread case");
	in_child(unknown_case, 85, "unknown flags case");
	return guest_finish();
}
