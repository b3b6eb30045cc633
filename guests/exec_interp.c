/*
 * exec_interp: execve of dynamically linked programs and of scripts whose
 * interpreter is dynamic, from a static or a dynamic guest. Each child's
 * outcome is reported through a CLOEXEC pipe (errno) or its exit status.
 * argv[1] is a scratch directory (our cwd).
 *
 *   - the host's /bin/true and /bin/echo (dynamic) run: status and output
 *   - "#!/bin/sh", "#!/usr/bin/env sh" and "#! /bin/sh -e" scripts run with
 *     the argv Linux gives them
 *   - a copy of /bin/true whose PT_INTERP names a missing file: ENOENT;
 *     one naming a text file: ELIBBAD, or EIO when the file is shorter
 *     than an ELF header (Linux's elf_read of the header fails)
 *   - "#!/bin/sh\r" (a DOS line end): the interpreter "/bin/sh\r" does not
 *     exist: ENOENT
 *   - execveat(dirfd, "name", ...) of a dynamic program relative to a
 *     directory descriptor; with AT_SYMLINK_NOFOLLOW a symlink is ELOOP
 *   - fexecve (execveat(fd, "", AT_EMPTY_PATH)) of /bin/sh: it runs, and
 *     the comm Linux gives it is printed (the name of the file behind the
 *     descriptor, or "N" of /dev/fd/N in older kernels)
 */
#include "guest_check.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>

extern char **environ;

/* Run path with argv in a child; returns "exited N" text or "errno NAME". */
static const char *run_flags(const char *path, char *const argv[], int dirfd, int flags)
{
	static char res[64];
	int p[2];
	need(pipe2(p, O_CLOEXEC) == 0, 90, "pipe2");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(p[0]);
		if (dirfd >= 0)
			syscall(SYS_execveat, dirfd, path, argv, environ, flags);
		else
			execve(path, argv, environ);
		int e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(98);
		_exit(99);
	}
	close(p[1]);
	int e;
	ssize_t n = read(p[0], &e, sizeof(e));
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	if (n == sizeof(e))
		snprintf(res, sizeof(res), "errno %s", errno_name(e));
	else
		snprintf(res, sizeof(res), "%s", status_str(st));
	return res;
}

static const char *run(const char *path, char *const argv[], int dirfd)
{
	return run_flags(path, argv, dirfd, 0);
}

static void expect_run(const char *want, int code, const char *what, const char *path,
		       char *const argv[])
{
	const char *got = run(path, argv, -1);
	check(!strcmp(got, want), code, "%s: %s%s%s", what, got, strcmp(got, want) ? ", want " : "",
	      strcmp(got, want) ? want : "");
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	need(fd >= 0, 91, name);
	need(write(fd, text, strlen(text)) == (ssize_t)strlen(text), 92, name);
	close(fd);
}

/* Copy /bin/true to @name with PT_INTERP set to @interp (NUL-padded). */
static int patched_true(const char *name, const char *interp)
{
	static char buf[1 << 20];
	int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read_full(fd, buf, sizeof(buf));
	close(fd);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	if (n < (ssize_t)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return -1;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if (ph->p_type != PT_INTERP)
			continue;
		if (strlen(interp) + 1 > ph->p_filesz)
			return -1;
		memset(buf + ph->p_offset, 0, ph->p_filesz);
		memcpy(buf + ph->p_offset, interp, strlen(interp));
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0 || write(fd, buf, n) != n)
			return -1;
		close(fd);
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	need(argc > 1 && chdir(argv[1]) == 0, 2, "chdir to the scratch dir");

	char *t_argv[] = {"true", NULL};
	expect_run("exited 0", 3, "execve /bin/true (dynamic)", "/bin/true", t_argv);
	char *f_argv[] = {"false", NULL};
	expect_run("exited 1", 4, "execve /bin/false (dynamic)", "/bin/false", f_argv);
	char *e_argv[] = {"echo", "echo:", "dynamic", "echo", NULL};
	expect_run("exited 0", 5, "execve /bin/echo", "/bin/echo", e_argv);

	write_file("s_sh", "#!/bin/sh\necho \"s_sh: $0 [$1] [$2]\"\nexit 7\n", 0755);
	char *s_argv[] = {"s_sh", "one", "two words", NULL};
	expect_run("exited 7", 6, "#!/bin/sh script", "./s_sh", s_argv);
	write_file("s_env", "#!/usr/bin/env sh\necho \"s_env: [$1]\"\n", 0755);
	char *v_argv[] = {"s_env", "arg", NULL};
	expect_run("exited 0", 7, "#!/usr/bin/env sh script", "./s_env", v_argv);
	write_file("s_e", "#! /bin/sh -e\nfalse\necho not reached\n", 0755);
	char *x_argv[] = {"s_e", NULL};
	expect_run("exited 1", 8, "#! /bin/sh -e: the option reaches the shell", "./s_e", x_argv);
	write_file("s_crlf", "#!/bin/sh\r\necho dos\r\n", 0755);
	expect_run("errno ENOENT", 9, "#!/bin/sh<CR>: no such interpreter", "./s_crlf", x_argv);
	/* A script whose interpreter is a script with a dynamic interpreter. */
	write_file("s_nested", "#!./s_sh\n", 0755);
	char *n_argv[] = {"s_nested", "x", NULL};
	expect_run("exited 7", 10, "#!./s_sh -> #!/bin/sh", "./s_nested", n_argv);

	write_file("short", "just text\n", 0755);
	write_file("not_elf", "a text file longer than the 64 bytes of an ELF header, so it can "
			      "be read and found not to be ELF\n", 0755);
	if (patched_true("p_missing", "./no_such_loader") == 0 &&
	    patched_true("p_text", "./not_elf") == 0 && patched_true("p_short", "./short") == 0) {
		expect_run("errno ENOENT", 11, "PT_INTERP naming a missing file", "./p_missing",
			   t_argv);
		expect_run("errno ELIBBAD", 12, "PT_INTERP naming a text file", "./p_text",
			   t_argv);
		expect_run("errno EIO", 12, "PT_INTERP naming a 10-byte file", "./p_short",
			   t_argv);
	} else {
		check(0, 11, "cannot make patched copies of /bin/true");
	}

	int dir = open("/bin", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	need(dir >= 0, 13, "open /bin");
	const char *got = run("true", t_argv, dir);
	check(!strcmp(got, "exited 0"), 14, "execveat(/bin fd, \"true\"): %s", got);
	got = run_flags("true", t_argv, dir, AT_SYMLINK_NOFOLLOW);
	check(!strcmp(got, "exited 0"), 15, "execveat(/bin fd, \"true\", AT_SYMLINK_NOFOLLOW): %s", got);
	close(dir);
	need(symlink("/bin/true", "true_link") == 0, 16, "symlink");
	dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	got = run_flags("true_link", t_argv, dir, AT_SYMLINK_NOFOLLOW);
	check(!strcmp(got, "errno ELOOP"), 17, "execveat of a symlink with AT_SYMLINK_NOFOLLOW: %s", got);
	got = run_flags("", t_argv, dir, AT_EMPTY_PATH);
	check(!strcmp(got, "errno EACCES"), 18, "execveat of a directory with AT_EMPTY_PATH: %s", got);
	close(dir);
	int sh = open("/bin/sh", O_RDONLY); /* not O_CLOEXEC: a script could need it */
	need(sh >= 0, 19, "open /bin/sh");
	char *c_argv[] = {"sh", "-c", "echo fexecve comm: $(cat /proc/$$/comm); exit 6", NULL};
	got = run_flags("", c_argv, sh, AT_EMPTY_PATH);
	check(!strcmp(got, "exited 6"), 20, "execveat(/bin/sh fd, \"\", AT_EMPTY_PATH): %s", got);
	close(sh);
	return guest_finish();
}
