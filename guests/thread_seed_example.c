/*
 * thread_seed_example: the program of the first seed document (fork, then a
 * pthread inside the child that calls gettid), printing relations instead of
 * the ids so that native and emulated output can be compared.
 *
 *   - the child is its own process: getpid() != the parent's, getppid() ==
 *     the parent's
 *   - the thread it creates shares the child's pid (getpid() == the child's
 *     getpid()) but has its own tid (gettid() != getpid()), and the child's
 *     main thread has tid == pid
 *   - SYS_gettid through syscall() and glibc/musl's gettid() agree
 *   - pthread_join returns the thread's value; the parent's waitpid sees the
 *     child exit 0 after the thread has finished
 *
 * The thread only records what it saw; the child's main thread prints after
 * pthread_join, so the order of lines does not depend on scheduling.
 */
#include "guest_check.h"

#include <pthread.h>

static pid_t thread_pid, thread_tid, thread_raw_tid;

static void *thread_fn(void *arg)
{
	thread_tid = gettid();
	thread_raw_tid = (pid_t)syscall(SYS_gettid);
	thread_pid = getpid();
	return arg;
}

static int child(pid_t parent)
{
	pthread_t pt;
	void *ret = NULL;

	check(getpid() != parent, 10, "child: getpid() != parent's pid");
	check(getppid() == parent, 11, "child: getppid() == parent's pid");
	check(gettid() == getpid(), 12, "child: main thread gettid() == getpid()");
	int err = pthread_create(&pt, NULL, thread_fn, (void *)0x5eed);
	need(err == 0, 13, "pthread_create");
	err = pthread_join(pt, &ret);
	need(err == 0, 14, "pthread_join");
	check(ret == (void *)0x5eed, 15, "child: pthread_join returned the thread's value");
	printf("thread: gettid() != getpid(): %s\n", thread_tid != thread_pid ? "yes" : "no");
	check(thread_pid == getpid(), 16, "thread: getpid() == child's getpid()");
	check(thread_tid != getpid(), 17, "thread: gettid() != child's pid");
	check(thread_raw_tid == thread_tid, 18, "thread: syscall(SYS_gettid) == gettid()");
	check(thread_tid != parent, 19, "thread: gettid() != parent's pid");
	return guest_finish();
}

int main(void)
{
	pid_t parent = getpid();
	pid_t pid = guest_fork();

	if (pid == 0)
		exit(child(parent));
	expect_status(pid, "exited 0", 2, "parent: waitpid(child)");
	return guest_finish();
}
