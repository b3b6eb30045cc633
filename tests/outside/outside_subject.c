/* A guest that waits for a signal from outside (tests/outside/outside.sh
 * sends it after the guest has printed "ready"). What it prints must be
 * the same natively and under cloneemu; where the sender is (si_pid: the
 * shell natively, 0 under cloneemu since the sender is outside the guest's
 * pid namespace) goes to stderr for the script to check.
 *
 *   term      SIGTERM handler (SA_SIGINFO), pause() until it ran; exit 0
 *   spin      the same, but the guest spins in a CPU loop (no syscall)
 *   suspend   SIGUSR1 blocked, sigsuspend() with it unblocked; exit 0
 *   waitinfo  sigwaitinfo() for SIGUSR2 without timeout; exit 0
 *   default   pause() with SIGINT's default action: killed by SIGINT
 *   ignored   SIGTERM ignored, SIGUSR1 handled: the SIGTERM does nothing
 *   spinkill  spins in a CPU loop with every default action: SIGINT kills
 *             it (under cloneemu the lone task runs without the block hook
 *             by then, and the engine is stopped wherever it is)
 *   storm     reads its stdin (a pipe that stays empty) in a loop, a 1 ms
 *             SIGALRM interrupting each read, until SIGUSR1 comes; the
 *             script fires SIGWINCH (ignored) at it meanwhile. Under
 *             cloneemu each read polls the host pipe first; a SIGWINCH
 *             that interrupted that poll was once taken for readiness and
 *             left cloneemu blocked in the host read, deaf to the SIGUSR1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int got_code, got_pid, got_uid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_uid = (int)si->si_uid;
}

static void catch(int sig)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

static void ready(void)
{
	puts("ready");
	fflush(stdout);
}

static void report(int sig, int code, int pid, int uid)
{
	printf("got %s si_code %s si_uid %s\n", strsignal(sig),
	       code == SI_USER ? "SI_USER" : code == SI_KERNEL ? "SI_KERNEL" : "other",
	       uid == (int)getuid() ? "ours" : "other");
	fprintf(stderr, "si_pid=%d\n", pid);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "term";
	if (!strcmp(mode, "term") || !strcmp(mode, "spin")) {
		catch(SIGTERM);
		ready();
		if (!strcmp(mode, "spin")) {
			unsigned long n = 0;
			while (!got)
				n++;
		} else {
			while (!got)
				pause();
		}
		report(got, got_code, got_pid, got_uid);
		return 0;
	}
	if (!strcmp(mode, "spinkill")) {
		ready();
		volatile unsigned long n = 0;
		for (;;)
			n++;
	}
	if (!strcmp(mode, "suspend")) {
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigprocmask(SIG_BLOCK, &block, &old);
		catch(SIGUSR1);
		ready();
		while (!got)
			sigsuspend(&old);
		report(got, got_code, got_pid, got_uid);
		return 0;
	}
	if (!strcmp(mode, "waitinfo")) {
		sigset_t set;
		siginfo_t si;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		ready();
		int sig = sigwaitinfo(&set, &si);
		if (sig != SIGUSR2)
			return 3;
		report(sig, si.si_code, si.si_pid, (int)si.si_uid);
		return 0;
	}
	if (!strcmp(mode, "default")) {
		ready();
		for (;;)
			pause();
	}
	if (!strcmp(mode, "ignored")) {
		signal(SIGTERM, SIG_IGN);
		catch(SIGUSR1);
		ready();
		while (!got)
			pause();
		report(got, got_code, got_pid, got_uid);
		return 0;
	}
	if (!strcmp(mode, "storm")) {
		catch(SIGUSR1);
		catch(SIGALRM); /* without SA_RESTART: each tick ends the read */
		struct itimerval every_ms = {{0, 1000}, {0, 1000}};
		setitimer(ITIMER_REAL, &every_ms, NULL);
		ready();
		char c;
		while (got != SIGUSR1) {
			ssize_t r = read(0, &c, 1);
			if (r >= 0 || errno != EINTR) {
				printf("read: %zd (%s)\n", r, r < 0 ? strerror(errno) : "data");
				return 1;
			}
		}
		puts("got SIGUSR1 while reading");
		return 0;
	}
	return 2;
}
