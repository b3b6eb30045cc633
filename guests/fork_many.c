/*
 * fork_many: many processes, for leaks and bookkeeping in task and pid
 * handling (the xv6 usertests forktest idea).
 *
 *   - 200 sequential fork + waitpid, child i exits with (i * 7) & 0xff:
 *     every status checked, every pid distinct from the previous one
 *   - 50 children alive at once, each blocked on a read of one shared
 *     pipe; the parent closes the write end, all see EOF and exit with
 *     their index; wait() reaps each exactly once (status -> index
 *     -> pid matches), then wait() -> ECHILD
 *   - 20 children that exit without being waited for until all have
 *     exited: 20 zombies at once, then reaped by waitpid(-1)
 */
#include "guest_check.h"

#define SEQ 200
#define WIDE 50
#define ZOMBIES 20

static void sequential(void)
{
	int bad_status = 0, bad_pid = 0;
	pid_t prev = -1;

	for (int i = 0; i < SEQ; i++) {
		pid_t pid = guest_fork();
		if (pid == 0)
			_exit((i * 7) & 0xff);
		int st = 0;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != ((i * 7) & 0xff)) {
			if (!bad_status)
				printf("child %d: %s\n", i, status_str(st));
			bad_status++;
		}
		if (pid == prev)
			bad_pid++;
		prev = pid;
	}
	check(bad_status == 0, 10, "200 sequential children: every exit status as sent");
	check(bad_pid == 0, 11, "200 sequential children: no pid repeated back to back");
}

static void wide(void)
{
	int gate[2];
	pid_t pids[WIDE];
	int seen[WIDE] = {0};

	need(pipe(gate) == 0, 91, "pipe");
	for (int i = 0; i < WIDE; i++) {
		pid_t pid = guest_fork();
		if (pid == 0) {
			char c;
			close(gate[1]);
			while (read(gate[0], &c, 1) > 0)
				;
			_exit(i);
		}
		pids[i] = pid;
	}
	int distinct = 1;
	for (int i = 0; i < WIDE; i++)
		for (int j = 0; j < i; j++)
			distinct = distinct && pids[i] != pids[j];
	check(distinct, 20, "50 live children have distinct pids");

	int st;
	check(waitpid(-1, &st, WNOHANG) == 0, 21, "all 50 still blocked: waitpid(-1, WNOHANG) == 0");
	close(gate[0]);
	close(gate[1]); /* EOF for everyone */

	int bad = 0;
	for (int n = 0; n < WIDE; n++) {
		pid_t w = wait(&st);
		if (w <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) >= WIDE) {
			bad++;
			continue;
		}
		int i = WEXITSTATUS(st);
		if (pids[i] != w || seen[i]++)
			bad++;
	}
	check(bad == 0, 22, "50 waits: each child reaped once, its status matching its pid");
	errno = 0;
	long r = wait(&st);
	expect_errno(r, errno, ECHILD, 23, "51st wait");
}

static void zombies(void)
{
	int done[2];

	need(pipe(done) == 0, 91, "pipe");
	for (int i = 0; i < ZOMBIES; i++) {
		pid_t pid = guest_fork();
		if (pid == 0) {
			close(done[0]);
			_exit(100 + i); /* closing done[1] on exit */
		}
	}
	close(done[1]);
	char c;
	/* EOF once every child has closed its copy, i.e. has exited */
	while (read(done[0], &c, 1) > 0)
		;
	close(done[0]);
	int sum = 0, n = 0, st;
	pid_t w;
	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		n++;
		sum += WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
	}
	/*
	 * A child that has closed its fds may not be a zombie yet: collect the
	 * rest with blocking waits.
	 */
	while (n < ZOMBIES && (w = wait(&st)) > 0) {
		n++;
		sum += WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
	}
	expect_eq(n, ZOMBIES, 30, "20 exited children reaped");
	expect_eq(sum, ZOMBIES * 100 + ZOMBIES * (ZOMBIES - 1) / 2, 31, "their exit codes add up");
}

int main(void)
{
	sequential();
	wide();
	zombies();
	return guest_finish();
}
