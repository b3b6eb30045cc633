/*
 * clone3_sizes: clone3's argument block, through the raw syscall with our
 * own declaration of struct clone_args (kernel/fork.c
 * copy_clone_args_from_user and clone3_args_valid).
 *
 * Sizes: 64 (VER0), 80 (VER1, set_tid), 88 (VER2, cgroup) work; below 64
 * is EINVAL; above a page is E2BIG; a bigger block than the kernel knows
 * works when the extra bytes are zero and is E2BIG when one is not (the
 * extensible-struct rule), up to a whole page.
 * Fields: exit_signal above 64 or with high bits is EINVAL, exit_signal 0
 * and a non-SIGCHLD signal make a "clone" child that only __WALL/__WCLONE
 * waits find; set_tid and set_tid_size must come together, at most 32, and
 * no more than the namespace depth; stack and stack_size must come together,
 * and a given stack is used; CLONE_THREAD or CLONE_PARENT with an
 * exit_signal is EINVAL.
 * set_tid: in a new PID namespace {1, X} gives the child pid 1 inside and
 * X outside, {1} lets the outer pid be chosen; without a new namespace {X}
 * gives pid X; a number in use is EEXIST; more entries than namespace
 * levels is EINVAL. Entries out of range: clone3_set_tid_invalid.c.
 *
 * X is a free pid found at run time (it varies, so it is never printed).
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>

struct clone_args_v2 {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid; /* VER1 */
	uint64_t set_tid_size;
	uint64_t cgroup; /* VER2 */
};

#define SIZE_VER0 64
#define SIZE_VER1 80
#define SIZE_VER2 88
#define PAGE 4096

#define STACK_SIZE (64 * 1024)

static char child_stack[STACK_SIZE] __attribute__((aligned(16)));
/* A page and a byte: the argument block for the oversized cases. */
static union {
	struct clone_args_v2 a;
	unsigned char bytes[PAGE + 1];
} big __attribute__((aligned(16)));

static int exit_42(void *p)
{
	(void)p;
	return 42;
}

/* 42 when the child runs on child_stack. */
static int on_our_stack(void *p)
{
	(void)p;
	char here;
	return &here > child_stack && &here < child_stack + STACK_SIZE ? 42 : 1;
}

static int pid_is_1(void *p)
{
	(void)p;
	return getpid() == 1 && getppid() == 0 ? 42 : 1;
}

static void fresh(struct clone_args_v2 *a)
{
	memset(a, 0, sizeof(*a));
	a->exit_signal = SIGCHLD;
}

/* clone3 must make a child that exits 42, reaped by a plain waitpid. */
static void expect_child(void *args, size_t size, int (*fn)(void *), int code, const char *what)
{
	fflush(stdout);
	long r = raw_clone3(args, size, fn, NULL);
	if (r <= 0) {
		check(0, code, "%s: errno %s, want a child", what, errno_name(-(int)r));
		return;
	}
	expect_status((pid_t)r, "exited 42", code, what);
}

static void expect_fail(void *args, size_t size, int want, int code, const char *what)
{
	fflush(stdout);
	long r = raw_clone3(args, size, exit_42, NULL);
	if (r > 0) {
		int st;
		waitpid((pid_t)r, &st, __WALL);
		check(0, code, "%s: created a child, want %s", what, errno_name(want));
	} else if (-r == want) {
		check(1, code, "%s -> %s", what, errno_name(want));
	} else {
		check(0, code, "%s: errno %s, want %s", what, errno_name(-(int)r),
		      errno_name(want));
	}
}

/*
 * A pid nobody uses now, below pid_max (32768 at least), found by probing
 * downwards from a start that differs between processes, so that guests run
 * in parallel do not all reach for the same number. Never printed.
 */
static pid_t free_pid(void)
{
	pid_t start = 20000 + (pid_t)((unsigned)getpid() * 7919u % 10000u);
	for (pid_t x = start; x > start - 10000; x--) {
		char path[32];
		snprintf(path, sizeof(path), "/proc/%d", (int)x);
		if (kill(x, 0) == -1 && errno == ESRCH && access(path, F_OK) != 0)
			return x;
	}
	return -1;
}

static void sizes(void)
{
	struct clone_args_v2 a;

	fresh(&a);
	expect_child(&a, SIZE_VER0, exit_42, 10, "size 64 (CLONE_ARGS_SIZE_VER0)");
	fresh(&a);
	expect_child(&a, SIZE_VER1, exit_42, 11, "size 80 (CLONE_ARGS_SIZE_VER1)");
	fresh(&a);
	expect_child(&a, SIZE_VER2, exit_42, 12, "size 88 (CLONE_ARGS_SIZE_VER2)");
	fresh(&a);
	expect_fail(&a, 63, EINVAL, 13, "size 63");
	expect_fail(&a, 0, EINVAL, 14, "size 0");
	expect_fail(NULL, SIZE_VER0, EFAULT, 15, "NULL args, size 64");

	memset(&big, 0, sizeof(big));
	big.a.exit_signal = SIGCHLD;
	expect_fail(&big, PAGE + 1, E2BIG, 16, "size 4097 (above a page)");
	expect_child(&big, 96, exit_42, 17, "size 96, bytes past the known struct all zero");
	expect_child(&big, PAGE, exit_42, 18, "size 4096, bytes past the known struct all zero");
	big.bytes[95] = 1;
	expect_fail(&big, 96, E2BIG, 19, "size 96, a non-zero byte past the known struct");
	expect_child(&big, 95, exit_42, 20, "size 95, the non-zero byte left out");
	big.bytes[95] = 0;
	big.bytes[PAGE - 1] = 0x80;
	expect_fail(&big, PAGE, E2BIG, 21, "size 4096, a non-zero last byte");
}

static volatile sig_atomic_t usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void fields(void)
{
	struct clone_args_v2 a;
	int tids[2] = {0, 0};

	fresh(&a);
	a.exit_signal = 65;
	expect_fail(&a, SIZE_VER0, EINVAL, 30, "exit_signal 65");
	a.exit_signal = SIGCHLD | (1ull << 32);
	expect_fail(&a, SIZE_VER0, EINVAL, 31, "exit_signal SIGCHLD with bit 32 set");
	a.exit_signal = SIGCHLD | 0x100;
	expect_fail(&a, SIZE_VER0, EINVAL, 32, "exit_signal SIGCHLD|0x100 (beyond CSIGNAL)");

	/* exit_signal 0: no signal, and only __WALL/__WCLONE find the child. */
	fresh(&a);
	a.exit_signal = 0;
	fflush(stdout);
	long r = raw_clone3(&a, SIZE_VER0, exit_42, NULL);
	need(r > 0, 90, "clone3 exit_signal 0");
	int st = 0;
	long w = waitpid((pid_t)r, &st, 0);
	expect_errno(w, errno, ECHILD, 33, "exit_signal 0: waitpid without __WALL");
	expect_eq(waitpid((pid_t)r, &st, __WALL), r, 34, "exit_signal 0: waitpid __WALL finds it");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 42, 35, "exit_signal 0: child exited 42");

	/* exit_signal SIGUSR1: the parent gets SIGUSR1, not SIGCHLD. */
	signal(SIGUSR1, on_usr1);
	fresh(&a);
	a.exit_signal = SIGUSR1;
	fflush(stdout);
	r = raw_clone3(&a, SIZE_VER0, exit_42, NULL);
	need(r > 0, 91, "clone3 exit_signal SIGUSR1");
	expect_eq(waitpid((pid_t)r, &st, __WCLONE), r, 36,
		  "exit_signal SIGUSR1: waitpid __WCLONE finds it");
	check(usr1_count == 1, 37, "exit_signal SIGUSR1: the parent got SIGUSR1 once");
	signal(SIGUSR1, SIG_DFL);

	fresh(&a);
	a.set_tid_size = 1;
	expect_fail(&a, SIZE_VER1, EINVAL, 40, "set_tid_size 1 without set_tid");
	fresh(&a);
	a.set_tid = (uintptr_t)tids;
	expect_fail(&a, SIZE_VER1, EINVAL, 41, "set_tid without set_tid_size");
	a.set_tid_size = 33;
	expect_fail(&a, SIZE_VER1, EINVAL, 42, "set_tid_size 33 (above MAX_PID_NS_LEVEL)");
	a.set_tid_size = 1;
	tids[0] = getpid();
	expect_fail(&a, SIZE_VER1, EEXIST, 44, "set_tid {our own pid}");
	tids[0] = free_pid();
	tids[1] = free_pid();
	a.set_tid_size = 2;
	expect_fail(&a, SIZE_VER1, EINVAL, 46, "set_tid_size 2 without a new PID namespace");
	fresh(&a);
	a.set_tid = 8; /* unmapped */
	a.set_tid_size = 1;
	expect_fail(&a, SIZE_VER1, EFAULT, 47, "set_tid pointing at unmapped memory");

	fresh(&a);
	a.stack = (uintptr_t)child_stack;
	expect_fail(&a, SIZE_VER0, EINVAL, 50, "stack without stack_size");
	fresh(&a);
	a.stack_size = STACK_SIZE;
	expect_fail(&a, SIZE_VER0, EINVAL, 51, "stack_size without stack");
	fresh(&a);
	a.stack = (uintptr_t)child_stack;
	a.stack_size = STACK_SIZE;
	expect_child(&a, SIZE_VER0, on_our_stack, 52, "stack and stack_size: the child runs there");

	fresh(&a);
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	a.stack = (uintptr_t)child_stack;
	a.stack_size = STACK_SIZE;
	expect_fail(&a, SIZE_VER0, EINVAL, 53,
		    "CLONE_THREAD|CLONE_SIGHAND|CLONE_VM with exit_signal");
	fresh(&a);
	a.flags = CLONE_PARENT;
	expect_fail(&a, SIZE_VER0, EINVAL, 54, "CLONE_PARENT with exit_signal");
}

static void set_tid_ns(void)
{
	struct clone_args_v2 a;
	int tids[2];
	pid_t x = free_pid();
	need(x > 0, 92, "a free pid");

	fresh(&a);
	a.flags = CLONE_NEWPID;
	a.set_tid = (uintptr_t)tids;
	a.set_tid_size = 2;
	tids[0] = 1;
	tids[1] = x;
	fflush(stdout);
	long r = raw_clone3(&a, SIZE_VER1, pid_is_1, NULL);
	if (r == x)
		check(1, 60, "CLONE_NEWPID, set_tid {1, X}: clone3 returns X");
	else
		check(0, 60, "CLONE_NEWPID, set_tid {1, X}: clone3 returned %ld, want %d", r,
		      (int)x);
	if (r > 0)
		expect_status(
		    (pid_t)r, "exited 42", 61,
		    "CLONE_NEWPID, set_tid {1, X}: inside, getpid() == 1, getppid() == 0");

	fresh(&a);
	a.flags = CLONE_NEWPID;
	a.set_tid = (uintptr_t)tids;
	a.set_tid_size = 1;
	tids[0] = 1;
	expect_child(&a, SIZE_VER1, pid_is_1, 62, "CLONE_NEWPID, set_tid {1}: any outer pid");

	fresh(&a);
	a.flags = CLONE_NEWPID;
	a.set_tid = (uintptr_t)tids;
	a.set_tid_size = 2;
	tids[0] = 1;
	tids[1] = getpid();
	expect_fail(&a, SIZE_VER1, EEXIST, 64, "CLONE_NEWPID, set_tid {1, our own pid}");
	a.set_tid_size = 3;
	tids[1] = free_pid();
	int three[3] = {1, tids[1], free_pid()};
	a.set_tid = (uintptr_t)three;
	expect_fail(&a, SIZE_VER1, EINVAL, 65, "CLONE_NEWPID, set_tid_size 3 (one level too deep)");

	/* set_tid {X} without a new namespace: the child gets X. */
	x = free_pid();
	fresh(&a);
	a.set_tid = (uintptr_t)tids;
	a.set_tid_size = 1;
	tids[0] = x;
	fflush(stdout);
	r = raw_clone3(&a, SIZE_VER1, exit_42, NULL);
	if (r == x)
		check(1, 66, "set_tid {X}: clone3 returns X");
	else
		check(0, 66, "set_tid {X}: clone3 returned %ld, want %d", r, (int)x);
	if (r > 0)
		expect_status((pid_t)r, "exited 42", 67, "set_tid {X}: the child");
}

int main(void)
{
	sizes();
	fields();
	set_tid_ns();
	return guest_finish();
}
