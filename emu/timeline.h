/* --timeline FILE: the schedule as Chrome trace-event JSON (the array
 * form Perfetto and chrome://tracing read). One track per task (pid = its
 * thread group, tid = its thread id, named by process_name/thread_name
 * metadata with its comm), "running" slices, each syscall as a slice
 * inside them, "blocked" slices while it sleeps, "stopped" ones while job
 * control stops it, instant events for clone, exit and signals, and flow
 * arrows from the task that woke (or created) a task to where that task
 * next runs. Timestamps are µs on the
 * virtual clock (obs_now_ns). Events are written as they happen, whole
 * ones at a time (at the end of each slice and every 64 KiB), so a
 * killed run leaves a file that only lacks the closing "]". */
#ifndef EMU_TIMELINE_H
#define EMU_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "emu/observe.h"

extern bool timeline_on;

/* Create @path (mode 0666 less the umask), or 0 then -1 with a message. */
int timeline_open(const char *path, char *err, size_t errlen);
/* The run is over: close what is open, end the array, close the file. */
void timeline_finish(void);

void timeline_task_new(struct obs_task *o, struct obs_task *creator);
void timeline_run_begin(struct obs_task *o);
void timeline_run_end(struct obs_task *o);
void timeline_sys_enter(struct obs_task *o, long nr);
/* @blocked_on: the call went to sleep on this (NULL: it returned @ret). */
void timeline_sys_exit(struct obs_task *o, long nr, long ret, const char *blocked_on);
void timeline_wake(struct obs_task *o, struct obs_task *waker);
void timeline_signal(struct obs_task *o, const struct ksiginfo *info, bool dropped);
/* @o exits; @running: in its own slice (its slices close when that ends). */
void timeline_exit(struct obs_task *o, bool running);
/* @o stopped by job control (signal @sig), or continued (@sig 0). */
void timeline_stop(struct obs_task *o, int sig);
/* @o's comm changed. */
void timeline_comm(struct obs_task *o);

#endif
