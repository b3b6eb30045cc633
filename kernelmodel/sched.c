#include "kernelmodel/sched.h"

#include <stdlib.h>

#include "kernelmodel/task.h"

/* Tasks in creation order, so iteration and round robin are deterministic. */
static struct {
	struct task **v;
	size_t n, cap;
} tasks;

void sched_add(struct task *t)
{
	if (tasks.n == tasks.cap) {
		size_t cap = tasks.cap ? tasks.cap * 2 : 16;
		struct task **v = realloc(tasks.v, cap * sizeof(*v));
		if (!v)
			abort(); /* a few bytes per task: treat as fatal like the kernel's panic */
		tasks.v = v;
		tasks.cap = cap;
	}
	tasks.v[tasks.n++] = t;
}

void sched_remove(struct task *t)
{
	for (size_t i = 0; i < tasks.n; i++) {
		if (tasks.v[i] != t)
			continue;
		for (size_t j = i + 1; j < tasks.n; j++)
			tasks.v[j - 1] = tasks.v[j];
		tasks.n--;
		task_put(t);
		break;
	}
	if (!tasks.n) {
		free(tasks.v);
		tasks.v = NULL;
		tasks.cap = 0;
	}
}

struct task *sched_pick_next(struct task *prev)
{
	size_t start = 0;
	for (size_t i = 0; prev && i < tasks.n; i++)
		if (tasks.v[i] == prev)
			start = i + 1;
	for (size_t k = 0; k < tasks.n; k++) {
		struct task *t = tasks.v[(start + k) % tasks.n];
		if (t->state == TASK_RUNNING)
			return t;
	}
	return NULL;
}

struct task *task_find(int tid)
{
	for (size_t i = 0; i < tasks.n; i++)
		if (tasks.v[i]->tid == tid && tasks.v[i]->state != TASK_DEAD)
			return tasks.v[i];
	return NULL;
}

struct task *task_next(struct task *t)
{
	if (!t)
		return tasks.n ? tasks.v[0] : NULL;
	for (size_t i = 0; i + 1 < tasks.n; i++)
		if (tasks.v[i] == t)
			return tasks.v[i + 1];
	return NULL;
}
