/*
 * cred_threads: credentials belong to each task (struct cred is per task
 * in Linux); POSIX says process-wide, which the C libraries provide by
 * making every thread repeat the call (glibc's SIGSETXID, musl's
 * __synccall). Checked, as root:
 *
 *   - a thread that changes its ids with the raw setresuid syscall changes
 *     only itself: the main thread stays root; /proc/self/task/<tid>/status
 *     shows each thread's own ids; the thread, now uid 1000 with no
 *     capabilities, may still signal its own process (same thread group)
 *   - the libc's setresuid changes every thread: a second thread sees the
 *     new ids (raw getresuid) and so does its /proc status
 *   - fork: the child starts with the parent's credentials, its setresuid
 *     leaves the parent alone, and the parent's waitid reports the child's
 *     uid in si_uid
 */
#include "cred_check.h"

#include <pthread.h>

static pthread_barrier_t bar;
static volatile long thread_tid, thread_uid[3];

static void raw_ids(volatile long out[3])
{
	unsigned r, e, s;
	syscall(SYS_getresuid, &r, &e, &s);
	out[0] = r;
	out[1] = e;
	out[2] = s;
}

static void *raw_changer(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	long r = syscall(SYS_setresuid, 1000, 1000, 1000);
	raw_ids(thread_uid);
	thread_uid[0] = r ? -1 : thread_uid[0];
	/* Same thread group: allowed whatever the credentials. */
	long k = syscall(SYS_tgkill, getpid(), getpid(), 0);
	pthread_barrier_wait(&bar); /* 1: changed */
	pthread_barrier_wait(&bar); /* 2: main has looked */
	return (void *)k;
}

static void *watcher(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	pthread_barrier_wait(&bar); /* 1: running */
	pthread_barrier_wait(&bar); /* 2: main has called setresuid */
	raw_ids(thread_uid);
	pthread_barrier_wait(&bar); /* 3: looked at */
	pthread_barrier_wait(&bar); /* 4: main has read /proc */
	return NULL;
}

static void print_task_status(long tid, const char *who)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	FILE *f = fopen(path, "r");
	char line[256];
	if (!f) {
		check(0, 60, "open %s's status", who);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4) || !strncmp(line, "CapEff:", 7))
			printf("%s: %s", who, line);
	fclose(f);
}

int main(void)
{
	print_ids("start");
	if (!need_root())
		return guest_finish();
	need(pthread_barrier_init(&bar, NULL, 2) == 0, 91, "barrier");

	/* 1. A raw syscall in one thread. */
	pthread_t th;
	need(pthread_create(&th, NULL, raw_changer, NULL) == 0, 92, "pthread_create");
	pthread_barrier_wait(&bar);
	check(thread_uid[0] == 1000 && thread_uid[1] == 1000 && thread_uid[2] == 1000, 1,
	      "the thread's raw setresuid gave it uid 1000 (%ld %ld %ld)", thread_uid[0],
	      thread_uid[1], thread_uid[2]);
	long me[3];
	raw_ids(me);
	check(me[0] == 0 && me[1] == 0 && me[2] == 0, 2, "the main thread is still root");
	print_task_status(thread_tid, "changed thread");
	print_task_status(getpid(), "main thread");
	pthread_barrier_wait(&bar);
	void *k;
	pthread_join(th, &k);
	expect_eq((long)k, 0, 3, "the uid-1000 thread could signal its own process");

	/* 2. fork: the child starts as root and changes only itself. */
	pid_t pid = guest_fork();
	if (pid == 0) {
		long ids[3];
		raw_ids(ids);
		int bad = ids[0] != 0 || setresuid(1500, 1500, 1500) != 0 || getuid() != 1500;
		_exit(bad ? 1 : 0);
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	expect_eq(waitid(P_PID, pid, &si, WEXITED), 0, 4, "waitid");
	expect_eq(si.si_status, 0, 5, "the child started as root and became uid 1500");
	expect_eq(si.si_uid, 1500, 6, "waitid's si_uid is the child's uid");
	expect_eq(getuid(), 0, 7, "the parent is still root");

	/* 3. The libc's setresuid reaches every thread. */
	need(pthread_create(&th, NULL, watcher, NULL) == 0, 93, "pthread_create");
	pthread_barrier_wait(&bar);
	expect_eq(setresuid(2000, 2000, 2000), 0, 8, "setresuid(2000, 2000, 2000) with a thread");
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	check(thread_uid[0] == 2000 && thread_uid[1] == 2000 && thread_uid[2] == 2000, 9,
	      "the other thread became uid 2000 too (%ld %ld %ld)", thread_uid[0], thread_uid[1],
	      thread_uid[2]);
	print_task_status(thread_tid, "other thread");
	print_task_status(getpid(), "main thread");
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	print_ids("end");
	return guest_finish();
}
