/*
 * sig_tgkill_masks: which thread of a process runs a handler.
 *
 *   - tgkill(pid, tid, SIGUSR1) aimed at each of three workers, and at the
 *     main thread: the handler (which records the index of the thread it
 *     runs on, kept in a __thread variable) runs on exactly that thread
 *   - tgkill(pid, tid, 0) probes a live thread; a wrong tgid gives ESRCH,
 *     and so does a joined thread's tid
 *   - a process-directed kill(getpid(), SIGUSR2) goes to the one thread that
 *     does not block SIGUSR2 (every other thread, main included, blocks it):
 *     tried with each worker as the open one
 *   - with SIGUSR2 blocked everywhere, kill() leaves it pending for the
 *     process; it is delivered the moment one worker unblocks it, on that
 *     worker, before its pthread_sigmask returns
 *   - a thread-directed SIGUSR2 that the target blocks stays pending for the
 *     target only: sigpending() is set there and not in the main thread;
 *     the target runs the handler when it unblocks
 *   - sigwaitinfo() in a worker takes a process-directed SIGUSR2 that every
 *     thread blocks (si_code SI_USER, si_pid our pid)
 *
 * Workers block in read() on a command pipe (handlers use SA_RESTART); every
 * handler run and every command's completion is a record on one events
 * pipe that the main thread reads in order, so the output order is fixed.
 */
#include "guest_check.h"

#include <pthread.h>

#define NW 3
#define MAIN_IDX NW

struct event {
	int kind; /* 'H' handler ran, 'A' command done */
	int sig;
	int idx;  /* thread the record was written on */
	int value;
};

static __thread int my_idx = MAIN_IDX;
static pid_t tids[NW + 1];
static int cmd[NW][2];
static int events[2];
static pthread_t th[NW];

static long sys_tgkill(pid_t tgid, pid_t tid, int sig)
{
	return syscall(SYS_tgkill, tgid, tid, sig);
}

static void put_event(int kind, int sig, int value)
{
	struct event e = {kind, sig, my_idx, value};
	int saved = errno;
	if (write(events[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(99);
	errno = saved;
}

static void handler(int sig)
{
	put_event('H', sig, 0);
}

static struct event get_event(void)
{
	struct event e;
	need(read_full(events[0], &e, sizeof(e)) == sizeof(e), 95, "read event");
	return e;
}

static void mask_usr2(int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(how, &s, NULL);
}

static int usr2_pending_here(void)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, SIGUSR2);
}

static void *worker(void *arg)
{
	my_idx = (int)(long)arg;
	tids[my_idx] = (pid_t)syscall(SYS_gettid);
	put_event('A', 0, 0);
	for (;;) {
		char c;
		ssize_t r = read(cmd[my_idx][0], &c, 1);
		if (r < 0 && errno == EINTR) {
			put_event('A', 0, -1); /* SA_RESTART must prevent this */
			continue;
		}
		if (r != 1 || c == 'q')
			break;
		int value = 0;
		switch (c) {
		case 'b':
			mask_usr2(SIG_BLOCK);
			break;
		case 'u':
			mask_usr2(SIG_UNBLOCK);
			break;
		case 'p':
			value = usr2_pending_here();
			break;
		case 'w': {
			sigset_t s;
			siginfo_t si;
			sigemptyset(&s);
			sigaddset(&s, SIGUSR2);
			int sig = sigwaitinfo(&s, &si);
			value = sig == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid();
			break;
		}
		}
		put_event('A', c, value);
	}
	return NULL;
}

static const char *who(int idx)
{
	static const char *names[] = {"worker 0", "worker 1", "worker 2", "main"};
	return idx >= 0 && idx <= MAIN_IDX ? names[idx] : "?";
}

/* Send command c to worker i and wait for it to finish; handler runs seen
 * on the way are appended to ran[] (as thread indexes). Returns the value. */
static int command(int i, char c, int *ran, int *nran)
{
	need(write(cmd[i][1], &c, 1) == 1, 94, "write command");
	for (;;) {
		struct event e = get_event();
		if (e.kind == 'H') {
			if (ran && *nran < 8)
				ran[(*nran)++] = e.idx;
			continue;
		}
		if (e.value == -1) {
			check(0, 80, "%s: read() failed with EINTR despite SA_RESTART", who(e.idx));
			continue;
		}
		return e.value;
	}
}

static void tgkill_each_thread(void)
{
	for (int i = 0; i <= MAIN_IDX; i++) {
		long r = sys_tgkill(getpid(), tids[i], SIGUSR1);
		need(r == 0, 96, "tgkill");
		struct event e = get_event();
		check(e.kind == 'H' && e.sig == SIGUSR1 && e.idx == i, 10 + i,
		      "tgkill(SIGUSR1) to %s: handler ran on %s", who(i), who(e.idx));
	}
	expect_eq(sys_tgkill(getpid(), tids[1], 0), 0, 15, "tgkill(pid, live tid, 0) -> 0");
	long r = sys_tgkill(getpid() + 100000, tids[1], 0);
	expect_errno(r, errno, ESRCH, 16, "tgkill with the wrong tgid");
}

static void process_directed_to_unblocked(void)
{
	for (int open = 0; open < NW; open++) {
		int ran[8], nran = 0;
		command(open, 'u', ran, &nran);
		need(kill(getpid(), SIGUSR2) == 0, 97, "kill");
		struct event e = get_event();
		check(e.kind == 'H' && e.sig == SIGUSR2 && e.idx == open, 20 + open,
		      "kill(getpid(), SIGUSR2) with only %s unblocking it: handler ran on %s", who(open),
		      who(e.idx));
		command(open, 'b', ran, &nran);
		expect_eq(nran, 0, 23, "  no other handler runs");
	}
}

static void pending_until_unblocked(void)
{
	sigset_t p;
	need(kill(getpid(), SIGUSR2) == 0, 97, "kill");
	sigpending(&p);
	check(sigismember(&p, SIGUSR2), 30, "SIGUSR2 blocked everywhere: kill() leaves it pending (main's sigpending)");
	int v = command(2, 'p', NULL, NULL);
	expect_eq(v, 1, 31, "  pending as seen from worker 2 too (shared pending set)");
	int ran[8], nran = 0;
	command(1, 'u', ran, &nran);
	check(nran == 1 && ran[0] == 1, 32, "  worker 1 unblocks: delivered on worker 1 before its sigmask call returns");
	sigpending(&p);
	check(!sigismember(&p, SIGUSR2), 33, "  no longer pending");
	command(1, 'b', ran, &nran);
}

static void thread_directed_stays_with_thread(void)
{
	sigset_t p;
	need(sys_tgkill(getpid(), tids[0], SIGUSR2) == 0, 96, "tgkill");
	expect_eq(command(0, 'p', NULL, NULL), 1, 40, "tgkill(SIGUSR2) to worker 0 which blocks it: pending in worker 0");
	sigpending(&p);
	check(!sigismember(&p, SIGUSR2), 41, "  not pending in the main thread");
	expect_eq(command(2, 'p', NULL, NULL), 0, 42, "  not pending in worker 2");
	int ran[8], nran = 0;
	command(2, 'u', ran, &nran);
	expect_eq(nran, 0, 43, "  worker 2 unblocking does not take it");
	command(2, 'b', ran, &nran);
	command(0, 'u', ran, &nran);
	check(nran == 1 && ran[0] == 0, 44, "  worker 0 unblocking runs the handler on worker 0");
	command(0, 'b', ran, &nran);
}

static void sigwaitinfo_in_worker(void)
{
	char c = 'w';
	need(write(cmd[2][1], &c, 1) == 1, 94, "write command");
	need(kill(getpid(), SIGUSR2) == 0, 97, "kill");
	struct event e = get_event();
	check(e.kind == 'A' && e.idx == 2 && e.value == 1, 50,
	      "sigwaitinfo(SIGUSR2) in worker 2 takes a process-directed kill (SI_USER, our pid)");
	sigset_t p;
	sigpending(&p);
	check(!sigismember(&p, SIGUSR2), 51, "  nothing left pending");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	need(sigaction(SIGUSR1, &sa, NULL) == 0, 91, "sigaction");
	need(sigaction(SIGUSR2, &sa, NULL) == 0, 91, "sigaction");
	need(pipe(events) == 0, 92, "pipe");
	tids[MAIN_IDX] = (pid_t)syscall(SYS_gettid);
	mask_usr2(SIG_BLOCK); /* inherited by every worker */

	for (int i = 0; i < NW; i++) {
		need(pipe(cmd[i]) == 0, 92, "pipe");
		need(pthread_create(&th[i], NULL, worker, (void *)(long)i) == 0, 93, "pthread_create");
		struct event e = get_event();
		need(e.kind == 'A' && e.idx == i, 94, "worker start");
	}

	tgkill_each_thread();
	process_directed_to_unblocked();
	pending_until_unblocked();
	thread_directed_stays_with_thread();
	sigwaitinfo_in_worker();

	for (int i = 0; i < NW; i++) {
		char c = 'q';
		need(write(cmd[i][1], &c, 1) == 1, 94, "write command");
		pthread_join(th[i], NULL);
	}
	long r = sys_tgkill(getpid(), tids[1], 0);
	expect_errno(r, errno, ESRCH, 60, "tgkill(pid, joined thread's tid, 0)");
	return guest_finish();
}
