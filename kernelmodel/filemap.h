/* The pages of a host file as its shared mappings see them (Linux's
 * inode->i_mapping for MAP_SHARED): one struct inode_pages per host inode,
 * shared by every MAP_SHARED VMA of the file in every mm, whoever mapped it
 * and however (fork, or separate mmaps in unrelated processes).
 *
 * Its pages live in file runs of the frame pool (frame.c): host MAP_SHARED
 * mappings of the file at the frames' host addresses. So there is no copy
 * and nothing to write back: a guest's store through the mapping is in the
 * host's page cache at once, where the emulator's read/write/pread/pwrite
 * of the file (plain host calls), other host processes and msync find it,
 * and a guest's write() or a host program's is in the mapping at once.
 * What the model adds is Linux's view of the file's size: a page wholly
 * past EOF is SIGBUS (BUS_ADRERR), and a guest's truncation unmaps such
 * pages from every page table (mm_file_truncated) before a CPU can touch
 * them. Private mappings of the file take its frames copy-on-write while
 * it exists (pagecache.c), so they too see writes until they write. */
#ifndef KERNELMODEL_FILEMAP_H
#define KERNELMODEL_FILEMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/frame.h"

struct inode_pages {
	int refcount;      /* VMAs mapping it shared, plus temporary holders */
	int maywrite;      /* of the VMAs, those that may be made writable */
	uint64_t dev, ino;
	int host_fd;       /* our own descriptor (close-on-exec, above 2) */
	int ro_fd;         /* a read-only one for read-only runs (seals), or -1 */
	bool fd_writable;  /* opened for writing: runs can be mapped PROT_WRITE */
	bool runs_writable; /* the runs' host mappings allow writes */
	bool exec;         /* a page was mapped executable: file writes drop translations */
	uint64_t size;     /* the file's size when last looked at */
	/* file run index -> first frame of its run: open addressing */
	struct run_slot {
		uint64_t idx;
		frame_t first; /* 0: empty */
	} *runs;
	uint64_t nslots, nruns;
	struct inode_pages *next;
};

/* The pages of inode @dev/@ino, open as host descriptor @host_fd (stays the
 * caller's; @fd_writable: open for writing): the existing object or a new
 * one, with a new reference (counted in maywrite with @maywrite, which
 * needs @fd_writable: the runs are then mapped writable). 0, -ENOMEM,
 * -EMFILE, or the host's error remapping the runs. */
int inode_pages_open(int host_fd, bool fd_writable, bool maywrite, uint64_t dev, uint64_t ino,
		     struct inode_pages **out);
/* Another reference (a VMA copied: split, fork, mremap). */
struct inode_pages *inode_pages_get(struct inode_pages *ip, bool maywrite);
/* Drops a reference; the last one lets go of the runs (frames still in
 * page tables live on) and the descriptor. NULL is a no-op. */
void inode_pages_put(struct inode_pages *ip, bool maywrite);
/* The live object for @dev/@ino, or NULL (borrowed). */
struct inode_pages *inode_pages_find(uint64_t dev, uint64_t ino);

/* A fault on file page @off (page aligned): the frame that shows it, with a
 * new reference for the caller. -EFAULT when the page lies wholly past EOF
 * (the file's size is looked at again before saying so): SIGBUS.
 * -ENOMEM when no run is left, or the host's mmap error. */
int inode_pages_fault(struct inode_pages *ip, uint64_t off, frame_t *out);
/* The file's size now (fstat); kept in ip->size. */
uint64_t inode_pages_refresh_size(struct inode_pages *ip);
/* msync(MS_SYNC) of the file pages [@off, @off+@len) present in runs. 0 or -errno. */
int inode_pages_sync(struct inode_pages *ip, uint64_t off, uint64_t len);
/* A guest wrote the file through a descriptor: translated code of its
 * pages is dropped (if any page was ever mapped executable). */
void inode_pages_written(uint64_t dev, uint64_t ino);
/* MADV_REMOVE: punch a hole in the file (FALLOC_FL_PUNCH_HOLE). 0 or -errno. */
int inode_pages_punch(struct inode_pages *ip, uint64_t off, uint64_t len);
/* fcntl(F_ADD_SEALS) of host descriptor @host_fd (inode @dev/@ino): the
 * host's seals, with the model's answer to F_SEAL_WRITE while a VMA may
 * write a shared mapping of the file (EBUSY). 0 or -errno. */
int memfd_add_seals(int host_fd, uint64_t dev, uint64_t ino, int seals);

#endif
