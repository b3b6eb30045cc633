/*
 * userns_map: user namespaces with id maps (user_namespaces(7),
 * kernel/user_namespace.c), as `unshare -r` does it and more, run as root:
 *
 *   - a child drops to uid/gid 1000 (and makes itself dumpable again, so it
 *     owns its /proc files), then unshare(CLONE_NEWUSER): its ids read as
 *     the overflow id, uid_map and gid_map are empty, setgroups "allow",
 *     every capability in the new namespace, setuid(0) EINVAL
 *   - gid_map before setgroups is denied: EPERM; "deny" then "allow" EPERM
 *   - uid_map "0 1000 1": getuid() is 0, a second write EPERM; gid_map too;
 *     the files read back with the parent's ids; setgroups EPERM (denied)
 *   - stat: our own file belongs to 0, root's to the overflow id; chown to
 *     an unmapped id EINVAL, to 0 (us) works; /proc/self/status Uid line
 *   - malformed maps: EINVAL; a map of ids the writer does not own: EPERM
 *   - root itself unshares: "0 0 1000" is EPERM (no capability left over
 *     the parent), "0 0 1" works (it had CAP_SETFCAP); 7 is unmapped
 *   - the parent (root, initial namespace) reads the child's uid_map with
 *     its own numbers
 */
#include "cred_check.h"

#include <fcntl.h>
#include <sys/stat.h>

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static long write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	long r = write(fd, text, strlen(text));
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

static void print_file(const char *what, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("%s: [%s]\n", what, buf);
}

static void owner(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		printf("%s: stat error %s\n", path, errno_name(errno));
	else
		printf("%s: uid %u gid %u\n", path, st.st_uid, st.st_gid);
}

static void unprivileged(int gate, int ready)
{
	gid_t none[1];
	need(setgroups(0, none) == 0 && setresgid(1000, 1000, 1000) == 0 &&
		     setresuid(1000, 1000, 1000) == 0,
	     20, "drop to 1000");
	need(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0, 21, "dumpable again");
	int fd = open("home/mine", O_CREAT | O_WRONLY, 0644);
	need(fd >= 0, 22, "create home/mine");
	close(fd);
	expect_eq(unshare(CLONE_NEWUSER), 0, 23, "unshare(CLONE_NEWUSER)");
	printf("ids before maps: uid %u euid %u gid %u\n", getuid(), geteuid(), getgid());
	print_file("uid_map", "/proc/self/uid_map");
	print_file("setgroups", "/proc/self/setgroups");
	print_caps("caps in the new namespace");
	EXPECT_ERRNO(setuid(0), EINVAL, 24, "setuid(0) without a map");
	expect_eq(write_file("/proc/self/gid_map", "0 1000 1"), -EPERM, 25,
		  "gid_map before setgroups deny");
	expect_eq(write_file("/proc/self/uid_map", "0 1000"), -EINVAL, 26, "uid_map of two fields");
	expect_eq(write_file("/proc/self/uid_map", "x 1000 1"), -EINVAL, 27, "uid_map not a number");
	expect_eq(write_file("/proc/self/uid_map", "0 1000 0"), -EINVAL, 28, "uid_map count 0");
	expect_eq(write_file("/proc/self/uid_map", "0 1000 1\n1 1000 1"), -EINVAL, 29,
		  "overlapping lower ids");
	expect_eq(write_file("/proc/self/uid_map", "0 1001 1"), -EPERM, 30, "someone else's uid");
	expect_eq(write_file("/proc/self/uid_map", "0 1000 2"), -EPERM, 31, "two uids");
	expect_eq(write_file("/proc/self/setgroups", "maybe"), -EINVAL, 32, "setgroups maybe");
	expect_eq(write_file("/proc/self/setgroups", "deny"), 4, 33, "setgroups deny");
	print_file("setgroups", "/proc/self/setgroups");
	expect_eq(write_file("/proc/self/setgroups", "allow"), -EPERM, 34, "allow after deny");
	expect_eq(write_file("/proc/self/uid_map", "0 1000 1"), 8, 35, "uid_map 0 1000 1");
	expect_eq(write_file("/proc/self/uid_map", "0 1000 1"), -EPERM, 36, "uid_map again");
	expect_eq(write_file("/proc/self/gid_map", "0 1000 1\n"), 9, 37, "gid_map 0 1000 1");
	print_file("uid_map", "/proc/self/uid_map");
	print_file("gid_map", "/proc/self/gid_map");
	print_ids("mapped");
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	check(r == 0 && e == 0 && s == 0, 38, "getresuid 0 0 0");
	EXPECT_ERRNO(setgroups(0, none), EPERM, 39, "setgroups denied");
	owner("home/mine");
	owner("secret");
	EXPECT_ERRNO(chown("home/mine", 5, -1), EINVAL, 40, "chown to an unmapped uid");
	expect_eq(chown("home/mine", 0, 0), 0, 41, "chown to our root");
	static const char *const keys[] = {"Uid", "Gid"};
	print_status("/proc/self/status", keys, 2);
	/* Hold until the parent read our map. */
	if (write(ready, "r", 1) != 1)
		printf("FAILED: ready\n");
	char c;
	if (read(gate, &c, 1) != 1)
		printf("FAILED: gate\n");
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	need(chmod(".", 0755) == 0 && mkdir("home", 0755) == 0 && chown("home", 1000, 1000) == 0, 1,
	     "set-up");
	int fd = open("secret", O_CREAT | O_WRONLY, 0600);
	need(fd >= 0, 2, "create secret");
	close(fd);

	int gate[2], ready[2];
	need(pipe(gate) == 0 && pipe(ready) == 0, 3, "pipes");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(gate[1]);
		close(ready[0]);
		unprivileged(gate[0], ready[1]);
		exit(guest_finish());
	}
	close(gate[0]);
	close(ready[1]);
	/* Wait for the child's maps: it blocks on the gate once written. */
	char c, path[64];
	if (read(ready[0], &c, 1) != 1)
		printf("the child did not get to its maps\n");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	print_file("the child's uid_map seen from the parent", path);
	if (write(gate[1], "x", 1) != 1)
		printf("FAILED: gate write\n");
	expect_status(pid, "exited 0", 4, "unprivileged child");

	/* Root maps itself. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		expect_eq(unshare(CLONE_NEWUSER), 0, 50, "root: unshare");
		/* No capability over the parent any more: only its own id. */
		expect_eq(write_file("/proc/self/uid_map", "0 0 1000"), -EPERM, 51,
			  "root: uid_map 0 0 1000");
		expect_eq(write_file("/proc/self/uid_map", "0 0 1"), 5, 52, "root: uid_map 0 0 1");
		expect_eq(write_file("/proc/self/gid_map", "0 0 1"), -EPERM, 53,
			  "root: gid_map while setgroups is allowed");
		expect_eq(write_file("/proc/self/setgroups", "deny\n"), 5, 56, "root: deny");
		expect_eq(write_file("/proc/self/gid_map", "0 0 1"), 5, 57, "root: gid_map 0 0 1");
		print_file("root's uid_map", "/proc/self/uid_map");
		print_ids("root mapped");
		EXPECT_ERRNO(setresuid(7, 7, 7), EINVAL, 54, "setresuid(7): unmapped");
		gid_t g[1] = {0};
		EXPECT_ERRNO(setgroups(1, g), EPERM, 55, "setgroups denied");
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", 5, "root child");
	return guest_finish();
}
