/* /proc/<pid>/mem: another process's memory through its page tables, at the
 * file position (lseek to an address, then read or write; pread/pwrite).
 * Reads see what a debugger sees, unreadable mappings too; writes go
 * through read-only private mappings (a private copy of the page first),
 * as FOLL_FORCE does, but never into a shared mapping the process may not
 * write (the file's bytes). An address nothing maps ends the transfer:
 * the bytes before it, or EIO. The file follows the process: after it
 * exits, reads and writes give 0 (Linux keeps the mm it was opened on
 * across an exec; the model's file sees the new one). */
#include "kernelmodel/proc_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/files.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/ptrace.h"
#include "kernelmodel/task.h"

static long mem_rw(struct task *t, struct file *f, gva_t buf, size_t count, uint64_t pos,
		   bool write)
{
	struct task *target = f->priv;
	if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	struct mm *mm = task_is_alive(target) ? target->mm : NULL;
	if (!mm)
		return 0;
	uint8_t page[PAGE_SIZE];
	size_t done = 0;
	while (done < count) {
		uint64_t at = pos + done;
		size_t n = PAGE_SIZE - (at & ~PAGE_MASK);
		if (n > count - done)
			n = count - done;
		const struct vma *v = at < TASK_SIZE ? mm_find_vma(mm, at) : NULL;
		if (!v || (write && (v->flags & VMA_SHARED) && (v->flags & VMA_NOWRITE)))
			return done ? (long)done : -EIO;
		if (write) {
			if (copy_from_guest(t->mm, page, buf + done, n))
				return done ? (long)done : -EFAULT;
			if (mm_poke(mm, at, page, n))
				return done ? (long)done : -EIO;
		} else {
			if (mm_peek(mm, page, at, n))
				return done ? (long)done : -EIO;
			if (copy_to_guest(t->mm, buf + done, page, n))
				return done ? (long)done : -EFAULT;
		}
		done += n;
	}
	return (long)done;
}

static short mem_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static void mem_release(struct file *f)
{
	task_put(f->priv);
}

static const struct anon_file_ops mem_fops = {
	.name = "mem",
	.rw_at = mem_rw,
	.poll = mem_poll,
	.release = mem_release,
};

int proc_mem_open(struct task *t, struct task *target, const char *path, int flags,
		  struct file **out)
{
	if (!ptrace_may_access(t, target, PTRACE_MODE_ATTACH | PTRACE_MODE_FSCREDS))
		return -EACCES;
	struct file *f = anon_inode_getfile(&mem_fops, task_get(target), 0);
	if (!f) {
		task_put(target);
		return -ENOMEM;
	}
	f->flags = flags & (O_ACCMODE | O_NONBLOCK);
	char *name = strdup(path); /* /proc/<pid>/fd shows the path opened */
	if (name) {
		free(f->path);
		f->path = name;
	}
	*out = f;
	return 0;
}
