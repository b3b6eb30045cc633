/* cloneemu explore: run a program under many --chaos seeds, J at a time,
 * and report the seeds whose runs fail. Each seed is one reproducible
 * schedule, so a failing line is also a regression test. */
#include "emu/explore.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double chaos_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

char *chaos_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		char *b = realloc(buf, cap *= 2);
		if (!b) {
			free(buf);
			buf = NULL;
		}
		buf = b;
	}
	fclose(f);
	if (buf) {
		buf[n] = 0;
		if (len)
			*len = n;
	}
	return buf;
}

static char *chaos_flag(const char *opts)
{
	static char flag[4096];
	snprintf(flag, sizeof(flag), "--chaos%s%s", opts && *opts ? "=" : "", opts ? opts : "");
	return flag;
}

int chaos_run_start(struct chaos_run *r, const char *opts, char *const *prog, bool capture,
		    double timeout)
{
	r->outfd = -1;
	r->out = NULL;
	r->outlen = 0;
	r->timed_out = false;
	r->status = 0;
	if (capture && (r->outfd = memfd_create("cloneemu-explore", MFD_CLOEXEC)) < 0)
		return -errno;
	int n = 0;
	while (prog[n])
		n++;
	char seed[32];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)r->seed);
	char **argv = calloc((size_t)n + 6, sizeof(char *));
	if (!argv)
		return -ENOMEM;
	argv[0] = "cloneemu";
	argv[1] = chaos_flag(opts);
	argv[2] = "--seed";
	argv[3] = seed;
	argv[4] = "--";
	memcpy(argv + 5, prog, (size_t)n * sizeof(char *));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(argv);
		return -errno;
	}
	if (!pid) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(r->outfd >= 0 ? r->outfd : null, 1);
		dup2(null, 2);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	setpgid(pid, pid);
	free(argv);
	r->pid = pid;
	r->deadline = chaos_now() + timeout;
	return 0;
}

static void collect(struct chaos_run *r, int status)
{
	r->status = status;
	r->pid = 0;
	if (r->outfd >= 0) {
		off_t len = lseek(r->outfd, 0, SEEK_END);
		r->out = malloc(len > 0 ? (size_t)len + 1 : 1);
		if (r->out) {
			ssize_t got = len > 0 ? pread(r->outfd, r->out, (size_t)len, 0) : 0;
			r->outlen = got > 0 ? (size_t)got : 0;
			r->out[r->outlen] = 0;
		}
		close(r->outfd);
		r->outfd = -1;
	}
}

static void check_deadline(struct chaos_run *r, double now)
{
	if (r->pid > 0 && !r->timed_out && now >= r->deadline) {
		r->timed_out = true;
		kill(-r->pid, SIGKILL);
	}
}

void chaos_run_wait(struct chaos_run *r)
{
	int st;
	for (;;) {
		pid_t p = waitpid(r->pid, &st, WNOHANG);
		if (p == r->pid) {
			collect(r, st);
			return;
		}
		if (p < 0 && errno != EINTR) {
			collect(r, 0x7f00);
			return;
		}
		check_deadline(r, chaos_now());
		usleep(10000);
	}
}

void chaos_run_free(struct chaos_run *r)
{
	free(r->out);
	r->out = NULL;
	if (r->outfd >= 0)
		close(r->outfd);
	r->outfd = -1;
}

static void line_at(const char *s, int line, char *buf, size_t len)
{
	for (int i = 1; i < line && s; i++)
		if ((s = strchr(s, '\n')))
			s++;
	if (!s || !*s) {
		snprintf(buf, len, "(end of output)");
		return;
	}
	size_t n = strcspn(s, "\n");
	snprintf(buf, len, "'%.*s'", (int)(n > 200 ? 200 : n), s);
}

bool chaos_run_failed(const struct chaos_run *r, const char *expect, char *why, size_t whylen)
{
	int st = r->status;
	if (r->timed_out) {
		snprintf(why, whylen, "timed out");
		return true;
	}
	if (WIFSIGNALED(st)) {
		const char *name = sigabbrev_np(WTERMSIG(st));
		if (name)
			snprintf(why, whylen, "killed by SIG%s", name);
		else
			snprintf(why, whylen, "killed by signal %d", WTERMSIG(st));
		return true;
	}
	int code = WEXITSTATUS(st);
	/* cloneemu exits 128+N when signal N killed the guest. */
	const char *name = code > 128 && code <= 128 + 64 ? sigabbrev_np(code - 128) : NULL;
	if (name) {
		snprintf(why, whylen, "killed by SIG%s", name);
		return true;
	}
	if (code) {
		snprintf(why, whylen, "exit %d%s", code, code == 125 ? " (deadlock)" : "");
		return true;
	}
	if (expect && (!r->out || strcmp(r->out, expect))) {
		const char *a = r->out ? r->out : "", *b = expect;
		int line = 1;
		for (; *a && *a == *b; a++, b++)
			if (*a == '\n')
				line++;
		char got[256], want[256];
		line_at(r->out ? r->out : "", line, got, sizeof(got));
		line_at(expect, line, want, sizeof(want));
		snprintf(why, whylen, "exit 0, output differs at line %d: %s, expected %s", line, got,
			 want);
		return true;
	}
	snprintf(why, whylen, "exit 0");
	return false;
}

void chaos_print_replay(FILE *out, const struct chaos_run *r, const char *opts, char *const *prog)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	fprintf(out, "%s %s --seed %llu --", n > 0 ? self : "cloneemu", chaos_flag(opts),
		(unsigned long long)r->seed);
	for (int i = 0; prog[i]; i++)
		fprintf(out, " %s", prog[i]);
	fputc('\n', out);
}

static int parse_num(const char *s, unsigned long long *v, unsigned long long min)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *end || !*s || errno || *v < min ? -1 : 0;
}

int explore_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"runs", required_argument, NULL, 'n'},
		{"jobs", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"seed-base", required_argument, NULL, 'b'},
		{"expect-output", required_argument, NULL, 'o'},
		{"chaos", optional_argument, NULL, 'c'},
		{"stop-after", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long runs = 100, jobs = 0, timeout = 60, base = 1, stop_after = 0;
	const char *expect_path = NULL, *chaos_opts = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+hn:j:", opts, NULL)) != -1) {
		unsigned long long v;
		switch (c) {
		case 'n':
		case 'j':
		case 't':
		case 'b':
			if (parse_num(optarg, &v, c == 'b' ? 0 : 1)) {
				fprintf(stderr, "cloneemu explore: --%s wants a number%s\n",
					c == 'n' ? "runs" : c == 'j' ? "jobs" : c == 't' ? "timeout" : "seed-base",
					c == 'b' ? "" : " > 0");
				return 2;
			}
			*(c == 'n' ? &runs : c == 'j' ? &jobs : c == 't' ? &timeout : &base) = v;
			break;
		case 'o':
			expect_path = optarg;
			break;
		case 'c':
			chaos_opts = optarg;
			break;
		case 'f':
			if (parse_num(optarg, &stop_after, 1)) {
				fprintf(stderr, "cloneemu explore: --stop-after wants a number > 0\n");
				return 2;
			}
			break;
		case 'h':
			printf("usage: cloneemu explore [--runs N] [--jobs J] [--timeout S] [--seed-base B]\n"
			       "                        [--expect-output FILE] [--chaos=OPTS] [--stop-after F]\n"
			       "                        [--] PROGRAM [ARGS]\n"
			       "Run PROGRAM under --chaos with seeds B..B+N-1 (default 1..100), J at a time\n"
			       "(default: the CPUs), each for at most S seconds (default 60). A run fails\n"
			       "when it exits nonzero, is killed, times out, or (with --expect-output)\n"
			       "prints something else. With --stop-after F no run starts once F have\n"
			       "failed (the seeds reported are still the lowest failing ones).\n"
			       "Exit status 1 when a run failed.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cloneemu explore: no program given\n");
		return 2;
	}
	char *const *prog = argv + optind;
	char *expect = NULL;
	if (expect_path && !(expect = chaos_read_file(expect_path, NULL))) {
		fprintf(stderr, "cloneemu explore: cannot read %s: %s\n", expect_path, strerror(errno));
		return 2;
	}
	if (!jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned long long)n : 1;
	}
	if (runs > 10000000ull) {
		fprintf(stderr, "cloneemu explore: --runs: at most 10000000\n");
		return 2;
	}
	/* PCT draws its change points over the run's length: measure it once
	 * (unless steps=K is given), so every seed's points fall inside. */
	char *calibrated = NULL;
	if (!chaos_opts || !strstr(chaos_opts, "steps=")) {
		char dir[] = "/tmp/cloneemu-explore.XXXXXX", logf[64];
		uint64_t steps = 0;
		if (mkdtemp(dir)) {
			snprintf(logf, sizeof(logf), "%s/calibrate.log", dir);
			char *o = NULL;
			if (asprintf(&o, "%s%slog=%s", chaos_opts ? chaos_opts : "",
				     chaos_opts && *chaos_opts ? "," : "", logf) > 0) {
				struct chaos_run cal = {.seed = base};
				if (!chaos_run_start(&cal, o, prog, false, (double)timeout)) {
					chaos_run_wait(&cal);
					chaos_run_free(&cal);
				}
				free(o);
			}
			char *text = chaos_read_file(logf, NULL);
			const char *end = text ? strstr(text, "\nend steps ") : NULL;
			if (end)
				steps = strtoull(end + 11, NULL, 10);
			free(text);
			unlink(logf);
			rmdir(dir);
		}
		if (steps &&
		    asprintf(&calibrated, "%s%ssteps=%llu", chaos_opts ? chaos_opts : "",
			     chaos_opts && *chaos_opts ? "," : "", (unsigned long long)steps) > 0) {
			chaos_opts = calibrated;
			printf("explore: a calibration run took %llu steps: --chaos=%s\n",
			       (unsigned long long)steps, chaos_opts);
		}
	}
	struct chaos_run *r = calloc(runs, sizeof(*r));
	if (!r) {
		fprintf(stderr, "cloneemu explore: out of memory\n");
		return 2;
	}
	unsigned long long started = 0, done = 0, running = 0, failed = 0;
	int status = 0;
	unsigned long long failed_so_far = 0;
	while (done < runs) {
		while (running < jobs && started < runs && (!stop_after || failed_so_far < stop_after)) {
			struct chaos_run *x = &r[started];
			x->seed = base + started;
			int e = chaos_run_start(x, chaos_opts, prog, expect != NULL, (double)timeout);
			if (e) {
				fprintf(stderr, "cloneemu explore: cannot start a run: %s\n", strerror(-e));
				status = 2;
				runs = started; /* wait for the ones running */
				break;
			}
			started++;
			running++;
		}
		if (!running)
			break;
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p > 0) {
			for (unsigned long long i = 0; i < started; i++)
				if (r[i].pid == p) {
					char why[1024];
					collect(&r[i], st);
					failed_so_far += chaos_run_failed(&r[i], expect, why, sizeof(why));
					running--;
					done++;
					break;
				}
			continue;
		}
		double now = chaos_now();
		for (unsigned long long i = 0; i < started; i++)
			check_deadline(&r[i], now);
		usleep(5000);
	}
	/* In seed order, whatever order the runs ended in. */
	for (unsigned long long i = 0; i < started; i++) {
		char why[1024];
		if (chaos_run_failed(&r[i], expect, why, sizeof(why))) {
			failed++;
			printf("seed %llu: %s\n  replay: ", (unsigned long long)r[i].seed, why);
			chaos_print_replay(stdout, &r[i], chaos_opts, prog);
		}
		chaos_run_free(&r[i]);
	}
	printf("explore: %llu runs, %llu failed\n", started, failed);
	free(r);
	free(expect);
	free(calibrated);
	return status ? status : failed ? 1 : 0;
}
