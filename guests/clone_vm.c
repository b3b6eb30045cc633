/*
 * clone_vm: the raw clone syscall with and without CLONE_VM, each child on a
 * stack the caller gives it (raw_clone in guest_check.h).
 *
 *   - CLONE_VM|SIGCHLD: the child writes a global and a heap word and maps
 *     a fresh page (publishing its address in a global); after waitpid the
 *     parent sees both writes and can read the child's mapping; the child
 *     ran on the given stack, and its getpid()/getppid() match
 *   - CLONE_VM|CLONE_VFORK|SIGCHLD: the parent is suspended until the
 *     child exits, so its write is visible right after clone returns,
 *     before any wait
 *   - SIGCHLD only, with a caller-provided stack: the child runs on that
 *     stack (in its own copy of memory) and its writes stay its own
 *   - the parent unmaps a page the CLONE_VM child mapped: one address space
 *
 * CLONE_VM children share the parent's TLS and errno, so they use only raw
 * syscalls and plain memory stores.
 */
#include "guest_check.h"

#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>

#define STACK_SIZE (64 * 1024)

static char stack_a[STACK_SIZE] __attribute__((aligned(16)));
static char stack_b[STACK_SIZE] __attribute__((aligned(16)));

static volatile int g_word;
static volatile long g_child_pid, g_child_ppid;
static volatile int g_on_stack;
static volatile uintptr_t g_child_map;

struct vm_arg {
	int *heap_word;
	char *stack_lo, *stack_hi;
};

static int on_stack(struct vm_arg *a)
{
	char probe;
	return &probe > a->stack_lo && &probe < a->stack_hi;
}

static long raw_mmap_page(void)
{
	register long r10 __asm__("r10") = MAP_PRIVATE | MAP_ANONYMOUS;
	register long r8 __asm__("r8") = -1;
	register long r9 __asm__("r9") = 0;
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"((long)SYS_mmap), "D"(0L), "S"(4096L), "d"((long)(PROT_READ | PROT_WRITE)),
			   "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

static int vm_child(void *p)
{
	struct vm_arg *a = p;

	g_on_stack = on_stack(a);
	g_child_pid = raw_getpid();
	g_child_ppid = raw_getppid();
	*a->heap_word = 0xbeef;
	long m = raw_mmap_page();
	if (m > 0) {
		memcpy((void *)m, "made by the child", 18);
		g_child_map = (uintptr_t)m;
	}
	g_word = 42;
	return 9;
}

static void clone_vm_sigchld(void)
{
	int *heap_word = malloc(sizeof(int));
	need(heap_word != NULL, 92, "malloc");
	*heap_word = 1;
	g_word = 0;
	g_child_map = 0;
	struct vm_arg a = {heap_word, stack_a, stack_a + STACK_SIZE};

	fflush(stdout);
	long pid = raw_clone(CLONE_VM | SIGCHLD, stack_a + STACK_SIZE, NULL, NULL, 0, vm_child, &a);
	need(pid > 0, 90, "clone(CLONE_VM|SIGCHLD)");
	int st = 0;
	pid_t w = waitpid(pid, &st, 0);
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, 10,
	      "CLONE_VM child reaped with waitpid: exited 9 (%s)", status_str(st));
	expect_eq(g_word, 42, 11, "CLONE_VM: parent sees the child's global write (42)");
	expect_eq(*heap_word, 0xbeef, 12, "CLONE_VM: parent sees the child's heap write");
	check(g_on_stack, 13, "CLONE_VM: child ran on the stack it was given");
	check(g_child_pid == pid, 14, "CLONE_VM: child's getpid() == clone return");
	check(g_child_ppid == getpid(), 15, "CLONE_VM: child's getppid() == parent");
	check(g_child_map != 0 && memcmp((void *)g_child_map, "made by the child", 18) == 0, 16,
	      "CLONE_VM: parent reads the page the child mmap'd");
	if (g_child_map)
		check(munmap((void *)g_child_map, 4096) == 0, 17,
		      "CLONE_VM: parent munmaps the child's page");
	free(heap_word);
}

static int vfork_child(void *p)
{
	(void)p;
	g_word = 1;
	sched_yield(); /* the parent must stay suspended anyway */
	g_word = 2;
	return 4;
}

static void clone_vm_vfork(void)
{
	g_word = 0;
	fflush(stdout);
	long pid = raw_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack_b + STACK_SIZE, NULL, NULL, 0,
			     vfork_child, NULL);
	int seen = g_word;
	need(pid > 0, 90, "clone(CLONE_VM|CLONE_VFORK|SIGCHLD)");
	expect_eq(seen, 2, 20, "CLONE_VFORK: parent resumes after the child exits (sees 2)");
	expect_status(pid, "exited 4", 21, "CLONE_VM|CLONE_VFORK child");
}

static int private_child(void *p)
{
	struct vm_arg *a = p;
	g_word = 77;
	*a->heap_word = 77;
	return on_stack(a) && g_word == 77 ? 0 : 1;
}

static void clone_private_stack(void)
{
	int *heap_word = malloc(sizeof(int));
	need(heap_word != NULL, 92, "malloc");
	*heap_word = 5;
	g_word = 6;
	struct vm_arg a = {heap_word, stack_a, stack_a + STACK_SIZE};

	fflush(stdout);
	long pid = raw_clone(SIGCHLD, stack_a + STACK_SIZE, NULL, NULL, 0, private_child, &a);
	need(pid > 0, 90, "clone(SIGCHLD) with a stack");
	expect_status(pid, "exited 0", 30, "no CLONE_VM: child ran on the given stack and saw its write");
	expect_eq(g_word, 6, 31, "no CLONE_VM: parent's global unchanged (6)");
	expect_eq(*heap_word, 5, 32, "no CLONE_VM: parent's heap word unchanged (5)");
	free(heap_word);
}

int main(void)
{
	clone_vm_sigchld();
	clone_vm_vfork();
	clone_private_stack();
	return guest_finish();
}
