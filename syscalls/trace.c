/* --trace in strace -f's format. A line is built while its syscall runs and
 * written when it returns; a call that goes to sleep is written up to where
 * it waits, and when another task has something to say first the line gets
 * " <unfinished ...>" and its end comes later as "<... name resumed>...", as
 * strace does. "[pid N] " prefixes the lines while more than one task
 * lives. Signals get "--- SIGX {...} ---" lines and exits "+++ exited with
 * N +++" / "+++ killed by SIGX +++". The arguments are decoded by
 * trace_decode.c (with trace_struct.c, trace_cmds.c, trace_flags.c);
 * --trace-only and --summary live in trace_filter.c. --trace-format=json
 * writes one object a line: {"vtime":ns,"pid":N,"tid":N,"syscall":"name",
 * "args":["decoded",...],"raw":[numbers],"ret":R,"errno":"E"}, and events
 * {"vtime":ns,"pid":N,"tid":N,"event":"signal"|"exit"|"killed",...}. */
#include "syscalls/trace.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "emu/cpu.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"
#include "syscalls/trace_internal.h"

FILE *trace_file;
bool trace_json;
bool trace_enabled;

#define TRACE_COLUMN 40 /* strace's -a default: where " = " goes */

static int ndeferred; /* signal lines waiting for their task (below) */
static void flush_deferred(struct task *t, bool print);

static struct tbuf line; /* the line being built */
static int line_tid;     /* whose it is; 0: none */
static size_t line_out;  /* how much of it is written already */

/* JSON: the arguments decoded at entry, kept while the call sleeps. */
struct json_pending {
	int tid;
	char *args;
};
static struct json_pending *jp;
static size_t njp;

/* strace -f prefixes lines with the pid while it traces more than one. */
static bool several_tasks(void)
{
	int n = 0;
	for (struct task *t = task_next(NULL); t && n < 2; t = task_next(t))
		n += task_is_alive(t);
	return n > 1;
}

static void start_line(struct task *t)
{
	line.len = 0;
	line_out = 0;
	if (line.s)
		line.s[0] = 0;
	if (several_tasks())
		tb_printf(&line, "[pid %5d] ", t->tid);
	line_tid = t->tid;
}

static void write_line(void)
{
	tb_putc(&line, '\n');
	fwrite(line.s + line_out, 1, line.len - line_out, trace_file);
	line.len = 0;
	line_out = 0;
	line_tid = 0;
}

/* A call went to sleep: what is known of it goes out now, so that a run
 * killed while it waits still shows it (strace writes it the same way). */
static void flush_partial(void)
{
	if (!line_tid || line.len == line_out)
		return;
	fwrite(line.s + line_out, 1, line.len - line_out, trace_file);
	fflush(trace_file);
	line_out = line.len;
}

/* Another task speaks: the pending line is left unfinished. */
static void interrupt_line(int tid)
{
	if (!line_tid || line_tid == tid)
		return;
	tb_puts(&line, " <unfinished ...>");
	write_line();
}

static void pad_to_column(void)
{
	tb_putc(&line, ' ');
	while (line.len < TRACE_COLUMN)
		tb_putc(&line, ' ');
	tb_puts(&line, "= ");
}

/* The end of @t's call: the pending line, or a "resumed" one. */
static void resume_line(struct task *t, long nr)
{
	char buf[32];
	if (line_tid == t->tid)
		return;
	interrupt_line(t->tid);
	start_line(t);
	tb_printf(&line, "<... %s resumed>", syscall_name_or_nr(nr, buf, sizeof(buf)));
}

/* ---- JSON ---- */

static void json_quote(struct tbuf *b, const char *s)
{
	tb_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			tb_putc(b, '\\');
		if ((unsigned char)*s < 0x20)
			tb_printf(b, "\\u%04x", *s);
		else
			tb_putc(b, *s);
	}
	tb_putc(b, '"');
}

/* Arguments [from, to) of the call, each decoded alone, as JSON strings. */
static void json_args(struct tbuf *out, struct task *t, long nr, const uint64_t *a, long ret,
		      int from, bool exiting)
{
	struct tbuf one = {0};
	int n = trace_nargs(nr);
	tb_puts(&one, "");
	int split = trace_args(&one, t, nr, a, ret, from, exiting);
	/* Split the decoded text at top-level ", " into the arguments. */
	int depth = 0, count = 0;
	bool quoted = false;
	size_t start = 0;
	for (size_t i = 0; i <= one.len; i++) {
		char c = i < one.len ? one.s[i] : 0;
		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '[' || c == '{' || c == '(')
			depth++;
		else if (c == ']' || c == '}' || c == ')')
			depth--;
		bool end = !c || (!depth && c == ',' && i + 1 < one.len && one.s[i + 1] == ' ');
		if (!end)
			continue;
		if (i > start) {
			char save = one.s[i];
			one.s[i] = 0;
			if (out->len > 1)
				tb_putc(out, ',');
			json_quote(out, one.s + start);
			one.s[i] = save;
			count++;
		}
		start = i + 2;
	}
	(void)n;
	(void)split;
	free(one.s);
}

static struct json_pending *json_find(int tid)
{
	for (size_t i = 0; i < njp; i++)
		if (jp[i].tid == tid)
			return &jp[i];
	return NULL;
}

static void json_line(struct task *t, long nr, const uint64_t *a, long ret, const char *args)
{
	char buf[32];
	struct tbuf b = {0};
	tb_printf(&b, "{\"vtime\":%llu,\"pid\":%d,\"tid\":%d,\"syscall\":",
		  (unsigned long long)now_ns(), t->tgid, t->tid);
	json_quote(&b, syscall_name_or_nr(nr, buf, sizeof(buf)));
	tb_printf(&b, ",\"args\":%s]", args);
	tb_puts(&b, ",\"raw\":[");
	for (int i = 0; i < trace_nargs(nr); i++)
		tb_printf(&b, "%s%llu", i ? "," : "", (unsigned long long)a[i]);
	tb_putc(&b, ']');
	if (ret == -EKBLOCK)
		tb_puts(&b, ",\"blocked\":true");
	else if (!task_is_alive(t))
		tb_puts(&b, ",\"ret\":null");
	else if (ret < 0 && ret >= -4095) {
		const char *e = strerrorname_np((int)-ret);
		tb_printf(&b, ",\"ret\":-1,\"errno\":\"%s\"", e ? e : "?");
	} else
		tb_printf(&b, ",\"ret\":%ld", ret);
	tb_puts(&b, "}\n");
	fwrite(b.s, 1, b.len, trace_file);
	free(b.s);
}

static void json_enter(struct task *t, long nr, const uint64_t *a)
{
	struct json_pending *p = json_find(t->tid);
	if (!p) {
		struct json_pending *v = realloc(jp, (njp + 1) * sizeof(*v));
		if (!v)
			return;
		jp = v;
		p = &jp[njp++];
		p->tid = t->tid;
		p->args = NULL;
	}
	struct tbuf b = {0};
	tb_putc(&b, '[');
	json_args(&b, t, nr, a, 0, 0, false);
	free(p->args);
	p->args = b.s;
}

static void json_exit(struct task *t, long nr, const uint64_t *a, long ret)
{
	struct json_pending *p = json_find(t->tid);
	struct tbuf b = {0};
	tb_puts(&b, p && p->args ? p->args : "[");
	if (ret != -EKBLOCK) {
		int split = trace_args(&(struct tbuf){0}, t, nr, a, ret, 0, false);
		json_args(&b, t, nr, a, ret, split, true);
	}
	json_line(t, nr, a, ret, b.s);
	free(b.s);
	if (p && ret != -EKBLOCK) {
		free(p->args);
		*p = jp[--njp];
	}
}

/* ---- the hooks ---- */

void trace_syscall_enter(struct task *t, long nr, const uint64_t *a)
{
	char buf[32];
	t->trace_nr = nr;
	memcpy(t->trace_a, a, sizeof(t->trace_a));
	t->trace_entry_ns = now_ns();
	if (!trace_file)
		return;
	trace_entry_values(t, nr, a);
	if (ndeferred)
		flush_deferred(t, true);
	if (!trace_selected(nr))
		return;
	if (trace_json) {
		json_enter(t, nr, a);
		return;
	}
	interrupt_line(t->tid);
	start_line(t);
	tb_printf(&line, "%s(", syscall_name_or_nr(nr, buf, sizeof(buf)));
	trace_args(&line, t, nr, a, 0, 0, false);
}

void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret)
{
	bool blocked = ret == -EKBLOCK;
	t->trace_resumed = blocked;
	if (!blocked && task_is_alive(t)) /* strace -c counts calls that return */
		trace_count(nr, ret, now_ns() - t->trace_entry_ns + VCLOCK_SYSCALL_NS);
	if (!trace_file || !trace_selected(nr))
		return;
	if (trace_json) {
		json_exit(t, nr, a, ret);
		return;
	}
	if (blocked) {
		/* The line waits: finished, or left unfinished, later. */
		if (line_tid == t->tid)
			flush_partial();
		return;
	}
	if (!task_is_alive(t) && line_tid != t->tid)
		return; /* exit, exit_group: trace_exit ended the line */
	/* The arguments the call filled in start where entry stopped. */
	struct tbuf skip = {0};
	int split = trace_args(&skip, t, nr, a, 0, 0, false);
	free(skip.s);
	resume_line(t, nr);
	trace_args(&line, t, nr, a, ret, split, true);
	tb_putc(&line, ')');
	pad_to_column();
	if (!task_is_alive(t))
		tb_putc(&line, '?');
	else {
		trace_retval(&line, nr, ret);
		trace_ret_extra(&line, t, nr, a, ret);
	}
	write_line();
	if (ndeferred)
		flush_deferred(t, true);
}

/* A call that slept ends without returning (a signal, death): " = ? NAME";
 * the arguments it would have filled in print as addresses. */
static void end_call(struct task *t, const char *how)
{
	long nr = t->trace_nr;
	t->trace_resumed = false;
	if (!trace_selected(nr))
		return;
	struct tbuf skip = {0};
	int split = trace_args(&skip, t, nr, t->trace_a, 0, 0, false);
	free(skip.s);
	resume_line(t, nr);
	if (t->mm)
		trace_args(&line, t, nr, t->trace_a, -EINTR, split, true);
	tb_putc(&line, ')');
	pad_to_column();
	tb_puts(&line, how);
	write_line();
}

static const char *restart_name(long nr)
{
	switch (nr) {
	case __NR_nanosleep:
	case __NR_clock_nanosleep:
	case __NR_poll:
		return "? ERESTART_RESTARTBLOCK (Interrupted by signal)";
	case __NR_pause:
	case __NR_rt_sigsuspend:
	case __NR_select:
	case __NR_pselect6:
	case __NR_ppoll:
	case __NR_rt_sigtimedwait:
		return "? ERESTARTNOHAND (To be restarted if no handler)";
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
		return "-1 EINTR (Interrupted system call)";
	default:
		return "? ERESTARTSYS (To be restarted if SA_RESTART is set)";
	}
}

/* JSON: {"vtime":ns,"pid":N,"tid":N,"event":"signal"|"exit"|"killed",...}. */
static void json_event(struct task *t, const char *event, const char *name, const char *text,
		       int code)
{
	struct tbuf b = {0};
	tb_printf(&b, "{\"vtime\":%llu,\"pid\":%d,\"tid\":%d,\"event\":\"%s\"",
		  (unsigned long long)now_ns(), t->tgid, t->tid, event);
	if (name) {
		tb_puts(&b, ",\"signal\":");
		json_quote(&b, name);
	}
	if (text) {
		tb_puts(&b, ",\"siginfo\":");
		json_quote(&b, text);
	}
	if (code >= 0)
		tb_printf(&b, ",\"%s\":%d", name ? "core" : "status", code);
	tb_puts(&b, "}\n");
	fwrite(b.s, 1, b.len, trace_file);
	free(b.s);
}

static void signal_line(struct task *t, const struct ksiginfo *info)
{
	const char *name = trace_signame(info->signo) ? trace_signame(info->signo) : "SIG?";
	if (trace_json) {
		struct tbuf si = {0};
		tb_siginfo(&si, info->signo, info->code, info->pid, info->uid, info->status, info->addr);
		json_event(t, "signal", name, si.s, -1);
		free(si.s);
		return;
	}
	interrupt_line(t->tid);
	start_line(t);
	tb_printf(&line, "--- %s ", name);
	tb_siginfo(&line, info->signo, info->code, info->pid, info->uid, info->status, info->addr);
	tb_puts(&line, " ---");
	write_line();
}

/* Signals the model dropped because they are ignored: strace sees them when
 * the task leaves the kernel, so their lines wait for that. Bounded. */
#define MAX_DEFERRED 256
static struct deferred {
	int tid;
	struct ksiginfo info;
} deferred[MAX_DEFERRED];
static int ndeferred;

static void flush_deferred(struct task *t, bool print)
{
	int k = 0;
	for (int i = 0; i < ndeferred; i++) {
		if (deferred[i].tid != t->tid)
			deferred[k++] = deferred[i];
		else if (print)
			signal_line(t, &deferred[i].info);
	}
	ndeferred = k;
}

/* JSON: a call that slept ends without a line of its own ("blocked" said
 * it began); the next attempt is a new call. */
static void json_drop_pending(struct task *t)
{
	struct json_pending *p = json_find(t->tid);
	t->trace_resumed = false;
	if (p) {
		free(p->args);
		*p = jp[--njp];
	}
}

void trace_signal(struct task *t, const struct ksiginfo *info, bool dropped)
{
	if (!trace_file || info->signo == SIGKILL)
		return;
	if (dropped) {
		if (ndeferred < MAX_DEFERRED)
			deferred[ndeferred++] = (struct deferred){t->tid, *info};
		return;
	}
	if (t->trace_resumed && t->restarting) {
		if (trace_json)
			json_drop_pending(t);
		else
			end_call(t, restart_name(t->trace_nr));
	}
	flush_deferred(t, true);
	signal_line(t, info);
}

void trace_exit(struct task *t, int status)
{
	if (!trace_file)
		return;
	if (trace_json) {
		if (t->trace_resumed)
			json_drop_pending(t); /* killed in its sleep */
		flush_deferred(t, false);
		if (status & 0x7f)
			json_event(t, "killed", trace_signame(status & 0x7f), NULL, !!(status & 0x80));
		else
			json_event(t, "exit", NULL, NULL, (status >> 8) & 0xff);
		return;
	}
	/* Its own exit or exit_group call, or another thread's exit_group
	 * that brings this one down, ends with " = ?" first. */
	if (line_tid && line_tid != t->tid) {
		struct task *o = task_find(line_tid);
		if (o && (o->trace_nr == __NR_exit_group || o->trace_nr == __NR_exit)) {
			tb_putc(&line, ')');
			pad_to_column();
			tb_putc(&line, '?');
			write_line();
		}
	}
	if (line_tid == t->tid || t->trace_resumed)
		end_call(t, "?");
	flush_deferred(t, false); /* it never leaves the kernel again */
	interrupt_line(t->tid);
	start_line(t);
	if (status & 0x7f)
		tb_printf(&line, "+++ killed by %s%s +++", trace_signame(status & 0x7f),
			  (status & 0x80) ? " (core dumped)" : "");
	else
		tb_printf(&line, "+++ exited with %d +++", (status >> 8) & 0xff);
	write_line();
}

void trace_boot(struct task *t, const char *path, int argc, char *const *argv, int envc)
{
	t->trace_nr = __NR_execve;
	trace_count(__NR_execve, 0, 0);
	if (!trace_file || trace_json || !trace_selected(__NR_execve))
		return;
	emu_context_load(t->cpu);
	uint64_t envp = emu_reg_read(EREG_RSP) + 8 * ((uint64_t)argc + 2);
	start_line(t);
	tb_puts(&line, "execve(");
	tb_quote(&line, (const unsigned char *)path, strlen(path), false);
	tb_puts(&line, ", [");
	for (int i = 0; i < argc; i++) {
		if (i)
			tb_puts(&line, ", ");
		if ((unsigned)i == trace_strsize) {
			tb_puts(&line, "...");
			break;
		}
		size_t n = strlen(argv[i]);
		tb_quote(&line, (const unsigned char *)argv[i], n < trace_strsize ? n : trace_strsize,
			 false);
		if (n > trace_strsize)
			tb_puts(&line, "...");
	}
	tb_printf(&line, "], %#llx /* %d var%s */)", (unsigned long long)envp, envc,
		  envc == 1 ? "" : "s");
	pad_to_column();
	tb_putc(&line, '0');
	write_line();
}
