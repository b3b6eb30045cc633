/* The ELF loader, after Linux fs/binfmt_elf.c load_elf_binary() and
 * create_elf_tables() and fs/exec.c do_execveat_common(), with no address
 * randomization (as under `setarch -R`).
 *
 * elf_load_image() validates the headers and maps every PT_LOAD into the
 * mm (a file's as private mappings of it, an in-memory image's copied); elf_setup_stack() maps "[stack]" and writes
 * the strings, argc/argv/envp and the auxiliary vector. Every offset and size
 * read from the file is checked before use: a guest file must never crash
 * the emulator (STYLE.md E3). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/elf.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/inode.h"
#include "kernelmodel/pagecache.h"
#include "kernelmodel/rr.h"

/* load_elf_phdrs(): the program header table may not exceed 64 KiB. */
#define ELF_MAX_PHDR_BYTES 65536u
/* No x86_64 user space is this big: a larger p_memsz is a broken file. */
#define ELF_ABSURD_MEMSZ (1ull << 40)
/* We read the whole file into memory; refuse anything bigger. */
#define ELF_MAX_FILE_BYTES (1ull << 32)
/* include/uapi/linux/binfmts.h: one argument or environment string. */
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)

#define PAGE_START(x) ((x)&PAGE_MASK)
#define PAGE_OFF(x) ((x) & (PAGE_SIZE - 1))
/* arch/x86/include/asm/elf.h: where a PIE with an interpreter goes. */
#define ELF_ET_DYN_BASE (TASK_SIZE / 3 * 2)

/* Auxiliary vector keys (include/uapi/linux/auxvec.h, asm/auxvec.h). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31
#define AT_MINSIGSTKSZ 51
#define AUXV_MAX_PAIRS 20 /* the 19 entries we emit plus AT_NULL */

/* One non-empty PT_LOAD, as validated by scan_phdrs(). */
struct seg {
	unsigned idx; /* index in the program header table, for messages */
	uint64_t vaddr, memsz, offset, filesz;
	int prot;
};

/* What scan_phdrs() learns besides the segments. */
struct phdr_scan {
	struct seg *segs;
	size_t nsegs;
	bool have_pt_phdr;
	uint64_t pt_phdr_vaddr;
	bool phdr_in_load; /* e_phoff lies inside some PT_LOAD's file bytes */
	uint64_t phdr_load_vaddr;
	bool exec_stack;
	const char *interp; /* PT_INTERP's path (inside the image), or NULL */
	uint64_t max_align; /* the largest power-of-two p_align of the PT_LOADs */
};

/* Format a one-line reason into @err (if any) and return @ret. */
static int __attribute__((format(printf, 4, 5)))
reject(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* elf_version() must be called once before any other libelf call. The
 * emulator runs all guests on one host thread, so a flag is enough. */
static bool libelf_ready(void)
{
	static int state; /* 0 unknown, 1 ok, -1 libelf too old */

	if (!state)
		state = elf_version(EV_CURRENT) == EV_NONE ? -1 : 1;
	return state > 0;
}

/* PF_R/W/X to PROT_*. x86_64 has no READ_IMPLIES_EXEC for 64-bit binaries. */
static int pflags_to_prot(uint32_t flags)
{
	int prot = 0;

	if (flags & PF_R)
		prot |= PROT_READ;
	if (flags & PF_W)
		prot |= PROT_WRITE;
	if (flags & PF_X)
		prot |= PROT_EXEC;
	return prot;
}

/* Check e_ident byte by byte, before libelf sees the image, so each defect
 * gets its own message. Returns 0 or -ENOEXEC. */
static int check_ident(const unsigned char *id, size_t size, char *err, size_t errlen)
{
	if (size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return reject(err, errlen, -ENOEXEC, "not an ELF file");
	if (size < EI_NIDENT)
		return reject(err, errlen, -ENOEXEC, "truncated ELF header");
	/* e_machine sits at the same offset in both classes. */
	if (id[EI_CLASS] == ELFCLASS32 && size >= 20 && id[18] == EM_386 && id[19] == 0)
		return reject(err, errlen, -ENOEXEC,
			      "a 32-bit x86 program (ELFCLASS32, EM_386): 32-bit x86 is not supported");
	if (id[EI_CLASS] != ELFCLASS64)
		return reject(err, errlen, -ENOEXEC, "not a 64-bit ELF (%s)",
			      id[EI_CLASS] == ELFCLASS32 ? "ELFCLASS32" : "bad EI_CLASS");
	if (id[EI_DATA] != ELFDATA2LSB)
		return reject(err, errlen, -ENOEXEC, "not little-endian (%s)",
			      id[EI_DATA] == ELFDATA2MSB ? "ELFDATA2MSB" : "bad EI_DATA");
	/* Linux ignores EI_VERSION, but libelf refuses anything else. */
	if (id[EI_VERSION] != EV_CURRENT)
		return reject(err, errlen, -ENOEXEC, "unsupported ELF version (EI_VERSION %u)",
			      id[EI_VERSION]);
	if (size < sizeof(Elf64_Ehdr))
		return reject(err, errlen, -ENOEXEC, "truncated ELF header");
	return 0;
}

/* The checks of load_elf_binary() and load_elf_phdrs() on the ELF header.
 * Returns 0 or -ENOEXEC. */
static int check_ehdr(const GElf_Ehdr *eh, size_t size, char *err, size_t errlen)
{
	uint64_t phbytes;

	if (eh->e_machine != EM_X86_64)
		return reject(err, errlen, -ENOEXEC, "not an x86-64 binary (e_machine %u)",
			      eh->e_machine);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return reject(err, errlen, -ENOEXEC, "not an executable (e_type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return reject(err, errlen, -ENOEXEC, "bad e_phentsize %u (expected %zu)",
			      eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return reject(err, errlen, -ENOEXEC, "no program headers");
	phbytes = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (phbytes > ELF_MAX_PHDR_BYTES)
		return reject(err, errlen, -ENOEXEC, "too many program headers (%u)", eh->e_phnum);
	if (eh->e_phoff > size || size - eh->e_phoff < phbytes)
		return reject(err, errlen, -ENOEXEC, "program headers outside the file");
	return 0;
}

/* PT_INTERP: the interpreter's path, as load_elf_binary() checks it (at
 * least 2 and at most PATH_MAX bytes inside the file, the last one NUL; the
 * path ends at the first NUL). Returns 0 or -ENOEXEC. */
static int read_interp(const GElf_Phdr *ph, const unsigned char *image, size_t size,
		       struct phdr_scan *sc, char *err, size_t errlen)
{
	if (ph->p_filesz > PATH_MAX || ph->p_filesz < 2)
		return reject(err, errlen, -ENOEXEC, "PT_INTERP of %" PRIu64 " bytes",
			      (uint64_t)ph->p_filesz);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return reject(err, errlen, -ENOEXEC, "PT_INTERP outside the file");
	const char *path = (const char *)image + ph->p_offset;
	if (path[ph->p_filesz - 1] != '\0')
		return reject(err, errlen, -ENOEXEC, "PT_INTERP is not NUL-terminated");
	sc->interp = path;
	return 0;
}

/* Validate one PT_LOAD and, if it occupies memory, append it to @sc.
 * Returns 0 or -ENOEXEC. */
static int add_load(struct phdr_scan *sc, unsigned idx, const GElf_Phdr *ph, size_t size, char *err,
		    size_t errlen)
{
	const struct seg *prev = sc->nsegs ? &sc->segs[sc->nsegs - 1] : NULL;
	struct seg *s;

	if (ph->p_filesz > ph->p_memsz)
		return reject(err, errlen, -ENOEXEC,
			      "segment %u: p_filesz 0x%" PRIx64 " exceeds p_memsz 0x%" PRIx64, idx,
			      (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	/* Linux: "Check to see if the section's size will overflow the allowed
	 * task size." Testing memsz first keeps vaddr + memsz from wrapping. */
	if (ph->p_memsz > ELF_ABSURD_MEMSZ || ph->p_vaddr >= TASK_SIZE ||
	    ph->p_memsz > TASK_SIZE - ph->p_vaddr)
		return reject(err, errlen, -ENOEXEC,
			      "segment %u is absurd (p_vaddr 0x%" PRIx64 " p_memsz 0x%" PRIx64 ")",
			      idx, (uint64_t)ph->p_vaddr, (uint64_t)ph->p_memsz);
	if (ph->p_filesz) {
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
			return reject(err, errlen, -ENOEXEC,
				      "segment %u: file bytes 0x%" PRIx64 "+0x%" PRIx64
				      " outside the file (size 0x%zx)",
				      idx, (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz, size);
		/* elf_map() mmaps the file at p_offset - PAGE_OFF(p_vaddr),
		 * which must be page aligned, or mmap fails. */
		if (PAGE_OFF(ph->p_offset) != PAGE_OFF(ph->p_vaddr))
			return reject(err, errlen, -ENOEXEC,
				      "segment %u: p_offset 0x%" PRIx64 " and p_vaddr 0x%" PRIx64
				      " differ modulo the page size",
				      idx, (uint64_t)ph->p_offset, (uint64_t)ph->p_vaddr);
	}
	/* elf_map() maps nothing for an empty segment. */
	if (!ph->p_memsz)
		return 0;
	/* Byte ranges must ascend without overlap; sharing a page is fine. */
	if (prev && ph->p_vaddr < prev->vaddr)
		return reject(err, errlen, -ENOEXEC,
			      "segment %u is below segment %u (PT_LOAD not in ascending order)",
			      idx, prev->idx);
	if (prev && ph->p_vaddr < prev->vaddr + prev->memsz)
		return reject(err, errlen, -ENOEXEC, "segment %u overlaps segment %u", idx,
			      prev->idx);

	s = &sc->segs[sc->nsegs++];
	s->idx = idx;
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->prot = pflags_to_prot(ph->p_flags);
	return 0;
}

/* Walk the program headers: PT_INTERP first (as load_elf_binary() does;
 * an interpreter's own PT_INTERP is ignored, as load_elf_interp() does),
 * then collect PT_LOADs, PT_PHDR and PT_GNU_STACK. @sc->segs must have room
 * for e_phnum entries. Returns 0 or -ENOEXEC. */
static int scan_phdrs(Elf *elf, const GElf_Ehdr *eh, const unsigned char *image, size_t size,
		      bool is_interp, struct phdr_scan *sc, char *err, size_t errlen)
{
	GElf_Phdr ph;
	unsigned i;
	int ret;

	for (i = 0; i < eh->e_phnum && !is_interp; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			return reject(err, errlen, -ENOEXEC, "unreadable program header %u (%s)", i,
				      elf_errmsg(-1));
		if (ph.p_type == PT_INTERP) {
			ret = read_interp(&ph, image, size, sc, err, errlen);
			if (ret)
				return ret;
			break;
		}
	}

	for (i = 0; i < eh->e_phnum; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			return reject(err, errlen, -ENOEXEC, "unreadable program header %u (%s)", i,
				      elf_errmsg(-1));
		switch (ph.p_type) {
		case PT_LOAD:
			ret = add_load(sc, i, &ph, size, err, errlen);
			if (ret)
				return ret;
			/* maximum_alignment(): powers of two only. */
			if (ph.p_align && !(ph.p_align & (ph.p_align - 1)) &&
			    ph.p_align > sc->max_align)
				sc->max_align = ph.p_align;
			/* fs/binfmt_elf.c: AT_PHDR is where the PT_LOAD
			 * holding e_phoff puts it. */
			if (!sc->phdr_in_load && ph.p_offset <= eh->e_phoff &&
			    eh->e_phoff - ph.p_offset < ph.p_filesz) {
				sc->phdr_in_load = true;
				sc->phdr_load_vaddr = ph.p_vaddr + (eh->e_phoff - ph.p_offset);
			}
			break;
		case PT_PHDR:
			if (!sc->have_pt_phdr) {
				sc->have_pt_phdr = true;
				sc->pt_phdr_vaddr = ph.p_vaddr;
			}
			break;
		case PT_GNU_STACK:
			sc->exec_stack = ph.p_flags & PF_X;
			break;
		}
	}
	if (!sc->nsegs)
		return reject(err, errlen, -ENOEXEC, "no PT_LOAD segment");
	return 0;
}

/* What the VMAs of one image map: with @as a private mapping of the file
 * (name, device, inode, offset, pages on first touch from @as), as Linux's
 * elf_map(); else anonymous memory named @name that fill_segments() fills. */
struct image_map {
	const char *name;
	uint64_t dev, ino;
	struct address_space *as;
};

/* Create the VMAs for the segments at @bias. Pages of two segments that
 * share a boundary page are mapped once, with the union of their
 * permissions. With a file, each segment's file pages are a private
 * mapping of the file and its bss past the last file page is anonymous
 * read-write memory (elf_load()'s vm_brk_flags, executable when the
 * segment is). Returns 0 or the mm's -errno. */
static int map_segments(struct mm *mm, const struct phdr_scan *sc, gva_t bias,
			const struct image_map *im, char *err, size_t errlen)
{
	gva_t mapped_end = 0; /* end of the highest mapping so far */
	int tail_prot = 0;    /* protection of the page just below mapped_end */
	size_t i;
	long r;

	for (i = 0; i < sc->nsegs; i++) {
		const struct seg *s = &sc->segs[i];
		gva_t start = PAGE_START(s->vaddr + bias);
		gva_t end = PAGE_ALIGN(s->vaddr + s->memsz + bias);
		/* The file pages: the rest is bss. */
		gva_t fend = !im->as     ? end
			     : s->filesz ? PAGE_ALIGN(s->vaddr + s->filesz + bias)
					 : start;
		int bss_prot = PROT_READ | PROT_WRITE | (s->prot & PROT_EXEC);

		if (start < mapped_end) {
			tail_prot |= s->prot;
			r = mm_mprotect(mm, mapped_end - PAGE_SIZE, PAGE_SIZE, tail_prot);
			if (r < 0)
				return reject(err, errlen, (int)r,
					      "cannot protect the page shared by segment %u (%s)",
					      s->idx, strerror((int)-r));
			start = mapped_end;
		}
		if (start >= end)
			continue;
		r = 0;
		if (start < fend) {
			struct mm_file f = {
				.name = im->name,
				.pgoff = PAGE_START(s->offset) + (start - PAGE_START(s->vaddr + bias)),
				.dev = im->dev,
				.ino = im->ino,
				.mapping = im->as,
			};
			r = mm_mmap_file(mm, start, fend - start, s->prot,
					 MAP_FIXED | MAP_PRIVATE | (im->as ? 0 : MAP_ANONYMOUS), &f);
			tail_prot = s->prot;
		}
		if (r >= 0 && fend < end) {
			gva_t bss = fend > start ? fend : start;
			r = mm_mmap(mm, bss, end - bss, bss_prot,
				    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
			tail_prot = bss_prot;
		}
		if (r < 0)
			return reject(err, errlen, (int)r,
				      "cannot map segment %u at 0x%" PRIx64 "-0x%" PRIx64 " (%s)",
				      s->idx, start, end, strerror((int)-r));
		mapped_end = end;
	}
	return 0;
}

/* Write what the VMAs do not show by themselves. Without a file mapping,
 * each segment's file bytes (the first page also shows the file bytes in
 * front of p_offset, as Linux's file mapping does, except where the previous
 * segment's bytes live) and zeroes up to p_memsz in the last file page.
 * With one, only the part of a page that a segment shares with the previous
 * one (mapped for that one), and padzero(): the rest of the last file page
 * of a writable segment with a bss is zero. Returns 0 or -errno. */
static int fill_segments(struct mm *mm, const struct phdr_scan *sc, const unsigned char *image,
			 gva_t bias, bool file, char *err, size_t errlen)
{
	gva_t prev_end = 0;
	size_t i;
	int r;

	for (i = 0; i < sc->nsegs; i++) {
		const struct seg *s = &sc->segs[i];
		gva_t va = s->vaddr + bias;

		if (s->filesz) {
			uint64_t head = PAGE_OFF(s->vaddr); /* == PAGE_OFF(s->offset) */
			uint64_t len;
			bool shared = va - head < prev_end;

			if (shared)
				head = va - prev_end;
			if (file) {
				/* The shared page only (or nothing). */
				uint64_t room = shared ? PAGE_ALIGN(prev_end) - prev_end : 0;
				len = head + s->filesz < room ? head + s->filesz : room;
			} else {
				len = head + s->filesz;
			}
			r = len ? mm_poke(mm, va - head, image + s->offset - head, len) : 0;
			if (r)
				return reject(err, errlen, r, "cannot write segment %u (%s)",
					      s->idx, strerror(-r));
		}
		if (s->memsz > s->filesz && (!file || (s->prot & PROT_WRITE))) {
			gva_t z = va + s->filesz;
			gva_t zend = PAGE_ALIGN(z);

			if (!file && zend > va + s->memsz)
				zend = va + s->memsz;
			r = zend > z ? mm_clear(mm, z, zend - z) : 0;
			if (r)
				return reject(err, errlen, r, "cannot clear bss of segment %u (%s)",
					      s->idx, strerror(-r));
		}
		prev_end = va + s->memsz;
	}
	return 0;
}

/* Address-space randomization, as Linux's PF_RANDOMIZE would do it but
 * drawn from the run's seed: seed 0 gives Linux's layout with randomization
 * off (setarch -R); any other seed one fixed, reproducible layout. */
static uint64_t layout_seed;
static bool no_randomize;

/* The execing task's RLIMIT_STACK: the mmap base, the argument limit and
 * the initial stack's size follow it. */
static uint64_t stack_limit = STACK_RESERVE;

void elf_set_stack_limit(uint64_t rlim)
{
	stack_limit = rlim;
}

void elf_set_no_randomize(bool v)
{
	no_randomize = v;
}

void elf_set_layout_seed(uint64_t seed)
{
	layout_seed = seed;
}

/* arch_mmap_rnd(): mmap_rnd_bits (28) bits of pages, from the seed. */
static uint64_t layout_rnd(uint64_t salt)
{
	if (!layout_seed || no_randomize)
		return 0;
	uint64_t z = layout_seed + salt * 0x9E3779B97F4A7C15ull; /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (z & ((1ull << 28) - 1)) << PAGE_SHIFT;
}

/* Pick the load bias. ET_EXEC loads where it says. A PIE with an
 * interpreter goes to ELF_ET_DYN_BASE (2/3 of the address space, plus the
 * random offset), aligned to its largest p_align, as load_elf_binary()
 * places it. A static-PIE ET_DYN and an ET_DYN interpreter are placed by
 * an mmap without MAP_FIXED over their whole span: the top of the mmap
 * area. The reservation is dropped again so the holes between segments
 * stay unmapped. Returns 0 or -errno. */
static int choose_bias(struct mm *mm, const GElf_Ehdr *eh, const struct phdr_scan *sc,
		       bool is_interp, gva_t *bias, char *err, size_t errlen)
{
	const struct seg *first = &sc->segs[0], *last = &sc->segs[sc->nsegs - 1];
	gva_t lo = PAGE_START(first->vaddr);
	uint64_t span = PAGE_ALIGN(last->vaddr + last->memsz) - lo;
	long r;

	*bias = 0;
	if (eh->e_type != ET_DYN)
		return 0;
	if (!is_interp && sc->interp) {
		gva_t base = ELF_ET_DYN_BASE + layout_rnd(2);
		if (sc->max_align > PAGE_SIZE)
			base &= ~(sc->max_align - 1);
		*bias = PAGE_START(base - first->vaddr);
		/* It must leave the stack its room: below the default top of
		 * the mmap area (which an unlimited stack moves below it). */
		if (span > MMAP_BASE || lo + *bias > MMAP_BASE - span)
			return reject(err, errlen, -ENOMEM,
				      "no room for the 0x%" PRIx64 "-byte image at 0x%" PRIx64, span,
				      lo + *bias);
		return 0;
	}
	r = mm_mmap(mm, 0, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (r < 0)
		return reject(err, errlen, (int)r, "no room for the 0x%" PRIx64 "-byte image (%s)",
			      span, strerror((int)-r));
	*bias = (gva_t)r - lo;
	r = mm_munmap(mm, (gva_t)r, span);
	if (r < 0)
		return reject(err, errlen, (int)r, "cannot drop the image reservation (%s)",
			      strerror((int)-r));
	return 0;
}

/* An ELF file's bytes: a read-only host mapping of it (or a copy for an
 * in-memory image), its name for the VMAs and its page-cache identity. */
struct elf_image {
	const unsigned char *bytes;
	size_t size;
	const char *name;          /* NULL: anonymous VMAs */
	const struct file_id *id;  /* NULL: no file (anonymous VMAs) */
	int fd;                    /* with id: the file, open for reading */
};

/* Map one image into @mm: the program (@is_interp false; sets brk and
 * reports PT_INTERP in out->interp) or its interpreter. */
static int load_image(struct mm *mm, const struct elf_image *img, bool is_interp,
		      struct elf_load_info *out, char *err, size_t errlen)
{
	const unsigned char *image = img->bytes;
	size_t size = img->size;
	struct elf_load_info info = {0};
	struct phdr_scan sc = {0};
	Elf *elf = NULL;
	GElf_Ehdr eh;
	gva_t bias;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ret = check_ident(image, size, err, errlen);
	if (ret)
		goto out;
	if (!libelf_ready()) {
		ret = reject(err, errlen, -ENOEXEC, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	/* elf_memory() wants a mutable image but only reads a native-endian
	 * one, which check_ident() guaranteed. */
	elf = elf_memory((char *)image, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		ret = reject(err, errlen, -ENOEXEC, "malformed ELF (libelf: %s)", elf_errmsg(-1));
		goto out;
	}
	ret = check_ehdr(&eh, size, err, errlen);
	if (ret)
		goto out;

	sc.segs = calloc(eh.e_phnum, sizeof(*sc.segs));
	if (!sc.segs) {
		ret = reject(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	ret = scan_phdrs(elf, &eh, image, size, is_interp, &sc, err, errlen);
	if (ret)
		goto out;
	/* BAD_ADDR(e_entry) is -EINVAL in Linux; check before touching the mm. */
	if (eh.e_entry >= TASK_SIZE) {
		ret = reject(err, errlen, -ENOEXEC, "entry point 0x%" PRIx64 " outside user space",
			     (uint64_t)eh.e_entry);
		goto out;
	}

	ret = choose_bias(mm, &eh, &sc, is_interp, &bias, err, errlen);
	if (ret)
		goto out;
	if (eh.e_entry + bias >= TASK_SIZE) {
		ret = reject(err, errlen, -ENOEXEC, "entry point 0x%" PRIx64 " outside user space",
			     (uint64_t)(eh.e_entry + bias));
		goto out;
	}
	/* elf_map(): private mappings of the file, whose pages come from the
	 * page cache (shared with every process running it) unless the file
	 * is open for writing. */
	struct image_map im = {img->name, 0, 0, NULL};
	if (img->id) {
		im.dev = img->id->dev;
		im.ino = img->id->ino;
		im.as = mapping_open(img->id, img->fd, !inode_writers(im.dev, im.ino));
		if (!im.as) {
			ret = reject(err, errlen, -ENOMEM, "cannot map the file (out of memory)");
			goto out;
		}
	}
	ret = map_segments(mm, &sc, bias, &im, err, errlen);
	mapping_put(im.as); /* the VMAs hold theirs */
	if (ret)
		goto out;
	ret = fill_segments(mm, &sc, image, bias, im.as != NULL, err, errlen);
	if (ret)
		goto out;

	info.entry = info.start = eh.e_entry + bias;
	info.load_bias = bias;
	if (sc.have_pt_phdr)
		info.phdr = sc.pt_phdr_vaddr + bias;
	else if (sc.phdr_in_load)
		info.phdr = sc.phdr_load_vaddr + bias;
	info.phnum = eh.e_phnum;
	info.phent = eh.e_phentsize;
	info.end_data = sc.segs[sc.nsegs - 1].vaddr + sc.segs[sc.nsegs - 1].memsz + bias;
	info.exec_stack = sc.exec_stack;
	if (sc.interp)
		snprintf(info.interp, sizeof(info.interp), "%s", sc.interp);
	if (!is_interp) {
		/* brk follows the program; a static PIE (a loader run directly,
		 * sitting in the mmap area) gets it at ELF_ET_DYN_BASE instead,
		 * where it has room to grow, as load_elf_binary() moves it. A
		 * seed moves it by up to 32 MiB, as arch_randomize_brk(). */
		gva_t brk = PAGE_ALIGN(info.end_data);
		if (eh.e_type == ET_DYN && !sc.interp)
			brk = PAGE_ALIGN(ELF_ET_DYN_BASE);
		mm->start_brk = mm->brk = brk + layout_rnd(3) % 0x2000000;
		/* load_elf_binary()'s start_data/end_data: the highest segment
		 * start and file end, which brk's RLIMIT_DATA check counts. */
		mm->start_data = mm->end_data = 0;
		for (size_t k = 0; k < sc.nsegs; k++) {
			if (sc.segs[k].vaddr + bias > mm->start_data)
				mm->start_data = sc.segs[k].vaddr + bias;
			if (sc.segs[k].vaddr + sc.segs[k].filesz + bias > mm->end_data)
				mm->end_data = sc.segs[k].vaddr + sc.segs[k].filesz + bias;
		}
	}
	*out = info;
out:
	free(sc.segs);
	elf_end(elf);
	return ret;
}

int elf_load_image(struct mm *mm, const void *image, size_t size, struct elf_load_info *info,
		   char *err, size_t errlen)
{
	struct elf_image img = {image, size, NULL, NULL, -1};
	return load_image(mm, &img, false, info, err, errlen);
}

/* Open @path as execve's do_open_execat() does (a regular file with an
 * execute bit; a directory is EACCES) and map its bytes read-only. Fills
 * @img (release with close_image()) and, for the VMAs' names, @name.
 * Returns 0 or -errno with the reason in @err. */
static int open_image_host(const char *path, struct elf_image *img, struct file_id *id,
			   char **name, char *err, size_t errlen)
{
	struct stat st;
	int ret = 0;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	/* stat before open: opening a FIFO for reading would block. */
	if (stat(path, &st) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			return reject(err, errlen, ret, "no such file");
		return reject(err, errlen, ret, "cannot stat (%s)", strerror(-ret));
	}
	if (S_ISDIR(st.st_mode))
		return reject(err, errlen, -EACCES, "is a directory");
	if (!S_ISREG(st.st_mode))
		return reject(err, errlen, -EACCES, "not a regular file");
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return reject(err, errlen, -EACCES, "no execute permission");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		return reject(err, errlen, ret, "cannot open (%s)", strerror(-ret));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = reject(err, errlen, -EACCES, "not a regular file");
	} else if ((uint64_t)st.st_size > ELF_MAX_FILE_BYTES) {
		ret = reject(err, errlen, -ENOMEM, "file too large (%" PRIu64 " bytes)",
			     (uint64_t)st.st_size);
	} else if (st.st_size > 0) {
		/* Only the pages the loader reads are brought in. */
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			ret = reject(err, errlen, -errno, "cannot map (%s)", strerror(errno));
		else
			img->bytes = p;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	img->fd = fd; /* for the file mappings */
	if (!img->bytes)
		img->bytes = (const unsigned char *)""; /* empty: "not an ELF file" */
	img->size = (size_t)st.st_size;
	/* The VMAs carry the file's name, as /proc/<pid>/maps shows it. */
	*name = realpath(path, NULL);
	img->name = *name ? *name : path;
	/* Pages of the same unchanged file are shared between execs. */
	*id = (struct file_id){st.st_dev, st.st_ino, (uint64_t)st.st_size,
			       (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
				       (uint64_t)st.st_mtim.tv_nsec};
	img->id = id;
	return 0;
}

static void close_image(struct elf_image *img)
{
	if (img->size)
		munmap((void *)img->bytes, img->size);
	if (img->fd >= 0)
		close(img->fd);
}

/* The loader reads executables itself, not through the log: a recording
 * keeps each one's result and a hash of its bytes, and a replay loads the
 * same files or is refused (rr_image). */
static int open_image(const char *path, struct elf_image *img, struct file_id *id, char **name,
		      char *err, size_t errlen)
{
	int ret = open_image_host(path, img, id, name, err, errlen);
	if (!rr_recording && !rr_replaying)
		return ret;
	long r = rr_image(path, ret, img->bytes, ret ? 0 : img->size);
	if (r == ret)
		return ret;
	if (!ret) { /* failed in the recording: fail alike */
		close_image(img);
		free(*name);
		*name = NULL;
	}
	return reject(err, errlen, (int)r, "%s (as recorded)", strerror((int)-r));
}

/* Load @path as a program (or, @is_interp, as an interpreter). */
static int load_file(struct mm *mm, const char *path, bool is_interp, struct elf_load_info *info,
		     char *err, size_t errlen)
{
	struct elf_image img;
	struct file_id id;
	char *name = NULL;
	int ret = open_image(path, &img, &id, &name, err, errlen);
	if (!ret) {
		/* load_elf_binary() reads the interpreter's ELF header with
		 * elf_read(), which fails with EIO on a shorter file. */
		if (is_interp && img.size < sizeof(Elf64_Ehdr))
			ret = reject(err, errlen, -EIO, "shorter than an ELF header");
		else
			ret = load_image(mm, &img, is_interp, info, err, errlen);
		close_image(&img);
	}
	free(name);
	return ret;
}

int elf_load_file(struct mm *mm, const char *path, struct elf_load_info *info, char *err,
		  size_t errlen)
{
	char why[256] = "", ipath[PATH_MAX];
	struct elf_load_info interp;

	if (err && errlen)
		err[0] = '\0';
	/* arch_pick_mmap_layout() for the new image. */
	mm->mmap_base = mm_mmap_base(stack_limit, 0) - layout_rnd(1);
	int ret = load_file(mm, path, false, info, err, errlen);
	if (ret || !info->interp[0])
		return ret;

	/* load_elf_binary(): the interpreter, under the sysroot if it has one. */
	fs_sysroot_path(info->interp, ipath, sizeof(ipath));
	ret = load_file(mm, ipath, true, &interp, why, sizeof(why));
	if (ret == -ENOEXEC)
		ret = -ELIBBAD; /* not ELF, another machine, broken headers */
	if (ret)
		return reject(err, errlen, ret, "interpreter %s: %s", ipath, why);
	info->start = interp.entry;
	info->interp_base = interp.load_bias;
	return 0;
}

/* Bytes a string takes on the stack, or 0 when it is longer than
 * MAX_ARG_STRLEN (copy_strings(): -E2BIG). */
static size_t arg_len(const char *s)
{
	size_t n = strnlen(s, MAX_ARG_STRLEN) + 1;

	return n > MAX_ARG_STRLEN ? 0 : n;
}

/* Push the string @s below *@pos; store its address in *@at. */
static int push_string(struct mm *mm, gva_t *pos, const char *s, size_t len, gva_t *at)
{
	*pos -= len;
	*at = *pos;
	return mm_poke(mm, *pos, s, len);
}

/* True if some VMA of @mm intersects [start, end). */
static bool range_in_use(const struct mm *mm, gva_t start, gva_t end)
{
	size_t i;

	for (i = 0; i < mm->nvmas; i++)
		if (mm->vmas[i].start < end && mm->vmas[i].end > start)
			return true;
	return false;
}

int elf_setup_stack(struct mm *mm, const struct elf_load_info *info,
		    const struct exec_stack_params *p, gva_t *sp)
{
	/* do_execveat_common() since 5.18: an empty argv becomes { "" }, so
	 * programs that start at argv[1] do not walk into envp. */
	static char *const empty_argv[] = {"", NULL};
	char *const *argv = p->argv;
	int argc = p->argc, envc = p->envc;
	gva_t stack_lo;
	uint64_t *table = NULL, *auxv;
	size_t strbytes, len, nwords, items, nauxv = 0;
	gva_t pos, execfn_at, platform_at = 0, random_at, arg_start, env_start, spv;
	int i, ret;
	long r;

	if (argc < 0 || envc < 0 || !p->execfn || (argc && !argv) || (envc && !p->envp))
		return -EINVAL;
	if (argc == 0) {
		argv = empty_argv;
		argc = 1;
	}

	/* bprm_stack_limits(): strings plus pointers get a quarter of the
	 * stack rlimit (at most 6 MiB, at least ARG_MAX's 128 KiB);
	 * copy_strings(): each string at most MAX_ARG_STRLEN. */
	uint64_t arg_limit = stack_limit / 4 < (6ul << 20) ? stack_limit / 4 : (6ul << 20);
	if (arg_limit < 32 * PAGE_SIZE)
		arg_limit = 32 * PAGE_SIZE;
	strbytes = arg_len(p->execfn);
	if (!strbytes)
		return -E2BIG;
	for (i = 0; i < argc + envc; i++) {
		const char *s = i < argc ? argv[i] : p->envp[i - argc];

		if (!s)
			return -EINVAL;
		len = arg_len(s);
		if (!len)
			return -E2BIG;
		strbytes += len;
	}
	if (strbytes + ((size_t)argc + envc) * sizeof(uint64_t) > arg_limit)
		return -E2BIG;

	/* setup_arg_pages(): the pages the strings took plus 128 KiB, at most
	 * the stack rlimit; it grows on faults below it (mm_expand_stack).
	 * The tables create_elf_tables() writes below the strings always fit. */
	uint64_t str_pages = PAGE_ALIGN(sizeof(uint64_t) + strbytes);
	uint64_t size = str_pages + (128ul << 10);
	if (size > (stack_limit & PAGE_MASK))
		size = stack_limit & PAGE_MASK;
	uint64_t need = PAGE_ALIGN(sizeof(uint64_t) + strbytes + 64 +
				   (1 + ((size_t)argc + 1) + ((size_t)envc + 1) + 2 * AUXV_MAX_PAIRS) *
					   sizeof(uint64_t));
	if (size < need)
		size = need;
	stack_lo = STACK_TOP - size;

	/* The loaded image must not sit where the stack goes: MAP_FIXED
	 * would silently replace it. */
	if (range_in_use(mm, stack_lo, STACK_TOP))
		return -ENOMEM;
	r = mm_mmap(mm, stack_lo, size,
		    PROT_READ | PROT_WRITE | (info->exec_stack ? PROT_EXEC : 0),
		    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, "[stack]", 0);
	if (r < 0)
		return (int)r;

	/* argc, argv[], NULL, envp[], NULL, then the auxv pairs. */
	items = 1 + ((size_t)argc + 1) + ((size_t)envc + 1);
	nwords = items + 2 * AUXV_MAX_PAIRS;
	table = calloc(nwords, sizeof(*table));
	if (!table)
		return -ENOMEM;

	/* fs/exec.c: bprm->p starts one pointer below the top, then come the
	 * execfn, the environment and the arguments, each copied last string
	 * first so that [0] ends up lowest. */
	pos = STACK_TOP - sizeof(uint64_t);
	ret = mm_poke(mm, pos, &(uint64_t){0}, sizeof(uint64_t));
	if (ret)
		goto out_free_table;
	ret = push_string(mm, &pos, p->execfn, arg_len(p->execfn), &execfn_at);
	if (ret)
		goto out_free_table;
	for (i = envc - 1; i >= 0; i--) {
		ret = push_string(mm, &pos, p->envp[i], arg_len(p->envp[i]), &table[argc + 2 + i]);
		if (ret)
			goto out_free_table;
	}
	env_start = envc ? pos : execfn_at;
	for (i = argc - 1; i >= 0; i--) {
		ret = push_string(mm, &pos, argv[i], arg_len(argv[i]), &table[1 + i]);
		if (ret)
			goto out_free_table;
	}
	arg_start = pos;

	/* create_elf_tables(): align, then the platform string and the
	 * AT_RANDOM bytes. */
	pos &= ~(gva_t)15;
	if (p->platform) {
		ret = push_string(mm, &pos, p->platform, strlen(p->platform) + 1, &platform_at);
		if (ret)
			goto out_free_table;
	}
	pos -= sizeof(p->random);
	random_at = pos;
	ret = mm_poke(mm, random_at, p->random, sizeof(p->random));
	if (ret)
		goto out_free_table;

	/* The auxiliary vector in Linux 6.1's x86_64 order, without the vDSO's
	 * AT_SYSINFO_EHDR. AT_PLATFORM only with a platform string, as there. */
	auxv = &table[items];
#define NEW_AUX_ENT(k, v)                                                                          \
	do {                                                                                       \
		auxv[2 * nauxv] = (k);                                                             \
		auxv[2 * nauxv + 1] = (v);                                                         \
		nauxv++;                                                                           \
	} while (0)
	NEW_AUX_ENT(AT_MINSIGSTKSZ, p->minsigstksz);
	NEW_AUX_ENT(AT_HWCAP, p->hwcap);
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, p->clktck);
	NEW_AUX_ENT(AT_PHDR, info->phdr);
	NEW_AUX_ENT(AT_PHENT, info->phent);
	NEW_AUX_ENT(AT_PHNUM, info->phnum);
	NEW_AUX_ENT(AT_BASE, info->interp_base);
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, info->entry);
	NEW_AUX_ENT(AT_UID, p->uid);
	NEW_AUX_ENT(AT_EUID, p->euid);
	NEW_AUX_ENT(AT_GID, p->gid);
	NEW_AUX_ENT(AT_EGID, p->egid);
	NEW_AUX_ENT(AT_SECURE, p->secure);
	NEW_AUX_ENT(AT_RANDOM, random_at);
	NEW_AUX_ENT(AT_HWCAP2, p->hwcap2);
	NEW_AUX_ENT(AT_EXECFN, execfn_at);
	if (p->platform)
		NEW_AUX_ENT(AT_PLATFORM, platform_at);
	NEW_AUX_ENT(AT_NULL, 0);
#undef NEW_AUX_ENT

	/* STACK_ROUND(): the lowest word, argc, lands 16-byte aligned. */
	nwords = items + 2 * nauxv;
	spv = (pos - nwords * sizeof(uint64_t)) & ~(gva_t)15;
	if (spv < stack_lo) {
		ret = -E2BIG;
		goto out_free_table;
	}
	table[0] = (uint64_t)argc;
	table[1 + argc] = 0;
	table[argc + 2 + envc] = 0;
	ret = mm_poke(mm, spv, table, nwords * sizeof(uint64_t));
	if (ret)
		goto out_free_table;

	mm->arg_start = arg_start;
	mm->arg_end = env_start;
	mm->env_start = env_start;
	mm->env_end = execfn_at;
	mm->start_stack = spv;
	*sp = spv;
out_free_table:
	free(table);
	return ret;
}
