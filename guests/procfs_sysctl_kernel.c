/*
 * procfs_sysctl_kernel: /proc/sys/kernel files that belong to the task's
 * namespaces and to the kernel's limits: hostname and domainname follow
 * the UTS namespace (and writing them in a new one renames it, as
 * sethostname does, leaving the parent's name alone); pid_max,
 * ngroups_max, overflowuid and overflowgid read as Linux's; threads-max is
 * a positive number.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/utsname.h>

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
}

int main(void)
{
	char buf[128];
	struct utsname u;
	uname(&u);
	read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = 0;
	check(!strcmp(buf, u.nodename), 1, "hostname file is uname's nodename");
	read_file("/proc/sys/kernel/domainname", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = 0;
	check(!strcmp(buf, u.domainname), 2, "domainname file is uname's");
	read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf));
	printf("pid_max %s", buf);
	read_file("/proc/sys/kernel/ngroups_max", buf, sizeof(buf));
	printf("ngroups_max %s", buf);
	read_file("/proc/sys/kernel/overflowuid", buf, sizeof(buf));
	printf("overflowuid %s", buf);
	read_file("/proc/sys/kernel/overflowgid", buf, sizeof(buf));
	printf("overflowgid %s", buf);
	read_file("/proc/sys/kernel/threads-max", buf, sizeof(buf));
	check(atol(buf) > 0, 3, "threads-max positive");
	if (geteuid() != 0) {
		printf("ok: not root\n");
		return guest_finish();
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		need(unshare(CLONE_NEWUTS) == 0, 10, "unshare(CLONE_NEWUTS)");
		int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
		check(fd >= 0 && write(fd, "guesthost\n", 10) == 10, 11, "write hostname");
		close(fd);
		fd = open("/proc/sys/kernel/domainname", O_WRONLY);
		check(fd >= 0 && write(fd, "guestdomain", 11) == 11, 12, "write domainname");
		close(fd);
		struct utsname n;
		uname(&n);
		printf("uname: %s %s\n", n.nodename, n.domainname);
		read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
		printf("hostname file: %s", buf);
		exit(guest_finish());
	}
	expect_status(pid, "exited 0", 13, "child in its own UTS namespace");
	struct utsname after;
	uname(&after);
	check(!strcmp(after.nodename, u.nodename), 14, "the parent's name is unchanged");
	return guest_finish();
}
