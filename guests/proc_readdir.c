/*
 * proc_readdir: listing /proc directories with getdents64 (ls, ps, pgrep
 * and lsof walk them). Entries that may come from outside (fds inherited
 * from the harness, other host processes) are never required to be absent.
 *
 *   - /proc/self/fd: "." and "..", 0 1 2, both ends of a pipe, and the fd
 *     of the directory being read (the listing is made when read, not when
 *     opened)
 *   - /proc/self/task: ".", "..", and exactly one tid, ours
 *   - /proc/self: has fd, task, stat, status, cmdline, comm, exe, maps, cwd
 *   - /proc: lists our pid and a live child's pid; after the child is
 *     reaped, its pid is gone
 */
#include "guest_check.h"

#include <dirent.h>

/* Count entries named `name` in dir (-1 if the directory cannot be opened). */
static int count_entry(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, name) == 0;
	closedir(d);
	return n;
}

static void fd_dir(void)
{
	int p[2];
	need(pipe(p) == 0, 90, "pipe");
	DIR *d = opendir("/proc/self/fd");
	need(d != NULL, 91, "opendir /proc/self/fd");
	int want[6] = {0, 1, 2, p[0], p[1], dirfd(d)};
	int seen[6] = {0}, dot = 0, dotdot = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0) {
			dot++;
			continue;
		}
		if (strcmp(e->d_name, "..") == 0) {
			dotdot++;
			continue;
		}
		for (int i = 0; i < 6; i++)
			seen[i] += atoi(e->d_name) == want[i];
	}
	closedir(d);
	close(p[0]);
	close(p[1]);
	check(dot == 1 && dotdot == 1, 10, "/proc/self/fd: has . and ..");
	check(seen[0] == 1 && seen[1] == 1 && seen[2] == 1, 11, "/proc/self/fd: lists 0, 1, 2");
	check(seen[3] == 1 && seen[4] == 1, 12, "/proc/self/fd: lists both pipe ends");
	check(seen[5] == 1, 13, "/proc/self/fd: lists the directory's own fd");
}

static void task_dir(void)
{
	DIR *d = opendir("/proc/self/task");
	need(d != NULL, 92, "opendir /proc/self/task");
	long tid = syscall(SYS_gettid);
	int dots = 0, tids = 0, ours = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			dots++;
			continue;
		}
		tids++;
		ours += atol(e->d_name) == tid;
	}
	closedir(d);
	check(dots == 2, 20, "/proc/self/task: has . and ..");
	check(tids == 1 && ours == 1, 21, "/proc/self/task: exactly one tid, ours");
}

static void self_dir(void)
{
	static const char *names[] = {"fd", "task", "stat", "status", "cmdline", "comm", "exe", "maps", "cwd"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check(count_entry("/proc/self", names[i]) == 1, 30 + (int)i, "/proc/self lists %s", names[i]);
}

static void root_dir(void)
{
	char me[32], kid[32];
	int gate[2];
	need(pipe(gate) == 0, 93, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);
	snprintf(me, sizeof(me), "%ld", (long)getpid());
	snprintf(kid, sizeof(kid), "%ld", (long)pid);
	check(count_entry("/proc", me) == 1, 40, "/proc lists our pid");
	check(count_entry("/proc", kid) == 1, 41, "/proc lists a live child's pid");
	close(gate[1]);
	expect_status(pid, "exited 0", 42, "child");
	check(count_entry("/proc", kid) == 0, 43, "/proc no longer lists the reaped child");
}

int main(void)
{
	fd_dir();
	task_dir();
	self_dir();
	root_dir();
	return guest_finish();
}
