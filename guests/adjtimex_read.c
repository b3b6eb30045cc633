/* adjtimex and adjtime (kernel/time/ntp.c, timekeeping_validate_timex):
 * reading the NTP state, what only CAP_SYS_TIME may write (checked in a
 * child that drops to nobody when run as root), the EINVAL and EFAULT
 * cases. Nothing here changes the machine's clock natively: the only write
 * is adjtime's zero slew, which stress-ng --get makes as root too. Prints
 * only what does not depend on the host's NTP daemon. */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, int r)
{
	if (r >= 0)
		printf("%-36s ok (a state: %s)\n", what, r >= TIME_OK && r <= TIME_ERROR ? "yes" : "no");
	else
		printf("%-36s errno %d\n", what, errno);
}

static int call(unsigned modes, long tick, long offset)
{
	struct timex tx = {.modes = modes, .tick = tick, .offset = offset};
	return adjtimex(&tx);
}

static void checks(int uid)
{
	struct timex tx = {0};
	int r = adjtimex(&tx);
	show("read", r);
	printf("precision %ld tolerance %ld tick %ld\n", tx.precision, tx.tolerance, tx.tick);
	struct timeval now;
	gettimeofday(&now, NULL);
	long usec = tx.status & STA_NANO ? tx.time.tv_usec / 1000 : tx.time.tv_usec;
	long long d = (now.tv_sec - tx.time.tv_sec) * 1000000ll + (now.tv_usec - usec);
	printf("time field within a second of gettimeofday: %s\n", d >= 0 && d < 1000000 ? "yes" : "no");
	show("ADJ_OFFSET_SS_READ", call(ADJ_OFFSET_SS_READ, 0, 0));
	show("ADJ_ADJTIME without SINGLESHOT", call(0x8000, 0, 0));
	show("ADJ_TICK 1", call(ADJ_TICK, 1, 0));
	show("ADJ_TICK 20000", call(ADJ_TICK, 20000, 0));
	struct timex s = {.modes = ADJ_SETOFFSET, .time = {0, -1}};
	show("ADJ_SETOFFSET usec -1", adjtimex(&s));
	s = (struct timex){.modes = ADJ_SETOFFSET, .time = {0, 1000000}};
	show("ADJ_SETOFFSET usec 1000000", adjtimex(&s));
	s = (struct timex){.modes = ADJ_FREQUENCY, .freq = 1ll << 60};
	show("ADJ_FREQUENCY huge", adjtimex(&s));
	struct timex *volatile null = NULL;
	show("NULL", adjtimex(null));
	if (uid != 0)
		show("ADJ_MAXERROR (unprivileged)", call(ADJ_MAXERROR, 0, 0));
	struct timeval zero = {0, 0}, old;
	show("adjtime(0) (a zero slew)", adjtime(&zero, &old));
	show("adjtime(NULL, &old)", adjtime(NULL, &old));
}

int main(void)
{
	checks((int)getuid());
	fflush(stdout);
	if (getuid() == 0) {
		pid_t p = fork();
		if (p == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			printf("-- as nobody\n");
			checks(65534);
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
		printf("child %d\n", WEXITSTATUS(st));
	}
	return 0;
}
