/*
 * sched_policy: scheduling policies (kernel/sched/syscalls.c), as root:
 *
 *   - sched_get_priority_min/max for every policy number
 *   - sched_setscheduler/getscheduler/setparam/getparam round trips for
 *     FIFO, RR, BATCH, IDLE and back, with /proc/self/stat's priority,
 *     nice, rt_priority and policy fields and sched_rr_get_interval
 *   - their EINVAL/ESRCH/EFAULT cases
 *   - SCHED_RESET_ON_FORK: the policy's bit and the sched_attr flag; a
 *     real-time parent's child is SCHED_NORMAL, a negative nice becomes 0,
 *     a positive one and SCHED_BATCH stay; without it children inherit
 *   - sched_setattr/sched_getattr: struct sizes (0 is VER0, E2BIG with
 *     the kernel's size written back, a larger struct with a zero tail;
 *     getattr clears the tail of a larger one),
 *     KEEP_POLICY, KEEP_PARAMS, SCHED_IDLE ignoring sched_nice, flags
 *   - SCHED_DEADLINE: parameter checks, round trip, fork fails with
 *     EAGAIN unless reset-on-fork
 *   - without CAP_SYS_NICE: lower a real-time priority but not raise it,
 *     no FIFO/RR/DEADLINE, no leaving SCHED_IDLE, no clearing
 *     reset-on-fork; nice through sched_setattr raises only
 */
#include "sched_check.h"

static void show(const char *what)
{
	struct sattr a;
	long r = get_attr(0, &a);
	printf("%s: getscheduler %#lx getparam %ld stat %s getattr %ld: size %u policy %u flags "
	       "%#llx nice %d prio %u\n",
	       what, get_sched(0), get_param(0), stat_prio("/proc/self/stat"), r, a.size,
	       a.policy, (unsigned long long)a.flags, a.nice, a.prio);
}

static void rr_interval(const char *what)
{
	struct timespec ts = {-1, -1};
	long r = syscall(SYS_sched_rr_get_interval, 0, &ts);
	printf("%s: sched_rr_get_interval %ld: %lld.%09ld\n", what, r, (long long)ts.tv_sec,
	       ts.tv_nsec);
}

static void ranges(void)
{
	for (int p = -1; p <= 8; p++) {
		errno = 0;
		long lo = syscall(SYS_sched_get_priority_min, p);
		int elo = errno;
		errno = 0;
		long hi = syscall(SYS_sched_get_priority_max, p);
		printf("policy %d: min %ld %s max %ld %s\n", p, lo, lo < 0 ? errno_name(elo) : "",
		       hi, hi < 0 ? errno_name(errno) : "");
	}
}

static void round_trips(void)
{
	show("start");
	expect_eq(set_sched(0, SCHED_FIFO, 10), 0, 1, "SCHED_FIFO 10");
	show("fifo 10");
	rr_interval("fifo");
	int p = 30;
	expect_eq(syscall(SYS_sched_setparam, 0, &p), 0, 2, "sched_setparam 30 keeps FIFO");
	show("setparam 30");
	expect_eq(set_sched(0, SCHED_RR, 20), 0, 3, "SCHED_RR 20");
	show("rr 20");
	rr_interval("rr");
	expect_eq(setprio(PRIO_PROCESS, 0, 4), 0, 4, "setpriority under RR");
	show("rr with nice 4");
	expect_eq(set_sched(0, SCHED_BATCH, 0), 0, 5, "SCHED_BATCH");
	show("batch: the nice value came back");
	expect_eq(set_sched(0, SCHED_IDLE, 0), 0, 6, "SCHED_IDLE");
	show("idle");
	expect_eq(set_sched(0, SCHED_OTHER, 0), 0, 7, "back to SCHED_OTHER as root");
	setprio(PRIO_PROCESS, 0, 0);
	show("other");
	rr_interval("other");

	long r = set_sched(0, SCHED_FIFO, 0);
	expect_errno(r, errno, EINVAL, 10, "FIFO priority 0");
	r = set_sched(0, SCHED_FIFO, 100);
	expect_errno(r, errno, EINVAL, 11, "FIFO priority 100");
	r = set_sched(0, SCHED_RR, -1);
	expect_errno(r, errno, EINVAL, 12, "RR priority -1");
	r = set_sched(0, SCHED_OTHER, 1);
	expect_errno(r, errno, EINVAL, 13, "OTHER priority 1");
	r = set_sched(0, 4, 0);
	expect_errno(r, errno, EINVAL, 14, "policy 4 (SCHED_ISO)");
	r = set_sched(0, 7, 0);
	expect_errno(r, errno, EINVAL, 15, "policy 7 (SCHED_EXT, not built)");
	r = set_sched(0, -1, 0);
	expect_errno(r, errno, EINVAL, 16, "policy -1");
	r = set_sched(0, SCHED_DEADLINE, 0);
	expect_errno(r, errno, EINVAL, 17, "sched_setscheduler(SCHED_DEADLINE): no parameters");
	r = syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL);
	expect_errno(r, errno, EINVAL, 18, "NULL param");
	r = set_sched(-1, SCHED_OTHER, 0);
	expect_errno(r, errno, EINVAL, 19, "pid -1");
	r = set_sched(4194000, SCHED_OTHER, 0);
	expect_errno(r, errno, ESRCH, 20, "no such pid");
	r = syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8);
	expect_errno(r, errno, EFAULT, 21, "param at a bad address");
	r = syscall(SYS_sched_getscheduler, -1);
	expect_errno(r, errno, EINVAL, 22, "getscheduler pid -1");
	r = syscall(SYS_sched_getscheduler, 4194000);
	expect_errno(r, errno, ESRCH, 23, "getscheduler of no such pid");
	r = syscall(SYS_sched_getparam, 0, NULL);
	expect_errno(r, errno, EINVAL, 24, "getparam NULL");
	r = syscall(SYS_sched_getparam, 0, (void *)8);
	expect_errno(r, errno, EFAULT, 25, "getparam to a bad address");
	p = 1;
	r = syscall(SYS_sched_setparam, 0, &p);
	expect_errno(r, errno, EINVAL, 26, "setparam 1 under SCHED_OTHER");
	r = syscall(SYS_sched_rr_get_interval, -1, NULL);
	expect_errno(r, errno, EINVAL, 27, "rr_get_interval pid -1");
	r = syscall(SYS_sched_rr_get_interval, 0, (void *)8);
	expect_errno(r, errno, EFAULT, 28, "rr_get_interval to a bad address");
}

/* What a forked child reports about itself, as one line. */
static void child_view(const char *what)
{
	fflush(stdout);
	pid_t pid = guest_fork();
	if (pid == 0) {
		show(what);
		fflush(stdout);
		_exit(0);
	}
	expect_status(pid, "exited 0", 30, what);
}

static void reset_on_fork(void)
{
	expect_eq(set_sched(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 5), 0, 31,
		  "SCHED_FIFO | SCHED_RESET_ON_FORK");
	show("fifo, reset on fork");
	child_view("its child");
	expect_eq(set_sched(0, SCHED_FIFO, 5), 0, 32, "SCHED_FIFO without the flag (as root)");
	child_view("a child of plain FIFO");
	expect_eq(set_sched(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0), 0, 33, "OTHER, reset on fork");
	setprio(PRIO_PROCESS, 0, -5);
	child_view("nice -5 parent's child");
	setprio(PRIO_PROCESS, 0, 5);
	child_view("nice 5 parent's child");
	expect_eq(set_sched(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0), 0, 34, "BATCH, reset on fork");
	child_view("batch parent's child");
	set_sched(0, SCHED_OTHER, 0);
	setprio(PRIO_PROCESS, 0, 0);
	show("reset");
}

static void attr_sizes(void)
{
	struct sattr a;
	memset(&a, 0, sizeof(a));
	a.size = 0;
	a.nice = 2;
	expect_eq(set_attr(0, &a), 0, 40, "sched_setattr size 0 (VER0)");
	expect_eq(my_nice(), 2, 41, "... set nice 2");
	memset(&a, 0, sizeof(a));
	a.size = 47;
	long r = set_attr(0, &a);
	expect_errno(r, errno, E2BIG, 42, "size 47");
	expect_eq(a.size, 56, 43, "... the kernel's size written back");
	a.size = 4097;
	r = set_attr(0, &a);
	expect_errno(r, errno, E2BIG, 44, "size 4097");
	memset(&a, 0, sizeof(a));
	a.size = 120;
	a.nice = 1;
	expect_eq(set_attr(0, &a), 0, 45, "size 120 with a zero tail");
	a.tail[10] = 1;
	r = set_attr(0, &a);
	expect_errno(r, errno, E2BIG, 46, "size 120 with a non-zero tail");
	expect_eq(a.size, 56, 47, "... size written back");
	memset(&a, 0, sizeof(a));
	a.size = 48;
	a.flags = SCHED_FLAG_UTIL_CLAMP_MIN;
	r = set_attr(0, &a);
	expect_errno(r, errno, EINVAL, 48, "utilization clamp in a VER0 struct");
	a.flags = 0x80;
	r = set_attr(0, &a);
	expect_errno(r, errno, EINVAL, 49, "an unknown flag");
	a.flags = 0;
	r = syscall(SYS_sched_setattr, 0, &a, 1);
	expect_errno(r, errno, EINVAL, 50, "flags argument 1");
	r = syscall(SYS_sched_setattr, 0, NULL, 0);
	expect_errno(r, errno, EINVAL, 51, "NULL attr");
	r = syscall(SYS_sched_setattr, 0, (void *)8, 0);
	expect_errno(r, errno, EFAULT, 52, "attr at a bad address");
	a.policy = 0x80000000;
	r = set_attr(0, &a);
	expect_errno(r, errno, EINVAL, 53, "a negative policy");
	a.policy = 0;
	a.nice = -50;
	expect_eq(set_attr(0, &a), 0, 54, "nice -50 in sched_attr");
	expect_eq(my_nice(), -20, 55, "... clamped to -20");

	unsigned char buf[128];
	memset(buf, 0xaa, sizeof(buf));
	expect_eq(syscall(SYS_sched_getattr, 0, buf, 100, 0), 0, 56, "getattr with room for 100");
	uint32_t sz;
	memcpy(&sz, buf, 4);
	expect_eq(sz, 56, 57, "... size 56");
	int zeroed = 1;
	for (int i = 56; i < 100; i++)
		zeroed &= buf[i] == 0;
	check(zeroed && buf[100] == 0xaa, 58, "... the rest of the 100 bytes zeroed, no more");
	memset(buf, 0xaa, sizeof(buf));
	expect_eq(syscall(SYS_sched_getattr, 0, buf, 48, 0), 0, 59, "getattr VER0");
	memcpy(&sz, buf, 4);
	check(sz == 48 && buf[48] == 0xaa, 60, "... size 48, 48 bytes");
	r = syscall(SYS_sched_getattr, 0, buf, 47, 0);
	expect_errno(r, errno, EINVAL, 61, "getattr size 47");
	r = syscall(SYS_sched_getattr, 0, buf, 4097, 0);
	expect_errno(r, errno, EINVAL, 62, "getattr size 4097");
	r = syscall(SYS_sched_getattr, 0, buf, 56, 1);
	expect_errno(r, errno, EINVAL, 63, "getattr flags 1");
	r = syscall(SYS_sched_getattr, 4194000, buf, 56, 0);
	expect_errno(r, errno, ESRCH, 64, "getattr of no such pid");
	r = syscall(SYS_sched_getattr, 0, (void *)8, 56, 0);
	expect_errno(r, errno, EFAULT, 65, "getattr to a bad address");
}

static void attr_flags(void)
{
	struct sattr a;
	memset(&a, 0, sizeof(a));
	a.size = 56;
	a.policy = SCHED_FIFO;
	a.prio = 10;
	expect_eq(set_attr(0, &a), 0, 70, "setattr FIFO 10");
	a.policy = SCHED_RR;
	a.prio = 0;
	a.flags = SCHED_FLAG_KEEP_PARAMS;
	expect_eq(set_attr(0, &a), 0, 71, "setattr RR with KEEP_PARAMS");
	show("keep params: the policy stays");
	a.policy = SCHED_OTHER;
	a.prio = 20;
	a.flags = SCHED_FLAG_KEEP_POLICY;
	expect_eq(set_attr(0, &a), 0, 72, "setattr prio 20 with KEEP_POLICY");
	show("keep policy");
	a.prio = 0;
	long r = set_attr(0, &a);
	expect_errno(r, errno, EINVAL, 73, "KEEP_POLICY, prio 0 under FIFO");
	memset(&a, 0, sizeof(a));
	a.size = 56;
	a.policy = SCHED_IDLE;
	a.nice = 7;
	expect_eq(set_attr(0, &a), 0, 74, "setattr IDLE with nice 7");
	show("idle ignores sched_nice");
	a.policy = SCHED_BATCH;
	a.flags = SCHED_FLAG_RESET_ON_FORK;
	expect_eq(set_attr(0, &a), 0, 75, "setattr BATCH nice 7, reset on fork");
	show("batch");
	a.flags = SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN;
	expect_eq(set_attr(0, &a), 0, 76, "deadline-only flags on BATCH are accepted");
	show("batch, flags ignored");
	memset(&a, 0, sizeof(a));
	a.size = 56;
	expect_eq(set_attr(0, &a), 0, 77, "back to OTHER nice 0");
}

static void deadline(void)
{
	struct sattr a;
	const struct {
		uint64_t runtime, deadline, period;
		const char *what;
	} bad[] = {
		{1000000, 0, 0, "deadline 0"},
		{1000, 10000000, 0, "runtime below 1024 ns"},
		{20000000, 10000000, 0, "runtime above deadline"},
		{1000000, 20000000, 10000000, "deadline above period"},
		{2000, 50000, 50000, "period below 100 us"},
		{1000000, 10000000, 5000000000ull, "period above 4 s"},
		{1000000, 1ull << 63, 0, "deadline with the top bit"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.size = 56;
		a.policy = SCHED_DEADLINE;
		a.runtime = bad[i].runtime;
		a.deadline = bad[i].deadline;
		a.period = bad[i].period;
		long r = set_attr(0, &a);
		expect_errno(r, errno, EINVAL, 80, bad[i].what);
	}
	memset(&a, 0, sizeof(a));
	a.size = 56;
	a.policy = SCHED_DEADLINE;
	a.prio = 1;
	a.runtime = 10000000;
	a.deadline = 50000000;
	long r = set_attr(0, &a);
	expect_errno(r, errno, EINVAL, 81, "deadline with a priority");

	/* In a child: a deadline task gets 10 ms every 100 ms. */
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		a.prio = 0;
		a.period = 100000000;
		a.flags = SCHED_FLAG_RECLAIM;
		expect_eq(set_attr(0, &a), 0, 82, "SCHED_DEADLINE 10/50/100 ms");
		struct sattr g;
		get_attr(0, &g);
		printf("deadline: getscheduler %ld stat %s runtime %llu deadline %llu period %llu "
		       "flags %#llx\n",
		       get_sched(0), stat_prio("/proc/self/stat"), (unsigned long long)g.runtime,
		       (unsigned long long)g.deadline, (unsigned long long)g.period,
		       (unsigned long long)g.flags);
		rr_interval("deadline");
		fflush(stdout);
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		check(c == -1 && errno == EAGAIN, 83, "a deadline task cannot fork: EAGAIN");
		a.flags = SCHED_FLAG_RESET_ON_FORK;
		expect_eq(set_attr(0, &a), 0, 84, "... unless reset on fork");
		show("deadline, reset on fork");
		child_view("the deadline task's child");
		a.flags = 0;
		a.runtime = 20000000;
		expect_eq(set_attr(0, &a), 0, 85, "runtime 20 ms, reset-on-fork cleared");
		c = fork();
		if (c == 0)
			_exit(0);
		check(c == -1 && errno == EAGAIN, 86, "fork: EAGAIN again");
		a.policy = SCHED_OTHER;
		a.runtime = a.deadline = 0;
		expect_eq(set_attr(0, &a), 0, 87, "leaving SCHED_DEADLINE");
		show("after deadline");
		fflush(stdout);
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", 88, "deadline child");
}

static void no_sys_nice(void)
{
	expect_eq(set_sched(0, SCHED_FIFO, 10), 0, 90, "FIFO 10 before dropping CAP_SYS_NICE");
	pid_t pid = guest_fork();
	if (pid == 0) {
		guest_first_fail = 0;
		expect_eq(drop_sys_nice(), 0, 91, "capset without CAP_SYS_NICE");
		expect_eq(set_sched(0, SCHED_FIFO, 5), 0, 92, "lowering the FIFO priority to 5");
		long r = set_sched(0, SCHED_FIFO, 6);
		expect_errno(r, errno, EPERM, 93, "raising it to 6 (RLIMIT_RTPRIO 0)");
		r = set_sched(0, SCHED_RR, 5);
		expect_errno(r, errno, EPERM, 94, "FIFO -> RR");
		struct sattr a;
		memset(&a, 0, sizeof(a));
		a.size = 56;
		a.policy = SCHED_DEADLINE;
		a.runtime = 10000000;
		a.deadline = 100000000;
		r = set_attr(0, &a);
		expect_errno(r, errno, EPERM, 95, "SCHED_DEADLINE");
		expect_eq(set_sched(0, SCHED_OTHER, 0), 0, 96, "FIFO -> OTHER");
		memset(&a, 0, sizeof(a));
		a.size = 56;
		a.nice = 3;
		expect_eq(set_attr(0, &a), 0, 97, "setattr nice 3");
		a.nice = 1;
		r = set_attr(0, &a);
		expect_errno(r, errno, EPERM, 98, "setattr nice 1");
		r = set_sched(0, SCHED_FIFO, 1);
		expect_errno(r, errno, EPERM, 99, "OTHER -> FIFO");
		expect_eq(set_sched(0, SCHED_IDLE, 0), 0, 100, "OTHER -> IDLE");
		r = set_sched(0, SCHED_OTHER, 0);
		expect_errno(r, errno, EPERM, 101, "IDLE -> OTHER (RLIMIT_NICE 0)");
		expect_eq(set_sched(0, SCHED_IDLE | SCHED_RESET_ON_FORK, 0), 0, 102,
			  "setting reset-on-fork");
		r = set_sched(0, SCHED_IDLE, 0);
		expect_errno(r, errno, EPERM, 103, "clearing it");
		show("without CAP_SYS_NICE");
		fflush(stdout);
		_exit(guest_finish());
	}
	expect_status(pid, "exited 0", 104, "child without CAP_SYS_NICE");
	set_sched(0, SCHED_OTHER, 0);
}

static void *thread_fn(void *arg)
{
	long *v = arg;
	v[0] = get_sched(0);
	v[1] = get_param(0);
	v[2] = set_sched(0, SCHED_RR, 3);
	v[3] = get_sched(0);
	return NULL;
}

static void threads(void)
{
	expect_eq(set_sched(0, SCHED_FIFO, 7), 0, 110, "FIFO 7");
	long v[4];
	pthread_t th;
	need(pthread_create(&th, NULL, thread_fn, v) == 0, 93, "pthread_create");
	pthread_join(th, NULL);
	expect_eq(v[0], SCHED_FIFO, 111, "a new thread is FIFO too");
	expect_eq(v[1], 7, 112, "... priority 7");
	expect_eq(v[2], 0, 113, "the thread switches itself to RR 3");
	expect_eq(v[3], SCHED_RR, 114, "... and is RR");
	expect_eq(get_sched(0), SCHED_FIFO, 115, "the main thread stays FIFO");
	set_sched(0, SCHED_OTHER, 0);
}

int main(void)
{
	ranges();
	if (!need_root())
		return guest_finish();
	round_trips();
	reset_on_fork();
	attr_sizes();
	attr_flags();
	deadline();
	no_sys_nice();
	threads();
	return guest_finish();
}
