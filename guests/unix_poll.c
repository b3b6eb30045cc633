/*
 * unix_poll: readiness of AF_UNIX sockets in poll, select and epoll.
 *
 *   - a fresh pair: OUT only; after a write the peer is IN|OUT
 *   - shutdown(SHUT_WR): the peer is IN|OUT|RDHUP (EOF to read);
 *     both directions shut: HUP too
 *   - the peer closed with data we never read: IN|OUT|ERR|HUP|RDHUP
 *   - an unconnected stream socket: OUT|HUP; a datagram one: OUT;
 *     a listener: nothing until a connection waits, then IN
 *   - a blocking poll wakes when a forked child writes
 *   - select: readable/writable sets as poll says
 *   - epoll: EPOLLIN level-triggered reports again; EPOLLET once per
 *     arrival; EPOLLRDHUP when the peer closes; EPOLLONESHOT
 */
#include "unix_check.h"

#include <sys/epoll.h>
#include <sys/select.h>

static void report(const char *what, int fd)
{
	printf("%s: %s\n", what, poll_str(poll_now(fd, POLLIN | POLLOUT | POLLRDHUP)));
}

static void pairs(void)
{
	int sv[2];
	char buf[16];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	report("fresh pair", sv[0]);
	write(sv[0], "abc", 3);
	report("peer after a write", sv[1]);
	read(sv[1], buf, sizeof(buf));
	report("peer after reading it", sv[1]);
	shutdown(sv[0], SHUT_WR);
	report("peer after SHUT_WR", sv[1]);
	report("the SHUT_WR side", sv[0]);
	shutdown(sv[1], SHUT_WR);
	report("both directions shut", sv[0]);
	close(sv[0]);
	close(sv[1]);

	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	write(sv[0], "never read", 10);
	close(sv[1]);
	report("peer closed with our data unread", sv[0]);
	close(sv[0]);

	need(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, 91, "socketpair");
	close(sv[1]);
	report("seqpacket, peer closed", sv[0]);
	close(sv[0]);

	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	report("unconnected stream socket", u);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	report("unconnected datagram socket", d);
	struct sockaddr_un a;
	socklen_t al = un_path(&a, "poll.sock");
	bind(u, (struct sockaddr *)&a, al);
	listen(u, 1);
	report("listener, nobody waiting", u);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, al);
	report("listener with a connection waiting", u);
	report("the connected client", c);
	close(c);
	close(u);
	close(d);
}

static void blocking_poll_and_select(void)
{
	int sv[2];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	pid_t pid = guest_fork();
	if (pid == 0) {
		sched_yield();
		write(sv[1], "wake", 4);
		_exit(0);
	}
	struct pollfd p = {sv[0], POLLIN, 0};
	expect_eq(poll(&p, 1, -1), 1, 10, "a blocking poll returns when the child writes");
	check(p.revents == POLLIN, 11, "... with POLLIN");
	expect_status(pid, "exited 0", 12, "writer child");

	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(sv[0], &rd);
	FD_SET(sv[1], &rd);
	FD_SET(sv[1], &wr);
	struct timeval tv = {0, 0};
	expect_eq(select(sv[1] + 1, &rd, &wr, NULL, &tv), 2, 13, "select: two ready");
	check(FD_ISSET(sv[0], &rd) && !FD_ISSET(sv[1], &rd) && FD_ISSET(sv[1], &wr), 14,
	      "the one with data is readable, the other writable");
	close(sv[0]);
	close(sv[1]);
}

static void epolls(void)
{
	int sv[2];
	char buf[16];
	need(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 91, "socketpair");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {EPOLLIN | EPOLLRDHUP, {.u32 = 1}}, out[4];
	expect_eq(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev), 0, 20, "EPOLL_CTL_ADD a socket");
	expect_eq(epoll_wait(ep, out, 4, 0), 0, 21, "nothing yet");
	write(sv[1], "a", 1);
	expect_eq(epoll_wait(ep, out, 4, 0), 1, 22, "EPOLLIN after a write");
	expect_eq(epoll_wait(ep, out, 4, 0), 1, 23, "level-triggered: again while unread");
	read(sv[0], buf, sizeof(buf));
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev);
	write(sv[1], "b", 1);
	expect_eq(epoll_wait(ep, out, 4, 0), 1, 24, "EPOLLET: the arrival");
	expect_eq(epoll_wait(ep, out, 4, 0), 0, 25, "EPOLLET: not again");
	write(sv[1], "c", 1);
	expect_eq(epoll_wait(ep, out, 4, 0), 1, 26, "EPOLLET: a new arrival");
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
	epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev);
	read(sv[0], buf, sizeof(buf));
	close(sv[1]);
	expect_eq(epoll_wait(ep, out, 4, 0), 1, 27, "the peer closed");
	check(out[0].events == (EPOLLIN | EPOLLRDHUP | EPOLLHUP) && out[0].data.u32 == 1, 28,
	      "EPOLLIN|EPOLLRDHUP|EPOLLHUP");
	expect_eq(epoll_wait(ep, out, 4, 0), 0, 29, "EPOLLONESHOT: once");
	close(ep);
	close(sv[0]);
}

int main(void)
{
	pairs();
	blocking_poll_and_select();
	epolls();
	return guest_finish();
}
