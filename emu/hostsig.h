/* Signals sent to the cloneemu process from outside (kill, the host
 * terminal's ^C ^Z ^\, hangup, window changes) and the host terminal.
 *
 * A handler only notes the signal, writes a byte to a self-pipe (so a
 * scheduler waiting in the host wakes) and asks the engine to end the
 * running slice; no guest code runs in it. The run loop then delivers
 * what arrived as Linux delivers a signal from a process outside the
 * guest's pid namespace (kernelmodel/tty.c: kill_from_outside). A replay
 * catches nothing: the recording says where each signal was delivered. */
#ifndef EMU_HOSTSIG_H
#define EMU_HOSTSIG_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* Catch the forwarded signals, ignore SIGPIPE (the model raises it for the
 * guest), remember the host terminal's modes, and when cloneemu's stdio is
 * its controlling terminal give it to @first's session (tty.c). Call once
 * before running. */
void hostsig_init(struct task *first);
/* The host terminal's modes as they were at start, and the default
 * dispositions back (at exit). */
void hostsig_fini(void);
/* Deliver what arrived (or, in a replay, what was recorded for scheduler
 * step @step) to the guest whose first task is @first. */
void hostsig_deliver(struct task *first, uint64_t step);
/* Did a signal arrive that hostsig_deliver has not handed over yet? */
bool hostsig_pending(void);
/* Before @t's slice, @unhooked when it runs without the block hook: which
 * signals from outside may stop the engine at once (those that kill @t). */
void hostsig_arm(struct task *t, bool unhooked);
/* Nothing can run and @first's process is stopped: stop cloneemu itself
 * with the same signal, so whoever started it sees the stop (job control
 * of the outer shell); it comes back when cloneemu is continued, and the
 * SIGCONT is delivered to the guest like any other. */
void hostsig_stop_self(struct task *first);

#endif
