/* The interactive stepper (--step). */
#ifndef EMU_STEP_H
#define EMU_STEP_H

#include <stdbool.h>

struct task;

#define STEP_RUN 0
#define STEP_QUIT -1

extern bool step_active;

/* Read commands from @script (NULL: stdin). 0 or -1 if it cannot be opened. */
int step_init(const char *script);
/* Before @*tp runs: maybe prompt. May switch *tp to the focused task
 * (@load puts its registers on the CPU). Returns STEP_RUN, STEP_QUIT or a
 * number of instructions to step. */
long step_before_run(struct task **tp, void (*load)(struct task *));

#endif
