/* Syscall trace lines in strace's shape: "[pid N] name(args) = ret", errors
 * as "-1 ENAME (message)", a sleeping call as "<unfinished ...>" and its
 * completion as "<... name resumed>". Arguments are printed raw (decimal
 * when small, else hex); symbolic decoding is issue #7. */
#include "syscalls/trace.h"

#include <errno.h>
#include <string.h>

#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "syscalls/dispatch.h"

FILE *trace_file;

static void print_arg(uint64_t v)
{
	if ((int64_t)v >= -4096 && (int64_t)v < 65536)
		fprintf(trace_file, "%lld", (long long)(int64_t)v);
	else
		fprintf(trace_file, "%#llx", (unsigned long long)v);
}

static void print_ret(long ret)
{
	if (ret < 0 && ret >= -4095) {
		const char *name = strerrorname_np((int)-ret);
		fprintf(trace_file, " = -1 %s (%s)\n", name ? name : "?", strerror((int)-ret));
	} else if (ret >= 0 && ret < 65536) {
		fprintf(trace_file, " = %ld\n", ret);
	} else {
		fprintf(trace_file, " = %#lx\n", (unsigned long)ret);
	}
}

void trace_syscall(struct task *t, long nr, const uint64_t *a, long ret)
{
	const char *name = syscall_name(nr);
	char unknown[32];
	if (!name) {
		snprintf(unknown, sizeof(unknown), "syscall_%ld", nr);
		name = unknown;
	}
	fprintf(trace_file, "[pid %d] ", t->tid);
	if (t->trace_resumed) {
		fprintf(trace_file, "<... %s resumed>)", name);
	} else {
		int n = nr >= 0 && nr < NR_SYSCALLS && syscall_table[nr].fn ? syscall_table[nr].nargs : 6;
		fprintf(trace_file, "%s(", name);
		for (int i = 0; i < n; i++) {
			if (i)
				fputs(", ", trace_file);
			print_arg(a[i]);
		}
		fputc(')', trace_file);
	}
	if (ret == -EKBLOCK) {
		fputs(" <unfinished ...>\n", trace_file);
		t->trace_resumed = true;
		return;
	}
	t->trace_resumed = false;
	if (!task_is_alive(t))
		fputs(" = ?\n", trace_file); /* exit, exit_group, a fatal execve */
	else
		print_ret(ret);
}
