#include "kernelmodel/shmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct shmem *shmem_alloc(void)
{
	struct shmem *s = calloc(1, sizeof(*s));
	if (s)
		s->refcount = 1; /* the caller's (the first VMA) */
	return s;
}

struct shmem *shmem_get(struct shmem *s)
{
	s->refcount++;
	return s;
}

void shmem_put(struct shmem *s)
{
	if (!s)
		return;
	if (--s->refcount == 1 && s->detached) {
		s->detached(s->owner);
		return;
	}
	if (s->refcount > 0)
		return;
	for (uint64_t i = 0; i < s->cap; i++)
		if (s->frames[i])
			frame_put(s->frames[i]);
	free(s->frames);
	free(s);
}

int shmem_frame(struct shmem *s, uint64_t idx, frame_t *out)
{
	if (idx >= s->cap) {
		uint64_t cap = s->cap ? s->cap : 16;
		while (cap <= idx)
			cap *= 2;
		frame_t *f = realloc(s->frames, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		memset(f + s->cap, 0, (cap - s->cap) * sizeof(*f));
		s->frames = f;
		s->cap = cap;
	}
	if (!s->frames[idx] && !(s->frames[idx] = frame_alloc()))
		return -ENOMEM;
	*out = s->frames[idx];
	return 0;
}

void shmem_punch(struct shmem *s, uint64_t idx, uint64_t n)
{
	for (uint64_t i = idx; i < idx + n && i < s->cap; i++) {
		if (!s->frames[i])
			continue;
		frame_before_host_write(s->frames[i]);
		memset(frame_ptr(s->frames[i]), 0, PAGE_SIZE);
	}
}
