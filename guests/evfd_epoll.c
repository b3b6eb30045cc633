/* eventfd in epoll (edge- and level-triggered, EPOLLONESHOT), select and
 * poll, woken by a write from another process. */
#include "guest_check.h"

#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static int ready(int ep)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);
	return n == 1 ? (int)ev[0].data.u32 * 1000 + (int)(ev[0].events & 0xff) : n;
}

int main(void)
{
	uint64_t v = 1;
	int efd = eventfd(0, EFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	need(efd >= 0 && ep >= 0, 1, "eventfd, epoll_create1");
	struct epoll_event ev = {EPOLLIN | EPOLLET, {.u32 = 7}};
	expect_eq(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), 0, 2, "add edge-triggered");
	expect_eq(ready(ep), 0, 3, "nothing yet");
	write(efd, &v, 8);
	expect_eq(ready(ep), 7000 + EPOLLIN, 4, "ET: readable after a write");
	expect_eq(ready(ep), 0, 5, "ET: not again without a change");
	write(efd, &v, 8);
	expect_eq(ready(ep), 7000 + EPOLLIN, 6, "ET: again after another write");
	read(efd, &v, 8);
	expect_eq(ready(ep), 0, 7, "ET: drained");

	ev.events = EPOLLIN;
	expect_eq(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), 0, 8, "mod to level-triggered");
	v = 3;
	write(efd, &v, 8);
	expect_eq(ready(ep), 7000 + EPOLLIN, 9, "LT: readable");
	expect_eq(ready(ep), 7000 + EPOLLIN, 10, "LT: still readable");
	ev.events = EPOLLIN | EPOLLOUT | EPOLLONESHOT;
	expect_eq(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), 0, 11, "mod to oneshot");
	expect_eq(ready(ep), 7000 + (EPOLLIN | EPOLLOUT), 12, "oneshot: in and out");
	expect_eq(ready(ep), 0, 13, "oneshot: disabled");
	read(efd, &v, 8);

	fd_set rs, ws;
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(efd, &rs);
	FD_SET(efd, &ws);
	struct timeval tv = {0, 0};
	expect_eq(select(efd + 1, &rs, &ws, NULL, &tv), 1, 14, "select: writable only");
	expect_eq(FD_ISSET(efd, &ws) && !FD_ISSET(efd, &rs), 1, 15, "select bits");

	/* EPOLLEXCLUSIVE: ADD only, not with EPOLLONESHOT. */
	int x = eventfd(0, EFD_NONBLOCK);
	struct epoll_event xev = {EPOLLIN | EPOLLEXCLUSIVE, {.u32 = 9}};
	expect_eq(epoll_ctl(ep, EPOLL_CTL_ADD, x, &xev), 0, 30, "add EPOLLEXCLUSIVE");
	errno = 0;
	expect_eq(epoll_ctl(ep, EPOLL_CTL_MOD, x, &xev), -1, 31, "mod with EPOLLEXCLUSIVE");
	expect_eq(errno, EINVAL, 32, "EINVAL");
	xev.events = EPOLLIN;
	errno = 0;
	expect_eq(epoll_ctl(ep, EPOLL_CTL_MOD, x, &xev), -1, 33, "mod of an exclusive item");
	expect_eq(errno, EINVAL, 34, "EINVAL");
	epoll_ctl(ep, EPOLL_CTL_DEL, x, NULL);
	xev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	errno = 0;
	expect_eq(epoll_ctl(ep, EPOLL_CTL_ADD, x, &xev), -1, 35, "exclusive with oneshot");
	expect_eq(errno, EINVAL, 36, "EINVAL");
	close(x);

	/* A child writes after a while; the parent sleeps in epoll_wait. */
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev);
	pid_t pid = guest_fork();
	if (pid == 0) {
		usleep(20000);
		uint64_t c = 42;
		_exit(write(efd, &c, 8) == 8 ? 0 : 1);
	}
	struct epoll_event got;
	int n = epoll_wait(ep, &got, 1, 5000);
	expect_eq(n, 1, 16, "epoll_wait woken by the child's write");
	expect_eq(read(efd, &v, 8), 8, 17, "read");
	expect_eq((long)v, 42, 18, "child's value");
	expect_status(pid, "exited 0", 19, "child");

	/* poll blocking on a blocking eventfd, woken by a child. */
	int b = eventfd(0, 0);
	pid = guest_fork();
	if (pid == 0) {
		usleep(10000);
		uint64_t c = 1;
		_exit(write(b, &c, 8) == 8 ? 0 : 1);
	}
	struct pollfd p = {b, POLLIN, 0};
	expect_eq(poll(&p, 1, 5000), 1, 20, "poll woken");
	expect_eq(p.revents, POLLIN, 21, "POLLIN");
	expect_status(pid, "exited 0", 22, "child 2");
	return guest_finish();
}
