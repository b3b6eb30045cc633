/*
 * random_syscalls SEED CHILDREN CALLS: a random-syscall stress guest for
 * cloneemu itself (never run natively: it would do random things to the
 * machine). The parent forks CHILDREN children one after another; each
 * drops to nobody (so host files are out of reach where cloneemu runs host
 * calls under the guest's credentials), points its standard descriptors at
 * /dev/null, works in the current directory (a small throw-away tmpfs, see
 * random_syscalls.sh), and makes CALLS syscalls with random numbers and random
 * arguments drawn from values that find bugs: 0, -1, small numbers, huge
 * and sign-edge values, pointers to a scratch buffer (with a few real
 * strings and structures in it), NULL, unmapped, read-only and kernel
 * addresses. Calls that would leave the child's sandbox are never made:
 * signals to other processes (pids are small and predictable), fork/clone
 * (children of children would outlive the watchdog), exec. A child that
 * does not finish within its budget of virtual time is killed. The guest
 * exits 0 whatever its children did; the test checks that cloneemu
 * survived them (exit status, no sanitizer report). Deterministic per
 * SEED under cloneemu's virtual clock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t next(void) /* splitmix64 */
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static char scratch[65536] __attribute__((aligned(4096)));
static const char *const strings[] = {"/tmp", ".", "..", "x", "/proc/self/maps", "/proc/self/status",
				      "/dev/null", "/proc/self/fd/0", "/proc/self/mem", "y/z", ""};
static char *ro_page;
static char *unmapped_page;

static bool never(long nr)
{
	switch (nr) {
	case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_clone3:
	case SYS_execve: case SYS_execveat:
	case SYS_process_vm_writev: case SYS_ptrace:
	case SYS_reboot: case SYS_kexec_load: case SYS_kexec_file_load:
		return true;
	}
	return false;
}

static uint64_t arg(void)
{
	uint64_t r = next();
	switch (r % 16) {
	case 0: return 0;
	case 1: return (uint64_t)-1;
	case 2: return r >> 60;                         /* 0..15 */
	case 3: return (r >> 32) & 0xfff;               /* a few thousand */
	case 4: return 1ull << ((r >> 8) % 64);          /* a power of two */
	case 5: return ((r >> 8) & 1) ? 0x7fffffffull : 0x80000000ull;
	case 6: return ((r >> 8) & 1) ? INT64_MAX : (uint64_t)INT64_MIN;
	case 7: return (uintptr_t)scratch + ((r >> 16) % sizeof(scratch));
	case 8: return (uintptr_t)scratch;
	case 9: return (uintptr_t)strings[(r >> 16) % (sizeof(strings) / sizeof(strings[0]))];
	case 10: return (uintptr_t)ro_page;
	case 11: return (uintptr_t)unmapped_page;
	case 12: return 0xffff800000000000ull;           /* kernel space */
	case 13: return (uintptr_t)scratch + sizeof(scratch) - ((r >> 16) % 64); /* near the end */
	case 14: return (r >> 16) % 1024;                /* fds, small sizes */
	default: return r;
	}
}

static void tick(int sig)
{
	(void)sig;
}

static void child(unsigned calls)
{
	/* Nobody, no way back, a fresh process group. */
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		_exit(90);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* Nothing it writes reaches the terminal or the test's files. */
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	for (size_t i = 0; i < sizeof(scratch); i += 8) {
		uint64_t v = next();
		memcpy(scratch + i, &v, 8);
	}
	strcpy(scratch + 128, "scratch-file");
	/* A call that blocks is interrupted (EINTR) every 10 ms of virtual
	 * time, so the child goes on to its next call. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tick;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 10000}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (unsigned i = 0; i < calls; i++) {
		long nr = (long)(next() % 460);
		if (never(nr))
			continue;
		syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: random_syscalls SEED CHILDREN CALLS\n");
		return 2;
	}
	uint64_t seed = strtoull(argv[1], NULL, 0);
	unsigned children = (unsigned)atoi(argv[2]), calls = (unsigned)atoi(argv[3]);
	long pg = sysconf(_SC_PAGESIZE);
	ro_page = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped_page = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED || unmapped_page == MAP_FAILED || munmap(unmapped_page, pg))
		return 3;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	unsigned exited = 0, signaled = 0, killed = 0;
	for (unsigned c = 0; c < children; c++) {
		rng = seed * 1000003u + c;
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			return 4;
		if (!pid)
			child(calls);
		/* The watchdog: a child that is not done in 5 s of (virtual)
		 * time is killed; the one signal it cannot block or catch. */
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		int st;
		for (;;) {
			pid_t r = waitpid(pid, &st, WNOHANG);
			if (r == pid)
				break;
			if (r < 0 && errno != EINTR)
				return 5;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t left = 5000000000ll - ((now.tv_sec - start.tv_sec) * 1000000000ll +
						       (now.tv_nsec - start.tv_nsec));
			if (left <= 0) {
				kill(pid, SIGKILL);
				killed++;
				while (waitpid(pid, &st, 0) < 0)
					if (errno != EINTR)
						return 6;
				break;
			}
			struct timespec budget = {left / 1000000000, left % 1000000000};
			siginfo_t si;
			sigtimedwait(&chld, &si, &budget);
		}
		if (WIFEXITED(st))
			exited++;
		else
			signaled++;
	}
	printf("random_syscalls: seed %llu, %u children x %u calls: %u exited, %u died of a signal "
	       "(%u by the watchdog)\n",
	       (unsigned long long)seed, children, calls, exited, signaled, killed);
	return 0;
}
