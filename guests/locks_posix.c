/*
 * locks_posix: fcntl record locks between processes. A process's locks
 * are byte ranges, cut by unlocks and type changes and merged with their
 * neighbours; F_GETLK reports the first conflicting lock and its owner;
 * a process's own locks never conflict with each other; closing ANY
 * descriptor of the file drops all its locks on it; fork does not inherit
 * them; F_SETLKW sleeps until the range is free, fails with EDEADLK when
 * the wait would close a cycle, and with EINTR when a handler without
 * SA_RESTART interrupts it (with SA_RESTART it goes on waiting). The
 * locks survive execve, except those on files a close-on-exec descriptor
 * closes. Run in a scratch directory.
 */
#include "lock_check.h"

#define FILE_NAME "posix.lk"

static pid_t parent;

static int open_lk(int flags)
{
	int fd = open(FILE_NAME, flags | O_CREAT, 0600);
	need(fd >= 0, 80, "open " FILE_NAME);
	return fd;
}

/*
 * Run fn in a child that opens the file itself (so closing it there does
 * not disturb the parent) and reports with its exit status; the parent
 * prints nothing until it is done.
 */
static void in_child(int code, const char *what, void (*fn)(int fd))
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		int fd = open_lk(O_RDWR);
		fn(fd);
		fflush(stdout);
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", code, what);
}

static void errors(void)
{
	int fd = open_lk(O_RDWR);
	expect_err(lk(fd, F_SETLK, F_WRLCK, 5, 0, 1), EINVAL, 1, "bad l_whence");
	expect_err(lk(fd, F_SETLK, 7, SEEK_SET, 0, 1), EINVAL, 2, "bad l_type");
	expect_err(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL, 3, "negative start");
	expect_err(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6), EINVAL, 4, "negative length reaching below 0");
	expect_err(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffffffLL, 2), EOVERFLOW, 5,
		   "a range past the largest offset");
	expect_err(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1), EINVAL, 6, "F_GETLK of F_UNLCK");
	expect_err(lk(fd, 14 /* F_SETLKW64: 32-bit only */, F_WRLCK, SEEK_SET, 0, 1), EINVAL, 7,
		   "F_SETLKW64 on x86_64");
	expect_err(lk(999, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF, 8, "bad descriptor");
	expect_err(fcntl(fd, F_SETLK, (void *)8), EFAULT, 9, "bad struct flock pointer");
	int ro = open_lk(O_RDONLY), wo = open_lk(O_WRONLY);
	expect_err(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF, 10, "write lock on an O_RDONLY descriptor");
	expect_err(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF, 11, "read lock on an O_WRONLY descriptor");
	expect_ok(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1), 12, "unlock needs no access mode");
	expect_ok(lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), 13, "read lock on O_RDONLY");
	expect_ok(lk(wo, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), 14, "write lock on O_WRONLY (own lock, no conflict)");
	int p = open(FILE_NAME, O_PATH);
	need(p >= 0, 81, "open O_PATH");
	expect_err(lk(p, F_GETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF, 15, "F_GETLK on an O_PATH descriptor");
	close(p);
	close(ro);
	close(wo);
	close(fd);
}

static void child_sees_whole_lock(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_RDLCK, 50, 10, parent, 0),
		     "write start 0 len 100 whence 0 pid parent", 20, "child F_GETLK reports the parent's lock");
	expect_err(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 99, 1), EAGAIN, 21, "child F_SETLK on it");
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 10), 22, "child F_SETLK just after it");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, 0),
		     "write start 0 len 100 whence 0 pid parent", 23, "the first conflict is reported");
}

static void child_sees_split(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 40, 20, parent, 0), "unlocked", 30, "the unlocked middle");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 35, 10, parent, 0),
		     "write start 0 len 40 whence 0 pid parent", 31, "the left piece");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 55, 10, parent, 0),
		     "write start 60 len 40 whence 0 pid parent", 32, "the right piece");
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20), 33, "child locks the middle");
}

static void child_sees_types(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_RDLCK, 20, 10, parent, 0), "unlocked", 40,
		     "a read probe of the read piece");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 25, 1, parent, 0),
		     "read start 20 len 10 whence 0 pid parent", 41, "a write probe of the read piece");
	expect_probe(probe(fd, F_GETLK, F_RDLCK, 0, 0, parent, 0),
		     "write start 0 len 20 whence 0 pid parent", 42, "a read probe of everything");
	expect_probe(probe(fd, F_GETLK, F_RDLCK, 20, 0, parent, 0),
		     "write start 30 len 70 whence 0 pid parent", 43, "a read probe from 20 on");
}

static void child_sees_merged(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, 0),
		     "read start 0 len 30 whence 0 pid parent", 50, "adjacent read locks merged");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 30, 0, parent, 0),
		     "read start 40 len 0 whence 0 pid parent", 51, "a lock to EOF");
}

static void child_sees_whence(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 100, parent, 0),
		     "write start 40 len 5 whence 0 pid parent", 60, "SEEK_CUR from offset 50, start -10");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 100, 100, parent, 0),
		     "write start 190 len 10 whence 0 pid parent", 61, "SEEK_END -10 of a 200-byte file");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 200, 0, parent, 0),
		     "read start 290 len 10 whence 0 pid parent", 62, "start 300, length -10");
}

static void child_sees_nothing(int fd)
{
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, 0), "unlocked", 70, "no lock left");
}

static void ranges(void)
{
	int fd = open_lk(O_RDWR);
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100), 100, "parent write-locks [0,100)");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, 0), "unlocked", 101,
		     "own locks do not conflict");
	in_child(102, "child: whole lock", child_sees_whole_lock);

	expect_ok(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20), 103, "parent unlocks [40,60)");
	in_child(104, "child: split lock", child_sees_split);

	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100), 105, "parent write-locks [0,100) again");
	expect_ok(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10), 106, "parent read-locks [20,30) inside");
	in_child(107, "child: three pieces of two types", child_sees_types);

	expect_ok(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 108, "parent unlocks everything");
	expect_ok(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 10, 20), 109, "read [10,30)");
	expect_ok(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 10), 110, "read [0,10)");
	expect_ok(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 0), 111, "read [40,EOF)");
	in_child(112, "child: merged locks", child_sees_merged);

	expect_ok(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0), 113, "parent unlocks everything");
	char buf[200];
	memset(buf, 'x', sizeof(buf));
	need(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), 82, "write 200 bytes");
	need(lseek(fd, 50, SEEK_SET) == 50, 83, "lseek");
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, -10, 5), 114, "SEEK_CUR -10, length 5");
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10), 115, "SEEK_END -10, length 10");
	expect_ok(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 300, -10), 116, "start 300, length -10");
	in_child(117, "child: l_whence and negative lengths", child_sees_whence);

	/* Closing any descriptor of the file drops all of the process's
	 * locks on it, even one that never locked anything; but not an
	 * O_PATH one (filp_close). */
	int path = open(FILE_NAME, O_PATH);
	need(path >= 0, 84, "open O_PATH");
	close(path);
	in_child(121, "child: closing an O_PATH descriptor kept the locks", child_sees_whence);
	int other = open_lk(O_RDONLY);
	close(other);
	in_child(118, "child: closing another descriptor released every lock", child_sees_nothing);
	expect_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), 119, "parent write-locks everything");
	int d = dup(fd), ro = open_lk(O_RDONLY);
	dup2(ro, d); /* dup2 closes what d was: a close too */
	in_child(120, "child: dup2 over a descriptor released every lock", child_sees_nothing);
	close(d);
	close(ro);
	close(fd);
}

static void fork_does_not_inherit(void)
{
	int fd = open_lk(O_RDWR);
	need(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, 92, "parent lock");
	pid_t pid = guest_fork();
	if (pid == 0) {
		/* The inherited descriptor does not carry the parent's lock. */
		int r = lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
		_exit(r == -1 && errno == EAGAIN ? 0 : 1);
	}
	expect_status(pid, "exited 0", 130, "a forked child does not own its parent's locks");
	close(fd);
}

/* A child sleeps in F_SETLKW; the parent releases with how(fd). */
static void setlkw_waiter(const char *what, int code, void (*how)(int fd))
{
	int fd = open_lk(O_RDWR);
	int sync[2];
	need(pipe(sync) == 0, 85, "pipe");
	need(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, 86, "parent lock");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		signal_pipe(sync[1]);
		int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 10);
		_exit(r == 0 ? 0 : 1);
	}
	close(sync[1]);
	wait_pipe(sync[0]);
	wait_asleep(pid);
	how(fd);
	char buf[160];
	snprintf(buf, sizeof(buf), "F_SETLKW is granted when the holder %s", what);
	expect_status(pid, "exited 0", code, buf);
	close(sync[0]);
	close(fd);
}

static void by_unlock(int fd)
{
	lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void by_shrinking(int fd)
{
	lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 5, 0); /* the waiter wants [5,15) */
}

static void by_closing_another(int fd)
{
	(void)fd;
	close(open_lk(O_RDONLY));
}

static void waiter_woken_at_holder_exit(void)
{
	int sync[2], back[2];
	need(pipe(sync) == 0 && pipe(back) == 0, 87, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(back[1]);
		int fd = open_lk(O_RDWR);
		if (lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0) != 0)
			_exit(1);
		signal_pipe(sync[1]);
		wait_pipe(back[0]); /* the parent's next call is F_SETLKW */
		wait_asleep(parent);
		_exit(0);
	}
	close(sync[1]);
	close(back[0]);
	int fd = open_lk(O_RDWR);
	wait_pipe(sync[0]);
	signal_pipe(back[1]);
	expect_ok(lk(fd, F_SETLKW, F_RDLCK, SEEK_SET, 0, 1), 140, "F_SETLKW is granted when the holder exits");
	expect_status(pid, "exited 0", 141, "holder exited");
	close(fd);
	close(sync[0]);
	close(back[1]);
}

/* Parent holds byte 0 and waits for byte 1, which the child holds; the
 * child's wait for byte 0 would close the cycle. */
static void deadlock(void)
{
	int fd = open_lk(O_RDWR);
	int sync[2], back[2];
	need(pipe(sync) == 0 && pipe(back) == 0, 88, "pipe");
	need(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, 89, "parent locks byte 0");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		close(back[1]);
		int cfd = open_lk(O_RDWR);
		if (lk(cfd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1) != 0)
			_exit(10);
		signal_pipe(sync[1]);
		wait_pipe(back[0]);
		wait_asleep(parent);
		expect_err(lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EDEADLK, 150,
			   "child F_SETLKW of the parent's byte while the parent waits for the child's");
		expect_probe(probe(cfd, F_GETLK, F_WRLCK, 0, 1, parent, 0),
			     "write start 0 len 1 whence 0 pid parent", 151, "the parent still holds byte 0");
		fflush(stdout);
		_exit(guest_finish()); /* releases byte 1 */
	}
	close(sync[1]);
	close(back[0]);
	wait_pipe(sync[0]);
	signal_pipe(back[1]);
	int r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
	expect_status(pid, "exited 0", 152, "child saw EDEADLK");
	expect_ok(r, 153, "the parent's wait ends when the child exits");
	close(fd);
	close(sync[0]);
	close(back[1]);
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* A child sleeps in F_SETLKW; SIGUSR1 arrives. Without SA_RESTART the
 * call fails with EINTR; with it, the wait goes on until the lock is
 * free. */
static void interrupted(int restart, int code)
{
	int fd = open_lk(O_RDWR);
	int sync[2];
	need(pipe(sync) == 0, 90, "pipe");
	need(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) == 0, 91, "parent lock");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(sync[0]);
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sa.sa_flags = restart ? SA_RESTART : 0;
		sigaction(SIGUSR1, &sa, NULL);
		int cfd = open_lk(O_RDWR);
		signal_pipe(sync[1]);
		int r = lk(cfd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
		int e = errno;
		if (restart)
			_exit(r == 0 && handled == 1 ? 0 : 1);
		_exit(r == -1 && e == EINTR && handled == 1 ? 0 : 1);
	}
	close(sync[1]);
	wait_pipe(sync[0]);
	wait_asleep(pid);
	kill(pid, SIGUSR1);
	if (restart) {
		/* The handler runs and the wait resumes: the child sleeps again. */
		wait_asleep(pid);
		lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
		expect_status(pid, "exited 0", code, "SA_RESTART: F_SETLKW waits on after the handler and gets the lock");
	} else {
		expect_status(pid, "exited 0", code, "no SA_RESTART: F_SETLKW fails with EINTR");
	}
	close(sync[0]);
	close(fd);
}

/* After execve (argv: "after-exec" UP DOWN): tell the parent on UP, wait
 * for DOWN's end of file, exit (which releases what is left). */
static int after_exec(int up, int down)
{
	char c;
	signal_pipe(up);
	while (read(down, &c, 1) > 0)
		;
	return 0;
}

static void survive_exec(void)
{
	int up[2], down[2];
	need(pipe(up) == 0 && pipe(down) == 0, 96, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		int keep = open_lk(O_RDWR);
		int gone = open("cloexec.lk", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (gone < 0 || lk(keep, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) != 0 ||
		    lk(gone, F_SETLK, F_WRLCK, SEEK_SET, 0, 1) != 0)
			_exit(1);
		char a1[16], a2[16];
		snprintf(a1, sizeof(a1), "%d", up[1]);
		snprintf(a2, sizeof(a2), "%d", down[0]);
		char *argv[] = {"locks_posix", "after-exec", a1, a2, NULL};
		execv("/proc/self/exe", argv);
		_exit(2);
	}
	close(up[1]);
	close(down[0]);
	wait_pipe(up[0]);
	int fd = open_lk(O_RDWR), gone = open("cloexec.lk", O_RDWR);
	need(gone >= 0, 97, "open cloexec.lk");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, pid),
		     "write start 0 len 1 whence 0 pid child", 180, "a lock survives execve");
	expect_probe(probe(gone, F_GETLK, F_WRLCK, 0, 0, parent, pid), "unlocked", 181,
		     "a lock taken through a close-on-exec descriptor does not");
	close(down[1]);
	expect_status(pid, "exited 0", 182, "the exec'd child exited");
	expect_probe(probe(fd, F_GETLK, F_WRLCK, 0, 0, parent, pid), "unlocked", 183,
		     "its exit released the lock");
	close(up[0]);
	close(gone);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "after-exec"))
		return after_exec(atoi(argv[2]), atoi(argv[3]));
	parent = getpid();
	errors();
	ranges();
	fork_does_not_inherit();
	setlkw_waiter("unlocks", 160, by_unlock);
	setlkw_waiter("unlocks the overlap only", 161, by_shrinking);
	setlkw_waiter("closes another descriptor of the file", 162, by_closing_another);
	waiter_woken_at_holder_exit();
	deadlock();
	interrupted(0, 170);
	interrupted(1, 171);
	survive_exec();
	return guest_finish();
}
