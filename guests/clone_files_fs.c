/*
 * clone_files_fs: what CLONE_FILES and CLONE_FS share, and what a plain
 * fork-style clone copies. Each child is a raw clone on its own stack
 * without CLONE_VM, so only the flag under test is shared.
 *
 * CLONE_FILES (one fd table):
 *   - the child closes fd A and opens a marker file, which takes the lowest
 *     free number, A: the parent's fd A is now the marker file
 *   - the child dup2s onto a high number: the parent has it too
 *   - the child sets FD_CLOEXEC on fd B: the parent sees the flag
 * without CLONE_FILES, the same steps leave the parent's table alone.
 * CLONE_FS (one cwd/root/umask):
 *   - the child chdirs into a subdirectory and sets umask 027: the parent's
 *     getcwd() and umask follow
 * without CLONE_FS, they do not.
 *
 * Works in a fresh directory from mkdtemp under /tmp, removed at the end.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/stat.h>

#define STACK_SIZE (64 * 1024)
#define HIGH_FD 100

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
static char base[64];
static char marker[128];

struct files_arg {
	int fd_a, fd_b;
};

static int files_child(void *p)
{
	struct files_arg *a = p;
	int bad = 0;

	if (close(a->fd_a) != 0)
		bad |= 1;
	int m = open(marker, O_RDONLY);
	if (m != a->fd_a)
		bad |= 2;
	if (dup2(a->fd_b, HIGH_FD) != HIGH_FD)
		bad |= 4;
	if (fcntl(a->fd_b, F_SETFD, FD_CLOEXEC) != 0)
		bad |= 8;
	return bad;
}

static int same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void files_case(int share)
{
	const char *tag = share ? "CLONE_FILES" : "no CLONE_FILES";
	int fd_a = open("/dev/null", O_RDONLY);
	int fd_b = open("/dev/null", O_RDONLY);
	need(fd_a >= 0 && fd_b >= 0, 93, "open /dev/null");
	struct files_arg a = {fd_a, fd_b};

	fflush(stdout);
	long pid = raw_clone((share ? CLONE_FILES : 0) | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL,
			     0, files_child, &a);
	need(pid > 0, 90, "clone");
	expect_status(pid, "exited 0", share ? 10 : 20, share ? "CLONE_FILES child did its fd steps"
							  : "no-CLONE_FILES child did its fd steps");
	int base_code = share ? 11 : 21;
	if (share) {
		check(same_file(fd_a, marker), base_code, "%s: parent's fd A is the file the child opened", tag);
		check(fcntl(HIGH_FD, F_GETFD) == 0, base_code + 1, "%s: parent has the child's dup2 target",
		      tag);
		check(fcntl(fd_b, F_GETFD) == FD_CLOEXEC, base_code + 2,
		      "%s: parent sees FD_CLOEXEC the child set", tag);
	} else {
		check(!same_file(fd_a, marker) && fcntl(fd_a, F_GETFD) == 0, base_code,
		      "%s: parent's fd A still open on /dev/null", tag);
		errno = 0;
		long r = fcntl(HIGH_FD, F_GETFD);
		expect_errno(r, errno, EBADF, base_code + 1, "no CLONE_FILES: child's dup2 target in the parent");
		expect_eq(fcntl(fd_b, F_GETFD), 0, base_code + 2,
			  "no CLONE_FILES: parent's fd B has no FD_CLOEXEC");
	}
	close(fd_a);
	close(fd_b);
	close(HIGH_FD);
}

static int fs_child(void *p)
{
	(void)p;
	if (chdir("sub") != 0)
		return 1;
	umask(027);
	return 0;
}

static void fs_case(int share)
{
	const char *tag = share ? "CLONE_FS" : "no CLONE_FS";
	char want[PATH_MAX], got[PATH_MAX];

	need(chdir(base) == 0, 94, "chdir base");
	umask(022);
	need(getcwd(want, sizeof(want)) != NULL, 95, "getcwd");

	fflush(stdout);
	long pid = raw_clone((share ? CLONE_FS : 0) | SIGCHLD, child_stack + STACK_SIZE, NULL, NULL, 0,
			     fs_child, NULL);
	need(pid > 0, 90, "clone");
	expect_status(pid, "exited 0", share ? 30 : 40, share ? "CLONE_FS child chdir'd" : "no-CLONE_FS child chdir'd");
	need(getcwd(got, sizeof(got)) != NULL, 95, "getcwd");
	mode_t m = umask(022);
	if (share) {
		strcat(want, "/sub");
		check(strcmp(got, want) == 0, 31, "%s: parent's cwd is the child's new directory", tag);
		expect_eq(m, 027, 32, "CLONE_FS: parent's umask is the child's 027");
		/* relative paths resolve from the shared cwd too */
		check(access("inside_sub", F_OK) == 0, 33, "%s: relative lookup uses the new cwd", tag);
	} else {
		check(strcmp(got, want) == 0, 41, "%s: parent's cwd unchanged", tag);
		expect_eq(m, 022, 42, "no CLONE_FS: parent's umask still 022");
	}
}

int main(void)
{
	strcpy(base, "/tmp/clone_files_fs.XXXXXX");
	need(mkdtemp(base) != NULL, 96, "mkdtemp");
	snprintf(marker, sizeof(marker), "%s/marker", base);
	char p[160];
	snprintf(p, sizeof(p), "%s/sub", base);
	need(mkdir(p, 0755) == 0, 97, "mkdir sub");
	snprintf(p, sizeof(p), "%s/sub/inside_sub", base);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	need(fd >= 0, 98, "create inside_sub");
	close(fd);
	fd = open(marker, O_CREAT | O_WRONLY, 0644);
	need(fd >= 0, 98, "create marker");
	close(fd);

	files_case(1);
	files_case(0);
	fs_case(1);
	fs_case(0);

	need(chdir("/") == 0, 94, "chdir /");
	unlink(marker);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", base);
	rmdir(p);
	rmdir(base);
	return guest_finish();
}
