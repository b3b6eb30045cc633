/*
 * chroot_basic: chroot(2) as root, in the scratch directory:
 *
 *   - errors: ENOENT, ENOTDIR, EPERM without CAP_SYS_CHROOT
 *   - after chdir("root") + chroot("."): "/" is the new root (same inode),
 *     absolute paths resolve inside it, ".." at the root stays there (also
 *     from a subdirectory and in absolute paths), getcwd is relative to it,
 *     files made under "/" land in the directory, children inherit the root
 *   - a chrooted process cannot create a user namespace (EPERM)
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

static void show(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: %s\n", path, errno_name(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("%s: %s", path, buf);
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	need(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), 2, path);
	close(fd);
}

static void cwd(void)
{
	char buf[256];
	printf("getcwd: %s\n", getcwd(buf, sizeof(buf)) ? buf : errno_name(errno));
}

int main(void)
{
	if (!need_root())
		return guest_finish();
	need(mkdir("root", 0755) == 0 && mkdir("root/sub", 0755) == 0, 1, "mkdir root");
	put("root/f", "inside\n");
	put("outside", "outside\n");
	put("f", "scratch f\n");
	need(symlink("f", "root/link") == 0, 3, "symlink");
	struct stat rootst;
	need(stat("root", &rootst) == 0, 4, "stat root");

	EXPECT_ERRNO(chroot("nothing"), ENOENT, 10, "chroot(nothing)");
	EXPECT_ERRNO(chroot("outside"), ENOTDIR, 11, "chroot(a file)");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct capsets c = my_caps();
		need(set_caps(c.eff & ~CAP_BIT(18), c.prm, c.inh) == 0, 12, "drop CAP_SYS_CHROOT");
		EXPECT_ERRNO(chroot("root"), EPERM, 13, "chroot without CAP_SYS_CHROOT");
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", 14, "child without CAP_SYS_CHROOT");

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		need(chdir("root") == 0, 20, "chdir root");
		expect_eq(chroot("."), 0, 21, "chroot(.)");
		cwd();
		show("/f");
		show("f");
		show("/outside");
		show("../outside");
		show("/../../f");
		show("/link");
		struct stat st;
		need(stat("/", &st) == 0, 22, "stat /");
		check(st.st_ino == rootst.st_ino && st.st_dev == rootst.st_dev, 23, "/ is the directory");
		need(stat("/..", &st) == 0, 24, "stat /..");
		check(st.st_ino == rootst.st_ino, 25, "/.. is the root too");
		expect_eq(chdir("/sub"), 0, 26, "chdir /sub");
		cwd();
		show("../f");
		show("../../f");
		show("../../../outside");
		expect_eq(mkdir("/newdir", 0755), 0, 27, "mkdir /newdir");
		put("/newdir/g", "made inside\n");
		expect_eq(chdir(".."), 0, 28, "chdir ..");
		cwd();
		expect_eq(chdir(".."), 0, 29, "chdir .. at the root");
		cwd();
		EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM, 30, "unshare(CLONE_NEWUSER) in a chroot");
		fflush(stdout);
		pid_t kid = fork();
		if (kid == 0) {
			show("/newdir/g");
			_exit(0);
		}
		expect_status(kid, "exited 0", 31, "grandchild");
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", 40, "chrooted child");
	show("root/newdir/g");

	show("f");
	return guest_finish();
}
