/*
 * locks_ofd: open file description locks (F_OFD_SETLK, F_OFD_SETLKW,
 * F_OFD_GETLK). Their owner is the open file description, not the process:
 * two opens in one process conflict, a fork or dup shares the lock,
 * closing one of several descriptors keeps it, the last close drops it.
 * They conflict with POSIX locks of the same process; F_GETLK reports an
 * OFD owner as l_pid -1; l_pid must be 0 in requests. /proc/locks lists
 * the locks of every kind (only this file's lines are printed, sorted,
 * since the host's list holds other processes' locks in per-CPU order).
 * Run in a scratch directory.
 */
#include "lock_check.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#define FILE_NAME "ofd.lk"

static int open_lk(void)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT, 0600);
	need(fd >= 0, 80, "open " FILE_NAME);
	return fd;
}

static int ofd(int fd, int cmd, short type, off_t start, off_t len, pid_t pid)
{
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	fl.l_pid = pid;
	return fcntl(fd, cmd, &fl);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of /proc/locks about file fd, without their ordinal, with
 * our pid as "self" and the inode as "INODE", sorted. */
static void print_proc_locks(int fd)
{
	struct stat st;
	need(fstat(fd, &st) == 0, 83, "fstat");
	char inode[64], self[32];
	snprintf(inode, sizeof(inode), " %02x:%02x:%llu ", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	snprintf(self, sizeof(self), " %d ", (int)getpid());
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int p = open("/proc/locks", O_RDONLY);
	need(p >= 0 && buf, 84, "open /proc/locks");
	for (ssize_t n; (n = read(p, buf + len, cap - len - 1)) > 0;) {
		len += (size_t)n;
		if (len + 1 == cap)
			need((buf = realloc(buf, cap *= 2)) != NULL, 85, "realloc");
	}
	close(p);
	buf[len] = 0;
	char *lines[64];
	int n = 0;
	for (char *line = strtok(buf, "\n"); line && n < 64; line = strtok(NULL, "\n")) {
		char *at = strstr(line, inode), *colon = strchr(line, ':');
		if (!at || !colon)
			continue;
		char out[256], *pid = strstr(line, self);
		*at = 0;
		if (pid && pid < at) {
			*pid = 0;
			snprintf(out, sizeof(out), "%s self%s INODE %s", colon + 2, pid + strlen(self) - 1, at + strlen(inode));
		} else {
			snprintf(out, sizeof(out), "%s INODE %s", colon + 2, at + strlen(inode));
		}
		lines[n++] = strdup(out);
	}
	qsort(lines, n, sizeof(lines[0]), by_text);
	for (int i = 0; i < n; i++) {
		printf("/proc/locks: %s\n", lines[i]);
		free(lines[i]);
	}
	free(buf);
}

static void proc_locks(void)
{
	int a = open("procs.lk", O_RDWR | O_CREAT, 0600), b = open("procs.lk", O_RDWR);
	need(a >= 0 && b >= 0, 86, "open procs.lk");
	need(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 5, 10) == 0, 87, "POSIX write lock");
	need(lk(a, F_SETLK, F_RDLCK, SEEK_SET, 20, 0) == 0, 88, "POSIX read lock");
	need(ofd(b, F_OFD_SETLK, F_RDLCK, 0, 2, 0) == 0, 89, "OFD read lock");
	need(flock(b, LOCK_EX) == 0, 90, "flock");
	print_proc_locks(a);
	close(a);
	close(b);
}

int main(void)
{
	pid_t self = getpid();
	int a = open_lk(), b = open_lk();

	expect_err(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 10, 1), EINVAL, 1, "F_OFD_SETLK with l_pid 1");
	expect_err(ofd(a, F_OFD_SETLKW, F_WRLCK, 0, 10, -1), EINVAL, 2, "F_OFD_SETLKW with l_pid -1");
	expect_err(ofd(a, F_OFD_GETLK, F_WRLCK, 0, 10, 5), EINVAL, 3, "F_OFD_GETLK with l_pid 5");

	expect_ok(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 10, 0), 10, "OFD write lock through a");
	expect_err(ofd(b, F_OFD_SETLK, F_RDLCK, 5, 1, 0), EAGAIN, 11, "another open in the same process conflicts");
	expect_probe(probe(b, F_OFD_GETLK, F_RDLCK, 0, 0, self, 0), "write start 0 len 10 whence 0 pid ofd", 12,
		     "F_OFD_GETLK through b reports l_pid -1");
	expect_probe(probe(a, F_OFD_GETLK, F_RDLCK, 0, 0, self, 0), "unlocked", 13,
		     "F_OFD_GETLK through a: its own lock does not conflict");
	expect_err(lk(b, F_SETLK, F_WRLCK, SEEK_SET, 9, 5), EAGAIN, 14, "a POSIX lock of the same process conflicts");
	expect_probe(probe(b, F_GETLK, F_WRLCK, 0, 0, self, 0), "write start 0 len 10 whence 0 pid ofd", 15,
		     "F_GETLK reports the OFD lock with l_pid -1");
	expect_ok(lk(b, F_SETLK, F_WRLCK, SEEK_SET, 10, 5), 16, "POSIX lock beside it");
	expect_err(ofd(a, F_OFD_SETLK, F_WRLCK, 12, 1, 0), EAGAIN, 17, "the OFD lock conflicts with that POSIX lock");
	expect_probe(probe(a, F_OFD_GETLK, F_WRLCK, 10, 0, 0, 0), "write start 10 len 5 whence 0 pid self", 18,
		     "F_OFD_GETLK reports the POSIX owner's pid");
	need(lk(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0) == 0, 81, "POSIX unlock");

	/* Shared by dup and fork; a close of one descriptor keeps it. */
	int d = dup(a);
	close(d);
	expect_err(ofd(b, F_OFD_SETLK, F_WRLCK, 0, 1, 0), EAGAIN, 20, "closing a dup keeps the OFD lock");
	pid_t pid = guest_fork();
	if (pid == 0) {
		/* The inherited description owns the lock: it may change it. */
		if (ofd(a, F_OFD_SETLK, F_RDLCK, 0, 5, 0) != 0)
			_exit(1);
		_exit(0);
	}
	expect_status(pid, "exited 0", 21, "a forked child changes the shared description's lock");
	expect_probe(probe(b, F_OFD_GETLK, F_WRLCK, 0, 0, self, 0), "read start 0 len 5 whence 0 pid ofd", 22,
		     "the child's read lock replaced the first half");
	expect_ok(ofd(b, F_OFD_SETLK, F_RDLCK, 0, 5, 0), 23, "readers share");

	/* A waiter on another description sleeps until the last close. */
	int sync[2];
	need(pipe(sync) == 0, 82, "pipe");
	pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(a); /* the parent's closes must be the last ones */
		close(b);
		int c = open_lk();
		signal_pipe(sync[1]);
		_exit(ofd(c, F_OFD_SETLKW, F_WRLCK, 0, 0, 0) == 0 ? 0 : 1);
	}
	close(sync[1]);
	wait_pipe(sync[0]);
	wait_asleep(pid);
	close(b); /* b's read lock goes; a's locks still block the waiter */
	close(a);
	expect_status(pid, "exited 0", 30, "F_OFD_SETLKW is granted when the last descriptors are closed");
	close(sync[0]);

	/* F_UNLCK through OFD releases only that description's range. */
	a = open_lk();
	b = open_lk();
	expect_ok(ofd(a, F_OFD_SETLK, F_WRLCK, 0, 100, 0), 40, "OFD lock [0,100) through a");
	expect_ok(ofd(a, F_OFD_SETLK, F_UNLCK, 40, 20, 0), 41, "OFD unlock [40,60)");
	expect_probe(probe(b, F_OFD_GETLK, F_WRLCK, 40, 20, self, 0), "unlocked", 42, "the middle is free");
	expect_probe(probe(b, F_OFD_GETLK, F_WRLCK, 50, 50, self, 0), "write start 60 len 40 whence 0 pid ofd", 43,
		     "the right piece");
	expect_ok(ofd(b, F_OFD_SETLK, F_UNLCK, 0, 0, 0), 44, "b's unlock does not touch a's locks");
	expect_probe(probe(b, F_OFD_GETLK, F_WRLCK, 0, 0, self, 0), "write start 0 len 40 whence 0 pid ofd", 45,
		     "a's left piece is still there");
	close(a);
	close(b);
	proc_locks();
	return guest_finish();
}
