#include "kernelmodel/pid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernelmodel/nsproxy.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

#define RESERVED_PIDS 300

static struct pid_namespace init_pid_ns = {
	.refcount = 1, .level = 0, .last_pid = 1, .inum = 0xEFFFFFFCu, /* PROC_PID_INIT_INO */
};

struct pid_namespace *pid_ns_initial(void)
{
	return pid_ns_get(&init_pid_ns);
}

const struct pid_namespace *pid_ns_root(void)
{
	return &init_pid_ns;
}

int pid_max(void)
{
	static int max;
	if (!max) {
		FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
		if (!f || fscanf(f, "%d", &max) != 1 || max < 301 || max > PID_MAX)
			max = 32768;
		if (f)
			fclose(f);
	}
	return max;
}

int pid_ns_set_base(int first)
{
	if (first < 2 || first >= pid_max())
		return -EINVAL;
	init_pid_ns.last_pid = first - 1;
	return 0;
}

struct pid_namespace *pid_ns_create(struct pid_namespace *parent)
{
	if (parent->level + 1 > MAX_PID_NS_LEVEL)
		return NULL;
	struct pid_namespace *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->refcount = 1;
	ns->level = parent->level + 1;
	ns->parent = pid_ns_get(parent);
	ns->inum = ns_alloc_inum();
	return ns;
}

struct pid_namespace *pid_ns_get(struct pid_namespace *ns)
{
	ns->refcount++;
	return ns;
}

void pid_ns_put(struct pid_namespace *ns)
{
	while (ns && ns != &init_pid_ns && --ns->refcount == 0) {
		struct pid_namespace *parent = ns->parent;
		free(ns);
		ns = parent;
	}
	if (ns == &init_pid_ns)
		ns->refcount--;
}

static const struct pid_namespace *ancestor_at(const struct pid_namespace *ns, int level)
{
	while (ns && ns->level > level)
		ns = ns->parent;
	return ns;
}

bool pid_visible(const struct task *t, const struct pid_namespace *ns)
{
	return t->pid_ns && ancestor_at(t->pid_ns, ns->level) == ns;
}

int task_pid_nr_ns(const struct task *t, const struct pid_namespace *ns)
{
	return pid_visible(t, ns) ? t->nr[ns->level] : 0;
}

int task_tgid_nr_ns(const struct task *t, const struct pid_namespace *ns)
{
	if (t->tid == t->tgid)
		return task_pid_nr_ns(t, ns);
	struct task *leader = task_find(t->tgid);
	return leader ? task_pid_nr_ns(leader, ns) : 0;
}

int pid_nr_ns(int global, const struct pid_namespace *ns)
{
	struct task *t = task_find(global);
	if (t)
		return task_pid_nr_ns(t, ns);
	return ns->level == 0 ? global : 0; /* a gone group leader's number */
}

struct task *find_task_by_pid_ns(int nr, const struct pid_namespace *ns)
{
	if (nr <= 0)
		return NULL;
	if (ns->level == 0)
		return task_find(nr);
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t->state != TASK_DEAD && pid_visible(t, ns) && t->nr[ns->level] == nr)
			return t;
	return NULL;
}

int pid_global(int nr, const struct pid_namespace *ns)
{
	if (ns->level == 0)
		return nr;
	struct task *t = find_task_by_pid_ns(nr, ns);
	return t ? t->tid : 0;
}

/* The next free number in @ns: sequential, wrapping at pid_max to
 * RESERVED_PIDS (300) as alloc_pid does once the numbers passed it. */
static int next_nr(struct pid_namespace *ns)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		if (++ns->last_pid >= pid_max())
			ns->last_pid = pid_max() > RESERVED_PIDS + 1 ? RESERVED_PIDS : 2;
		if (!find_task_by_pid_ns(ns->last_pid, ns))
			return ns->last_pid;
	}
	return -EAGAIN;
}

int alloc_pid(struct task *t, struct pid_namespace *ns, const int *set_tid, int nset)
{
	if (ns->dead)
		return -ENOMEM; /* Linux: its init is gone, nobody may enter */
	if (nset > ns->level + 1)
		return -EINVAL;
	int *nr = calloc(ns->level + 1, sizeof(int));
	if (!nr)
		return -ENOMEM;
	int i = 0;
	for (struct pid_namespace *p = ns; p; p = p->parent, i++) {
		bool given = i < nset;
		int want = given ? set_tid[i] : 0;
		int n;
		if (given) {
			/* A chosen pid must be valid, and a namespace without its
			 * init can only be given pid 1 (alloc_pid). */
			if (want < 1 || want >= pid_max() ||
			    (p->level > 0 && !p->child_reaper && want != 1)) {
				free(nr);
				return -EINVAL;
			}
			if (find_task_by_pid_ns(want, p)) {
				free(nr);
				return -EEXIST;
			}
			n = want;
		} else if (p->level > 0 && !p->child_reaper && p->last_pid == 0) {
			n = 1; /* the first task of a new namespace is its init */
			p->last_pid = 1;
		} else {
			n = next_nr(p);
		}
		if (n < 0) {
			free(nr);
			return n;
		}
		nr[p->level] = n;
	}
	free(t->nr);
	t->nr = nr;
	t->tid = nr[0];
	if (t->pid_ns != ns) {
		pid_ns_put(t->pid_ns);
		t->pid_ns = pid_ns_get(ns);
	}
	if (ns->level > 0 && nr[ns->level] == 1 && !ns->child_reaper)
		ns->child_reaper = t;
	return 0;
}
