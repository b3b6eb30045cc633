/*
 * uname_etc: the "who and where am I" syscalls. Prints only facts that are
 * the same on every run and every machine of this kind: never pids, ids,
 * times or random bytes, only whether they are consistent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) != 0)
		return 10;
	printf("sysname %s\n", u.sysname);
	printf("machine %s\n", u.machine);
	printf("release non-empty: %s\n", yes(u.release[0] != '\0'));

	printf("uid == euid: %s\n", yes(getuid() == geteuid()));
	printf("gid == egid: %s\n", yes(getgid() == getegid()));
	pid_t pid = getpid();
	printf("pid > 0: %s\n", yes(pid > 0));
	printf("tid == pid: %s\n", yes(syscall(SYS_gettid) == pid));
	printf("getpid stable: %s\n", yes(getpid() == pid));

	struct timespec prev, now;
	if (clock_gettime(CLOCK_MONOTONIC, &prev) != 0)
		return 11;
	for (int i = 0; i < 1000; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			return 12;
		if (now.tv_nsec < 0 || now.tv_nsec >= 1000000000)
			return 13;
		if (now.tv_sec < prev.tv_sec ||
		    (now.tv_sec == prev.tv_sec && now.tv_nsec < prev.tv_nsec))
			return 14;
		prev = now;
	}
	puts("CLOCK_MONOTONIC nondecreasing over 1000 calls");

	/* Also the raw syscall, which skips the vDSO. */
	struct timespec raw;
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &raw) != 0)
		return 15;
	if (raw.tv_sec < prev.tv_sec || (raw.tv_sec == prev.tv_sec && raw.tv_nsec < prev.tv_nsec))
		return 16;
	puts("raw clock_gettime agrees");

	struct timeval tv;
	if (gettimeofday(&tv, NULL) != 0)
		return 17;
	time_t t = time(NULL);
	if (t - tv.tv_sec > 2 || tv.tv_sec - t > 2)
		return 18;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return 19;
	puts("gettimeofday and time agree within 2s");

	struct timespec rt;
	if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || rt.tv_sec - t > 2 || t - rt.tv_sec > 2)
		return 20;
	puts("CLOCK_REALTIME agrees with time");

	unsigned char rnd[32], rnd2[32];
	memset(rnd, 0, sizeof(rnd));
	memset(rnd2, 0, sizeof(rnd2));
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return 21;
	if (getrandom(rnd2, sizeof(rnd2), 0) != sizeof(rnd2))
		return 22;
	/* 2^-256 odds of a false alarm. */
	if (memcmp(rnd, rnd2, sizeof(rnd)) == 0)
		return 23;
	puts("getrandom ok");

	printf("pagesize %ld\n", sysconf(_SC_PAGESIZE));
	printf("getpagesize matches: %s\n", yes(getpagesize() == sysconf(_SC_PAGESIZE)));
	printf("online cpus >= 1: %s\n", yes(sysconf(_SC_NPROCESSORS_ONLN) >= 1));

	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return 24;
	exe[n] = '\0';
	printf("/proc/self/exe is absolute: %s\n", yes(exe[0] == '/'));
	printf("/proc/self/exe basename matches argv[0]: %s\n",
	       yes(strcmp(base(exe), base(argv[0])) == 0));

	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return 25;
	printf("getcwd is absolute: %s\n", yes(cwd[0] == '/'));
	(void)argc;
	return 0;
}
