/*
 * fork_exec: fork + execve of other programs, and execve's errors.
 *
 * The other guests are found next to argv[0] with the same libc suffix
 * (hello.glibc next to fork_exec.glibc). Output of exec'd images is read
 * through a pipe, and paths that differ between machines are replaced by
 * <argv_env>, <script>, ... before printing.
 *
 *   - exec hello: its output, exit 0
 *   - exec argv_env with a chosen argv (including an empty string) and an
 *     envp of our own: the image sees exactly those
 *   - errors (reported through a CLOEXEC pipe, the posix_spawn way):
 *     ENOENT (missing file, #! naming a missing interpreter), EACCES (a
 *     directory, a file without x bits), ENOEXEC (garbage with mode 0755,
 *     an empty file), ENOTDIR (a path through a regular file)
 *   - #! scripts: "#!<argv_env> arg1" gets argv {<argv_env>, arg1,
 *     <script>, extra...}; the rest of the line is one argument
 *     ("#!<argv_env> a b" -> "a b"); a script whose interpreter is
 *     another script
 *   - across exec: FD_CLOEXEC fds are closed and others stay open, pid and
 *     ppid are kept, SIGPIPE's SIG_IGN disposition is kept, the blocked
 *     mask is kept (checked by this program re-executed in "checkfds"
 *     mode); the name set with PR_SET_NAME is replaced by the new image's
 *     file name
 *   - argument limits (RLIMIT_STACK set to 8 MiB first): one argument over
 *     128 KiB (MAX_ARG_STRLEN) -> E2BIG; 3 MiB of arguments in total (over
 *     a quarter of the stack limit) -> E2BIG; 1 MiB in total works
 *   - an empty argv gets argv[0] == "" (argc 1); a NULL envp is empty
 * ETXTBSY: exec_etxtbsy.c.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

static char dir[PATH_MAX];   /* where the guests are */
static char suffix[32];      /* "glibc" or "musl" */
static char tmpdir[64];      /* our scratch directory */
static char hello[PATH_MAX + 64], argv_env[PATH_MAX + 64];

/* Replace every occurrence of `from` in buf (size cap) by `to`. */
static void replace_all(char *buf, size_t cap, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = buf;

	if (fl == 0)
		return;
	while ((p = strstr(p, from)) != NULL) {
		size_t rest = strlen(p + fl);
		if ((size_t)(p - buf) + tl + rest + 1 > cap)
			return;
		memmove(p + tl, p + fl, rest + 1);
		memcpy(p, to, tl);
		p += tl;
	}
}

/*
 * Run path with argv/envp, stdout captured into out. Returns the execve
 * errno (0 if the exec succeeded); *status gets the wait status.
 */
static int run_capture(const char *path, char *const argv[], char *const envp[], char *out, size_t cap,
		       int *status)
{
	int outp[2], errp[2];

	need(pipe(outp) == 0 && pipe2(errp, O_CLOEXEC) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(outp[0]);
		close(errp[0]);
		dup2(outp[1], 1);
		close(outp[1]);
		execve(path, argv, envp);
		int e = errno;
		write(errp[1], &e, sizeof(e));
		_exit(127);
	}
	close(outp[1]);
	close(errp[1]);
	size_t n = read_full(outp[0], out, cap - 1);
	out[n] = 0;
	close(outp[0]);
	int e = 0;
	if (read_full(errp[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(errp[0]);
	*status = 0;
	need(waitpid(pid, status, 0) == pid, 92, "waitpid");
	return e;
}

/*
 * Print captured output; argv_env's "len=N" is dropped on lines that had a
 * path replaced, since N depends on where the build tree lives.
 */
static void print_output(const char *label, char *out)
{
	printf("--- output of %s:\n", label);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *len = strstr(line, "] len=");
		if (strchr(line, '<') && len)
			len[1] = 0;
		printf("%s\n", line);
	}
	printf("--- end\n");
}

static void exec_ok(const char *label, const char *path, char *const argv[], char *const envp[],
		    const char *want_status, int code)
{
	char out[4096];
	int st;
	int e = run_capture(path, argv, envp, out, sizeof(out), &st);

	check(e == 0, code, "%s: execve succeeded%s%s", label, e ? ", errno " : "", e ? errno_name(e) : "");
	replace_all(out, sizeof(out), argv_env, "<argv_env>");
	replace_all(out, sizeof(out), tmpdir, "<tmp>");
	print_output(label, out);
	const char *s = status_str(st);
	check(strcmp(s, want_status) == 0, code + 1, "%s: %s%s%s", label, s,
	      strcmp(s, want_status) ? ", want " : "", strcmp(s, want_status) ? want_status : "");
}

static void exec_fails(const char *label, const char *path, int want, int code)
{
	char out[256];
	int st;
	char *argv[] = {(char *)"x", NULL};
	char *envp[] = {NULL};
	int e = run_capture(path, argv, envp, out, sizeof(out), &st);

	if (e == want)
		check(1, code, "execve %s -> %s", label, errno_name(e));
	else
		check(0, code, "execve %s: got %s (%s), want %s", label, e ? errno_name(e) : "success",
		      status_str(st), errno_name(want));
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
	need(fd >= 0, 93, "create a file");
	need(write_full(fd, text, len) == len, 94, "write a file");
	need(fchmod(fd, mode) == 0, 95, "fchmod");
	close(fd);
}

static void tmp_path(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, name);
}

static void exec_images(void)
{
	char *hello_argv[] = {(char *)"hello", NULL};
	char *no_env[] = {NULL};
	exec_ok("hello", hello, hello_argv, no_env, "exited 0", 10);

	char *ae_argv[] = {(char *)"argv_env", (char *)"first", (char *)"two words", (char *)"", NULL};
	char *ae_env[] = {(char *)"CE_FROM_PARENT=yes", (char *)"CE_OTHER=1 2", (char *)"NOT_CE=x", NULL};
	exec_ok("argv_env with our argv and envp", argv_env, ae_argv, ae_env, "exited 0", 12);
}

static void exec_errors(void)
{
	char p[PATH_MAX], text[2 * PATH_MAX];

	exec_fails("of a missing file", "/nonexistent/fork_exec/none", ENOENT, 20);
	exec_fails("of a directory", tmpdir, EACCES, 21);
	tmp_path(p, "not_executable");
	write_file(p, "#!/bin/sh\n", 10, 0644);
	exec_fails("of a file without x bits", p, EACCES, 22);
	tmp_path(p, "garbage");
	write_file(p, "\x01\x02garbage, not a program\n", 26, 0755);
	exec_fails("of garbage with mode 0755", p, ENOEXEC, 23);
	tmp_path(p, "empty");
	write_file(p, "", 0, 0755);
	exec_fails("of an empty file with mode 0755", p, ENOEXEC, 24);
	tmp_path(p, "garbage/below");
	exec_fails("through a regular file", p, ENOTDIR, 25);
	tmp_path(p, "bad_interp");
	snprintf(text, sizeof(text), "#!%s/no_such_interpreter\n", tmpdir);
	write_file(p, text, strlen(text), 0755);
	exec_fails("of a script whose interpreter is missing", p, ENOENT, 26);
}

static void exec_scripts(void)
{
	char p[PATH_MAX], p2[PATH_MAX], text[2 * PATH_MAX];
	char *no_env[] = {(char *)"CE_SCRIPT=1", NULL};

	tmp_path(p, "script_one_arg");
	snprintf(text, sizeof(text), "#!%s arg1\nthis line is never read\n", argv_env);
	write_file(p, text, strlen(text), 0755);
	char *argv1[] = {(char *)"ignored-argv0", (char *)"extra", NULL};
	exec_ok("#! script with one interpreter argument", p, argv1, no_env, "exited 0", 30);

	tmp_path(p, "script_spaces");
	snprintf(text, sizeof(text), "#!  %s a b  \n", argv_env);
	write_file(p, text, strlen(text), 0755);
	char *argv2[] = {(char *)"ignored-argv0", NULL};
	exec_ok("#! script with spaces in the argument", p, argv2, no_env, "exited 0", 32);

	tmp_path(p2, "script_nested");
	snprintf(text, sizeof(text), "#!%s/script_one_arg\n", tmpdir);
	write_file(p2, text, strlen(text), 0755);
	exec_ok("#! script whose interpreter is a script", p2, argv2, no_env, "exited 0", 34);
}

static void exec_keeps_and_closes(const char *self)
{
	int keep = open("/dev/null", O_RDONLY);
	int gone = open("/dev/null", O_RDONLY | O_CLOEXEC);
	need(keep >= 0 && gone >= 0, 96, "open /dev/null");
	need(signal(SIGPIPE, SIG_IGN) != SIG_ERR, 97, "signal(SIGPIPE, SIG_IGN)");
	sigset_t usr2, old;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, &old);
	prctl(PR_SET_NAME, "before-exec", 0, 0, 0);

	char out[1024], a_keep[16], a_gone[16], a_ppid[32];
	snprintf(a_keep, sizeof(a_keep), "%d", keep);
	snprintf(a_gone, sizeof(a_gone), "%d", gone);
	snprintf(a_ppid, sizeof(a_ppid), "%ld", (long)getpid());
	char *argv[] = {(char *)"fork_exec", (char *)"checkfds", a_keep, a_gone, a_ppid, (char *)self, NULL};
	char *envp[] = {NULL};
	int st;
	int e = run_capture(self, argv, envp, out, sizeof(out), &st);
	check(e == 0, 40, "re-exec of this program in checkfds mode");
	print_output("checkfds", out);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, 41, "checkfds: %s", status_str(st));
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(keep);
	close(gone);
}

/* The exec'd side of exec_keeps_and_closes. pid is checked via the pipe pid. */
static int checkfds(int argc, char **argv)
{
	if (argc != 6)
		return 2;
	int keep = atoi(argv[2]), gone = atoi(argv[3]);
	long ppid = atol(argv[4]);
	int bad = 0;

	errno = 0;
	int r = fcntl(gone, F_GETFD);
	printf("FD_CLOEXEC fd after exec: %s\n", r == -1 && errno == EBADF ? "closed (EBADF)" : "still open");
	bad |= !(r == -1 && errno == EBADF);
	r = fcntl(keep, F_GETFD);
	printf("plain fd after exec: %s\n", r == 0 ? "open, no FD_CLOEXEC" : "wrong");
	bad |= r != 0;
	printf("getppid() == the forking parent: %s\n", getppid() == ppid ? "yes" : "no");
	bad |= getppid() != ppid;
	struct sigaction sa;
	sigaction(SIGPIPE, NULL, &sa);
	printf("SIGPIPE disposition after exec: %s\n", sa.sa_handler == SIG_IGN ? "SIG_IGN (kept)" : "other");
	bad |= sa.sa_handler != SIG_IGN;
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	printf("SIGUSR2 blocked after exec: %s\n", sigismember(&set, SIGUSR2) ? "yes (mask kept)" : "no");
	bad |= !sigismember(&set, SIGUSR2);
	char comm[32] = "";
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	const char *base = strrchr(argv[5], '/');
	char want[16];
	snprintf(want, sizeof(want), "%s", base ? base + 1 : argv[5]);
	printf("name after exec == the new file's name (cut to 15): %s\n", strcmp(comm, want) == 0 ? "yes" : "no");
	bad |= strcmp(comm, want) != 0;
	return bad;
}

static void same_pid_across_exec(const char *self)
{
	int p[2];
	need(pipe(p) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char a_pid[32];
		snprintf(a_pid, sizeof(a_pid), "%ld", (long)getpid());
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		char *argv[] = {(char *)"fork_exec", (char *)"pid", a_pid, NULL};
		char *envp[] = {NULL};
		execve(self, argv, envp);
		_exit(127);
	}
	close(p[1]);
	char out[256];
	size_t n = read_full(p[0], out, sizeof(out) - 1);
	out[n] = 0;
	close(p[0]);
	check(strcmp(out, "getpid() == the pid before exec: yes\n") == 0, 50, "exec keeps the pid");
	expect_status(pid, "exited 0", 51, "pid mode");
}

/* Exec self in "argc" mode with n arguments of len bytes each; returns the errno (0 = ran). */
static int exec_args(const char *self, int n, size_t len, char *out, size_t cap, int *st)
{
	char **av = calloc((size_t)n + 3, sizeof(char *));
	char *arg = malloc(len + 1);
	need(av && arg, 98, "malloc");
	memset(arg, 'a', len);
	arg[len] = 0;
	av[0] = (char *)"fork_exec";
	av[1] = (char *)"argc";
	for (int i = 0; i < n; i++)
		av[2 + i] = arg;
	char *envp[] = {NULL};
	int e = run_capture(self, av, envp, out, cap, st);
	free(arg);
	free(av);
	return e;
}

static void exec_limits(const char *self)
{
	char out[256];
	int st;
	struct rlimit old, rl = {8 << 20, 8 << 20};
	getrlimit(RLIMIT_STACK, &old);
	rl.rlim_max = old.rlim_max;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_cur = rl.rlim_max;
	need(setrlimit(RLIMIT_STACK, &rl) == 0, 99, "setrlimit(RLIMIT_STACK, 8 MiB)");

	int e = exec_args(self, 1, 200000, out, sizeof(out), &st);
	check(e == E2BIG, 60, "execve with one 200000-byte argument -> %s", e ? errno_name(e) : "success");
	e = exec_args(self, 30, 100000, out, sizeof(out), &st);
	check(e == E2BIG, 61, "execve with 30 x 100000 bytes of arguments -> %s", e ? errno_name(e) : "success");
	e = exec_args(self, 10, 100000, out, sizeof(out), &st);
	check(e == 0 && strcmp(out, "argc 12, bytes 1000000\n") == 0 && WIFEXITED(st), 62,
	      "execve with 10 x 100000 bytes of arguments runs and sees them all");
	setrlimit(RLIMIT_STACK, &old);

	char *no_args[] = {NULL};
	char *env[] = {(char *)"CE_ARGC0=1", NULL};
	e = run_capture(argv_env, no_args, env, out, sizeof(out), &st);
	check(e == 0 && strncmp(out, "argc=1\nargv[0]=[] len=0\n", 24) == 0, 64,
	      "execve with an empty argv: the program gets argc 1, argv[0] \"\"");
	char *one_arg[] = {(char *)"ae", NULL};
	e = run_capture(argv_env, one_arg, NULL, out, sizeof(out), &st);
	check(e == 0 && strstr(out, "CE_ vars: 0\n") != NULL, 65, "execve with a NULL envp: empty environment");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "checkfds") == 0)
		return checkfds(argc, argv);
	if (argc > 1 && strcmp(argv[1], "argc") == 0) {
		size_t bytes = 0;
		for (int i = 2; i < argc; i++)
			bytes += strlen(argv[i]);
		printf("argc %d, bytes %zu\n", argc, bytes);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "pid") == 0) {
		printf("getpid() == the pid before exec: %s\n", getpid() == atol(argv[2]) ? "yes" : "no");
		return 0;
	}

	char self[PATH_MAX];
	need(realpath(argv[0], self) != NULL, 97, "realpath(argv[0])");
	char *dot = strrchr(self, '.');
	need(dot != NULL, 98, "argv[0] has a .<libc> suffix");
	snprintf(suffix, sizeof(suffix), "%s", dot + 1);
	char tmp[PATH_MAX];
	strcpy(tmp, self);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	snprintf(hello, sizeof(hello), "%s/hello.%s", dir, suffix);
	snprintf(argv_env, sizeof(argv_env), "%s/argv_env.%s", dir, suffix);
	need(access(hello, X_OK) == 0 && access(argv_env, X_OK) == 0, 99,
	     "hello and argv_env next to this program");
	strcpy(tmpdir, "/tmp/fork_exec.XXXXXX");
	need(mkdtemp(tmpdir) != NULL, 100, "mkdtemp");

	exec_images();
	exec_errors();
	exec_scripts();
	exec_keeps_and_closes(self);
	same_pid_across_exec(self);
	exec_limits(self);

	const char *names[] = {"not_executable", "garbage", "empty", "bad_interp", "script_one_arg",
			       "script_spaces", "script_nested"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[PATH_MAX];
		tmp_path(p, names[i]);
		unlink(p);
	}
	rmdir(tmpdir);
	return guest_finish();
}
