/* /proc/<pid>/status lines from fs/proc/array.c and task_mmu.c (proc_array.h). */
#include "kernelmodel/proc_array.h"

#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

#define KB(bytes) ((unsigned long)((bytes) >> 10))

void proc_task_mem(FILE *out, const struct task *t)
{
	fprintf(out, "Kthread:\t0\n");
	const struct mm *mm = t->mm;
	if (!mm)
		return; /* a zombie: no memory lines, as Linux */
	uint64_t total = 0, data = 0, stack = 0, exe = 0, lib = 0, locked = 0;
	for (size_t i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		uint64_t len = v->end - v->start;
		total += len;
		if (v->flags & VMA_LOCKED)
			locked += len;
		if (v->flags & VMA_GROWSDOWN)
			stack += len; /* is_stack_mapping() */
		else if (mm_is_data(v->prot, v->flags))
			data += len;
		if ((v->prot & PROT_EXEC) && !(v->flags & VMA_ANON)) {
			if (v->dev == mm->exe_dev && v->ino == mm->exe_ino)
				exe += len;
			else
				lib += len;
		}
	}
	uint64_t rss = mm_resident_pages(mm) * 4096;
	fprintf(out,
		"VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n"
		"VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu kB\n"
		"RssShmem:\t%8lu kB\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
		"VmLib:\t%8lu kB\nVmPTE:\t%8lu kB\nVmSwap:\t%8lu kB\nHugetlbPages:\t%8lu kB\n",
		KB(total), KB(total), KB(locked), 0ul, KB(rss), KB(rss), KB(rss), 0ul, 0ul, KB(data),
		KB(stack), KB(exe), KB(lib), KB(total >> 9), 0ul, 0ul);
	fprintf(out, "CoreDumping:\t0\nTHP_enabled:\t%d\nuntag_mask:\t0x%llx\n",
		!(mm->thp_disable & 1), ~0ull);
}

void proc_task_sigq(FILE *out, const struct task *t)
{
	int queued = t->sig_rtq.n + __builtin_popcountll(t->sig_pending);
	if (t->signal)
		queued += t->signal->shared_rtq.n + __builtin_popcountll(t->signal->shared_pending);
	unsigned long limit = t->signal ? (unsigned long)t->signal->rlim[RLIMIT_SIGPENDING].rlim_cur
					: 0;
	fprintf(out, "SigQ:\t%d/%lu\n", queued, limit);
}

/* A line of cloneemu's own status (the host's view of what the guests
 * inherit from the machine), without its key; "" when absent. */
static void host_status_value(const char *key, char *val, size_t len)
{
	char line[512];
	size_t klen = strlen(key);
	val[0] = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *v = line + klen + 1;
			while (*v == '\t' || *v == ' ')
				v++;
			snprintf(val, len, "%s", v);
			break;
		}
	fclose(f);
}

void proc_task_tail(FILE *out, const struct task *t)
{
	char ssb[128], ib[128], mems[1024], mems_list[128];
	host_status_value("Speculation_Store_Bypass", ssb, sizeof(ssb));
	host_status_value("SpeculationIndirectBranch", ib, sizeof(ib));
	host_status_value("Mems_allowed", mems, sizeof(mems));
	host_status_value("Mems_allowed_list", mems_list, sizeof(mems_list));
	fprintf(out, "Seccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\t%s"
		     "SpeculationIndirectBranch:\t%s",
		ssb[0] ? ssb : "unknown\n", ib[0] ? ib : "unknown\n");
	/* Cpus_allowed: the mask in 32-bit groups, highest first, as
	 * bitmap_print; Cpus_allowed_list as ranges. */
	const uint8_t *m = t->sched.cpus_mask;
	int last = -1;
	for (int c = 0; c < SCHED_CPUMASK_BYTES * 8; c++)
		if (m[c / 8] & (1u << (c % 8)))
			last = c;
	fprintf(out, "Cpus_allowed:\t");
	int groups = last < 0 ? 1 : last / 32 + 1;
	for (int g = groups - 1; g >= 0; g--) {
		uint32_t w = 0;
		for (int b = 0; b < 32; b++) {
			int c = g * 32 + b;
			if (c < SCHED_CPUMASK_BYTES * 8 && (m[c / 8] & (1u << (c % 8))))
				w |= 1u << b;
		}
		fprintf(out, g == groups - 1 ? "%x" : ",%08x", w);
	}
	fprintf(out, "\nCpus_allowed_list:\t");
	bool first = true;
	for (int c = 0; c <= last; c++) {
		if (!(m[c / 8] & (1u << (c % 8))))
			continue;
		int e = c;
		while (e + 1 <= last && (m[(e + 1) / 8] & (1u << ((e + 1) % 8))))
			e++;
		fprintf(out, e > c ? "%s%d-%d" : "%s%d", first ? "" : ",", c, e);
		first = false;
		c = e;
	}
	fprintf(out, "\nMems_allowed:\t%sMems_allowed_list:\t%s", mems[0] ? mems : "1\n",
		mems_list[0] ? mems_list : "0\n");
	fprintf(out, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

void proc_pid_limits(FILE *out, const struct task *t)
{
	static const struct {
		const char *name, *unit;
	} lnames[] = {
		{"Max cpu time", "seconds"},	   {"Max file size", "bytes"},
		{"Max data size", "bytes"},	   {"Max stack size", "bytes"},
		{"Max core file size", "bytes"},   {"Max resident set", "bytes"},
		{"Max processes", "processes"},	   {"Max open files", "files"},
		{"Max locked memory", "bytes"},	   {"Max address space", "bytes"},
		{"Max file locks", "locks"},	   {"Max pending signals", "signals"},
		{"Max msgqueue size", "bytes"},	   {"Max nice priority", NULL},
		{"Max realtime priority", NULL},   {"Max realtime timeout", "us"},
	};
	fprintf(out, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS_MODEL && i < 16; i++) {
		const struct rlimit *r = &t->signal->rlim[i];
		if (r->rlim_cur == RLIM_INFINITY)
			fprintf(out, "%-25s %-20s ", lnames[i].name, "unlimited");
		else
			fprintf(out, "%-25s %-20lu ", lnames[i].name, (unsigned long)r->rlim_cur);
		if (r->rlim_max == RLIM_INFINITY)
			fprintf(out, "%-20s ", "unlimited");
		else
			fprintf(out, "%-20lu ", (unsigned long)r->rlim_max);
		if (lnames[i].unit)
			fprintf(out, "%-10s\n", lnames[i].unit);
		else
			fputc('\n', out);
	}
}

/* /proc/<pid>/oom_score_adj (fs/proc/base.c): an open file on the
 * process (its thread-group leader, a task reference). */
struct oom_file {
	struct task *task;
	uint64_t pos;
};

static long oom_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct oom_file *o = f->priv;
	char text[16];
	size_t n = (size_t)snprintf(text, sizeof(text), "%d\n",
				    o->task->signal ? o->task->signal->oom_score_adj : 0);
	return simple_read_from_buffer(t, buf, count, &o->pos, text, n);
}

/* oom_score_adj_write + __set_oom_adj: an integer in -1000..1000 (EINVAL),
 * below the process's floor only with CAP_SYS_RESOURCE (EACCES), which
 * also moves the floor. */
static long oom_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct oom_file *o = f->priv;
	char text[24];
	if (copy_from_guest_nul(t, text, sizeof(text), buf, count))
		return -EFAULT;
	char *s = text, *end;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	long v = strtol(s, &end, 10);
	while (*end == ' ' || (*end >= '\t' && *end <= '\r'))
		end++;
	if (end == s || *end || v < -1000 || v > 1000)
		return -EINVAL;
	struct signal_struct *sig = o->task->signal;
	if (!sig)
		return -ESRCH;
	bool cap = capable(t, CAP_SYS_RESOURCE);
	if (v < sig->oom_score_adj_min && !cap)
		return -EACCES;
	sig->oom_score_adj = (short)v;
	if (cap)
		sig->oom_score_adj_min = (short)v;
	return (long)count;
}

static short oom_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static uint64_t oom_gen(struct file *f)
{
	(void)f;
	return 0;
}

static void oom_release(struct file *f)
{
	struct oom_file *o = f->priv;
	task_put(o->task);
	free(o);
}

static const struct anon_file_ops oom_fops = {
	"oom_score_adj", oom_read, oom_write, oom_poll, oom_gen, NULL, NULL, oom_release,
};

int proc_oom_score_adj_open(struct task *t, struct task *target, int flags, struct file **out)
{
	/* 0644, owned by the process's euid while it is dumpable, else root. */
	if ((flags & O_ACCMODE) != O_RDONLY) {
		uint32_t owner = target->mm && target->mm->dumpable == 1 ? target->cred->euid : 0;
		if (t->cred->fsuid != owner && !capable(t, CAP_DAC_OVERRIDE))
			return -EACCES;
	}
	struct oom_file *o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->task = task_get(target);
	struct file *f = anon_inode_getfile(&oom_fops, o, 0);
	if (!f) {
		task_put(o->task);
		free(o);
		return -ENOMEM;
	}
	f->flags = flags & (O_ACCMODE | O_NONBLOCK);
	*out = f;
	return 0;
}
