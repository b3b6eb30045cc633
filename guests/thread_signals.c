/*
 * thread_signals: signals in a thread group.
 *
 *   - tgkill(getpid(), tid, SIGUSR1) runs the handler on that very thread,
 *     for each of 4 threads and for the main thread (the handler records
 *     gettid(); the guest compares it with the target's tid and prints
 *     yes/no)
 *   - a new thread inherits its creator's signal mask
 *   - per-thread masks: SIGUSR2 is blocked everywhere except in thread 3,
 *     so a process-directed kill(getpid(), SIGUSR2) is taken by thread 3,
 *     every time (5 times)
 *   - with SIGUSR2 blocked in every thread, kill() leaves it pending for the
 *     process: sigpending() shows it in any thread, and sigwait() in one
 *     thread takes it (after which it is no longer pending)
 *   - a thread-directed signal that thread blocks stays pending for that
 *     thread only: sigpending() there shows it, in the main thread not
 *
 * The worker threads sleep in sem_wait (retried on EINTR) between steps.
 */
#include "guest_check.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#define NT 4

static pid_t tids[NT];
static pthread_t th[NT];
static sem_t go[NT], ack;
static volatile int step; /* what the workers do when woken */
static int handled_count;
static pid_t handled_tid;
static int inherited_mask_ok[NT];
static int pending_seen[NT];
static int sigwait_got[NT];

static void handler(int sig)
{
	(void)sig;
	__atomic_store_n(&handled_tid, gettid(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&handled_count, 1, __ATOMIC_RELEASE);
}

static void sem_wait_retry(sem_t *s)
{
	while (sem_wait(s) != 0)
		;
}

enum { STEP_UNBLOCK_IF_3 = 1, STEP_CHECK_PENDING, STEP_SIGWAIT, STEP_EXIT };

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	sigset_t cur;

	tids[me] = gettid();
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	inherited_mask_ok[me] = sigismember(&cur, SIGUSR2) == 1 && sigismember(&cur, SIGUSR1) == 0;
	sem_post(&ack);
	for (;;) {
		sem_wait_retry(&go[me]);
		switch (step) {
		case STEP_UNBLOCK_IF_3:
			if (me == 3) {
				sigset_t s;
				sigemptyset(&s);
				sigaddset(&s, SIGUSR2);
				pthread_sigmask(SIG_UNBLOCK, &s, NULL);
			}
			break;
		case STEP_CHECK_PENDING: {
			sigset_t p;
			sigpending(&p);
			pending_seen[me] = sigismember(&p, SIGUSR2);
			break;
		}
		case STEP_SIGWAIT: {
			sigset_t s;
			int sig = 0;
			sigemptyset(&s);
			sigaddset(&s, SIGUSR2);
			sigwait(&s, &sig);
			sigwait_got[me] = sig;
			break;
		}
		case STEP_EXIT:
			return NULL;
		}
		sem_post(&ack);
	}
}

/* Tells the workers in [from, to) to do `s` and waits for their acks. */
static void run_step(int s, int from, int to)
{
	step = s;
	for (int i = from; i < to; i++)
		sem_post(&go[i]);
	for (int i = from; i < to; i++)
		sem_wait_retry(&ack);
}

/* Waits (bounded) for the handler count to reach n; returns whether it did. */
static int wait_handled(int n)
{
	struct timespec ms = {0, 1000 * 1000};
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&handled_count, __ATOMIC_ACQUIRE) >= n)
			return 1;
		nanosleep(&ms, NULL);
	}
	return 0;
}

static int pending_in_this_thread(int sig)
{
	sigset_t p;
	sigpending(&p);
	return sigismember(&p, sig);
}

int main(void)
{
	struct sigaction sa;
	sigset_t usr2;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL); /* inherited by every worker */

	need(sem_init(&ack, 0, 0) == 0, 2, "sem_init");
	for (intptr_t i = 0; i < NT; i++) {
		need(sem_init(&go[i], 0, 0) == 0, 3, "sem_init");
		need(pthread_create(&th[i], NULL, worker, (void *)i) == 0, 4, "pthread_create");
	}
	for (int i = 0; i < NT; i++)
		sem_wait_retry(&ack);
	int inh = 1;
	for (int i = 0; i < NT; i++)
		inh &= inherited_mask_ok[i];
	check(inh, 5, "every thread inherited main's mask (SIGUSR2 blocked, SIGUSR1 not)");

	/* tgkill to each thread, then to main itself. */
	int count = 0;
	for (int i = 0; i < NT; i++) {
		syscall(SYS_tgkill, getpid(), tids[i], SIGUSR1);
		int ok = wait_handled(++count);
		printf("tgkill to thread %d: handler ran on thread %d: %s\n", i, i,
		       ok && handled_tid == tids[i] ? "yes" : "no");
		check(ok && handled_tid == tids[i], 10 + i, "tgkill(thread %d) handled by it", i);
	}
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	int ok = wait_handled(++count);
	printf("tgkill to main: handler ran on main: %s\n", ok && handled_tid == gettid() ? "yes" : "no");
	check(ok && handled_tid == gettid(), 15, "tgkill(main) handled by main");

	/* Process-directed SIGUSR2 while all block it: pending for the process. */
	kill(getpid(), SIGUSR2);
	check(pending_in_this_thread(SIGUSR2), 20, "kill(SIGUSR2) with every thread blocking it: pending in main");
	run_step(STEP_CHECK_PENDING, 0, NT);
	int all_pending = 1;
	for (int i = 0; i < NT; i++)
		all_pending &= pending_seen[i];
	check(all_pending, 21, "... and pending as seen from every thread");
	check(handled_count == count, 22, "... and no handler ran");
	run_step(STEP_SIGWAIT, 2, 3);
	expect_eq(sigwait_got[2], SIGUSR2, 23, "sigwait in thread 2 took the process-directed SIGUSR2");
	check(!pending_in_this_thread(SIGUSR2), 24, "SIGUSR2 no longer pending after sigwait");

	/* Only thread 3 unblocks SIGUSR2: kill() must always land there. */
	run_step(STEP_UNBLOCK_IF_3, 0, NT);
	int all_on_3 = 1;
	for (int k = 0; k < 5; k++) {
		kill(getpid(), SIGUSR2);
		int got = wait_handled(++count);
		all_on_3 &= got && handled_tid == tids[3];
	}
	printf("kill(getpid(), SIGUSR2) x5 taken by the one thread not blocking it: %s\n", all_on_3 ? "yes" : "no");
	check(all_on_3, 25, "process-directed SIGUSR2 handled by thread 3 every time");

	/* Thread-directed SIGUSR2 to thread 1 (blocking it): pending only there. */
	syscall(SYS_tgkill, getpid(), tids[1], SIGUSR2);
	run_step(STEP_CHECK_PENDING, 0, NT);
	check(pending_seen[1] && !pending_seen[0] && !pending_seen[2] && !pending_in_this_thread(SIGUSR2), 26,
	      "tgkill(thread 1, SIGUSR2) blocked there: pending in thread 1 only");
	run_step(STEP_SIGWAIT, 1, 2);
	expect_eq(sigwait_got[1], SIGUSR2, 27, "sigwait in thread 1 took its own pending SIGUSR2");
	check(handled_count == count, 28, "no handler ran for the blocked signals");

	step = STEP_EXIT;
	for (int i = 0; i < NT; i++)
		sem_post(&go[i]);
	for (int i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	return guest_finish();
}
