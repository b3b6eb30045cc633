/* struct mm: an address space (Linux mm_struct). VMAs describe what is
 * mapped; a 4-level page table maps guest pages to frames, filled on demand by
 * mm_fault() (the emulator's TLB-fill hook calls it). CLONE_VM shares an mm;
 * fork duplicates it copy-on-write with mm_dup(). */
#ifndef KERNELMODEL_MM_H
#define KERNELMODEL_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernelmodel/frame.h"

typedef uint64_t gva_t; /* guest virtual address: never dereference it */

#define TASK_SIZE 0x7ffffffff000ul  /* end of user space, as on x86_64 Linux */
#define STACK_TOP TASK_SIZE
#define STACK_RESERVE (8ul << 20)    /* RLIMIT_STACK default */
#define MMAP_BASE 0x7ffff7fff000ul   /* top of the mmap area (no ASLR, like setarch -R) */
#define MMAP_MIN_ADDR 0x10000ul      /* vm.mmap_min_addr */
#define STACK_GUARD_GAP (256ul << 12) /* stack_guard_gap: 256 pages */

/* Access kinds for mm_fault and the permission bits of a VMA (PROT_* values). */
enum mm_access { MM_READ = 1, MM_WRITE = 2, MM_EXEC = 4 };

/* vma->flags */
#define VMA_SHARED 0x1       /* MAP_SHARED: fork shares frames instead of COW */
#define VMA_ANON 0x2         /* no file behind it */
#define VMA_STACK 0x4        /* the main stack, "[stack]" */
#define VMA_HEAP 0x8         /* the brk area, "[heap]" */
#define VMA_DONTFORK 0x10    /* MADV_DONTFORK: not present in the child */
#define VMA_WIPEONFORK 0x20  /* MADV_WIPEONFORK: zero-filled in the child */
#define VMA_GROWSDOWN 0x40
#define VMA_NOWRITE 0x80     /* MAP_SHARED of a file not open for writing (no
			      * VM_MAYWRITE): mprotect(PROT_WRITE) is EACCES */
#define VMA_LOCKED 0x100     /* mlock: its pages stay in memory (VM_LOCKED) */
#define VMA_ACCOUNT 0x200    /* VM_ACCOUNT: charged as private writable memory
			      * (mmap or mprotect made it so); kept when made
			      * read-only unless anonymous and never written
			      * (mprotect_fixup), so a RELRO does not merge
			      * with the read-only mapping before it */
#define VMA_NORESERVE 0x400  /* MAP_NORESERVE (VM_NORESERVE): never charged */

struct shmem;
struct address_space;
struct inode_pages;

struct vma {
	gva_t start, end; /* [start, end), page aligned */
	int prot;         /* PROT_READ | PROT_WRITE | PROT_EXEC */
	int flags;        /* VMA_* */
	uint64_t pgoff;   /* file offset of start, for /proc/pid/maps */
	uint64_t dev, ino;
	char *name;       /* file path or NULL (owned) */
	struct shmem *shm; /* MAP_SHARED anonymous: the pages (a reference) */
	uint64_t shm_pgoff; /* page index in shm of start */
	struct address_space *mapping; /* private file mapping: the file's pages
					* at pgoff, copied on write (a reference) */
	struct inode_pages *pages; /* MAP_SHARED file mapping: the file's pages
				    * at pgoff, shared (a reference, counted
				    * in maywrite unless VMA_NOWRITE) */
};

/* Fault details recorded by mm_fault for the signal's si_addr and si_code. */
struct mm_fault_info {
	gva_t addr;
	int access;
	int si_code; /* SEGV_MAPERR or SEGV_ACCERR; BUS_ADRERR with bus */
	bool bus;    /* SIGBUS: a shared file page past EOF (or unreadable) */
};

struct mm {
	int refcount; /* one per task using this mm (CLONE_VM shares) */
	uint64_t *pgd; /* 512 entries; see mm.c for the PTE format */
	struct vma *vmas; /* sorted by start, non-overlapping */
	size_t nvmas, cap;
	gva_t start_brk, brk;
	gva_t start_data, end_data; /* the program's last PT_LOAD's file bytes (RLIMIT_DATA's brk check) */
	gva_t mmap_base;
	gva_t start_stack;
	gva_t arg_start, arg_end, env_start, env_end;
	uint64_t pages_copied; /* COW copies made on behalf of this mm */
	uint64_t exe_dev, exe_ino; /* the program it runs (exe_denied: writes refused) */
	bool exe_denied;
	bool lock_future; /* mlockall(MCL_FUTURE): new mappings are locked */
	int dumpable;     /* PR_GET_DUMPABLE: SUID_DUMP_USER, or fs.suid_dumpable after an id change */
	int thp_disable;  /* PR_GET_THP_DISABLE's value (MMF_DISABLE_THP_*): fork and exec keep it */
	struct mm_fault_info last_fault;
	struct mm *all_prev, *all_next; /* every live mm (truncation unmaps in all) */
};

/* Hook the emulator installs: flush the CPU's TLB when a page table changes
 * in a way that removes or narrows access; @dying: the mm is being freed. */
void mm_set_tlb_flush_hook(void (*hook)(struct mm *mm, bool dying));

/* A new, empty mm with refcount 1. NULL on ENOMEM. */
struct mm *mm_alloc(void);
/* Returns @mm with its refcount raised (CLONE_VM). */
struct mm *mm_get(struct mm *mm);
/* Drops a reference; the last one frees page table, frames and VMAs. */
void mm_put(struct mm *mm);
/* fork: a new mm (refcount 1) with the same VMAs; private pages shared
 * copy-on-write, MAP_SHARED pages shared, DONTFORK left out, WIPEONFORK
 * empty. Returns NULL on ENOMEM. */
struct mm *mm_dup(struct mm *old);

/* Record the program @mm runs and refuse writers to it while @mm lives
 * (Linux's exe_file). 0 or -ETXTBSY when the file is open for writing. */
int mm_set_exe(struct mm *mm, uint64_t dev, uint64_t ino);

/* Linux mmap semantics for the VMA part (flags are MAP_* values; MAP_FIXED,
 * MAP_FIXED_NOREPLACE, MAP_SHARED/PRIVATE, MAP_ANONYMOUS, MAP_GROWSDOWN
 * honoured; MAP_POPULATE/NORESERVE/STACK hints accepted). Pages are filled
 * lazily with zeroes; a caller mapping a file writes its bytes with mm_poke.
 * @name is copied. Returns the address or -errno. */
long mm_mmap(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags, const char *name,
	     uint64_t pgoff);
/* What a file mapping maps: name, offset, device and inode for
 * /proc/<pid>/maps and, with @mapping, where its pages come from. */
struct mm_file {
	const char *name;
	uint64_t pgoff, dev, ino;
	struct address_space *mapping; /* borrowed (the VMAs take references);
					* NULL: pages start zero, the caller
					* writes the file's bytes */
	struct inode_pages *pages; /* MAP_SHARED: the file's shared pages
				    * (borrowed; the VMAs take references) */
	bool maywrite; /* with pages or shm: the file is open for writing */
	struct shmem *shm; /* MAP_SHARED of a shmem object from page 0 (SysV
			    * shmat; borrowed, the VMAs take references) */
};
/* mm_mmap of a file. With @file->mapping (MAP_PRIVATE only, else -EINVAL)
 * pages are filled on first touch from the page cache: shared copy-on-write
 * with every other mapping of the file, zero after EOF. With @file->pages
 * (MAP_SHARED or MAP_SHARED_VALIDATE only) they are the file's own pages
 * (filemap.h); without maywrite PROT_WRITE is -EACCES, now and in mprotect. */
long mm_mmap_file(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags,
		  const struct mm_file *file);
long mm_munmap(struct mm *mm, gva_t addr, uint64_t len);
long mm_mprotect(struct mm *mm, gva_t addr, uint64_t len, int prot);
long mm_mremap(struct mm *mm, gva_t old, uint64_t old_len, uint64_t new_len, int flags, gva_t new_addr);
long mm_brk(struct mm *mm, gva_t brk);
long mm_madvise(struct mm *mm, gva_t addr, uint64_t len, int advice);
/* msync: checks as Linux (EINVAL, ENOMEM for unmapped parts), and with
 * MS_SYNC the shared file pages in the range written to the file. */
long mm_msync(struct mm *mm, gva_t addr, uint64_t len, int flags);
/* Bytes of @mm's mappings that are locked (VmLck). */
uint64_t mm_locked_bytes(const struct mm *mm);
/* mlock/munlock (@lock false) of [addr, addr + len) (mm/mlock.c's
 * do_mlock and apply_vma_lock_flags): the VMAs up to the first hole change,
 * then -ENOMEM for the hole; locking counts against @limit bytes unless
 * @capable (CAP_IPC_LOCK) and brings the pages in (-ENOMEM when over). */
long mm_mlock(struct mm *mm, gva_t addr, uint64_t len, bool lock, uint64_t limit, bool capable);
/* mlockall(MCL_CURRENT) / munlockall: every VMA locked (pages brought in)
 * or unlocked. */
long mm_mlock_all(struct mm *mm, bool lock);
/* mincore(2) for @npages pages at page-aligned @addr: @vec[i] = 1 when page
 * i is in memory (a present PTE, or a page of a file or shared object).
 * -ENOMEM when part of the range is not mapped. */
long mm_mincore(struct mm *mm, gva_t addr, uint64_t npages, uint8_t *vec);
/* A guest truncated inode @dev/@ino to @size bytes: the pages of its
 * mappings (shared or private) now wholly past EOF leave every page table,
 * so the next access faults (SIGBUS) instead of reaching the host's
 * mapping of a page that is gone. */
void mm_file_truncated(uint64_t dev, uint64_t ino, uint64_t size);
/* ---- limits (mm_limits.c) ---- */
/* The current task's soft limit for @resource (RLIMIT_AS, RLIMIT_DATA,
 * RLIMIT_STACK), through the hook the task layer installs (@max: the hard
 * limit); RLIM_INFINITY without one. */
void mm_set_rlimit_hook(uint64_t (*hook)(int resource, bool max));
uint64_t mm_rlimit(int resource);
/* is_data_mapping(): private, writable, not growing down (RLIMIT_DATA counts it). */
bool mm_is_data(int prot, int vma_flags);
/* may_expand_vm(): may @mm grow by @npages of a mapping with @prot and
 * VMA_* @vma_flags under RLIMIT_AS and (data mappings) RLIMIT_DATA? */
bool mm_may_expand_vm(const struct mm *mm, int prot, int vma_flags, uint64_t npages);
/* check_data_rlimit() for a brk at @brk: true when over RLIMIT_DATA. */
bool mm_brk_over_data_limit(const struct mm *mm, gva_t brk);
/* A fault at @addr below a VMA_GROWSDOWN mapping: expand_downwards() with
 * the guard gap, RLIMIT_STACK and RLIMIT_AS. The grown VMA, or NULL. */
struct vma *mm_expand_stack(struct mm *mm, gva_t addr);
/* arch_pick_mmap_layout()'s top of the mmap area for a stack limit of
 * @rlim_stack bytes, @rnd bytes lower. */
gva_t mm_mmap_base(uint64_t rlim_stack, uint64_t rnd);

/* mincore-like query used by /proc and tests: the VMA containing @addr or NULL. */
const struct vma *mm_find_vma(const struct mm *mm, gva_t addr);

/* The TLB-fill path: translate @addr for @access. On success stores the
 * physical address of the page and the permissions (MM_* bits) the CPU may
 * cache, and returns 0. Demand-allocates zero pages and breaks COW on write.
 * Returns -EFAULT (no mapping: SEGV_MAPERR) or -EACCES (SEGV_ACCERR) and
 * records mm->last_fault; -ENOMEM when the frame pool is exhausted. The
 * caller that caches an entry allowing MM_EXEC marks the frame
 * (frame_mark_exec), so that rewriting or freeing it drops translations. */
int mm_fault(struct mm *mm, gva_t addr, int access, uint64_t *paddr, int *perms);

/* copy_{to,from}_guest: like the kernel's copy_{to,from}_user, checked
 * against the VMAs' permissions. Return 0 or -EFAULT. */
int copy_from_guest(struct mm *mm, void *dst, gva_t src, size_t n);
int copy_to_guest(struct mm *mm, gva_t dst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most @max bytes including the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL fits. */
long strncpy_from_guest(struct mm *mm, char *dst, gva_t src, size_t max);
/* Kernel-side write ignoring VMA protection (loader, file mmap, exec stack):
 * the range must lie in VMAs. Returns 0 or -EFAULT/-ENOMEM. */
int mm_poke(struct mm *mm, gva_t dst, const void *src, size_t n);
/* Read @n bytes at @src the way a debugger does (FOLL_FORCE): also from
 * mappings the guest made unreadable. 0 or -EFAULT. */
int mm_peek(struct mm *mm, void *dst, gva_t src, size_t n);
/* Zero-fill [dst, dst+n) with kernel rights (bss tails). */
int mm_clear(struct mm *mm, gva_t dst, size_t n);

/* Fault in [addr, addr+len) for @access (MM_READ: the host will read guest
 * memory; MM_WRITE: the host will write it) and describe it as host iovecs
 * into the frames, merging adjacent frames, at most @max entries. Returns
 * the number of entries and the bytes covered in *@covered (less than @len
 * only when @max ran out), or -EFAULT/-ENOMEM. The iovecs stay valid until
 * the next change to this mm. */
struct iovec;
int mm_pin_iov(struct mm *mm, gva_t addr, size_t len, int access, struct iovec *iov, int max,
	       size_t *covered);

/* ... but a range that is mapped only in part gives the part that is
 * (*@covered < @len, possibly 0 entries): what a kernel copy that stops at
 * the first fault moves (copy_page_{to,from}_iter). -EFAULT only when the
 * range is not below TASK_SIZE (access_ok). */
int mm_pin_iov_prefix(struct mm *mm, gva_t addr, size_t len, int access, struct iovec *iov,
		      int max, size_t *covered);

/* The host's image of a guest fault, for copies made later than the pin
 * (sockets: the protocol copies, or the host kernel does): a page of
 * cloneemu's that is never accessible (PROT_NONE), right after
 * MM_FAULT_STAGING accessible bytes. A host iovec at mm_fault_base() ends
 * a list at the first byte of guest memory that could not be reached: the
 * host kernel faults there (EFAULT after what came before, as the guest's
 * kernel would), and the model's copies stop there (iov_copy). Bytes
 * staged just before it (a setsockopt value mapped only in part) are read
 * up to the fault. NULL if it could not be mapped (the host still faults
 * on NULL). */
#define MM_FAULT_STAGING (16 * 4096)
void *mm_fault_base(void);

/* copy_to_user's count: the bytes stored before the first fault. */
size_t copy_to_guest_prefix(struct mm *mm, gva_t dst, const void *src, size_t n);
/* put_user: all @n bytes or none (a single store); copy_to_guest writes up
 * to the first fault, as copy_to_user does. 0 or -EFAULT. */
int put_guest(struct mm *mm, gva_t dst, const void *src, size_t n);

/* Count of pages currently present in the page table (tests, inspection). */
uint64_t mm_resident_pages(const struct mm *mm);

#endif
