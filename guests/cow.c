/*
 * cow: fork gives the child a private copy of every private mapping
 * (copy-on-write underneath). Targets the write-fault paths of a COW model:
 *
 *   - child writes a .data global, a .bss global, a small (brk) heap block,
 *     a stack variable and a large (mmap'd) malloc block, including pages of
 *     it nobody touched before fork: the child sees its writes, the parent,
 *     after waiting, still sees the old values (and zeros in the untouched
 *     pages)
 *   - the parent writes after fork while the child is blocked on a pipe:
 *     the child, woken afterwards, reports through a pipe that it saw the
 *     old values
 *   - after the child is gone, the parent writes its pages again (the frame
 *     is no longer shared) and reads back what it wrote
 *   - a grandchild writes, the child (its parent) keeps its own values: a
 *     page shared three ways
 */
#include "guest_check.h"

#include <stdint.h>

#define BIG_SIZE (4u << 20) /* well past malloc's mmap threshold */
#define PAGE 4096u

static int g_data = 111;
static int g_bss;

struct snapshot {
	int data, bss, heap, stack;
	uint32_t big_sum, big_untouched_sum;
};

static uint32_t sum_pages(const unsigned char *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i < n; i += PAGE)
		s = s * 31 + p[i] + p[i + PAGE - 1];
	return s;
}

/* The big block: first half touched (0x5a) before fork, second half never. */
static unsigned char *big;
static int *heap;

static void take(struct snapshot *s, volatile int *stack_var)
{
	s->data = g_data;
	s->bss = g_bss;
	s->heap = *heap;
	s->stack = *stack_var;
	s->big_sum = sum_pages(big, BIG_SIZE / 2);
	s->big_untouched_sum = sum_pages(big + BIG_SIZE / 2, BIG_SIZE / 2);
}

static void child_writes(void)
{
	volatile int stack_var = 444;
	struct snapshot before, after;

	take(&before, &stack_var);
	pid_t pid = guest_fork();
	if (pid == 0) {
		g_data = 1;
		g_bss = 2;
		*heap = 3;
		stack_var = 4;
		memset(big, 0xa5, BIG_SIZE); /* every page, touched or not */
		int ok = g_data == 1 && g_bss == 2 && *heap == 3 && stack_var == 4;
		for (size_t i = 0; i < BIG_SIZE; i += PAGE)
			ok = ok && big[i] == 0xa5 && big[i + PAGE - 1] == 0xa5;
		_exit(ok ? 0 : 1);
	}
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 10,
	      "child sees its own writes to data, bss, heap, stack and the big block");
	take(&after, &stack_var);
	expect_eq(after.data, 111, 11, "parent's .data global unchanged (111)");
	expect_eq(after.bss, 0, 12, "parent's .bss global unchanged (0)");
	expect_eq(after.heap, 222, 13, "parent's heap block unchanged (222)");
	expect_eq(after.stack, 444, 14, "parent's stack variable unchanged (444)");
	check(after.big_sum == before.big_sum, 15, "parent's touched big-block pages unchanged");
	check(after.big_untouched_sum == 0 && before.big_untouched_sum == 0, 16,
	      "parent's never-touched big-block pages still read zero");

	/* The frames are now the parent's alone: writing must still work. */
	g_data = 112;
	*heap = 223;
	big[0] = 0x11;
	big[BIG_SIZE - 1] = 0x22;
	check(g_data == 112 && *heap == 223 && big[0] == 0x11 && big[BIG_SIZE - 1] == 0x22, 17,
	      "parent writes its pages after the child is gone");
	g_data = 111;
	*heap = 222;
	big[0] = 0x5a;
	big[BIG_SIZE - 1] = 0;
}

static void parent_writes(void)
{
	volatile int stack_var = 555;
	int gate[2], rep[2];

	need(pipe(gate) == 0 && pipe(rep) == 0, 91, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c;
		close(gate[1]);
		close(rep[0]);
		read(gate[0], &c, 1); /* the parent has written by now */
		struct snapshot s;
		take(&s, &stack_var);
		write_full(rep[1], &s, sizeof(s));
		_exit(0);
	}
	close(gate[0]);
	close(rep[1]);
	struct snapshot old;
	take(&old, &stack_var);
	g_data = 7;
	g_bss = 8;
	*heap = 9;
	stack_var = 10;
	memset(big, 0x3c, BIG_SIZE);
	write_full(gate[1], "g", 1);

	struct snapshot seen;
	memset(&seen, 0, sizeof(seen));
	size_t n = read_full(rep[0], &seen, sizeof(seen));
	check(n == sizeof(seen), 20, "child reported what it saw");
	expect_eq(seen.data, 111, 21, "child saw the old .data value after the parent wrote");
	expect_eq(seen.bss, 0, 22, "child saw the old .bss value");
	expect_eq(seen.heap, 222, 23, "child saw the old heap value");
	expect_eq(seen.stack, 555, 24, "child saw the old stack value");
	check(seen.big_sum == old.big_sum, 25, "child saw the old big-block contents");
	check(seen.big_untouched_sum == 0, 26, "child saw zeros in the pages the parent only now touched");
	check(g_data == 7 && g_bss == 8 && *heap == 9 && stack_var == 10 && big[BIG_SIZE - 1] == 0x3c,
	      27, "parent keeps its own writes");
	int st = 0;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 28,
	      "child exited 0");
	close(gate[1]);
	close(rep[0]);
}

static void three_way(void)
{
	g_data = 1000;
	pid_t pid = guest_fork();
	if (pid == 0) {
		pid_t gc = fork();
		if (gc == 0) {
			g_data = 3000;
			_exit(g_data == 3000 ? 0 : 1);
		}
		int st = 0;
		int ok = gc > 0 && waitpid(gc, &st, 0) == gc && WIFEXITED(st) && WEXITSTATUS(st) == 0;
		/* The grandchild's write left our copy alone; now write our own. */
		ok = ok && g_data == 1000;
		g_data = 2000;
		_exit(ok && g_data == 2000 ? 0 : 1);
	}
	int st = 0;
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, 30,
	      "grandchild's write invisible to the child; child's own write works");
	expect_eq(g_data, 1000, 31, "parent still sees 1000 after child and grandchild wrote");
}

int main(void)
{
	heap = malloc(sizeof(*heap));
	big = malloc(BIG_SIZE);
	need(heap && big, 92, "malloc");
	*heap = 222;
	memset(big, 0x5a, BIG_SIZE / 2);

	child_writes();
	parent_writes();
	three_way();
	return guest_finish();
}
