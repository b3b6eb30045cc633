/*
 * errno_bp_proc: errno parity on bad pointers (errno_bp.h) for signals,
 * time and timers, futexes, credentials, limits, scheduling, prctl and
 * process creation and reaping. After a call it prints what Linux leaves
 * behind: whether a new signal action or mask was installed although the
 * old one could not be stored, whether a child was reaped although its
 * status could not be stored, whether a timer was armed. Calls that set
 * something of the host's (the clock, the host name) are only made with
 * pointers that fault.
 */
#include "errno_bp.h"
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

/* linux/futex.h (musl has no kernel headers). */
enum { FUTEX_WAIT, FUTEX_WAKE, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP, FUTEX_LOCK_PI,
       FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAIT_BITSET = 9 };
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | 128)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | 128)

static void act_after(void)
{
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	printf(" handler=%s", sa.sa_handler == SIG_IGN ? "IGN" : sa.sa_handler == SIG_DFL ? "DFL" : "fn");
}

static void mask_after(void)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	printf(" usr1blocked=%d", sigismember(&s, SIGUSR1));
}

static void pending_after(void)
{
	sigset_t s;
	sigpending(&s);
	printf(" usr1pending=%d", sigismember(&s, SIGUSR1));
}

static void itimer_after(void)
{
	struct itimerval it;
	getitimer(ITIMER_VIRTUAL, &it);
	printf(" armed=%d", it.it_value.tv_sec > 0);
}

static void altstack_after(void)
{
	stack_t ss;
	sigaltstack(NULL, &ss);
	printf(" onstack=%s", ss.ss_flags & SS_DISABLE ? "disabled" : "set");
}

static void rlimit_after(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	printf(" nofile=%ld", (long)rl.rlim_cur);
}

/* A child that has exited and not been reaped. */
static pid_t zombie(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(5);
	usleep(5000);
	return c;
}

static void reaped_after(pid_t c)
{
	printf(" reaped=%d", waitpid(c, NULL, WNOHANG) < 0 && errno == ECHILD);
}

static void block_usr1_pending(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
}

static long clone_settid(unsigned long flags, void *ptr)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, ptr, ptr, 0);
	if (r == 0)
		_exit(0);
	return r;
}

static void children_after(void)
{
	int n = 0;
	while (wait(NULL) > 0)
		n++;
	printf(" children=%d", n);
}

static struct sigaction usr1_ign;
static sigset_t usr1;
static struct itimerval it_on;
static struct rlimit rl_small;
static struct timespec ts0, ts_long;
static int fut;
static char buf[512];
static unsigned ids[2];
static char *av[3];

int main(void)
{
	bp_init();
	usr1_ign.sa_handler = SIG_IGN;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	it_on.it_value.tv_sec = 100;
	rl_small.rlim_cur = 100;
	rl_small.rlim_max = 1024;
	ts_long.tv_sec = 100;

	/* Signals. */
	CASE("rt_sigaction act", IN, NOTHING, syscall(SYS_rt_sigaction, SIGUSR1, P, NULL, 8), act_after());
	CASE("rt_sigaction old", ALL, NOTHING, syscall(SYS_rt_sigaction, SIGUSR1, &usr1_ign, P, 8),
	     act_after());
	CASE("rt_sigaction act bad signal", IN, NOTHING, syscall(SYS_rt_sigaction, 0, P, NULL, 8),
	     NOTHING);
	CASE("rt_sigaction act bad size", IN, NOTHING, syscall(SYS_rt_sigaction, SIGUSR1, P, NULL, 4),
	     NOTHING);
	CASE("rt_sigaction act SIGKILL", IN, NOTHING, syscall(SYS_rt_sigaction, SIGKILL, P, NULL, 8),
	     NOTHING);
	CASE("rt_sigprocmask set", IN, NOTHING, syscall(SYS_rt_sigprocmask, SIG_BLOCK, P, NULL, 8),
	     mask_after());
	CASE("rt_sigprocmask old", ALL, NOTHING, syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr1, P, 8),
	     mask_after());
	CASE("rt_sigprocmask set bad how", IN, NOTHING, syscall(SYS_rt_sigprocmask, 7, P, NULL, 8),
	     NOTHING);
	CASE("rt_sigprocmask set bad size", IN, NOTHING,
	     syscall(SYS_rt_sigprocmask, SIG_BLOCK, P, NULL, 4), NOTHING);
	CASE("rt_sigpending set", ALL, block_usr1_pending(), syscall(SYS_rt_sigpending, P, 8), NOTHING);
	CASE("rt_sigpending set bad size", ALL, NOTHING, syscall(SYS_rt_sigpending, P, 16), NOTHING);
	CASE("rt_sigsuspend mask", IN, NOTHING, syscall(SYS_rt_sigsuspend, P, 8), NOTHING);
	CASE("rt_sigsuspend mask bad size", IN, NOTHING, syscall(SYS_rt_sigsuspend, P, 4), NOTHING);
	CASE("rt_sigtimedwait set", IN, block_usr1_pending(),
	     syscall(SYS_rt_sigtimedwait, P, NULL, &ts0, 8), pending_after());
	CASE("rt_sigtimedwait info", ALL, block_usr1_pending(),
	     syscall(SYS_rt_sigtimedwait, &usr1, P, &ts0, 8), pending_after());
	CASE("rt_sigtimedwait timeout", IN, block_usr1_pending(),
	     syscall(SYS_rt_sigtimedwait, &usr1, NULL, P, 8), pending_after());
	CASE("rt_sigtimedwait timeout none pending", IN, NOTHING,
	     syscall(SYS_rt_sigtimedwait, &usr1, NULL, P, 8), NOTHING);
	CASE("sigaltstack new", IN, NOTHING, syscall(SYS_sigaltstack, P, NULL), altstack_after());
	CASE("sigaltstack old", ALL, stack_t ss = {0}; ss.ss_sp = buf; ss.ss_size = 1 << 16,
	     syscall(SYS_sigaltstack, &ss, P), altstack_after());
	CASE("rt_sigqueueinfo info", IN, sigprocmask(SIG_BLOCK, &usr1, NULL),
	     syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, P), pending_after());
	CASE("rt_sigqueueinfo info bad pid", IN, NOTHING,
	     syscall(SYS_rt_sigqueueinfo, 99999999, SIGUSR1, P), NOTHING);
	CASE("rt_tgsigqueueinfo info", IN, sigprocmask(SIG_BLOCK, &usr1, NULL),
	     syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGUSR1, P), pending_after());
	CASE("pidfd_send_signal info", IN, sigprocmask(SIG_BLOCK, &usr1, NULL);
	     int pfd = syscall(SYS_pidfd_open, getpid(), 0),
	     syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, P, 0), pending_after());

	/* Interval timers, POSIX timers. */
	CASE("getitimer value", ALL, NOTHING, syscall(SYS_getitimer, ITIMER_REAL, P), NOTHING);
	CASE("getitimer value bad which", ALL, NOTHING, syscall(SYS_getitimer, 9, P), NOTHING);
	CASE("setitimer new", IN, NOTHING, syscall(SYS_setitimer, ITIMER_VIRTUAL, P, NULL),
	     itimer_after());
	CASE("setitimer old", ALL, NOTHING, syscall(SYS_setitimer, ITIMER_VIRTUAL, &it_on, P),
	     itimer_after());
	CASE("timer_create evp", IN, NOTHING, syscall(SYS_timer_create, CLOCK_MONOTONIC, P, buf),
	     NOTHING);
	CASE("timer_create timerid", ALL, NOTHING, syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, P),
	     int t2 = -1; printf(" next=%ld", (long)syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &t2));
	     printf(" id=%d", t2));
	CASE("timer_create timerid bad clock", ALL, NOTHING, syscall(SYS_timer_create, 99, NULL, P),
	     NOTHING);
	CASE("timer_settime new", IN, timer_t tm; timer_create(CLOCK_MONOTONIC, NULL, &tm),
	     syscall(SYS_timer_settime, tm, 0, P, NULL), NOTHING);
	CASE("timer_settime old", ALL, timer_t tm; timer_create(CLOCK_MONOTONIC, NULL, &tm);
	     struct itimerspec its = {0}; its.it_value.tv_sec = 100,
	     syscall(SYS_timer_settime, tm, 0, &its, P),
	     struct itimerspec g; timer_gettime(tm, &g); printf(" armed=%d", g.it_value.tv_sec > 0));
	CASE("timer_settime new bad id", IN, NOTHING, syscall(SYS_timer_settime, 77, 0, P, NULL),
	     NOTHING);
	CASE("timer_gettime cur", ALL, timer_t tm; timer_create(CLOCK_MONOTONIC, NULL, &tm),
	     syscall(SYS_timer_gettime, tm, P), NOTHING);
	CASE("timer_gettime cur bad id", ALL, NOTHING, syscall(SYS_timer_gettime, 77, P), NOTHING);

	/* Clocks and sleeping. */
	CASE("clock_gettime tp", ALL, NOTHING, syscall(SYS_clock_gettime, CLOCK_MONOTONIC, P), NOTHING);
	CASE("clock_gettime tp bad clock", ALL, NOTHING, syscall(SYS_clock_gettime, 99, P), NOTHING);
	CASE("clock_getres res", ALL, NOTHING, syscall(SYS_clock_getres, CLOCK_MONOTONIC, P), NOTHING);
	CASE("clock_getres res bad clock", ALL, NOTHING, syscall(SYS_clock_getres, 99, P), NOTHING);
	CASE("gettimeofday tv", ALL, NOTHING, syscall(SYS_gettimeofday, P, NULL), NOTHING);
	CASE("gettimeofday tz", ALL, NOTHING, syscall(SYS_gettimeofday, NULL, P), NOTHING);
	CASE("time tloc", ALL | OKONLY, NOTHING, syscall(SYS_time, P), NOTHING);
	CASE("times buf", ALL | OKONLY, NOTHING, syscall(SYS_times, P), NOTHING);
	CASE("nanosleep req", IN, NOTHING, syscall(SYS_nanosleep, P, NULL), NOTHING);
	CASE("nanosleep rem uninterrupted", ALL, struct timespec s = {0}; s.tv_nsec = 1000,
	     syscall(SYS_nanosleep, &s, P), NOTHING);
	CASE("clock_nanosleep req", IN, NOTHING,
	     syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, P, NULL), NOTHING);
	CASE("clock_nanosleep req bad clock", IN, NOTHING, syscall(SYS_clock_nanosleep, 99, 0, P, NULL),
	     NOTHING);
	/* Never with a readable pointer: it would set the host's clock. */
	CASE("clock_settime tp", FAULTS, NOTHING, syscall(SYS_clock_settime, CLOCK_REALTIME, P), NOTHING);
	CASE("clock_settime tp bad clock", FAULTS, NOTHING, syscall(SYS_clock_settime, 99, P), NOTHING);
	CASE("settimeofday tv", FAULTS, NOTHING, syscall(SYS_settimeofday, P, NULL), NOTHING);
	CASE("settimeofday tz", FAULTS, NOTHING, syscall(SYS_settimeofday, NULL, P), NOTHING);
	CASE("getrandom buf", ALL | OKONLY, NOTHING, syscall(SYS_getrandom, P, 16, 0), NOTHING);
	CASE("getrandom buf count 0", ALL, NOTHING, syscall(SYS_getrandom, P, 0, 0), NOTHING);
	CASE("getrandom buf bad flags", ALL, NOTHING, syscall(SYS_getrandom, P, 16, 0x40), NOTHING);

	/* Futexes. */
	CASE("futex WAIT uaddr", ALL, NOTHING, syscall(SYS_futex, P, FUTEX_WAIT, 1, &ts0, NULL, 0),
	     NOTHING);
	CASE("futex WAIT_PRIVATE uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_WAIT_PRIVATE, 1, &ts0, NULL, 0), NOTHING);
	CASE("futex WAIT timeout", IN, NOTHING, syscall(SYS_futex, &fut, FUTEX_WAIT, 0, P, NULL, 0),
	     NOTHING);
	CASE("futex WAIT timeout value differs", IN, NOTHING,
	     syscall(SYS_futex, &fut, FUTEX_WAIT, 1, P, NULL, 0), NOTHING);
	CASE("futex WAKE uaddr", ALL, NOTHING, syscall(SYS_futex, P, FUTEX_WAKE, 1, NULL, NULL, 0),
	     NOTHING);
	CASE("futex WAKE_PRIVATE uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), NOTHING);
	CASE("futex WAIT_BITSET uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_WAIT_BITSET, 1, &ts0, NULL, ~0u), NOTHING);
	CASE("futex CMP_REQUEUE uaddr2", ALL, NOTHING,
	     syscall(SYS_futex, &fut, FUTEX_CMP_REQUEUE, 1, 1, P, 0), NOTHING);
	CASE("futex CMP_REQUEUE uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_CMP_REQUEUE, 1, 1, &fut, 0), NOTHING);
	CASE("futex WAKE_OP uaddr2", ALL, NOTHING,
	     syscall(SYS_futex, &fut, FUTEX_WAKE_OP, 1, 1, P, 0), NOTHING);
	CASE("futex LOCK_PI uaddr", ALL, NOTHING, syscall(SYS_futex, P, FUTEX_LOCK_PI, 0, NULL, NULL, 0),
	     NOTHING);
	CASE("futex UNLOCK_PI uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), NOTHING);
	CASE("futex TRYLOCK_PI uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), NOTHING);
	CASE("futex unaligned uaddr", ALL, NOTHING,
	     syscall(SYS_futex, P + 1, FUTEX_WAKE, 1, NULL, NULL, 0), NOTHING);
	CASE("futex_waitv waiters", IN, NOTHING, syscall(SYS_futex_waitv, P, 1, 0, &ts0, CLOCK_MONOTONIC),
	     NOTHING);
	CASE("futex_waitv waiters nr 0", IN, NOTHING,
	     syscall(SYS_futex_waitv, P, 0, 0, &ts0, CLOCK_MONOTONIC), NOTHING);
	CASE("get_robust_list head", ALL, size_t l; (void)l, syscall(SYS_get_robust_list, 0, P, &l),
	     NOTHING);
	CASE("get_robust_list len", ALL, void *h; (void)h, syscall(SYS_get_robust_list, 0, &h, P),
	     NOTHING);
	CASE("set_robust_list head", ALL, NOTHING, syscall(SYS_set_robust_list, P, 24), NOTHING);
	CASE("set_tid_address tidptr", ALL | OKONLY, NOTHING, syscall(SYS_set_tid_address, P), NOTHING);

	/* Credentials and limits. */
	CASE("getresuid ruid", ALL, NOTHING, syscall(SYS_getresuid, P, ids, ids + 1),
	     NOTHING);
	CASE("getresuid suid", ALL, NOTHING, syscall(SYS_getresuid, ids, ids + 1, P),
	     NOTHING);
	CASE("getresgid egid", ALL, NOTHING, syscall(SYS_getresgid, ids, P, ids + 1),
	     NOTHING);
	CASE("getgroups list", ALL, NOTHING, syscall(SYS_getgroups, 4, P), NOTHING);
	CASE("getgroups list size 0", ALL, NOTHING, syscall(SYS_getgroups, 0, P), NOTHING);
	CASE("setgroups list", ALL, NOTHING, syscall(SYS_setgroups, 1, P), NOTHING);
	CASE("setgroups list size 0", ALL, NOTHING, syscall(SYS_setgroups, 0, P), NOTHING);
	CASE("setgroups list size huge", ALL, NOTHING, syscall(SYS_setgroups, 1 << 20, P), NOTHING);
	CASE("capget hdr", ALL, NOTHING, syscall(SYS_capget, P, buf), NOTHING);
	CASE("capget data", ALL, uint32_t h[2] = {0x20080522}, syscall(SYS_capget, h, P), NOTHING);
	CASE("capget data NULL-probe bad version", ALL, uint32_t h[2] = {1},
	     syscall(SYS_capget, h, P), printf(" version=%x", h[0]));
	CASE("capset hdr", IN, NOTHING, syscall(SYS_capset, P, buf), NOTHING);
	CASE("capset data", IN, uint32_t h[2] = {0x20080522}, syscall(SYS_capset, h, P), NOTHING);
	CASE("getrlimit rlim", ALL, NOTHING, syscall(SYS_getrlimit, RLIMIT_NOFILE, P), NOTHING);
	CASE("getrlimit rlim bad resource", ALL, NOTHING, syscall(SYS_getrlimit, 99, P), NOTHING);
	CASE("setrlimit rlim", IN, NOTHING, syscall(SYS_setrlimit, RLIMIT_NOFILE, P), rlimit_after());
	CASE("prlimit64 new", IN, NOTHING, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, P, NULL),
	     rlimit_after());
	CASE("prlimit64 old", ALL, NOTHING, syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl_small, P),
	     rlimit_after());
	CASE("prlimit64 old bad pid", ALL, NOTHING, syscall(SYS_prlimit64, 99999999, RLIMIT_NOFILE, NULL, P),
	     NOTHING);
	CASE("getrusage ru", ALL, NOTHING, syscall(SYS_getrusage, RUSAGE_SELF, P), NOTHING);
	CASE("getrusage ru bad who", ALL, NOTHING, syscall(SYS_getrusage, 5, P), NOTHING);
	CASE("uname buf", ALL, NOTHING, syscall(SYS_uname, P), NOTHING);
	CASE("sysinfo info", ALL, NOTHING, syscall(SYS_sysinfo, P), NOTHING);
	CASE("getcpu cpu", ALL, NOTHING, syscall(SYS_getcpu, P, NULL, NULL), NOTHING);
	CASE("getcpu node", ALL, NOTHING, syscall(SYS_getcpu, NULL, P, NULL), NOTHING);
	/* Never with a readable pointer: it would set the host's names. */
	CASE("sethostname name", FAULTS, NOTHING, syscall(SYS_sethostname, P, 4), NOTHING);
	/* Never with length 0: copy_from_user of nothing succeeds even from a
	 * kernel address, and the host's name would become "". */
	CASE("sethostname name bad len", FAULTS, NOTHING, syscall(SYS_sethostname, P, 100), NOTHING);
	CASE("setdomainname name", FAULTS, NOTHING, syscall(SYS_setdomainname, P, 4), NOTHING);

	/* Scheduling. */
	CASE("sched_getparam param", ALL, NOTHING, syscall(SYS_sched_getparam, 0, P), NOTHING);
	CASE("sched_getparam param bad pid", ALL, NOTHING, syscall(SYS_sched_getparam, 99999999, P),
	     NOTHING);
	CASE("sched_setparam param", IN, NOTHING, syscall(SYS_sched_setparam, 0, P), NOTHING);
	CASE("sched_setscheduler param", IN, NOTHING, syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, P),
	     NOTHING);
	CASE("sched_setscheduler param bad policy", IN, NOTHING,
	     syscall(SYS_sched_setscheduler, 0, 77, P), NOTHING);
	CASE("sched_setattr attr", IN, NOTHING, syscall(SYS_sched_setattr, 0, P, 0), NOTHING);
	CASE("sched_getattr attr", ALL, NOTHING, syscall(SYS_sched_getattr, 0, P, 56, 0), NOTHING);
	CASE("sched_getattr attr small size", ALL, NOTHING, syscall(SYS_sched_getattr, 0, P, 8, 0),
	     NOTHING);
	CASE("sched_rr_get_interval tp", ALL, NOTHING, syscall(SYS_sched_rr_get_interval, 0, P), NOTHING);
	CASE("sched_getaffinity mask", ALL | OKONLY, NOTHING, syscall(SYS_sched_getaffinity, 0, 128, P),
	     NOTHING);
	CASE("sched_getaffinity mask bad len", ALL, NOTHING, syscall(SYS_sched_getaffinity, 0, 3, P),
	     NOTHING);
	CASE("sched_setaffinity mask", IN, NOTHING, syscall(SYS_sched_setaffinity, 0, 128, P), NOTHING);

	/* prctl, arch_prctl, rseq. */
	CASE("prctl PR_SET_NAME", IN, NOTHING, syscall(SYS_prctl, PR_SET_NAME, P, 0, 0, 0), NOTHING);
	CASE("prctl PR_GET_NAME", ALL, NOTHING, syscall(SYS_prctl, PR_GET_NAME, P, 0, 0, 0), NOTHING);
	CASE("prctl PR_GET_PDEATHSIG", ALL, NOTHING, syscall(SYS_prctl, PR_GET_PDEATHSIG, P, 0, 0, 0),
	     NOTHING);
	CASE("prctl PR_GET_TID_ADDRESS", ALL, NOTHING,
	     syscall(SYS_prctl, PR_GET_TID_ADDRESS, P, 0, 0, 0), NOTHING);
	CASE("prctl PR_GET_CHILD_SUBREAPER", ALL, NOTHING,
	     syscall(SYS_prctl, PR_GET_CHILD_SUBREAPER, P, 0, 0, 0), NOTHING);
	CASE("arch_prctl ARCH_GET_FS", ALL, NOTHING, syscall(SYS_arch_prctl, 0x1003, P), NOTHING);
	CASE("arch_prctl ARCH_GET_GS", ALL, NOTHING, syscall(SYS_arch_prctl, 0x1004, P), NOTHING);
	/* rseq is left out: glibc registers an area at start-up, musl does not,
	 * so what a second registration says depends on the libc. */

	/* Processes: reaping, creating, executing. */
	CASE("wait4 status", ALL | OKONLY, pid_t z = zombie(), syscall(SYS_wait4, z, P, 0, NULL), reaped_after(z));
	CASE("wait4 rusage", ALL | OKONLY, pid_t z = zombie(), syscall(SYS_wait4, z, NULL, 0, P), reaped_after(z));
	CASE("wait4 status no child", ALL, NOTHING, syscall(SYS_wait4, -1, P, WNOHANG, NULL), NOTHING);
	CASE("wait4 status bad options", ALL, NOTHING, syscall(SYS_wait4, -1, P, 0x1000, NULL), NOTHING);
	CASE("waitid infop", ALL, pid_t z = zombie(), syscall(SYS_waitid, P_PID, z, P, WEXITED, NULL),
	     reaped_after(z));
	CASE("waitid infop WNOWAIT", ALL, pid_t z = zombie(),
	     syscall(SYS_waitid, P_PID, z, P, WEXITED | WNOWAIT, NULL), reaped_after(z));
	CASE("waitid rusage", ALL, pid_t z = zombie(),
	     syscall(SYS_waitid, P_PID, z, buf, WEXITED, P), reaped_after(z));
	CASE("waitid infop nothing yet", ALL, NOTHING,
	     syscall(SYS_waitid, P_ALL, 0, P, WEXITED | WNOHANG, NULL), NOTHING);
	CASE("clone parent_tid", ALL | OKONLY, NOTHING, clone_settid(CLONE_PARENT_SETTID, P),
	     children_after());
	CASE("clone3 args", IN, NOTHING, syscall(SYS_clone3, P, 88), children_after());
	CASE("clone3 args bad size", IN, NOTHING, syscall(SYS_clone3, P, 8), NOTHING);
	CASE("execve path", ALL, NOTHING, syscall(SYS_execve, P, NULL, NULL), NOTHING);
	CASE("execve argv", IN & ~(1 << K_NULL), NOTHING, syscall(SYS_execve, "/bin/true", P, NULL),
	     NOTHING);
	CASE("execve envp", IN & ~(1 << K_NULL), av[0] = "true"; av[1] = NULL,
	     syscall(SYS_execve, "/bin/true", av, P), NOTHING);
	CASE("execve argv element", IN & ~(1 << K_NULL), av[0] = "true"; av[1] = P; av[2] = NULL,
	     syscall(SYS_execve, "/bin/true", av, NULL), NOTHING);
	CASE("execveat path", ALL, NOTHING, syscall(SYS_execveat, AT_FDCWD, P, NULL, NULL, 0), NOTHING);
	CASE("execve path nonexistent argv", IN, NOTHING, syscall(SYS_execve, "/nx", P, NULL), NOTHING);

	bp_summary("errno_bp_proc");
	return 0;
}
