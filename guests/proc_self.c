/*
 * proc_self: the per-process files of /proc, checked against the syscalls
 * that report the same facts (tools such as ps, pgrep and sanitizers read
 * them).
 *
 *   - readlink /proc/self == getpid() as text
 *   - /proc/self/stat: state R, pid/ppid/pgrp/session == getpid()/
 *     getppid()/getpgrp()/getsid(0), comm == basename(argv[0]) cut to 15
 *     chars, num_threads 1
 *   - /proc/self/status: Name, State "R (running)", Tgid, Pid, PPid,
 *     Threads
 *   - /proc/self/cmdline == argv joined by NULs; /proc/self/comm
 *   - PR_SET_NAME shows in comm, stat and status; a forked child inherits it
 *   - readlink /proc/self/exe == realpath(argv[0])
 *   - /proc/self/fd/N of both pipe ends: "pipe:[INO]", INO == fstat st_ino;
 *     of a regular file: its path
 *   - /proc/<child>/stat of a child blocked on a pipe read: state S,
 *     ppid == us; of an exited, not yet reaped child (seen with
 *     waitid(WNOWAIT)): state Z, status "Z (zombie)"; after reaping: ENOENT
 *   - /proc/self/task has one entry, our tid, and task/<tid>/stat exists
 *   - /proc/self/maps has a "[stack]" line and a line naming the binary
 *   - lstat: /proc/self is a symlink, but /proc/self/, /proc/self/. and
 *     /proc/self/fd/.. are the directory (a trailing "/", "." or ".."
 *     follows the last component)
 * Directory listings of /proc: proc_readdir.c.
 */
#include "guest_check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

/* Read a whole (small) file; returns length or -1. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = read_full(fd, buf, cap - 1);
	close(fd);
	buf[n] = 0;
	return (long)n;
}

struct stat_line {
	long pid, ppid, pgrp, session, threads;
	char state;
	char comm[64];
};

/* Parse /proc/PID/stat: the comm may contain anything, so split at the last ')'. */
static int parse_stat(const char *path, struct stat_line *s)
{
	char buf[2048];
	if (slurp(path, buf, sizeof(buf)) <= 0)
		return -1;
	char *open_paren = strchr(buf, '(');
	char *close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	s->pid = atol(buf);
	size_t len = (size_t)(close_paren - open_paren - 1);
	if (len >= sizeof(s->comm))
		len = sizeof(s->comm) - 1;
	memcpy(s->comm, open_paren + 1, len);
	s->comm[len] = 0;
	/* fields from 3 on */
	char *p = close_paren + 2;
	long f[20] = {0};
	s->state = *p;
	p += 2;
	for (int i = 4; i <= 20 && *p; i++) {
		f[i - 4] = strtol(p, &p, 10);
		while (*p == ' ')
			p++;
	}
	s->ppid = f[0];
	s->pgrp = f[1];
	s->session = f[2];
	s->threads = f[16];
	return 0;
}

/* Value of "Key:\t..." in a status file, without the newline. */
static int status_field(const char *buf, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			const char *v = line + kl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= cap)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = 0;
			return 0;
		}
	}
	return -1;
}

static void expected_comm(const char *argv0, char *out)
{
	const char *b = strrchr(argv0, '/');
	b = b ? b + 1 : argv0;
	snprintf(out, 16, "%s", b);
}

static void self_link(void)
{
	char buf[64], want[64];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%ld", (long)getpid());
	check(strcmp(buf, want) == 0, 10, "readlink /proc/self == getpid()");
}

static void self_stat(const char *comm)
{
	struct stat_line s;
	need(parse_stat("/proc/self/stat", &s) == 0, 91, "read /proc/self/stat");
	printf("/proc/self/stat state: %c\n", s.state);
	check(s.pid == getpid(), 11, "stat pid == getpid()");
	check(s.ppid == getppid(), 12, "stat ppid (field 4) == getppid()");
	check(s.pgrp == getpgrp(), 13, "stat pgrp == getpgrp()");
	check(s.session == getsid(0), 14, "stat session == getsid(0)");
	check(strcmp(s.comm, comm) == 0, 15, "stat comm == basename(argv[0]) cut to 15 chars");
	expect_eq(s.threads, 1, 16, "stat num_threads == 1");
}

static void self_status(const char *comm)
{
	char buf[4096], v[256];
	need(slurp("/proc/self/status", buf, sizeof(buf)) > 0, 92, "read /proc/self/status");
	check(status_field(buf, "Name", v, sizeof(v)) == 0 && strcmp(v, comm) == 0, 20, "status Name == comm");
	status_field(buf, "State", v, sizeof(v));
	printf("status State: %s\n", v);
	check(status_field(buf, "Tgid", v, sizeof(v)) == 0 && atol(v) == getpid(), 21, "status Tgid == getpid()");
	check(status_field(buf, "Pid", v, sizeof(v)) == 0 && atol(v) == getpid(), 22, "status Pid == getpid()");
	check(status_field(buf, "PPid", v, sizeof(v)) == 0 && atol(v) == getppid(), 23, "status PPid == getppid()");
	check(status_field(buf, "Threads", v, sizeof(v)) == 0 && atol(v) == 1, 24, "status Threads == 1");
}

static void cmdline_and_comm(int argc, char **argv, const char *comm)
{
	char buf[4096], want[4096];
	size_t wl = 0;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(want + wl, argv[i], l);
		wl += l;
	}
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	check(n == (long)wl && memcmp(buf, want, wl) == 0, 30, "/proc/self/cmdline == argv joined by NULs (%d args)", argc);
	n = slurp("/proc/self/comm", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", comm);
	check(n > 0 && strcmp(buf, want) == 0, 31, "/proc/self/comm == comm + newline");
}

static void renamed(void)
{
	char name[32] = "", buf[4096], v[64];
	check(prctl(PR_SET_NAME, "renamed-task-0123456789", 0, 0, 0) == 0, 40, "PR_SET_NAME");
	prctl(PR_GET_NAME, name, 0, 0, 0);
	printf("PR_GET_NAME: %s\n", name);
	slurp("/proc/self/comm", buf, sizeof(buf));
	check(strcmp(buf, "renamed-task-01\n") == 0, 41, "/proc/self/comm shows the new name, cut to 15");
	struct stat_line s;
	check(parse_stat("/proc/self/stat", &s) == 0 && strcmp(s.comm, "renamed-task-01") == 0, 42,
	      "/proc/self/stat shows the new name");
	slurp("/proc/self/status", buf, sizeof(buf));
	check(status_field(buf, "Name", v, sizeof(v)) == 0 && strcmp(v, "renamed-task-01") == 0, 43,
	      "/proc/self/status shows the new name");
	pid_t pid = guest_fork();
	if (pid == 0) {
		slurp("/proc/self/comm", buf, sizeof(buf));
		_exit(strcmp(buf, "renamed-task-01\n") == 0 ? 0 : 1);
	}
	expect_status(pid, "exited 0", 44, "a forked child inherits the name");
}

static void exe_link(const char *argv0)
{
	char link[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(realpath(argv0, real) != NULL && strcmp(link, real) == 0, 50, "readlink /proc/self/exe == realpath(argv[0])");
}

static void fd_links(void)
{
	int p[2];
	char path[64], l0[128], l1[128];
	need(pipe(p) == 0, 93, "pipe");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	ssize_t n0 = readlink(path, l0, sizeof(l0) - 1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	ssize_t n1 = readlink(path, l1, sizeof(l1) - 1);
	l0[n0 > 0 ? n0 : 0] = 0;
	l1[n1 > 0 ? n1 : 0] = 0;
	check(strncmp(l0, "pipe:[", 6) == 0 && l0[strlen(l0) - 1] == ']', 60, "/proc/self/fd/<read end> is \"pipe:[...]\"");
	check(strcmp(l0, l1) == 0, 61, "both pipe ends link to the same pipe:[INO]");
	struct stat st;
	fstat(p[0], &st);
	check(atol(l0 + 6) == (long)st.st_ino, 62, "pipe:[INO] == fstat st_ino");
	close(p[0]);
	close(p[1]);

	char tmpl[] = "/tmp/proc_self.XXXXXX", real[PATH_MAX], link[PATH_MAX];
	int fd = mkstemp(tmpl);
	need(fd >= 0, 94, "mkstemp");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	check(realpath(tmpl, real) && strcmp(link, real) == 0, 63, "/proc/self/fd/<file> == the file's path");
	close(fd);
	unlink(tmpl);
}

static void child_states(void)
{
	int gate[2];
	char path[64], buf[4096], v[64];
	struct stat_line s;

	need(pipe(gate) == 0, 95, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	/* Wait (sleeping, not spinning) until the child is blocked in read. */
	char state = '?';
	for (int i = 0; i < 5000; i++) {
		if (parse_stat(path, &s) == 0 && (state = s.state) == 'S')
			break;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	printf("blocked child's state: %c\n", state);
	check(parse_stat(path, &s) == 0 && s.ppid == getpid() && s.pid == pid, 70, "child's stat: pid, ppid == us");
	close(gate[1]);

	siginfo_t si;
	memset(&si, 0, sizeof(si));
	need(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0, 96, "waitid(WNOWAIT)");
	check(parse_stat(path, &s) == 0, 71, "a zombie's /proc/<pid>/stat is readable");
	printf("exited, unreaped child's state: %c\n", s.state);
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	slurp(path, buf, sizeof(buf));
	status_field(buf, "State", v, sizeof(v));
	printf("its status State: %s\n", v);
	expect_status(pid, "exited 0", 72, "reap it");
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	errno = 0;
	long r = open(path, O_RDONLY);
	expect_errno(r, errno, ENOENT, 73, "/proc/<pid>/stat after reaping");
}

static void tasks(void)
{
	char path[128];
	long tid = syscall(SYS_gettid);
	DIR *d = opendir("/proc/self/task");
	int entries = 0, found = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			entries++;
			found += atol(e->d_name) == tid;
		}
		closedir(d);
	}
	check(d && entries == 1 && found == 1, 80, "/proc/self/task lists exactly our tid");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	struct stat_line s;
	check(parse_stat(path, &s) == 0 && s.pid == tid, 81, "/proc/self/task/<tid>/stat exists, pid == tid");
}

static void maps(void)
{
	static char buf[65536];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	need(slurp("/proc/self/maps", buf, sizeof(buf)) > 0, 97, "read /proc/self/maps");
	check(strstr(buf, "[stack]\n") != NULL, 85, "/proc/self/maps has a [stack] line");
	check(n > 0 && strstr(buf, exe) != NULL, 86, "/proc/self/maps names the binary");
}

static void lstat_dirs(void)
{
	static const char *const dirs[] = {"/proc/self/", "/proc/self/.", "/proc/self/fd/.."};
	struct stat st;
	check(lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode), 87, "lstat /proc/self: a symlink");
	for (int i = 0; i < 3; i++)
		check(lstat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode), 88, "lstat %s: a directory",
		      dirs[i]);
}

int main(int argc, char **argv)
{
	char comm[16];
	expected_comm(argv[0], comm);

	self_link();
	self_stat(comm);
	self_status(comm);
	cmdline_and_comm(argc, argv, comm);
	exe_link(argv[0]);
	fd_links();
	child_states();
	tasks();
	maps();
	renamed();
	lstat_dirs();
	return guest_finish();
}
