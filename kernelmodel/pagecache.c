#include "kernelmodel/pagecache.h"
#include "kernelmodel/filemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Identity, size and mtime catch a file changed by a host program once its
 * mtime ticks; a guest's write can come faster than that (coarse
 * timestamps, same size), so every inode in the cache also has an epoch,
 * bumped when a guest opens it for writing and when it closes it: pages
 * cached before belong to the old epoch and are found no more. */
struct pc_inode {
	uint64_t dev, ino;
	uint64_t epoch;
	struct pc_inode *next;
};

struct pc_entry {
	struct file_id id;
	uint64_t epoch;
	uint64_t off;
	frame_t frame; /* 0: empty slot */
};

#define PC_SLOTS (PAGECACHE_MAX_PAGES * 2) /* open addressing, half full at most */

static struct pc_entry *table;
static uint64_t used;
static struct pc_inode *inodes; /* those with cached pages, most recently used first */

/* The record of inode @id (created when @create), moved to the front. */
static struct pc_inode *inode_of(uint64_t dev, uint64_t ino, bool create)
{
	struct pc_inode **p = &inodes, *n;
	for (; (n = *p); p = &n->next)
		if (n->dev == dev && n->ino == ino) {
			*p = n->next;
			break;
		}
	if (!n) {
		if (!create || !(n = calloc(1, sizeof(*n))))
			return NULL;
		n->dev = dev;
		n->ino = ino;
	}
	n->next = inodes;
	inodes = n;
	return n;
}

void pagecache_inode_written(uint64_t dev, uint64_t ino)
{
	struct pc_inode *n = inode_of(dev, ino, false);
	if (n)
		n->epoch++;
}

static uint64_t hash(const struct file_id *id, uint64_t epoch, uint64_t off)
{
	uint64_t h = id->dev * 0x9E3779B97F4A7C15ull ^ id->ino * 0xC2B2AE3D27D4EB4Full ^
		     id->mtime_ns * 0x165667B19E3779F9ull ^ epoch * 0x85EBCA77C2B2AE63ull ^
		     (off >> PAGE_SHIFT) * 0x27D4EB2F165667C5ull;
	return (h ^ (h >> 29)) % PC_SLOTS;
}

static bool same(const struct pc_entry *e, const struct file_id *id, uint64_t epoch, uint64_t off)
{
	return e->off == off && e->epoch == epoch && !memcmp(&e->id, id, sizeof(*id));
}

void pagecache_drop(void)
{
	while (inodes) {
		struct pc_inode *n = inodes;
		inodes = n->next;
		free(n);
	}
	if (!table)
		return;
	for (uint64_t i = 0; i < PC_SLOTS; i++)
		if (table[i].frame)
			frame_put(table[i].frame);
	free(table);
	table = NULL;
	used = 0;
}

/* The slot of page @off of @id: its entry, or the empty slot to put it in. */
static struct pc_entry *lookup(const struct file_id *id, uint64_t epoch, uint64_t off)
{
	uint64_t i = hash(id, epoch, off);
	while (table[i].frame && !same(&table[i], id, epoch, off))
		i = (i + 1) % PC_SLOTS;
	return &table[i];
}

/* Page @off of @id with a new reference: cached, or a new frame filled by
 * @fill (0 or -errno) and cached. 0 or -errno. */
static int get_page(const struct file_id *id, uint64_t off,
		    int (*fill)(void *dst, const void *arg, uint64_t off), const void *arg,
		    frame_t *out)
{
	if (!table && !(table = calloc(PC_SLOTS, sizeof(*table))))
		return -ENOMEM;
	struct pc_inode *ino = inode_of(id->dev, id->ino, true);
	if (!ino)
		return -ENOMEM;
	struct pc_entry *e = lookup(id, ino->epoch, off);
	if (!e->frame) {
		/* At most a quarter of the pool, so that pages nobody maps
		 * any more cannot starve the guests of memory. */
		uint64_t max = frames_stats().nframes / 4;
		if (used && used >= (max < PAGECACHE_MAX_PAGES ? max : PAGECACHE_MAX_PAGES)) {
			pagecache_drop(); /* simple and rare: start over */
			return get_page(id, off, fill, arg, out);
		}
		frame_t f = frame_alloc();
		if (!f)
			return -ENOMEM;
		int r = fill(frame_ptr(f), arg, off);
		if (r) {
			frame_put(f);
			return r;
		}
		*e = (struct pc_entry){*id, ino->epoch, off, f};
		used++;
	}
	frame_get(e->frame);
	*out = e->frame;
	return 0;
}

/* ---- address spaces: private file mappings ---- */

static struct address_space *spaces; /* the live cached ones */
static struct address_space *all_spaces; /* every live one */

struct address_space *mapping_open(const struct file_id *id, int host_fd, bool cached)
{
	if (cached)
		for (struct address_space *as = spaces; as; as = as->next)
			if (!memcmp(&as->id, id, sizeof(*id)))
				return mapping_get(as);
	struct address_space *as = calloc(1, sizeof(*as));
	if (!as)
		return NULL;
	/* Above the standard descriptors, closed across a host exec. */
	as->host_fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
	if (as->host_fd < 0) {
		free(as);
		return NULL;
	}
	as->refcount = 1; /* the caller's */
	as->cached = cached;
	as->id = *id;
	as->all_next = all_spaces;
	all_spaces = as;
	if (cached) {
		as->next = spaces;
		spaces = as;
	}
	return as;
}

bool mapping_inode_mapped(uint64_t dev, uint64_t ino)
{
	for (struct address_space *as = all_spaces; as; as = as->all_next)
		if (as->id.dev == dev && as->id.ino == ino)
			return true;
	return false;
}

struct address_space *mapping_get(struct address_space *as)
{
	as->refcount++;
	return as;
}

void mapping_put(struct address_space *as)
{
	if (!as || --as->refcount > 0)
		return;
	for (struct address_space **p = &spaces; *p; p = &(*p)->next)
		if (*p == as) {
			*p = as->next;
			break;
		}
	for (struct address_space **p = &all_spaces; *p; p = &(*p)->all_next)
		if (*p == as) {
			*p = as->all_next;
			break;
		}
	close(as->host_fd);
	free(as);
}

/* Read one page of the file; a short read (EOF, or a file truncated since
 * it was mapped) leaves the rest of the fresh frame zero. */
static int fill_from_file(void *dst, const void *arg, uint64_t off)
{
	const struct address_space *as = arg;
	size_t done = 0;
	while (done < PAGE_SIZE) {
		ssize_t n = pread(as->host_fd, (char *)dst + done, PAGE_SIZE - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return 0;
}

int filemap_fault(struct address_space *as, uint64_t off, frame_t *out)
{
	/* While the file is mapped shared somewhere, its pages are those
	 * (copied on write by the caller), as in Linux: a private mapping
	 * sees stores through shared ones and write()s until it writes. */
	struct inode_pages *ip = inode_pages_find(as->id.dev, as->id.ino);
	if (ip && !inode_pages_fault(ip, off, out))
		return 0;
	bool cached = as->cached;
	if (off >= as->id.size) {
		/* Past EOF as the file was at mmap: SIGBUS if it still is,
		 * else the file grew since and the page is read now. */
		struct stat st;
		if (fstat(as->host_fd, &st) || off >= (uint64_t)st.st_size)
			return -EFAULT;
		cached = false;
	}
	if (!cached) {
		/* The file as it is now, however it changed since mmap. */
		frame_t f = frame_alloc();
		if (!f)
			return -ENOMEM;
		int r = fill_from_file(frame_ptr(f), as, off);
		if (r) {
			frame_put(f);
			return r;
		}
		*out = f;
		return 0;
	}
	return get_page(&as->id, off, fill_from_file, as, out);
}
