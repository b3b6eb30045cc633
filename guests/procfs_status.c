/*
 * procfs_status: /proc/self/status has every line tools read, in Linux's
 * order, and the values that do not depend on the machine match; plus the
 * set-up a test harness does: a temporary directory chowned to nobody,
 * capget, the status fields.
 *
 * Printed: every key in order; the values of Name, Umask, State, Ngid,
 * TracerPid, Uid, Gid, Groups, Kthread, Threads, Sig{Pnd,Blk,Ign,Cgt},
 * Cap*, NoNewPrivs, Seccomp, Seccomp_filters, CoreDumping, THP_enabled,
 * untag_mask, Cpus_allowed_list; SigQ's shape; before and after blocking
 * and ignoring signals, PR_SET_THP_DISABLE and dropping capabilities.
 */
#include "cred_check.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>

static const char *const value_keys[] = {
	"Name",	  "Umask",  "State",  "Ngid",	    "TracerPid",       "Uid",
	"Gid",	  "Groups", "Kthread", "Threads",    "SigPnd",	       "SigBlk",
	"SigIgn", "SigCgt", "CapInh", "CapPrm",	    "CapEff",	       "CapBnd",
	"CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters", "CoreDumping", "THP_enabled",
	"untag_mask", "Cpus_allowed_list",
};

static void dump_status(const char *what)
{
	char line[1024];
	FILE *f = fopen("/proc/self/status", "r");
	need(f != NULL, 90, "open /proc/self/status");
	printf("== %s\n", what);
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		bool show = false;
		for (size_t i = 0; i < sizeof(value_keys) / sizeof(value_keys[0]); i++)
			if (!strcmp(line, value_keys[i]))
				show = true;
		if (show) {
			printf("%s:%s", line, colon + 1);
		} else if (!strcmp(line, "SigQ")) {
			unsigned a, b;
			printf("SigQ: %s\n", sscanf(colon + 1, "%u/%u", &a, &b) == 2 ? "n/limit" : "bad");
		} else {
			printf("%s\n", line);
		}
	}
	fclose(f);
}

static void on_usr1(int sig)
{
	(void)sig;
}

int main(void)
{
	/* The harness pattern: a private directory handed to nobody. */
	char dir[] = "tmp.XXXXXX";
	need(mkdtemp(dir) != NULL, 1, "mkdtemp");
	struct stat st;
	need(stat(dir, &st) == 0, 2, "stat");
	printf("mkdtemp mode %o\n", st.st_mode & 07777);
	if (geteuid() == 0) {
		expect_eq(chown(dir, 65534, 65534), 0, 3, "chown to nobody");
		stat(dir, &st);
		printf("owner %u:%u\n", st.st_uid, st.st_gid);
	} else {
		printf("ok: not root\n");
	}
	print_caps("capget");
	rmdir(dir);

	dump_status("start");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR2);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	struct capsets c = my_caps();
	set_caps(c.eff & ~CAP_BIT(CAP_NET_RAW), c.prm & ~CAP_BIT(CAP_NET_RAW), c.inh);
	dump_status("after changes");
	return guest_finish();
}
