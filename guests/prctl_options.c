/*
 * prctl_options: prctl(2)'s per-task options besides names, capabilities
 * and signals, and their errors, as Linux 6.x has them:
 *
 *   - PR_GET/SET_DUMPABLE: 1 to start, 0 and 1 accepted, 2 EINVAL; a fork
 *     keeps it, an exec makes it 1 again; setresuid to another user makes
 *     it fs.suid_dumpable's value (printed natively and emulated alike)
 *   - PR_GET/SET_TIMERSLACK: set, read back, 0 restores the default, a
 *     child's default is the slack its parent had at fork
 *   - PR_GET/SET_TIMING, PR_GET_TSC, PR_SET_TSC(PR_TSC_ENABLE), a bad mode
 *   - PR_MCE_KILL / PR_MCE_KILL_GET: every policy, the EINVAL cases
 *   - PR_GET/SET_THP_DISABLE: argument checks, inherited by fork
 *   - PR_GET_TID_ADDRESS after set_tid_address
 *   - PR_SET_MM: PR_SET_MM_MAP_SIZE's size
 *   - PR_TASK_PERF_EVENTS_DISABLE/ENABLE
 *   - unknown options are EINVAL; bad pointers EFAULT
 */
#include "guest_check.h"

#include <sys/prctl.h>

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static long pr(int op, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_prctl, op, a2, a3, a4, a5);
}

static int read_suid_dumpable(void)
{
	FILE *f = fopen("/proc/sys/fs/suid_dumpable", "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		/* After an exec by a process that set dumpable 0. */
		expect_eq(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, 90, "dumpable after exec");
		expect_eq(pr(PR_GET_TIMERSLACK, 0, 0, 0, 0), 123456, 91, "slack kept across exec");
		expect_eq(pr(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY, 92, "MCE policy kept");
		return guest_finish();
	}
	/* dumpable */
	expect_eq(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, 1, "dumpable at start");
	expect_eq(pr(PR_SET_DUMPABLE, 0, 0, 0, 0), 0, 2, "SET_DUMPABLE 0");
	expect_eq(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 0, 3, "dumpable now 0");
	EXPECT_ERRNO(pr(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL, 4, "SET_DUMPABLE 2");
	pid_t pid = guest_fork();
	if (pid == 0)
		exit(pr(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 1);
	expect_status(pid, "exited 0", 5, "fork keeps dumpable 0");
	expect_eq(pr(PR_SET_DUMPABLE, 1, 0, 0, 0), 0, 6, "SET_DUMPABLE 1");

	/* timer slack */
	long slack0 = pr(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	check(slack0 > 0, 10, "timer slack positive");
	expect_eq(pr(PR_SET_TIMERSLACK, 123456, 0, 0, 0), 0, 11, "SET_TIMERSLACK 123456");
	expect_eq(pr(PR_GET_TIMERSLACK, 0, 0, 0, 0), 123456, 12, "slack read back");
	expect_eq(pr(PR_SET_TIMERSLACK, 0, 0, 0, 0), 0, 13, "SET_TIMERSLACK 0");
	check(pr(PR_GET_TIMERSLACK, 0, 0, 0, 0) == slack0, 14, "0 restores the default");
	expect_eq(pr(PR_SET_TIMERSLACK, 777, 0, 0, 0), 0, 15, "SET_TIMERSLACK 777");
	pid = guest_fork();
	if (pid == 0) {
		int ok = pr(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 777;
		pr(PR_SET_TIMERSLACK, 5, 0, 0, 0);
		pr(PR_SET_TIMERSLACK, 0, 0, 0, 0);
		ok = ok && pr(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 777; /* the default is 777 */
		exit(ok ? 0 : 1);
	}
	expect_status(pid, "exited 0", 16, "child inherits slack as its default");

	/* timing, TSC */
	expect_eq(pr(PR_GET_TIMING, 0, 0, 0, 0), PR_TIMING_STATISTICAL, 20, "GET_TIMING");
	expect_eq(pr(PR_SET_TIMING, PR_TIMING_STATISTICAL, 0, 0, 0), 0, 21, "SET_TIMING statistical");
	EXPECT_ERRNO(pr(PR_SET_TIMING, PR_TIMING_TIMESTAMP, 0, 0, 0), EINVAL, 22,
		     "SET_TIMING timestamp");
	int tsc = -1;
	expect_eq(pr(PR_GET_TSC, (unsigned long)&tsc, 0, 0, 0), 0, 23, "GET_TSC");
	expect_eq(tsc, PR_TSC_ENABLE, 24, "TSC enabled");
	EXPECT_ERRNO(pr(PR_GET_TSC, 8, 0, 0, 0), EFAULT, 25, "GET_TSC to a bad pointer");
	expect_eq(pr(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0), 0, 26, "SET_TSC enable");
	EXPECT_ERRNO(pr(PR_SET_TSC, 7, 0, 0, 0), EINVAL, 27, "SET_TSC 7");

	/* machine-check kill policy */
	expect_eq(pr(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT, 30, "MCE default");
	expect_eq(pr(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0), 0, 31, "MCE late");
	expect_eq(pr(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_LATE, 32, "MCE reads late");
	expect_eq(pr(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0), 0, 33, "MCE clear");
	expect_eq(pr(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT, 34, "MCE cleared");
	EXPECT_ERRNO(pr(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0), EINVAL, 35, "MCE clear with arg");
	EXPECT_ERRNO(pr(PR_MCE_KILL, PR_MCE_KILL_SET, 9, 0, 0), EINVAL, 36, "MCE set 9");
	EXPECT_ERRNO(pr(PR_MCE_KILL, 5, 0, 0, 0), EINVAL, 37, "MCE op 5");
	EXPECT_ERRNO(pr(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 1, 0), EINVAL, 38,
		     "MCE with arg4");
	EXPECT_ERRNO(pr(PR_MCE_KILL_GET, 1, 0, 0, 0), EINVAL, 39, "MCE_GET with arg");
	expect_eq(pr(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0), 0, 40, "MCE early");
	expect_eq(pr(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY, 41, "MCE reads early");

	/* transparent huge pages */
	expect_eq(pr(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0, 50, "THP enabled");
	EXPECT_ERRNO(pr(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL, 51, "GET_THP_DISABLE with arg");
	EXPECT_ERRNO(pr(PR_SET_THP_DISABLE, 1, 0, 1, 0), EINVAL, 52, "SET_THP_DISABLE with arg4");
	EXPECT_ERRNO(pr(PR_SET_THP_DISABLE, 0, 2, 0, 0), EINVAL, 53, "enable with flags");
	EXPECT_ERRNO(pr(PR_SET_THP_DISABLE, 1, 4, 0, 0), EINVAL, 54, "disable with unknown flag");
	expect_eq(pr(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0, 55, "THP disable");
	expect_eq(pr(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1, 56, "THP disabled");
	pid = guest_fork();
	if (pid == 0)
		exit(pr(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 ? 0 : 1);
	expect_status(pid, "exited 0", 57, "fork keeps THP disabled");
	expect_eq(pr(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0), 0, 58,
		  "THP disable except advised");
	expect_eq(pr(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1 | PR_THP_DISABLE_EXCEPT_ADVISED, 59,
		  "THP reads except advised");
	expect_eq(pr(PR_SET_THP_DISABLE, 0, 0, 0, 0), 0, 60, "THP enable");

	/* tid address, PR_SET_MM, perf events */
	static int tidword;
	syscall(SYS_set_tid_address, &tidword);
	int *addr = NULL;
	expect_eq(pr(PR_GET_TID_ADDRESS, (unsigned long)&addr, 0, 0, 0), 0, 70, "GET_TID_ADDRESS");
	check(addr == &tidword, 71, "the address set_tid_address set");
	unsigned size = 0;
	expect_eq(pr(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0), 0, 72,
		  "SET_MM_MAP_SIZE");
	expect_eq(size, 104, 73, "struct prctl_mm_map size");
	EXPECT_ERRNO(pr(PR_SET_MM, PR_SET_MM_MAP_SIZE, 8, 0, 0), EFAULT, 74, "MAP_SIZE bad pointer");
	expect_eq(pr(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0), 0, 75, "perf events off");
	expect_eq(pr(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0), 0, 76, "perf events on");

	/* unknown options */
	EXPECT_ERRNO(pr(9999, 0, 0, 0, 0), EINVAL, 80, "option 9999");
	EXPECT_ERRNO(pr(-1, 0, 0, 0, 0), EINVAL, 81, "option -1");
	EXPECT_ERRNO(pr(PR_GET_ENDIAN, 0, 0, 0, 0), EINVAL, 82, "GET_ENDIAN on x86");
	EXPECT_ERRNO(pr(PR_GET_FPEMU, 0, 0, 0, 0), EINVAL, 83, "GET_FPEMU on x86");

	/* dumpable after an id change, as root */
	if (geteuid() == 0) {
		pid = guest_fork();
		if (pid == 0) {
			setresuid(1000, 1000, 1000);
			long d = pr(PR_GET_DUMPABLE, 0, 0, 0, 0);
			exit(d == read_suid_dumpable() ? 0 : 1);
		}
		expect_status(pid, "exited 0", 85, "setresuid makes dumpable suid_dumpable");
	} else {
		printf("ok: not root, no id change\n");
	}

	/* exec resets dumpable, keeps slack and MCE policy */
	pr(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pr(PR_SET_TIMERSLACK, 123456, 0, 0, 0);
	fflush(stdout);
	pid = guest_fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	expect_status(pid, "exited 0", 86, "exec'd child");
	return guest_finish();
}
