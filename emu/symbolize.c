/* Guest addresses as symbol names (see symbolize.h), with libelf. */
#include "emu/symbolize.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernelmodel/mm.h"

/* The function of @elf containing link-time address @vaddr. */
static const char *find_symbol(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	const char *best = NULL;
	for (int pass = 0; pass < 2 && !best; pass++) {
		Elf_Scn *scn = NULL;
		uint32_t want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || !sh.sh_entsize)
				continue;
			Elf_Data *data = elf_getdata(scn, NULL);
			if (!data)
				continue;
			size_t n = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
				    !sym.st_value || vaddr < sym.st_value ||
				    vaddr >= sym.st_value + (sym.st_size ? sym.st_size : 1))
					continue;
				best = elf_strptr(elf, sh.sh_link, sym.st_name);
				*off = vaddr - sym.st_value;
				break;
			}
			if (best)
				break;
		}
	}
	return best;
}

void symbolize(struct mm *mm, uint64_t pc, char *out, size_t len)
{
	out[0] = 0;
	const struct vma *v = mm ? mm_find_vma(mm, pc) : NULL;
	if (!v || !v->name || v->name[0] != '/')
		return;
	/* The image's lowest mapping holds its first PT_LOAD: the load bias
	 * follows. */
	gva_t base_addr = v->start;
	for (size_t i = 0; i < mm->nvmas; i++)
		if (mm->vmas[i].name && !strcmp(mm->vmas[i].name, v->name)) {
			base_addr = mm->vmas[i].start;
			break;
		}
	const char *base = strrchr(v->name, '/') + 1;
	snprintf(out, len, " (%s+0x%llx)", base, (unsigned long long)(pc - base_addr));
	int fd = open(v->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t nph = 0;
	if (elf && elf_kind(elf) == ELF_K_ELF && !elf_getphdrnum(elf, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			uint64_t bias = base_addr - (ph.p_vaddr & ~(uint64_t)0xfff), off = 0;
			const char *name = find_symbol(elf, pc - bias, &off);
			if (name)
				snprintf(out, len, " <%s+0x%llx> (%s)", name, (unsigned long long)off, base);
			break; /* the first PT_LOAD only */
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
}
