/*
 * locks_flock: flock(2) between processes. A lock belongs to the open file
 * description: dup and fork share it, the last close releases it, another
 * open of the same file conflicts with it. LOCK_NB fails with EWOULDBLOCK;
 * a blocking request sleeps until the holder unlocks, closes or exits. A
 * conversion is not atomic (a failed LOCK_NB upgrade loses the shared lock).
 * flock and fcntl locks do not see each other. A blocked flock sleeps its
 * thread only. Run in a scratch directory.
 */
#include "lock_check.h"

#include <pthread.h>

#define FILE_NAME "flock.lk"

static int open_lk(void)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT, 0600);
	need(fd >= 0, 80, "open " FILE_NAME);
	return fd;
}

/* A child that opens the file itself and tries LOCK_NB locks: exits with
 * 0 when both EX and SH are refused, 1 when SH is granted but EX is not,
 * 2 when EX is granted, 3 on anything else. */
static pid_t nb_prober(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		int fd = open_lk();
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			_exit(2);
		if (errno != EWOULDBLOCK)
			_exit(3);
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			_exit(1);
		_exit(errno == EWOULDBLOCK ? 0 : 3);
	}
	return pid;
}

static void errors(void)
{
	int fd = open_lk();
	expect_err(flock(fd, 0), EINVAL, 1, "flock op 0");
	expect_err(flock(fd, LOCK_SH | LOCK_EX), EINVAL, 2, "flock LOCK_SH|LOCK_EX");
	expect_err(flock(fd, LOCK_UN | LOCK_EX), EINVAL, 3, "flock LOCK_UN|LOCK_EX");
	expect_err(flock(-1, LOCK_SH), EBADF, 4, "flock on fd -1");
	expect_err(flock(999, LOCK_EX | LOCK_NB), EBADF, 5, "flock on a closed fd");
	expect_err(flock(-1, 7), EINVAL, 6, "a bad op is checked before the fd");
	expect_ok(flock(fd, LOCK_UN), 7, "LOCK_UN without a lock");
	int p = open(".", O_PATH);
	need(p >= 0, 81, "open O_PATH");
	expect_err(flock(p, LOCK_SH), EBADF, 8, "flock on an O_PATH descriptor");
	close(p);
	close(fd);
}

static void between_processes(void)
{
	int fd = open_lk();
	expect_ok(flock(fd, LOCK_EX), 10, "parent LOCK_EX");
	expect_ok(flock(fd, LOCK_EX | LOCK_NB), 11, "LOCK_EX again on the same file is a no-op");
	expect_status(nb_prober(), "exited 0", 12, "another open: EX and SH refused while EX is held");
	expect_ok(flock(fd, LOCK_SH), 13, "downgrade to LOCK_SH");
	expect_status(nb_prober(), "exited 1", 14, "another open: SH granted, EX refused while SH is held");
	expect_ok(flock(fd, LOCK_UN), 15, "LOCK_UN");
	expect_status(nb_prober(), "exited 2", 16, "another open: EX granted once unlocked");
	close(fd);
}

static void shared_by_dup_and_fork(void)
{
	int fd = open_lk();
	int d = dup(fd);
	expect_ok(flock(fd, LOCK_EX), 20, "LOCK_EX through fd");
	expect_ok(flock(d, LOCK_EX | LOCK_NB), 21, "the dup holds the same lock (LOCK_EX|LOCK_NB succeeds)");
	close(fd);
	expect_status(nb_prober(), "exited 0", 22, "closing one of two descriptors keeps the lock");
	pid_t pid = guest_fork();
	if (pid == 0) {
		/* The inherited descriptor is the same description: it may
		 * take the lock it already holds, and unlock it for both. */
		if (flock(d, LOCK_EX | LOCK_NB) != 0)
			_exit(1);
		if (flock(d, LOCK_UN) != 0)
			_exit(2);
		_exit(0);
	}
	expect_status(pid, "exited 0", 23, "a forked child's inherited fd relocks and unlocks the same lock");
	expect_status(nb_prober(), "exited 2", 24, "the child's LOCK_UN released the parent's lock");
	expect_ok(flock(d, LOCK_EX), 25, "relock");
	close(d);
	expect_status(nb_prober(), "exited 2", 26, "closing the last descriptor released the lock");
}

/* A child blocks in flock(LOCK_EX) on its own open; the parent releases
 * with how(fd) once the child sleeps. The child reports its result. */
static void blocking_waiter(const char *what, int code, void (*how)(int fd))
{
	int fd = open_lk();
	int sync[2];
	need(pipe(sync) == 0, 82, "pipe");
	need(flock(fd, LOCK_EX) == 0, 83, "parent LOCK_EX");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(fd); /* the parent's description must go with its close */
		int cfd = open_lk();
		signal_pipe(sync[1]);
		int r = flock(cfd, LOCK_EX);
		_exit(r == 0 ? 0 : 1);
	}
	close(sync[1]);
	wait_pipe(sync[0]);
	wait_asleep(pid);
	how(fd);
	char buf[160];
	snprintf(buf, sizeof(buf), "a blocked LOCK_EX is granted when the holder %s", what);
	expect_status(pid, "exited 0", code, buf);
	close(sync[0]);
	close(fd);
}

static void by_unlock(int fd)
{
	flock(fd, LOCK_UN);
}

static void by_close(int fd)
{
	close(fd);
}

static void waiter_woken_at_holder_exit(void)
{
	int sync[2], back[2];
	need(pipe(sync) == 0 && pipe(back) == 0, 84, "pipe");
	pid_t parent = getpid();
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(back[1]);
		int fd = open_lk();
		if (flock(fd, LOCK_EX) != 0)
			_exit(1);
		signal_pipe(sync[1]);
		wait_pipe(back[0]); /* the parent's next call is flock */
		wait_asleep(parent);
		_exit(0); /* exit closes fd: the lock goes */
	}
	close(sync[1]);
	close(back[0]);
	int fd = open_lk();
	wait_pipe(sync[0]);
	signal_pipe(back[1]);
	expect_ok(flock(fd, LOCK_EX), 40, "a LOCK_EX waiter is granted when the holder exits");
	expect_status(pid, "exited 0", 41, "holder exited");
	close(fd);
	close(sync[0]);
	close(back[1]);
}

static void failed_upgrade_loses_shared_lock(void)
{
	int fd = open_lk();
	need(flock(fd, LOCK_SH) == 0, 85, "parent LOCK_SH");
	int sync[2], back[2];
	need(pipe(sync) == 0 && pipe(back) == 0, 86, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(back[1]);
		int cfd = open_lk();
		int r1 = flock(cfd, LOCK_SH | LOCK_NB);
		int r2 = flock(cfd, LOCK_EX | LOCK_NB);
		int e2 = errno;
		signal_pipe(sync[1]);
		wait_pipe(back[0]);
		_exit(r1 == 0 && r2 == -1 && e2 == EWOULDBLOCK ? 0 : 1);
	}
	close(sync[1]);
	close(back[0]);
	wait_pipe(sync[0]);
	/* The child's failed upgrade removed its shared lock first. */
	expect_ok(flock(fd, LOCK_EX | LOCK_NB), 50, "after another file's failed LOCK_EX|LOCK_NB upgrade, its LOCK_SH is gone");
	signal_pipe(back[1]);
	expect_status(pid, "exited 0", 51, "child: LOCK_SH granted, upgrade refused with EWOULDBLOCK");
	close(fd);
	close(sync[0]);
	close(back[1]);
}

static void flock_and_fcntl_independent(void)
{
	int fd = open_lk();
	need(flock(fd, LOCK_EX) == 0, 87, "parent LOCK_EX");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int cfd = open_lk();
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
		if (fcntl(cfd, F_SETLK, &fl) != 0)
			_exit(1);
		/* ... and a POSIX lock does not keep flock out either. */
		_exit(flock(cfd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK ? 0 : 2);
	}
	expect_status(pid, "exited 0", 60, "an fcntl write lock is granted beside a flock LOCK_EX");
	close(fd);
}

static void pipes(void)
{
	int p[2];
	need(pipe(p) == 0, 88, "pipe");
	expect_ok(flock(p[0], LOCK_EX), 70, "LOCK_EX on a pipe's read end");
	expect_err(flock(p[1], LOCK_EX | LOCK_NB), EWOULDBLOCK, 71, "the write end is the same inode, another description");
	close(p[0]);
	expect_ok(flock(p[1], LOCK_EX | LOCK_NB), 72, "granted once the read end is closed");
	close(p[1]);
}

static int thread_sync[2];

static void *blocking_thread(void *arg)
{
	int fd = *(int *)arg;
	int tid = (int)syscall(SYS_gettid);
	need(write(thread_sync[1], &tid, sizeof(tid)) == sizeof(tid), 95, "write tid");
	return (void *)(long)flock(fd, LOCK_EX);
}

static void only_the_thread_sleeps(void)
{
	int fd = open_lk(), fd2 = open_lk();
	need(pipe(thread_sync) == 0, 89, "pipe");
	need(flock(fd, LOCK_EX) == 0, 90, "LOCK_EX");
	pthread_t th;
	need(pthread_create(&th, NULL, blocking_thread, &fd2) == 0, 91, "pthread_create");
	int tid;
	need(read_full(thread_sync[0], &tid, sizeof(tid)) == sizeof(tid), 96, "read tid");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)getpid(), tid);
	for (int i = 0; i < 20000; i++) {
		char buf[512] = "";
		int s = open(path, O_RDONLY);
		ssize_t n = s < 0 ? -1 : read(s, buf, sizeof(buf) - 1);
		if (s >= 0)
			close(s);
		char *p = n > 0 ? strrchr(buf, ')') : NULL;
		if (p && p[1] == ' ' && p[2] == 'S')
			break;
		nap_ms(1);
	}
	/* The other thread sleeps in flock; this one goes on. */
	expect_err(flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK, 75, "the main thread runs while another sleeps in flock");
	expect_ok(flock(fd, LOCK_UN), 76, "unlock");
	void *ret;
	pthread_join(th, &ret);
	expect_eq((long)ret, 0, 77, "the sleeping thread's flock is granted");
	close(fd);
	close(fd2);
	close(thread_sync[0]);
	close(thread_sync[1]);
}

int main(void)
{
	errors();
	between_processes();
	shared_by_dup_and_fork();
	blocking_waiter("unlocks", 30, by_unlock);
	blocking_waiter("closes its last descriptor", 31, by_close);
	waiter_woken_at_holder_exit();
	failed_upgrade_loses_shared_lock();
	flock_and_fcntl_independent();
	pipes();
	only_the_thread_sleeps();
	return guest_finish();
}
