/* Memory syscalls: decode and delegate to kernelmodel/mm.c. Private file
 * mappings read their pages on first touch: from the page cache (shared
 * copy-on-write with every other process mapping the file), or, while a
 * guest has the file open for writing, a private copy of the page as the
 * file is then. Under --record/--replay mmap copies the file's bytes into
 * the new pages at once, through the log.
 * Shared file mappings map the file's own pages (kernelmodel/filemap.c:
 * host MAP_SHARED mappings of the file inside the frame pool), one object
 * per inode for every process. */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/prctl.h"
#include "kernelmodel/files.h"
#include "kernelmodel/filemap.h"
#include "kernelmodel/fs.h"
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

/* The flags MAP_SHARED_VALIDATE accepts for a regular file, as measured on
 * Linux 6.18: the legacy ones (MAP_32BIT, MAP_ABOVE4G, MAP_DENYWRITE,
 * MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK,
 * MAP_STACK, MAP_UNINITIALIZED, the huge page size bits) and those refused
 * later with another error (MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_HUGETLB).
 * MAP_SYNC (no DAX here), MAP_FIXED_NOREPLACE and unknown bits are
 * EOPNOTSUPP. */
#define MAP_HUGE_BITS 0x7c000000 /* MAP_UNINITIALIZED and MAP_HUGE_* (bit 31 is refused) */
#define VALIDATE_OK                                                                          \
	(0x0f | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | 0x80 /* MAP_ABOVE4G */ | MAP_GROWSDOWN | \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |             \
	 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_HUGE_BITS)
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

/* The name /proc/<pid>/maps shows for a mapping of @f: d_path(), the
 * file's path with every symbolic link resolved, which the host knows
 * for the host descriptor. Under a chroot, a sysroot or rr (where the
 * host's view is not the guest's or must not leak into the run) the path
 * it was opened by. @buf has PATH_MAX bytes. */
static const char *map_name(struct task *t, const struct file *f, char *buf)
{
	char link[64];
	if (!f->path || t->fs->root || fs_has_sysroot() || rr_recording || rr_replaying)
		return f->path;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
	ssize_t n = readlink(link, buf, PATH_MAX - 1);
	if (n <= 0 || buf[0] != '/')
		return f->path;
	buf[n] = 0;
	return buf;
}

/* MAP_SHARED/MAP_SHARED_VALIDATE of a regular file (do_mmap's file case). */
static long mmap_shared_file(struct task *t, struct file *f, const struct stat *st, gva_t addr,
			     uint64_t len, int prot, int flags, uint64_t off, int acc)
{
	if ((flags & 0x0f) == MAP_SHARED_VALIDATE && (flags & ~VALIDATE_OK))
		return -EOPNOTSUPP;
	bool writable = acc == O_RDWR;
	if ((prot & PROT_WRITE) && acc == O_RDONLY)
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES; /* FMODE_READ is needed too */
	if (flags & (MAP_GROWSDOWN | MAP_HUGETLB))
		return -EINVAL;
	if (rr_recording || rr_replaying)
		return -ENODEV; /* the pages would not go through the log (README) */
	/* A memfd sealed against writing: no writable mapping, and none that
	 * mprotect could make writable (seal_check_write). */
	int seals = (int)fcntl(f->host_fd, F_GET_SEALS);
	if (seals > 0 && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		if (prot & PROT_WRITE)
			return -EPERM;
		writable = false;
	}
	char name[PATH_MAX];
	struct mm_file mf = {map_name(t, f, name), off, st->st_dev, st->st_ino, NULL, NULL, writable};
	int r = inode_pages_open(f->host_fd, acc == O_RDWR, writable, st->st_dev, st->st_ino,
				&mf.pages);
	if (r)
		return r == -EACCES ? -EACCES : -ENOMEM;
	long ret = mm_mmap_file(t->mm, addr, len, prot, flags, &mf);
	inode_pages_put(mf.pages, false); /* the VMAs hold theirs */
	return ret;
}

/* /dev/zero (drivers/char/mem.c, mmap_zero): a shared mapping is new shared
 * anonymous memory (shared across fork), a private one anonymous memory. */
static long mmap_dev_zero(struct task *t, gva_t addr, uint64_t len, int prot, int flags, int acc)
{
	int type = flags & 0x0f;
	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE && type != MAP_PRIVATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~VALIDATE_OK))
		return -EOPNOTSUPP;
	if (type != MAP_PRIVATE && (prot & PROT_WRITE) && acc == O_RDONLY)
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES;
	flags = (flags & ~0x0f) | (type == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS;
	return mm_mmap(t->mm, addr, len, prot, flags, NULL, 0);
}

SYS(mmap)
{
	gva_t addr = a[0];
	uint64_t len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3];
	if (off & ~PAGE_MASK)
		return -EINVAL;
	if ((prot & PROT_READ) && (t->personality & READ_IMPLIES_EXEC))
		prot |= PROT_EXEC; /* personality(2) */
	if (flags & MAP_ANONYMOUS) {
		if ((flags & 0x0f) == MAP_SHARED_VALIDATE)
			return -EINVAL; /* do_mmap: no such anonymous type */
		return mm_mmap(t->mm, addr, len, prot, flags, NULL, 0);
	}

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
	int fl = (int)RR_SYS(fcntl(f->host_fd, F_GETFL));
	if (fl & O_PATH)
		return -EBADF; /* an O_PATH descriptor maps nothing */
	int acc = fl & O_ACCMODE;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5))
		return mmap_dev_zero(t, addr, len, prot, flags, acc);
	if (!S_ISREG(st.st_mode))
		return -ENODEV; /* other device and special-file mappings are not modeled */
	if (flags & MAP_SYNC)
		return -EOPNOTSUPP; /* Linux 6.18, every file mapping without DAX */
	uint64_t alen = PAGE_ALIGN(len);
	if (len && alen >= len && (off + alen < off || off + alen > (uint64_t)INT64_MAX))
		return -EOVERFLOW; /* file_mmap_ok */
	int type = flags & 0x0f;
	if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE)
		return mmap_shared_file(t, f, &st, addr, len, prot, flags, off, acc);
	if (type != MAP_PRIVATE)
		return -EINVAL;
	if (acc == O_WRONLY)
		return -EACCES;
	if (flags & (MAP_GROWSDOWN | MAP_HUGETLB))
		return -EINVAL;
	/* /proc/<pid>/maps shows the file's device and inode. */
	char name[PATH_MAX];
	struct mm_file mf = {map_name(t, f, name), off, st.st_dev, st.st_ino, NULL};
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
	int prot = (int)a[2];
	if ((prot & PROT_READ) && (t->personality & READ_IMPLIES_EXEC))
		prot |= PROT_EXEC; /* personality(2) */
	return mm_mprotect(t->mm, a[0], a[1], prot);
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
	return mm_msync(t->mm, a[0], a[1], (int)a[2]);
}

/* mlock, mlock2, munlock, mlockall, munlockall (mm/mlock.c): VM_LOCKED on
 * the VMAs, RLIMIT_MEMLOCK unless CAP_IPC_LOCK (EPERM when the limit is 0). */
static bool can_do_mlock(struct task *t)
{
	return t->signal->rlim[RLIMIT_MEMLOCK].rlim_cur != 0 || capable(t, CAP_IPC_LOCK);
}

static long do_mlock(struct task *t, gva_t addr, uint64_t len)
{
	if (!can_do_mlock(t))
		return -EPERM;
	return mm_mlock(t->mm, addr, len, true, t->signal->rlim[RLIMIT_MEMLOCK].rlim_cur,
			capable(t, CAP_IPC_LOCK));
}

SYS(mlock)
{
	return do_mlock(t, a[0], a[1]);
}

SYS(mlock2)
{
	if (a[2] & ~1ull /* MLOCK_ONFAULT */)
		return -EINVAL;
	return do_mlock(t, a[0], a[1]);
}

SYS(munlock)
{
	return mm_mlock(t->mm, a[0], a[1], false, 0, true);
}

SYS(mlockall)
{
	int flags = (int)a[0];
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(t))
		return -EPERM;
	struct mm *mm = t->mm;
	uint64_t limit = t->signal->rlim[RLIMIT_MEMLOCK].rlim_cur, total = 0;
	for (size_t i = 0; i < mm->nvmas; i++)
		total += mm->vmas[i].end - mm->vmas[i].start;
	if ((flags & MCL_CURRENT) && total > limit && !capable(t, CAP_IPC_LOCK))
		return -ENOMEM;
	mm->lock_future = flags & MCL_FUTURE;
	return flags & MCL_CURRENT ? mm_mlock_all(mm, true) : 0;
}

SYS(munlockall)
{
	t->mm->lock_future = false;
	return mm_mlock_all(t->mm, false);
}

/* mincore (mm/mincore.c): a byte per page, done in chunks so a huge range
 * costs bounded memory; an unmapped page is ENOMEM (earlier chunks stay
 * written, as Linux). */
SYS(mincore)
{
	gva_t addr = a[0];
	uint64_t len = a[1];
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (len > TASK_SIZE || addr > TASK_SIZE - len)
		return -ENOMEM;
	uint64_t pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
	if (a[2] > TASK_SIZE || pages > TASK_SIZE - a[2]) /* access_ok */
		return -EFAULT;
	enum { CHUNK = 4096 };
	uint8_t vec[CHUNK];
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < CHUNK ? pages - done : CHUNK;
		long r = mm_mincore(t->mm, addr + (done << PAGE_SHIFT), n, vec);
		if (r)
			return r;
		if (copy_to_guest(t->mm, a[2] + done, vec, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* memfd_create (mm/memfd.c): a host memfd underneath, a regular file of
 * the host's tmpfs. Its seals are the host's: it refuses write, grow and
 * shrink by itself; what only the model sees, mmap(PROT_WRITE, MAP_SHARED)
 * of a file sealed against writing, is checked in mmap_shared_file, and
 * F_ADD_SEALS first makes the runs of a file no VMA may write read-only
 * (sys_fcntl.c), since the host counts the emulator's own mapping. */
#define MFD_KNOWN (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | 0x0008 /* MFD_NOEXEC_SEAL */ | \
		   0x0010 /* MFD_EXEC */ | (0x3fu << 26) /* MFD_HUGE_* */)
#define MFD_NAME_MAX 249 /* NAME_MAX - strlen("memfd:") */

SYS(memfd_create)
{
	unsigned flags = (unsigned)a[1];
	if (flags & ~MFD_KNOWN)
		return -EINVAL;
	char name[MFD_NAME_MAX + 2];
	long n = strncpy_from_guest(t->mm, name, a[0], sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	if (n > MFD_NAME_MAX)
		return -EINVAL;
	int hfd = (int)RR_SYS(memfd_create(name, flags | MFD_CLOEXEC));
	if (hfd < 0)
		return hfd;
	if (rr_replaying && (hfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return -ENFILE;
	char path[sizeof(name) + 32];
	snprintf(path, sizeof(path), "/memfd:%s (deleted)", name);
	struct file *f = file_host_alloc(hfd, path);
	if (!f) {
		close(hfd);
		return -ENOMEM;
	}
	/* Open for writing, as far as the page cache and ETXTBSY go. */
	if (f->is_regular && !inode_get_write_access(f->dev, f->ino))
		f->write_access = true;
	long fd = files_install(t->files, f, 0, flags & MFD_CLOEXEC);
	file_put(f);
	return fd;
}
