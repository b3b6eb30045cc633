/*
 * mkbadelf CASE OUT [TEMPLATE]: writes one malformed "program" to OUT for the
 * loader's bad-input tests (badelf.sh). Most cases start from TEMPLATE, a
 * real static x86_64 ELF (hello.glibc), and break exactly one thing, so the
 * loader has to notice that thing and not an unrelated one. Deterministic:
 * the same CASE and TEMPLATE always give the same bytes.
 *
 * Cases:
 *   empty            zero bytes
 *   text             a line of text (no "#!": not a script either)
 *   random           4 KiB of pseudo-random bytes
 *   truncated        the template's first 30 bytes (less than an ELF header)
 *   elf32            e_ident[EI_CLASS] = ELFCLASS32, the rest untouched
 *   bigendian        e_ident[EI_DATA] = ELFDATA2MSB
 *   aarch64          e_machine = EM_AARCH64 (183)
 *   phdrs_past_eof   e_phoff points beyond the end of the file
 *   overlapping_load the second PT_LOAD starts where the first one does
 *   absurd_vaddr     the first PT_LOAD at p_vaddr 0xffffffffffff0000
 *   vaddr_overflow   the first PT_LOAD's p_vaddr + p_memsz wraps past 2^64
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *buf;
static size_t len;

static void die(const char *msg)
{
	fprintf(stderr, "mkbadelf: %s\n", msg);
	exit(1);
}

static void load_template(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open template");
	if (fseek(f, 0, SEEK_END) != 0)
		die("cannot seek template");
	long n = ftell(f);
	if (n < (long)sizeof(Elf64_Ehdr))
		die("template too small");
	rewind(f);
	buf = malloc(n);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		die("cannot read template");
	fclose(f);
	len = n;

	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64)
		die("template is not an x86_64 ELF64 file");
	if (eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len)
		die("template's program headers are not in the file");
}

/* Returns the index-th PT_LOAD header of the template (0-based). */
static Elf64_Phdr *nth_load(int index)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + eh->e_phoff);

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && index-- == 0)
			return &ph[i];
	die("template has too few PT_LOAD segments");
	return NULL;
}

static void need_template(const char *tmpl)
{
	if (!tmpl)
		die("this case needs a TEMPLATE");
	load_template(tmpl);
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: mkbadelf CASE OUT [TEMPLATE]\n");
		return 2;
	}
	const char *c = argv[1], *out = argv[2], *tmpl = argc > 3 ? argv[3] : NULL;
	static unsigned char scratch[4096];

	if (strcmp(c, "empty") == 0) {
		buf = scratch;
		len = 0;
	} else if (strcmp(c, "text") == 0) {
		const char *t = "This is a text file, not a program.\n";
		buf = (unsigned char *)t;
		len = strlen(t);
	} else if (strcmp(c, "random") == 0) {
		uint64_t x = 0x243f6a8885a308d3u; /* xorshift64, fixed seed */
		for (size_t i = 0; i < sizeof(scratch); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			scratch[i] = (unsigned char)(x >> 24);
		}
		if (memcmp(scratch, ELFMAG, SELFMAG) == 0 || memcmp(scratch, "#!", 2) == 0)
			die("random bytes look like a program; change the seed");
		buf = scratch;
		len = sizeof(scratch);
	} else {
		need_template(tmpl);
		Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
		if (strcmp(c, "truncated") == 0) {
			len = 30;
		} else if (strcmp(c, "elf32") == 0) {
			eh->e_ident[EI_CLASS] = ELFCLASS32;
		} else if (strcmp(c, "bigendian") == 0) {
			eh->e_ident[EI_DATA] = ELFDATA2MSB;
		} else if (strcmp(c, "aarch64") == 0) {
			eh->e_machine = EM_AARCH64;
		} else if (strcmp(c, "phdrs_past_eof") == 0) {
			eh->e_phoff = len + 0x1000;
		} else if (strcmp(c, "overlapping_load") == 0) {
			Elf64_Phdr *a = nth_load(0), *b = nth_load(1);
			/* Same start as the first; offsets stay congruent to vaddrs. */
			b->p_vaddr = a->p_vaddr;
			b->p_paddr = a->p_paddr;
			b->p_offset = a->p_offset;
		} else if (strcmp(c, "absurd_vaddr") == 0) {
			Elf64_Phdr *a = nth_load(0);
			a->p_vaddr = 0xffffffffffff0000u + (a->p_offset & 0xfff);
			a->p_paddr = a->p_vaddr;
		} else if (strcmp(c, "vaddr_overflow") == 0) {
			Elf64_Phdr *a = nth_load(0);
			a->p_vaddr = 0xfffffffffffff000u + (a->p_offset & 0xfff);
			a->p_paddr = a->p_vaddr;
			a->p_memsz = 0x100000;
			if (a->p_filesz > a->p_memsz)
				a->p_filesz = a->p_memsz;
		} else {
			die("unknown case");
		}
	}

	FILE *f = fopen(out, "wb");
	if (!f)
		die("cannot create output");
	if (len && fwrite(buf, 1, len, f) != len)
		die("short write");
	if (fclose(f) != 0)
		die("cannot close output");
	return 0;
}
