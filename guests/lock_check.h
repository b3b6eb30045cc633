/*
 * lock_check.h: helpers for the file-lock guests (locks_*.c) on top of
 * guest_check.h. A guest that must act only once another process is asleep
 * in a lock call waits for that process's /proc/<pid>/stat state to read
 * 'S' (both Linux and cloneemu's modeled /proc show it), after the sleeper
 * has said on a pipe that nothing but the lock call comes next. Output
 * names relations ("l_pid is the parent"), never pids.
 */
#ifndef LOCK_CHECK_H
#define LOCK_CHECK_H

#include "guest_check.h"

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>

static GUEST_UNUSED const char *lock_errno_name(int e)
{
	switch (e) {
	case EDEADLK: return "EDEADLK";
	case EOVERFLOW: return "EOVERFLOW";
	default: return errno_name(e);
	}
}

/* ret must be -1 with errno == want. */
static GUEST_UNUSED void expect_err(long ret, int want, int code, const char *what)
{
	int e = errno;

	if (ret == -1 && e == want)
		check(1, code, "%s -> %s", what, lock_errno_name(want));
	else
		check(0, code, "%s: got ret %ld errno %s, want -1 %s", what, ret,
		      ret == -1 ? lock_errno_name(e) : "-", lock_errno_name(want));
}

static GUEST_UNUSED void expect_ok(long ret, int code, const char *what)
{
	int e = errno;

	if (ret == 0)
		check(1, code, "%s", what);
	else
		check(0, code, "%s: got ret %ld errno %s", what, ret, lock_errno_name(e));
}

static GUEST_UNUSED void nap_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

/* The state letter of process pid, or 0. */
static GUEST_UNUSED char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to 20 s) until pid sleeps; exits with 92 if it never does. */
static GUEST_UNUSED void wait_asleep(pid_t pid)
{
	for (int i = 0; i < 20000; i++) {
		if (proc_state(pid) == 'S')
			return;
		nap_ms(1);
	}
	need(0, 92, "the other process never went to sleep");
}

/* One byte through a pipe: "I am about to block" / "go on". */
static GUEST_UNUSED void signal_pipe(int fd)
{
	need(write(fd, "x", 1) == 1, 93, "write sync pipe");
}

static GUEST_UNUSED void wait_pipe(int fd)
{
	char c;
	need(read_full(fd, &c, 1) == 1, 94, "read sync pipe");
}

/* fcntl lock helpers: a struct flock from its fields. */
static GUEST_UNUSED int lk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = whence;
	fl.l_start = start;
	fl.l_len = len;
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) of [start, start+len): the answer as text,
 * "unlocked" or "TYPE start S len L pid P" with P one of the names given
 * (the pid of "parent", "child", ... or -1 for "ofd"). */
static GUEST_UNUSED const char *probe(int fd, int cmd, short type, off_t start, off_t len,
				      pid_t parent, pid_t child)
{
	static char buf[128];
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	fl.l_pid = 0;
	if (fcntl(fd, cmd, &fl) != 0) {
		snprintf(buf, sizeof(buf), "error %s", lock_errno_name(errno));
		return buf;
	}
	if (fl.l_type == F_UNLCK)
		return "unlocked";
	const char *who = fl.l_pid == -1 ? "ofd" : fl.l_pid == parent ? "parent"
			  : fl.l_pid == child ? "child" : fl.l_pid == getpid() ? "self" : "other";
	snprintf(buf, sizeof(buf), "%s start %lld len %lld whence %d pid %s",
		 fl.l_type == F_WRLCK ? "write" : fl.l_type == F_RDLCK ? "read" : "?",
		 (long long)fl.l_start, (long long)fl.l_len, fl.l_whence, who);
	return buf;
}

/* probe() must give want. */
static GUEST_UNUSED void expect_probe(const char *got, const char *want, int code, const char *what)
{
	if (strcmp(got, want) == 0)
		check(1, code, "%s: %s", what, want);
	else
		check(0, code, "%s: got \"%s\", want \"%s\"", what, got, want);
}

#endif
