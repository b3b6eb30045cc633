#include "kernelmodel/eventpoll.h"

#include <errno.h>
#include <stdlib.h>

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
