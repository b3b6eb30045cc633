/* struct eventpoll: an epoll instance (fs/eventpoll.c) — the interest list
 * of (file, fd, events, data). Items do not hold their file: when a file's
 * last reference goes, it leaves every interest list, as on Linux. */
#ifndef KERNELMODEL_EVENTPOLL_H
#define KERNELMODEL_EVENTPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct file;

struct epitem {
	struct file *file;
	int fd;
	uint32_t events; /* EPOLLIN ... | EPOLLET | EPOLLONESHOT */
	uint64_t data;
	uint64_t seen_gen; /* EPOLLET: the file's generation when last reported */
	bool disabled;     /* EPOLLONESHOT fired, until EPOLL_CTL_MOD */
};

struct eventpoll {
	struct epitem *items;
	int n, cap;
	struct eventpoll *next; /* all instances, for eventpoll_file_released */
	uint64_t loop_gen;      /* ep_loop_check's visit mark and result */
	int loop_depth;
};

struct eventpoll *eventpoll_alloc(void);
void eventpoll_free(struct eventpoll *ep);
struct epitem *eventpoll_find(struct eventpoll *ep, struct file *f, int fd);
/* Returns 0, -EEXIST or -ENOMEM. */
int eventpoll_add(struct eventpoll *ep, struct file *f, int fd, uint32_t events, uint64_t data);
/* ep_loop_check (EPOLL_CTL_ADD of the epoll @to into @ep): -ELOOP when
 * @ep is reachable from @to, or when the chain of nested epoll instances
 * through the new link would be deeper than EP_MAX_NESTS (4); else 0. */
int eventpoll_loop_check(struct eventpoll *ep, struct eventpoll *to);
void eventpoll_del(struct eventpoll *ep, struct epitem *it);
/* @f is being freed: drop it from every interest list. */
void eventpoll_file_released(struct file *f);

#endif
