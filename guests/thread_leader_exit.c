/*
 * thread_leader_exit: the thread-group leader (the main thread) ends before
 * the other threads do.
 *
 * Child A: main starts a worker and a summer, then calls pthread_exit(77).
 *   - the worker can pthread_join the main thread and gets 77 (glibc waits
 *     for the kernel to clear the main thread's tid word, the one it gave
 *     set_tid_address at startup, and to wake it: CLONE_CHILD_CLEARTID
 *     semantics for the leader)
 *   - getpid() in the worker is still the process's pid
 *   - /proc/self/stat (the leader's) reaches state Z: a leader that exits
 *     before its threads stays a zombie while the group lives
 *   - the worker joins the summer, prints the result, and returns: the last
 *     thread's pthread_exit ends the process with status 0 (the parent's
 *     waitpid sees "exited 0")
 *
 * Child A is started with fork + exec of /proc/self/exe ("leader-child"),
 * not a bare fork: musl's fork does not call set_tid_address again, so in a
 * forked musl child the main thread exits without unlocking musl's thread
 * list lock (the word the kernel would clear) and every later thread exit
 * or join hangs, natively too.
 *
 * Child B: main calls the raw exit syscall with 9 while a thread sleeps
 * 30 ms, writes a byte to a pipe and then calls the raw exit syscall with
 * 4. The parent's waitpid must not return before that last thread is gone
 * (the byte is in the pipe when it does). The status is "exited 4" on
 * current kernels: kernel/exit.c's synchronize_group_exit() lets the last
 * thread of a group that ends without exit_group set the group's exit code
 * (Linux 6.18 here); older kernels reported the leader's own code (9). The
 * guest accepts either and prints which, so the diff compares with the
 * kernel the test runs on.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

static pthread_t main_thread;
static pid_t process_pid;
static long summer_result;

static void *summer(void *arg)
{
	(void)arg;
	struct timespec d = {0, 10 * 1000 * 1000};
	nanosleep(&d, NULL); /* still running well after the leader is gone */
	for (long i = 1; i <= 1000; i++)
		summer_result += i;
	return (void *)summer_result;
}

static char proc_state(void)
{
	char buf[512];
	int fd = open("/proc/self/stat", O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void *worker(void *arg)
{
	pthread_t sum_thread = *(pthread_t *)arg;
	void *ret = NULL;

	int err = pthread_join(main_thread, &ret);
	check(err == 0, 30, "worker: pthread_join(main thread) -> 0");
	check(ret == (void *)77, 31, "worker: the main thread's pthread_exit value is 77");
	check(getpid() == process_pid, 32, "worker: getpid() unchanged after the leader exited");

	char st = '?';
	struct timespec ms = {0, 1000 * 1000};
	for (int i = 0; i < 2000; i++) {
		st = proc_state();
		if (st == 'Z')
			break;
		nanosleep(&ms, NULL);
	}
	printf("worker: leader state in /proc/self/stat: %c\n", st);
	check(st == 'Z', 33, "worker: the exited leader is a zombie while threads live");

	err = pthread_join(sum_thread, &ret);
	check(err == 0 && (intptr_t)ret == 500500, 34, "worker: joined the summer");
	printf("worker: result %ld\n", summer_result);
	fflush(stdout);
	if (guest_first_fail != 0)
		exit(guest_finish()); /* so the parent's waitpid sees the failure */
	return NULL; /* the last thread: its pthread_exit ends the process with 0 */
}

static void child_a(void)
{
	static pthread_t sum_thread;
	pthread_t w;

	main_thread = pthread_self();
	process_pid = getpid();
	need(pthread_create(&sum_thread, NULL, summer, NULL) == 0, 20, "pthread_create");
	need(pthread_create(&w, NULL, worker, &sum_thread) == 0, 21, "pthread_create");
	pthread_exit((void *)77);
}

static int pipefd[2];

static void *last_thread(void *arg)
{
	(void)arg;
	struct timespec d = {0, 30 * 1000 * 1000};
	nanosleep(&d, NULL);
	write(pipefd[1], "T", 1);
	syscall(SYS_exit, 4);
	return NULL;
}

static void child_b(void)
{
	pthread_t t;

	need(pthread_create(&t, NULL, last_thread, NULL) == 0, 40, "pthread_create");
	syscall(SYS_exit, 9);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "leader-child") == 0)
		child_a();

	pid_t pid = guest_fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "leader-child", (char *)NULL);
		printf("FAILED: execl /proc/self/exe (errno %s)\n", errno_name(errno));
		_exit(1);
	}
	expect_status(pid, "exited 0", 2, "parent: child A (leader pthread_exit, last thread returns)");

	need(pipe(pipefd) == 0, 3, "pipe");
	pid = guest_fork();
	if (pid == 0)
		child_b();
	close(pipefd[1]);
	int st = 0;
	pid_t r = waitpid(pid, &st, 0);
	const char *got = r == pid ? status_str(st) : "waitpid failed";
	printf("parent: child B (leader exit(9), last thread exit(4)): %s\n", got);
	check(strcmp(got, "exited 4") == 0 || strcmp(got, "exited 9") == 0, 4,
	      "parent: child B status is the last thread's or the leader's exit code");
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	char c = 0;
	ssize_t n = read(pipefd[0], &c, 1);
	check(n == 1 && c == 'T', 5, "parent: waitpid returned only after the last thread wrote and exited");
	return guest_finish();
}
