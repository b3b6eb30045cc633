/* Inspection: every task of the run, the kernel objects live tasks share
 * and the pipes and sockets between tasks, as text or as a Graphviz graph.
 * Objects are numbered in order of first appearance (walking tasks in
 * creation order), so the same run prints the same names. */
#include "emu/inspect.h"

#include "emu/observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

enum obj_kind { OBJ_MM, OBJ_FILES, OBJ_FS, OBJ_SIGHAND, OBJ_SIGNAL, OBJ_NSPROXY, OBJ_KINDS };
static const char *const kind_name[OBJ_KINDS] = {"mm", "files", "fs", "sighand", "signal",
						   "nsproxy"};

#define MAX_OBJS 4096

struct obj_table {
	const void *p[OBJ_KINDS][MAX_OBJS];
	int n[OBJ_KINDS];
};

static int obj_id(struct obj_table *tab, enum obj_kind k, const void *p)
{
	if (!p)
		return 0;
	for (int i = 0; i < tab->n[k]; i++)
		if (tab->p[k][i] == p)
			return i + 1;
	if (tab->n[k] == MAX_OBJS)
		return 0;
	tab->p[k][tab->n[k]++] = p;
	return tab->n[k];
}

static const void *task_obj(const struct task *t, enum obj_kind k)
{
	switch (k) {
	case OBJ_MM:
		return t->mm;
	case OBJ_FILES:
		return t->files;
	case OBJ_FS:
		return t->fs;
	case OBJ_SIGHAND:
		return t->sighand;
	case OBJ_SIGNAL:
		return t->signal;
	default:
		return t->nsproxy;
	}
}

static int obj_refs(enum obj_kind k, const void *p)
{
	switch (k) {
	case OBJ_MM:
		return ((const struct mm *)p)->refcount;
	case OBJ_FILES:
		return ((const struct files *)p)->refcount;
	case OBJ_FS:
		return ((const struct fs *)p)->refcount;
	case OBJ_SIGHAND:
		return ((const struct sighand *)p)->refcount;
	case OBJ_SIGNAL:
		return ((const struct signal_struct *)p)->refcount;
	default:
		return ((const struct nsproxy *)p)->refcount;
	}
}

static int ppid_global(const struct task *t)
{
	return t->parent ? t->parent->tgid : 1;
}

/* Pages of @mm whose frame another mm maps too (copy-on-write or shared). */
static void mm_figures(const struct mm *mm, uint64_t *resident, uint64_t *copied)
{
	*resident = mm_resident_pages(mm);
	*copied = mm->pages_copied;
}

/* The tasks to show: the record of the run when there is one, else the
 * live tasks. @i counts from 0; NULL past the end. *@o: the record. */
static struct task *nth_task(size_t i, struct task **cursor, const struct obs_task **o)
{
	if (obs_count()) {
		*o = obs_get((uint32_t)i + 1);
		return *o ? (*o)->t : NULL;
	}
	*o = NULL;
	*cursor = *cursor ? task_next(*cursor) : task_next(NULL);
	while (*cursor && (*cursor)->state == TASK_DEAD)
		*cursor = task_next(*cursor);
	return *cursor;
}

#define FOR_EACH_SHOWN(i, t, o, cur)                                                              \
	for (size_t i = 0; (t = nth_task(i, &cur, &o)) || o; i++)

static void print_task_line(FILE *out, struct obj_table *tab, struct task *t,
			    const struct obs_task *o)
{
	if (!t) {
		char st[64];
		obs_status_text(o->status, st, sizeof(st));
		fprintf(out, "  tid %d pid %d ppid %d %-8s %-15s %s at %llu.%03llu ms\n", o->tid,
			o->tgid, o->ppid, "ended", o->comm, st,
			(unsigned long long)(o->end_ns / 1000000),
			(unsigned long long)(o->end_ns / 1000 % 1000));
		return;
	}
	fprintf(out, "  tid %d pid %d ppid %d %-8s %-15s", t->tid, t->tgid, ppid_global(t),
		task_state_name(t->state), t->comm);
	if (t->state == TASK_INTERRUPTIBLE) {
		char what[256];
		inspect_describe_wait(t, what, sizeof(what));
		fprintf(out, " [%s%s%s]", t->wait_why ? t->wait_why : "?", what[0] ? ": " : "", what);
	}
	for (int k = 0; k < OBJ_KINDS; k++) {
		int id = obj_id(tab, k, task_obj(t, k));
		if (id)
			fprintf(out, " %s#%d", kind_name[k], id);
	}
	if (t->pid_ns && t->pid_ns->level)
		fprintf(out, " pidns-level %d (pid %d there)", t->pid_ns->level,
			task_pid_nr_ns(t, t->pid_ns));
	fputc('\n', out);
}

static const char *const io_kind[] = {"pipe", "socket"};

/* The data edges: for each object, its writers then its readers. */
static void print_io(FILE *out)
{
	size_t n;
	const struct io_rec *r = inspect_io_records(&n);
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		/* Each object once, at its first record. */
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = !(r[j].kind == r[i].kind && r[j].ino == r[i].ino);
		if (!first)
			continue;
		bool w = false, rd = false;
		for (size_t j = i; j < n; j++)
			if (r[j].kind == r[i].kind && r[j].ino == r[i].ino) {
				if (r[j].dir)
					w = true;
				else
					rd = true;
			}
		if (!w || !rd)
			continue; /* data went one way only: no edge */
		if (!any)
			fprintf(out, "cloneemu: data through pipes and sockets (writers -> readers):\n");
		any = true;
		fprintf(out, "  %s:[%llu]:", io_kind[r[i].kind], (unsigned long long)r[i].ino);
		for (int dir = 1; dir >= 0; dir--) {
			const char *sep = " ";
			for (size_t j = i; j < n; j++) {
				if (r[j].kind != r[i].kind || r[j].ino != r[i].ino || r[j].dir != dir)
					continue;
				const struct obs_task *o = obs_get(r[j].obs);
				fprintf(out, "%stid %d (pid %d, %s) %s %llu", sep, o->tid, o->tgid, o->comm,
					dir ? "wrote" : "read", (unsigned long long)r[j].bytes);
				sep = ", ";
			}
			if (dir)
				fprintf(out, " ->");
		}
		fputc('\n', out);
	}
}

struct held_ctx {
	FILE *out;
	bool any;
};

static void print_held(void *ctx, const struct task *t, int fd, int kind, uint64_t ino,
		       uint64_t peer, bool write_end)
{
	struct held_ctx *h = ctx;
	if (!h->any)
		fprintf(h->out, "cloneemu: pipes and sockets open in live processes:\n");
	h->any = true;
	fprintf(h->out, "  pid %d fd %d: %s:[%llu]", t->tgid, fd, io_kind[kind],
		(unsigned long long)ino);
	if (kind == IO_PIPE)
		fprintf(h->out, " %s end", write_end ? "write" : "read");
	else if (peer)
		fprintf(h->out, " (peer socket:[%llu])", (unsigned long long)peer);
	fputc('\n', h->out);
}

void inspect_print(FILE *out)
{
	static struct obj_table tab;
	memset(&tab, 0, sizeof(tab));
	struct task *t, *cur = NULL;
	const struct obs_task *o;
	fprintf(out, "cloneemu: tasks (tid pid ppid state comm, waits on, objects%s):\n",
		obs_count() ? "; every task of the run" : "");
	FOR_EACH_SHOWN(i, t, o, cur)
		print_task_line(out, &tab, t, o);
	bool objects = false;
	for (int k = 0; k < OBJ_KINDS; k++)
		objects |= tab.n[k] > 0;
	if (objects)
		fprintf(out, "cloneemu: shared objects (references, the tasks holding them):\n");
	for (int k = 0; k < OBJ_KINDS; k++)
		for (int i = 0; i < tab.n[k]; i++) {
			const void *p = tab.p[k][i];
			fprintf(out, "  %s#%d refs %d:", kind_name[k], i + 1, obj_refs(k, p));
			for (struct task *h = task_next(NULL); h; h = task_next(h))
				if (task_is_alive(h) && task_obj(h, k) == p)
					fprintf(out, " %d", h->tid);
			if (k == OBJ_MM) {
				uint64_t res, cop;
				mm_figures(p, &res, &cop);
				fprintf(out, "  (%llu pages resident, %llu copied on write)",
					(unsigned long long)res, (unsigned long long)cop);
			}
			fputc('\n', out);
		}
	print_io(out);
	struct held_ctx h = {out, false};
	inspect_held_ends(print_held, &h);
	struct frame_stats fs = frames_stats();
	fprintf(out,
		"cloneemu: frames in use %llu (peak %llu), copy-on-write copies %llu, "
		"taken over %llu\n",
		(unsigned long long)fs.in_use, (unsigned long long)fs.peak_in_use,
		(unsigned long long)fs.cow_copies, (unsigned long long)fs.cow_reuses);
}

/* ---- Graphviz ---- */

/* A graph node name for a task: its record's number, else its tid. */
static void node_name(const struct task *t, const struct obs_task *o, char *buf, size_t len)
{
	if (o)
		snprintf(buf, len, "task%u", (unsigned)(o - obs_get(1) + 1));
	else
		snprintf(buf, len, "tid%d", t->tid);
}

/* The record of the process (leader) with pid @tgid shown last, or 0. */
static uint32_t obs_leader(int tgid)
{
	for (uint32_t id = obs_count(); id >= 1; id--) {
		const struct obs_task *o = obs_get(id);
		if (o->tid == tgid && o->tgid == tgid)
			return id;
	}
	return 0;
}

/* A Graphviz string: valid UTF-8 as it is, other bytes as \xNN. */
static void dot_escape(FILE *out, const char *s)
{
	size_t end = strlen(s);
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)s[i];
		int u = c > 0x7e ? obs_utf8_len((const unsigned char *)s + i, end - i) : 0;
		if (u) {
			fprintf(out, "%.*s", u, s + i);
			i += (size_t)u - 1;
		} else if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", c);
		} else if (c < 0x20 || c > 0x7e) {
			fprintf(out, "\\\\x%02x", c);
		} else {
			fputc(c, out);
		}
	}
}

static void dot_task(FILE *out, struct task *t, const struct obs_task *o)
{
	char name[32], st[64];
	node_name(t, o, name, sizeof(name));
	int tid = t ? t->tid : o->tid;
	fprintf(out, "    %s [shape=box, label=\"tid %d\\n", name, tid);
	dot_escape(out, t ? t->comm : o->comm);
	if (t) {
		fprintf(out, "\\n%s", task_state_name(t->state));
		if (t->state == TASK_INTERRUPTIBLE) {
			char what[256];
			inspect_describe_wait(t, what, sizeof(what));
			fprintf(out, "\\n");
			dot_escape(out, what[0] ? what : t->wait_why ? t->wait_why : "?");
		}
	} else {
		obs_status_text(o->status, st, sizeof(st));
		fprintf(out, "\\n%s", st);
	}
	fprintf(out, "\"%s];\n", t ? "" : ", style=dashed");
}

struct dot_held {
	FILE *out;
	struct { int kind; uint64_t ino, peer; int tgid; bool w; } *v;
	size_t n, cap;
};

static void collect_held(void *ctx, const struct task *t, int fd, int kind, uint64_t ino,
			 uint64_t peer, bool write_end)
{
	(void)fd;
	struct dot_held *h = ctx;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		void *v = realloc(h->v, cap * sizeof(*h->v));
		if (!v)
			return;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n].kind = kind;
	h->v[h->n].ino = ino;
	h->v[h->n].peer = peer;
	h->v[h->n].tgid = t->tgid;
	h->v[h->n].w = write_end;
	h->n++;
}

/* The node standing for live process @tgid: its first live task. */
static void process_node(int tgid, char *buf, size_t len)
{
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t->tgid == tgid && task_is_alive(t)) {
			node_name(t, obs_of(t), buf, len);
			return;
		}
	buf[0] = 0;
}

static void dot_held_edges(FILE *out)
{
	struct dot_held h = {out, NULL, 0, 0};
	inspect_held_ends(collect_held, &h);
	for (size_t i = 0; i < h.n; i++)
		for (size_t j = 0; j < h.n; j++) {
			if (h.v[i].tgid == h.v[j].tgid || h.v[i].kind != h.v[j].kind)
				continue;
			bool edge = h.v[i].kind == IO_PIPE
					    ? h.v[i].ino == h.v[j].ino && h.v[i].w && !h.v[j].w
					    : h.v[i].peer == h.v[j].ino && h.v[i].ino < h.v[j].ino;
			if (!edge)
				continue;
			char a[32], b[32];
			process_node(h.v[i].tgid, a, sizeof(a));
			process_node(h.v[j].tgid, b, sizeof(b));
			if (a[0] && b[0])
				fprintf(out,
					"  %s -> %s [style=dotted, %slabel=\"%s:[%llu] open\"];\n", a,
					b, h.v[i].kind == IO_SOCKET ? "dir=both, " : "",
					io_kind[h.v[i].kind], (unsigned long long)h.v[i].ino);
		}
	free(h.v);
}

static void dot_io_edges(FILE *out)
{
	size_t n;
	const struct io_rec *r = inspect_io_records(&n);
	for (size_t i = 0; i < n; i++) {
		if (!r[i].dir)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (r[j].dir || r[j].kind != r[i].kind || r[j].ino != r[i].ino ||
			    r[j].obs == r[i].obs)
				continue;
			fprintf(out, "  task%u -> task%u [color=blue, label=\"%s:[%llu]\\n%llu B\"];\n",
				r[i].obs, r[j].obs, io_kind[r[i].kind], (unsigned long long)r[i].ino,
				(unsigned long long)r[j].bytes);
		}
	}
}

void inspect_dot(FILE *out)
{
	static struct obj_table tab;
	memset(&tab, 0, sizeof(tab));
	struct task *t, *cur = NULL;
	const struct obs_task *o;
	fprintf(out, "digraph cloneemu {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n"
		     "  edge [fontname=\"monospace\", fontsize=10];\n");
	/* A cluster per thread group, in order of the groups' first task. */
	struct shown { struct task *t; const struct obs_task *o; int tgid; size_t idx; } *v = NULL;
	size_t nv = 0, capv = 0;
	FOR_EACH_SHOWN(i, t, o, cur) {
		if (nv == capv) {
			capv = capv ? capv * 2 : 64;
			struct shown *nvp = realloc(v, capv * sizeof(*v));
			if (!nvp)
				break;
			v = nvp;
		}
		v[nv++] = (struct shown){t, o, t ? t->tgid : o->tgid, i};
	}
	/* Stable sort by the group's first appearance (insertion sort on
	 * the index of each group's first member). */
	for (size_t i = 0; i < nv; i++) {
		size_t first = i;
		for (size_t j = 0; j < i; j++)
			if (v[j].tgid == v[i].tgid) {
				first = v[j].idx;
				break;
			}
		v[i].idx = first;
	}
	for (size_t i = 1; i < nv; i++)
		for (size_t j = i; j > 0 && v[j - 1].idx > v[j].idx; j--) {
			struct shown tmp = v[j];
			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	for (size_t i = 0; i < nv; i++) {
		if (!i || v[i].tgid != v[i - 1].tgid) {
			fprintf(out, "  subgraph cluster_pid%d {\n    label=\"pid %d ", v[i].tgid,
				v[i].tgid);
			dot_escape(out, v[i].t ? v[i].t->comm : v[i].o->comm);
			fprintf(out, "\";\n");
		}
		dot_task(out, v[i].t, v[i].o);
		if (i + 1 == nv || v[i + 1].tgid != v[i].tgid)
			fprintf(out, "  }\n");
	}
	free(v);
	/* Parent edges, process to process; objects of the live tasks. */
	cur = NULL;
	FOR_EACH_SHOWN(i, t, o, cur) {
		char name[32];
		node_name(t, o, name, sizeof(name));
		int tid = t ? t->tid : o->tid, tgid = t ? t->tgid : o->tgid;
		if (tid == tgid) {
			int ppid = t ? ppid_global(t) : o->ppid;
			uint32_t p = obs_count() ? obs_leader(ppid) : 0;
			struct task *pt = obs_count() ? NULL : task_find(ppid);
			if (p)
				fprintf(out, "  %s -> task%u [style=dashed, label=\"parent\"];\n", name, p);
			else if (pt)
				fprintf(out, "  %s -> tid%d [style=dashed, label=\"parent\"];\n", name,
					pt->tid);
		}
		if (!t || !task_is_alive(t))
			continue;
		for (int k = 0; k < OBJ_KINDS; k++) {
			int id = obj_id(&tab, k, task_obj(t, k));
			if (id)
				fprintf(out, "  %s -> %s%d;\n", name, kind_name[k], id);
		}
	}
	for (int k = 0; k < OBJ_KINDS; k++)
		for (int i = 0; i < tab.n[k]; i++)
			fprintf(out, "  %s%d [shape=ellipse, label=\"%s#%d\\nrefs %d\"];\n",
				kind_name[k], i + 1, kind_name[k], i + 1, obj_refs(k, tab.p[k][i]));
	dot_io_edges(out);
	dot_held_edges(out);
	fprintf(out, "}\n");
}
