/* Nested epoll instances (fs/eventpoll.c's ep_loop_check): adding an epoll
 * to one it (transitively) watches is ELOOP, before EEXIST; so is a chain
 * of nested instances deeper than EP_MAX_NESTS (4), counted both below the
 * added instance and above the one it is added to. stress-ng --epoll checks
 * the first. Prints what each EPOLL_CTL_ADD returned. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static void add(const char *what, int ep, int fd)
{
	struct epoll_event ev = {EPOLLIN | EPOLLET, {.fd = fd}};
	int r = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	const char *e = errno == ELOOP ? "ELOOP" : errno == EEXIST ? "EEXIST" : errno == EINVAL ? "EINVAL" : "other";
	if (r == 0)
		printf("%-34s ok\n", what);
	else
		printf("%-34s %s (%d)\n", what, e, errno);
}

int main(void)
{
	int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0);
	add("a watches b", a, b);
	add("b watches a (loop)", b, a);
	add("a watches b again", a, b);
	add("b watches c", b, c);
	add("c watches a (loop of three)", c, a);
	add("c watches c (itself)", c, c);

	/* A chain e[0] <- e[1] <- ... : e[i+1] watches e[i]. */
	int e[8];
	for (int i = 0; i < 8; i++)
		e[i] = epoll_create1(0);
	for (int i = 0; i + 1 < 8; i++) {
		char what[64];
		snprintf(what, sizeof(what), "chain: e%d watches e%d", i + 1, i);
		add(what, e[i + 1], e[i]);
	}
	/* Joining two chains in the middle: depth above plus depth below. */
	int u[4], d[4];
	for (int i = 0; i < 4; i++) {
		u[i] = epoll_create1(0);
		d[i] = epoll_create1(0);
	}
	add("u1 watches u0", u[1], u[0]);
	add("u2 watches u1", u[2], u[1]);
	add("d0 watches d1", d[0], d[1]);
	add("d1 watches d2", d[1], d[2]);
	add("u0 watches d0 (depth 5)", u[0], d[0]);
	add("u1 watches d1 (depth 4)", u[1], d[1]);
	int p[2];
	pipe(p);
	add("d2 watches a pipe", d[2], p[0]);
	add("u2 watches the pipe", u[2], p[0]);
	close(b);
	add("after close(b): c watches a", c, a);
	return 0;
}
