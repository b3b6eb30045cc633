/*
 * proc_relative: relative names from a working directory (and from a
 * directory descriptor) inside /proc/self reach the process's own /proc
 * entries through every call that takes a path, never another process's.
 *
 *   For each call, the names fd/3 .. fd/255 (the guest has none of those
 *   descriptors open) are tried: Linux finds none of them, so a call that
 *   finds one looked into some other process's descriptor table. "exe" is
 *   the guest's own program (same inode as /proc/self/exe spelled out);
 *   calls that change names or inodes in /proc fail as Linux fails them.
 */
#define _GNU_SOURCE
#include "guest_check.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

static int dfd = AT_FDCWD; /* where relative names are looked up */

/* One probe of @name through call @k: 0 found / succeeded, else errno. */
static int probe(int k, const char *name)
{
	struct stat st;
	struct statfs sf;
	char buf[256];
	long r;
	errno = 0;
	switch (k) {
	case 0:
		r = dfd == AT_FDCWD ? access(name, F_OK) : faccessat(dfd, name, F_OK, 0);
		break;
	case 1:
		r = syscall(SYS_faccessat2, dfd, name, F_OK, AT_SYMLINK_NOFOLLOW);
		break;
	case 2:
		r = dfd == AT_FDCWD ? stat(name, &st) : fstatat(dfd, name, &st, 0);
		break;
	case 3:
		r = dfd == AT_FDCWD ? lstat(name, &st)
				    : fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
		break;
	case 4:
		r = syscall(SYS_statx, dfd, name, AT_SYMLINK_NOFOLLOW, 0x7ff, buf);
		break;
	case 5:
		r = dfd == AT_FDCWD ? readlink(name, buf, sizeof(buf))
				    : readlinkat(dfd, name, buf, sizeof(buf));
		break;
	case 6:
		r = openat(dfd, name, O_PATH | O_NOFOLLOW);
		if (r >= 0)
			close((int)r), r = 0;
		break;
	case 7:
		r = openat(dfd, name, O_RDONLY);
		if (r >= 0)
			close((int)r), r = 0;
		break;
	case 8:
		r = dfd == AT_FDCWD ? statfs(name, &sf) : (errno = ENOENT, -1);
		break;
	case 9:
		r = lgetxattr(name, "user.x", buf, sizeof(buf));
		break;
	case 10:
		r = llistxattr(name, buf, sizeof(buf));
		break;
	case 11:
		r = getxattr(name, "user.x", buf, sizeof(buf));
		break;
	case 12:
		r = utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW);
		break;
	case 13:
		r = inotify_add_watch(301, name, IN_ALL_EVENTS | IN_DONT_FOLLOW);
		break;
	case 14:
		r = dfd == AT_FDCWD ? chmod(name, 0755) : fchmodat(dfd, name, 0755, 0);
		break;
	case 15:
		r = dfd == AT_FDCWD ? lchown(name, -1, -1)
				    : fchownat(dfd, name, -1, -1, AT_SYMLINK_NOFOLLOW);
		break;
	case 16:
		r = dfd == AT_FDCWD ? truncate(name, 0) : (errno = ENOENT, -1);
		break;
	case 17:
		r = syscall(SYS_name_to_handle_at, dfd, name, buf, &(int){0}, 0);
		break;
	default:
		r = 0;
	}
	return r < 0 ? errno : 0;
}

static const char *const calls[] = {"access",	 "faccessat2",	      "stat",	     "lstat",
				    "statx",	 "readlink",	      "open O_PATH", "open",
				    "statfs",	 "lgetxattr",	      "llistxattr",  "getxattr",
				    "utimensat", "inotify_add_watch", "chmod",	     "lchown",
				    "truncate",	 "name_to_handle_at"};

static void run(const char *how)
{
	struct stat self, exe;
	need(stat("/proc/self/exe", &self) == 0, 1, "setup");
	for (int k = 0; k < (int)(sizeof(calls) / sizeof(calls[0])); k++) {
		int found = 0, first = 0;
		for (int fd = 3; fd < 256; fd++) {
			char name[32];
			snprintf(name, sizeof(name), "fd/%d", fd);
			if (!probe(k, name) && !found++)
				first = fd;
		}
		if (found)
			printf("%s %s: fd/N found %d times (first fd/%d)\n", how, calls[k], found,
			       first);
		else
			printf("%s %s: no fd/N\n", how, calls[k]);
	}
	if (dfd == AT_FDCWD)
		printf("%s stat exe: %s\n", how,
		       !stat("exe", &exe) && exe.st_ino == self.st_ino && exe.st_dev == self.st_dev
			   ? "own program"
			   : "other");
	char link[256] = "", want[256] = "";
	ssize_t n = readlinkat(dfd, "exe", link, sizeof(link) - 1);
	ssize_t m = readlink("/proc/self/exe", want, sizeof(want) - 1);
	printf("%s readlink exe: %s\n", how,
	       n > 0 && n == m && !memcmp(link, want, n) ? "own program" : "other");
	printf("%s access exe: %d\n", how, faccessat(dfd, "exe", F_OK, 0) ? errno : 0);
	char xv[64];
	printf("%s lgetxattr status: %s\n", how,
	       lgetxattr("status", "user.x", xv, sizeof(xv)) < 0 ? strerror(errno) : "ok");
	printf("%s getxattr status: %s\n", how,
	       getxattr("status", "user.x", xv, sizeof(xv)) < 0 ? strerror(errno) : "ok");
	printf("%s llistxattr status: %s\n", how,
	       llistxattr("status", xv, sizeof(xv)) < 0 ? strerror(errno) : "ok");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"proc_relative", "reexec", NULL}, *envp[] = {NULL};
		if (dfd == AT_FDCWD)
			execve("exe", argv, envp);
		else
			syscall(SYS_execveat, dfd, "exe", argv, envp, 0);
		printf("%s execve exe: %s\n", how, strerror(errno));
		exit(1);
	}
	int status;
	need(waitpid(pid, &status, 0) == pid, 1, "waitpid");
	printf("%s execve exe: status %d\n", how, status);
	printf("%s open mem rw: %s\n", how,
	       (n = openat(dfd, "mem", O_RDWR)) >= 0 ? "ok" : strerror(errno));
	if (n >= 0)
		close((int)n);
	errno = 0;
	printf("%s mkdir: %s\n", how, mkdirat(dfd, "newdir", 0700) ? strerror(errno) : "made");
	printf("%s unlink: %s\n", how, unlinkat(dfd, "exe", 0) ? strerror(errno) : "done");
	printf("%s rmdir: %s\n", how, unlinkat(dfd, "fd", AT_REMOVEDIR) ? strerror(errno) : "done");
	printf("%s rename: %s\n", how,
	       renameat(dfd, "exe", dfd, "exe2") ? strerror(errno) : "done");
	printf("%s symlink: %s\n", how, symlinkat("x", dfd, "newlink") ? strerror(errno) : "done");
	printf("%s link: %s\n", how,
	       linkat(dfd, "exe", dfd, "newhard", 0) ? strerror(errno) : "done");
	printf("%s mknod: %s\n", how,
	       mknodat(dfd, "newfifo", S_IFIFO | 0600, 0) ? strerror(errno) : "done");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "reexec")) {
		/* the program /proc/self/exe named: this one */
		printf("re-executed: %s\n", access("/proc/self/exe", X_OK) ? "?" : "own program");
		return 0;
	}
	/* only the descriptors the probes make: none from the caller */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	int in = inotify_init1(IN_CLOEXEC);
	need(in >= 0 && dup2(in, 301) == 301, 1, "setup");
	close(in);
	need(chdir("/proc/self") == 0, 1, "setup");
	run("cwd /proc/self:");
	need(chdir("/proc") == 0, 1, "setup");
	need(chdir("self") == 0, 1, "setup");
	run("cwd self from /proc:");
	need(chdir("/") == 0, 1, "setup");
	dfd = open("/proc/self", O_RDONLY | O_DIRECTORY);
	need(dfd >= 0, 1, "setup");
	/* the probes count fd/N from 3: keep the directory out of the way */
	need(dup2(dfd, 300) == 300, 1, "setup");
	close(dfd);
	dfd = 300;
	run("dirfd /proc/self:");
	return guest_finish();
}
