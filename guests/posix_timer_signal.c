/* POSIX timers: SI_TIMER to a handler with si_value and si_timerid,
 * overruns while the signal is blocked, SIGEV_NONE, SIGEV_THREAD_ID to one
 * thread, the libc's SIGEV_THREAD, gettime/getoverrun/delete, errno cases.
 * Nothing time-dependent is printed, only relations. */
#include "guest_check.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

static volatile sig_atomic_t hits, last_code, last_value, last_tid_ok, last_overrun;
static volatile int handler_tid;
static timer_t expect_id;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
	last_tid_ok = si->si_timerid == (int)(intptr_t)expect_id;
	last_overrun = si->si_overrun;
	handler_tid = (int)syscall(SYS_gettid);
	/* Counted last: main polls hits from another thread (the named
	 * thread's handler runs on another CPU natively) and then reads the
	 * fields above. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	hits++;
}

static sem_t thread_sem;
static volatile int thread_fn_value;

static void thread_fn(union sigval sv)
{
	thread_fn_value = sv.sival_int;
	sem_post(&thread_sem);
}

static volatile int worker_tid;
static volatile int stop_worker;

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = (int)syscall(SYS_gettid);
	while (!stop_worker)
		usleep(1000);
	return NULL;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_timer;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN + 1, &sa, NULL);

	/* One-shot SIGEV_SIGNAL with a value. */
	struct sigevent sev = {0};
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_int = 4242;
	timer_t id;
	need(timer_create(CLOCK_MONOTONIC, &sev, &id) == 0, 1, "timer_create");
	expect_id = id;
	struct itimerspec its = {{0, 0}, {0, 5000000}}, cur;
	expect_eq(timer_settime(id, 0, &its, NULL), 0, 2, "settime 5 ms");
	expect_eq(timer_gettime(id, &cur), 0, 3, "gettime");
	check(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		      cur.it_value.tv_nsec <= 5000000, 4, "remaining within 5 ms");
	while (!hits)
		pause();
	expect_eq(hits, 1, 5, "handler ran once");
	expect_eq(last_code, SI_TIMER, 6, "si_code SI_TIMER");
	expect_eq(last_value, 4242, 7, "si_value");
	expect_eq(last_tid_ok, 1, 8, "si_timerid is the timer's id");
	expect_eq(timer_gettime(id, &cur), 0, 9, "gettime after");
	check(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, 10, "one-shot disarmed");

	/* Periodic while blocked: one signal, the rest counted as overruns. */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	its = (struct itimerspec){{0, 2000000}, {0, 2000000}};
	timer_settime(id, 0, &its, NULL);
	struct timespec nap = {0, 30000000};
	nanosleep(&nap, NULL);
	siginfo_t psi;
	expect_eq(sigwaitinfo(&m, &psi), SIGRTMIN + 1, 11, "one signal for many expirations");
	check(psi.si_overrun >= 5, 12, "si_overrun counts the missed ones");
	check(timer_getoverrun(id) == psi.si_overrun, 13, "timer_getoverrun agrees");
	/* Not inherited by fork. */
	pid_t child = guest_fork();
	if (child == 0) {
		struct itimerspec c;
		_exit(syscall(SYS_timer_gettime, (long)(intptr_t)id, &c) == -1 && errno == EINVAL ? 0 : 1);
	}
	expect_status(child, "exited 0", 42, "the child has no timers");
	expect_eq(timer_delete(id), 0, 14, "delete");
	sigprocmask(SIG_UNBLOCK, &m, NULL); /* a later expiry's signal may still come */
	EXPECT_ERR(syscall(SYS_timer_delete, (long)(intptr_t)id), EINVAL, 15, "delete twice");
	EXPECT_ERR(timer_gettime(id, &cur), EINVAL, 16, "gettime of a deleted timer");

	/* SIGEV_NONE: nothing is delivered, gettime counts down. */
	sev.sigev_notify = SIGEV_NONE;
	timer_t quiet;
	need(timer_create(CLOCK_REALTIME, &sev, &quiet) == 0, 17, "SIGEV_NONE timer");
	its = (struct itimerspec){{0, 0}, {10, 0}};
	timer_settime(quiet, 0, &its, NULL);
	nanosleep(&nap, NULL);
	timer_gettime(quiet, &cur);
	check(cur.it_value.tv_sec == 9, 18, "SIGEV_NONE counts down");
	struct itimerspec old;
	its = (struct itimerspec){{0, 0}, {0, 0}};
	timer_settime(quiet, 0, &its, &old);
	check(old.it_value.tv_sec == 9, 19, "old value from settime");
	timer_delete(quiet);

	/* SIGEV_THREAD_ID: the signal goes to the named thread. */
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		usleep(1000);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_notify_thread_id = worker_tid;
	timer_t tt;
	need(timer_create(CLOCK_MONOTONIC, &sev, &tt) == 0, 20, "SIGEV_THREAD_ID timer");
	expect_id = tt;
	hits = 0;
	its = (struct itimerspec){{0, 0}, {0, 1000000}};
	timer_settime(tt, 0, &its, NULL);
	while (!hits)
		usleep(1000);
	check(handler_tid == worker_tid, 21, "handled by the named thread");
	stop_worker = 1;
	pthread_join(th, NULL);
	timer_delete(tt);
	sev.sigev_notify_thread_id = 1 << 22; /* no such thread */
	EXPECT_ERR(timer_create(CLOCK_MONOTONIC, &sev, &tt), EINVAL, 22, "THREAD_ID of no thread");

	/* SIGEV_THREAD through the libc: a function runs in a thread. */
	sem_init(&thread_sem, 0, 0);
	struct sigevent tev = {0};
	tev.sigev_notify = SIGEV_THREAD;
	tev.sigev_notify_function = thread_fn;
	tev.sigev_value.sival_int = 77;
	timer_t th_timer;
	need(timer_create(CLOCK_MONOTONIC, &tev, &th_timer) == 0, 23, "SIGEV_THREAD timer");
	its = (struct itimerspec){{0, 0}, {0, 2000000}};
	timer_settime(th_timer, 0, &its, NULL);
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	expect_eq(sem_timedwait(&thread_sem, &dl), 0, 24, "SIGEV_THREAD function ran");
	expect_eq(thread_fn_value, 77, 25, "with its value");
	timer_delete(th_timer);

	/* errno cases */
	sev.sigev_notify = SIGEV_SIGNAL;
	EXPECT_ERR(timer_create(99, &sev, &tt), EINVAL, 30, "unknown clock");
	EXPECT_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &sev, &tt), EOPNOTSUPP, 31,
		   "clock without timers");
	sev.sigev_signo = 0;
	EXPECT_ERR(timer_create(CLOCK_MONOTONIC, &sev, &tt), EINVAL, 32, "signal 0");
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify = 77;
	EXPECT_ERR(timer_create(CLOCK_MONOTONIC, &sev, &tt), EINVAL, 33, "bad notify");
	EXPECT_ERR(syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &tt), EFAULT, 34,
		   "bad sigevent pointer");
	int kid;
	expect_eq(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &kid), 0, 35, "NULL sigevent");
	its = (struct itimerspec){{0, 0}, {0, 1000000000}};
	EXPECT_ERR(syscall(SYS_timer_settime, kid, 0, &its, NULL), EINVAL, 36, "nsec out of range");
	EXPECT_ERR(syscall(SYS_timer_settime, kid + 100, 0, &its, NULL), EINVAL, 37, "bad id");
	EXPECT_ERR(syscall(SYS_timer_getoverrun, kid + 100), EINVAL, 38, "getoverrun bad id");
	/* The default sigevent: SIGALRM carrying the id. */
	sigemptyset(&m);
	sigaddset(&m, SIGALRM);
	sigprocmask(SIG_BLOCK, &m, NULL);
	its = (struct itimerspec){{0, 0}, {0, 1000000}};
	syscall(SYS_timer_settime, kid, 0, &its, NULL);
	siginfo_t si;
	expect_eq(sigwaitinfo(&m, &si), SIGALRM, 39, "default: SIGALRM");
	expect_eq(si.si_value.sival_int, kid, 40, "default value is the id");
	expect_eq(si.si_code, SI_TIMER, 41, "SI_TIMER via sigwaitinfo");
	return guest_finish();
}
