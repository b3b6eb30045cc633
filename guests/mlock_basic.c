/*
 * mlock_basic: mlock, mlock2, munlock, mlockall, munlockall.
 *
 *   - locked pages are resident at once (mincore) and counted in
 *     /proc/self/status's VmLck (a page from the middle of a mapping is
 *     that page only); munlock and munlockall take them off
 *   - a range with a hole: the part before it is locked, then ENOMEM
 *   - bad flags: mlock2 EINVAL, mlockall(0) and mlockall(MCL_ONFAULT) EINVAL
 *   - without CAP_IPC_LOCK (a child that dropped to nobody): RLIMIT_MEMLOCK
 *     bounds what may be locked (ENOMEM past it, EPERM when it is 0); a
 *     fork does not inherit the locks
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long vm_lck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#define EXPECT_ERRNO(call, want, code, what)                   \
	do {                                                   \
		long r_ = (long)(call);                        \
		expect_errno(r_, errno, want, code, what);     \
	} while (0)

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(p != MAP_FAILED, 90, "mmap");
	long base = vm_lck_kb();
	check(mlock(p, 4 * pg) == 0, 1, "mlock of 4 pages");
	unsigned char vec[8];
	need(mincore(p, 8 * pg, vec) == 0, 91, "mincore");
	printf("resident after mlock: %d %d %d %d, untouched %d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1,
	       vec[3] & 1, vec[5] & 1);
	expect_eq(vm_lck_kb() - base, 16, 2, "VmLck counts them");
	check(munlock(p, 2 * pg) == 0, 3, "munlock of 2");
	expect_eq(vm_lck_kb() - base, 8, 4, "VmLck drops");
	need(munmap(p + 6 * pg, pg) == 0, 92, "munmap a hole");
	EXPECT_ERRNO(mlock(p + 4 * pg, 4 * pg), ENOMEM, 5, "mlock over a hole");
	expect_eq(vm_lck_kb() - base, 16, 6, "the part before the hole was locked");
	EXPECT_ERRNO(syscall(SYS_mlock2, p, pg, 2), EINVAL, 7, "mlock2 with an unknown flag");
	EXPECT_ERRNO(mlockall(0), EINVAL, 8, "mlockall(0)");
	EXPECT_ERRNO(mlockall(4 /* MCL_ONFAULT */), EINVAL, 9, "mlockall(MCL_ONFAULT) alone");
	check(munlockall() == 0 && vm_lck_kb() == 0, 10, "munlockall unlocks everything");
	check(mlock(p + pg, pg) == 0 && vm_lck_kb() == 4 && munlock(p + pg, pg) == 0 &&
		      vm_lck_kb() == 0,
	      13, "a page from the middle of a mapping: that page only");
	check(mlock(p, 2 * pg) == 0, 11, "mlock again");

	fflush(stdout);
	pid_t c = fork();
	need(c >= 0, 93, "fork");
	if (!c) {
		int st = vm_lck_kb() == 0 ? 0 : 1;
		struct rlimit rl = {8 * 4096, 8 * 4096};
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(90);
		char *q = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mlock(q, 8 * pg))
			st |= 2;
		if (!(mlock(q + 8 * pg, pg) == -1 && errno == ENOMEM))
			st |= 4;
		if (mlock(q, 4 * pg))
			st |= 8; /* already locked: not counted twice */
		rl.rlim_cur = 0;
		setrlimit(RLIMIT_MEMLOCK, &rl);
		if (!(mlock(q, pg) == -1 && errno == EPERM))
			st |= 16;
		_exit(st);
	}
	int st;
	need(waitpid(c, &st, 0) == c, 94, "waitpid");
	expect_eq(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, 12,
		  "child: no inherited locks; RLIMIT_MEMLOCK bounds it, ENOMEM past it, EPERM at 0");
	return guest_finish();
}
