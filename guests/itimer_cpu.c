/* ITIMER_VIRTUAL and ITIMER_PROF firing during a busy loop, getitimer,
 * a CPU-clock POSIX timer, and RLIMIT_CPU: SIGXCPU at the soft limit,
 * SIGKILL at the hard one. Counts and relations only. */
#include "guest_check.h"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

static volatile sig_atomic_t vt, prof, cpu_timer, xcpu;
static volatile unsigned long sink;

static void on_sig(int sig)
{
	if (sig == SIGVTALRM)
		vt++;
	else if (sig == SIGPROF)
		prof++;
	else if (sig == SIGXCPU) {
		xcpu++;
		write(1, "SIGXCPU\n", 8);
	} else
		cpu_timer++;
}

static void spin_until(volatile sig_atomic_t *v, int n)
{
	while (*v < n)
		for (int i = 0; i < 1000; i++)
			sink += (unsigned long)i;
}

int main(void)
{
	signal(SIGVTALRM, on_sig);
	signal(SIGPROF, on_sig);
	signal(SIGUSR2, on_sig);
	struct itimerval it = {{0, 10000}, {0, 10000}}, cur;
	expect_eq(setitimer(ITIMER_VIRTUAL, &it, NULL), 0, 1, "ITIMER_VIRTUAL 10 ms");
	expect_eq(getitimer(ITIMER_VIRTUAL, &cur), 0, 2, "getitimer");
	check(cur.it_interval.tv_usec == 10000 && cur.it_value.tv_sec == 0 &&
		      cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000,
	      3, "virtual timer armed");
	spin_until(&vt, 3);
	printf("SIGVTALRM 3 times\n");
	struct itimerval off = {{0, 0}, {0, 0}};
	expect_eq(setitimer(ITIMER_VIRTUAL, &off, &cur), 0, 4, "disarm virtual");
	check(cur.it_interval.tv_usec == 10000, 5, "old interval");
	expect_eq(setitimer(ITIMER_PROF, &it, NULL), 0, 6, "ITIMER_PROF 10 ms");
	spin_until(&prof, 3);
	printf("SIGPROF 3 times\n");
	setitimer(ITIMER_PROF, &off, NULL);
	getitimer(ITIMER_PROF, &cur);
	check(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, 7, "prof disarmed");
	EXPECT_ERR(setitimer(7, &it, NULL), EINVAL, 8, "bad which");
	it.it_value.tv_usec = 1000000;
	EXPECT_ERR(setitimer(ITIMER_VIRTUAL, &it, NULL), EINVAL, 9, "usec out of range");

	/* A POSIX timer on the process CPU clock. */
	struct sigevent sev = {0};
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	timer_t t;
	expect_eq(timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &t), 0, 10, "CPU-clock timer");
	struct itimerspec its = {{0, 0}, {0, 20000000}};
	timer_settime(t, 0, &its, NULL);
	spin_until(&cpu_timer, 1);
	printf("CPU-clock timer fired\n");
	timer_delete(t);

	/* RLIMIT_CPU in a child: SIGXCPU at 1 s, SIGKILL at 2 s. */
	pid_t pid = guest_fork();
	if (pid == 0) {
		signal(SIGXCPU, on_sig);
		struct rlimit rl = {1, 2};
		if (setrlimit(RLIMIT_CPU, &rl))
			_exit(3);
		for (;;)
			sink++;
	}
	int st;
	waitpid(pid, &st, 0);
	check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, 11, "killed at the hard limit");
	return guest_finish();
}
