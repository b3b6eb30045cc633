/*
 * ns_setns: /proc/<pid>/ns/<name> as nsfs files and setns(2) (run as root).
 *
 *   - every /proc/self/ns/<name> reads as "<type>:[<inode>]"; stat
 *     follows it to an nsfs inode (S_IFREG 0444) whose st_ino is that
 *     inode, lstat shows the link; open gives a descriptor with the same
 *     st_ino whose /proc/self/fd link reads the same; read -> EINVAL
 *   - a child unshares net, uts and ipc and names itself "inner"; its
 *     links differ from the parent's, /proc/<child>/ns/<name> have its inodes
 *   - a grandchild setns()es into them one by one (by descriptor, nstype
 *     0 or the right CLONE_NEW*): its own links become the child's, the
 *     hostname is "inner"; wrong type -> EINVAL, a non-ns file -> EINVAL,
 *     a bad descriptor -> EBADF, unknown flags -> EINVAL
 *   - setns with a pidfd and CLONE_NEWNET|CLONE_NEWUTS enters both at
 *     once; a pidfd with 0 -> EINVAL
 *   - setns into the own user namespace -> EINVAL; with a second thread
 *     alive the user and mnt namespaces -> EINVAL (shared fs)
 *   - pid: entering the own active namespace works; entering a child
 *     pid namespace sets pid_for_children only (the next child is pid 1
 *     there, getpid unchanged); back to the parent's one -> EINVAL
 *   - without CAP_SYS_ADMIN (uid 1000, capabilities dropped) -> EPERM
 *   - nsfs ioctls: NS_GET_NSTYPE, NS_GET_USERNS (the own user namespace;
 *     EPERM for the initial one), NS_GET_PARENT (EPERM for the initial
 *     pid and user namespaces, EINVAL for the others), NS_GET_OWNER_UID;
 *     an nsfs descriptor reopened through /proc/self/fd
 */
#include "guest_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#include <sys/ioctl.h>
#define NS_GET_USERNS_ 0xb701
#define NS_GET_PARENT_ 0xb702
#define NS_GET_NSTYPE_ 0xb703
#define NS_GET_OWNER_UID_ 0xb704
#ifndef SYS_setns
#define SYS_setns 308
#endif

static const char *const names[] = {"net", "uts", "ipc", "mnt", "pid", "pid_for_children",
				    "cgroup", "user", "time", "time_for_children"};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static int my_setns(int fd, int type)
{
	return (int)syscall(SYS_setns, fd, type);
}

static int ns_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static void self_link(const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (ns_link(path, buf, size))
		snprintf(buf, size, "?%d", errno);
}

static void check_files(void)
{
	for (size_t i = 0; i < NNAMES; i++) {
		char path[64], link[64], type[32], fdlink[64], fdpath[64];
		unsigned long long inum = 0;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		int ok = ns_link(path, link, sizeof(link)) == 0 &&
			 sscanf(link, "%31[a-z]:[%llu]", type, &inum) == 2;
		check(ok, 10, "%s: readlink is type:[inode]", names[i]);
		if (!ok)
			continue;
		struct stat st, lst;
		check(stat(path, &st) == 0 && st.st_ino == inum, 11, "%s: stat st_ino is the inode",
		      names[i]);
		check((st.st_mode & 07777 & ~0444) == 0 && S_ISREG(st.st_mode), 12,
		      "%s: nsfs inode is a regular file 0444 (mode %o)", names[i], st.st_mode);
		check(lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode), 13, "%s: lstat is a link",
		      names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		check(fd >= 0, 14, "%s: open", names[i]);
		if (fd < 0)
			continue;
		struct stat fst;
		check(fstat(fd, &fst) == 0 && fst.st_ino == inum && fst.st_dev == st.st_dev, 15,
		      "%s: fstat is the same inode", names[i]);
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		check(ns_link(fdpath, fdlink, sizeof(fdlink)) == 0 && !strcmp(fdlink, link), 16,
		      "%s: /proc/self/fd link reads %s", names[i], "the same");
		char c;
		errno = 0;
		check(read(fd, &c, 1) == -1 && errno == EINVAL, 17, "%s: read -> EINVAL", names[i]);
		close(fd);
	}
	/* nsfs ioctls and reopening through /proc/self/fd. */
	static const struct {
		const char *name;
		int type;
	} types[] = {{"net", CLONE_NEWNET},   {"uts", CLONE_NEWUTS},	{"ipc", CLONE_NEWIPC},
		     {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},	{"cgroup", CLONE_NEWCGROUP},
		     {"user", CLONE_NEWUSER}, {"time", CLONE_NEWTIME}};
	char userlink[64];
	self_link("user", userlink, sizeof(userlink));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char path[64], link[64], fdpath[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", types[i].name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		check(ioctl(fd, NS_GET_NSTYPE_) == types[i].type, 19, "%s: NS_GET_NSTYPE", types[i].name);
		int u = ioctl(fd, NS_GET_USERNS_);
		if (types[i].type == CLONE_NEWUSER) {
			check(u == -1 && errno == EPERM, 19, "%s: NS_GET_USERNS of the initial -> EPERM",
			      types[i].name);
		} else {
			snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", u);
			check(u >= 0 && ns_link(fdpath, link, sizeof(link)) == 0 && !strcmp(link, userlink),
			      19, "%s: NS_GET_USERNS is the own user namespace", types[i].name);
			close(u);
		}
		errno = 0;
		int p = ioctl(fd, NS_GET_PARENT_);
		int want = types[i].type == CLONE_NEWPID || types[i].type == CLONE_NEWUSER ? EPERM : EINVAL;
		check(p == -1 && errno == want, 19, "%s: NS_GET_PARENT -> %s", types[i].name,
		      want == EPERM ? "EPERM" : "EINVAL");
		unsigned uid = 77;
		errno = 0;
		int o = ioctl(fd, NS_GET_OWNER_UID_, &uid);
		if (types[i].type == CLONE_NEWUSER)
			check(o == 0 && uid == 0, 19, "%s: NS_GET_OWNER_UID 0", types[i].name);
		else
			check(o == -1 && errno == EINVAL, 19, "%s: NS_GET_OWNER_UID -> EINVAL",
			      types[i].name);
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		int again = open(fdpath, O_RDONLY);
		struct stat x, y;
		check(again >= 0 && !fstat(fd, &x) && !fstat(again, &y) && x.st_ino == y.st_ino, 19,
		      "%s: reopened through /proc/self/fd", types[i].name);
		close(again);
		close(fd);
	}
	/* Two opens of the same namespace: the same inode. */
	struct stat a, b;
	int fa = open("/proc/self/ns/net", O_RDONLY), fb = open("/proc/thread-self/ns/net", O_RDONLY);
	check(fa >= 0 && fb >= 0 && !fstat(fa, &a) && !fstat(fb, &b) && a.st_ino == b.st_ino &&
		      a.st_dev == b.st_dev,
	      18, "two opens of one namespace: one inode");
	close(fa);
	close(fb);
}

static int sync_pipe[2], hold_pipe[2];

/* The child: new net/uts/ipc namespaces, then wait until released. */
static void inner_child(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC))
		_exit(50);
	if (sethostname("inner", 5))
		_exit(51);
	char c = 'r';
	if (write(sync_pipe[1], &c, 1) != 1)
		_exit(52);
	if (read(hold_pipe[0], &c, 1) < 0)
		_exit(53);
	_exit(0);
}

static int open_ns(pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void child_link(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	if (ns_link(path, buf, size))
		snprintf(buf, size, "?%d", errno);
}

#define EXPECT_FAIL(expr, err, code, what)                                                           \
	do {                                                                                         \
		errno = 0;                                                                           \
		int r_ = (expr);                                                                     \
		int e_ = errno;                                                                      \
		check(r_ == -1 && e_ == (err), code, "%s -> %s (got %d errno %d)", what, #err, r_, \
		      e_);                                                                           \
	} while (0)

static void *idle_thread(void *arg)
{
	int fd = *(int *)arg;
	char c;
	if (read(fd, &c, 1) < 0)
		return NULL;
	return NULL;
}

/* Runs in a fresh process: enters @inner's namespaces in several ways. */
static int enter_by_fd(pid_t inner)
{
	char want[64], got[64], host[64];
	int fnet = open_ns(inner, "net"), futs = open_ns(inner, "uts"), fipc = open_ns(inner, "ipc");
	check(fnet >= 0 && futs >= 0 && fipc >= 0, 20, "open /proc/<child>/ns/{net,uts,ipc}");
	EXPECT_FAIL(my_setns(fnet, CLONE_NEWUTS), EINVAL, 21, "setns(net fd, CLONE_NEWUTS)");
	EXPECT_FAIL(my_setns(futs, CLONE_NEWNET), EINVAL, 22, "setns(uts fd, CLONE_NEWNET)");
	EXPECT_FAIL(my_setns(fnet, 0x1), EINVAL, 23, "setns(net fd, 0x1)");
	EXPECT_FAIL(my_setns(-1, 0), EBADF, 24, "setns(-1, 0)");
	EXPECT_FAIL(my_setns(1000, CLONE_NEWNET), EBADF, 25, "setns(1000, CLONE_NEWNET)");
	int reg = open("/proc/self/status", O_RDONLY);
	EXPECT_FAIL(my_setns(reg, 0), EINVAL, 26, "setns(regular file, 0)");
	EXPECT_FAIL(my_setns(reg, CLONE_NEWNET), EINVAL, 27, "setns(regular file, CLONE_NEWNET)");
	close(reg);

	check(my_setns(fnet, CLONE_NEWNET) == 0, 28, "setns(net fd, CLONE_NEWNET)");
	self_link("net", got, sizeof(got));
	child_link(inner, "net", want, sizeof(want));
	check(!strcmp(got, want), 29, "now in the child's net namespace");
	gethostname(host, sizeof(host));
	check(strcmp(host, "inner") != 0, 30, "hostname still the parent's");
	check(my_setns(futs, 0) == 0, 31, "setns(uts fd, 0)");
	gethostname(host, sizeof(host));
	check(!strcmp(host, "inner"), 32, "hostname now %s", "inner");
	check(my_setns(fipc, CLONE_NEWIPC) == 0, 33, "setns(ipc fd, CLONE_NEWIPC)");
	self_link("ipc", got, sizeof(got));
	child_link(inner, "ipc", want, sizeof(want));
	check(!strcmp(got, want), 34, "now in the child's ipc namespace");
	/* The descriptor stays usable after the namespace was entered. */
	check(my_setns(fnet, 0) == 0, 35, "setns into the namespace one is in");
	close(fnet);
	close(futs);
	close(fipc);

	/* The own user namespace: EINVAL. */
	int fuser = open("/proc/self/ns/user", O_RDONLY);
	EXPECT_FAIL(my_setns(fuser, CLONE_NEWUSER), EINVAL, 36, "setns(own user ns)");
	/* With a second thread: user and mnt refuse. */
	int tp[2];
	pthread_t th;
	if (pipe(tp) || pthread_create(&th, NULL, idle_thread, &tp[0]))
		return 1;
	int fmnt = open("/proc/self/ns/mnt", O_RDONLY);
	EXPECT_FAIL(my_setns(fmnt, CLONE_NEWNS), EINVAL, 37, "setns(mnt) with a thread sharing fs");
	EXPECT_FAIL(my_setns(fuser, CLONE_NEWUSER), EINVAL, 38, "setns(user) multithreaded");
	if (write(tp[1], "x", 1) != 1)
		return 1;
	pthread_join(th, NULL);
	close(fuser);
	check(my_setns(fmnt, CLONE_NEWNS) == 0, 39, "setns(mnt) single-threaded");
	char cwd[256];
	check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"), 40, "setns(mnt) moved the cwd to /");
	close(fmnt);
	return guest_finish();
}

static int enter_by_pidfd(pid_t inner)
{
	char want[64], got[64], host[64];
	int pfd = (int)syscall(SYS_pidfd_open, inner, 0);
	check(pfd >= 0, 60, "pidfd_open(child)");
	EXPECT_FAIL(my_setns(pfd, 0), EINVAL, 61, "setns(pidfd, 0)");
	EXPECT_FAIL(my_setns(pfd, 0x1), EINVAL, 62, "setns(pidfd, 0x1)");
	check(my_setns(pfd, CLONE_NEWNET | CLONE_NEWUTS) == 0, 63,
	      "setns(pidfd, CLONE_NEWNET|CLONE_NEWUTS)");
	self_link("net", got, sizeof(got));
	child_link(inner, "net", want, sizeof(want));
	check(!strcmp(got, want), 64, "pidfd: in the child's net namespace");
	gethostname(host, sizeof(host));
	check(!strcmp(host, "inner"), 65, "pidfd: hostname %s", "inner");
	self_link("ipc", got, sizeof(got));
	child_link(inner, "ipc", want, sizeof(want));
	check(strcmp(got, want) != 0, 66, "pidfd: ipc namespace not entered");
	close(pfd);
	return guest_finish();
}

static int unprivileged(pid_t inner)
{
	int fnet = open_ns(inner, "net");
	check(fnet >= 0, 70, "open child's net ns");
	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		return 71;
	EXPECT_FAIL(my_setns(fnet, CLONE_NEWNET), EPERM, 72, "uid 1000: setns(net)");
	int pfd = (int)syscall(SYS_pidfd_open, inner, 0);
	EXPECT_FAIL(my_setns(pfd, CLONE_NEWNET), EPERM, 73, "uid 1000: setns(pidfd, CLONE_NEWNET)");
	return guest_finish();
}

/* pid namespaces: pid_for_children only. */
static int pid_ns_case(void)
{
	char before[64], after[64];
	int own = open("/proc/self/ns/pid", O_RDONLY);
	check(my_setns(own, CLONE_NEWPID) == 0, 80, "setns(own pid ns)");
	if (unshare(CLONE_NEWPID))
		return 81;
	int p[2];
	if (pipe(p))
		return 82;
	pid_t init = fork();
	if (init == 0) {
		char c;
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	int child_ns = open_ns(init, "pid");
	check(child_ns >= 0, 83, "open the new pid namespace");
	self_link("pid", before, sizeof(before));
	/* Back to the own one, then into the child one again. */
	check(my_setns(own, CLONE_NEWPID) == 0, 84, "setns(pid) back to the active one");
	check(my_setns(child_ns, CLONE_NEWPID) == 0, 85, "setns(pid) into a child namespace");
	self_link("pid", after, sizeof(after));
	check(!strcmp(before, after), 86, "own pid namespace unchanged");
	char pfc[64], cns[64];
	self_link("pid_for_children", pfc, sizeof(pfc));
	child_link(init, "pid", cns, sizeof(cns));
	check(!strcmp(pfc, cns), 87, "pid_for_children is the child namespace");
	int par = ioctl(child_ns, NS_GET_PARENT_);
	char plink[64], fdp[64];
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", par);
	check(par >= 0 && ns_link(fdp, plink, sizeof(plink)) == 0 && !strcmp(plink, before), 87,
	      "NS_GET_PARENT of the child pid namespace is the own one");
	fflush(stdout);
	pid_t k = fork();
	if (k == 0)
		_exit(getpid() == 2 ? 0 : 1);
	int st;
	check(k > 0 && waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 0, 88,
	      "the next child is pid 2 in there");
	if (write(p[1], "x", 1) != 1)
		return 89;
	waitpid(init, NULL, 0);
	close(child_ns);
	close(own);
	return guest_finish();
}

static int run(int (*fn)(pid_t), pid_t arg)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0)
		_exit(fn(arg));
	int st;
	if (waitpid(p, &st, 0) != p)
		return 99;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int pid_ns_wrap(pid_t unused)
{
	(void)unused;
	return pid_ns_case();
}

static int inner_links_differ(pid_t inner)
{
	static const char *const changed[] = {"net", "uts", "ipc"};
	static const char *const same[] = {"mnt", "pid", "user", "cgroup"};
	char a[64], b[64];
	for (size_t i = 0; i < 3; i++) {
		self_link(changed[i], a, sizeof(a));
		child_link(inner, changed[i], b, sizeof(b));
		check(strcmp(a, b) != 0, 90, "child's %s namespace is new", changed[i]);
	}
	for (size_t i = 0; i < 4; i++) {
		self_link(same[i], a, sizeof(a));
		child_link(inner, same[i], b, sizeof(b));
		check(!strcmp(a, b), 91, "child's %s namespace is the parent's", same[i]);
	}
	/* stat of another process's link: its inode. */
	struct stat st;
	unsigned long long inum = 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)inner);
	child_link(inner, "net", b, sizeof(b));
	check(stat(path, &st) == 0 && sscanf(b, "net:[%llu]", &inum) == 1 && st.st_ino == inum,
	      92, "stat /proc/<child>/ns/net: its inode");
	return 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("ns_setns: needs root\n");
		return 0;
	}
	check_files();
	if (pipe(sync_pipe) || pipe(hold_pipe))
		return 2;
	fflush(stdout);
	pid_t inner = fork();
	if (inner == 0)
		inner_child();
	char c;
	need(read(sync_pipe[0], &c, 1) == 1, 3, "child unshared");
	inner_links_differ(inner);
	int r;
	r = run(enter_by_fd, inner);
	check(r == 0, 4, "enter by descriptor (exit %d)", r);
	r = run(enter_by_pidfd, inner);
	check(r == 0, 5, "enter by pidfd (exit %d)", r);
	r = run(unprivileged, inner);
	check(r == 0, 6, "unprivileged (exit %d)", r);
	r = run(pid_ns_wrap, 0);
	check(r == 0, 7, "pid namespaces (exit %d)", r);
	if (write(hold_pipe[1], "x", 1) != 1)
		return 8;
	int st;
	need(waitpid(inner, &st, 0) == inner && WIFEXITED(st) && WEXITSTATUS(st) == 0, 9,
	     "child exits 0");
	return guest_finish();
}
