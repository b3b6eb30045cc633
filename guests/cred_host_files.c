/*
 * cred_host_files: file permission checks use the caller's fs ids, groups
 * and capabilities (path_resolution(7), credentials(7), capabilities(7)).
 * Run as root in a scratch directory (the cwd: every path is relative, so
 * the dropped child never needs search permission above it):
 *
 *   - root makes "secret" (0600), "open" (0644), "group" (0640 root:1234),
 *     "zero" (0000, owned by 1000) and a directory "home" owned by 1000
 *   - a child drops to uid/gid 1000 with no groups: "secret" is EACCES for
 *     open and access, "open" reads, creating in the root-owned cwd is
 *     EACCES, a file it creates in "home" belongs to 1000:1000 and its
 *     umask applies, chown to root is EPERM, chmod of root's file EPERM
 *   - with supplementary group 1234 the 0640 file reads, without it not
 *   - setfsuid(1000) alone (euid stays 0) makes "secret" EACCES and a new
 *     file belong to fsuid 1000; setfsuid(0) again reads it
 *   - root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH cannot open
 *     "zero"; with them it can
 */
#include "cred_check.h"

#include <fcntl.h>
#include <sys/stat.h>

/* errno read after the call (an argument list has no order). */
#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static void try_open(const char *path, int flags, int want_errno, int code)
{
	errno = 0;
	int fd = open(path, flags);
	char what[128];
	snprintf(what, sizeof(what), "open(%s, %s)", path,
		 flags == O_RDONLY ? "O_RDONLY" : flags == O_WRONLY ? "O_WRONLY" : "O_RDWR");
	if (want_errno)
		expect_errno(fd, errno, want_errno, code, what);
	else
		check(fd >= 0, code, "%s works (errno %s)", what, errno_name(errno));
	if (fd >= 0)
		close(fd);
}

static void owner_of(const char *path, int code)
{
	struct stat st;
	if (stat(path, &st)) {
		check(0, code, "stat %s: %s", path, errno_name(errno));
		return;
	}
	printf("%s: uid %u gid %u mode %o\n", path, st.st_uid, st.st_gid, st.st_mode & 07777);
}

static void as_user(void)
{
	gid_t none[1] = {0};
	need(setgroups(0, none) == 0, 20, "setgroups(0)");
	need(setresgid(1000, 1000, 1000) == 0, 21, "setresgid(1000)");
	need(setresuid(1000, 1000, 1000) == 0, 22, "setresuid(1000)");
	try_open("secret", O_RDONLY, EACCES, 23);
	try_open("secret", O_WRONLY, EACCES, 24);
	EXPECT_ERRNO(access("secret", R_OK), EACCES, 25, "access(secret, R_OK)");
	expect_eq(access("open", R_OK), 0, 26, "access(open, R_OK)");
	try_open("open", O_RDONLY, 0, 27);
	try_open("open", O_WRONLY, EACCES, 28);
	try_open("group", O_RDONLY, EACCES, 29);
	EXPECT_ERRNO(open("new", O_CREAT | O_WRONLY, 0644), EACCES, 30,
		     "create in root's directory");
	EXPECT_ERRNO(mkdir("newdir", 0755), EACCES, 31, "mkdir in root's directory");
	umask(027);
	int fd = open("home/mine", O_CREAT | O_WRONLY, 0666);
	check(fd >= 0, 32, "create in our own directory");
	if (fd >= 0)
		close(fd);
	owner_of("home/mine", 33);
	EXPECT_ERRNO(chown("home/mine", 0, 0), EPERM, 34, "chown to root");
	EXPECT_ERRNO(chmod("open", 0666), EPERM, 35, "chmod of root's file");
	EXPECT_ERRNO(unlink("open"), EACCES, 36, "unlink in root's directory");
	expect_eq(chmod("home/mine", 0600), 0, 37, "chmod of our file");
	try_open("zero", O_RDONLY, EACCES, 38);
	expect_eq(chmod("zero", 0400), 0, 39, "chmod of our 0000 file");
	try_open("zero", O_RDONLY, 0, 40);
}

static void with_group(void)
{
	gid_t g[1] = {1234};
	need(setgroups(1, g) == 0, 50, "setgroups(1234)");
	need(setresgid(1000, 1000, 1000) == 0, 51, "setresgid(1000)");
	need(setresuid(1000, 1000, 1000) == 0, 52, "setresuid(1000)");
	try_open("group", O_RDONLY, 0, 53);
	try_open("group", O_WRONLY, EACCES, 54);
	int fd = open("home/grp", O_CREAT | O_WRONLY, 0640);
	check(fd >= 0, 55, "create with groups");
	if (fd >= 0)
		close(fd);
	owner_of("home/grp", 56);
	/* Giving a file to one of our groups is allowed, to another not. */
	expect_eq(chown("home/grp", -1, 1234), 0, 57, "chown to a group of ours");
	EXPECT_ERRNO(chown("home/grp", -1, 4321), EPERM, 58, "chown to a foreign group");
	owner_of("home/grp", 59);
}

static void fsuid_only(void)
{
	syscall(SYS_setfsuid, 1000);
	syscall(SYS_setfsgid, 1000);
	try_open("secret", O_RDONLY, EACCES, 60);
	int fd = open("home/fs", O_CREAT | O_WRONLY, 0644);
	check(fd >= 0, 61, "create as fsuid 1000");
	if (fd >= 0)
		close(fd);
	owner_of("home/fs", 62);
	syscall(SYS_setfsuid, 0);
	syscall(SYS_setfsgid, 0);
	try_open("secret", O_RDONLY, 0, 63);
}

static void no_dac(void)
{
	struct capsets c = my_caps();
	uint64_t dac = CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(2 /* CAP_DAC_READ_SEARCH */);
	need(set_caps(c.eff & ~dac, c.prm, c.inh) == 0, 70, "capset without DAC caps");
	try_open("zero", O_RDONLY, EACCES, 71);
	try_open("secret", O_RDONLY, 0, 72);
	need(set_caps(c.eff, c.prm, c.inh) == 0, 73, "capset with DAC caps");
	try_open("zero", O_RDONLY, 0, 74);
}

static void in_child(void (*fn)(void), int code, const char *what)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		fn();
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", code, what);
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	umask(022);
	need(chmod(".", 0755) == 0, 1, "chmod scratch 0755");
	int fd = open("secret", O_CREAT | O_WRONLY, 0600);
	need(fd >= 0 && write(fd, "s\n", 2) == 2, 2, "create secret");
	close(fd);
	fd = open("open", O_CREAT | O_WRONLY, 0644);
	need(fd >= 0, 3, "create open");
	close(fd);
	fd = open("group", O_CREAT | O_WRONLY, 0640);
	need(fd >= 0 && fchown(fd, 0, 1234) == 0, 4, "create group");
	close(fd);
	fd = open("zero", O_CREAT | O_WRONLY, 0);
	need(fd >= 0 && fchown(fd, 1000, 1000) == 0, 5, "create zero");
	close(fd);
	need(mkdir("home", 0755) == 0 && chown("home", 1000, 1000) == 0, 6, "make home");
	owner_of("secret", 7);
	owner_of("group", 8);
	owner_of("home", 9);

	in_child(as_user, 10, "dropped child");
	in_child(with_group, 11, "child with group 1234");
	in_child(fsuid_only, 12, "child with fsuid 1000");
	in_child(no_dac, 13, "child without DAC capabilities");
	/* root again: everything is readable */
	try_open("secret", O_RDONLY, 0, 14);
	try_open("home/mine", O_RDONLY, 0, 15);
	owner_of("home/mine", 16);
	return guest_finish();
}
