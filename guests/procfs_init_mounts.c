/*
 * procfs_init_mounts: /proc/1 and the mount tables of /proc/<pid>:
 *
 *   - /proc/1 (init) is a directory listed in /proc, with stat and status
 *     naming pid 1 and parent 0; a file it does not have is ENOENT; it is
 *     root's (kill(1, 0): 0 for root, EPERM for nobody)
 *   - /proc/self/mounts, mountinfo and mountstats exist; the root mount is
 *     listed; /proc/mounts (a link to self/mounts) is the same table
 *   - a chrooted child's tables (read by its parent) show mount points
 *     relative to its root and leave out the mounts outside it
 */
#include "guest_check.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define EXPECT_ERRNO(call, want, code, what)                                                       \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (long)(call);                                                            \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

/* Lines of @path whose field @field (0-based, space-separated) equals
 * @want (NULL: every line); -1 when it cannot be opened. */
static long count_lines(const char *path, int field, const char *want)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[8192];
	long n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!want) {
			n++;
			continue;
		}
		char *p = line;
		for (int i = 0; i < field && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (p && !strncmp(p, want, strlen(want)) && (p[strlen(want)] == ' ' || p[strlen(want)] == '\n'))
			n++;
	}
	fclose(f);
	return n;
}

static void init_checks(void)
{
	struct stat st;
	check(stat("/proc/1", &st) == 0 && S_ISDIR(st.st_mode), 1, "/proc/1 is a directory");
	DIR *d = opendir("/proc");
	int listed = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		listed |= !strcmp(e->d_name, "1");
	if (d)
		closedir(d);
	check(listed, 2, "/proc lists 1");
	FILE *f = fopen("/proc/1/stat", "r");
	int pid = -1, ppid = -1;
	char state = 0;
	if (f) {
		char buf[1024];
		if (fgets(buf, sizeof(buf), f)) {
			char *close_paren = strrchr(buf, ')');
			pid = atoi(buf);
			if (close_paren)
				sscanf(close_paren + 2, "%c %d", &state, &ppid);
		}
		fclose(f);
	}
	expect_eq(pid, 1, 3, "/proc/1/stat: pid 1");
	expect_eq(ppid, 0, 4, "/proc/1/stat: parent 0");
	expect_eq(count_lines("/proc/1/status", 0, "Pid:\t1"), 1, 5, "/proc/1/status: Pid 1");
	expect_eq(count_lines("/proc/1/status", 0, "PPid:\t0"), 1, 6, "/proc/1/status: PPid 0");
	check(count_lines("/proc/1/comm", -1, NULL) == 1, 7, "/proc/1/comm: one line");
	EXPECT_ERRNO(open("/proc/1/no-such-file", O_RDONLY), ENOENT, 8, "/proc/1/no-such-file");
	EXPECT_ERRNO(open("/proc/1/comm", O_RDONLY | O_DIRECTORY), ENOTDIR, 9,
		     "/proc/1/comm as a directory");
	/* init is root's: signal 0 tells whether one may signal it. */
	expect_eq(kill(1, 0), 0, 10, "root: kill(1, 0)");
	fflush(stdout);
	pid_t child = fork();
	need(child >= 0, 11, "fork");
	if (child == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		EXPECT_ERRNO(kill(1, 0), EPERM, 12, "nobody: kill(1, 0)");
		fflush(stdout);
		_exit(guest_first_fail);
	}
	int ws = 0;
	need(waitpid(child, &ws, 0) == child, 13, "waitpid");
	expect_eq(WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, 0, 14, "the nobody child exits 0");
}

static void mounts_checks(void)
{
	long m = count_lines("/proc/self/mounts", -1, NULL);
	check(m > 0, 20, "/proc/self/mounts has lines");
	expect_eq(count_lines("/proc/mounts", -1, NULL), m, 21, "/proc/mounts is the same table");
	expect_eq(count_lines("/proc/self/mountinfo", -1, NULL), m, 22,
		  "/proc/self/mountinfo: a line per mount");
	check(count_lines("/proc/self/mounts", 1, "/") >= 1, 23, "mounts: / listed");
	check(count_lines("/proc/self/mountinfo", 4, "/") >= 1, 24, "mountinfo: / listed");
	check(count_lines("/proc/self/mountstats", -1, NULL) >= m, 25, "mountstats readable");
}

static void chroot_checks(void)
{
	int go[2], done[2];
	need(pipe(go) == 0 && pipe(done) == 0, 30, "pipe");
	mkdir("root", 0755);
	fflush(stdout);
	pid_t pid = fork();
	need(pid >= 0, 31, "fork");
	if (pid == 0) {
		char c;
		if (chroot("root") || chdir("/"))
			_exit(3);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	char c;
	need(read(go[0], &c, 1) == 1, 32, "the child chrooted");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mounts", (int)pid);
	expect_eq(count_lines(path, -1, NULL), 0, 33, "chrooted child: no mount under its root");
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	expect_eq(count_lines(path, -1, NULL), 0, 34, "chrooted child: empty mountinfo");
	need(write(done[1], "x", 1) == 1, 35, "release");
	int st;
	need(waitpid(pid, &st, 0) == pid, 36, "waitpid");
	expect_eq(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, 37, "the chrooted child exits 0");
}

int main(void)
{
	init_checks();
	mounts_checks();
	chroot_checks();
	return guest_finish();
}
