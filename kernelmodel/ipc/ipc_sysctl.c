/* The IPC sysctls (ipc/ipc_sysctl.c, ipc/mq_sysctl.c): /proc/sys/kernel/
 * {shmmax,shmall,shmmni,sem,msgmax,msgmnb,msgmni} and the
 * /proc/sys/fs/mqueue files, each the value of the reader's IPC namespace.
 * Opened for writing (root only, as the 0644 files allow) they are model
 * files whose writes parse like proc_dointvec_minmax and
 * proc_doulongvec_minmax and change that namespace's limit. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/ipc/msg.h"
#include "kernelmodel/ipc/namespace.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/ipc/shm.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"

enum ctl_kind { CTL_ULONG, CTL_INT, CTL_UINT, CTL_SEM };

struct ipc_ctl {
	const char *path;
	enum ctl_kind kind;
	size_t off; /* in struct ipc_namespace */
	long long min, max;
};

#define NS_OFF(f) offsetof(struct ipc_namespace, f)
static const struct ipc_ctl ctls[] = {
	{"/proc/sys/kernel/shmmax", CTL_ULONG, NS_OFF(shm_ctlmax), 0, 0},
	{"/proc/sys/kernel/shmall", CTL_ULONG, NS_OFF(shm_ctlall), 0, 0},
	{"/proc/sys/kernel/shmmni", CTL_INT, NS_OFF(shm_ctlmni), 0, 32768},
	{"/proc/sys/kernel/msgmax", CTL_UINT, NS_OFF(msg_ctlmax), 0, INT_MAX},
	{"/proc/sys/kernel/msgmnb", CTL_UINT, NS_OFF(msg_ctlmnb), 0, INT_MAX},
	{"/proc/sys/kernel/msgmni", CTL_UINT, NS_OFF(msg_ctlmni), 0, 32768},
	{"/proc/sys/kernel/sem", CTL_SEM, NS_OFF(sem_ctls), 0, 0},
	{"/proc/sys/fs/mqueue/queues_max", CTL_UINT, NS_OFF(mq_queues_max), 0, INT_MAX},
	{"/proc/sys/fs/mqueue/msg_max", CTL_UINT, NS_OFF(mq_msg_max), 1, 65536},
	{"/proc/sys/fs/mqueue/msgsize_max", CTL_UINT, NS_OFF(mq_msgsize_max), 128, 16 << 20},
	{"/proc/sys/fs/mqueue/msg_default", CTL_UINT, NS_OFF(mq_msg_default), 1, 65536},
	{"/proc/sys/fs/mqueue/msgsize_default", CTL_UINT, NS_OFF(mq_msgsize_default), 128,
	 16 << 20},
};

static int ctl_show(const struct ipc_ctl *c, const struct ipc_namespace *ns, char *buf, size_t n)
{
	const char *p = (const char *)ns + c->off;
	switch (c->kind) {
	case CTL_ULONG:
		return snprintf(buf, n, "%llu\n", (unsigned long long)*(const uint64_t *)p);
	case CTL_INT:
		return snprintf(buf, n, "%d\n", *(const int *)p);
	case CTL_UINT:
		return snprintf(buf, n, "%u\n", *(const unsigned *)p);
	default: {
		const int *s = (const int *)p;
		return snprintf(buf, n, "%d\t%d\t%d\t%d\n", s[0], s[1], s[2], s[3]);
	}
	}
}

/* Up to @max whitespace-separated decimal numbers (proc_get_long):
 * the count, or -EINVAL. */
static int parse_numbers(const char *s, long long *v, int max, bool allow_neg)
{
	int n = 0;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (n == max)
			break; /* further values are ignored, as proc_dointvec does */
		char *end;
		errno = 0;
		if (!allow_neg && *s == '-')
			return -EINVAL;
		long long x = strtoll(s, &end, 10);
		if (end == s || errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return -EINVAL;
		v[n++] = x;
		s = end;
	}
	return n;
}

static int ctl_store(const struct ipc_ctl *c, struct ipc_namespace *ns, const char *text)
{
	char *p = (char *)ns + c->off;
	long long v[4];
	int n;
	switch (c->kind) {
	case CTL_ULONG: {
		/* proc_doulongvec_minmax: unsigned, no sign allowed. */
		const char *s = text;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '-')
			return -EINVAL;
		char *end;
		errno = 0;
		unsigned long long x = strtoull(s, &end, 10);
		if (end == s || errno || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			return -EINVAL;
		*(uint64_t *)p = x;
		return 0;
	}
	case CTL_INT:
	case CTL_UINT:
		n = parse_numbers(text, v, 1, true);
		if (n < 0)
			return n;
		if (n == 0)
			return 0;
		if (v[0] < c->min || v[0] > c->max)
			return -EINVAL;
		if (c->kind == CTL_INT)
			*(int *)p = (int)v[0];
		else
			*(unsigned *)p = (unsigned)v[0];
		return 0;
	default: {
		/* proc_ipc_sem_dointvec: four ints, SEMMNI within IPCMNI. */
		n = parse_numbers(text, v, 4, true);
		if (n < 0)
			return n;
		int *s = (int *)p;
		for (int i = 0; i < n; i++)
			if (v[i] < INT_MIN || v[i] > INT_MAX)
				return -EINVAL;
		if (n == 4 && (v[3] < 0 || v[3] > 32768))
			return -EINVAL;
		for (int i = 0; i < n; i++)
			s[i] = (int)v[i];
		return 0;
	}
	}
}

/* An open sysctl file for writing: its namespace (a reference). */
struct ctl_file {
	const struct ipc_ctl *ctl;
	struct ipc_namespace *ns;
	uint64_t pos;
};

static long ctl_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct ctl_file *cf = f->priv;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	char text[96];
	int len = ctl_show(cf->ctl, cf->ns, text, sizeof(text));
	return simple_read_from_buffer(t, buf, count, &cf->pos, text, len > 0 ? (size_t)len : 0);
}

static long ctl_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct ctl_file *cf = f->priv;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	char text[256];
	/* Linux reads at most a page and parses what fits a number. */
	int r = copy_from_guest_nul(t, text, sizeof(text), buf, count);
	if (!r)
		r = ctl_store(cf->ctl, cf->ns, text);
	if (r)
		return r;
	cf->pos += count;
	return (long)count;
}

static short ctl_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM; /* DEFAULT_POLLMASK */
}

static void ctl_release(struct file *f)
{
	struct ctl_file *cf = f->priv;
	put_ipc_ns(cf->ns);
	free(cf);
}

static const struct anon_file_ops ctl_fops = {
	.name = "[sysctl]",
	.read = ctl_read,
	.write = ctl_write,
	.poll = ctl_poll,
	.release = ctl_release,
};

int ipc_proc_show(const struct task *t, const char *path, int flags, FILE *out,
		  struct file **wfile)
{
	struct ipc_namespace *ns = t->nsproxy->ipc_ns;
	bool sysvipc = !strncmp(path, "/proc/sysvipc/", 14);
	const struct ipc_ctl *ctl = NULL;
	for (size_t i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++)
		if (!strcmp(path, ctls[i].path))
			ctl = &ctls[i];
	if (!strcmp(path, "/proc/sysvipc/shm"))
		sysvipc_shm_show(t, out);
	else if (!strcmp(path, "/proc/sysvipc/sem"))
		sysvipc_sem_show(t, out);
	else if (!strcmp(path, "/proc/sysvipc/msg"))
		sysvipc_msg_show(t, out);
	else if (!ctl)
		return 0;
	if ((flags & O_ACCMODE) == O_RDONLY) {
		if (ctl) {
			char text[96];
			ctl_show(ctl, ns, text, sizeof(text));
			fputs(text, out);
		}
		return 1;
	}
	/* /proc/sysvipc is 0444; the sysctls are 0644, root's. */
	if (sysvipc || t->cred->euid != 0)
		return -EACCES;
	struct ctl_file *cf = calloc(1, sizeof(*cf));
	if (!cf)
		return -ENOMEM;
	cf->ctl = ctl;
	cf->ns = get_ipc_ns(ns);
	struct file *f = anon_inode_getfile(&ctl_fops, cf, flags & O_NONBLOCK);
	if (!f) {
		put_ipc_ns(ns);
		free(cf);
		return -ENOMEM;
	}
	f->flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
	*wfile = f;
	return 2;
}
