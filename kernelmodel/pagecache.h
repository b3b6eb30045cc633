/* The page cache: a file page that several processes map is one frame,
 * mapped copy-on-write into each mm. The segments execve maps
 * (loader/elf.c) and private file mappings (mmap) share it, both through
 * struct address_space. Besides saving the
 * copy and the memory, the frame keeps its physical address, so code
 * translated for one process is reused by the next (fork+exec of the same
 * program, the same libc in every process of a pipeline).
 * Entries are keyed by the file's identity (device, inode, size, mtime):
 * a changed file gets new entries. A page's contents are the file's bytes
 * at its offset, zero after the end of the file. */
#ifndef KERNELMODEL_PAGECACHE_H
#define KERNELMODEL_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/frame.h"

struct file_id {
	uint64_t dev, ino, size, mtime_ns;
};

/* 128 MiB, and at most a quarter of the frame pool: beyond this the cache
 * starts over (frames still mapped live on in their page tables). */
#define PAGECACHE_MAX_PAGES 32768

/* A guest opened inode @dev/@ino for writing, or closed it: pages cached
 * so far may no longer be the file's (a rewrite can keep size and mtime),
 * so they are not handed out again. Existing mappings keep theirs. */
void pagecache_inode_written(uint64_t dev, uint64_t ino);
/* Drop every cached page (tests, exit). Mapped frames live on in the page
 * tables that hold them. */
void pagecache_drop(void);

/* The pages of one version of a file, as private file mappings see them
 * (Linux's address_space behind vma->vm_file): the file's identity and a
 * host descriptor to read pages from on a fault. A cached one is shared by
 * every VMA mapping that identity (a reference each, across fork too) and
 * its pages are the page cache's. An uncached one (the file is open for
 * writing: it may change under its identity) belongs to one mmap and reads
 * a private copy of the page on each first touch. */
struct address_space {
	int refcount;
	bool cached;
	struct file_id id;
	int host_fd; /* our own descriptor: the guest may close its own */
	struct address_space *next; /* list of live cached ones, to share by identity */
	struct address_space *all_next; /* list of every live one */
};

/* The address_space of file @id, open as host descriptor @host_fd (which
 * stays the caller's): with @cached an existing one for the same identity
 * if there is one; else a new one reading from a duplicate of @host_fd.
 * Returns a new reference, or NULL (ENOMEM, no descriptor left). */
struct address_space *mapping_open(const struct file_id *id, int host_fd, bool cached);
struct address_space *mapping_get(struct address_space *as);
/* Drops a reference; the last one closes the descriptor. NULL is a no-op. */
void mapping_put(struct address_space *as);
/* Does a live address_space map inode @dev/@ino? (a truncation has work) */
bool mapping_inode_mapped(uint64_t dev, uint64_t ino);

/* A fault on file page @off (page aligned) of @as: the frame with the
 * file's bytes there, zero after EOF in the last page; while the file is
 * mapped shared, its shared page (filemap.h); else a cached space's comes
 * from the page cache (read on a miss), an uncached space's (or a page
 * past EOF at mmap time that the file has grown into since) is a new
 * frame read now. *@out gets a new reference. 0, -EFAULT when the page
 * lies wholly past EOF (SIGBUS), -ENOMEM, or -EIO when the read fails. */
int filemap_fault(struct address_space *as, uint64_t off, frame_t *out);

#endif
