/*
 * pidfd_proc_dir: pidfd_send_signal on a /proc/<pid> directory descriptor
 * (pidfd_send_signal(2): "pidfd ... may also be a file descriptor referring
 * to a /proc/<pid> directory"; kernel/signal.c pidfd_to_pid,
 * tgid_pidfd_to_pid), as python's test_signal uses it:
 *
 *   - /proc/self and /proc/<own pid> opened O_DIRECTORY signal the caller
 *     (its handler runs)
 *   - /proc/<child> signals the child (SIGTERM kills it); after the child
 *     was reaped the same descriptor gives ESRCH
 *   - a thread's directory (/proc/self/task/<tid>), /proc/thread-self, an
 *     ordinary directory, /proc itself and a closed descriptor are EBADF
 *   - the scope flags (Linux 6.9): PIDFD_SIGNAL_THREAD (1) and
 *     PIDFD_SIGNAL_THREAD_GROUP (2) signal the process;
 *     PIDFD_SIGNAL_PROCESS_GROUP (4) the process group the pid leads: both
 *     members die, and a pid that leads no group is ESRCH; two scopes at
 *     once or an unknown flag are EINVAL, even on a bad descriptor
 */
#include "guest_check.h"

#include <fcntl.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static volatile sig_atomic_t hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static long psend(int fd, int sig, unsigned flags)
{
	return syscall(SYS_pidfd_send_signal, fd, sig, NULL, flags);
}

static void expect_err(long r, int want, int code, const char *what)
{
	int e = errno;
	check(r == -1 && e == want, code, "%s: %s (got %ld %s)", what, errno_name(want), r,
	      errno_name(e));
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
	need(self >= 0, 1, "open /proc/self");
	expect_eq(psend(self, SIGUSR1, 0), 0, 2, "signal through /proc/self");
	check(hits == 1, 3, "the handler ran once (%d)", (int)hits);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", (int)getpid());
	int own = open(path, O_RDONLY | O_DIRECTORY);
	need(own >= 0, 4, "open /proc/<own pid>");
	expect_eq(psend(own, SIGUSR1, 0), 0, 5, "signal through /proc/<own pid>");
	check(hits == 2, 6, "the handler ran again (%d)", (int)hits);
	expect_eq(psend(own, 0, 0), 0, 7, "signal 0 checks only");
	expect_eq(psend(own, SIGUSR1, 1), 0, 8, "PIDFD_SIGNAL_THREAD");
	expect_eq(psend(own, SIGUSR1, 2), 0, 23, "PIDFD_SIGNAL_THREAD_GROUP");
	check(hits == 4, 24, "both handlers ran (%d)", (int)hits);
	errno = 0;
	expect_err(psend(own, SIGUSR1, 3), EINVAL, 25, "two scopes");
	errno = 0;
	expect_err(psend(own, SIGUSR1, 8), EINVAL, 26, "flag 8");
	errno = 0;
	expect_err(psend(-1, SIGUSR1, 8), EINVAL, 27, "flag 8 on a bad descriptor");

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)syscall(SYS_gettid));
	int task = open(path, O_RDONLY | O_DIRECTORY);
	need(task >= 0, 9, "open the task directory");
	errno = 0;
	expect_err(psend(task, SIGUSR1, 0), EBADF, 10, "a task directory");
	int ts = open("/proc/thread-self", O_RDONLY | O_DIRECTORY);
	need(ts >= 0, 11, "open /proc/thread-self");
	errno = 0;
	expect_err(psend(ts, SIGUSR1, 0), EBADF, 12, "/proc/thread-self");
	int root = open("/", O_RDONLY | O_DIRECTORY);
	errno = 0;
	expect_err(psend(root, SIGUSR1, 0), EBADF, 13, "an ordinary directory");
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	errno = 0;
	expect_err(psend(proc, SIGUSR1, 0), EBADF, 14, "/proc");
	close(root);
	errno = 0;
	expect_err(psend(root, SIGUSR1, 0), EBADF, 15, "a closed descriptor");
	check(hits == 4, 16, "no handler ran for the refused ones (%d)", (int)hits);

	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	need(c > 0, 17, "fork");
	snprintf(path, sizeof(path), "/proc/%d", (int)c);
	int cd = open(path, O_RDONLY | O_DIRECTORY);
	need(cd >= 0, 18, "open /proc/<child>");
	expect_eq(psend(cd, SIGTERM, 0), 0, 19, "SIGTERM through /proc/<child>");
	int st = 0;
	expect_eq(waitpid(c, &st, 0), c, 20, "reap the child");
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, 21, "the child died of SIGTERM (%#x)", st);
	errno = 0;
	expect_err(psend(cd, SIGTERM, 0), ESRCH, 22, "the reaped child");

	/* A process group of two children, led by the first. */
	pid_t k[2];
	int kd[2];
	for (int i = 0; i < 2; i++) {
		fflush(stdout);
		k[i] = fork();
		if (k[i] == 0) {
			for (;;)
				pause();
		}
		need(k[i] > 0, 28, "fork a group member");
		need(setpgid(k[i], k[0]) == 0, 29, "setpgid");
		snprintf(path, sizeof(path), "/proc/%d", (int)k[i]);
		kd[i] = open(path, O_RDONLY | O_DIRECTORY);
		need(kd[i] >= 0, 30, "open /proc/<member>");
	}
	errno = 0;
	expect_err(psend(kd[1], SIGTERM, 4), ESRCH, 31, "PIDFD_SIGNAL_PROCESS_GROUP on a non-leader");
	expect_eq(psend(kd[0], SIGTERM, 4), 0, 32, "PIDFD_SIGNAL_PROCESS_GROUP on the leader");
	for (int i = 0; i < 2; i++) {
		st = 0;
		expect_eq(waitpid(k[i], &st, 0), k[i], 33, "reap a member");
		check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, 34, "a member died of SIGTERM (%#x)", st);
	}
	return guest_finish();
}
