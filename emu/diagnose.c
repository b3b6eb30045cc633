/* cloneemu diagnose: from a failing --chaos seed to the racing accesses.
 *
 * The failing run is repeated with a log of the change points it took
 * (PCT's priority drops, each a preemption). Delta debugging over that
 * schedule: each change point is left out in turn (skip=N: the schedule
 * stays the same up to it), and the first one whose absence makes the run
 * pass is the preemption that exposes the race. When it fell on a memory
 * access, both runs are repeated watching that address: the access the
 * preempted task made and the first conflicting access another task made
 * before it ran again are the racing pair, named with file:line and
 * function from the guest's DWARF (addr2line) and shown in both orders. */
#include "emu/explore.h"

#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct chaos_event {
	bool change;
	unsigned n;
	uint64_t step;
	int tid;
	char kind[16];
	uint64_t rip, addr, va, base; /* addr: physical (what watch= takes) */
	int size;
	char rw;
	char file[PATH_MAX];
};

struct chaos_log {
	struct chaos_event *v;
	size_t n;
};

static void log_parse(const char *path, struct chaos_log *log)
{
	log->v = NULL;
	log->n = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[PATH_MAX + 256];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		struct chaos_event e = {0};
		int pos = 0;
		char rw[4];
		if (sscanf(line, "change %u step %" SCNu64 " %n", &e.n, &e.step, &pos) == 2 && pos)
			e.change = true;
		else if (sscanf(line, "access step %" SCNu64 " %n", &e.step, &pos) != 1 || !pos)
			continue;
		int p2 = 0;
		if (sscanf(line + pos,
			   "tid %d kind %15s rip 0x%" SCNx64 " addr 0x%" SCNx64 " va 0x%" SCNx64
			   " size %d %3s %n",
			   &e.tid, e.kind, &e.rip, &e.addr, &e.va, &e.size, rw, &p2) < 7)
			continue;
		e.rw = rw[0];
		if (p2 && sscanf(line + pos + p2, "base 0x%" SCNx64 " file %4095[^\n]", &e.base, e.file) != 2)
			e.file[0] = 0;
		if (log->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct chaos_event *v = realloc(log->v, cap * sizeof(*v));
			if (!v)
				break;
			log->v = v;
		}
		log->v[log->n++] = e;
	}
	fclose(f);
}

/* The address addr2line takes for @rip in @file loaded at @base: @rip
 * itself for ET_EXEC, else moved by the load bias (the lowest PT_LOAD's
 * page was mapped at @base). */
static bool elf_link_address(const char *file, uint64_t base, uint64_t rip, uint64_t *vaddr)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return false;
	Elf64_Ehdr eh;
	bool ok = false;
	if (fread(&eh, sizeof(eh), 1, f) == 1 && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		if (eh.e_type == ET_EXEC) {
			*vaddr = rip;
			ok = true;
		}
		for (int i = 0; i < eh.e_phnum && !ok; i++) {
			Elf64_Phdr ph;
			if (fseek(f, (long)(eh.e_phoff + (uint64_t)i * sizeof(ph)), SEEK_SET) ||
			    fread(&ph, sizeof(ph), 1, f) != 1)
				break;
			if (ph.p_type == PT_LOAD) { /* the first is the lowest */
				*vaddr = rip - base + (ph.p_vaddr & ~0xfffull);
				ok = true;
			}
		}
	}
	fclose(f);
	return ok;
}

/* "function at file.c:line" (addr2line, from DWARF), or what is known. */
static void symbolize(const struct chaos_event *e, char *buf, size_t len)
{
	uint64_t va;
	snprintf(buf, len, "0x%" PRIx64, e->rip);
	if (!e->file[0] || !elf_link_address(e->file, e->base, e->rip, &va))
		return;
	int fd[2];
	if (pipe(fd))
		return;
	char addr[32];
	snprintf(addr, sizeof(addr), "0x%" PRIx64, va);
	fflush(NULL);
	pid_t pid = fork();
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("addr2line", "addr2line", "-f", "-e", e->file, addr, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char out[2048] = "";
	size_t n = 0;
	ssize_t got;
	while (pid > 0 && n < sizeof(out) - 1 && (got = read(fd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = 0;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	char *nl = strchr(out, '\n');
	if (!nl)
		return;
	*nl = 0;
	char *where = nl + 1;
	where[strcspn(where, " \n")] = 0;
	const char *base = strrchr(where, '/');
	base = base ? base + 1 : where;
	if (!strncmp(base, "??", 2))
		snprintf(buf, len, "0x%" PRIx64 " in %s", e->rip, out);
	else
		snprintf(buf, len, "%s at %s", out, base);
}

static bool run_one(uint64_t seed, const char *opts, char *const *prog, const char *expect,
		    double timeout, char *why, size_t whylen)
{
	struct chaos_run r = {.seed = seed};
	int e = chaos_run_start(&r, opts, prog, expect != NULL, timeout);
	if (e) {
		snprintf(why, whylen, "cannot start: %s", strerror(-e));
		return true;
	}
	chaos_run_wait(&r);
	bool failed = chaos_run_failed(&r, expect, why, whylen);
	chaos_run_free(&r);
	return failed;
}

static void print_access(const struct chaos_event *e, const char *note)
{
	char where[1024];
	symbolize(e, where, sizeof(where));
	printf("  task %d %s %s%s\n", e->tid, e->rw == 'w' ? "wrote" : "read ", where, note);
}

static void print_order(const struct chaos_log *log, uint64_t addr, unsigned culprit)
{
	int shown = 0;
	for (size_t i = 0; i < log->n && shown < 24; i++) {
		const struct chaos_event *e = &log->v[i];
		if (e->change && e->n == culprit && strcmp(e->kind, "mem")) {
			printf("  task %d: change point %u (%s)\n", e->tid, e->n, e->kind);
			continue;
		}
		if (strcmp(e->kind, "mem") || (e->addr & ~7ull) != (addr & ~7ull))
			continue;
		/* A change point on an access is logged twice when watched. */
		if (i + 1 < log->n && log->v[i + 1].step == e->step && log->v[i + 1].rip == e->rip &&
		    log->v[i + 1].addr == e->addr && log->v[i + 1].tid == e->tid && !e->change &&
		    log->v[i + 1].change)
			continue;
		print_access(e, e->change && e->n == culprit ? "   <- preempted here" : "");
		shown++;
	}
}

static char *with(const char *opts, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *with(const char *opts, const char *fmt, ...)
{
	char extra[PATH_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	char *s = NULL;
	if (asprintf(&s, "%s%s%s", opts && *opts ? opts : "", opts && *opts ? "," : "", extra) < 0)
		return NULL;
	return s;
}

static bool is_access(const struct chaos_event *e, uint64_t addr)
{
	return !strcmp(e->kind, "mem") && (e->addr & ~7ull) == (addr & ~7ull);
}

/* The same access (task, instruction, how many times before) in @other:
 * its index, or -1. */
static long counterpart(const struct chaos_log *log, size_t i, const struct chaos_log *other)
{
	const struct chaos_event *e = &log->v[i];
	int nth = 0;
	for (size_t k = 0; k < i; k++)
		nth += log->v[k].tid == e->tid && log->v[k].rip == e->rip && is_access(&log->v[k], e->addr);
	for (size_t k = 0; k < other->n; k++) {
		const struct chaos_event *o = &other->v[k];
		if (o->tid == e->tid && o->rip == e->rip && is_access(o, e->addr) && !nth--)
			return (long)k;
	}
	return -1;
}

int diagnose_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"chaos", optional_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'},
		{"expect-output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long seed = 0, timeout = 60;
	bool have_seed = false;
	const char *chaos_opts = NULL, *expect_path = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
		case 't':
			errno = 0;
			*(c == 's' ? &seed : &timeout) = strtoull(optarg, &end, 0);
			if (*end || !*optarg || errno || (c == 't' && !timeout)) {
				fprintf(stderr, "cloneemu diagnose: --%s wants a number\n",
					c == 's' ? "seed" : "timeout");
				return 2;
			}
			have_seed |= c == 's';
			break;
		case 'c':
			chaos_opts = optarg;
			break;
		case 'o':
			expect_path = optarg;
			break;
		case 'h':
			printf("usage: cloneemu diagnose --seed S [--chaos=OPTS] [--timeout S]\n"
			       "                         [--expect-output FILE] [--] PROGRAM [ARGS]\n"
			       "Find the preemption of the failing chaos schedule S that makes it fail,\n"
			       "and the racing accesses around it, in both orders.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!have_seed || optind >= argc) {
		fprintf(stderr, "cloneemu diagnose: usage: cloneemu diagnose --seed S [--chaos=OPTS] "
				"[--] PROGRAM [ARGS]\n");
		return 2;
	}
	char *const *prog = argv + optind;
	char *expect = NULL;
	if (expect_path && !(expect = chaos_read_file(expect_path, NULL))) {
		fprintf(stderr, "cloneemu diagnose: cannot read %s: %s\n", expect_path, strerror(errno));
		return 2;
	}
	char dir[] = "/tmp/cloneemu-diagnose.XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(stderr, "cloneemu diagnose: cannot make a directory in /tmp: %s\n",
			strerror(errno));
		return 2;
	}
	char logf[PATH_MAX], logp[PATH_MAX];
	snprintf(logf, sizeof(logf), "%s/fail.log", dir);
	snprintf(logp, sizeof(logp), "%s/pass.log", dir);
	int status = 1;
	char fail_why[1024], pass_why[1024];
	struct chaos_log log = {0}, lf = {0}, lp = {0};
	char *o = with(chaos_opts, "log=%s", logf);
	bool failed = o && run_one(seed, o, prog, expect, (double)timeout, fail_why, sizeof(fail_why));
	free(o);
	if (!failed) {
		printf("diagnose: seed %llu passes: %s; nothing to diagnose\n", seed, fail_why);
		goto out;
	}
	printf("diagnose: seed %llu fails: %s\n", seed, fail_why);
	log_parse(logf, &log);
	unsigned taken[64], ntaken = 0;
	for (size_t i = 0; i < log.n && ntaken < 64; i++)
		if (log.v[i].change && (!ntaken || taken[ntaken - 1] != log.v[i].n))
			taken[ntaken++] = log.v[i].n;
	printf("diagnose: the schedule took %u change point%s\n", ntaken, ntaken == 1 ? "" : "s");
	/* Leave out each change point in turn (the last first); of those
	 * whose absence makes the run pass, the first that fell on a memory
	 * access another task then conflicted with is the racing one. */
	unsigned culprit = 0, first_passing = 0;
	const struct chaos_event *cp = NULL, *first = NULL, *second = NULL;
	char where[1024];
	for (unsigned i = ntaken; i-- > 0 && !second;) {
		o = with(chaos_opts, "skip=%u", taken[i]);
		bool f = !o || run_one(seed, o, prog, expect, (double)timeout, pass_why, sizeof(pass_why));
		free(o);
		printf("diagnose: without change point %u: %s\n", taken[i], pass_why);
		if (f)
			continue;
		if (!first_passing)
			first_passing = taken[i];
		culprit = taken[i];
		cp = NULL;
		for (size_t k = 0; k < log.n && !cp; k++)
			if (log.v[k].change && log.v[k].n == culprit)
				cp = &log.v[k];
		if (!cp)
			continue;
		if (strcmp(cp->kind, "mem")) {
			/* Preempted between two instructions: log what every task
			 * does to shared memory from there until the preempted
			 * one has run on a little. */
			free(lf.v);
			lf.v = NULL;
			lf.n = 0;
			o = with(chaos_opts, "log=%s,tracemem=%u", logf, culprit);
			if (o)
				run_one(seed, o, prog, expect, (double)timeout, fail_why, sizeof(fail_why));
			free(o);
			log_parse(logf, &lf);
			size_t start = 0;
			while (start < lf.n && !(lf.v[start].change && lf.v[start].n == culprit))
				start++;
			int t = cp->tid;
			bool resumed = false;
			first = second = NULL;
			for (size_t b = start + 1; b < lf.n && !second; b++) {
				const struct chaos_event *y = &lf.v[b];
				if (y->change || strcmp(y->kind, "mem"))
					continue;
				if (y->tid != t) {
					if (resumed)
						break;
					continue;
				}
				resumed = true;
				for (size_t a = start + 1; a < b && !second; a++) {
					const struct chaos_event *x = &lf.v[a];
					if (x->tid != t && !x->change && is_access(x, y->addr) &&
					    (x->rw == 'w' || y->rw == 'w')) {
						first = x;
						second = y;
					}
				}
			}
			continue;
		}
		/* Both schedules again, watching that address. */
		free(lf.v);
		free(lp.v);
		o = with(chaos_opts, "log=%s,watch=0x%" PRIx64, logf, cp->addr);
		if (o)
			run_one(seed, o, prog, expect, (double)timeout, fail_why, sizeof(fail_why));
		free(o);
		o = with(chaos_opts, "skip=%u,log=%s,watch=0x%" PRIx64, culprit, logp, cp->addr);
		if (o)
			run_one(seed, o, prog, expect, (double)timeout, pass_why, sizeof(pass_why));
		free(o);
		log_parse(logf, &lf);
		log_parse(logp, &lp);
		/* The racing pair: the first two conflicting accesses (two
		 * tasks, one address, a write among them) whose order the
		 * change point flipped: b after a when it fails, before a
		 * when it passes. */
		first = second = NULL;
		for (size_t b = 0; b < lf.n && !second; b++) {
			if (!is_access(&lf.v[b], cp->addr))
				continue;
			for (size_t a = b; a-- > 0 && !second;) {
				const struct chaos_event *x = &lf.v[a], *y = &lf.v[b];
				if (!is_access(x, cp->addr) || x->tid == y->tid ||
				    (x->rw != 'w' && y->rw != 'w'))
					continue;
				long px = counterpart(&lf, a, &lp), py = counterpart(&lf, b, &lp);
				if (px >= 0 && py >= 0 && py < px) {
					first = x;
					second = y;
				}
			}
		}
	}
	if (!first_passing) {
		printf("diagnose: leaving out any one change point does not make it pass: the failure "
		       "does not hinge on one preemption\n");
		goto out;
	}
	if (!second) {
		culprit = first_passing;
		cp = NULL;
		for (size_t k = 0; k < log.n && !(cp && cp->n == culprit); k++)
			if (log.v[k].change && log.v[k].n == culprit)
				cp = &log.v[k];
		symbolize(cp, where, sizeof(where));
		printf("diagnose: change point %u preempted task %d at %s (%s), and without it the run "
		       "passes, but no other task made a conflicting access to the same place before "
		       "it ran again: the race is elsewhere\n",
		       culprit, cp->tid, where, cp->kind);
		goto out;
	}
	symbolize(cp, where, sizeof(where));
	if (strcmp(cp->kind, "mem")) {
		char w1[1024], w2[1024];
		symbolize(first, w1, sizeof(w1));
		symbolize(second, w2, sizeof(w2));
		printf("diagnose: change point %u preempted task %d before %s\n", culprit, cp->tid,
		       where);
		printf("racing pair on 0x%" PRIx64 " (failing: in this order; passing: the other way):\n",
		       second->va ? second->va : first->va);
		print_access(first, "");
		print_access(second, "");
		printf("failing order (%s): task %d %s %s, then task %d %s %s\n", fail_why, first->tid,
		       first->rw == 'w' ? "wrote" : "read", w1, second->tid,
		       second->rw == 'w' ? "wrote" : "read", w2);
		printf("passing order (without change point %u: %s): task %d %s %s before task %d %s "
		       "%s\n", culprit, pass_why, second->tid, second->rw == 'w' ? "wrote" : "read", w2,
		       first->tid, first->rw == 'w' ? "wrote" : "read", w1);
		status = 0;
		printf("replay the failing schedule: ");
		struct chaos_run rr = {.seed = seed};
		chaos_print_replay(stdout, &rr, chaos_opts, prog);
		goto out;
	}
	printf("diagnose: change point %u preempted task %d after its %s of 0x%" PRIx64 " in %s\n",
	       culprit, cp->tid, cp->rw == 'w' ? "write" : "read", cp->va, where);
	printf("racing pair on 0x%" PRIx64 " (failing: in this order; passing: the other way):\n",
	       first->va ? first->va : second->va);
	print_access(first, first->change && first->n == culprit ? "   (then preempted)" : "");
	print_access(second, "");
	status = 0;
	printf("failing order (%s):\n", fail_why);
	print_order(&lf, cp->addr, culprit);
	printf("passing order (%s):\n", pass_why);
	print_order(&lp, cp->addr, 0);
	printf("replay the failing schedule: ");
	struct chaos_run r = {.seed = seed};
	chaos_print_replay(stdout, &r, chaos_opts, prog);
out:
	free(log.v);
	free(lf.v);
	free(lp.v);
	free(expect);
	unlink(logf);
	unlink(logp);
	rmdir(dir);
	return status;
}
