/* Job control on the controlling terminal (run under a pty by
 * tests/outside/pty_run.py, natively and under cloneemu; the output must be
 * the same). Each line is one check of drivers/tty/tty_jobctrl.c's rules. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *err(int e)
{
	switch (e) {
	case 0: return "ok";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case EINVAL: return "EINVAL";
	case EINTR: return "EINTR";
	default: return strerror(e);
	}
}

static int rc(int r)
{
	return r < 0 ? errno : 0;
}

/* Run @fn in a child in a process group of its own (the background);
 * report how it ended: its exit code or the signal that stopped it. */
static void background(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		fn();
		_exit(0);
	}
	setpgid(c, c);
	int st;
	waitpid(c, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		printf("%s: stopped by %s\n", what, strsignal(WSTOPSIG(st)));
		kill(c, SIGKILL);
		waitpid(c, &st, 0);
	} else if (WIFEXITED(st)) {
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
	} else {
		printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
	}
}

static void bg_tcsetpgrp(void)
{
	tcsetpgrp(0, getpgrp());
	_exit(1);
}

static void bg_tcsetpgrp_ignored(void)
{
	signal(SIGTTOU, SIG_IGN);
	int r = rc(tcsetpgrp(0, getpgrp()));
	int fg = tcgetpgrp(0) == getpgrp();
	int back = rc(tcsetpgrp(0, getppid()));
	printf("  ignored SIGTTOU: tcsetpgrp %s, foreground %d, given back %s\n", err(r), fg,
	       err(back));
	_exit(0);
}

static void bg_read(void)
{
	char c;
	read(0, &c, 1);
	_exit(1);
}

static void bg_read_ignored(void)
{
	char c;
	signal(SIGTTIN, SIG_IGN);
	printf("  ignored SIGTTIN: read %s\n", err(rc((int)read(0, &c, 1))));
	_exit(0);
}

static void bg_read_blocked(void)
{
	char c;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTTIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	printf("  blocked SIGTTIN: read %s\n", err(rc((int)read(0, &c, 1))));
	_exit(0);
}

static void bg_write_tostop(void)
{
	write(1, "", 0);
	write(1, "  written\n", 10);
	_exit(0);
}

static void bg_tcsetattr(void)
{
	struct termios t;
	tcgetattr(0, &t);
	tcsetattr(0, TCSANOW, &t);
	_exit(1);
}

static void bg_tcsetattr_blocked(void)
{
	struct termios t;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTTOU);
	sigprocmask(SIG_BLOCK, &s, NULL);
	tcgetattr(0, &t);
	printf("  blocked SIGTTOU: tcsetattr %s\n", err(rc(tcsetattr(0, TCSANOW, &t))));
	_exit(0);
}

static void bg_notty(void)
{
	int r = rc(ioctl(0, TIOCNOTTY));
	pid_t pg = tcgetpgrp(0);
	printf("  TIOCNOTTY by a non-leader: %s, then tcgetpgrp %s\n", err(r),
	       err(pg < 0 ? errno : 0));
	_exit(0);
}

static void new_session(void)
{
	/* (a group leader cannot setsid: a child of ours does) */
	if (fork() == 0) {
		printf("  setsid: %s\n", err(rc(setsid())));
		int r = rc(tcsetpgrp(0, getpgrp()));
		pid_t pg = tcgetpgrp(0);
		int pge = pg < 0 ? errno : 0;
		int sc = rc(ioctl(0, TIOCSCTTY, 0));
		printf("  new session: tcsetpgrp %s, tcgetpgrp %s, TIOCSCTTY %s\n", err(r),
		       err(pge), err(sc));
		_exit(0);
	}
	wait(NULL);
	_exit(0);
}

static volatile sig_atomic_t hups, conts, hup_code;

static void on_hup(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGHUP) {
		hups++;
		hup_code = si->si_code;
	} else {
		conts++;
	}
}

/* "hup FILE": wait for the terminal to go away (pty_hup.py closes it);
 * what arrived goes to FILE, the terminal being gone. */
static int wait_hangup(const char *path)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_hup;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
	/* Blocked until sigsuspend: with pause() a hangup landing between the
	 * check and the call would be handled and then waited for forever (a
	 * race on Linux too, which cloneemu's delivery points make likely).
	 * Both signals are waited for: a hangup sends SIGHUP and SIGCONT, and
	 * they may reach cloneemu one at a time (a missing one is the
	 * harness's 30 s timeout). */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCONT);
	sigprocmask(SIG_BLOCK, &block, &old);
	puts("ready");
	while (!hups || !conts)
		sigsuspend(&old);
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "SIGHUP %d si_code %s, SIGCONT %s\n", (int)hups,
		hup_code == SI_KERNEL ? "SI_KERNEL" : hup_code == SI_USER ? "SI_USER" : "other",
		conts ? "too" : "not");
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && !strcmp(argv[1], "hup"))
		return wait_hangup(argv[2]);
	if (!isatty(0)) {
		puts("stdin is not a terminal");
		return 2;
	}
	/* pty.fork made us a session leader of this terminal. */
	printf("foreground: %d\n", tcgetpgrp(0) == getpgrp());
	printf("session: %d\n", tcgetsid(0) == getsid(0));
	printf("leader: %d\n", getsid(0) == getpid());
	printf("TIOCSCTTY again: %s\n", err(rc(ioctl(0, TIOCSCTTY, 0))));
	int p[2];
	pipe(p);
	pid_t pg;
	printf("TIOCGPGRP on a pipe: %s\n", err(rc(ioctl(p[0], TIOCGPGRP, &pg))));
	int null = open("/dev/null", O_RDONLY);
	printf("TIOCGPGRP on /dev/null: %s\n", err(rc(ioctl(null, TIOCGPGRP, &pg))));
	printf("tcsetpgrp(no such group): %s\n", err(rc(tcsetpgrp(0, 0x3ffffe))));
	printf("tcsetpgrp(-1): %s\n", err(rc(tcsetpgrp(0, -1))));
	printf("tcsetpgrp(own group): %s\n", err(rc(tcsetpgrp(0, getpgrp()))));

	background("background tcsetpgrp", bg_tcsetpgrp);
	background("background tcsetpgrp, SIGTTOU ignored", bg_tcsetpgrp_ignored);
	printf("foreground again: %d\n", tcgetpgrp(0) == getpgrp());
	background("background read", bg_read);
	background("background read, SIGTTIN ignored", bg_read_ignored);
	background("background read, SIGTTIN blocked", bg_read_blocked);
	background("background write", bg_write_tostop);
	struct termios t;
	tcgetattr(0, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	background("background write, TOSTOP", bg_write_tostop);
	t.c_lflag &= ~TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	background("background tcsetattr", bg_tcsetattr);
	background("background tcsetattr, SIGTTOU blocked", bg_tcsetattr_blocked);
	background("TIOCNOTTY", bg_notty);
	printf("still ours: %d\n", tcgetpgrp(0) == getpgrp());
	background("setsid", new_session);

	/* A group of another session: EPERM. */
	fflush(stdout);
	int sync[2];
	pipe(sync);
	pid_t c = fork();
	if (c == 0) {
		setsid();
		write(sync[1], "x", 1);
		pause();
		_exit(0);
	}
	char x;
	read(sync[0], &x, 1);
	printf("tcsetpgrp(group of another session): %s\n", err(rc(tcsetpgrp(0, c))));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	printf("TIOCGSID: %s\n", err(rc(ioctl(0, TIOCGSID, &pg))));
	return 0;
}
