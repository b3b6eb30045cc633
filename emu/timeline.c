/* --timeline: Chrome trace-event JSON (timeline.h). The events of one
 * track nest as B/E pairs: "running" holds the syscall slices; a call that
 * goes to sleep ends there ("blocked": true), a "blocked" slice lasts until
 * the wake-up, and the call's retry is a new slice where the task runs
 * again. Every event of a track is written in time order. */
#include "emu/timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "syscalls/dispatch.h"
#include "syscalls/trace.h"

bool timeline_on;

#define TL_FLUSH_AT 65536

static struct {
	int fd;
	char *buf;
	size_t len, cap;
	bool first;      /* no event written yet (no separator before it) */
	bool write_failed;
	uint64_t flows;  /* flow ids handed out */
} tl = {.fd = -1};

int timeline_open(const char *path, char *err, size_t errlen)
{
	tl.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (tl.fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	tl.cap = 2 * TL_FLUSH_AT;
	tl.buf = malloc(tl.cap);
	if (!tl.buf) {
		close(tl.fd);
		tl.fd = -1;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tl.first = true;
	timeline_on = true;
	memcpy(tl.buf, "[\n", 2);
	tl.len = 2;
	return 0;
}

static void tl_flush(void)
{
	size_t off = 0;
	while (off < tl.len) {
		ssize_t w = write(tl.fd, tl.buf + off, tl.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			tl.write_failed = true;
			break;
		}
		off += (size_t)w;
	}
	tl.len = 0;
}

/* Append formatted text; the buffer holds whole events only when it is
 * written out (tl_end_event). */
static void tl_printf(const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(tl.buf + tl.len, tl.cap - tl.len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < tl.cap - tl.len) {
			tl.len += (size_t)n;
			return;
		}
		char *b = realloc(tl.buf, tl.cap * 2);
		if (!b)
			abort(); /* like the task list: a few KiB */
		tl.buf = b;
		tl.cap *= 2;
	}
}

/* A JSON string of @s (at most @max bytes): quotes, backslashes and
 * control characters escaped, valid UTF-8 as it is, any other byte above
 * 0x7e as \u00XX (Latin-1), so the file is UTF-8 whatever a comm holds. */
static void tl_str(const char *s, size_t max)
{
	size_t end = strnlen(s, max);
	tl_printf("\"");
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)s[i];
		int u = c > 0x7e ? obs_utf8_len((const unsigned char *)s + i, end - i) : 0;
		if (u) {
			tl_printf("%.*s", u, s + i);
			i += (size_t)u - 1;
		} else if (c == '"' || c == '\\') {
			tl_printf("\\%c", c);
		} else if (c < 0x20 || c > 0x7e) {
			tl_printf("\\u%04x", c);
		} else {
			tl_printf("%c", c);
		}
	}
	tl_printf("\"");
}

/* The common head of an event of @o's track: ph, name, ts, pid, tid. */
static void tl_begin_event(const struct obs_task *o, const char *ph, const char *name,
			   const char *cat)
{
	uint64_t ns = obs_now_ns();
	tl_printf("%s{\"ph\":\"%s\",\"name\":", tl.first ? "" : ",\n", ph);
	tl.first = false;
	tl_str(name, 64);
	tl_printf(",\"cat\":\"%s\",\"ts\":%llu.%03llu,\"pid\":%d,\"tid\":%d", cat,
		  (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000), o->tgid, o->tid);
}

static void tl_end_event(void)
{
	tl_printf("}");
	if (tl.len >= TL_FLUSH_AT)
		tl_flush();
}

static void tl_simple(const struct obs_task *o, const char *ph, const char *name, const char *cat)
{
	tl_begin_event(o, ph, name, cat);
	tl_end_event();
}

/* Metadata: the names of @o's track and (for a leader) of its process. */
static void tl_names(const struct obs_task *o)
{
	tl_printf("%s{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
		  tl.first ? "" : ",\n", o->tgid, o->tid);
	tl.first = false;
	tl_str(o->comm, sizeof(o->comm));
	tl_printf("}}");
	if (o->tid == o->tgid) {
		tl_printf(",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":%d,"
			  "\"args\":{\"name\":",
			  o->tgid, o->tid);
		tl_str(o->comm, sizeof(o->comm));
		tl_printf("}}");
	}
	tl_printf(",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%d,"
		  "\"args\":{\"sort_index\":%d}",
		  o->tgid, o->tid, o->tid);
	tl_end_event();
}

void timeline_comm(struct obs_task *o)
{
	tl_names(o);
}

void timeline_task_new(struct obs_task *o, struct obs_task *creator)
{
	tl_names(o);
	if (!creator || creator->ended)
		return;
	bool thread = o->tgid == creator->tgid;
	tl_begin_event(creator, "i", thread ? "clone (thread)" : "clone (process)", "process");
	tl_printf(",\"s\":\"t\",\"args\":{\"child_tid\":%d,\"child_pid\":%d}", o->tid, o->tgid);
	tl_end_event();
	/* An arrow from the clone to where the child first runs. */
	o->pending_flow = ++tl.flows;
	o->flow_name = "clone";
	tl_begin_event(creator, "s", "clone", "flow");
	tl_printf(",\"id\":%llu", (unsigned long long)o->pending_flow);
	tl_end_event();
}

static void end_flow(struct obs_task *o)
{
	if (!o->pending_flow)
		return;
	tl_begin_event(o, "f", o->flow_name, "flow");
	tl_printf(",\"id\":%llu,\"bp\":\"e\"", (unsigned long long)o->pending_flow);
	tl_end_event();
	o->pending_flow = 0;
}

static void close_stopped(struct obs_task *o)
{
	if (!o->stopped)
		return;
	tl_simple(o, "E", "stopped", "stopped");
	o->stopped = false;
}

void timeline_stop(struct obs_task *o, int sig)
{
	if (o->ended || (sig && o->stopped))
		return;
	if (!sig) {
		close_stopped(o);
		return;
	}
	/* It stops between slices (or while another task runs); a sleep it
	 * was in ended (it retries the call once continued). */
	if (o->blocked) {
		tl_simple(o, "E", "blocked", "blocked");
		o->blocked = false;
	}
	if (o->running)
		return; /* stopping itself: the slice ends first */
	const char *name = trace_signame(sig);
	tl_begin_event(o, "B", "stopped", "stopped");
	tl_printf(",\"args\":{\"by\":\"%s\"}", name ? name : "?");
	tl_end_event();
	o->stopped = true;
}

void timeline_run_begin(struct obs_task *o)
{
	close_stopped(o);
	if (o->blocked) {
		/* Woken without a wake-up we saw (it cannot happen, but the
		 * nesting must hold). */
		tl_simple(o, "E", "blocked", "blocked");
		o->blocked = false;
	}
	if (o->running)
		return;
	tl_simple(o, "B", "running", "sched");
	o->running = true;
	end_flow(o);
}

/* The name of syscall @nr for a slice (E events repeat their B's name). */
static void close_syscall(struct obs_task *o)
{
	char buf[32];
	if (!o->in_syscall)
		return;
	tl_simple(o, "E", syscall_name_or_nr(o->sys_nr, buf, sizeof(buf)), "syscall");
	o->in_syscall = false;
}

void timeline_run_end(struct obs_task *o)
{
	close_syscall(o);
	if (o->running) {
		tl_simple(o, "E", "running", "sched");
		o->running = false;
	}
	tl_flush();
}

void timeline_sys_enter(struct obs_task *o, long nr)
{
	if (!o->running)
		return;
	close_syscall(o);
	char buf[32];
	tl_begin_event(o, "B", syscall_name_or_nr(nr, buf, sizeof(buf)), "syscall");
	tl_printf(",\"args\":{\"nr\":%ld}", nr);
	tl_end_event();
	o->in_syscall = true;
	o->sys_nr = nr;
}

void timeline_sys_exit(struct obs_task *o, long nr, long ret, const char *blocked_on)
{
	char buf[32];
	if (!o->in_syscall || nr != o->sys_nr)
		return;
	tl_begin_event(o, "E", syscall_name_or_nr(nr, buf, sizeof(buf)), "syscall");
	if (blocked_on)
		tl_printf(",\"args\":{\"blocked\":true}");
	else if (ret == -EKBLOCK)
		tl_printf(",\"args\":{\"stopped\":true}");
	else
		tl_printf(",\"args\":{\"ret\":%ld}", ret);
	tl_end_event();
	o->in_syscall = false;
	if (!blocked_on || o->ended)
		return;
	/* Asleep until a wake-up: its running slice ends with this one. */
	tl_simple(o, "E", "running", "sched");
	o->running = false;
	tl_begin_event(o, "B", "blocked", "blocked");
	tl_printf(",\"args\":{\"on\":");
	tl_str(blocked_on, 64);
	tl_printf("}");
	tl_end_event();
	o->blocked = true;
}

void timeline_wake(struct obs_task *o, struct obs_task *waker)
{
	if (!o->blocked || o->ended)
		return;
	tl_simple(o, "E", "blocked", "blocked");
	o->blocked = false;
	/* An arrow from the waker (in its syscall) to where @o next runs. */
	if (!waker || waker == o || !waker->running)
		return;
	o->pending_flow = ++tl.flows;
	o->flow_name = "wakeup";
	tl_begin_event(waker, "s", "wakeup", "flow");
	tl_printf(",\"id\":%llu,\"args\":{\"woke_tid\":%d}", (unsigned long long)o->pending_flow,
		  o->tid);
	tl_end_event();
}

void timeline_signal(struct obs_task *o, const struct ksiginfo *info, bool dropped)
{
	if (o->ended)
		return;
	const char *name = trace_signame(info->signo);
	tl_begin_event(o, "i", name ? name : "signal", "signal");
	tl_printf(",\"s\":\"t\",\"args\":{\"signo\":%d,\"code\":%d,\"from_pid\":%d,"
		  "\"ignored\":%s}",
		  info->signo, info->code, info->pid, dropped ? "true" : "false");
	tl_end_event();
}

void timeline_exit(struct obs_task *o, bool running)
{
	close_stopped(o);
	if (o->blocked) {
		tl_simple(o, "E", "blocked", "blocked");
		o->blocked = false;
	}
	char what[64];
	obs_status_text(o->status, what, sizeof(what));
	end_flow(o); /* created or woken, and gone before it ran */
	tl_begin_event(o, "i", "exit", "process");
	tl_printf(",\"s\":\"t\",\"args\":{\"status\":\"%s\"}", what);
	tl_end_event();
	if (running)
		return; /* its syscall and running slices end with the slice */
	close_syscall(o);
	if (o->running) {
		tl_simple(o, "E", "running", "sched");
		o->running = false;
	}
}

void timeline_finish(void)
{
	if (!timeline_on)
		return;
	for (uint32_t id = 1; id <= obs_count(); id++) {
		struct obs_task *o = obs_get(id);
		if (o->blocked)
			tl_simple(o, "E", "blocked", "blocked");
		close_stopped(o);
		close_syscall(o);
		if (o->running)
			tl_simple(o, "E", "running", "sched");
		o->blocked = o->running = false;
	}
	tl_printf("\n]\n");
	tl_flush();
	if (close(tl.fd) || tl.write_failed)
		fprintf(stderr, "cloneemu: --timeline: the file could not be written in full\n");
	tl.fd = -1;
	free(tl.buf);
	tl.buf = NULL;
	timeline_on = false;
}
