#include "emu/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu/cpu.h"
#include "emu/gdbstub.h"
#include "emu/hostsig.h"
#include "emu/inspect.h"
#include "emu/observe.h"
#include "emu/symbolize.h"
#include "emu/step.h"
#include "kernelmodel/cputime.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/files.h"
#include "kernelmodel/net/unix.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/prctl.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/random.h"
#include "loader/elf.h"
#include "loader/exec.h"
#include "syscalls/dispatch.h"

/* The guest's descriptors 0-2 are its own references to cloneemu's. */

/* Signal delivery runs between slices: mm/mmap.c's limits (a frame that
 * grows the stack) are then the receiving task's. */
static struct task *delivering;
static void deliver_signals_of(struct task *t)
{
	delivering = t;
	deliver_signals(t);
	delivering = NULL;
}

static int install_stdio(struct files *files)
{
	for (int fd = 0; fd < 3; fd++) {
		int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		/* A replay gives the guest the descriptors the recording had,
		 * whatever cloneemu has now (stdin may be closed). */
		long present = rr_replaying ? rr_value() : rr_note(h >= 0);
		if (!present) {
			if (h >= 0)
				close(h);
			continue; /* closed for cloneemu: closed for the guest too */
		}
		struct file *f = file_host_alloc(h, NULL);
		if (!f)
			return -ENOMEM;
		f->stdio = true;
		int r = files_install_at(files, f, fd, false);
		file_put(f);
		if (r < 0)
			return r;
	}
	return 0;
}

void emu_exec_params(struct exec_stack_params *sp, const struct task *t, const struct cred *cred,
		     bool secure)
{
	uint32_t r[4];
	memset(sp, 0, sizeof(*sp));
	sp->platform = "x86_64";
	sp->uid = from_kuid_munged(t, cred->uid);
	sp->euid = from_kuid_munged(t, cred->euid);
	sp->gid = from_kgid_munged(t, cred->gid);
	sp->egid = from_kgid_munged(t, cred->egid);
	sp->secure = secure;
	emu_cpuid(1, 0, r);
	sp->hwcap = r[3];
	sp->clktck = 100;
	sp->minsigstksz = sigframe_size();
	get_random_bytes(sp->random, sizeof(sp->random)); /* AT_RANDOM */
}

/* The model's rlimit() for mm/mmap.c's checks: the limits of the task on
 * the CPU (none between slices: unlimited). */
static uint64_t current_rlimit(int resource, bool max)
{
	struct task *t = emu_current_task();
	if (!t)
		t = delivering;
	if (!t || !t->signal)
		return RLIM_INFINITY;
	return max ? t->signal->rlim[resource].rlim_max : t->signal->rlim[resource].rlim_cur;
}

int emu_boot(const struct boot_params *bp, struct task **out, char *err, size_t errlen)
{
	struct strv argv = {0}, envp = {0};
	struct exec_stack_params sp;
	char cwd[PATH_MAX];
	struct cred *cred = NULL;
	bool secure;
	int r = -ENOMEM;
	mm_set_rlimit_hook(current_rlimit);
	struct task *t = task_alloc();
	if (!t)
		goto fail;
	if (!(t->nsproxy = nsproxy_alloc_initial()))
		goto fail;
	if (alloc_pid(t, t->nsproxy->pid_ns_for_children, NULL, 0))
		goto fail;
	t->tgid = t->tid;
	t->exit_signal = SIGCHLD;
	/* cloneemu's own credentials: it is the guest's "parent process". */
	if (!(t->cred = cred_alloc_host(&t->no_new_privs)))
		goto fail;
	/* ... and its nice value, policy, affinity and I/O priority. */
	sched_init_first_task(t);
	/* ... its personality and timer slack. */
	prctl_init_first_task(t);
	if (!(t->signal = signal_alloc()))
		goto fail;
	/* A session and process group of its own, as if init had started it. */
	t->signal->pgid = t->signal->sid = t->tgid;
	for (int i = 0; i < RLIM_NLIMITS_MODEL; i++)
		getrlimit(i, &t->signal->rlim[i]);
	/* The guests' RLIMIT_NOFILE is the model's (their descriptor tables);
	 * cloneemu itself may hold more host descriptors, up to the hard limit. */
	/* ... and its oom_score_adj, for /proc/<pid>/oom_score_adj. */
	FILE *oom = fopen("/proc/self/oom_score_adj", "r");
	int adj = 0;
	if (oom) {
		if (fscanf(oom, "%d", &adj) != 1)
			adj = 0;
		fclose(oom);
	}
	t->signal->oom_score_adj = t->signal->oom_score_adj_min = (short)adj;
	struct rlimit host_nofile = t->signal->rlim[RLIMIT_NOFILE];
	if (host_nofile.rlim_cur < host_nofile.rlim_max) {
		host_nofile.rlim_cur = host_nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &host_nofile);
	}
	if (!(t->mm = mm_alloc()))
		goto fail;
	for (int i = 0; i < bp->argc; i++)
		if (strv_push(&argv, argv.n, bp->argv[i]))
			goto fail;
	for (int i = 0; i < bp->envc; i++)
		if (strv_push(&envp, envp.n, bp->envp[i]))
			goto fail;
	if (!getcwd(cwd, sizeof(cwd))) {
		r = -errno;
		goto fail;
	}
	/* The first guest starts as execve(PROGRAM, ARGS, environ) would. */
	struct linux_binprm b = {.argv = &argv, .envp = &envp, .filename = bp->path, .cwd = cwd};
	if ((r = bprm_creds_from_file(t, bp->path, &cred, &secure))) {
		if (r != -ENOMEM)
			snprintf(err, errlen, "%s", r == -EPERM ? "its file capabilities cannot be granted"
								: "malformed file capabilities");
		goto fail;
	}
	emu_exec_params(&sp, t, cred, secure);
	elf_set_no_randomize(t->personality & ADDR_NO_RANDOMIZE);
	elf_set_stack_limit(t->signal->rlim[RLIMIT_STACK].rlim_cur);
	r = bprm_execve(t->mm, &b, bp->path, &sp);
	if (r) {
		/* The message names the file that failed when it is not PROGRAM. */
		const char *why = b.err;
		size_t n = strlen(bp->path);
		if (!strncmp(why, bp->path, n) && why[n] == ':' && why[n + 1] == ' ')
			why += n + 2;
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	struct stat st;
	if (!stat(b.file, &st))
		mm_set_exe(t->mm, st.st_dev, st.st_ino);
	commit_creds(t, cred);
	cred = NULL;
	prctl_exec(t, secure);
	r = -ENOMEM;
	rlim_t cur = t->signal->rlim[RLIMIT_NOFILE].rlim_cur;
	unsigned nofile = cur > INT_MAX ? INT_MAX : (unsigned)cur;
	if (!(t->files = files_alloc(nofile)) || install_stdio(t->files))
		goto fail;
	if (!(t->fs = fs_alloc_initial()) || !(t->sighand = sighand_alloc()))
		goto fail;
	t->exe = realpath(b.file, NULL);
	task_set_comm(t, bp->path);
	if (!(t->cpu = emu_context_alloc()))
		goto fail;
	emu_reset_regs(b.info.start, b.sp);
	emu_context_save(t->cpu);
	t->signal->nr_live = 1;
	sched_add(t);
	strv_free(&argv);
	strv_free(&envp);
	*out = t;
	return 0;
fail:
	abort_creds(cred);
	strv_free(&argv);
	strv_free(&envp);
	if (r == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory");
	if (t)
		emu_context_free(t->cpu);
	task_put(t);
	return r;
}

/* A CPU exception becomes the signal Linux sends (a handler may catch
 * it); the run loop delivers it before the task runs again. Unhandled, the
 * process dies of it and we say where. */
static void fault_signal(struct task *t, enum emu_exit why)
{
	int sig, code = 0x80; /* SI_KERNEL */
	uint64_t addr = emu_reg_read(EREG_RIP);
	switch (why) {
	case EMU_FPE:
		sig = SIGFPE;
		code = FPE_INTDIV;
		break;
	case EMU_ILL:
		sig = SIGILL;
		code = ILL_ILLOPN;
		break;
	case EMU_TRAP:
		sig = SIGTRAP;
		break;
	case EMU_GPF: /* do_general_protection: force_sig(SIGSEGV), no address */
		sig = SIGSEGV;
		addr = 0;
		t->fault_err = 0;
		break;
	case EMU_OOM:
		fprintf(stderr, "cloneemu: pid %d: out of guest memory: SIGKILL\n", t->tgid);
		send_signal(t, SIGKILL, NULL);
		return;
	case EMU_SEGV:
	default:
		sig = SIGSEGV;
		if (t->mm && t->mm->last_fault.si_code) {
			if (t->mm->last_fault.bus)
				sig = SIGBUS; /* a shared file page past EOF: BUS_ADRERR */
			code = t->mm->last_fault.si_code;
			addr = emu_fault_address(t, t->mm->last_fault.addr & PAGE_MASK);
			/* The page-fault error code, as the CPU reports it (P W U I). */
			int acc = t->mm->last_fault.access;
			t->fault_err = (code == 2 && sig == SIGSEGV ? 1 : 0) |
				       (acc == MM_WRITE ? 2 : 0) | 4 | (acc == MM_EXEC ? 16 : 0);
			t->mm->last_fault.si_code = 0;
			t->mm->last_fault.bus = false;
		}
		break;
	}
	uint64_t h = t->sighand->action[sig - 1].handler;
	/* Under gdb, gdb says it (and may discard the signal: an inferior
	 * call returning to its dummy frame on the stack). */
	if ((h == (uint64_t)(uintptr_t)SIG_DFL || (t->sig_blocked & SIGBIT(sig))) && !gdb_active)
		fprintf(stderr, "cloneemu: pid %d: %s at rip 0x%llx (address 0x%llx)\n", t->tgid,
			strsignal(sig), (unsigned long long)emu_reg_read(EREG_RIP),
			(unsigned long long)addr);
	force_sig_fault(t, sig, code, addr);
	deliver_signals_of(t);
}

/* Free the reaped tasks. A pass walks the whole task list, so unless told
 * to (@all) it runs only every so many calls, more apart as the list
 * grows: reaped tasks linger a little (invisible to the model), and a
 * slice no longer costs a walk over 10,000 tasks. */
static void reap_dead(bool all)
{
	static size_t calls;
	if (!all && ++calls < sched_nr_tasks() / 64)
		return;
	calls = 0;
	struct task *t = task_next(NULL);
	while (t) {
		struct task *next = task_next(t);
		if (t->state == TASK_DEAD) {
			emu_context_free(t->cpu);
			t->cpu = NULL;
			sched_remove(t);
		}
		t = next;
	}
}

static struct task *loaded_task;

/* The stepper switches tasks: their registers go on the CPU. */
static void load_task(struct task *t)
{
	if (loaded_task && loaded_task != t && task_is_alive(loaded_task))
		emu_context_save(loaded_task->cpu);
	emu_context_load(t->cpu);
	loaded_task = t;
}

/* The frame-pointer chain from the registers loaded: return addresses
 * while each frame is above the last and lands in executable code. */
static void print_backtrace(struct task *t)
{
	uint64_t fp = emu_reg_read(EREG_RBP), sp = emu_reg_read(EREG_RSP);
	for (int depth = 1; depth <= 16 && fp >= sp && !(fp & 7); depth++) {
		uint64_t frame[2];
		if (copy_from_guest(t->mm, frame, fp, sizeof(frame)))
			break;
		const struct vma *v = mm_find_vma(t->mm, frame[1]);
		if (!v || !(v->prot & PROT_EXEC))
			break;
		char sym[256];
		symbolize(t->mm, frame[1], sym, sizeof(sym));
		fprintf(stderr, "cloneemu:       #%d 0x%llx%s\n", depth, (unsigned long long)frame[1], sym);
		if (frame[0] <= fp)
			break;
		sp = fp;
		fp = frame[0];
	}
}

void (*deadlock_hook)(void);

/* No task is runnable and none can become so: say who waits on what and
 * where, kill everyone, and let cloneemu exit with EXIT_DEADLOCK. */
static void report_deadlock(void)
{
	fprintf(stderr, "cloneemu: deadlock: every task is blocked forever:\n");
	for (struct task *t = task_next(NULL); t; t = task_next(t)) {
		fprintf(stderr, "cloneemu:   tid %d (pid %d, %s) %s", t->tid, t->tgid, t->comm,
			task_state_name(t->state));
		if (!task_is_alive(t) || !t->cpu) {
			fputc('\n', stderr);
			continue;
		}
		emu_context_load(t->cpu);
		uint64_t pc = emu_reg_read(EREG_RIP);
		char what[256] = "", sym[256];
		if (t->state == TASK_INTERRUPTIBLE)
			inspect_describe_wait(t, what, sizeof(what));
		symbolize(t->mm, pc, sym, sizeof(sym));
		fprintf(stderr, "%s%s%s%s%s at pc 0x%llx%s\n",
			t->state == TASK_INTERRUPTIBLE ? " in " : "", t->wait_why ? t->wait_why : "",
			what[0] ? ": " : "", what, "", (unsigned long long)pc, sym);
		print_backtrace(t);
	}
	if (deadlock_hook)
		deadlock_hook(); /* --inspect, --graph: the blocked tasks, before they die */
	for (struct task *t = task_next(NULL); t; t = task_next(t))
		do_exit(t, WSTATUS_SIGNALED(SIGKILL, 0));
}

int emu_run_all(struct task *first)
{
	task_get(first); /* keep its exit status readable after it is reaped */
	struct task *loaded = NULL, *t = NULL;
	bool deadlock = false;
	bool keep = false, keep_stepping = false;
	bool gdb_first_stop = gdb_active, gdb_pending_stop = false;
	bool self_stopped = false;
	uint64_t step = 0; /* scheduler steps: where a signal from outside came */
	hostsig_init(first);
	atexit(hostsig_fini);
	for (;;) {
		hostsig_deliver(first, step++);
		sched_tick();
		/* A stop that only asked to re-evaluate the slice (a task was
		 * woken or created) keeps the running task, as Linux lets a
		 * parent run on after fork; it now gets a preemptible slice. */
		if (!keep || !t || t->state != TASK_RUNNING || gdb_holds(t))
			t = sched_pick_next(t);
		keep = false;
		if (!t) {
			reap_dead(false);
			if (!task_next(NULL))
				break;
			/* The first process stopped and nothing runs: so does
			 * cloneemu, for whoever waits for it (hostsig.h). */
			if (!task_is_alive(first) || !first->signal->group_stopped)
				self_stopped = false;
			else if (!self_stopped) {
				self_stopped = true;
				hostsig_stop_self(first);
				continue;
			}
			if (!sched_idle()) {
				/* gdb holds the tasks that could run: wait for its ^C. */
				if (gdb_active && gdb_holding()) {
					gdb_wait_interrupt(load_task);
					/* gdb looked at (and may have changed) a held task. */
					if (loaded_task && task_is_alive(loaded_task))
						emu_context_save(loaded_task->cpu);
					loaded = NULL;
					continue;
				}
				/* Nothing to wait for: only dead tasks left, or a deadlock. */
				reap_dead(true);
				if (!task_next(NULL))
					break;
				report_deadlock();
				reap_dead(true);
				deadlock = first->state != TASK_DEAD || first->exit_status == WSTATUS_SIGNALED(SIGKILL, 0);
				continue;
			}
			continue;
		}
		if (t != loaded) {
			emu_context_load(t->cpu);
			loaded = t;
		}
		loaded_task = loaded;
		/* Signals that arrived while it waited its turn. A task woken in
		 * a syscall first retries it (it may complete: a vfork whose child
		 * exited, a read whose data arrived); only a retry that would
		 * sleep again hands the signal over (sig_interrupted). */
		if (signal_pending(t) && (!t->restarting || t->sig_interrupted))
			deliver_signals_of(t);
		if (t->state != TASK_RUNNING) {
			if (task_is_alive(t))
				emu_context_save(t->cpu);
			else
				loaded = NULL;
			reap_dead(false);
			t = NULL;
			continue;
		}
		long steps = 0;
		/* gdb resumed from a signal stop (deliver_signals, fault_signal);
		 * or an event is queued; or a step that blocked in a syscall
		 * ends now that its task runs again. */
		int what = gdb_active ? gdb_take_resume(&t) : GDB_NONE;
		if (what != GDB_NONE)
			gdb_pending_stop = false;
		else if (gdb_active && (gdb_event_pending() || t->tid == gdb_stepping_tid()))
			gdb_pending_stop = true;
		if (what == GDB_NONE && gdb_active && (gdb_first_stop || gdb_pending_stop)) {
			/* The first stop is reported when gdb asks ('?'). */
			what = gdb_stopped(&t, gdb_first_stop ? -1 : 5 /* SIGTRAP */, load_task);
			gdb_first_stop = gdb_pending_stop = false;
		}
		if (what != GDB_NONE) {
			if (loaded_task != t)
				load_task(t); /* gdb may have looked at other tasks */
			loaded = t;
			if (what == GDB_KILL) {
				for (struct task *p = task_next(NULL); p; p = task_next(p))
					do_exit(p, WSTATUS_SIGNALED(SIGKILL, 0));
				reap_dead(true);
				t = NULL;
				continue;
			}
			emu_skip_breakpoint(emu_reg_read(EREG_RIP));
			if (what == GDB_STEP) {
				steps = 1;
				gdb_pending_stop = true;
			}
		}
		if (!steps && gdb_holds(t)) { /* gdb resumed other processes only */
			emu_context_save(t->cpu);
			t = NULL;
			continue;
		}
		if (step_active) {
			steps = step_before_run(&t, load_task);
			if (loaded_task != t)
				load_task(t);
			loaded = t;
			if (steps == STEP_QUIT) {
				reap_dead(true);
				t = NULL;
				continue;
			}
		}
		/* A signal from outside came since the top of the loop: take it
		 * before the slice rather than after (a stop asked for while the
		 * engine is idle is lost). Not while recording: there it comes at
		 * the next step, which a replay can find again. */
		if (!rr_recording && !steps && hostsig_pending()) {
			emu_context_save(t->cpu);
			continue;
		}
		uint64_t slice = steps > 0 ? 0 : sched_slice(t);
		bool preemptible = slice && slice != SCHED_SLICE_ALONE;
		hostsig_arm(t, !slice && steps <= 0);
		sched_begin_slice(preemptible);
		if (observe_active)
			observe_slice_begin(t);
		enum emu_exit why = steps > 0 ? emu_step(t, (uint64_t)steps) : emu_run(t, slice);
		if (why == EMU_STEPPED) {
			why = EMU_STOPPED;
			keep_stepping = true;
		}
		if (why == EMU_BREAKPOINT) {
			why = EMU_STOPPED;
			keep_stepping = true;
			gdb_pending_stop = true;
		}
		if (gdb_active && gdb_watch_hit()) { /* stopped after a watched write */
			why = EMU_STOPPED;
			keep_stepping = true;
			gdb_pending_stop = true;
		}
		clock_advance(emu_blocks_run() * VCLOCK_BLOCK_NS);
		if (observe_active)
			observe_slice_end(t);
		sched_account(emu_blocks_run());
		account_user_blocks(t, emu_blocks_run(), why == EMU_PREEMPTED);
		keep = (why == EMU_STOPPED && !preemptible && sched_need_resched()) || keep_stepping;
		keep_stepping = false;
		if (why == EMU_PREEMPTED)
			why = EMU_STOPPED;
		if (why == EMU_ERROR) {
			fprintf(stderr, "cloneemu: pid %d: emulator error: %s\n", t->tgid, emu_error());
			why = EMU_ILL;
		}
		if (why != EMU_STOPPED && t->state == TASK_RUNNING)
			fault_signal(t, why);
		bool alive = task_is_alive(t);
		if (alive)
			emu_context_save(t->cpu);
		else
			loaded = NULL;
		reap_dead(false); /* may free t */
		if (!alive)
			t = NULL;
	}
	hostsig_fini();
	int st = task_wait_status(first);
	task_put(first);
	int status = deadlock ? EXIT_DEADLOCK : (st & 0x7f) ? 128 + (st & 0x7f) : (st >> 8) & 0xff;
	gdb_exited(status);
	return status;
}
