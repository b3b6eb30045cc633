/* The record of every task of a run (observe.h) and the hooks that feed
 * --inspect, --graph and --timeline. */
#include "emu/observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/cpu.h"
#include "emu/inspect.h"
#include "emu/timeline.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "syscalls/dispatch.h"
#include "syscalls/trace.h"

bool observe_active;
bool observe_io;

static struct {
	struct obs_task *v; /* v[0] unused: id 0 is "none" */
	uint32_t n, cap;
	uint64_t base_ns;   /* now_ns() when the run began */
	struct task *running; /* the task whose slice is in progress */
} obs;

uint32_t obs_count(void)
{
	return obs.n;
}

struct obs_task *obs_get(uint32_t id)
{
	return id && id <= obs.n ? &obs.v[id] : NULL;
}

uint64_t obs_now_ns(void)
{
	uint64_t ns = now_ns() - obs.base_ns;
	/* The slice's guest work reaches the virtual clock when the slice
	 * ends; until then count it here, so events inside a slice are
	 * spread over it as the work was. */
	if (emu_current_task() && clock_is_virtual())
		ns += emu_blocks_run() * VCLOCK_BLOCK_NS;
	return ns;
}

int obs_utf8_len(const unsigned char *s, size_t max)
{
	int n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		: s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (!n || (size_t)n > max)
		return 0;
	/* The second byte's range excludes overlong forms and surrogates. */
	unsigned char lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void obs_status_text(int status, char *out, unsigned len)
{
	if (status == OBS_REPLACED)
		snprintf(out, len, "replaced by an exec in its thread group");
	else if (status & 0x7f) {
		const char *name = trace_signame(status & 0x7f);
		snprintf(out, len, "killed by %s%s", name ? name : "?",
			 (status & 0x80) ? " (core dumped)" : "");
	} else {
		snprintf(out, len, "exited with %d", (status >> 8) & 0xff);
	}
}

static void on_new_task(struct task *t)
{
	if (obs.n + 1 >= obs.cap) {
		uint32_t cap = obs.cap ? obs.cap * 2 : 64;
		struct obs_task *v = realloc(obs.v, cap * sizeof(*v));
		if (!v)
			abort(); /* like the scheduler's task list */
		obs.v = v;
		obs.cap = cap;
	}
	struct obs_task *o = &obs.v[++obs.n];
	memset(o, 0, sizeof(*o));
	t->obs_id = obs.n;
	o->t = t;
	o->tid = t->tid;
	o->tgid = t->tgid;
	o->ppid = t->parent ? t->parent->tgid : 1;
	memcpy(o->comm, t->comm, sizeof(o->comm));
	o->born_ns = obs_now_ns();
	struct task *creator = emu_current_task();
	o->creator = creator ? creator->obs_id : 0;
	if (timeline_on)
		timeline_task_new(o, obs_get(o->creator));
}

static void on_wake(struct task *t)
{
	struct obs_task *o = obs_of(t);
	if (o && timeline_on)
		timeline_wake(o, obs_of(emu_current_task()));
}

void observe_exit(struct task *t, int status)
{
	if (trace_file)
		trace_exit(t, status);
	struct obs_task *o = obs_of(t);
	if (!o || o->ended)
		return;
	o->ended = true;
	o->status = status;
	o->end_ns = obs_now_ns();
	memcpy(o->comm, t->comm, sizeof(o->comm));
	if (timeline_on)
		timeline_exit(o, t == obs.running);
	o->t = NULL;
}

/* A task that leaves without do_exit: a leader whose place another
 * thread's execve took (de_thread). */
static void on_remove(struct task *t)
{
	struct obs_task *o = obs_of(t);
	if (o && !o->ended) {
		o->ended = true;
		o->status = OBS_REPLACED;
		o->end_ns = obs_now_ns();
		if (timeline_on)
			timeline_exit(o, false);
	}
	if (o)
		o->t = NULL;
	t->obs_id = 0;
}

void observe_signal(struct task *t, const struct ksiginfo *info, bool dropped)
{
	if (trace_file)
		trace_signal(t, info, dropped);
	struct obs_task *o = obs_of(t);
	if (o && timeline_on)
		timeline_signal(o, info, dropped);
}

static void on_stop(struct task *t, int sig)
{
	struct obs_task *o = obs_of(t);
	if (o && timeline_on)
		timeline_stop(o, sig);
}

static void on_syscall_enter(struct task *t, long nr)
{
	struct obs_task *o = obs_of(t);
	if (o && timeline_on && !o->ended)
		timeline_sys_enter(o, nr);
}

static void on_syscall_exit(struct task *t, long nr, const uint64_t *a, long ret)
{
	struct obs_task *o = obs_of(t);
	if (!o)
		return;
	if (observe_io && ret > 0 && !o->ended)
		inspect_note_io(t, nr, a, ret);
	if (!o->ended && memcmp(o->comm, t->comm, sizeof(o->comm))) {
		/* execve or PR_SET_NAME gave it another name. */
		memcpy(o->comm, t->comm, sizeof(o->comm));
		if (timeline_on)
			timeline_comm(o);
	}
	if (timeline_on)
		timeline_sys_exit(o, nr, ret,
				  ret == -EKBLOCK && t->state == TASK_INTERRUPTIBLE ? t->wait_why : NULL);
}

void observe_slice_begin(struct task *t)
{
	obs.running = t;
	struct obs_task *o = obs_of(t);
	if (o && timeline_on && !o->ended)
		timeline_run_begin(o);
}

void observe_slice_end(struct task *t)
{
	struct obs_task *o = obs_of(t);
	obs.running = NULL;
	if (o && timeline_on)
		timeline_run_end(o);
}

void observe_start(void)
{
	obs.base_ns = now_ns();
	observe_active = true;
	sched_new_task_hook = on_new_task;
	sched_wake_hook = on_wake;
	sched_remove_hook = on_remove;
	syscall_enter_hook = on_syscall_enter;
	syscall_exit_hook = on_syscall_exit;
	exit_trace_hook = observe_exit;
	signal_trace_hook = observe_signal;
	signal_stop_hook = on_stop;
}
