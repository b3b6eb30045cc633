/*
 * sysv_sem: System V semaphores (semget/semop/semtimedop/semctl, ipc/sem.c).
 *   - SETVAL/GETVAL/SETALL/GETALL/GETPID, IPC_STAT's sem_nsems;
 *   - semop is all-or-nothing: a blocking second operation leaves the
 *     first undone (IPC_NOWAIT: EAGAIN), ERANGE past SEMVMX;
 *   - SEM_UNDO: a child's adjustments are applied when it exits; a child
 *     made with CLONE_SYSVSEM shares its parent's undo list, so nothing is
 *     applied until the parent (the last holder) exits too; SETVAL clears
 *     the adjustments;
 *   - a blocked semop is woken by another process (GETNCNT/GETZCNT count
 *     it meanwhile); semtimedop times out with EAGAIN; a signal ends the
 *     wait with EINTR even under SA_RESTART; IPC_RMID wakes it with EIDRM;
 *   - errno cases: EINVAL, E2BIG, EFBIG, EFAULT, ERANGE, EACCES/EPERM for
 *     uid 1000.
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <time.h>

#define EXPECT_ERR(call, want, code, what)                                  \
	do {                                                                \
		long r_ = (long)(call);                                     \
		expect_errno(r_, errno, want, code, what);                  \
	} while (0)

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static int semid;

static int getval(int n)
{
	return semctl(semid, n, GETVAL);
}

static int op(int n, int delta, int flg)
{
	struct sembuf b = {(unsigned short)n, (short)delta, (short)flg};
	return semop(semid, &b, 1);
}

static void setval(int n, int v)
{
	union semun u = {.val = v};
	need(semctl(semid, n, SETVAL, u) == 0, 90, "SETVAL");
}

static void wait_count(int cmd, int n, int want)
{
	for (int i = 0; i < 200000 && semctl(semid, n, cmd) != want; i++)
		sched_yield();
}

static int clone_child(void *arg)
{
	(void)arg;
	/* Shares the parent's undo list (CLONE_SYSVSEM). */
	return op(0, -2, SEM_UNDO) == 0 ? 0 : 1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	semid = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	need(semid >= 0, 1, "semget");
	struct semid_ds ds;
	union semun u = {.buf = &ds};
	expect_eq(semctl(semid, 0, IPC_STAT, u), 0, 2, "IPC_STAT");
	expect_eq((long)ds.sem_nsems, 3, 3, "sem_nsems");
	expect_eq(ds.sem_otime, 0, 4, "no semop yet");
	expect_eq(getval(1), 0, 5, "starts at 0");
	unsigned short all[3] = {1, 2, 3}, got[3] = {0};
	u.array = all;
	expect_eq(semctl(semid, 0, SETALL, u), 0, 6, "SETALL");
	u.array = got;
	expect_eq(semctl(semid, 0, GETALL, u), 0, 7, "GETALL");
	check(got[0] == 1 && got[1] == 2 && got[2] == 3, 8, "GETALL values");
	expect_eq(semctl(semid, 2, GETPID), getpid(), 9, "GETPID after SETALL");

	/* All or nothing. */
	struct sembuf two[2] = {{0, 1, 0}, {1, -5, IPC_NOWAIT}};
	EXPECT_ERR(semop(semid, two, 2), EAGAIN, 10, "second op would block, IPC_NOWAIT");
	expect_eq(getval(0), 1, 11, "first op not applied");
	two[1].sem_op = -2;
	expect_eq(semop(semid, two, 2), 0, 12, "both apply");
	check(getval(0) == 2 && getval(1) == 0, 13, "values 2 and 0");
	expect_eq(semctl(semid, 0, IPC_STAT, (union semun){.buf = &ds}), 0, 14, "IPC_STAT");
	check(ds.sem_otime != 0, 15, "sem_otime set");
	struct sembuf dup[2] = {{2, -3, 0}, {2, -1, IPC_NOWAIT}};
	EXPECT_ERR(semop(semid, dup, 2), EAGAIN, 16, "same semaphore twice: the sum counts");
	expect_eq(getval(2), 3, 17, "unchanged");
	setval(2, 32767);
	EXPECT_ERR(op(2, 1, 0), ERANGE, 18, "past SEMVMX");
	EXPECT_ERR(semctl(semid, 2, SETVAL, (union semun){.val = 32768}), ERANGE, 19, "SETVAL 32768");
	EXPECT_ERR(semctl(semid, 2, SETVAL, (union semun){.val = -1}), ERANGE, 20, "SETVAL -1");
	setval(2, 0);

	/* SEM_UNDO at exit. */
	setval(0, 5);
	pid_t c = guest_fork();
	if (c == 0)
		_exit(op(0, -3, SEM_UNDO) == 0 && getval(0) == 2 ? 0 : 1);
	expect_status(c, "exited 0", 21, "child took 3 with SEM_UNDO");
	expect_eq(getval(0), 5, 22, "undone at its exit");
	c = guest_fork();
	if (c == 0) {
		op(0, -1, SEM_UNDO);
		setval(0, 7); /* clears the adjustment */
		_exit(0);
	}
	expect_status(c, "exited 0", 23, "child: -1 with SEM_UNDO, then SETVAL 7");
	expect_eq(getval(0), 7, 24, "SETVAL cleared the adjustment");

	/* CLONE_SYSVSEM: the undo list is shared; the last holder applies it. */
	setval(0, 5);
	c = guest_fork();
	if (c == 0) {
		long t = raw_clone(CLONE_SYSVSEM | SIGCHLD, NULL, NULL, NULL, 0, clone_child, NULL);
		if (t <= 0)
			_exit(10);
		int st;
		if (waitpid((pid_t)t, &st, 0) != t || st != 0)
			_exit(11);
		/* Still 3: we hold the list, so the child's exit applied nothing. */
		_exit(getval(0) == 3 ? 0 : 12);
	}
	expect_status(c, "exited 0", 25, "CLONE_SYSVSEM child's undo kept while its parent lives");
	expect_eq(getval(0), 5, 26, "applied when the last holder exited");
	c = guest_fork();
	if (c == 0) {
		long t = raw_clone(SIGCHLD, NULL, NULL, NULL, 0, clone_child, NULL);
		int st;
		if (t <= 0 || waitpid((pid_t)t, &st, 0) != t || st != 0)
			_exit(11);
		_exit(getval(0) == 5 ? 0 : 12);
	}
	expect_status(c, "exited 0", 27, "without CLONE_SYSVSEM the child's exit undoes");
	long r = raw_clone(CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, NULL, NULL, NULL, 0, clone_child,
			   NULL);
	expect_eq(r, -EINVAL, 28, "CLONE_NEWIPC|CLONE_SYSVSEM");

	/* A blocked semop woken by another process. */
	setval(1, 0);
	c = guest_fork();
	if (c == 0)
		_exit(op(1, -2, 0) == 0 ? 0 : 1);
	wait_count(GETNCNT, 1, 1);
	expect_eq(semctl(semid, 1, GETNCNT), 1, 29, "GETNCNT counts the sleeper");
	expect_eq(op(1, 1, 0), 0, 30, "+1: not enough yet");
	expect_eq(op(1, 1, 0), 0, 31, "+1");
	expect_status(c, "exited 0", 32, "sleeper woken, took 2");
	expect_eq(getval(1), 0, 33, "value 0");
	expect_eq(semctl(semid, 1, GETNCNT), 0, 34, "GETNCNT 0");
	setval(1, 1);
	c = guest_fork();
	if (c == 0)
		_exit(op(1, 0, 0) == 0 ? 0 : 1);
	wait_count(GETZCNT, 1, 1);
	expect_eq(semctl(semid, 1, GETZCNT), 1, 35, "GETZCNT counts the wait for zero");
	expect_eq(op(1, -1, 0), 0, 36, "down to zero");
	expect_status(c, "exited 0", 37, "wait-for-zero woken");

	/* semtimedop's timeout. */
	struct timespec t0, t1, to = {0, 50 * 1000 * 1000};
	struct sembuf down = {1, -1, 0};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_ERR(semtimedop(semid, &down, 1, &to), EAGAIN, 38, "semtimedop times out");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	check(ms >= 50, 39, "waited at least 50 ms");
	struct timespec bad = {0, 1000000000};
	EXPECT_ERR(semtimedop(semid, &down, 1, &bad), EINVAL, 40, "tv_nsec 1e9");
	EXPECT_ERR(semtimedop(semid, &down, 1, (void *)8), EFAULT, 41, "bad timeout pointer");
	to.tv_nsec = 0;
	EXPECT_ERR(semtimedop(semid, &down, 1, &to), EAGAIN, 42, "zero timeout");

	/* A signal: EINTR even with SA_RESTART. */
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_ERR(op(1, -1, 0), EINTR, 43, "semop interrupted (SA_RESTART does not restart it)");
	expect_eq(semctl(semid, 1, GETNCNT), 0, 44, "no sleeper left");

	/* IPC_RMID wakes sleepers with EIDRM (removed at the end). */
	pid_t eidrm = c = guest_fork();
	if (c == 0) {
		int rr = op(1, -1, 0);
		_exit(rr == -1 && errno == EIDRM ? 0 : 1);
	}
	wait_count(GETNCNT, 1, 1);

	/* Errors. */
	EXPECT_ERR(semop(semid, &down, 0), EINVAL, 45, "nsops 0");
	struct sembuf many[501];
	memset(many, 0, sizeof(many));
	EXPECT_ERR(semop(semid, many, 501), E2BIG, 46, "nsops 501 > SEMOPM");
	struct sembuf far = {3, 1, 0};
	EXPECT_ERR(semop(semid, &far, 1), EFBIG, 47, "sem_num past nsems");
	EXPECT_ERR(semop(semid, (void *)8, 1), EFAULT, 48, "bad sops");
	EXPECT_ERR(semop(-1, &down, 1), EINVAL, 49, "semid -1");
	EXPECT_ERR(semctl(semid, 3, GETVAL), EINVAL, 50, "GETVAL semnum 3");
	EXPECT_ERR(semctl(semid, 0, 1234), EINVAL, 51, "unknown command");
	EXPECT_ERR(semctl(semid, 0, GETALL, (union semun){.array = (void *)8}), EFAULT, 52,
		   "GETALL to a bad buffer");
	EXPECT_ERR(semget(IPC_PRIVATE, 32001, 0600), EINVAL, 53, "nsems > SEMMSL");
	EXPECT_ERR(semget(IPC_PRIVATE, 0, 0600), EINVAL, 54, "nsems 0, new");
	struct seminfo si;
	check(semctl(0, 0, IPC_INFO, (union semun){.buf = (void *)&si}) >= 0, 55, "IPC_INFO");
	check(si.semmsl == 32000 && si.semopm == 500 && si.semmni == 32000 && si.semvmx == 32767,
	      56, "limits: SEMMSL 32000, SEMOPM 500, SEMMNI 32000, SEMVMX 32767");

	/* Another user. */
	c = guest_fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		int code = 0;
		if (op(2, 1, IPC_NOWAIT) != -1 || errno != EACCES)
			code |= 1;
		if (semctl(semid, 0, GETVAL) != -1 || errno != EACCES)
			code |= 2;
		if (semctl(semid, 0, IPC_RMID) != -1 || errno != EPERM)
			code |= 4;
		_exit(code);
	}
	expect_status(c, "exited 0", 57, "uid 1000: semop and GETVAL EACCES, IPC_RMID EPERM");

	expect_eq(semctl(semid, 0, IPC_RMID), 0, 58, "IPC_RMID");
	expect_status(eidrm, "exited 0", 59, "the sleeper got EIDRM");
	return guest_finish();
}
