#include "kernelmodel/filemap.h"
#include "kernelmodel/pagecache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_BYTES ((uint64_t)FRAME_RUN << PAGE_SHIFT)

static struct inode_pages *live; /* every object, to share by inode */

struct inode_pages *inode_pages_find(uint64_t dev, uint64_t ino)
{
	for (struct inode_pages *ip = live; ip; ip = ip->next)
		if (ip->dev == dev && ip->ino == ino)
			return ip;
	return NULL;
}

/* Our own descriptor of the file: above the standard ones, closed across
 * a host exec. */
static int dup_fd(int host_fd)
{
	return fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
}

/* The descriptor to map runs through: for read-only runs of a file open
 * for writing, a read-only one when we have it, since the host counts a
 * shared mapping of a writable descriptor as one that may write. */
static int map_fd(const struct inode_pages *ip, bool writable)
{
	return !writable && ip->ro_fd >= 0 ? ip->ro_fd : ip->host_fd;
}

/* Map every run again, writable or not (a new descriptor, other rights). */
static int remap_runs(struct inode_pages *ip, bool writable)
{
	for (uint64_t i = 0; i < ip->nslots; i++) {
		struct run_slot *s = &ip->runs[i];
		if (!s->first)
			continue;
		int r = frame_run_map(s->first, map_fd(ip, writable), s->idx * RUN_BYTES, writable);
		if (r)
			return r;
	}
	ip->runs_writable = writable;
	return 0;
}

int inode_pages_open(int host_fd, bool fd_writable, bool maywrite, uint64_t dev, uint64_t ino,
		     struct inode_pages **out)
{
	struct inode_pages *ip = inode_pages_find(dev, ino);
	if (!ip) {
		if (!(ip = calloc(1, sizeof(*ip))))
			return -ENOMEM;
		if ((ip->host_fd = dup_fd(host_fd)) < 0) {
			free(ip);
			return -EMFILE;
		}
		ip->dev = dev;
		ip->ino = ino;
		ip->ro_fd = -1;
		ip->fd_writable = fd_writable;
		/* Writable host mappings only while a VMA may write: the host
		 * refuses them for a memfd sealed against writing, and counts
		 * them against F_SEAL_WRITE. */
		ip->runs_writable = false;
		inode_pages_refresh_size(ip);
		ip->next = live;
		live = ip;
	} else if (fd_writable && !ip->fd_writable) {
		/* Mapped so far through read-only descriptors: keep this one. */
		int fd = dup_fd(host_fd);
		if (fd < 0)
			return -EMFILE;
		close(ip->host_fd);
		ip->host_fd = fd;
		ip->fd_writable = true;
	}
	inode_pages_get(ip, false); /* the caller's */
	if (maywrite && !ip->runs_writable) {
		int r = ip->fd_writable ? remap_runs(ip, true) : -EACCES;
		if (r) {
			inode_pages_put(ip, false);
			return r;
		}
	}
	*out = ip;
	return 0;
}

struct inode_pages *inode_pages_get(struct inode_pages *ip, bool maywrite)
{
	ip->refcount++;
	if (maywrite)
		ip->maywrite++;
	return ip;
}

void inode_pages_put(struct inode_pages *ip, bool maywrite)
{
	if (!ip)
		return;
	if (maywrite)
		ip->maywrite--;
	if (--ip->refcount > 0)
		return;
	for (struct inode_pages **p = &live; *p; p = &(*p)->next)
		if (*p == ip) {
			*p = ip->next;
			break;
		}
	for (uint64_t i = 0; i < ip->nslots; i++)
		if (ip->runs[i].first)
			frame_run_release(ip->runs[i].first);
	/* Pages the private page cache read before may have been written
	 * through the mapping since (no mtime or size needs to change). */
	if (ip->fd_writable)
		pagecache_inode_written(ip->dev, ip->ino);
	close(ip->host_fd);
	if (ip->ro_fd >= 0)
		close(ip->ro_fd);
	free(ip->runs);
	free(ip);
}

uint64_t inode_pages_refresh_size(struct inode_pages *ip)
{
	struct stat st;
	if (!fstat(ip->host_fd, &st))
		ip->size = (uint64_t)st.st_size;
	return ip->size;
}

static uint64_t slot_hash(uint64_t idx, uint64_t nslots)
{
	uint64_t h = idx * 0x9E3779B97F4A7C15ull;
	return (h ^ (h >> 31)) & (nslots - 1);
}

/* The slot of run @idx: its entry, or the empty slot to fill. */
static struct run_slot *slot_of(struct inode_pages *ip, uint64_t idx)
{
	uint64_t i = slot_hash(idx, ip->nslots);
	while (ip->runs[i].first && ip->runs[i].idx != idx)
		i = (i + 1) & (ip->nslots - 1);
	return &ip->runs[i];
}

/* Room for one more run: the table stays at most half full. */
static int reserve_slot(struct inode_pages *ip)
{
	if (ip->nslots && (ip->nruns + 1) * 2 <= ip->nslots)
		return 0;
	uint64_t n = ip->nslots ? ip->nslots * 2 : 8;
	struct run_slot *old = ip->runs, *nw = calloc(n, sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	uint64_t oldn = ip->nslots;
	ip->runs = nw;
	ip->nslots = n;
	for (uint64_t i = 0; i < oldn; i++)
		if (old[i].first)
			*slot_of(ip, old[i].idx) = old[i];
	free(old);
	return 0;
}

int inode_pages_fault(struct inode_pages *ip, uint64_t off, frame_t *out)
{
	/* The size is only asked again when the page looks past EOF: a
	 * guest's truncation updates it (mm_file_truncated). */
	if (off >= ip->size && off >= inode_pages_refresh_size(ip))
		return -EFAULT;
	uint64_t idx = off / RUN_BYTES;
	struct run_slot *s = ip->nslots ? slot_of(ip, idx) : NULL;
	if (!s || !s->first) {
		if (reserve_slot(ip))
			return -ENOMEM;
		frame_t first = frame_run_alloc();
		if (!first)
			return -ENOMEM;
		int r = frame_run_map(first, map_fd(ip, ip->runs_writable), idx * RUN_BYTES,
				      ip->runs_writable);
		if (r) {
			frame_run_release(first);
			return -EIO; /* e.g. the host's vm.max_map_count: SIGBUS */
		}
		s = slot_of(ip, idx);
		*s = (struct run_slot){idx, first};
		ip->nruns++;
	}
	*out = s->first + (frame_t)((off % RUN_BYTES) >> PAGE_SHIFT);
	frame_get(*out);
	return 0;
}

int inode_pages_sync(struct inode_pages *ip, uint64_t off, uint64_t len)
{
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	for (uint64_t i = 0; i < ip->nslots; i++) {
		const struct run_slot *s = &ip->runs[i];
		uint64_t lo = s->idx * RUN_BYTES, hi = lo + RUN_BYTES;
		if (!s->first || hi <= off || lo >= end)
			continue;
		uint64_t a = lo > off ? lo : off, b = hi < end ? hi : end;
		int r = frame_run_sync(s->first + (frame_t)((a - lo) >> PAGE_SHIFT),
				       (unsigned)((b - a + PAGE_SIZE - 1) >> PAGE_SHIFT), MS_SYNC);
		if (r)
			return r;
	}
	return 0;
}

void inode_pages_written(uint64_t dev, uint64_t ino)
{
	struct inode_pages *ip = inode_pages_find(dev, ino);
	if (!ip || !ip->exec)
		return;
	for (uint64_t i = 0; i < ip->nslots; i++)
		if (ip->runs[i].first)
			for (frame_t g = 0; g < FRAME_RUN; g++)
				frame_before_host_write(ip->runs[i].first + g);
}

int inode_pages_punch(struct inode_pages *ip, uint64_t off, uint64_t len)
{
	if (fallocate(ip->host_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len))
		return -errno;
	inode_pages_written(ip->dev, ip->ino);
	return 0;
}

int memfd_add_seals(int host_fd, uint64_t dev, uint64_t ino, int seals)
{
	/* memfd_add_seals: F_SEAL_WRITE is EBUSY while a shared mapping may
	 * write (mapping_deny_writable), which only the model knows: its VMAs,
	 * not the host's mapping of the pages. The host's checks that come
	 * first in Linux (a descriptor open for writing, known seals, a file
	 * that takes seals, F_SEAL_SEAL) keep their place: only when all of
	 * them would pass is EBUSY answered here. */
	int cur = fcntl(host_fd, F_GET_SEALS);
	int acc = fcntl(host_fd, F_GETFL) & O_ACCMODE;
	struct inode_pages *ip = inode_pages_find(dev, ino);
	if (ip && (seals & F_SEAL_WRITE) && cur >= 0 && !(cur & (F_SEAL_SEAL | F_SEAL_WRITE)) &&
	    acc != O_RDONLY && !(seals & ~0x1f /* F_ALL_SEALS */)) {
		if (ip->maywrite)
			return -EBUSY;
		/* The host counts the emulator's own mapping of the runs: map
		 * them through a read-only descriptor of the file. */
		if (ip->ro_fd < 0 && ip->fd_writable) {
			char link[64];
			snprintf(link, sizeof(link), "/proc/self/fd/%d", ip->host_fd);
			int fd = open(link, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				ip->ro_fd = dup_fd(fd);
				close(fd);
			}
		}
		remap_runs(ip, false);
	}
	/* F_SEAL_FUTURE_WRITE keeps the mappings that may write now, but
	 * the host maps no new writable run after it: map the file's runs
	 * now (its pages past the current EOF stay out of reach: SIGBUS). */
	if (ip && ip->maywrite && (seals & F_SEAL_FUTURE_WRITE) && cur >= 0 &&
	    !(cur & F_SEAL_SEAL)) {
		uint64_t size = inode_pages_refresh_size(ip);
		for (uint64_t off = 0; off < size; off += RUN_BYTES) {
			frame_t f;
			if (!inode_pages_fault(ip, off, &f))
				frame_put(f);
		}
	}
	return fcntl(host_fd, F_ADD_SEALS, seals) ? -errno : 0;
}
