/* cloneemu [options] PROGRAM [ARGS...]: run an x86_64 Linux program (static
 * or dynamic ELF, or a "#!" script) on the modeled kernel. The exit status is the guest's (128+N for a fatal signal);
 * 127: PROGRAM not found; 126: PROGRAM cannot run; 2: usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "emu/cpu.h"
#include "emu/explore.h"
#include "emu/gdbstub.h"
#include "emu/host_shm.h"
#include "emu/inspect.h"
#include "emu/observe.h"
#include "emu/run.h"
#include "emu/step.h"
#include "emu/timeline.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/exit.h"
#include "kernelmodel/frame.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/sched_chaos.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/random.h"
#include "loader/elf.h"
#include "syscalls/dispatch.h"
#include "syscalls/trace.h"

#define EXIT_USAGE 2
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127
#define DEFAULT_PHYS_MB 8192

extern char **environ;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cloneemu [options] PROGRAM [ARGS...]\n"
		"Run an x86_64 Linux program (static or dynamically linked ELF, or a #! script)\n"
		"on cloneemu's modeled kernel.\n"
		"\n"
		"  -L, --sysroot DIR   take the ELF interpreter and every absolute path that\n"
		"                      exists under DIR from DIR (like qemu-user's -L; also\n"
		"                      CLONEEMU_LD_PREFIX=DIR)\n"
		"  -E VAR=VALUE        set VAR in the guest's environment\n"
		"  -U VAR              remove VAR from the guest's environment\n"
		"      --warn-unknown  report syscalls cloneemu does not implement (ENOSYS)\n"
		"      --mem MIB       guest physical memory in MiB (default %d, or what fits\n"
		"                      under RLIMIT_AS)\n"
		"      --stats         at exit, print memory and copy-on-write figures to stderr\n"
		"      --trace[=FILE]  print each syscall, signal and exit of every task in\n"
		"                      strace -f's format to stderr or FILE (line-buffered)\n"
		"      --trace-only=SET  trace only these syscalls: names and strace's classes\n"
		"                      (%%file %%process %%signal %%memory %%network %%desc %%ipc\n"
		"                      %%creds %%clock %%stat %%pure), comma-separated; a leading\n"
		"                      '!' traces all but them (strace -e trace=SET)\n"
		"      --summary       at exit, strace -c's table of calls, errors and virtual\n"
		"                      time per syscall, to stderr\n"
		"  -s, --string-limit N  show N bytes of strings and buffers (default 32)\n"
		"      --trace-format=json  one JSON object per syscall instead of strace lines\n"
		"      --step[=FILE]   stop before the first instruction and take stepper\n"
		"                      commands from FILE or stdin (then the guest's stdin is\n"
		"                      /dev/null); 'help' lists them\n"
		"      --gdb PORT      wait for gdb on 127.0.0.1:PORT (target remote :PORT);\n"
		"                      each process an inferior of its own\n"
		"      --record FILE   record everything that reaches the guests from outside\n"
		"      --replay FILE   run again from a recording, without the outside world;\n"
		"                      a different course is reported (exit status 124)\n"
		"      --inspect       at exit, print every task of the run (exit status, or\n"
		"                      at a deadlock what each waits on), the objects live tasks\n"
		"                      share and the pipes and sockets between tasks\n"
		"      --inspect-at N  print them when the N-th syscall (counting all tasks) is made\n"
		"      --graph FILE    write them as a Graphviz graph (at --inspect-at, at a\n"
		"                      deadlock, or at exit)\n"
		"      --timeline FILE write the schedule as Chrome trace-event JSON (Perfetto,\n"
		"                      chrome://tracing): a track per task, running, syscall and\n"
		"                      blocked slices, clone/exit/signal events, wake-up arrows,\n"
		"                      on the virtual clock\n"
		"      --seed N        another (reproducible) interleaving of tasks; 0 = round robin\n"
		"      --chaos[=OPTS]  PCT schedules that expose races, one per --seed N; OPTS:\n"
		"                      uniform (change points at any instruction, default)\n"
		"                      or shared (at shared-memory touches and syscalls),\n"
		"                      depth=D (default: K/12+1, 8 to 64), steps=K\n"
		"  cloneemu explore [--runs N] [--jobs J] [--timeout S] [--seed-base B]\n"
		"                   [--expect-output FILE] [--chaos=OPTS] [--] PROGRAM [ARGS]\n"
		"                      run PROGRAM under N chaos seeds, report the failing ones\n"
		"  cloneemu diagnose --seed S [--chaos=OPTS] [--] PROGRAM [ARGS]\n"
		"                      find the racing accesses behind a failing chaos seed\n"
		"      --clock=host    guests read the host's clocks instead of the virtual clock\n"
		"                      (and the host's TSC in RDTSC/RDTSCP; recorded)\n"
		"      --epoch=SECONDS the wall clock (CLOCK_REALTIME) starts at SECONDS after\n"
		"                      1970-01-01 UTC instead of the host's time, so same-seed\n"
		"                      runs that read it are identical (not with --clock=host)\n"
		"      --random=host   getrandom, AT_RANDOM, /dev/urandom, /dev/random, RDRAND\n"
		"                      and RDSEED give the host's random bytes (recorded), not\n"
		"                      the default stream seeded by --seed\n"
		"      --pid-base N    the first guest process is pid N (default 2)\n"
		"      --host-shm      share the host's /dev/shm (default, when cloneemu may:\n"
		"                      an empty /dev/shm of the run's own)\n"
		"      --disable-syscall NAME\n"
		"                      make syscall NAME fail with ENOSYS (e.g. clone3)\n"
		"  -h, --help          show this help\n"
		"  -V, --version       show the version\n"
		"\n"
		"The guest inherits cloneemu's environment unless -E/-U change it.\n"
		"Exit status:\n"
		"  0-255  the first guest process's exit status\n"
		"  128+N  signal N killed the first guest process (e.g. 137: SIGKILL, also\n"
		"         after the stepper's 'quit', which kills every task)\n"
		"  2      usage error: a bad option or value, a file that cannot be opened\n"
		"  124    --replay: the run took another course than the recording (the\n"
		"         first differing syscall is named), or an executable differs\n"
		"  125    deadlock: every task was blocked forever\n"
		"  126    PROGRAM cannot run (not executable, bad ELF, emulator setup failed)\n"
		"  127    PROGRAM or its interpreter does not exist\n"
		"cloneemu explore: 0 every run passed, 1 a run failed, 2 usage error (or a\n"
		"run could not be started);\n"
		"cloneemu diagnose: 0 the racing accesses were found, 1 not (the seed passes,\n"
		"or no change point makes the difference), 2 usage error.\n",
		DEFAULT_PHYS_MB);
}

/* The guest environment: ours, edited by -E and -U in command-line order. */
struct env {
	char **v;
	int n;
};

static void env_unset(struct env *e, const char *name, size_t len)
{
	for (int i = 0; i < e->n;) {
		if (!strncmp(e->v[i], name, len) && e->v[i][len] == '=') {
			memmove(&e->v[i], &e->v[i + 1], (e->n - i) * sizeof(char *));
			e->n--;
		} else {
			i++;
		}
	}
}

static int env_set(struct env *e, char *assignment)
{
	char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return -1;
	env_unset(e, assignment, eq - assignment);
	char **v = realloc(e->v, (e->n + 2) * sizeof(char *));
	if (!v)
		return -1;
	e->v = v;
	e->v[e->n++] = assignment;
	e->v[e->n] = NULL;
	return 0;
}

/* --mem's default: DEFAULT_PHYS_MB of address space (reserved lazily), or
 * less under an RLIMIT_AS that would not leave room for it beside
 * Unicorn's code cache and cloneemu itself (1.5 GiB kept for them), said
 * on stderr. */
static size_t default_mem_mb(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return DEFAULT_PHYS_MB;
	uint64_t keep = 1536ull << 20;
	uint64_t mb = rl.rlim_cur > keep + (16ull << 20) ? (rl.rlim_cur - keep) >> 20 : 16;
	if (mb >= DEFAULT_PHYS_MB)
		return DEFAULT_PHYS_MB;
	fprintf(stderr, "cloneemu: RLIMIT_AS is %llu MiB: guest memory is %llu MiB (--mem)\n",
		(unsigned long long)(rl.rlim_cur >> 20), (unsigned long long)mb);
	return (size_t)mb;
}

static int cloneemu_main(int argc, char **argv, struct env *envp);

static bool inspect_at_exit;
static int gdb_port;
static const char *graph_path;
static FILE *graph_file; /* opened up front, with the umask */
static bool inspected_at_deadlock;

static void write_graph(void)
{
	if (!graph_file)
		return;
	inspect_dot(graph_file);
	fclose(graph_file);
	graph_file = NULL;
}

/* --inspect-at: called by the dispatcher at the chosen syscall. */
static void inspect_now(void)
{
	inspect_print(stderr);
	if (graph_path)
		write_graph();
}

/* A deadlock: the blocked tasks, before cloneemu kills them. */
static void inspect_deadlock(void)
{
	if (inspect_at_exit) {
		fprintf(stderr, "cloneemu: at the deadlock:\n");
		inspect_print(stderr);
	}
	write_graph();
	inspected_at_deadlock = true;
}

int main(int argc, char **argv)
{
	struct env env = {0};
	int n = 0;
	while (environ[n])
		n++;
	env.v = malloc((n + 1) * sizeof(char *));
	if (!env.v)
		return EXIT_CANNOT_EXEC;
	memcpy(env.v, environ, (n + 1) * sizeof(char *));
	env.n = n;
	int status = argc > 1 && !strcmp(argv[1], "explore")    ? explore_main(argc - 1, argv + 1)
		     : argc > 1 && !strcmp(argv[1], "diagnose") ? diagnose_main(argc - 1, argv + 1)
								 : cloneemu_main(argc, argv, &env);
	free(env.v);
	return status;
}

/* @v (*@n strings) recorded, or in a replay the recorded strings (a new
 * NULL-terminated array, *@n set, freed by rr_strings_free). */
static char **rr_strings(char **v, int *n)
{
	size_t len = 0;
	if (!rr_replaying)
		for (int i = 0; i < *n; i++)
			len += strlen(v[i]) + 1;
	long cnt = rr_replaying ? rr_value() : rr_note(*n);
	len = (size_t)(rr_replaying ? rr_value() : rr_note((long)len));
	if (!rr_recording && !rr_replaying)
		return v;
	if (cnt < 0)
		return NULL;
	char *blob = malloc(len + 1), **out = calloc((size_t)cnt + 2, sizeof(char *));
	if (!blob || !out) {
		free(blob);
		free(out);
		return NULL;
	}
	out[cnt + 1] = blob; /* for rr_strings_free */
	if (rr_recording) {
		for (int i = 0, at = 0; i < *n; i++) {
			size_t l = strlen(v[i]) + 1;
			memcpy(blob + at, v[i], l);
			at += (int)l;
		}
	}
	rr_bytes(blob, len);
	blob[len] = 0;
	for (long i = 0, at = 0; i < cnt && (size_t)at < len; i++) {
		out[i] = blob + at;
		at += (long)strlen(blob + at) + 1;
	}
	*n = (int)cnt;
	return out;
}

static void rr_strings_free(char **v, char **orig, int n)
{
	if (v && v != orig) {
		free(v[n + 1]);
		free(v);
	}
}

static int cloneemu_main(int argc, char **argv, struct env *envp)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"warn-unknown", no_argument, NULL, 'W'},
		{"mem", required_argument, NULL, 'M'},
		{"stats", no_argument, NULL, 'S'},
		{"seed", required_argument, NULL, 0x100},
		{"trace-only", required_argument, NULL, 0x101},
		{"summary", no_argument, NULL, 0x102},
		{"string-limit", required_argument, NULL, 's'},

		{"trace", optional_argument, NULL, 'T'},
		{"inspect", no_argument, NULL, 'I'},
		{"step", optional_argument, NULL, 'P'},
		{"gdb", required_argument, NULL, 'g'},
		{"record", required_argument, NULL, 'R'},
		{"replay", required_argument, NULL, 'Y'},
		{"trace-format", required_argument, NULL, 'F'},
		{"inspect-at", required_argument, NULL, 'A'},
		{"graph", required_argument, NULL, 'G'},
		{"clock", required_argument, NULL, 'C'},
		{"random", required_argument, NULL, 0x110},
		{"epoch", required_argument, NULL, 0x111},
		{"disable-syscall", required_argument, NULL, 'D'},
		{"sysroot", required_argument, NULL, 'L'},
		{"pid-base", required_argument, NULL, 'B'},
		{"host-shm", no_argument, NULL, 'H'},
		{"chaos", optional_argument, NULL, 'X'},
		{"timeline", required_argument, NULL, 0x103},
		{NULL, 0, NULL, 0},
	};
	size_t phys_mb = DEFAULT_PHYS_MB;
	bool mem_given = false;
	bool epoch_given = false;
	bool print_stats = false, virtual_clock = true, host_shm = false, host_random = false;
	long pid_base = 2;

	const char *sysroot = getenv("CLONEEMU_LD_PREFIX");
	int c;
	while ((c = getopt_long(argc, argv, "+hVE:U:L:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'L':
			sysroot = optarg;
			break;
		case 'B': {
			char *end;
			errno = 0;
			pid_base = strtol(optarg, &end, 10);
			if (*end || !*optarg || errno || pid_base < 2 || pid_base >= pid_max()) {
				fprintf(stderr, "cloneemu: --pid-base wants a pid from 2 to %d\n",
					pid_max() - 1);
				return EXIT_USAGE;
			}
			break;
		}
		case 'H':
			host_shm = true;
			break;
		case 'X': {
			char why[256];
			if (sched_chaos_configure(optarg, why, sizeof(why))) {
				fprintf(stderr, "cloneemu: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("cloneemu %s\n", CLONEEMU_VERSION);
			return 0;
		case 'E':
			if (env_set(envp, optarg)) {
				fprintf(stderr, "cloneemu: -E wants VAR=VALUE, got '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'U':
			env_unset(envp, optarg, strlen(optarg));
			break;
		case 'W':
			syscall_warn_unknown = true;
			break;
		case 'S':
			print_stats = true;
			break;
		case 0x100: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 0);
			if (*end || !*optarg || optarg[strspn(optarg, " \t")] == '-' || errno == ERANGE) {
				fprintf(stderr, "cloneemu: --seed wants a number from 0 to %llu, got '%s'\n",
					(unsigned long long)UINT64_MAX, optarg);
				return EXIT_USAGE;
			}
			sched_set_seed(v);
			break;
		}
		case 0x101: {
			char why[256];
			if (trace_only(optarg, why, sizeof(why))) {
				fprintf(stderr, "cloneemu: --trace-only: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		}
		case 0x102:
			trace_summary = true;
			break;
		case 0x103: {
			char why[512];
			if (timeline_on) {
				fprintf(stderr, "cloneemu: --timeline given twice\n");
				return EXIT_USAGE;
			}
			if (timeline_open(optarg, why, sizeof(why))) {
				fprintf(stderr, "cloneemu: --timeline: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		}
		case 's': {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || errno == ERANGE || v > (1ul << 20)) {
				fprintf(stderr, "cloneemu: -s wants a string length from 0 to 1048576\n");
				return EXIT_USAGE;
			}
			trace_strsize = (unsigned)v;
			break;
		}
		case 'T':
			if (trace_file && trace_file != stderr)
				fclose(trace_file);
			trace_file = optarg ? fopen(optarg, "w") : stderr;
			if (!trace_file) {
				fprintf(stderr, "cloneemu: --trace: cannot open %s: %s\n", optarg,
					strerror(errno));
				return EXIT_USAGE;
			}
			/* Whole lines as they happen: a killed run keeps its trace. */
			setvbuf(trace_file, NULL, _IOLBF, 0);
			break;
		case 'F':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "cloneemu: --trace-format wants text or json\n");
				return EXIT_USAGE;
			}
			trace_json = !strcmp(optarg, "json");
			break;
		case 'I':
			inspect_at_exit = true;
			break;
		case 'R':
			if (rr_replaying || rr_start_record(optarg)) {
				fprintf(stderr, "cloneemu: --record: cannot write %s\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'Y':
			if (access(optarg, R_OK)) {
				fprintf(stderr, "cloneemu: --replay: cannot read %s: %s\n", optarg,
					strerror(errno));
				return EXIT_USAGE;
			}
			if (rr_recording || rr_start_replay(optarg)) {
				fprintf(stderr, "cloneemu: --replay: %s is not a cloneemu recording\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'g':
			gdb_port = atoi(optarg);
			if (gdb_port <= 0 || gdb_port > 65535) {
				fprintf(stderr, "cloneemu: --gdb wants a TCP port\n");
				return EXIT_USAGE;
			}
			break;
		case 'P':
			if (step_init(optarg)) {
				fprintf(stderr, "cloneemu: --step: cannot read %s\n", optarg);
				return EXIT_USAGE;
			}
			if (!optarg) {
				/* The commands own stdin: the guest reads /dev/null. */
				int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
				if (null >= 0) {
					dup2(null, 0);
					close(null);
				}
			}
			break;
		case 'A': {
			char *end;
			inspect_at_syscall = strtoull(optarg, &end, 10);
			if (*end || !inspect_at_syscall) {
				fprintf(stderr, "cloneemu: --inspect-at wants a syscall count >= 1\n");
				return EXIT_USAGE;
			}
			break;
		}
		case 'G':
			if (graph_file)
				fclose(graph_file);
			graph_path = optarg;
			graph_file = fopen(optarg, "w");
			if (!graph_file) {
				fprintf(stderr, "cloneemu: --graph: cannot create %s: %s\n", optarg,
					strerror(errno));
				return EXIT_USAGE;
			}
			break;
		case 'C':
			if (strcmp(optarg, "host") && strcmp(optarg, "virtual")) {
				fprintf(stderr, "cloneemu: --clock wants host or virtual\n");
				return EXIT_USAGE;
			}
			virtual_clock = !strcmp(optarg, "virtual");
			break;
		case 0x110:
			if (strcmp(optarg, "host") && strcmp(optarg, "seed")) {
				fprintf(stderr, "cloneemu: --random wants host or seed\n");
				return EXIT_USAGE;
			}
			host_random = !strcmp(optarg, "host");
			break;
		case 0x111: {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*end || !*optarg || optarg[strspn(optarg, " \t")] == '-' || errno == ERANGE ||
			    v > CLOCK_EPOCH_MAX) {
				fprintf(stderr,
					"cloneemu: --epoch wants seconds since 1970-01-01 UTC, 0 to %llu, "
					"got '%s'\n",
					CLOCK_EPOCH_MAX, optarg);
				return EXIT_USAGE;
			}
			epoch_given = true;
			clock_set_epoch(v);
			break;
		}
		case 'D':
			if (syscall_disable(optarg)) {
				fprintf(stderr, "cloneemu: --disable-syscall: no syscall named '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'M': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 16 || v > (1ul << 20)) {
				fprintf(stderr, "cloneemu: --mem wants MiB between 16 and 1048576\n");
				return EXIT_USAGE;
			}
			phys_mb = v;
			mem_given = true;
			break;
		}
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cloneemu: no program given (try --help)\n");
		return EXIT_USAGE;
	}

	if (epoch_given && !virtual_clock) {
		fprintf(stderr, "cloneemu: --epoch sets the virtual clock; --clock=host reads the "
				"host's\n");
		return EXIT_USAGE;
	}
	if (sysroot && *sysroot && fs_set_sysroot(sysroot)) {
		fprintf(stderr, "cloneemu: --sysroot: %s is not a directory\n", sysroot);
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	char err[512] = "";
	if (!mem_given)
		phys_mb = default_mem_mb();
	if (emu_init(phys_mb << 20, err, sizeof(err))) {
		fprintf(stderr, "cloneemu: %s\n", err);
		return EXIT_CANNOT_EXEC;
	}
	if (!host_shm)
		private_dev_shm();
	/* The seed and the pid base are part of the recording: a replay
	 * schedules and numbers the same way. */
	uint64_t seed = sched_seed();
	rr_bytes(&seed, sizeof(seed));
	rr_bytes(&pid_base, sizeof(pid_base));
	pid_ns_set_base((int)pid_base);
	sched_set_seed(seed);
	sched_chaos_start(seed);
	elf_set_layout_seed(seed);
	clock_init(virtual_clock);
	random_init(seed, host_random);
	rr_syscall_name = syscall_name;
	/* The guest's arguments and environment are input too: a replay runs
	 * with the recorded ones (stack addresses, getenv) whatever its own. */
	int gargc = argc - optind, genvc = envp->n;
	char **gargv = rr_strings(argv + optind, &gargc);
	char **genvp = rr_strings(envp->v, &genvc);
	if (!gargv || !genvp || !gargc) {
		fprintf(stderr, "cloneemu: out of memory\n");
		return EXIT_CANNOT_EXEC;
	}
	syscall_inspect_hook = inspect_now;
	/* The record of every task (emu/observe.c) from the first one on. */
	observe_io = inspect_at_exit || graph_path || inspect_at_syscall;
	if (observe_io || timeline_on)
		observe_start();
	deadlock_hook = inspect_at_exit || graph_path ? inspect_deadlock : NULL;
	struct boot_params bp = {
		.path = path,
		.argc = gargc,
		.argv = gargv,
		.envc = genvc,
		.envp = genvp,
	};
	struct task *first;
	int r = emu_boot(&bp, &first, err, sizeof(err));
	/* The first task's struct fs took cloneemu's umask; from now on the
	 * model applies the guest's itself and host calls must not add ours. */
	umask(0);
	if (r) {
		fprintf(stderr, "cloneemu: %s: %s\n", path, err[0] ? err : strerror(-r));
		emu_fini();
		rr_strings_free(gargv, argv + optind, gargc);
		rr_strings_free(genvp, envp->v, genvc);
		return r == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	trace_enabled = trace_file || trace_summary;
	if (trace_file && !observe_active) {
		signal_trace_hook = trace_signal;
		exit_trace_hook = trace_exit;
	}
	if (trace_enabled)
		trace_boot(first, path, bp.argc, bp.argv, bp.envc);
	if (gdb_port) {

		int g = gdb_listen(gdb_port);
		if (g) {
			fprintf(stderr, "cloneemu: --gdb: %s\n", strerror(-g));
			emu_fini();
			rr_strings_free(gargv, argv + optind, gargc);
			rr_strings_free(genvp, envp->v, genvc);
			return EXIT_USAGE;
		}
	}
	int status = emu_run_all(first);
	sched_chaos_finish();
	timeline_finish();
	trace_summary_print(stderr);
	if (inspect_at_syscall && syscall_total() < inspect_at_syscall)
		fprintf(stderr,
			"cloneemu: --inspect-at %llu: the run ended after %llu syscalls%s\n",
			(unsigned long long)inspect_at_syscall, (unsigned long long)syscall_total(),
			graph_file ? "; the graph shows the end of the run" : "");
	if (inspect_at_exit && !inspected_at_deadlock)
		inspect_print(stderr);
	write_graph(); /* if --inspect-at and the deadlock did not */
	if (print_stats) {
		struct frame_stats st = frames_stats();
		fprintf(stderr,
			"cloneemu: stats: peak guest memory %llu KiB (%llu frames), "
			"copy-on-write: %llu pages copied, %llu taken over\n",
			(unsigned long long)st.peak_in_use * 4, (unsigned long long)st.peak_in_use,
			(unsigned long long)st.cow_copies, (unsigned long long)st.cow_reuses);
		struct emu_stats es = emu_stats();
		fprintf(stderr,
			"cloneemu: stats: %llu slices, %llu block-hook switches, %llu TLB flushes, "
			"%llu code invalidations (%llu for stores into translated code), "
			"%llu translation-buffer flushes, %llu x87 instructions on the host FPU\n",
			(unsigned long long)es.slices, (unsigned long long)es.hook_toggles,
			(unsigned long long)es.tlb_flushes, (unsigned long long)es.code_invalidations,
			(unsigned long long)es.code_retries, (unsigned long long)es.tb_flushes,
			(unsigned long long)es.x87_exact);
	}
	emu_fini();
	rr_finish();
	rr_strings_free(gargv, argv + optind, gargc);
	rr_strings_free(genvp, envp->v, genvc);
	if (trace_file && trace_file != stderr)
		fclose(trace_file);
	return status;
}

/* LeakSanitizer (cloneemu-asan): Unicorn keeps a few internal allocations
 * until process exit; they are not ours to free. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libunicorn.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
