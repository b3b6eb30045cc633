/*
 * proc_spellings: every way of naming /proc/self reaches this process's own
 * entries, never something else (under cloneemu: never the emulator's).
 * argv[1] is a scratch directory.
 *
 *   - open and read /proc/self/status through "/./proc/self", "//proc/self",
 *     "/tmp/../proc/self", "/proc/./self", a relative "self/status" after
 *     chdir("/proc"), openat from a descriptor of "/" and of "/proc", and a
 *     symlink in the scratch dir to /proc/self: its Pid line is getpid()
 *   - stat, lstat and readlink through the same spellings: /proc/self/exe
 *     has the inode of argv[0] and reads back as its real path
 *   - access(F_OK) of "/./proc/self/status"; execve of "/./proc/self/exe"
 *     runs this program again
 *   - /proc/mounts (a host symlink into /proc/self) is readable
 */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static long pid_line(int dirfd, const char *path)
{
	char buf[4096];
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strstr(buf, "\nPid:");
	return p ? strtol(p + 5, NULL, 10) : -2;
}

int main(int argc, char **argv)
{
	if (argc > 2) /* re-executed through /./proc/self/exe */
		return 42;
	need(argc > 1 && chdir(argv[1]) == 0, 2, "chdir to the scratch dir");
	char exe[PATH_MAX];
	need(realpath(argv[0], exe) != NULL, 3, "realpath argv[0]");
	struct stat me;
	need(stat(exe, &me) == 0, 4, "stat argv[0]");
	need(symlink("/proc/self", "selflink") == 0, 5, "symlink to /proc/self");

	static const char *const spell[] = {
	    "/./proc/self",   "//proc/self",	"/tmp/../proc/self", "/proc/./self",
	    "/proc/self/fd/..", "selflink",	"./selflink/.",
	};
	for (size_t i = 0; i < sizeof(spell) / sizeof(spell[0]); i++) {
		char path[PATH_MAX], link[PATH_MAX];
		snprintf(path, sizeof(path), "%s/status", spell[i]);
		long pid = pid_line(AT_FDCWD, path);
		check(pid == getpid(), 10, "%s: Pid is ours", path);
		snprintf(path, sizeof(path), "%s/exe", spell[i]);
		struct stat st;
		check(stat(path, &st) == 0 && st.st_ino == me.st_ino && st.st_dev == me.st_dev, 11,
		      "%s: stat is the program's inode", path);
		check(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), 12, "%s: lstat is a link", path);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		check(n > 0 && !strcmp(link, exe), 13, "%s: readlink is the program's path", path);
	}
	int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	need(root >= 0 && proc >= 0, 6, "open / and /proc");
	check(pid_line(root, "proc/self/status") == getpid(), 14, "openat(/, proc/self/status)");
	check(pid_line(proc, "self/status") == getpid(), 15, "openat(/proc, self/status)");
	check(pid_line(proc, "./self/../self/status") == getpid(), 16, "openat(/proc, ./self/../self/status)");
	check(access("/./proc/self/status", F_OK) == 0, 17, "access /./proc/self/status");
	need(chdir("/proc") == 0, 7, "chdir /proc");
	check(pid_line(AT_FDCWD, "self/status") == getpid(), 18, "after chdir(/proc): self/status");
	check(pid_line(AT_FDCWD, "thread-self/status") == getpid(), 19, "thread-self/status");
	check(pid_line(AT_FDCWD, "mounts") == -1 || pid_line(AT_FDCWD, "mounts") == -2, 20,
	      "/proc/mounts is readable (no Pid line)");

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char *args[] = {argv[0], "x", "again", NULL};
		execv("/./proc/self/exe", args);
		_exit(99);
	}
	expect_status(c, "exited 42", 21, "execve /./proc/self/exe runs this program again");
	return guest_finish();
}
