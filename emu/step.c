/* The stepper (--step): stop the emulated machine, look at it, and move it
 * on by instructions, to the next syscall, to a syscall by name or to the
 * next new task. Commands come from a file or stdin, so tests can drive it
 * with a script; everything it prints goes to stderr.
 *
 *   step [N] | s [N]      N instructions of the focused task (default 1)
 *   next | n              run until any task is about to make a syscall
 *   until NAME            run until a syscall named NAME is about to run
 *   newtask               run until a task is created
 *   continue | c          run freely (to the end)
 *   task TID              focus another task
 *   tasks                 the task tree and shared objects (as --inspect)
 *   regs                  the focused task's registers
 *   mem ADDR [LEN]        hex dump of the focused task's memory
 *   maps                  its memory mappings
 *   quit | q              kill every task and stop (cloneemu exits 137,
 *                         the status of a process killed by SIGKILL) */
#include "emu/step.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/inspect.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

enum step_mode { MODE_PROMPT, MODE_FREE, MODE_SYSCALL, MODE_NEWTASK };

static struct {
	FILE *in;
	enum step_mode mode;
	char until[64];  /* MODE_SYSCALL: a name, or "" for any */
	int focus;       /* tid of the focused task */
	int ntasks_seen; /* highest tid seen, for MODE_NEWTASK */
	long pending_nr; /* stopped before this syscall, -1: not at a syscall */
	bool skip_once;  /* resume through the syscall we stopped before */
} st = {.pending_nr = -1};

bool step_active;

static int max_tid(void)
{
	int m = 0;
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		if (t->tid > m)
			m = t->tid;
	return m;
}

/* dispatch calls this at every syscall entry: true = stop before it. */
static bool stop_before_syscall(struct task *t, long nr)
{
	if (st.skip_once) {
		st.skip_once = false;
		return false;
	}
	if (st.mode != MODE_SYSCALL)
		return false;
	const char *name = syscall_name(nr);
	if (st.until[0] && (!name || strcmp(name, st.until)))
		return false;
	st.pending_nr = nr;
	st.focus = t->tid;
	st.mode = MODE_PROMPT;
	return true;
}

int step_init(const char *script)
{
	/* Without a script the commands own cloneemu's stdin (a copy of it:
	 * the guest's fd 0 becomes /dev/null). */
	st.in = script ? fopen(script, "r") : fdopen(fcntl(0, F_DUPFD_CLOEXEC, 3), "r");
	if (!st.in)
		return -1;
	step_active = true;
	st.mode = MODE_PROMPT;
	syscall_stop_hook = stop_before_syscall;
	return 0;
}

static struct task *focus_task(void)
{
	struct task *t = task_find(st.focus);
	return t && task_is_alive(t) ? t : NULL;
}

static void show_stop(struct task *t)
{
	fprintf(stderr, "[task %d] rip=0x%" PRIx64 " rsp=0x%" PRIx64 " rax=0x%" PRIx64 " %s\n",
		t->tid, emu_reg_read(EREG_RIP), emu_reg_read(EREG_RSP), emu_reg_read(EREG_RAX),
		t->state == TASK_RUNNING ? "" : "(not runnable)");
	if (st.pending_nr >= 0) {
		const char *n = syscall_name(st.pending_nr);
		fprintf(stderr, "  about to make syscall %s (%ld)\n", n ? n : "?", st.pending_nr);
	}
	emu_disasm(t, emu_reg_read(EREG_RIP), 4, stderr);
}

static void show_regs(void)
{
	static const char *const names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
					    "rsp", "r8",  "r9",  "r10", "r11", "r12", "r13",
					    "r14", "r15", "rip", "rflags", "fs_base", "gs_base"};
	for (int r = 0; r < 20; r++)
		fprintf(stderr, "  %-7s 0x%016" PRIx64 "%s", names[r], emu_reg_read(r),
			r % 3 == 2 ? "\n" : "");
	fputc('\n', stderr);
}

static void show_mem(struct task *t, uint64_t addr, uint64_t len)
{
	uint8_t buf[16];
	for (uint64_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		if (copy_from_guest(t->mm, buf, addr + off, n)) {
			fprintf(stderr, "  0x%" PRIx64 ": <not mapped>\n", addr + off);
			return;
		}
		fprintf(stderr, "  0x%" PRIx64 ":", addr + off);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %02x", buf[i]);
		fputc('\n', stderr);
	}
}

static void show_maps(struct task *t)
{
	const struct mm *mm = t->mm;
	for (size_t i = 0; mm && i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		fprintf(stderr, "  %012" PRIx64 "-%012" PRIx64 " %c%c%c%c %s\n", v->start, v->end,
			v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
			v->prot & PROT_EXEC ? 'x' : '-', v->flags & VMA_SHARED ? 's' : 'p',
			v->name ? v->name : "");
	}
}

static bool known_syscall(const char *name)
{
	for (int nr = 0; nr < NR_SYSCALLS; nr++)
		if (syscall_names[nr] && !strcmp(syscall_names[nr], name))
			return true;
	return false;
}

/* Read and carry out commands until one lets the machine run. Returns the
 * number of instructions to step the focused task (0: run normally), or -1
 * to quit. The caller has the focused task's registers on the CPU. */
static long prompt(struct task **tp)
{
	char line[256];
	for (;;) {
		struct task *t = focus_task();
		if (!t) {
			fprintf(stderr, "(no task %d: focus on another with 'task TID')\n", st.focus);
		}
		fprintf(stderr, "(cloneemu) ");
		if (!fgets(line, sizeof(line), st.in)) {
			fputs("\n", stderr);
			st.mode = MODE_FREE; /* end of the script: run to the end */
			return 0;
		}
		char cmd[32] = "", arg[64] = "", arg2[64] = "";
		sscanf(line, "%31s %63s %63s", cmd, arg, arg2);
		/* A script's commands are echoed so the transcript reads well. */
		if (!isatty(fileno(st.in)))
			fprintf(stderr, "%s%s", line, line[strlen(line) - 1] == '\n' ? "" : "\n");
		if (!cmd[0])
			continue;
		if (!strcmp(cmd, "step") || !strcmp(cmd, "s")) {
			long n = arg[0] ? strtol(arg, NULL, 0) : 1;
			if (!t || n <= 0)
				continue;
			*tp = t;
			return n;
		} else if (!strcmp(cmd, "next") || !strcmp(cmd, "n")) {
			st.mode = MODE_SYSCALL;
			st.until[0] = 0;
			return 0;
		} else if (!strcmp(cmd, "until")) {
			if (!known_syscall(arg)) {
				fprintf(stderr, "until: no syscall named '%s'\n", arg);
				continue;
			}
			st.mode = MODE_SYSCALL;
			snprintf(st.until, sizeof(st.until), "%s", arg);
			return 0;
		} else if (!strcmp(cmd, "newtask")) {
			st.mode = MODE_NEWTASK;
			st.ntasks_seen = max_tid();
			return 0;
		} else if (!strcmp(cmd, "continue") || !strcmp(cmd, "c")) {
			st.mode = MODE_FREE;
			return 0;
		} else if (!strcmp(cmd, "task")) {
			struct task *n = task_find(atoi(arg));
			if (!n || !task_is_alive(n)) {
				fprintf(stderr, "no task %s\n", arg);
				continue;
			}
			st.focus = n->tid;
			st.pending_nr = -1;
			*tp = n;
			return -2; /* load its registers, then prompt again */
		} else if (!strcmp(cmd, "tasks")) {
			inspect_print(stderr);
		} else if (!strcmp(cmd, "regs") && t) {
			show_regs();
		} else if ((!strcmp(cmd, "mem") || !strcmp(cmd, "x")) && t) {
			show_mem(t, strtoull(arg, NULL, 0), arg2[0] ? strtoull(arg2, NULL, 0) : 64);
		} else if (!strcmp(cmd, "maps") && t) {
			show_maps(t);
		} else if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) {
			return -1;
		} else {
			fprintf(stderr, "commands: step [N], next, until NAME, newtask, continue, "
					"task TID, tasks, regs, mem ADDR [LEN], maps, quit\n");
		}
	}
}

/* Called by the run loop before a task runs. Returns how to run it:
 * STEP_RUN, STEP_QUIT, or a positive instruction count. */
long step_before_run(struct task **tp, void (*load)(struct task *))
{
	struct task *t = *tp;
	if (st.mode == MODE_NEWTASK && max_tid() > st.ntasks_seen) {
		st.mode = MODE_PROMPT;
		st.focus = max_tid();
	}
	if (st.mode == MODE_FREE || st.mode == MODE_SYSCALL || st.mode == MODE_NEWTASK)
		return STEP_RUN;
	if (!st.focus)
		st.focus = t->tid;
	struct task *f = focus_task();
	if (f && f != t) {
		*tp = t = f;
		load(t);
	}
	for (;;) {
		if (focus_task())
			show_stop(focus_task());
		long r = prompt(tp);
		if (r == -2) {
			load(*tp);
			continue;
		}
		if (r == -1) {
			for (struct task *p = task_next(NULL); p; p = task_next(p))
				do_exit(p, WSTATUS_SIGNALED(SIGKILL, 0));
			return STEP_QUIT;
		}
		if (st.pending_nr >= 0) {
			st.skip_once = true; /* the syscall we stopped before runs now */
			st.pending_nr = -1;
		}
		return r > 0 ? r : STEP_RUN;
	}
}
