/*
 * vfork_sigchld_handler: vfork in a process with a SIGCHLD handler, as a
 * shell or busybox xargs -P has. The vfork child execs (or _exits) and soon
 * exits, so SIGCHLD can arrive while the parent still waits for the vfork
 * to finish. Linux never lets that show: the vfork wait is interrupted only
 * by fatal signals, and vfork returns the child's pid; the handler runs
 * afterwards, once per child.
 *
 * Unlike most guests this one installs a signal handler (it only counts).
 *
 *   - handler without SA_RESTART, then with SA_RESTART; the child execs
 *     this program ("exit" mode), or _exits at once: vfork returns the pid,
 *     exactly one child is created per vfork, the child's status arrives,
 *     and the handler has run by the time waitpid returns
 *   - fork with the same handler: same
 *
 * Every vfork child bumps a counter in MAP_SHARED memory before it execs.
 * A broken emulator that restarts vfork over and over would loop forever,
 * so the sixth child kills the parent (status 137 instead of a hang).
 */
#include "guest_check.h"

#include <sys/mman.h>

extern char **environ;

static volatile sig_atomic_t handled;
static volatile int *children;

static void on_sigchld(int sig)
{
	(void)sig;
	handled++;
}

static void install(int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	need(sigaction(SIGCHLD, &sa, NULL) == 0, 91, "sigaction(SIGCHLD)");
}

static void one_vfork(const char *self, int flags, int do_exec, int code)
{
	const char *tag = flags & SA_RESTART ? "SA_RESTART" : "no SA_RESTART";
	const char *how = do_exec ? "exec" : "_exit";
	install(flags);
	handled = 0;
	*children = 0;
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		if (++*children > 5) {
			static const char msg[] = "FAILED: vfork was restarted: a 6th child; killing the parent\n";
			write(1, msg, sizeof(msg) - 1);
			kill(getppid(), SIGKILL);
		}
		if (do_exec) {
			char *argv[] = {(char *)"vfork_sigchld_handler", (char *)"exit", NULL};
			execve(self, argv, environ);
		}
		_exit(4);
	}
	int err = errno;
	if (pid > 0)
		check(1, code, "%s, child %s: vfork returned the pid", tag, how);
	else
		check(0, code, "%s, child %s: vfork returned %ld (errno %s)", tag, how, (long)pid, errno_name(err));
	int st = 0;
	pid_t w;
	while ((w = waitpid(-1, &st, 0)) == -1 && errno == EINTR)
		;
	check(pid > 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 4, code + 1, "%s, child %s: waitpid: %s",
	      tag, how, w > 0 ? status_str(st) : errno_name(errno));
	expect_eq(*children, 1, code + 2, "one child per vfork");
	check(handled == 1, code + 3, "%s, child %s: the handler ran once", tag, how);
	signal(SIGCHLD, SIG_DFL);
}

static void one_fork(int flags, int code)
{
	const char *tag = flags & SA_RESTART ? "SA_RESTART" : "no SA_RESTART";
	install(flags);
	handled = 0;
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(4);
	int st = 0;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	check(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 4, code, "%s, fork: child exited 4", tag);
	check(handled == 1, code + 1, "%s, fork: the handler ran once", tag);
	signal(SIGCHLD, SIG_DFL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 4;
	children = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	need(children != MAP_FAILED, 90, "mmap");

	one_vfork(argv[0], 0, 1, 10);
	one_vfork(argv[0], 0, 0, 20);
	one_vfork(argv[0], SA_RESTART, 1, 30);
	one_vfork(argv[0], SA_RESTART, 0, 40);
	one_fork(0, 50);
	one_fork(SA_RESTART, 60);
	return guest_finish();
}
