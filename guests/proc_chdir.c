/*
 * proc_chdir: a working directory inside /proc.
 *
 *   - chdir("/proc/<child>"): getcwd names it; relative opens there
 *     ("status", "stat", "fd" as a directory) are the child's files;
 *     readlink("exe") is the child's, open("exe") its program; stat(".")
 *     is a directory; stat("cwd") follows the link, lstat does not
 *   - chdir("fd"), chdir(".."), chdir("task/<tid>") move inside it
 *   - fchdir to an open /proc/self: getcwd is /proc/<own pid>, "stat"
 *     is the own process's
 *   - chdir("/proc/self/net"): "dev" and opendir(".") there
 *   - chdir("/proc") then "self/status" relative
 *   - chdir to /proc/self/status -> ENOTDIR, /proc/<no such pid> -> ENOENT
 *   - once the child is reaped, opening "status" in its directory fails
 */
#include "guest_check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int status_pid(const char *path)
{
	char buf[4096];
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	char *p = strstr(buf, "\nPid:");
	return p ? atoi(p + 5) : -1;
}

static int cwd_is(const char *want)
{
	char cwd[PATH_MAX];
	return getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want);
}

int main(void)
{
	int hold[2];
	if (pipe(hold))
		return 2;
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(hold[1]);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(hold[0]);
	char dir[64], want[PATH_MAX], link[PATH_MAX], own[PATH_MAX];
	snprintf(dir, sizeof(dir), "/proc/%d", (int)child);
	check(chdir(dir) == 0, 10, "chdir /proc/<child>");
	check(cwd_is(dir), 11, "getcwd is /proc/<child>");
	check(status_pid("status") == child, 12, "relative status is the child's");
	char stat_line[512];
	check(read_file("stat", stat_line, sizeof(stat_line)) == 0 && atoi(stat_line) == child, 13,
	      "relative stat is the child's");
	snprintf(want, sizeof(want), "%s/exe", dir);
	ssize_t n1 = readlink("exe", link, sizeof(link) - 1);
	ssize_t n2 = readlink(want, own, sizeof(own) - 1);
	check(n1 > 0 && n1 == n2 && !memcmp(link, own, (size_t)n1), 14,
	      "readlink exe relative == absolute");
	struct stat st;
	check(stat(".", &st) == 0 && S_ISDIR(st.st_mode), 15, "stat . is a directory");
	int fdd = open("fd", O_RDONLY | O_DIRECTORY);
	check(fdd >= 0, 16, "open fd relative as a directory");
	if (fdd >= 0)
		close(fdd);
	check(access("status", R_OK) == 0, 17, "access status relative");
	char elf[4] = {0};
	int exe = open("exe", O_RDONLY);
	check(exe >= 0 && read(exe, elf, 4) == 4 && !memcmp(elf, "\177ELF", 4), 18,
	      "open exe relative: the child's program");
	if (exe >= 0)
		close(exe);
	check(stat("cwd", &st) == 0 && S_ISDIR(st.st_mode), 19, "stat cwd relative: a directory");
	check(lstat("cwd", &st) == 0 && S_ISLNK(st.st_mode), 19, "lstat cwd relative: a link");

	check(chdir("fd") == 0, 20, "chdir fd");
	snprintf(want, sizeof(want), "%s/fd", dir);
	check(cwd_is(want), 21, "getcwd is /proc/<child>/fd");
	check(chdir("..") == 0 && cwd_is(dir), 22, "chdir .. back to /proc/<child>");
	char task[64];
	snprintf(task, sizeof(task), "task/%d", (int)child);
	check(chdir(task) == 0, 23, "chdir task/<tid>");
	snprintf(want, sizeof(want), "%s/task/%d", dir, (int)child);
	check(cwd_is(want), 24, "getcwd is /proc/<child>/task/<tid>");
	check(status_pid("status") == child, 25, "task status is the child's");

	int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	check(self >= 0 && fchdir(self) == 0, 30, "fchdir to an open /proc/self");
	snprintf(want, sizeof(want), "/proc/%d", (int)getpid());
	check(cwd_is(want), 31, "getcwd is /proc/<own pid>");
	check(status_pid("status") == getpid(), 32, "relative status is the own one");
	if (self >= 0)
		close(self);

	/* The network namespace's directory (the initial one's here). */
	check(chdir("/proc/self/net") == 0, 33, "chdir /proc/self/net");
	char dev[256];
	check(read_file("dev", dev, sizeof(dev)) == 0 && !strncmp(dev, "Inter-|", 7), 34,
	      "dev relative to /proc/self/net");
	DIR *nd = opendir(".");
	int tcp = 0;
	for (struct dirent *e; nd && (e = readdir(nd));)
		tcp += !strcmp(e->d_name, "tcp");
	check(nd && tcp == 1, 35, "opendir . lists tcp");
	if (nd)
		closedir(nd);

	check(chdir("/proc") == 0 && cwd_is("/proc"), 40, "chdir /proc");
	check(status_pid("self/status") == getpid(), 41, "self/status relative to /proc");
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/status", (int)child);
	check(status_pid(rel) == child, 42, "<child>/status relative to /proc");

	errno = 0;
	check(chdir("/proc/self/status") == -1 && errno == ENOTDIR, 50,
	      "chdir /proc/self/status -> ENOTDIR");
	errno = 0;
	check(chdir("/proc/999999999") == -1 && errno == ENOENT, 51, "chdir /proc/<none> -> ENOENT");
	check(cwd_is("/proc"), 52, "a failed chdir leaves the cwd");

	check(chdir(dir) == 0, 60, "chdir /proc/<child> again");
	if (write(hold[1], "x", 1) != 1)
		return 3;
	int wst;
	check(waitpid(child, &wst, 0) == child, 61, "child reaped");
	errno = 0;
	int fd = open("status", O_RDONLY);
	check(fd == -1, 62, "status of the reaped child cannot be opened");
	check(chdir("/") == 0 && cwd_is("/"), 63, "chdir / leaves /proc");
	return guest_finish();
}
