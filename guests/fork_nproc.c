/*
 * fork_nproc: RLIMIT_NPROC counts the processes of the real user. As root
 * (the test runs as root) a child gives itself RLIMIT_NPROC 5, drops to an
 * otherwise unused uid (losing every capability), and forks children that
 * stay alive: the fifth fork (the user's sixth process, counting itself)
 * fails with EAGAIN. Root is exempt: a root child with the same limit
 * forks six children. Without root nothing is checked (the same line is
 * printed natively and emulated).
 */
#include "guest_check.h"

#include <sys/resource.h>

/* A uid nobody else uses, different for each native run (ctest runs the
 * libc variants in parallel, and natively they would count each other). */
static unsigned uid_for_run(void)
{
	return 50000 + (unsigned)getpid() % 10000;
}

/* Fork until EAGAIN or @max children; they wait for a pipe to close. */
static int fork_until_eagain(int max, int *err)
{
	int p[2], n = 0;
	*err = 0;
	if (pipe(p))
		return -1;
	for (; n < max; n++) {
		pid_t c = fork();
		if (c < 0) {
			*err = errno;
			break;
		}
		if (c == 0) {
			char b;
			close(p[1]);
			_exit(read(p[0], &b, 1) < 0);
		}
	}
	close(p[1]);
	close(p[0]);
	while (wait(NULL) > 0)
		;
	return n;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("not root: nothing to check\n");
		return 0;
	}
	pid_t pid = guest_fork();
	if (pid == 0) {
		struct rlimit rl = {5, 5};
		int err;
		unsigned uid = uid_for_run();
		if (setrlimit(RLIMIT_NPROC, &rl) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(90);
		int n = fork_until_eagain(10, &err);
		printf("an unused uid, RLIMIT_NPROC 5: %d children, then %s\n", n, errno_name(err));
		fflush(stdout);
		_exit(n == 4 && err == EAGAIN ? 0 : 1);
	}
	expect_status(pid, "exited 0", 2, "a user at RLIMIT_NPROC gets EAGAIN");
	pid = guest_fork();
	if (pid == 0) {
		struct rlimit rl = {5, 5};
		int err;
		if (setrlimit(RLIMIT_NPROC, &rl))
			_exit(90);
		int n = fork_until_eagain(6, &err);
		printf("root, RLIMIT_NPROC 5: %d children, then %s\n", n, errno_name(err));
		fflush(stdout);
		_exit(n == 6 && err == 0 ? 0 : 1);
	}
	expect_status(pid, "exited 0", 3, "root is not held to RLIMIT_NPROC");
	return guest_finish();
}
