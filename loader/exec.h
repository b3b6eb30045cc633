/* execve's loader half, after Linux's fs/exec.c (struct linux_binprm,
 * search_binary_handler) and fs/binfmt_script.c: follow "#!" lines to an
 * ELF program, load it and its interpreter into a new mm and build the
 * initial stack. Used for the first guest and for execve/execveat. */
#ifndef LOADER_EXEC_H
#define LOADER_EXEC_H

#include <limits.h>

#include "loader/elf.h"

/* A growable NULL-terminated vector of host strings (argv, envp). */
struct strv {
	char **v;
	int n, cap;
};

void strv_free(struct strv *s);
/* Insert a copy of @str at index @at. Returns 0 or -ENOMEM. */
int strv_push(struct strv *s, int at, const char *str);

struct linux_binprm {
	/* In: argv (rewritten by "#!" lines) and envp, owned by the caller. */
	struct strv *argv, *envp;
	const char *filename; /* the path as given to execve: AT_EXECFN, comm */
	const char *cwd;      /* the caller's cwd, for relative paths */
	/* Out: */
	char file[PATH_MAX];  /* the host path of the ELF program that runs */
	struct elf_load_info info;
	gva_t sp;             /* the initial stack pointer */
	char err[512];        /* why it failed, one line */
};

/* Load @path (a host path: absolute, or relative to @b->cwd) into @mm,
 * which must be new: "#!" scripts up to Linux's depth, then the ELF program
 * and its interpreter, then the stack with @b's argv and envp and @sp's
 * auxv values (AT_EXECFN is @b->filename). Returns 0 or execve's -errno
 * (-ENOENT, -EACCES, -ENOEXEC, -ELIBBAD, -EIO, -ELOOP, -E2BIG, -ENOMEM)
 * with the reason in @b->err. */
int bprm_execve(struct mm *mm, struct linux_binprm *b, const char *path,
		struct exec_stack_params *sp);

#endif
