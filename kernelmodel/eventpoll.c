#include "kernelmodel/eventpoll.h"

#include <errno.h>
#include <stdlib.h>

#include "kernelmodel/files.h"

static struct eventpoll *all;

struct eventpoll *eventpoll_alloc(void)
{
	struct eventpoll *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->next = all;
	all = ep;
	return ep;
}

void eventpoll_free(struct eventpoll *ep)
{
	for (struct eventpoll **p = &all; *p; p = &(*p)->next)
		if (*p == ep) {
			*p = ep->next;
			break;
		}
	free(ep->items);
	free(ep);
}

struct epitem *eventpoll_find(struct eventpoll *ep, struct file *f, int fd)
{
	for (int i = 0; i < ep->n; i++)
		if (ep->items[i].file == f && ep->items[i].fd == fd)
			return &ep->items[i];
	return NULL;
}

int eventpoll_add(struct eventpoll *ep, struct file *f, int fd, uint32_t events, uint64_t data)
{
	if (eventpoll_find(ep, f, fd))
		return -EEXIST;
	if (ep->n == ep->cap) {
		int cap = ep->cap ? ep->cap * 2 : 8;
		struct epitem *v = realloc(ep->items, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ep->items = v;
		ep->cap = cap;
	}
	ep->items[ep->n++] = (struct epitem){f, fd, events, data, (uint64_t)-1, false};
	return 0;
}

#define EP_MAX_NESTS 4

static uint64_t loop_check_gen;
static struct eventpoll *inserting_into;

/* ep_loop_check_proc: the depth of the tree of epoll instances below @ep
 * (more than EP_MAX_NESTS for a loop back to inserting_into or a path too
 * deep). */
static int loop_check_proc(struct eventpoll *ep, int depth)
{
	if (ep->loop_gen == loop_check_gen)
		return ep->loop_depth;
	ep->loop_gen = loop_check_gen;
	int result = 0;
	for (int i = 0; i < ep->n; i++) {
		struct file *f = ep->items[i].file;
		if (f->kind != FILE_EPOLL)
			continue;
		int d = f->ep == inserting_into || depth > EP_MAX_NESTS
				? EP_MAX_NESTS + 1
				: loop_check_proc(f->ep, depth + 1) + 1;
		if (d > result)
			result = d;
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->loop_depth = result;
	return result;
}

/* ep_get_upwards_depth_proc: how many epoll instances watch @ep, nested. */
static int upwards_depth(struct eventpoll *ep, int depth)
{
	int result = 0;
	if (depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 1;
	for (struct eventpoll *up = all; up && result <= EP_MAX_NESTS; up = up->next)
		for (int i = 0; i < up->n; i++) {
			struct file *f = up->items[i].file;
			if (f->kind == FILE_EPOLL && f->ep == ep) {
				int d = upwards_depth(up, depth + 1) + 1;
				if (d > result)
					result = d;
				break;
			}
		}
	return result;
}

int eventpoll_loop_check(struct eventpoll *ep, struct eventpoll *to)
{
	loop_check_gen++;
	inserting_into = ep;
	int depth = loop_check_proc(to, 0);
	if (depth > EP_MAX_NESTS)
		return -ELOOP;
	return depth + 1 + upwards_depth(ep, 0) > EP_MAX_NESTS ? -ELOOP : 0;
}

void eventpoll_del(struct eventpoll *ep, struct epitem *it)
{
	*it = ep->items[--ep->n];
}

void eventpoll_file_released(struct file *f)
{
	for (struct eventpoll *ep = all; ep; ep = ep->next)
		for (int i = 0; i < ep->n;)
			if (ep->items[i].file == f)
				eventpoll_del(ep, &ep->items[i]);
			else
				i++;
}
