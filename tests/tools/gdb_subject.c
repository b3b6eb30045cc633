/* The subject of the gdb tests (gdb_session.sh), one mode per argument:
 *   signals  SIGUSR1 then SIGUSR2 to itself, both caught, then the counts
 *   segv     a store through a null pointer
 *   fork     a child runs child_work() and exits 3; the parent waits
 *   vfork    the same child made by vfork, which then execs "/bin/true"
 *   exec     execs itself with "watch"
 *   watch    stores to `watched` in store(), then returns */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int watched;
int usr1, usr2;
int mypid;
int after_fork; /* the parent ran on after fork */

static void on_usr1(int sig)
{
	usr1++;
}

static void on_usr2(int sig)
{
	usr2++;
}

void __attribute__((noinline)) store(int v)
{
	watched = v;
	__asm__ volatile("" ::: "memory");
	watched = v + 1;
}

int __attribute__((noinline)) child_work(int x)
{
	return x * 2 + getpid() - getpid();
}

int __attribute__((noinline)) segv(volatile int *p)
{
	*p = 1;
	return *p;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "watch";
	mypid = getpid();
	if (!strcmp(mode, "signals")) {
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, on_usr2);
		raise(SIGUSR1);
		raise(SIGUSR2);
		printf("usr1 %d usr2 %d\n", usr1, usr2);
	} else if (!strcmp(mode, "segv")) {
		return segv(argc > 5 ? &watched : NULL);
	} else if (!strcmp(mode, "fork") || !strcmp(mode, "vfork")) {
		pid_t p = mode[0] == 'v' ? vfork() : fork();
		if (p == 0) {
			if (mode[0] == 'v')
				execl("/bin/true", "true", (char *)NULL);
			_exit(child_work(1) + 1);
		}
		after_fork = 1;
		int st = 0;
		waitpid(p, &st, 0);
		printf("child status %d\n", WEXITSTATUS(st));
	} else if (!strcmp(mode, "exec")) {
		execl(argv[0], argv[0], "watch", (char *)NULL);
		return 1;
	} else {
		store(1);
		printf("watched %d\n", watched);
	}
	return 0;
}
