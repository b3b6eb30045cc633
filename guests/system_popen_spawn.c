/*
 * system_popen_spawn: the three ways a C program runs the shell, each of
 * which execs the host's /bin/sh (dynamically linked) inside the emulator:
 *
 *   - system(): the command's output and its exit status (WEXITSTATUS 3),
 *     a command killed by a signal, and system(NULL) (a shell exists)
 *   - popen(..., "r") reads a pipeline's output; pclose gives its status;
 *     popen(..., "w") feeds a command that writes to our stdout
 *   - posix_spawn("/bin/sh", "-c", ...) with arguments and a file action
 *     (dup2 of a pipe onto stdout), posix_spawnp("sh") through PATH, and
 *     posix_spawn of a missing program fails with ENOENT (glibc: the error
 *     comes back from the child)
 */
#include "guest_check.h"

#include <spawn.h>

extern char **environ;

int main(void)
{
	fflush(stdout);
	int st = system("echo 'from system:' $((6 * 7)); exit 3");
	check(WIFEXITED(st) && WEXITSTATUS(st) == 3, 2, "system: exit status 3 (%s)", status_str(st));
	st = system("kill -TERM $$");
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, 3, "system: a shell killed by SIGTERM");
	check(system(NULL) != 0, 4, "system(NULL): a shell is available");

	FILE *p = popen("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z", "r");
	need(p != NULL, 5, "popen r");
	char line[128], got[128] = "";
	while (fgets(line, sizeof(line), p))
		strncat(got, line, sizeof(got) - strlen(got) - 1);
	st = pclose(p);
	check(!strcmp(got, "A\nB\nC\n") && WIFEXITED(st) && WEXITSTATUS(st) == 0, 6,
	      "popen r: a sorted, upper-cased pipeline, status 0");
	fflush(stdout);
	p = popen("sed 's/^/popen w: /'", "w");
	need(p != NULL, 7, "popen w");
	fputs("line one\nline two\n", p);
	st = pclose(p);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, 8, "popen w: status 0");

	int fds[2];
	need(pipe(fds) == 0, 9, "pipe");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	char *args[] = {"sh", "-c", "echo spawned \"$0\" \"$1\"; exit 5", "zero", "one", NULL};
	pid_t pid;
	int r = posix_spawn(&pid, "/bin/sh", &fa, NULL, args, environ);
	need(r == 0, 10, "posix_spawn /bin/sh");
	close(fds[1]);
	char buf[128];
	size_t n = read_full(fds[0], buf, sizeof(buf) - 1);
	buf[n] = 0;
	close(fds[0]);
	int ok = !strcmp(buf, "spawned zero one\n");
	buf[strcspn(buf, "\n")] = 0;
	check(ok, 11, "posix_spawn: output through the pipe: %s", buf);
	expect_status(pid, "exited 5", 12, "posix_spawn: the child's status");
	posix_spawn_file_actions_destroy(&fa);

	fflush(stdout);
	char *args2[] = {"sh", "-c", "echo spawnp found sh", NULL};
	r = posix_spawnp(&pid, "sh", NULL, NULL, args2, environ);
	need(r == 0, 13, "posix_spawnp sh");
	expect_status(pid, "exited 0", 14, "posix_spawnp: status");

	char *args3[] = {"missing", NULL};
	r = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, args3, environ);
	if (r == 0) /* a libc that reports the failure through the status */
		expect_status(pid, "exited 127", 15, "posix_spawn of a missing program");
	else
		check(r == ENOENT, 15, "posix_spawn of a missing program -> %s", errno_name(r));
	return guest_finish();
}
