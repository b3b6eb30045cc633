/*
 * ns_pid_proc: what /proc shows about a PID namespace.
 *
 * A process that enters a new PID namespace without mounting a new /proc
 * keeps looking at the /proc of the namespace it came from (procfs numbers
 * pids in the namespace of the mount, not of the reader). So, inside:
 *   - the NSpid line of /proc/self/status has one number more than the
 *     parent's: the outer pid first, then 1;
 *   - /proc/self is a link to the outer pid (clone's return value);
 * and from outside, /proc/<outer pid>/status shows the same NSpid line.
 * /proc/self/ns/pid differs between the two, with the same "pid:[" type,
 * and the child's pid_for_children is its own pid namespace.
 * Only counts and relations are printed.
 */
#include "guest_check.h"

#include <sched.h>

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

/* The numbers of the NSpid line of @path; returns how many (up to 8). */
static int nspid(const char *path, long *v)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6))
			continue;
		char *p = line + 6, *end;
		while (n < 8) {
			long x = strtol(p, &end, 10);
			if (end == p)
				break;
			v[n++] = x;
			p = end;
		}
	}
	fclose(f);
	return n;
}

static int link_of(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

struct report {
	int count; /* numbers in the inner NSpid line */
	long first, last;
	long self_link; /* readlink("/proc/self") as a number */
	int ns_ok;	/* pid link differs from outer's, same type; pid_for_children == pid */
};

static char outer_pid_link[64];
static int report_fd;
static int hold[2];

static int child(void *arg)
{
	(void)arg;
	struct report r = {0};
	long v[8];
	char buf[64], pfc[64];

	r.count = nspid("/proc/self/status", v);
	if (r.count > 0) {
		r.first = v[0];
		r.last = v[r.count - 1];
	}
	r.self_link = link_of("/proc/self", buf, sizeof(buf)) == 0 ? atol(buf) : -1;
	r.ns_ok = link_of("/proc/self/ns/pid", buf, sizeof(buf)) == 0 &&
		  link_of("/proc/self/ns/pid_for_children", pfc, sizeof(pfc)) == 0 &&
		  strncmp(buf, "pid:[", 5) == 0 && strcmp(buf, outer_pid_link) != 0 &&
		  strcmp(buf, pfc) == 0;
	write(report_fd, &r, sizeof(r));
	char c;
	/* Stay alive until the parent has looked at /proc/<pid>/status. */
	close(hold[1]);
	read(hold[0], &c, 1);
	return 0;
}

int main(void)
{
	long outer[8], v[8];
	int fds[2];

	int outer_n = nspid("/proc/self/status", outer);
	need(outer_n >= 1, 90, "NSpid line in /proc/self/status");
	check(outer[outer_n - 1] == getpid(), 10, "outer: NSpid ends with getpid()");
	need(link_of("/proc/self/ns/pid", outer_pid_link, sizeof(outer_pid_link)) == 0, 91,
	     "readlink /proc/self/ns/pid");

	need(pipe(fds) == 0 && pipe(hold) == 0, 92, "pipe");
	report_fd = fds[1];
	fflush(stdout);
	pid_t pid = clone(child, child_stack + STACK_SIZE, CLONE_NEWPID | SIGCHLD, NULL);
	need(pid > 0, 93, "clone(CLONE_NEWPID)");
	close(fds[1]);
	struct report r;
	need(read_full(fds[0], &r, sizeof(r)) == sizeof(r), 94, "read the child's report");

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int n = nspid(path, v);
	if (n == outer_n + 1 && v[0] == pid && v[n - 1] == 1)
		check(1, 11,
		      "outer: /proc/<child>/status NSpid: one more number, first the outer pid, "
		      "last 1");
	else
		check(0, 11,
		      "outer: /proc/<child>/status NSpid has %d numbers (first %ld, last %ld), "
		      "want %d (first %d, last 1)",
		      n, n > 0 ? v[0] : 0, n > 0 ? v[n - 1] : 0, outer_n + 1, (int)pid);
	close(hold[1]);
	expect_status(pid, "exited 0", 12, "child");

	if (r.count == outer_n + 1)
		check(1, 20, "inside: /proc/self/status NSpid has one number more than outside");
	else
		check(0, 20, "inside: /proc/self/status NSpid has %d numbers, want %d", r.count,
		      outer_n + 1);
	if (r.first == pid && r.last == 1)
		check(1, 21, "inside: NSpid starts with the outer pid and ends with 1");
	else
		check(0, 21, "inside: NSpid first %ld last %ld, want %d and 1", r.first, r.last,
		      (int)pid);
	if (r.self_link == pid)
		check(1, 22,
		      "inside: /proc/self links to the outer pid (the /proc of the parent ns)");
	else
		check(0, 22, "inside: /proc/self links to %ld, want the outer pid %d", r.self_link,
		      (int)pid);
	check(r.ns_ok, 23,
	      "inside: /proc/self/ns/pid is pid:[...], differs from the parent's, equals "
	      "pid_for_children");
	return guest_finish();
}
