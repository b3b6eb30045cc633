/* execve's loader half: fs/exec.c's search_binary_handler() over the two
 * formats cloneemu runs, "#!" scripts (fs/binfmt_script.c) and x86_64 ELF
 * (loader/elf.c). */
#include "loader/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelmodel/fs.h"
#include "kernelmodel/rr.h"

#define BINPRM_BUF_SIZE 256
#define MAX_INTERP_DEPTH 5 /* Linux gives up with ELOOP beyond this */

void strv_free(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int strv_push(struct strv *s, int at, const char *str)
{
	if (s->n + 2 > s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(char *));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	char *d = strdup(str);
	if (!d)
		return -ENOMEM;
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(char *));
	s->v[at] = d;
	s->n++;
	s->v[s->n] = NULL;
	return 0;
}

/* binfmt_script's load_script(): "#!interpreter [arg]" in the first
 * BINPRM_BUF_SIZE bytes of @path. Rewrites argv (argv[0] is replaced by the
 * interpreter, its one optional argument and @script, the name the script
 * was run by) and returns 1 with the interpreter's name in @interp; 0 when
 * @path is no script; -errno. */
static int load_script(const char *path, struct strv *argv, const char *script, char *interp)
{
	char buf[BINPRM_BUF_SIZE + 1];
	long n = 0; /* the bytes read, or -errno of open (a failed read: 0) */
	if (!rr_replaying) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			n = -errno;
		} else {
			n = read(fd, buf, BINPRM_BUF_SIZE);
			n = n < 0 ? 0 : n;
			close(fd);
		}
	}
	n = rr_replaying ? rr_value() : rr_note(n);
	if (n < 0)
		return (int)n;
	if (n > BINPRM_BUF_SIZE)
		return -EIO; /* a damaged recording */
	rr_bytes(buf, (size_t)n);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = 0;
	char *nl = memchr(buf, '\n', (size_t)n);
	if (nl)
		*nl = 0;
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	char *name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	/* An interpreter name cut off by the buffer's end cannot run. */
	if (!nl && !*p && n == BINPRM_BUF_SIZE)
		return -ENOEXEC;
	char *arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;
			char *end = arg + strlen(arg);
			while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = 0;
		}
	}
	if (argv->n > 0) {
		free(argv->v[0]);
		memmove(&argv->v[0], &argv->v[1], argv->n * sizeof(char *));
		argv->n--;
	}
	if (strv_push(argv, 0, script) || (arg && strv_push(argv, 0, arg)) ||
	    strv_push(argv, 0, name))
		return -ENOMEM;
	snprintf(interp, PATH_MAX, "%s", name);
	return 1;
}

/* The host path of @name: under the sysroot when absolute and present
 * there, else relative to @cwd. Returns 0 or -ENAMETOOLONG. */
static int host_path(const char *name, const char *cwd, char *out)
{
	if (name[0] == '/') {
		fs_sysroot_path(name, out, PATH_MAX);
		return 0;
	}
	return snprintf(out, PATH_MAX, "%s/%s", cwd, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int fail(struct linux_binprm *b, int r, const char *what, const char *why)
{
	snprintf(b->err, sizeof(b->err), "%.200s: %.300s", what, why);
	return r;
}

int bprm_execve(struct mm *mm, struct linux_binprm *b, const char *path,
		struct exec_stack_params *sp)
{
	/* binfmt_script names the script in argv by bprm->interp: the path
	 * given to execve, then each interpreter's name as its "#!" line has it. */
	char interp[PATH_MAX], script[PATH_MAX];
	int r;

	b->err[0] = 0;
	snprintf(script, sizeof(script), "%s", b->filename);
	if ((r = host_path(path, b->cwd, b->file)))
		return fail(b, r, path, "path too long");
	for (int depth = 0;; depth++) {
		/* 0, -errno of stat, 1: a directory, 2: not executable (recorded). */
		long chk = 0;
		if (!rr_replaying) {
			struct stat st;
			if (stat(b->file, &st))
				chk = -errno;
			else if (S_ISDIR(st.st_mode))
				chk = 1;
			else if (!S_ISREG(st.st_mode) || access(b->file, X_OK))
				chk = 2;
		}
		chk = rr_replaying ? rr_value() : rr_note(chk);
		if (chk < 0)
			return fail(b, (int)chk, b->file,
				    chk == -ENOENT ? "no such file" : strerror((int)-chk));
		if (chk == 1)
			return fail(b, -EACCES, b->file, "is a directory");
		if (chk)
			return fail(b, -EACCES, b->file, "not an executable regular file");
		r = load_script(b->file, b->argv, script, interp);
		if (r < 0)
			return fail(b, r, b->file, r == -ENOEXEC ? "bad #! line" : strerror(-r));
		if (!r)
			break;
		if (depth + 1 >= MAX_INTERP_DEPTH)
			return fail(b, -ELOOP, b->file, "#! interpreters nested too deep");
		if ((r = host_path(interp, b->cwd, b->file)))
			return fail(b, r, interp, "path too long");
		memcpy(script, interp, sizeof(script));
	}
	char why[sizeof(b->err) - 64];
	if ((r = elf_load_file(mm, b->file, &b->info, why, sizeof(why))))
		return fail(b, r, b->file, why);
	sp->argc = b->argv->n;
	sp->argv = b->argv->v;
	sp->envc = b->envp->n;
	sp->envp = b->envp->v;
	sp->execfn = b->filename;
	if ((r = elf_setup_stack(mm, &b->info, sp, &b->sp)))
		return fail(b, r, b->file, "cannot set up the initial stack");
	return 0;
}
