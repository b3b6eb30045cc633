/* struct shmem: the backing object of a MAP_SHARED anonymous mapping (Linux's
 * shmem inode). Its frames are the pages themselves, allocated on first
 * touch and shared by every mm mapping it, so a page nobody touched before
 * fork is still the same page in parent and child. */
#ifndef KERNELMODEL_SHMEM_H
#define KERNELMODEL_SHMEM_H

#include <stdint.h>

#include "kernelmodel/frame.h"

struct shmem {
	int refcount; /* one per VMA referring to it (+1 for a SysV segment) */
	uint64_t cap;  /* entries in frames[] */
	frame_t *frames; /* 0: not yet touched */
	/* A SysV shm segment (ipc/shm.c) holds one reference of its own, so
	 * its attach count is refcount - 1; when the last VMA goes,
	 * detached(owner) runs (it may drop the segment's reference). */
	void *owner;
	void (*detached)(void *owner);
};

/* An empty object with refcount 1; NULL on ENOMEM. */
struct shmem *shmem_alloc(void);
struct shmem *shmem_get(struct shmem *s);
/* Drops a reference; the last one releases the frames. */
void shmem_put(struct shmem *s);
/* The frame of page @idx, allocated (zeroed) on first use; the object keeps
 * its own reference. Returns 0 or -ENOMEM. */
int shmem_frame(struct shmem *s, uint64_t idx, frame_t *out);
/* MADV_REMOVE: pages [idx, idx+n) read as zero from now on. */
void shmem_punch(struct shmem *s, uint64_t idx, uint64_t n);

#endif
