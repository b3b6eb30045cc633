#include "kernelmodel/procfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/pipe.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* Split "/proc/<who>/<rest>" into the task it names and rest ("" for the
 * directory itself). Returns 1 with *target set (NULL when <who> is a
 * number that is no guest task), or 0 when the path is not per-task. */
static int proc_task_path(struct task *t, const char *path, struct task **target, const char **rest,
			  int *is_self_link)
{
	const char *p;
	*is_self_link = 0;
	if (strncmp(path, "/proc/", 6))
		return 0;
	p = path + 6;
	size_t n = strcspn(p, "/");
	if (n == 4 && !strncmp(p, "self", 4)) {
		*target = t;
		*is_self_link = 1;
	} else if (n == 11 && !strncmp(p, "thread-self", 11)) {
		*target = t;
		*is_self_link = 2;
	} else if (n > 0 && strspn(p, "0123456789") == n) {
		*target = task_find(atoi(p));
	} else {
		return 0;
	}
	*rest = p[n] == '/' ? p + n + 1 : p + n;
	return 1;
}

static long copy_link(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s);
	if (n > size)
		n = size;
	memcpy(buf, s, n);
	return (long)n;
}

long procfs_readlink(struct task *t, const char *path, char *buf, size_t size, int *handled)
{
	struct task *target;
	const char *rest;
	int self;
	char tmp[4096];
	*handled = proc_task_path(t, path, &target, &rest, &self);
	if (!*handled)
		return 0;
	if (!target)
		return -ENOENT;
	if (!*rest) {
		if (!self)
			return -EINVAL; /* /proc/<pid> is a directory */
		if (self == 2)
			snprintf(tmp, sizeof(tmp), "%d/task/%d", target->tgid, target->tid);
		else
			snprintf(tmp, sizeof(tmp), "%d", target->tgid);
		return copy_link(tmp, buf, size);
	}
	if (!strcmp(rest, "exe"))
		return target->exe ? copy_link(target->exe, buf, size) : -ENOENT;
	if (!strcmp(rest, "cwd")) {
		long r = fs_getcwd(target->fs, tmp, sizeof(tmp));
		return r < 0 ? r : copy_link(tmp, buf, size);
	}
	if (!strncmp(rest, "fd/", 3)) {
		struct file *f = files_lookup(target->files, atoi(rest + 3));
		if (!f)
			return -ENOENT;
		if (f->kind == FILE_PIPE) {
			snprintf(tmp, sizeof(tmp), "pipe:[%llu]", (unsigned long long)f->pipe->ino);
			return copy_link(tmp, buf, size);
		}
		return copy_link(f->path ? f->path : "anon_inode:[unknown]", buf, size);
	}
	return -EINVAL; /* exists or not, it is not a symlink */
}

int procfs_follow(struct task *t, const char *path, bool follow_final, char *out)
{
	struct task *target;
	const char *rest;
	int self;
	if (!proc_task_path(t, path, &target, &rest, &self))
		return 0;
	size_t n;
	if (!strncmp(rest, "exe", 3) && (rest[3] == 0 || rest[3] == '/'))
		n = 3;
	else if (!strncmp(rest, "cwd", 3) && (rest[3] == 0 || rest[3] == '/'))
		n = 3;
	else if (!strncmp(rest, "fd/", 3))
		n = 3 + strspn(rest + 3, "0123456789");
	else
		return 0;
	if (!follow_final && !rest[n])
		return 0;
	if (!target)
		return -ENOENT;
	char link[PATH_MAX], prefix[PATH_MAX];
	memcpy(prefix, path, rest - path + n);
	prefix[rest - path + n] = 0;
	int handled;
	long len = procfs_readlink(t, prefix, link, sizeof(link) - 1, &handled);
	if (len < 0)
		return (int)len;
	link[len] = 0;
	if (link[0] != '/')
		return 0; /* pipe:[..] and friends: no path to follow */
	if (snprintf(out, PATH_MAX, "%s%s", link, rest + n) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 1;
}

/* A host memfd holding @len bytes of @data, positioned at 0. */
static int snapshot_fd(const char *data, size_t len)
{
	int fd = memfd_create("cloneemu-proc", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int gen_maps(struct task *t, FILE *out)
{
	struct mm *mm = t->mm;
	for (size_t i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		bool file = !(v->flags & VMA_ANON) && v->name && v->name[0] == '/';
		fprintf(out, "%012lx-%012lx %c%c%c%c %08lx %02lx:%02lx %lu", (unsigned long)v->start,
			(unsigned long)v->end, v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-',
			v->prot & 4 ? 'x' : '-', v->flags & VMA_SHARED ? 's' : 'p',
			file ? (unsigned long)v->pgoff : 0ul, (unsigned long)(v->dev >> 8),
			(unsigned long)(v->dev & 0xff), (unsigned long)v->ino);
		if (v->name)
			fprintf(out, "%*s%s", 73 - 25 - 5 - 9 - 6 - 1, "", v->name);
		fputc('\n', out);
	}
	return 0;
}

static int gen_guest_range(struct task *t, gva_t start, gva_t end, FILE *out)
{
	char buf[4096];
	while (start < end) {
		size_t n = end - start < sizeof(buf) ? end - start : sizeof(buf);
		if (copy_from_guest(t->mm, buf, start, n))
			return 0; /* Linux shows what it can read */
		fwrite(buf, 1, n, out);
		start += n;
	}
	return 0;
}

int procfs_open(struct task *t, const char *path, int *handled)
{
	struct task *target;
	const char *rest;
	int self;
	*handled = proc_task_path(t, path, &target, &rest, &self);
	if (!*handled)
		return 0;
	if (!target)
		return -ENOENT;
	char *data = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&data, &len);
	if (!out)
		return -ENOMEM;
	int r = 0;
	if (!strcmp(rest, "maps"))
		r = gen_maps(target, out);
	else if (!strcmp(rest, "cmdline"))
		r = gen_guest_range(target, target->mm->arg_start, target->mm->arg_end, out);
	else if (!strcmp(rest, "environ"))
		r = gen_guest_range(target, target->mm->env_start, target->mm->env_end, out);
	else if (!strcmp(rest, "comm"))
		fprintf(out, "%s\n", target->comm);
	else
		r = -ENOENT; /* not modeled yet (#3): never the host's view */
	fclose(out);
	if (!r)
		r = snapshot_fd(data, len);
	free(data);
	return r;
}
