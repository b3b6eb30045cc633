/*
 * wait_stop_cont: the wait family's view of stopped and continued children
 * (job control, as a shell's fg/bg and Ctrl-Z use it). Default actions only,
 * no handlers.
 *
 *   - kill(child, SIGSTOP): waitpid(WUNTRACED) sees WIFSTOPPED, WSTOPSIG 19;
 *     the stop is reported once (WNOHANG afterwards -> 0)
 *   - kill(child, SIGCONT): waitpid(WCONTINUED) sees WIFCONTINUED
 *   - stopped again: waitid(WSTOPPED) gives CLD_STOPPED, si_status SIGSTOP
 *   - a stopped child still dies of SIGKILL
 *   - SIGTSTP at its default action stops too; data written to the pipe a
 *     stopped child reads from is picked up once SIGCONT resumes it
 */
#include "guest_check.h"

static void pipe_or_die(int fds[2])
{
	need(pipe(fds) == 0, 91, "pipe");
}

static void stop_continue(void)
{
	int gate_w;
	pid_t pid = fork_gated(0, &gate_w);
	check(kill(pid, SIGSTOP) == 0, 80, "kill(child, SIGSTOP)");
	int st = 0;
	pid_t w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, 81,
	      "waitpid(WUNTRACED): WIFSTOPPED, WSTOPSIG == 19 (%s)", status_str(st));
	w = waitpid(pid, &st, WNOHANG);
	expect_eq(w, 0, 82, "the stop is reported once: waitpid(WNOHANG) afterwards returns 0");
	check(kill(pid, SIGCONT) == 0, 83, "kill(child, SIGCONT)");
	st = 0;
	w = waitpid(pid, &st, WCONTINUED);
	check(w == pid && WIFCONTINUED(st), 84, "waitpid(WCONTINUED): WIFCONTINUED");
	check(kill(pid, SIGSTOP) == 0, 85, "stop it again");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	int r = waitid(P_PID, pid, &si, WSTOPPED);
	check(r == 0 && si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP, 86,
	      "waitid(WSTOPPED): CLD_STOPPED, si_status SIGSTOP");
	kill(pid, SIGKILL); /* a stopped task still dies of SIGKILL */
	expect_status(pid, "killed by signal 9", 87, "stopped child killed by SIGKILL");
	close(gate_w);
}

static void tstp_then_cont(void)
{
	int data[2], rep[2];

	pipe_or_die(data);
	pipe_or_die(rep);
	pid_t pid = guest_fork();
	if (pid == 0) {
		char c = 0;
		close(data[1]);
		close(rep[0]);
		read(data[0], &c, 1);
		write(rep[1], &c, 1);
		_exit(0);
	}
	close(data[0]);
	close(rep[1]);
	check(kill(pid, SIGTSTP) == 0, 90, "kill(child, SIGTSTP)");
	int st = 0;
	pid_t w = waitpid(pid, &st, WUNTRACED);
	check(w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, 91,
	      "SIGTSTP at its default action stops the child (%s)", status_str(st));
	write(data[1], "x", 1); /* data is waiting, but the child is stopped */
	check(kill(pid, SIGCONT) == 0, 92, "kill(child, SIGCONT)");
	char c = 0;
	check(read(rep[0], &c, 1) == 1 && c == 'x', 93, "after SIGCONT the child's read completes");
	expect_status(pid, "exited 0", 94, "continued child");
	close(data[1]);
	close(rep[0]);
}

int main(void)
{
	stop_continue();
	tstp_then_cont();
	return guest_finish();
}
