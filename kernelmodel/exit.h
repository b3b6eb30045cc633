/* Task exit (kernel/exit.c). */
#ifndef KERNELMODEL_EXIT_H
#define KERNELMODEL_EXIT_H

struct task;

/* Wait-status encodings, as wait(2) reports them. */
#define W_EXITCODE(code) (((code) & 0xff) << 8)
#define W_SIGNALED(sig, core) ((sig) | ((core) ? 0x80 : 0))

/* The task stops running for good: its mm, files and fs are released and it
 * becomes a zombie with @status (wait format); without a parent to wait for
 * it (the modeled init) it is reaped at once. The caller must not run it again. */
void do_exit(struct task *t, int status);
/* exit_group: every task of the thread group exits with @status. */
void do_group_exit(struct task *t, int status);

#endif
