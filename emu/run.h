/* Booting the first guest and the run loop that hands the CPU to tasks. */
#ifndef EMU_RUN_H
#define EMU_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct task;

struct boot_params {
	const char *path; /* PROGRAM as given */
	int argc;
	char *const *argv;
	int envc;
	char *const *envp;
};

/* Create the first guest task running @bp->path. Returns 0, or -errno with
 * a one-line message in @err (-ENOENT: missing; -ENOEXEC/-EACCES: not
 * runnable). */
int emu_boot(const struct boot_params *bp, struct task **out, char *err, size_t errlen);

struct exec_stack_params;
struct cred;
/* The machine's initial-stack parameters for a new image: the AT_* values
 * (ids from @cred, the credentials @t's image runs with, as @t's user
 * namespace shows them; AT_SECURE from @secure; HWCAP from the
 * guest-visible CPUID) and fresh AT_RANDOM bytes. */
void emu_exec_params(struct exec_stack_params *sp, const struct task *t, const struct cred *cred,
		     bool secure);

/* cloneemu's exit status when every remaining task is blocked forever. */
#define EXIT_DEADLOCK 125

/* At a deadlock, before the blocked tasks are killed (NULL: nothing). */
extern void (*deadlock_hook)(void);

/* Run until every task has exited. Returns the first task's exit status the
 * way a shell reports it: the exit code, or 128 + the fatal signal. */
int emu_run_all(struct task *first);

#endif
