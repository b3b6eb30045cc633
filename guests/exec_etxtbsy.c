/*
 * exec_etxtbsy: a program file cannot be executed while someone has it open
 * for writing, and cannot be opened for writing while it runs (ETXTBSY;
 * Linux's deny_write_access/exe_file_deny_write_access). An emulator that
 * loads guests by reading host files has to keep this bookkeeping itself.
 *
 *   - a copy of this program, still open for writing -> execve ETXTBSY;
 *     once closed, the same file runs
 *   - open(our own running executable, O_WRONLY) -> ETXTBSY (nothing is
 *     written either way)
 *   - while a child runs the copy (blocked on a pipe), opening the copy for
 *     writing -> ETXTBSY; after the child exits it works again
 */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char copy[64];

/* execve in a child; returns the errno (0 if it ran), status in *st. */
static int try_exec(const char *path, char *const argv[], int *st)
{
	int errp[2];
	need(pipe2(errp, O_CLOEXEC) == 0, 91, "pipe2");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char *envp[] = {NULL};
		close(errp[0]);
		execve(path, argv, envp);
		int e = errno;
		write(errp[1], &e, sizeof(e));
		_exit(127);
	}
	close(errp[1]);
	int e = 0;
	if (read_full(errp[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(errp[0]);
	need(waitpid(pid, st, 0) == pid, 92, "waitpid");
	return e;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "ran") == 0)
		return 7;
	if (argc > 1 && strcmp(argv[1], "hold") == 0) {
		char c;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}

	char self[PATH_MAX];
	need(realpath(argv[0], self) != NULL, 93, "realpath(argv[0])");
	strcpy(copy, "/tmp/exec_etxtbsy.XXXXXX");
	int fd = mkstemp(copy);
	int src = open(self, O_RDONLY);
	need(fd >= 0 && src >= 0, 94, "mkstemp, open self");
	static char buf[65536];
	ssize_t n;
	while ((n = read(src, buf, sizeof(buf))) > 0)
		need(write_full(fd, buf, (size_t)n) == (size_t)n, 95, "copy");
	close(src);
	need(fchmod(fd, 0755) == 0, 96, "fchmod");

	int st;
	char *ran[] = {(char *)"copy", (char *)"ran", NULL};
	int e = try_exec(copy, ran, &st);
	check(e == ETXTBSY, 10, "execve of a program still open for writing -> %s",
	      e ? errno_name(e) : "success (it ran)");
	close(fd);
	e = try_exec(copy, ran, &st);
	check(e == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, 11, "after close it runs (exited 7)");

	errno = 0;
	long r = open(self, O_WRONLY);
	expect_errno(r, errno, ETXTBSY, 12, "open(our own running executable, O_WRONLY)");
	if (r >= 0)
		close((int)r);

	/* a child runs the copy and blocks on its stdin */
	int in[2], execd[2];
	need(pipe(in) == 0 && pipe2(execd, O_CLOEXEC) == 0, 97, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char *hold[] = {(char *)"copy", (char *)"hold", NULL};
		char *envp[] = {NULL};
		close(in[1]);
		close(execd[0]);
		dup2(in[0], 0);
		close(in[0]);
		execve(copy, hold, envp);
		_exit(127);
	}
	close(in[0]);
	close(execd[1]);
	char c;
	check(read(execd[0], &c, 1) == 0, 13, "child has exec'd the copy");
	close(execd[0]);
	errno = 0;
	r = open(copy, O_WRONLY);
	expect_errno(r, errno, ETXTBSY, 14, "open(a program a child is running, O_WRONLY)");
	if (r >= 0)
		close((int)r);
	close(in[1]);
	expect_status(pid, "exited 0", 15, "the child running the copy");
	r = open(copy, O_WRONLY);
	check(r >= 0, 16, "after it exited the copy opens for writing");
	if (r >= 0)
		close((int)r);
	unlink(copy);
	return guest_finish();
}
