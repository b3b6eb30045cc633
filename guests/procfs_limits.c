/*
 * procfs_limits: /proc/<pid>/limits in Linux's exact format, for ourselves
 * and for a child whose limits we changed with prlimit; access() and
 * stat() find the file too.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

static void dump(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	printf("%s", buf);
}

int main(void)
{
	struct rlimit rl = {1000, 2000};
	setrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 4096;
	rl.rlim_max = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	dump("/proc/self/limits");
	expect_eq(access("/proc/self/limits", R_OK), 0, 1, "access limits");
	struct stat st;
	check(stat("/proc/self/limits", &st) == 0 && S_ISREG(st.st_mode), 2, "stat limits");
	int gate[2];
	need(pipe(gate) == 0, 3, "pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(gate[0], &c, 1);
		_exit(0);
	}
	struct rlimit core = {0, 12345};
	prlimit(pid, RLIMIT_CORE, &core, NULL);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	dump(path);
	write(gate[1], "x", 1);
	expect_status(pid, "exited 0", 4, "child");
	return guest_finish();
}
