/* cloneemu explore and cloneemu diagnose: subcommands that run cloneemu
 * itself (/proc/self/exe) under --chaos, one process per seed. */
#ifndef EMU_EXPLORE_H
#define EMU_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

/* argv[0] is the subcommand's name. Exit status: 0 all runs passed, 1 a
 * run failed, 2 usage. */
int explore_main(int argc, char **argv);
int diagnose_main(int argc, char **argv);

/* One chaos run of cloneemu. */
struct chaos_run {
	uint64_t seed;
	pid_t pid;
	int outfd;       /* its stdout (a memfd), or -1 */
	int status;      /* wait status */
	bool timed_out;
	double deadline; /* monotonic seconds */
	char *out;       /* its stdout, NUL-terminated (with capture) */
	size_t outlen;
};

/* Start cloneemu --chaos[=@opts] --seed @r->seed -- @prog... with
 * stdin and stderr on /dev/null, stdout captured (@capture) or discarded. */
int chaos_run_start(struct chaos_run *r, const char *opts, char *const *prog, bool capture,
		    double timeout);
/* Reap @r (blocking), killing it at its deadline. */
void chaos_run_wait(struct chaos_run *r);
/* Failed: a nonzero exit, a signal, a timeout, or (with @expect) output
 * other than @expect; @why gets one line saying so. */
bool chaos_run_failed(const struct chaos_run *r, const char *expect, char *why, size_t whylen);
void chaos_run_free(struct chaos_run *r);
/* The command line that replays it. */
void chaos_print_replay(FILE *out, const struct chaos_run *r, const char *opts, char *const *prog);
/* A file's contents, NUL-terminated (NULL on error). */
char *chaos_read_file(const char *path, size_t *len);
double chaos_now(void);

#endif
