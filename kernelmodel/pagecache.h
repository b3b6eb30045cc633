/* The page cache of executable images: a file page that several execs load
 * is one frame, mapped copy-on-write into each mm. Besides saving the copy
 * and the memory, the frame keeps its physical address, so code translated
 * for one process is reused by the next (fork+exec of the same program).
 * Entries are keyed by the file's identity (device, inode, size, mtime):
 * a changed file gets new entries. */
#ifndef KERNELMODEL_PAGECACHE_H
#define KERNELMODEL_PAGECACHE_H

#include <stdint.h>

#include "kernelmodel/frame.h"

struct file_id {
	uint64_t dev, ino, size, mtime_ns;
};

#define PAGECACHE_MAX_PAGES 32768 /* 128 MiB: beyond this the cache starts over */

/* The frame holding file page @off (page aligned) whose bytes are @bytes
 * (PAGE_SIZE of them), from the cache or filled now. Returns it with a new
 * reference for the caller, or 0 when no frame is left. */
frame_t pagecache_get(const struct file_id *id, uint64_t off, const void *bytes);
/* Drop every cached page (tests, exit). */
void pagecache_drop(void);

#endif
