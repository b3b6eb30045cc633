/* /proc/sys/kernel entries of the model (sysctl_kernel.h). */
#include "kernelmodel/sysctl_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fork.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/task.h"
#include "kernelmodel/uts.h"

enum { UTS_HOSTNAME, UTS_DOMAINNAME };

/* An open hostname/domainname for writing: the UTS namespace and field. */
struct uts_file {
	struct task *opener;
	int which;
	uint64_t pos;
};

static char *uts_field(struct task *t, int which)
{
	struct uts_namespace *u = t->nsproxy->uts;
	return which == UTS_HOSTNAME ? u->name.nodename : u->name.domainname;
}

static long uts_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct uts_file *u = f->priv;
	char text[80];
	size_t n = (size_t)snprintf(text, sizeof(text), "%s\n", uts_field(t, u->which));
	return simple_read_from_buffer(t, buf, count, &u->pos, text, n);
}

/* proc_do_uts_string: the text up to the first newline, at most 64 bytes. */
static long uts_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct uts_file *u = f->priv;
	char text[65] = {0};
	size_t n = count < 64 ? count : 64;
	if (copy_from_guest(t->mm, text, buf, n))
		return -EFAULT;
	text[strcspn(text, "\n")] = 0;
	if (u->pos == 0) {
		char *field = uts_field(t, u->which);
		memset(field, 0, 65);
		memcpy(field, text, strlen(text));
	}
	u->pos += count;
	return (long)count;
}

static short uts_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static uint64_t uts_gen(struct file *f)
{
	(void)f;
	return 0;
}

static void uts_release(struct file *f)
{
	free(f->priv);
}

static const struct anon_file_ops uts_fops = {
	"sysctl", uts_read, uts_write, uts_poll, uts_gen, NULL, NULL, uts_release,
};

/* A read-only snapshot of @text as a host memfd file. */
static int snapshot(const char *text, const char *path, struct file **out)
{
	int fd = memfd_create("cloneemu-sysctl", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET)) {
		close(fd);
		return -EIO;
	}
	if (!(*out = file_host_alloc(fd, path))) {
		close(fd);
		return -ENOMEM;
	}
	return 1;
}

static long host_overflow(const char *path)
{
	long v = 65534;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65534;
		fclose(f);
	}
	return v;
}

int kernel_sysctl_open(struct task *t, const char *path, int flags, struct file **out)
{
	const char *name = path + strlen("/proc/sys/kernel/");
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	char text[80];
	int which = -1;
	if (!strcmp(name, "hostname"))
		which = UTS_HOSTNAME;
	else if (!strcmp(name, "domainname"))
		which = UTS_DOMAINNAME;
	if (which >= 0) {
		if (!writing) {
			snprintf(text, sizeof(text), "%s\n", uts_field(t, which));
			return snapshot(text, path, out);
		}
		/* 0644 root's, in a UTS namespace the writer may change. */
		if (t->cred->fsuid != 0 && !capable(t, CAP_DAC_OVERRIDE))
			return -EACCES;
		if (!ns_may_set_uts(t->nsproxy))
			return -EPERM;
		struct uts_file *u = calloc(1, sizeof(*u));
		if (!u)
			return -ENOMEM;
		u->which = which;
		struct file *f = anon_inode_getfile(&uts_fops, u, 0);
		if (!f) {
			free(u);
			return -ENOMEM;
		}
		f->flags = flags & (O_ACCMODE | O_NONBLOCK);
		*out = f;
		return 1;
	}
	if (!strcmp(name, "pid_max"))
		snprintf(text, sizeof(text), "%d\n", pid_max());
	else if (!strcmp(name, "threads-max"))
		snprintf(text, sizeof(text), "%zu\n", fork_max_threads());
	else if (!strcmp(name, "ngroups_max"))
		snprintf(text, sizeof(text), "%d\n", NGROUPS_MAX_MODEL);
	else if (!strcmp(name, "overflowuid"))
		snprintf(text, sizeof(text), "%ld\n", host_overflow("/proc/sys/kernel/overflowuid"));
	else if (!strcmp(name, "overflowgid"))
		snprintf(text, sizeof(text), "%ld\n", host_overflow("/proc/sys/kernel/overflowgid"));
	else if (writing && strcmp(name, "shmmax") && strcmp(name, "shmall") && strcmp(name, "shmmni") &&
		 strcmp(name, "sem") && strcmp(name, "msgmax") && strcmp(name, "msgmnb") &&
		 strcmp(name, "msgmni"))
		return -EACCES; /* never the host's settings (README) */
	else
		return 0;
	if (writing)
		return -EACCES; /* the model's limits are not settable (README) */
	return snapshot(text, path, out);
}
