/* Memory syscalls: decode and delegate to kernelmodel/mm.c. Private file
 * mappings read their pages on first touch: from the page cache (shared
 * copy-on-write with every other process mapping the file), or, while a
 * guest has the file open for writing, a private copy of the page as the
 * file is then. Under --record/--replay mmap copies the file's bytes into
 * the new pages at once, through the log. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelmodel/files.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pagecache.h"
#include "kernelmodel/rr.h"
#include "syscalls/sys.h"

SYS(brk)
{
	return mm_brk(t->mm, a[0]);
}

/* Copy the file's bytes [off, off+len) into the fresh private mapping. */
static long fill_from_file(struct task *t, int host_fd, gva_t addr, uint64_t len, uint64_t off)
{
	char *buf = malloc(1 << 16);
	if (!buf)
		return -ENOMEM;
	long ret = 0;
	for (uint64_t done = 0; done < len;) {
		size_t want = len - done < (1 << 16) ? len - done : (1 << 16);
		long n = RR_SYS(pread(host_fd, buf, want, (off_t)(off + done)));
		if (n < 0) {
			ret = n;
			break;
		}
		rr_bytes(buf, (size_t)n);
		if (n == 0)
			break; /* past EOF the pages stay zero */
		if ((ret = mm_poke(t->mm, addr + done, buf, n)))
			break;
		done += n;
	}
	free(buf);
	return ret;
}

SYS(mmap)
{
	gva_t addr = a[0];
	uint64_t len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3];
	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)
		return mm_mmap(t->mm, addr, len, prot, flags, NULL, 0);

	struct file *f = a[4] > 0x7fffffff ? NULL : files_lookup(t->files, (int)a[4]);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return -ENODEV;
	struct stat st;
	long sr = RR_SYS(fstat(f->host_fd, &st));
	if (sr)
		return sr;
	rr_bytes(&st, sizeof(st));
	if (!S_ISREG(st.st_mode))
		return -ENODEV; /* device and special-file mappings are not modeled */
	int acc = (int)RR_SYS(fcntl(f->host_fd, F_GETFL)) & O_ACCMODE;
	if (acc == O_WRONLY)
		return -EACCES;
	if ((flags & 0x0f) != MAP_PRIVATE) {
		/* A shared file mapping needs a page cache shared with the host
		 * file: not modeled (README). Linux's answer for a file system
		 * that cannot do it is ENODEV. */
		return -ENODEV;
	}
	/* /proc/<pid>/maps shows the file's device and inode. */
	struct mm_file mf = {f->path, off, st.st_dev, st.st_ino, NULL};
	/* Under rr the bytes must reach the guest through the log: copied now. */
	bool lazy = !rr_recording && !rr_replaying;
	if (lazy) {
		struct file_id id = {st.st_dev, st.st_ino, (uint64_t)st.st_size,
				     (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
					     (uint64_t)st.st_mtim.tv_nsec};
		/* A file open for writing can change without a new size or
		 * mtime: its pages stay out of the shared cache. */
		bool cached = !inode_writers(st.st_dev, st.st_ino);
		if (!(mf.mapping = mapping_open(&id, f->host_fd, cached)))
			return -ENOMEM;
	}
	long r = mm_mmap_file(t->mm, addr, len, prot, flags, &mf);
	mapping_put(mf.mapping); /* the VMAs hold theirs */
	if (r < 0 || lazy)
		return r;
	uint64_t flen = (uint64_t)st.st_size > off ? (uint64_t)st.st_size - off : 0;
	long e = fill_from_file(t, f->host_fd, (gva_t)r, flen < len ? flen : len, off);
	if (e) {
		mm_munmap(t->mm, (gva_t)r, len);
		return e;
	}
	return r;
}

SYS(munmap)
{
	return mm_munmap(t->mm, a[0], a[1]);
}

SYS(mprotect)
{
	return mm_mprotect(t->mm, a[0], a[1], (int)a[2]);
}

SYS(mremap)
{
	return mm_mremap(t->mm, a[0], a[1], a[2], (int)a[3], a[4]);
}

SYS(madvise)
{
	return mm_madvise(t->mm, a[0], a[1], (int)a[2]);
}

SYS(msync)
{
	if (a[0] & ~PAGE_MASK)
		return -EINVAL;
	if (a[2] & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) || ((a[2] & MS_ASYNC) && (a[2] & MS_SYNC)))
		return -EINVAL;
	/* No shared file mappings exist: nothing to write back. */
	for (gva_t p = a[0]; p < a[0] + PAGE_ALIGN(a[1]); p += PAGE_SIZE)
		if (!mm_find_vma(t->mm, p))
			return -ENOMEM;
	return 0;
}
