/* Inspection: the task tree and the kernel objects tasks share, as text or
 * as a Graphviz graph. Objects are numbered in order of first appearance
 * (walking tasks in creation order), so the same run prints the same names. */
#include "emu/inspect.h"

#include <stdio.h>
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

void inspect_print(FILE *out)
{
	static struct obj_table tab;
	memset(&tab, 0, sizeof(tab));
	fprintf(out, "cloneemu: tasks (tid pid ppid state comm, waits on, objects):\n");
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		if (t->state == TASK_DEAD)
			continue;
		fprintf(out, "  tid %d pid %d ppid %d %-8s %-15s", t->tid, t->tgid, ppid_global(t),
			task_state_name(t->state), t->comm);
		if (t->state == TASK_INTERRUPTIBLE && t->wait_why)
			fprintf(out, " [%s]", t->wait_why);
		for (int k = 0; k < OBJ_KINDS; k++) {
			int id = obj_id(&tab, k, task_obj(t, k));
			if (id)
				fprintf(out, " %s#%d", kind_name[k], id);
		}
		if (t->pid_ns && t->pid_ns->level)
			fprintf(out, " pidns-level %d (pid %d there)", t->pid_ns->level,
				task_pid_nr_ns(t, t->pid_ns));
		fputc('\n', out);
	}
	fprintf(out, "cloneemu: shared objects (references, the tasks holding them):\n");
	for (int k = 0; k < OBJ_KINDS; k++)
		for (int i = 0; i < tab.n[k]; i++) {
			const void *p = tab.p[k][i];
			fprintf(out, "  %s#%d refs %d:", kind_name[k], i + 1, obj_refs(k, p));
			for (struct task *t = task_next(NULL); t; t = task_next(t))
				if (t->state != TASK_DEAD && task_obj(t, k) == p)
					fprintf(out, " %d", t->tid);
			if (k == OBJ_MM) {
				uint64_t res, cop;
				mm_figures(p, &res, &cop);
				fprintf(out, "  (%llu pages resident, %llu copied on write)",
					(unsigned long long)res, (unsigned long long)cop);
			}
			fputc('\n', out);
		}
	struct frame_stats fs = frames_stats();
	fprintf(out,
		"cloneemu: frames in use %llu (peak %llu), copy-on-write copies %llu, "
		"taken over %llu\n",
		(unsigned long long)fs.in_use, (unsigned long long)fs.peak_in_use,
		(unsigned long long)fs.cow_copies, (unsigned long long)fs.cow_reuses);
}

void inspect_dot(FILE *out)
{
	static struct obj_table tab;
	memset(&tab, 0, sizeof(tab));
	fprintf(out, "digraph cloneemu {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		if (t->state == TASK_DEAD)
			continue;
		fprintf(out, "  t%d [shape=box, label=\"tid %d (pid %d)\\n%s\\n%s\"];\n", t->tid,
			t->tid, t->tgid, t->comm, task_state_name(t->state));
		if (t->parent && t->parent->state != TASK_DEAD)
			fprintf(out, "  t%d -> t%d [style=dashed, label=\"parent\"];\n", t->tid,
				t->parent->tid);
		for (int k = 0; k < OBJ_KINDS; k++) {
			const void *p = task_obj(t, k);
			int id = obj_id(&tab, k, p);
			if (id)
				fprintf(out, "  t%d -> %s%d;\n", t->tid, kind_name[k], id);
		}
	}
	for (int k = 0; k < OBJ_KINDS; k++)
		for (int i = 0; i < tab.n[k]; i++)
			fprintf(out, "  %s%d [shape=ellipse, label=\"%s#%d\\nrefs %d\"];\n",
				kind_name[k], i + 1, kind_name[k], i + 1, obj_refs(k, tab.p[k][i]));
	fprintf(out, "}\n");
}
