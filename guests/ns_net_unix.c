/*
 * ns_net_unix: AF_UNIX names and network namespaces (run as root).
 *
 *   - abstract names belong to a network namespace: a child that
 *     unshare(CLONE_NEWNET)s cannot reach the parent's abstract listener
 *     (ECONNREFUSED) and may bind the same name itself; a child in the
 *     parent's namespace reaches it
 *   - path names belong to the file system: the child in the new
 *     namespace still connects to the parent's listener on a path
 *   - SO_PEERCRED names the connecting child either way
 */
#include "unix_check.h"

static struct sockaddr_un abs_addr, path_addr;
static socklen_t abs_len, path_len;

/* In a child: 0 when every expectation holds, else the failing step. */
static int child(int newnet)
{
	if (newnet && unshare(CLONE_NEWNET))
		return 1;
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	int r = connect(c, (struct sockaddr *)&abs_addr, abs_len);
	if (newnet ? !(r == -1 && errno == ECONNREFUSED) : r != 0)
		return 2;
	close(c);
	if (newnet) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(s, (struct sockaddr *)&abs_addr, abs_len))
			return 3; /* the name is free in the new namespace */
		close(s);
	}
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&path_addr, path_len))
		return 4;
	if (write(c, newnet ? "N" : "S", 1) != 1)
		return 5;
	close(c);
	return 0;
}

int main(void)
{
	char name[64];
	snprintf(name, sizeof(name), "cloneemu-netns-%d", (int)getpid());
	abs_len = un_abstract(&abs_addr, name);
	path_len = un_path(&path_addr, "netns.sock");
	int la = socket(AF_UNIX, SOCK_STREAM, 0), lp = socket(AF_UNIX, SOCK_STREAM, 0);
	need(la >= 0 && lp >= 0, 91, "socket");
	need(bind(la, (struct sockaddr *)&abs_addr, abs_len) == 0 && listen(la, 4) == 0, 91, "abstract listener");
	need(bind(lp, (struct sockaddr *)&path_addr, path_len) == 0 && listen(lp, 4) == 0, 91, "path listener");

	for (int newnet = 0; newnet < 2; newnet++) {
		pid_t pid = guest_fork();
		if (pid == 0)
			_exit(child(newnet));
		if (!newnet) {
			int a = accept(la, NULL, NULL);
			check(a >= 0, 10, "the same namespace reaches the abstract listener");
			close(a);
		}
		int s = accept(lp, NULL, NULL);
		char c = 0;
		check(s >= 0 && read(s, &c, 1) == 1 && c == (newnet ? 'N' : 'S'), 11 + newnet,
		      newnet ? "a new network namespace still reaches the path listener"
			     : "the same namespace reaches the path listener");
		struct ucred uc;
		socklen_t l = sizeof(uc);
		check(!getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l) && uc.pid == pid, 13 + newnet,
		      "SO_PEERCRED names the connecting child");
		close(s);
		expect_status(pid, "exited 0", 15 + newnet,
			      newnet ? "child in a new network namespace (abstract name unreachable, free to bind)"
				     : "child in the same network namespace");
	}
	close(la);
	close(lp);
	return guest_finish();
}
