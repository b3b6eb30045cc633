/*
 * procfs_oom_score_adj: /proc/self/oom_score_adj reads the process's value
 * and takes -1000..1000 (EINVAL otherwise, "abc" too); without
 * CAP_SYS_RESOURCE a value below the floor is EACCES while raising works;
 * fork inherits the value.
 */
#include "cred_check.h"

#include <fcntl.h>

static long put(const char *text)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd < 0)
		return -errno;
	long r = write(fd, text, strlen(text));
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

static int get(void)
{
	char buf[32] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	return n > 0 ? atoi(buf) : -9999;
}

int main(void)
{
	int start = get();
	expect_eq(put("1001"), -EINVAL, 1, "1001");
	expect_eq(put("-1001"), -EINVAL, 2, "-1001");
	expect_eq(put("abc"), -EINVAL, 3, "abc");
	expect_eq(put("500\n"), 4, 4, "500");
	expect_eq(get(), 500, 5, "reads 500");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(get() == 500 ? 0 : 1);
	expect_status(pid, "exited 0", 6, "the child inherits 500");
	if (my_caps().eff & CAP_BIT(24)) {
		printf("ok: has CAP_SYS_RESOURCE\n");
	} else {
		/* The floor is what the process started with. */
		char low[16];
		snprintf(low, sizeof(low), "%d", start - 1);
		expect_eq(put(low), start - 1 < -1000 ? -EINVAL : -EACCES, 7, "below the floor");
		expect_eq(put("700"), 3, 8, "raising");
	}
	return guest_finish();
}
