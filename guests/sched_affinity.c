/*
 * sched_affinity: CPU affinity (sched_setaffinity/sched_getaffinity) and
 * what depends on it, as root:
 *
 *   - sched_getaffinity's length rules (whole longs, enough for every
 *     possible CPU; the kernel's cpumask size is returned) and the CPU
 *     count agreeing with sysconf(_SC_NPROCESSORS_ONLN) when nothing
 *     restricts us
 *   - with two CPUs or more: pin to the first, getcpu follows, fork and
 *     threads inherit the mask, a thread's mask is its own
 *   - sched_setaffinity's errors: empty mask, CPUs that do not exist,
 *     length 0, a bad address, no such pid, another user's process (EPERM)
 *   - a SCHED_DEADLINE task cannot be pinned (EBUSY), a pinned task cannot
 *     become SCHED_DEADLINE (EPERM)
 */
#include "sched_check.h"

static int count_cpus(const unsigned char *m, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += __builtin_popcount(m[i]);
	return c;
}

static int first_cpu(const unsigned char *m, int n)
{
	for (int i = 0; i < 8 * n; i++)
		if (m[i / 8] >> (i % 8) & 1)
			return i;
	return -1;
}

static unsigned char full[128];
static long full_len;

static void lengths(void)
{
	full_len = syscall(SYS_sched_getaffinity, 0, sizeof(full), full);
	check(full_len > 0 && full_len % 8 == 0, 1, "sched_getaffinity returns the cpumask size");
	long onln = sysconf(_SC_NPROCESSORS_ONLN);
	printf("CPUs in the mask %s the online CPUs\n",
	       count_cpus(full, (int)full_len) == onln ? "==" : "!=");
	int ok_from = -1;
	for (int len = 0; len <= 64; len++) {
		unsigned char m[128];
		errno = 0;
		long r = syscall(SYS_sched_getaffinity, 0, len, m);
		if (r < 0 && errno != EINVAL)
			check(0, 2, "length %d: %s", len, errno_name(errno));
		if (r >= 0 && ok_from < 0)
			ok_from = len;
		if (r >= 0 && r != (len < full_len ? len : full_len))
			check(0, 3, "length %d returned %ld", len, r);
		if (r >= 0 && len % 8)
			check(0, 4, "length %d is accepted", len);
	}
	check(ok_from > 0 && ok_from % 8 == 0, 5, "the smallest length accepted is a long's multiple");
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(full), (void *)8);
	expect_errno(r, errno, EFAULT, 6, "getaffinity to a bad address");
	r = syscall(SYS_sched_getaffinity, 4194000, sizeof(full), full);
	expect_errno(r, errno, ESRCH, 7, "getaffinity of no such pid");
}

static void *thread_fn(void *arg)
{
	long *v = arg;
	unsigned char m[128] = {0};
	syscall(SYS_sched_getaffinity, 0, sizeof(m), m);
	v[0] = count_cpus(m, sizeof(m));
	memcpy(m, full, sizeof(m));
	v[1] = syscall(SYS_sched_setaffinity, 0, sizeof(m), m);
	memset(m, 0, sizeof(m));
	syscall(SYS_sched_getaffinity, 0, sizeof(m), m);
	v[2] = count_cpus(m, sizeof(m));
	return NULL;
}

static void pinning(void)
{
	int ncpu = count_cpus(full, (int)full_len), cpu0 = first_cpu(full, (int)full_len);
	unsigned char m[128] = {0};
	m[cpu0 / 8] = (unsigned char)(1 << (cpu0 % 8));
	expect_eq(syscall(SYS_sched_setaffinity, 0, sizeof(m), m), 0, 10, "pin to the first CPU");
	unsigned char g[128] = {0};
	syscall(SYS_sched_getaffinity, 0, sizeof(g), g);
	check(!memcmp(g, m, sizeof(g)), 11, "getaffinity shows one CPU");
	unsigned cpu = 99999;
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	expect_eq(cpu, cpu0, 12, "getcpu: that CPU");
	int rep[2];
	need(pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		int n = 0;
		unsigned char c[128] = {0};
		syscall(SYS_sched_getaffinity, 0, sizeof(c), c);
		n = count_cpus(c, sizeof(c));
		write(rep[1], &n, sizeof(n));
		_exit(0);
	}
	int n = -1;
	read_full(rep[0], &n, sizeof(n));
	expect_status(pid, "exited 0", 13, "child");
	expect_eq(n, 1, 14, "a forked child inherits the mask");
	close(rep[0]);
	close(rep[1]);
	long v[3];
	pthread_t th;
	need(pthread_create(&th, NULL, thread_fn, v) == 0, 93, "pthread_create");
	pthread_join(th, NULL);
	expect_eq(v[0], 1, 15, "so does a thread");
	expect_eq(v[1], 0, 16, "the thread takes every CPU back");
	expect_eq(v[2], ncpu, 17, "... and has them");
	syscall(SYS_sched_getaffinity, 0, sizeof(g), g);
	expect_eq(count_cpus(g, sizeof(g)), 1, 18, "the main thread is still pinned");

	memset(m, 0, sizeof(m));
	long r = syscall(SYS_sched_setaffinity, 0, sizeof(m), m);
	expect_errno(r, errno, EINVAL, 19, "an empty mask");
	m[120] = 1; /* CPU 960 */
	r = syscall(SYS_sched_setaffinity, 0, sizeof(m), m);
	expect_errno(r, errno, EINVAL, 20, "only a CPU that does not exist");
	r = syscall(SYS_sched_setaffinity, 0, 0, full);
	expect_errno(r, errno, EINVAL, 21, "length 0");
	r = syscall(SYS_sched_setaffinity, 0, sizeof(m), (void *)8);
	expect_errno(r, errno, EFAULT, 22, "a bad address");
	r = syscall(SYS_sched_setaffinity, 4194000, sizeof(full), full);
	expect_errno(r, errno, ESRCH, 23, "no such pid");
	expect_eq(syscall(SYS_sched_setaffinity, 0, 1, full), 0, 24, "length 1: the first 8 CPUs");
	syscall(SYS_sched_getaffinity, 0, sizeof(g), g);
	expect_eq(count_cpus(g, sizeof(g)), count_cpus(full, 1), 25, "... those of them we have");
	expect_eq(syscall(SYS_sched_setaffinity, 0, sizeof(full), full), 0, 26, "every CPU back");

	/* Another user may not move our CPUs. */
	int ready[2], rr[2];
	need(pipe(ready) == 0 && pipe(rr) == 0, 91, "pipe");
	pid = guest_fork();
	if (pid == 0) {
		uid_t u = sched_private_uid();
		long e = syscall(SYS_setresuid, u, u, u);
		if (!e) {
			e = syscall(SYS_sched_setaffinity, getppid(), sizeof(full), full);
			e = e ? errno : 0;
		}
		write(rr[1], &e, sizeof(e));
		_exit(0);
	}
	long e = -1;
	read_full(rr[0], &e, sizeof(e));
	expect_status(pid, "exited 0", 27, "child");
	check(e == EPERM, 28, "another user's sched_setaffinity on us -> EPERM (%s)",
	      errno_name((int)e));
	close(ready[0]);
	close(ready[1]);
	close(rr[0]);
	close(rr[1]);
}

static void deadline(void)
{
	int cpu0 = first_cpu(full, (int)full_len);
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		struct sattr a;
		memset(&a, 0, sizeof(a));
		a.size = 56;
		a.policy = SCHED_DEADLINE;
		a.runtime = 10000000;
		a.deadline = 100000000;
		expect_eq(set_attr(0, &a), 0, 30, "SCHED_DEADLINE");
		unsigned char m[128] = {0};
		m[cpu0 / 8] = (unsigned char)(1 << (cpu0 % 8));
		long r = syscall(SYS_sched_setaffinity, 0, sizeof(m), m);
		expect_errno(r, errno, EBUSY, 31, "pinning a deadline task");
		a.policy = SCHED_OTHER;
		a.runtime = a.deadline = 0;
		expect_eq(set_attr(0, &a), 0, 32, "back to SCHED_OTHER");
		expect_eq(syscall(SYS_sched_setaffinity, 0, sizeof(m), m), 0, 33, "pinned");
		a.policy = SCHED_DEADLINE;
		a.runtime = 10000000;
		a.deadline = 100000000;
		r = set_attr(0, &a);
		expect_errno(r, errno, EPERM, 34, "a pinned task cannot become SCHED_DEADLINE");
		fflush(stdout);
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", 35, "deadline child");
}

int main(void)
{
	lengths();
	if (!need_root())
		return guest_finish();
	if (count_cpus(full, (int)full_len) < 2) {
		printf("skip: fewer than two CPUs\n");
		return guest_finish();
	}
	pinning();
	deadline();
	return guest_finish();
}
