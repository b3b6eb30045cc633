/* --gdb PORT: the GDB remote serial protocol on 127.0.0.1, all-stop (the
 * machine stops as a whole). With gdb's multiprocess extensions every
 * emulated process is an inferior of its own (thread ids pPID.TID) and
 * gdb hears of forks, vforks, execs and exits; without them every task is
 * a thread of one inferior. Supported: ?, qSupported, qfThreadInfo,
 * qC, qAttached, qXfer of the target description (amd64-linux with
 * orig_rax, fs_base, gs_base) and of exec-file, QPassSignals, T, H g/c,
 * g/G, p/P, m/M, Z0/z0 software breakpoints (per process), Z2/z2 write
 * watchpoints, c/C/s/S, vCont (c, C, s, S), vFile host I/O, vKill, k,
 * D. Breakpoints are code hooks on their address, so the guest's memory
 * is never patched. Every signal a debugged task takes stops it first
 * (gdb_target.c), as ptrace's signal-delivery-stop. */
#include "emu/gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/gdb_internal.h"
#include "emu/reverse.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define MAX_BREAKPOINTS 64
#define MAX_ATTACHED 64

static struct {
	int gtid, gpid;   /* thread (and process) for g/G/m/M/Z (Hg) */
	int ctid;         /* Hc: the thread a legacy c/s/C/S is about */
	struct {
		int pid; /* 0: every process (without multiprocess) */
		uint64_t addr;
	} bp[MAX_BREAKPOINTS];
	int nbp;
	int step_tid;     /* the thread the last resume single-steps, 0 none */
	int attached[MAX_ATTACHED];
	int natt;
	int held[MAX_ATTACHED]; /* debugged processes the last resume left stopped */
	int nheld;
	uint8_t pass[256]; /* QPassSignals, by gdb number */
	int sig_tid;      /* the thread in a signal stop now, 0 none */
	int sig_result;   /* ... and what it will take (Linux number, 0 none) */
	int inject_tid, inject_sig; /* a signal a resume sends: not stopped for */
	int resume;       /* how gdb resumed from a signal stop, GDB_NONE none */
	int resume_tid;
	bool killed;
} gdb = {.resume = GDB_NONE};

bool gdb_active;
bool gdb_multi, gdb_fork_events, gdb_vfork_events, gdb_exec_events;

/* ---- processes and thread ids ---- */

bool gdb_attached(const struct task *t)
{
	if (!gdb_multi)
		return true;
	for (int i = 0; i < gdb.natt; i++)
		if (gdb.attached[i] == t->tgid)
			return true;
	return false;
}

void gdb_attach(int pid)
{
	for (int i = 0; i < gdb.natt; i++)
		if (gdb.attached[i] == pid)
			return;
	if (gdb.natt < MAX_ATTACHED)
		gdb.attached[gdb.natt++] = pid;
}

void gdb_detach_pid(int pid)
{
	for (int i = 0; i < gdb.natt; i++)
		if (gdb.attached[i] == pid)
			gdb.attached[i] = gdb.attached[--gdb.natt];
	for (int i = 0; i < gdb.nheld; i++)
		if (gdb.held[i] == pid)
			gdb.held[i] = gdb.held[--gdb.nheld];
}

bool gdb_holds(const struct task *t)
{
	if (!gdb_active || !gdb.nheld || !t)
		return false;
	for (int i = 0; i < gdb.nheld; i++)
		if (gdb.held[i] == t->tgid)
			return true;
	return false;
}

bool gdb_holding(void)
{
	return gdb_active && gdb.nheld > 0;
}

static bool holds_task(const struct task *t)
{
	return gdb_holds(t);
}

/* A resume of processes @pids (@n of them; @all: every one): the other
 * debugged processes stay stopped, as gdb expects of the inferiors it
 * did not resume (schedule-multiple off). */
static void set_holds(const int *pids, int n, bool all)
{
	gdb.nheld = 0;
	if (all)
		return;
	for (int i = 0; i < gdb.natt; i++) {
		int k = 0;
		while (k < n && pids[k] != gdb.attached[i])
			k++;
		if (k == n)
			gdb.held[gdb.nheld++] = gdb.attached[i];
	}
	sched_hold_hook = holds_task;
}

static const char *ptid(const struct task *t)
{
	static char buf[4][48];
	static int k;
	char *b = buf[k++ & 3];
	if (gdb_multi)
		snprintf(b, sizeof(buf[0]), "p%x.%x", t->tgid, t->tid);
	else
		snprintf(b, sizeof(buf[0]), "%x", t->tid);
	return b;
}

static const char *parse_id(const char *s, int *v)
{
	char *end;
	if (s[0] == '-' && s[1] == '1') {
		*v = -1;
		return s + 2;
	}
	*v = (int)strtol(s, &end, 16);
	return end;
}

/* "pP.T", "pP", "T", "-1", "0": *pid (0: unsaid), *tid (-1 all, 0 any). */
static const char *parse_ptid(const char *s, int *pid, int *tid)
{
	*pid = 0;
	*tid = 0;
	if (*s == 'p') {
		s = parse_id(s + 1, pid);
		if (*s == '.')
			return parse_id(s + 1, tid);
		*tid = -1;
		return s;
	}
	return parse_id(s, tid);
}

/* The live, debugged task @pid/@tid names; any thread of @pid for tid
 * 0/-1 (its leader first); NULL when none. */
static struct task *find_thread(int pid, int tid)
{
	if (tid > 0) {
		struct task *t = task_find(tid);
		return t && task_is_alive(t) && (pid <= 0 || t->tgid == pid) && gdb_attached(t) ? t
											: NULL;
	}
	if (pid <= 0)
		return NULL;
	struct task *l = task_find(pid);
	if (l && task_is_alive(l) && l->tgid == pid && gdb_attached(l))
		return l;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t->tgid == pid && task_is_alive(t) && gdb_attached(t))
			return t;
	return NULL;
}

static struct task *loaded_for_gdb;
static void (*load_hook)(struct task *);

struct task *gdb_sel_task(void)
{
	struct task *t = task_find(gdb.gtid);
	if (!t || !task_is_alive(t))
		t = find_thread(gdb.gpid, 0);
	if (!t)
		t = loaded_for_gdb;
	if (t && t != loaded_for_gdb && load_hook) {
		load_hook(t);
		loaded_for_gdb = t;
	}
	return t;
}

/* ---- breakpoints: per process with multiprocess ---- */

static bool bp_match(int pid, uint64_t addr)
{
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i].addr == addr && (!gdb.bp[i].pid || gdb.bp[i].pid == pid))
			return true;
	return false;
}

bool gdb_breakpoint_at(uint64_t rip)
{
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i].addr == rip)
			return true;
	return false;
}

static void bp_sync(void)
{
	uint64_t a[MAX_BREAKPOINTS];
	int n = 0;
	for (int i = 0; i < gdb.nbp; i++) {
		int j = 0;
		while (j < n && a[j] != gdb.bp[i].addr)
			j++;
		if (j == n)
			a[n++] = gdb.bp[i].addr;
	}
	emu_set_breakpoints(a, n);
}

static bool bp_add(int pid, uint64_t a)
{
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i].addr == a && gdb.bp[i].pid == pid)
			return true;
	if (gdb.nbp == MAX_BREAKPOINTS)
		return false;
	gdb.bp[gdb.nbp].pid = pid;
	gdb.bp[gdb.nbp++].addr = a;
	bp_sync();
	return true;
}

static void bp_del(int pid, uint64_t a)
{
	/* One for every process (gdb_set_breakpoint_list's) goes as well. */
	for (int i = 0; i < gdb.nbp; i++)
		if (gdb.bp[i].addr == a && (gdb.bp[i].pid == pid || !gdb.bp[i].pid)) {
			gdb.bp[i] = gdb.bp[--gdb.nbp];
			bp_sync();
			return;
		}
}

void gdb_bp_clear(int pid)
{
	for (int i = 0; i < gdb.nbp;)
		if (pid < 0 || gdb.bp[i].pid == pid)
			gdb.bp[i] = gdb.bp[--gdb.nbp];
		else
			i++;
	bp_sync();
}

/* The process Z packets are about: Hg's, without multiprocess every one. */
static int z_pid(void)
{
	if (!gdb_multi)
		return 0;
	struct task *t = task_find(gdb.gtid);
	return gdb.gpid > 0 ? gdb.gpid : t ? t->tgid : 0;
}

/* ---- signals ---- */

bool gdb_sig_passed(int sig)
{
	int g = gdb_sig_from_linux(sig);
	return g < 256 && gdb.pass[g];
}

static void pass_signals(const char *p)
{
	memset(gdb.pass, 0, sizeof(gdb.pass));
	while (*p) {
		char *end;
		long g = strtol(p, &end, 16);
		if (end == p)
			break;
		if (g >= 0 && g < 256)
			gdb.pass[g] = 1;
		p = *end == ';' ? end + 1 : end;
	}
}

/* ---- resuming ---- */

/* A resume with signal @lsig for @x: the answer of a signal stop, or a
 * signal sent now (gdb's "signal SIGX" at another stop). */
static void resume_signal(struct task *x, int lsig)
{
	if (x && x->tid == gdb.sig_tid) {
		gdb.sig_result = lsig;
	} else if (x && lsig) {
		gdb.inject_tid = x->tid;
		gdb.inject_sig = lsig;
		send_signal(x, lsig, NULL);
	}
}

/* vCont;ACTION[:TID];...: a step of one thread, or a continue of all;
 * signals for the threads named. Returns GDB_STEP or GDB_CONTINUE. */
static int resume_vcont(const char *p, struct task **tp)
{
	struct task *step = NULL;
	bool sig_stop_seen = false, all_run = false;
	int run[MAX_ATTACHED], nrun = 0;
	while (*p == ';') {
		char act = p[1];
		int gsig = 0, pid = 0, tid = -1;
		p += 2;
		if (act == 'C' || act == 'S') {
			char *end;
			gsig = (int)strtol(p, &end, 16);
			p = end;
		}
		if (*p == ':')
			p = parse_ptid(p + 1, &pid, &tid);
		while (*p && *p != ';')
			p++;
		struct task *x = tid > 0 || pid > 0 ? find_thread(pid, tid) : NULL;
		bool all = tid <= 0 && pid <= 0;
		all_run |= all;
		if (!all && nrun < MAX_ATTACHED)
			run[nrun++] = pid > 0 ? pid : x ? x->tgid : 0;
		if (all) /* the default: the signal-stopped or selected thread */
			x = gdb.sig_tid && !sig_stop_seen ? task_find(gdb.sig_tid) : task_find(gdb.ctid);
		if (x && x->tid == gdb.sig_tid) {
			if (sig_stop_seen)
				continue; /* an earlier action named it */
			sig_stop_seen = true;
		}
		if (act == 'C' || act == 'S' || (x && x->tid == gdb.sig_tid))
			resume_signal(x, gsig ? gdb_sig_to_linux(gsig) : 0);
		if ((act == 's' || act == 'S') && !step)
			step = x ? x : *tp;
	}
	set_holds(run, nrun, all_run || !gdb_multi);
	if (step) {
		*tp = step;
		gdb.step_tid = step->tid;
		return GDB_STEP;
	}
	gdb.step_tid = 0;
	return GDB_CONTINUE;
}

/* Legacy c/C/s/S: about Hc's thread (the stopped one when unsaid). */
static int resume_legacy(char act, const char *p, struct task **tp)
{
	struct task *x = gdb.sig_tid ? task_find(gdb.sig_tid) : task_find(gdb.ctid);
	if (!x || !task_is_alive(x))
		x = *tp;
	set_holds(NULL, 0, true);
	int gsig = act == 'C' || act == 'S' ? (int)strtol(p, NULL, 16) : 0;
	resume_signal(x, gsig ? gdb_sig_to_linux(gsig) : 0);
	if (act == 's' || act == 'S') {
		if (x)
			*tp = x;
		gdb.step_tid = x ? x->tid : 0;
		return GDB_STEP;
	}
	gdb.step_tid = 0;
	return GDB_CONTINUE;
}

/* ---- the command loop ---- */

static void thread_list(char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "m");
	bool first = true;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (task_is_alive(t) && gdb_attached(t)) {
			n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%s%s", first ? "" : ",",
					      ptid(t));
			first = false;
		}
	if (first)
		snprintf(out, size, "l");
}

/* Does gdb's qSupported:a;b;c list @f? */
static bool offers(const char *p, const char *f)
{
	size_t n = strlen(f);
	for (const char *s = strchr(p, ':'); s; s = strchr(s + 1, ';'))
		if (!strncmp(s + 1, f, n) && (s[1 + n] == ';' || !s[1 + n]))
			return true;
	return false;
}

static void supported(const char *p)
{
	gdb_multi = offers(p, "multiprocess+");
	gdb_fork_events = gdb_multi && offers(p, "fork-events+");
	gdb_vfork_events = gdb_multi && offers(p, "vfork-events+");
	gdb_exec_events = gdb_multi && offers(p, "exec-events+");
	char out[512];
	snprintf(out, sizeof(out),
		 "PacketSize=10000;qXfer:features:read+;qXfer:exec-file:read+;qXfer:auxv:read+;"
		 "vContSupported+;"
		 "QPassSignals+%s%s%s%s%s",
		 reverse_enabled ? ";ReverseStep+;ReverseContinue+" : "", gdb_multi ? ";multiprocess+" : "", gdb_fork_events ? ";fork-events+" : "",
		 gdb_vfork_events ? ";vfork-events+" : "", gdb_exec_events ? ";exec-events+" : "");
	gdb_send(out);
}

static void xfer_exec_file(const char *p, char *out, size_t size)
{
	/* qXfer:exec-file:read:PID:OFF,LEN */
	char *colon;
	int pid = (int)strtol(p, &colon, 16);
	struct task *t = pid ? find_thread(pid, 0) : gdb_sel_task();
	uint64_t a = 0, l = 0;
	if (!t || !t->exe || *colon != ':' ||
	    sscanf(colon + 1, "%" SCNx64 ",%" SCNx64, &a, &l) != 2) {
		snprintf(out, size, "E01");
		return;
	}
	size_t len = strlen(t->exe);
	if (a >= len)
		snprintf(out, size, "l");
	else
		snprintf(out, size, "%c%.*s", a + l >= len ? 'l' : 'm', (int)(l < len - a ? l : len - a),
			 t->exe + a);
}

/* qXfer:auxv:read::OFF,LEN: the auxiliary vector exec put above envp on
 * the initial stack (mm->start_stack: argc, argv, NULL, envp, NULL, auxv),
 * as the guest can still read it there. gdb finds the dynamic linker's
 * base (AT_BASE) and so the shared libraries from it. */
static void xfer_auxv(const char *p, char *out, size_t size)
{
	uint64_t a = 0, l = 0, w[2], argc;
	uint64_t v[2 * 64];
	size_t n = 0;
	struct task *t = gdb_sel_task();
	if (sscanf(p, ":%" SCNx64 ",%" SCNx64, &a, &l) != 2 || !t || !t->mm ||
	    copy_from_guest(t->mm, &argc, t->mm->start_stack, 8)) {
		gdb_send("E01");
		return;
	}
	uint64_t at = t->mm->start_stack + 8 * (argc + 2);
	for (int i = 0; i < 4096 && !copy_from_guest(t->mm, w, at, 8) && w[0]; i++)
		at += 8; /* envp */
	at += 8;
	while (n + 2 <= sizeof(v) / sizeof(v[0]) && !copy_from_guest(t->mm, w, at, 16)) {
		v[n++] = w[0];
		v[n++] = w[1];
		at += 16;
		if (!w[0])
			break; /* AT_NULL */
	}
	size_t len = n * 8;
	if (a >= len) {
		gdb_send("l");
		return;
	}
	size_t k = len - a < l ? len - a : l;
	snprintf(out, size, "%c", a + k >= len ? 'l' : 'm');
	gdb_send_bin(out, (const uint8_t *)v + a, k);
}

static void query(const char *p, char *out, size_t size)
{
	if (!strncmp(p, "qSupported", 10))
		supported(p);
	else if (!strcmp(p, "qfThreadInfo")) {
		thread_list(out, size);
		gdb_send(out);
	} else if (!strcmp(p, "qsThreadInfo"))
		gdb_send("l");
	else if (!strcmp(p, "qC")) {
		struct task *t = task_find(gdb.gtid);
		snprintf(out, size, "QC%s", t ? ptid(t) : "0");
		gdb_send(out);
	} else if (!strncmp(p, "qAttached", 9))
		gdb_send("1");
	else if (!strncmp(p, "qXfer:features:read:target.xml:", 31)) {
		gdb_xfer_tdesc(p + 31, out, size);
		gdb_send(out);
	} else if (!strncmp(p, "qXfer:auxv:read:", 16)) {
		xfer_auxv(p + 16, out, size);
	} else if (!strncmp(p, "qXfer:exec-file:read:", 21)) {
		xfer_exec_file(p + 21, out, size);
		gdb_send(out);
	} else if (!strncmp(p, "QPassSignals:", 13)) {
		pass_signals(p + 13);
		gdb_send("OK");
	} else
		gdb_send("");
}

static void z_packet(const char *p)
{
	uint64_t a = 0, kind = 0;
	sscanf(p + 3, "%" SCNx64 ",%" SCNx64, &a, &kind);
	int pid = z_pid();
	bool ok = true;
	if (p[1] == '0') {
		if (p[0] == 'Z')
			ok = bp_add(pid, a);
		else
			bp_del(pid, a);
	} else if (p[1] == '2') {
		if (!pid && gdb_multi)
			ok = false;
		else if (p[0] == 'Z')
			ok = !gdb_watch_add(pid ? pid : 0, a, kind);
		else
			gdb_watch_del(pid ? pid : 0, a, kind);
	} else {
		gdb_send(""); /* hardware breakpoints, read and access watchpoints */
		return;
	}
	gdb_send(ok ? "OK" : "E01");
}

/* D, D;PID: stop debugging one process or all. True when none is left. */
static bool detach(const char *p)
{
	int pid = p[1] == ';' ? (int)strtol(p + 2, NULL, 16) : -1;
	gdb_send("OK");
	if (pid > 0 && gdb_multi) {
		gdb_detach_pid(pid);
		gdb_bp_clear(pid);
		gdb_watch_clear(pid);
		if (gdb.natt)
			return false;
	}
	gdb_active = false;
	gdb_bp_clear(-1);
	gdb_watch_clear(-1);
	return true;
}

/* Serve gdb until it resumes: GDB_CONTINUE, GDB_STEP (*tp) or GDB_KILL. */
static int serve(struct task **tp)
{
	static char out[65536];
	for (;;) {
		char *p = gdb_recv();
		if (!p) { /* gdb went away: run on, signals as they are */
			gdb_active = false;
			gdb.sig_result = 0;
			gdb_bp_clear(-1);
			gdb_watch_clear(-1);
			return GDB_NONE;
		}
		int pid, tid;
		switch (p[0]) {
		case '?':
			if (*tp) {
				snprintf(out, sizeof(out), "T05thread:%s;", ptid(*tp));
				gdb.gtid = (*tp)->tid;
				gdb_send(out);
			} else
				gdb_send("W00");
			break;
		case 'q':
		case 'Q':
			query(p, out, sizeof(out));
			break;
		case 'H':
			parse_ptid(p + 2, &pid, &tid);
			if (p[1] == 'g') {
				gdb.gpid = pid > 0 ? pid : gdb.gpid;
				if (tid > 0)
					gdb.gtid = tid;
				else if (pid > 0) {
					struct task *x = find_thread(pid, 0);
					gdb.gtid = x ? x->tid : gdb.gtid;
				}
			} else if (p[1] == 'c')
				gdb.ctid = tid > 0 ? tid : 0;
			gdb_send("OK");
			break;
		case 'T':
			parse_ptid(p + 1, &pid, &tid);
			gdb_send(find_thread(pid, tid) ? "OK" : "E01");
			break;
		case 'g':
		case 'G':
		case 'p':
		case 'P':
			gdb_regs_packet(p[0], p + 1, out);
			break;
		case 'm':
		case 'M':
			gdb_mem_packet(p[0], p + 1, out);
			break;
		case 'Z':
		case 'z':
			z_packet(p);
			break;
		case 'b': /* bs, bc: reverse step and continue (emu/reverse.c) */
			if (!reverse_enabled || (p[1] != 's' && p[1] != 'c')) {
				gdb_send("");
				break;
			}
			if (gdb_sel_task())
				*tp = gdb_sel_task();
			return p[1] == 's' ? GDB_REVERSE_STEP : GDB_REVERSE_CONTINUE;
		case 'c':
		case 'C':
		case 's':
		case 'S':
			return resume_legacy(p[0], p + 1, tp);
		case 'v':
			if (!strcmp(p, "vCont?")) {
				gdb_send("vCont;c;C;s;S");
			} else if (!strncmp(p, "vCont;", 5)) {
				return resume_vcont(p + 5, tp);
			} else if (!strncmp(p, "vKill", 5)) {
				pid = p[5] == ';' ? (int)strtol(p + 6, NULL, 16) : 0;
				gdb_send("OK");
				struct task *l = pid > 0 && gdb_multi ? find_thread(pid, 0) : NULL;
				if (l && gdb.natt > 1) { /* one of several: kill that one */
					gdb_detach_pid(pid);
					send_group_signal(l, SIGKILL, NULL);
					break;
				}
				gdb.killed = true;
				return GDB_KILL;
			} else if (!strncmp(p, "vFile:", 6)) {
				gdb_vfile(p, gdb_sel_task());
			} else {
				gdb_send("");
			}
			break;
		case 'k':
			gdb.killed = true;
			return GDB_KILL;
		case 'D':
			if (detach(p)) {
				emu_set_breakpoints(NULL, 0);
				return GDB_NONE;
			}
			break;
		default:
			gdb_send("");
		}
	}
}

static void event_reply(const struct gdb_event *ev, char *out, size_t size)
{
	struct task *t = task_find(ev->tid);
	const char *th = t ? ptid(t) : "0";
	switch (ev->kind) {
	case EV_FORK:
	case EV_VFORK:
		snprintf(out, size, "T05%s:p%x.%x;thread:%s;", ev->kind == EV_FORK ? "fork" : "vfork",
			 ev->child_pid, ev->child_pid, th);
		break;
	case EV_VFORKDONE:
		snprintf(out, size, "T05vforkdone:;thread:%s;", th);
		break;
	case EV_EXEC: {
		size_t n = (size_t)snprintf(out, size, "T05exec:");
		size_t len = strlen(ev->path);
		if (n + 2 * len + 64 < size)
			gdb_put_hex(out + n, (const uint8_t *)ev->path, len);
		snprintf(out + strlen(out), size - strlen(out), ";thread:%s;", th);
		break;
	}
	case EV_WATCH:
		snprintf(out, size, "T05watch:%" PRIx64 ";thread:%s;", ev->addr, th);
		break;
	case EV_EXIT:
		if (ev->status & 0x7f)
			snprintf(out, size, "X%02x;process:%x", gdb_sig_from_linux(ev->status & 0x7f),
				 ev->pid);
		else
			snprintf(out, size, "W%02x;process:%x", (ev->status >> 8) & 0xff, ev->pid);
		break;
	default:
		out[0] = 0;
	}
	if (ev->kind != EV_EXIT && t) {
		gdb.gtid = t->tid;
		gdb.gpid = t->tgid;
	}
}

static int stop_serve(struct task **tp, int sig, void (*load)(struct task *))
{
	char out[8400];
	struct gdb_event ev;
	load_hook = load;
	loaded_for_gdb = *tp;
	if (!gdb.natt && *tp)
		gdb_attach((*tp)->tgid); /* the first process */
	if (!gdb.gtid && *tp)
		gdb.gtid = (*tp)->tid;
	if (gdb_event_peek(&ev)) {
		gdb_event_pop();
		event_reply(&ev, out, sizeof(out));
		gdb_send(out);
		gdb.step_tid = 0;
	} else if (sig == 5) {
		struct task *t = *tp;
		bool stepped = t && t->tid == gdb.step_tid;
		if (!stepped && !(t && gdb_attached(t) && bp_match(t->tgid, emu_reg_read(EREG_RIP))))
			return GDB_CONTINUE; /* another process's address, or a step still blocked */
		snprintf(out, sizeof(out), "T05thread:%s;", ptid(t));
		gdb.gtid = t->tid;
		gdb.gpid = t->tgid;
		gdb.step_tid = 0;
		gdb_send(out);
	}
	int what = serve(tp);
	return what == GDB_NONE ? GDB_CONTINUE : what;
}

int gdb_stopped(struct task **tp, int sig, void (*load)(struct task *))
{
	/* Reverse execution records how gdb resumed, and replays it; a
	 * replayed stop reports nothing, but takes its event as the live
	 * stop did. */
	if (reverse_replaying() && gdb_event_pending())
		gdb_event_pop();
	return reverse_gdb_stopped(tp, sig, load, stop_serve);
}

void gdb_stop_note(struct task *t, const char *note)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "T05%sthread:%s;", note, t ? ptid(t) : "0");
	if (t) {
		gdb.gtid = t->tid;
		gdb.gpid = t->tgid;
	}
	gdb_send(buf);
}

int gdb_breakpoints(uint64_t *out, int max)
{
	int n = 0;
	for (int i = 0; i < gdb.nbp && n < max; i++) {
		int j = 0;
		while (j < n && out[j] != gdb.bp[i].addr)
			j++;
		if (j == n)
			out[n++] = gdb.bp[i].addr;
	}
	return n;
}

void gdb_set_breakpoint_list(const uint64_t *addrs, int n)
{
	/* The process of each is not in the list: after going back, a
	 * breakpoint stops every debugged process at its address. */
	gdb.nbp = 0;
	for (int i = 0; i < n && gdb.nbp < MAX_BREAKPOINTS; i++) {
		gdb.bp[gdb.nbp].pid = 0;
		gdb.bp[gdb.nbp++].addr = addrs[i];
	}
	bp_sync();
}

int gdb_stepping_tid(void)
{
	return gdb_active ? gdb.step_tid : 0;
}

/* A signal stop's serve for reverse_gdb_stopped: @sig is the Linux
 * signal + SIGNAL_STOP_BASE (-1: reverse execution said the stop). */
#define SIGNAL_STOP_BASE 1000

static int signal_serve(struct task **tp, int sig, void (*load)(struct task *))
{
	char out[96];
	if (sig >= SIGNAL_STOP_BASE && *tp) {
		snprintf(out, sizeof(out), "T%02xthread:%s;",
			 gdb_sig_from_linux(sig - SIGNAL_STOP_BASE), ptid(*tp));
		gdb_send(out);
	}
	int what = serve(tp);
	if (what < 0 || what == GDB_REVERSE_STEP || what == GDB_REVERSE_CONTINUE)
		return what;
	return what | (gdb.sig_result & 0xff) << 8;
}

int gdb_signal_stop(struct task *t, int sig)
{
	if (gdb.inject_tid == t->tid && gdb.inject_sig == sig) {
		gdb.inject_tid = 0; /* the signal gdb asked for: no stop */
		return sig;
	}
	gdb.sig_tid = t->tid;
	gdb.sig_result = 0;
	gdb.gtid = t->tid;
	gdb.gpid = t->tgid;
	gdb.step_tid = 0;
	struct task *tp = t;
	loaded_for_gdb = t;
	/* Through reverse execution's log: a replay gives gdb's answer back
	 * (the signal in the bits above the resume). */
	int enc = reverse_gdb_stopped(&tp, SIGNAL_STOP_BASE + sig, load_hook, signal_serve);
	int what = enc < 0 ? enc : enc & 0xff;
	if (loaded_for_gdb != t && load_hook)
		load_hook(t); /* the registers the signal frame is built from */
	loaded_for_gdb = t;
	int r = what == GDB_NONE ? sig : enc >> 8;
	gdb.sig_tid = 0;
	gdb.resume = what;
	gdb.resume_tid = tp ? tp->tid : 0;
	return what == GDB_KILL ? 0 : r;
}

void gdb_wait_interrupt(void (*load)(struct task *))
{
	char out[96];
	char *p;
	load_hook = load;
	/* All-stop: gdb says nothing while the machine runs but ^C. */
	while ((p = gdb_recv()) && strcmp(p, "?"))
		;
	if (!p) {
		gdb_active = false;
		gdb.nheld = 0;
		return;
	}
	struct task *t = NULL;
	for (int i = 0; i < gdb.nheld && !t; i++)
		t = find_thread(gdb.held[i], 0);
	if (!t) {
		gdb.nheld = 0;
		return;
	}
	if (load_hook)
		load_hook(t);
	loaded_for_gdb = t;
	gdb.gtid = t->tid;
	gdb.gpid = t->tgid;
	snprintf(out, sizeof(out), "T02thread:%s;", ptid(t)); /* SIGINT */
	gdb_send(out);
	struct task *tp = t;
	gdb.resume = serve(&tp);
	gdb.resume_tid = tp ? tp->tid : 0;
	if (gdb.resume == GDB_NONE)
		gdb.nheld = 0;
}

int gdb_take_resume(struct task **tp)
{
	int what = gdb.resume;
	gdb.resume = GDB_NONE;
	if (what == GDB_STEP) {
		struct task *x = task_find(gdb.resume_tid);
		if (x && x->state == TASK_RUNNING)
			*tp = x;
	}
	return what;
}

void gdb_exited(int status)
{
	char buf[8400];
	struct gdb_event ev;
	if (!gdb_active || gdb.killed) {
		while (gdb_event_pending())
			gdb_event_pop();
		return;
	}
	bool sent = false;
	while (gdb_active && gdb_event_peek(&ev)) {
		gdb_event_pop();
		if (ev.kind != EV_EXIT)
			continue;
		event_reply(&ev, buf, sizeof(buf));
		gdb_send(buf);
		sent = true;
		bool last = true;
		struct gdb_event next;
		for (int k = 0; gdb_event_peek(&next) && next.kind != EV_EXIT && k < 64; k++)
			gdb_event_pop();
		if (gdb_event_peek(&next))
			last = false;
		if (last)
			break;
		struct task *none = NULL;
		if (serve(&none) == GDB_NONE)
			break;
	}
	if (!sent && gdb_active) {
		snprintf(buf, sizeof(buf), "W%02x", status & 0xff);
		gdb_send(buf);
	}
	close(gdb_fd);
	gdb_fd = -1;
	gdb_active = false;
}

int gdb_listen(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 1)) {
		int e = -errno;
		close(s);
		return e;
	}
	fprintf(stderr, "cloneemu: waiting for gdb on 127.0.0.1:%d\n", port);
	gdb_fd = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	close(s);
	if (gdb_fd < 0)
		return -errno;
	setsockopt(gdb_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gdb_active = true;
	gdb_target_init();
	return 0;
}
