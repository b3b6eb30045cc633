#include "kernelmodel/inode.h"
#include "kernelmodel/pagecache.h"

#include <errno.h>
#include <stdlib.h>

/* Inodes with a non-zero count: writers > 0, or denials (running mms) > 0. */
static struct icount {
	uint64_t dev, ino;
	int writers, denials;
} *v;
static size_t n, cap;

static struct icount *lookup(uint64_t dev, uint64_t ino, int create)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == dev && v[i].ino == ino)
			return &v[i];
	if (!create)
		return NULL;
	if (n == cap) {
		size_t c = cap ? cap * 2 : 32;
		struct icount *nv = realloc(v, c * sizeof(*nv));
		if (!nv)
			return NULL;
		v = nv;
		cap = c;
	}
	v[n] = (struct icount){dev, ino, 0, 0};
	return &v[n++];
}

static void forget_if_idle(struct icount *c)
{
	if (!c->writers && !c->denials)
		*c = v[--n];
}

int inode_deny_write_access(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 1);
	if (!c)
		return -ENOMEM;
	if (c->writers) {
		forget_if_idle(c);
		return -ETXTBSY;
	}
	c->denials++;
	return 0;
}

void inode_allow_write_access(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 0);
	if (c && c->denials) {
		c->denials--;
		forget_if_idle(c);
	}
}

int inode_get_write_access(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 1);
	if (!c)
		return -ENOMEM;
	if (c->denials) {
		forget_if_idle(c);
		return -ETXTBSY;
	}
	c->writers++;
	pagecache_inode_written(dev, ino);
	return 0;
}

void inode_put_write_access(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 0);
	if (c && c->writers) {
		c->writers--;
		forget_if_idle(c);
	}
	pagecache_inode_written(dev, ino);
}

int inode_writers(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 0);
	return c ? c->writers : 0;
}

int inode_write_denied(uint64_t dev, uint64_t ino)
{
	struct icount *c = lookup(dev, ino, 0);
	return c && c->denials;
}
