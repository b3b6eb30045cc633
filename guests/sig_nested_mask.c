/*
 * sig_nested_mask: the signal mask around handlers, nesting, and taking
 * signals synchronously. Every handler appends a token to a log, and the log
 * is compared with what Linux does.
 *
 *   - a SIGUSR1 handler raising SIGUSR2: the SIGUSR2 handler runs nested,
 *     inside the first ("1< 2 1>")
 *   - a handler raising its own signal: blocked while it runs, so it is
 *     pending (sigpending says so) and runs right after the handler returns
 *     ("1< 1> 1< 1>"); with SA_NODEFER it nests instead ("1< 1< 1> 1>")
 *   - sa_mask = {SIGUSR2}: SIGUSR2 raised inside waits for the return
 *   - inside a handler the mask has its signal and sa_mask; after it, the
 *     old mask is back; a handler that adds SIGUSR2 to uc_sigmask leaves
 *     SIGUSR2 blocked after rt_sigreturn
 *   - SIGUSR1 and SIGUSR2 pending together, unblocked at once: Linux
 *     dequeues SIGUSR1 first and builds its frame, then builds SIGUSR2's on
 *     top, so SIGUSR2's handler runs first, inside SIGUSR1's ("1< 2 1>" is
 *     not what happens: the log is "2 1< 1>")
 *   - SA_RESETHAND (in a child): the handler sees SIG_DFL already; the
 *     signal raised again inside stays blocked until it returns and then
 *     kills the child with SIGUSR1; the handler ran once
 *   - sigprocmask/sigpending/sigsuspend: two raises of a blocked signal
 *     coalesce; sigsuspend runs the handler once, returns EINTR and puts the
 *     mask back; SIGKILL and SIGSTOP cannot be blocked; a bad `how` -> EINVAL
 *   - sigaction on 0, 65, SIGKILL -> EINVAL
 *   - sigtimedwait: 50 ms with nothing pending -> EAGAIN; kill() -> SI_USER
 *     with our pid; raise() -> SI_TKILL (seen with the raw syscall: glibc's
 *     wrapper reports it as SI_USER); sigqueue() -> SI_QUEUE with the
 *     value; a SA_SIGINFO handler gets sigqueue's value too
 *   - real-time signals queue: three sigqueue(SIGRTMIN) with values 1, 2, 3
 *     come back in that order, then EAGAIN
 *   - rt_sigqueueinfo with si_code SI_USER to another process -> EPERM
 */
#include "guest_check.h"

#include <time.h>
#include <ucontext.h>

static char logbuf[256];
static volatile int depth;

static void log_tok(const char *t)
{
	size_t n = strlen(logbuf);
	if (n + strlen(t) + 2 < sizeof(logbuf)) {
		if (n)
			logbuf[n++] = ' ';
		strcpy(logbuf + n, t);
	}
}

static void expect_log(const char *want, int code, const char *what)
{
	if (strcmp(logbuf, want) == 0)
		check(1, code, "%s: \"%s\"", what, want);
	else
		check(0, code, "%s: got \"%s\", want \"%s\"", what, logbuf, want);
	logbuf[0] = 0;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int masksig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (masksig)
		sigaddset(&sa.sa_mask, masksig);
	need(sigaction(sig, &sa, NULL) == 0, 91, "sigaction");
}

static void block(int how, int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	sigprocmask(how, &s, NULL);
}

static int is_blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	return sigismember(&s, sig);
}

static int is_pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

/* --- handlers ----------------------------------------------------------- */

static volatile int raise_in_usr1; /* signal the SIGUSR1 handler raises once */
static volatile int raised;
static volatile int pending_inside, usr1_blocked_inside, usr2_blocked_inside;
static volatile int add_usr2_to_uc;

static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	log_tok("1<");
	usr1_blocked_inside = is_blocked(SIGUSR1);
	usr2_blocked_inside = is_blocked(SIGUSR2);
	if (raise_in_usr1 && !raised) {
		raised = 1;
		raise(raise_in_usr1);
		pending_inside = is_pending(raise_in_usr1);
	}
	if (add_usr2_to_uc)
		sigaddset(&((ucontext_t *)ucv)->uc_sigmask, SIGUSR2);
	log_tok("1>");
}

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	log_tok("2");
}

static void reset(void)
{
	raise_in_usr1 = raised = 0;
	pending_inside = usr1_blocked_inside = usr2_blocked_inside = 0;
	add_usr2_to_uc = 0;
	logbuf[0] = 0;
	install(SIGUSR1, on_usr1, 0, 0);
	install(SIGUSR2, on_usr2, 0, 0);
}

static void nesting(void)
{
	reset();
	raise_in_usr1 = SIGUSR2;
	raise(SIGUSR1);
	expect_log("1< 2 1>", 10, "SIGUSR1 handler raises SIGUSR2: nested");

	reset();
	raise_in_usr1 = SIGUSR1;
	raise(SIGUSR1);
	expect_log("1< 1> 1< 1>", 11, "SIGUSR1 handler raises SIGUSR1: deferred until it returns");
	check(pending_inside, 12, "  it was pending inside the handler");

	reset();
	install(SIGUSR1, on_usr1, SA_NODEFER, 0);
	raise_in_usr1 = SIGUSR1;
	raise(SIGUSR1);
	expect_log("1< 1< 1> 1>", 13, "the same with SA_NODEFER: nested");
	check(!usr1_blocked_inside, 14, "  SIGUSR1 not blocked inside the SA_NODEFER handler");

	reset();
	install(SIGUSR1, on_usr1, 0, SIGUSR2);
	raise_in_usr1 = SIGUSR2;
	raise(SIGUSR1);
	expect_log("1< 1> 2", 15, "sa_mask {SIGUSR2}: SIGUSR2 raised inside waits for the return");
	check(pending_inside, 16, "  it was pending inside the handler");
}

static void masks(void)
{
	reset();
	install(SIGUSR1, on_usr1, 0, SIGUSR2);
	raise(SIGUSR1);
	check(usr1_blocked_inside && usr2_blocked_inside, 20,
	      "inside the handler: its own signal and sa_mask are blocked");
	check(!is_blocked(SIGUSR1) && !is_blocked(SIGUSR2), 21, "  after it returns: the old mask is back");

	reset();
	add_usr2_to_uc = 1;
	raise(SIGUSR1);
	check(is_blocked(SIGUSR2) && !is_blocked(SIGUSR1), 22,
	      "handler adds SIGUSR2 to uc_sigmask: blocked after rt_sigreturn");
	block(SIG_UNBLOCK, SIGUSR2, 0);
	logbuf[0] = 0;
}

static void two_pending(void)
{
	reset();
	block(SIG_BLOCK, SIGUSR1, SIGUSR2);
	raise(SIGUSR2);
	raise(SIGUSR1);
	expect_log("", 30, "SIGUSR1 and SIGUSR2 blocked and raised: no handler yet");
	block(SIG_UNBLOCK, SIGUSR1, SIGUSR2);
	expect_log("2 1< 1>", 31, "unblocked together: SIGUSR1's frame first, SIGUSR2's on top runs first");
}

/* --- SA_RESETHAND --------------------------------------------------------- */

static int resethand_pipe[2];

static void on_reset_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	char c = cur.sa_handler == SIG_DFL ? 'D' : 'H';
	if (write(resethand_pipe[1], &c, 1) != 1)
		_exit(98);
	raise(SIGUSR1); /* blocked: pending until we return */
	c = is_pending(SIGUSR1) ? 'P' : 'N';
	if (write(resethand_pipe[1], &c, 1) != 1)
		_exit(98);
}

static void resethand(void)
{
	need(pipe(resethand_pipe) == 0, 92, "pipe");
	pid_t pid = guest_fork();
	if (pid == 0) {
		close(resethand_pipe[0]);
		install(SIGUSR1, on_reset_usr1, SA_RESETHAND, 0);
		raise(SIGUSR1);
		_exit(0);
	}
	close(resethand_pipe[1]);
	char buf[8] = {0};
	size_t n = read_full(resethand_pipe[0], buf, sizeof(buf));
	close(resethand_pipe[0]);
	expect_status(pid, "killed by signal 10", 40,
		      "SA_RESETHAND: the signal raised again inside the handler kills after it returns");
	check(n == 2, 41, "  the handler ran once");
	check(n >= 1 && buf[0] == 'D', 42, "  inside it the disposition is already SIG_DFL");
	check(n >= 2 && buf[1] == 'P', 43, "  and SIGUSR1 is blocked in it (pending after the raise)");
}

/* --- masks and sigsuspend ----------------------------------------------- */

static void suspend(void)
{
	reset();
	block(SIG_BLOCK, SIGUSR1, 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	check(is_pending(SIGUSR1) && !strcmp(logbuf, ""), 50, "blocked SIGUSR1 raised twice: pending, no handler");
	sigset_t none;
	sigemptyset(&none);
	errno = 0;
	long r = sigsuspend(&none);
	expect_errno(r, errno, EINTR, 51, "sigsuspend(empty mask)");
	expect_log("1< 1>", 52, "  the two raises coalesced: the handler ran once");
	check(is_blocked(SIGUSR1) && !is_pending(SIGUSR1), 53, "  mask restored (SIGUSR1 blocked), nothing pending");
	block(SIG_UNBLOCK, SIGUSR1, 0);

	sigset_t all, got;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &none);
	sigprocmask(SIG_SETMASK, NULL, &got);
	check(!sigismember(&got, SIGKILL) && !sigismember(&got, SIGSTOP) && sigismember(&got, SIGUSR1), 54,
	      "blocking everything: SIGKILL and SIGSTOP stay unblocked");
	sigprocmask(SIG_SETMASK, &none, NULL);
	unsigned long kset = 0;
	errno = 0;
	r = syscall(SYS_rt_sigprocmask, 17, &kset, NULL, 8);
	expect_errno(r, errno, EINVAL, 55, "rt_sigprocmask with how 17");

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	int bad = 0;
	for (int sig = 0; sig <= 65; sig += 65)
		if (syscall(SYS_rt_sigaction, sig, &sa, NULL, 8) != -1 || errno != EINVAL)
			bad = 1;
	if (sigaction(SIGKILL, &sa, NULL) != -1 || errno != EINVAL)
		bad = 1;
	check(!bad, 56, "sigaction on signal 0, 65 and SIGKILL -> EINVAL");
}

/* --- synchronous waiting ----------------------------------------------------- */

static volatile int q_seen, q_code, q_value, q_pid_ok;

static void on_queued(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	q_seen++;
	q_code = si->si_code;
	q_value = si->si_value.sival_int;
	q_pid_ok = si->si_pid == getpid();
}

static void timedwait(void)
{
	sigset_t s;
	siginfo_t si;
	struct timespec ts = {0, 50 * 1000000L};
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	block(SIG_BLOCK, SIGUSR2, 0);

	errno = 0;
	long r = sigtimedwait(&s, &si, &ts);
	expect_errno(r, errno, EAGAIN, 60, "sigtimedwait(SIGUSR2, 50 ms) with nothing pending");

	kill(getpid(), SIGUSR2);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&s, &si, &ts);
	check(r == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_code == SI_USER && si.si_pid == getpid(), 61,
	      "kill(getpid(), SIGUSR2) then sigtimedwait: SIGUSR2, SI_USER, our pid");

	raise(SIGUSR2);
	memset(&si, 0, sizeof(si));
	/* raw: glibc's sigtimedwait rewrites SI_TKILL to SI_USER */
	r = syscall(SYS_rt_sigtimedwait, &s, &si, &ts, 8);
	check(r == SIGUSR2 && si.si_code == SI_TKILL && si.si_pid == getpid(), 62,
	      "raise(SIGUSR2) then sigtimedwait: SI_TKILL, our pid");

	union sigval v = {.sival_int = 4321};
	sigqueue(getpid(), SIGUSR2, v);
	memset(&si, 0, sizeof(si));
	r = sigtimedwait(&s, &si, &ts);
	check(r == SIGUSR2 && si.si_code == SI_QUEUE && si.si_value.sival_int == 4321 && si.si_pid == getpid(), 63,
	      "sigqueue(SIGUSR2, 4321) then sigtimedwait: SI_QUEUE, value 4321, our pid");
	block(SIG_UNBLOCK, SIGUSR2, 0);

	q_seen = 0;
	install(SIGUSR2, on_queued, 0, 0);
	v.sival_int = 1234;
	sigqueue(getpid(), SIGUSR2, v);
	check(q_seen == 1 && q_code == SI_QUEUE && q_value == 1234 && q_pid_ok, 64,
	      "sigqueue(SIGUSR2, 1234) to a SA_SIGINFO handler: SI_QUEUE, si_value 1234, our pid");
}

static void rt_queue(void)
{
	int sig = SIGRTMIN;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval v = {.sival_int = i};
		need(sigqueue(getpid(), sig, v) == 0, 93, "sigqueue");
	}
	int got[3] = {0, 0, 0}, n = 0;
	struct timespec ts = {0, 0};
	siginfo_t si;
	while (n < 3 && sigtimedwait(&s, &si, &ts) == sig)
		got[n++] = si.si_value.sival_int;
	check(n == 3 && got[0] == 1 && got[1] == 2 && got[2] == 3, 70,
	      "three sigqueue(SIGRTMIN) are all queued, in order: got %d of 3", n);
	errno = 0;
	long r = sigtimedwait(&s, &si, &ts);
	expect_errno(r, errno, EAGAIN, 71, "  then nothing is left");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void queueinfo_eperm(void)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	errno = 0;
	long r = syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
	expect_errno(r, errno, EPERM, 80, "rt_sigqueueinfo(child, si_code SI_USER)");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	nesting();
	masks();
	two_pending();
	resethand();
	suspend();
	timedwait();
	rt_queue();
	queueinfo_eperm();
	return guest_finish();
}
