/* Unit tests for loader/elf.c: every case builds its own ELF image in
 * memory, loads it into a fresh mm and checks the result through the mm's
 * copy_{from,to}_guest, as the guest would see it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <elf.h>

#include "kernelmodel/frame.h"
#include "kernelmodel/mm.h"
#include "loader/elf.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

#define EXEC_BASE 0x400000ul
#define CODE_LEN 0x100
#define DATA_LEN 0x80
#define BSS_MEMSZ 0x3000

/* ---- an ELF image builder ---- */

struct elfb {
	_Alignas(8) unsigned char buf[0x4000];
	size_t size;
};

static Elf64_Ehdr *eh(struct elfb *b)
{
	return (Elf64_Ehdr *)b->buf;
}

static Elf64_Phdr *ph(struct elfb *b, int i)
{
	return (Elf64_Phdr *)(b->buf + sizeof(Elf64_Ehdr)) + i;
}

/* An x86_64 ELF header with @phnum program headers right behind it. */
static void elfb_init(struct elfb *b, uint16_t type, uint16_t phnum, uint64_t entry)
{
	Elf64_Ehdr *e = eh(b);

	memset(b, 0, sizeof(*b));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	e->e_type = type;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = phnum;
	b->size = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
}

/* Program header @i; the file grows to cover its bytes. */
static void elfb_phdr(struct elfb *b, int i, uint32_t type, uint32_t flags, uint64_t off,
		      uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	*ph(b, i) = (Elf64_Phdr){
	    .p_type = type,
	    .p_flags = flags,
	    .p_offset = off,
	    .p_vaddr = vaddr,
	    .p_paddr = vaddr,
	    .p_filesz = filesz,
	    .p_memsz = memsz,
	    .p_align = type == PT_LOAD ? PAGE_SIZE : 8,
	};
	if (off + filesz > b->size && off + filesz <= sizeof(b->buf))
		b->size = off + filesz;
}

static uint8_t pattern(uint8_t seed, size_t i)
{
	return (uint8_t)(seed + i * 7);
}

/* Recognisable file bytes at [off, off+n). */
static void elfb_fill(struct elfb *b, uint64_t off, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b->buf[off + i] = pattern(seed, i);
	if (off + n > b->size)
		b->size = off + n;
}

/* The usual static binary: a read-only segment holding the headers, code,
 * data with a bss spanning several pages, and a non-executable stack.
 * ET_EXEC links at 0x400000, ET_DYN at 0. */
static void build_static(struct elfb *b, uint16_t type)
{
	uint64_t base = type == ET_EXEC ? EXEC_BASE : 0;

	elfb_init(b, type, 4, base + 0x1000);
	elfb_phdr(b, 0, PT_LOAD, PF_R, 0, base, 0x200, 0x200);
	elfb_phdr(b, 1, PT_LOAD, PF_R | PF_X, 0x1000, base + 0x1000, CODE_LEN, CODE_LEN);
	elfb_fill(b, 0x1000, CODE_LEN, 0x11);
	elfb_phdr(b, 2, PT_LOAD, PF_R | PF_W, 0x2000, base + 0x2000, DATA_LEN, BSS_MEMSZ);
	elfb_fill(b, 0x2000, DATA_LEN, 0x55);
	elfb_phdr(b, 3, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

/* ---- fixtures and helpers ---- */

struct t {
	struct mm *mm;
	struct elfb b;
	struct elf_load_info info;
	char err[256];
};

static int setup(void **state)
{
	struct t *t;

	if (frames_init(64 << 20))
		return -1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->mm = mm_alloc();
	if (!t->mm)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	mm_put(t->mm);
	free(t);
	frames_fini();
	return 0;
}

/* Swap in a fresh, empty mm. */
static void renew_mm(struct t *t)
{
	mm_put(t->mm);
	t->mm = mm_alloc();
	assert_non_null(t->mm);
}

static int load(struct t *t)
{
	return elf_load_image(t->mm, t->b.buf, t->b.size, &t->info, t->err, sizeof(t->err));
}

/* The image must be refused with -ENOEXEC, a one-line message containing
 * @needle, and nothing mapped. */
static void expect_reject(struct t *t, const char *needle)
{
	int r = load(t);

	if (r != -ENOEXEC)
		fail_msg("expected -ENOEXEC, got %d (%s)", r, t->err);
	if (!strstr(t->err, needle))
		fail_msg("message \"%s\" lacks \"%s\"", t->err, needle);
	assert_null(strchr(t->err, '\n'));
	assert_int_equal(t->mm->nvmas, 0);
}

static uint64_t rd64(struct mm *mm, gva_t a)
{
	uint64_t v;

	assert_int_equal(copy_from_guest(mm, &v, a, sizeof(v)), 0);
	return v;
}

static void rdstr(struct mm *mm, gva_t a, char *buf, size_t n)
{
	assert_true(strncpy_from_guest(mm, buf, a, n) >= 0);
}

/* Guest bytes at @a equal the image's file bytes at @off. */
static void expect_file_bytes(struct t *t, gva_t a, uint64_t off, size_t n)
{
	unsigned char got[PAGE_SIZE];

	assert_true(n <= sizeof(got));
	assert_int_equal(copy_from_guest(t->mm, got, a, n), 0);
	assert_memory_equal(got, t->b.buf + off, n);
}

static void expect_zero(struct mm *mm, gva_t a, size_t n)
{
	unsigned char c;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(copy_from_guest(mm, &c, a + i, 1), 0);
		if (c)
			fail_msg("byte at 0x%lx is 0x%x, expected 0", (unsigned long)(a + i), c);
	}
}

static int prot_at(struct mm *mm, gva_t a)
{
	const struct vma *v = mm_find_vma(mm, a);

	assert_non_null(v);
	return v->prot;
}

/* ---- loading ---- */

static void loader_loads_static_exec(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_string_equal(t->err, "");
	assert_int_equal(t->info.load_bias, 0);
	assert_int_equal(t->info.entry, EXEC_BASE + 0x1000);
	assert_int_equal(t->info.phdr, EXEC_BASE + sizeof(Elf64_Ehdr));
	assert_int_equal(t->info.phnum, 4);
	assert_int_equal(t->info.phent, sizeof(Elf64_Phdr));
	assert_int_equal(t->info.end_data, EXEC_BASE + 0x2000 + BSS_MEMSZ);
	assert_false(t->info.exec_stack);
	assert_int_equal(t->mm->start_brk, PAGE_ALIGN(EXEC_BASE + 0x2000 + BSS_MEMSZ));
	assert_int_equal(t->mm->brk, t->mm->start_brk);

	/* The headers, the code and the data read back from the guest. */
	expect_file_bytes(t, EXEC_BASE, 0, 0x200);
	expect_file_bytes(t, EXEC_BASE + 0x1000, 0x1000, CODE_LEN);
	expect_file_bytes(t, EXEC_BASE + 0x2000, 0x2000, DATA_LEN);
}

static void loader_zeroes_bss_across_pages(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	/* File bytes after the data would show up as garbage bss if copied. */
	elfb_fill(&t->b, 0x2000 + DATA_LEN, 0x100, 0xaa);
	assert_int_equal(load(t), 0);
	expect_zero(t->mm, EXEC_BASE + 0x2000 + DATA_LEN, BSS_MEMSZ - DATA_LEN);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x2000 + BSS_MEMSZ - 1),
			 PROT_READ | PROT_WRITE);
}

static void loader_maps_segments_with_their_permissions(void **state)
{
	struct t *t = *state;
	uint32_t word = 0xdeadbeef;

	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(prot_at(t->mm, EXEC_BASE), PROT_READ);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x1000), PROT_READ | PROT_EXEC);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x2000), PROT_READ | PROT_WRITE);
	/* The guest cannot write its headers or its code... */
	assert_int_equal(copy_to_guest(t->mm, EXEC_BASE + 8, &word, 4), -EFAULT);
	assert_int_equal(copy_to_guest(t->mm, EXEC_BASE + 0x1000, &word, 4), -EFAULT);
	/* ...but can write its data and bss. */
	assert_int_equal(copy_to_guest(t->mm, EXEC_BASE + 0x2000, &word, 4), 0);
	assert_int_equal(copy_to_guest(t->mm, EXEC_BASE + 0x4000, &word, 4), 0);
	/* Nothing is mapped past the bss or in front of the image. */
	assert_null(mm_find_vma(t->mm, PAGE_ALIGN(EXEC_BASE + 0x2000 + BSS_MEMSZ)));
	assert_null(mm_find_vma(t->mm, EXEC_BASE - 1));
}

static void loader_static_pie_gets_bias_and_relocated_entry(void **state)
{
	struct t *t = *state;
	const uint64_t span = PAGE_ALIGN(0x2000 + BSS_MEMSZ);

	build_static(&t->b, ET_DYN);
	assert_int_equal(load(t), 0);
	/* ASLR off: the image sits at the top of the mmap area. */
	assert_int_equal(t->info.load_bias, MMAP_BASE - span);
	assert_int_equal(t->info.load_bias % PAGE_SIZE, 0);
	assert_int_equal(t->info.entry, t->info.load_bias + 0x1000);
	assert_int_equal(t->info.phdr, t->info.load_bias + sizeof(Elf64_Ehdr));
	assert_int_equal(t->info.end_data, t->info.load_bias + 0x2000 + BSS_MEMSZ);
	/* Its brk is not after it (no room to grow there) but at
	 * ELF_ET_DYN_BASE, as load_elf_binary() moves a loader's. */
	assert_int_equal(t->mm->brk, PAGE_ALIGN(TASK_SIZE / 3 * 2));
	expect_file_bytes(t, t->info.load_bias + 0x1000, 0x1000, CODE_LEN);
	assert_int_equal(prot_at(t->mm, t->info.load_bias + 0x1000), PROT_READ | PROT_EXEC);
	expect_zero(t->mm, t->info.load_bias + 0x2000 + DATA_LEN, 0x100);
}

static void loader_static_pie_leaves_holes_between_segments_unmapped(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_DYN);
	ph(&t->b, 2)->p_vaddr = 0x10000; /* a hole at [0x2000, 0x10000) */
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.load_bias, MMAP_BASE - PAGE_ALIGN(0x10000 + BSS_MEMSZ));
	assert_null(mm_find_vma(t->mm, t->info.load_bias + 0x2000));
	assert_null(mm_find_vma(t->mm, t->info.load_bias + 0xf000));
	expect_file_bytes(t, t->info.load_bias + 0x10000, 0x2000, DATA_LEN);
}

static void loader_unaligned_congruent_segment_lands_at_vaddr(void **state)
{
	struct t *t = *state;

	elfb_init(&t->b, ET_EXEC, 2, EXEC_BASE + 0x1234);
	elfb_phdr(&t->b, 0, PT_LOAD, PF_R, 0, EXEC_BASE, 0x200, 0x200);
	elfb_phdr(&t->b, 1, PT_LOAD, PF_R | PF_X, 0x1234, EXEC_BASE + 0x1234, 0x40, 0x40);
	elfb_fill(&t->b, 0x1000, 0x234, 0x22);
	elfb_fill(&t->b, 0x1234, 0x40, 0x33);
	assert_int_equal(load(t), 0);
	expect_file_bytes(t, EXEC_BASE + 0x1234, 0x1234, 0x40);
	/* As with Linux's file mapping, the page's head shows the file bytes
	 * in front of p_offset. */
	expect_file_bytes(t, EXEC_BASE + 0x1000, 0x1000, 0x234);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x1000), PROT_READ | PROT_EXEC);
}

static void loader_shared_boundary_page_keeps_both_segments(void **state)
{
	struct t *t = *state;
	uint32_t word = 1;

	/* Code ends and data starts inside the page at 0x401000. */
	elfb_init(&t->b, ET_EXEC, 2, EXEC_BASE + 0x1000);
	elfb_phdr(&t->b, 0, PT_LOAD, PF_R | PF_X, 0x1000, EXEC_BASE + 0x1000, 0x100, 0x100);
	elfb_fill(&t->b, 0x1000, 0x100, 0x11);
	elfb_fill(&t->b, 0x1100, 0x100, 0x99); /* between the two: file bytes */
	elfb_phdr(&t->b, 1, PT_LOAD, PF_R | PF_W, 0x1200, EXEC_BASE + 0x1200, 0x80, 0x2000);
	elfb_fill(&t->b, 0x1200, 0x80, 0x55);
	assert_int_equal(load(t), 0);
	expect_file_bytes(t, EXEC_BASE + 0x1000, 0x1000, 0x100);
	expect_file_bytes(t, EXEC_BASE + 0x1100, 0x1100, 0x100);
	expect_file_bytes(t, EXEC_BASE + 0x1200, 0x1200, 0x80);
	expect_zero(t->mm, EXEC_BASE + 0x1280, 0x2000 - 0x80);
	/* The shared page gets both segments' rights, the rest only data's. */
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x1000), PROT_READ | PROT_WRITE | PROT_EXEC);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x2000), PROT_READ | PROT_WRITE);
	assert_int_equal(prot_at(t->mm, EXEC_BASE + 0x3000), PROT_READ | PROT_WRITE);
	assert_int_equal(copy_to_guest(t->mm, EXEC_BASE + 0x1200, &word, 4), 0);
	/* No headers in any PT_LOAD and no PT_PHDR: AT_PHDR is 0. */
	assert_int_equal(t->info.phdr, 0);
}

static void loader_pt_phdr_decides_at_phdr(void **state)
{
	struct t *t = *state;

	/* A PT_PHDR wins over the PT_LOAD that holds e_phoff. */
	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_phnum = 5;
	elfb_phdr(&t->b, 4, PT_PHDR, PF_R, 0x40, EXEC_BASE + 0x100, 5 * sizeof(Elf64_Phdr),
		  5 * sizeof(Elf64_Phdr));
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.phdr, EXEC_BASE + 0x100);
	assert_int_equal(t->info.phnum, 5);
}

static void loader_gnu_stack_pf_x_requests_executable_stack(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 3)->p_flags = PF_R | PF_W | PF_X;
	assert_int_equal(load(t), 0);
	assert_true(t->info.exec_stack);
}

static void loader_without_gnu_stack_has_no_executable_stack(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 3)->p_type = PT_NOTE;
	assert_int_equal(load(t), 0);
	assert_false(t->info.exec_stack);
}

/* ---- rejections ---- */

static void loader_rejects_non_elf(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	t->b.buf[3] = 'G';
	expect_reject(t, "not an ELF file");
	t->b.size = 0;
	expect_reject(t, "not an ELF file");
}

static void loader_rejects_elfclass32(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	t->b.buf[EI_CLASS] = ELFCLASS32;
	expect_reject(t, "not a 64-bit ELF (ELFCLASS32)");
}

static void loader_rejects_big_endian(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	t->b.buf[EI_DATA] = ELFDATA2MSB;
	expect_reject(t, "not little-endian");
}

static void loader_rejects_wrong_machine(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_machine = EM_AARCH64;
	expect_reject(t, "not an x86-64 binary (e_machine 183)");
}

static void loader_rejects_et_rel(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_type = ET_REL;
	expect_reject(t, "not an executable (e_type 1)");
}

static void loader_rejects_truncated_header(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	t->b.size = 40;
	expect_reject(t, "truncated ELF header");
	t->b.size = 10;
	expect_reject(t, "truncated ELF header");
}

static void loader_rejects_phdrs_past_eof(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_phoff = t->b.size - 10;
	expect_reject(t, "program headers outside the file");
	eh(&t->b)->e_phoff = UINT64_MAX - 8;
	expect_reject(t, "program headers outside the file");
}

static void loader_rejects_filesz_above_memsz(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 1)->p_memsz = CODE_LEN - 1;
	expect_reject(t, "segment 1: p_filesz 0x100 exceeds p_memsz 0xff");
}

static void loader_rejects_file_bytes_past_eof(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 2)->p_filesz = 0x1000;
	expect_reject(t, "segment 2: file bytes 0x2000+0x1000 outside the file");
	ph(&t->b, 2)->p_offset = UINT64_MAX - 0x10;
	ph(&t->b, 2)->p_vaddr = EXEC_BASE + 0x2000 + ((UINT64_MAX - 0x10) & 0xfff);
	ph(&t->b, 2)->p_filesz = 0x20;
	expect_reject(t, "outside the file");
}

static void loader_rejects_overlapping_segments(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 2)->p_vaddr = EXEC_BASE + 0x1080; /* inside the code */
	ph(&t->b, 2)->p_offset = 0x1080;
	expect_reject(t, "segment 2 overlaps segment 1");
}

static void loader_rejects_descending_segments(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 2)->p_vaddr = EXEC_BASE - 0x10000;
	expect_reject(t, "segment 2 is below segment 1");
}

static void loader_rejects_absurd_segments(void **state)
{
	struct t *t = *state;

	/* vaddr + memsz would wrap around 2^64. */
	build_static(&t->b, ET_EXEC);
	ph(&t->b, 2)->p_vaddr = 0xfffffffffffff000ull;
	ph(&t->b, 2)->p_offset = 0x2000;
	ph(&t->b, 2)->p_memsz = 0x2000;
	expect_reject(t, "segment 2 is absurd (p_vaddr 0xfffffffffffff000 p_memsz 0x2000)");
	/* Ends above TASK_SIZE. */
	ph(&t->b, 2)->p_vaddr = TASK_SIZE - 0x1000;
	expect_reject(t, "segment 2 is absurd");
	/* A terabyte-scale bss. */
	build_static(&t->b, ET_EXEC);
	ph(&t->b, 2)->p_memsz = (1ull << 40) + 1;
	expect_reject(t, "segment 2 is absurd");
}

static void loader_rejects_non_congruent_offset_and_vaddr(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	ph(&t->b, 1)->p_offset = 0x1010;
	expect_reject(
	    t, "segment 1: p_offset 0x1010 and p_vaddr 0x401000 differ modulo the page size");
}

/* A PIE with PT_INTERP: loaded at ELF_ET_DYN_BASE (0x555555554000 with
 * randomization off), brk after it, the interpreter's path reported. */
static void loader_places_pie_and_reports_interpreter(void **state)
{
	struct t *t = *state;
	static const char interp[] = "/lib64/ld-linux-x86-64.so.2";

	build_static(&t->b, ET_DYN);
	eh(&t->b)->e_phnum = 5;
	memcpy(t->b.buf + 0x300, interp, sizeof(interp));
	elfb_phdr(&t->b, 4, PT_INTERP, PF_R, 0x300, 0x300, sizeof(interp), sizeof(interp));
	assert_int_equal(load(t), 0);
	assert_string_equal(t->info.interp, interp);
	assert_int_equal(t->info.load_bias, 0x555555554000ull);
	assert_int_equal(t->info.entry, 0x555555555000ull);
	assert_int_equal(t->mm->start_brk, PAGE_ALIGN(0x555555556000ull + BSS_MEMSZ));
	/* The path ends at its first NUL, as Linux reads it. */
	renew_mm(t);
	t->b.buf[0x305] = 0;
	assert_int_equal(load(t), 0);
	assert_string_equal(t->info.interp, "/lib6");
}

static void loader_rejects_malformed_interpreter_path(void **state)
{
	struct t *t = *state;
	static const char interp[] = "/lib64/ld-linux-x86-64.so.2";

	build_static(&t->b, ET_DYN);
	eh(&t->b)->e_phnum = 5;
	memcpy(t->b.buf + 0x300, interp, sizeof(interp));
	elfb_phdr(&t->b, 4, PT_INTERP, PF_R, 0x300, 0x300, sizeof(interp) - 1, sizeof(interp) - 1);
	expect_reject(t, "PT_INTERP is not NUL-terminated");
	ph(&t->b, 4)->p_filesz = 1;
	expect_reject(t, "PT_INTERP of 1 bytes");
	ph(&t->b, 4)->p_filesz = PATH_MAX + 1;
	expect_reject(t, "PT_INTERP of 4097 bytes");
	ph(&t->b, 4)->p_filesz = sizeof(interp);
	ph(&t->b, 4)->p_offset = UINT64_MAX - 4;
	expect_reject(t, "PT_INTERP outside the file");
}

static void loader_rejects_image_without_pt_load(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	for (int i = 0; i < 3; i++)
		ph(&t->b, i)->p_type = PT_NOTE;
	expect_reject(t, "no PT_LOAD");
}

static void loader_rejects_bad_phentsize_and_phnum(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_phentsize = 32;
	expect_reject(t, "e_phentsize");
	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_phnum = 0;
	expect_reject(t, "no program headers");
	eh(&t->b)->e_phnum = 0xffff;
	expect_reject(t, "too many program headers");
}

static void loader_rejects_entry_outside_user_space(void **state)
{
	struct t *t = *state;

	build_static(&t->b, ET_EXEC);
	eh(&t->b)->e_entry = TASK_SIZE;
	expect_reject(t, "entry point");
}

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void loader_survives_corrupted_images(void **state)
{
	struct t *t = *state;
	struct elfb good;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	build_static(&good, ET_EXEC);
	for (int iter = 0; iter < 3000; iter++) {
		int flips = 1 + (int)(rng(&seed) % 6);
		int r;

		t->b = good;
		if (iter & 1)
			build_static(&t->b, ET_DYN);
		for (int k = 0; k < flips; k++) {
			/* Mostly the headers, where the offsets live. */
			size_t at = rng(&seed) % (k & 1 ? t->b.size : 0x120);
			uint64_t v = rng(&seed);

			if (v & 1)
				t->b.buf[at] = (uint8_t)(v >> 8);
			else if (at + 8 <= t->b.size)
				memcpy(t->b.buf + at, &v, 8); /* a whole wild word */
		}
		if (rng(&seed) % 8 == 0)
			t->b.size = rng(&seed) % t->b.size;
		t->err[0] = 'x';
		r = load(t);
		assert_true(r == 0 || r < 0);
		if (r == 0)
			assert_true(t->info.entry < TASK_SIZE);
		else
			assert_true(t->err[0] != 'x' && t->err[0] != '\0');
		renew_mm(t);
	}
}

/* ---- elf_load_file ---- */

static void loader_file_missing_is_enoent(void **state)
{
	struct t *t = *state;

	assert_int_equal(
	    elf_load_file(t->mm, "/nonexistent/cloneemu/prog", &t->info, t->err, sizeof(t->err)),
	    -ENOENT);
	assert_string_equal(t->err, "no such file");
}

static void loader_file_directory_is_eacces(void **state)
{
	struct t *t = *state;

	assert_int_equal(elf_load_file(t->mm, "/tmp", &t->info, t->err, sizeof(t->err)), -EACCES);
	assert_int_equal(elf_load_file(t->mm, "/dev/null", &t->info, t->err, sizeof(t->err)),
			 -EACCES);
}

static void loader_file_loads_executable_and_refuses_non_executable(void **state)
{
	struct t *t = *state;
	char dir[] = "/tmp/ce_loader_XXXXXX", path[64], *real;
	const struct vma *v;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog", dir);
	build_static(&t->b, ET_EXEC);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(t->b.buf, 1, t->b.size, f), t->b.size);
	fclose(f);

	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(elf_load_file(t->mm, path, &t->info, t->err, sizeof(t->err)), -EACCES);
	assert_int_equal(t->mm->nvmas, 0);

	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(elf_load_file(t->mm, path, &t->info, t->err, sizeof(t->err)), 0);
	assert_int_equal(t->info.entry, EXEC_BASE + 0x1000);
	expect_file_bytes(t, EXEC_BASE + 0x1000, 0x1000, CODE_LEN);
	/* The segments' VMAs carry the file's name, as in /proc/pid/maps. */
	real = realpath(path, NULL);
	v = mm_find_vma(t->mm, EXEC_BASE + 0x1000);
	assert_non_null(v);
	assert_non_null(v->name);
	assert_string_equal(v->name, real);
	free(real);

	unlink(path);
	rmdir(dir);
}

/* ---- the initial stack ---- */

static char *const test_argv[] = {"prog", "arg1", NULL};
static char *const test_envp[] = {"A=1", "BB=22", NULL};

static struct exec_stack_params test_params(void)
{
	struct exec_stack_params p = {
	    .argc = 2,
	    .argv = test_argv,
	    .envc = 2,
	    .envp = test_envp,
	    .execfn = "/bin/prog",
	    .platform = "x86_64",
	    .uid = 1000,
	    .euid = 1001,
	    .gid = 1002,
	    .egid = 1003,
	    .secure = 0,
	    .hwcap = 0x178bfbff,
	    .hwcap2 = 0x2,
	    .clktck = 100,
	    .minsigstksz = 3376,
	};

	for (int i = 0; i < 16; i++)
		p.random[i] = (uint8_t)(0xa0 + i);
	return p;
}

/* Linux's layout computed independently: where sp must end up. */
static gva_t expected_sp(const struct exec_stack_params *p, int nauxv)
{
	gva_t pos = STACK_TOP - 8 - (strlen(p->execfn) + 1);
	size_t items = 1 + (p->argc + 1) + (p->envc + 1);

	for (int i = 0; i < p->envc; i++)
		pos -= strlen(p->envp[i]) + 1;
	for (int i = 0; i < p->argc; i++)
		pos -= strlen(p->argv[i]) + 1;
	pos &= ~(gva_t)15;
	pos -= strlen("x86_64") + 1;
	pos -= 16;
	return (pos - (items + 2 * nauxv) * 8) & ~(gva_t)15;
}

static void stack_has_argc_argv_envp_auxv_in_linux_order(void **state)
{
	struct t *t = *state;
	struct exec_stack_params p = test_params();
	char s[64];
	uint8_t rnd[16];
	gva_t sp, a;

	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
	assert_int_equal(sp % 16, 0);
	assert_int_equal(sp, expected_sp(&p, 20));
	assert_int_equal(t->mm->start_stack, sp);

	a = sp;
	assert_int_equal(rd64(t->mm, a), 2);
	a += 8;
	for (int i = 0; i < 2; i++, a += 8) {
		rdstr(t->mm, rd64(t->mm, a), s, sizeof(s));
		assert_string_equal(s, test_argv[i]);
	}
	assert_int_equal(rd64(t->mm, a), 0);
	a += 8;
	for (int i = 0; i < 2; i++, a += 8) {
		rdstr(t->mm, rd64(t->mm, a), s, sizeof(s));
		assert_string_equal(s, test_envp[i]);
	}
	assert_int_equal(rd64(t->mm, a), 0);
	a += 8;

	const struct {
		uint64_t key, val;
	} want[] = {
	    {AT_MINSIGSTKSZ, 3376},
	    {AT_HWCAP, 0x178bfbff},
	    {AT_PAGESZ, 4096},
	    {AT_CLKTCK, 100},
	    {AT_PHDR, EXEC_BASE + sizeof(Elf64_Ehdr)},
	    {AT_PHENT, sizeof(Elf64_Phdr)},
	    {AT_PHNUM, 4},
	    {AT_BASE, 0},
	    {AT_FLAGS, 0},
	    {AT_ENTRY, EXEC_BASE + 0x1000},
	    {AT_UID, 1000},
	    {AT_EUID, 1001},
	    {AT_GID, 1002},
	    {AT_EGID, 1003},
	    {AT_SECURE, 0},
	    {AT_RANDOM, 0}, /* checked below */
	    {AT_HWCAP2, 2},
	    {AT_EXECFN, 0},
	    {AT_PLATFORM, 0},
	    {AT_NULL, 0},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++, a += 16) {
		uint64_t key = rd64(t->mm, a), val = rd64(t->mm, a + 8);

		if (key != want[i].key)
			fail_msg("auxv[%zu] is key %lu, expected %lu", i, (unsigned long)key,
				 (unsigned long)want[i].key);
		switch (key) {
		case AT_RANDOM:
			assert_int_equal(copy_from_guest(t->mm, rnd, val, 16), 0);
			assert_memory_equal(rnd, p.random, 16);
			break;
		case AT_EXECFN:
			rdstr(t->mm, val, s, sizeof(s));
			assert_string_equal(s, "/bin/prog");
			break;
		case AT_PLATFORM:
			rdstr(t->mm, val, s, sizeof(s));
			assert_string_equal(s, "x86_64");
			break;
		default:
			assert_int_equal(val, want[i].val);
		}
	}
}

static void stack_strings_sit_below_eight_zero_bytes_at_the_top(void **state)
{
	struct t *t = *state;
	struct exec_stack_params p = test_params();
	const char blob[] = "prog\0arg1\0A=1\0BB=22\0/bin/prog\0\0\0\0\0\0\0\0\0";
	char got[sizeof(blob) - 1];
	gva_t sp, str_lo = STACK_TOP - (sizeof(blob) - 1), rnd, plat;

	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
	/* argv strings lowest, then envp, then execfn, then 8 zero bytes. */
	assert_int_equal(copy_from_guest(t->mm, got, str_lo, sizeof(got)), 0);
	assert_memory_equal(got, blob, sizeof(got));
	assert_int_equal(t->mm->arg_start, str_lo);
	assert_int_equal(t->mm->arg_end, str_lo + 10);
	assert_int_equal(t->mm->env_start, str_lo + 10);
	assert_int_equal(t->mm->env_end, str_lo + 20);
	assert_int_equal(rd64(t->mm, sp + 8), str_lo);
	/* Below the aligned string area: "x86_64", then the random bytes. */
	plat = (str_lo & ~(gva_t)15) - 7;
	rnd = plat - 16;
	assert_int_equal(copy_from_guest(t->mm, got, plat, 7), 0);
	assert_string_equal(got, "x86_64");
	/* auxv starts after argc, 2 argv, NULL, 2 envp, NULL; AT_RANDOM is
	 * its 16th pair. */
	assert_int_equal(rd64(t->mm, sp + 8 * 7 + 15 * 16), AT_RANDOM);
	assert_int_equal(rd64(t->mm, sp + 8 * 7 + 15 * 16 + 8), rnd);
}

static void stack_sp_is_16_aligned_for_any_counts(void **state)
{
	struct t *t = *state;
	static char *const args[] = {"a", "bb", "ccc", "dddd", "eeeee", NULL};
	gva_t sp;

	for (int argc = 0; argc <= 5; argc++) {
		for (int envc = 0; envc <= 5; envc++) {
			struct exec_stack_params p = test_params();

			p.argc = argc;
			p.argv = args;
			p.envc = envc;
			p.envp = args;
			renew_mm(t);
			build_static(&t->b, ET_EXEC);
			assert_int_equal(load(t), 0);
			assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
			assert_int_equal(sp % 16, 0);
			assert_int_equal(rd64(t->mm, sp), argc ? argc : 1);
			if (argc) {
				assert_int_equal(sp, expected_sp(&p, 20));
			}
		}
	}
}

static void stack_empty_argv_becomes_one_empty_string(void **state)
{
	struct t *t = *state;
	struct exec_stack_params p = test_params();
	char s[8];
	gva_t sp;

	p.argc = 0;
	p.argv = NULL;
	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
	assert_int_equal(rd64(t->mm, sp), 1);
	rdstr(t->mm, rd64(t->mm, sp + 8), s, sizeof(s));
	assert_string_equal(s, "");
	assert_int_equal(rd64(t->mm, sp + 16), 0);
	rdstr(t->mm, rd64(t->mm, sp + 24), s, sizeof(s));
	assert_string_equal(s, "A=1");
}

static void stack_vma_is_named_stack_and_grows_down(void **state)
{
	struct t *t = *state;
	struct exec_stack_params p = test_params();
	const struct vma *v;
	gva_t sp;

	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
	v = mm_find_vma(t->mm, sp);
	assert_non_null(v);
	/* setup_arg_pages(): the strings' pages plus 128 KiB. */
	assert_int_equal(v->start, STACK_TOP - PAGE_SIZE - (128 << 10));
	assert_int_equal(v->end, STACK_TOP);
	assert_int_equal(v->prot, PROT_READ | PROT_WRITE);
	assert_true(v->flags & VMA_STACK);
	assert_true(v->flags & VMA_GROWSDOWN);
	assert_string_equal(v->name, "[stack]");

	/* A fault below it grows it (a page at a time, up to the limit);
	 * past RLIMIT_STACK's 8 MiB (no hook: unlimited) the guard gap to
	 * the next mapping still holds. */
	uint64_t paddr;
	int perms;
	gva_t below = v->start - 3 * PAGE_SIZE + 5;
	assert_int_equal(mm_fault(t->mm, below, MM_WRITE, &paddr, &perms), 0);
	v = mm_find_vma(t->mm, below);
	assert_non_null(v);
	assert_int_equal(v->start, below & PAGE_MASK);
	assert_int_equal(v->end, STACK_TOP);
	gva_t lo = v->start - (16ul << 20);
	assert_int_equal(mm_mmap(t->mm, lo, PAGE_SIZE, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
				 NULL, 0),
			 (long)lo);
	assert_int_equal(mm_fault(t->mm, lo + PAGE_SIZE + STACK_GUARD_GAP - PAGE_SIZE, MM_WRITE, &paddr,
				  &perms),
			 -EFAULT);
	assert_int_equal(mm_fault(t->mm, lo + PAGE_SIZE + STACK_GUARD_GAP, MM_WRITE, &paddr, &perms), 0);

	/* PT_GNU_STACK with PF_X: the stack is executable. */
	renew_mm(t);
	ph(&t->b, 3)->p_flags |= PF_X;
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), 0);
	assert_int_equal(prot_at(t->mm, sp), PROT_READ | PROT_WRITE | PROT_EXEC);
}

static void stack_rejects_oversized_arguments_with_e2big(void **state)
{
	struct t *t = *state;
	struct exec_stack_params p = test_params();
	size_t big = 32 * PAGE_SIZE; /* MAX_ARG_STRLEN, so no room for the NUL */
	char *s = malloc(big + 1);
	char *argv[24];
	gva_t sp;

	assert_non_null(s);
	memset(s, 'x', big);
	s[big] = '\0';
	argv[0] = s;
	argv[1] = NULL;
	p.argc = 1;
	p.argv = argv;
	build_static(&t->b, ET_EXEC);
	assert_int_equal(load(t), 0);
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), -E2BIG);

	/* Each string fits, but together they pass a quarter of the stack. */
	s[big - 1] = '\0';
	for (int i = 0; i < 23; i++)
		argv[i] = s;
	argv[23] = NULL;
	p.argc = 23;
	assert_int_equal(elf_setup_stack(t->mm, &t->info, &p, &sp), -E2BIG);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(loader_loads_static_exec),
	    T(loader_zeroes_bss_across_pages),
	    T(loader_maps_segments_with_their_permissions),
	    T(loader_static_pie_gets_bias_and_relocated_entry),
	    T(loader_static_pie_leaves_holes_between_segments_unmapped),
	    T(loader_unaligned_congruent_segment_lands_at_vaddr),
	    T(loader_shared_boundary_page_keeps_both_segments),
	    T(loader_pt_phdr_decides_at_phdr),
	    T(loader_gnu_stack_pf_x_requests_executable_stack),
	    T(loader_without_gnu_stack_has_no_executable_stack),
	    T(loader_rejects_non_elf),
	    T(loader_rejects_elfclass32),
	    T(loader_rejects_big_endian),
	    T(loader_rejects_wrong_machine),
	    T(loader_rejects_et_rel),
	    T(loader_rejects_truncated_header),
	    T(loader_rejects_phdrs_past_eof),
	    T(loader_rejects_filesz_above_memsz),
	    T(loader_rejects_file_bytes_past_eof),
	    T(loader_rejects_overlapping_segments),
	    T(loader_rejects_descending_segments),
	    T(loader_rejects_absurd_segments),
	    T(loader_rejects_non_congruent_offset_and_vaddr),
	    T(loader_places_pie_and_reports_interpreter),
	    T(loader_rejects_malformed_interpreter_path),
	    T(loader_rejects_image_without_pt_load),
	    T(loader_rejects_bad_phentsize_and_phnum),
	    T(loader_rejects_entry_outside_user_space),
	    T(loader_survives_corrupted_images),
	    T(loader_file_missing_is_enoent),
	    T(loader_file_directory_is_eacces),
	    T(loader_file_loads_executable_and_refuses_non_executable),
	    T(stack_has_argc_argv_envp_auxv_in_linux_order),
	    T(stack_strings_sit_below_eight_zero_bytes_at_the_top),
	    T(stack_sp_is_16_aligned_for_any_counts),
	    T(stack_empty_argv_becomes_one_empty_string),
	    T(stack_vma_is_named_stack_and_grows_down),
	    T(stack_rejects_oversized_arguments_with_e2big),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
