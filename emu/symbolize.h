/* Guest code addresses as names, for reports: the ELF file mapped at an
 * address and the function symbol around it (.symtab, else .dynsym). */
#ifndef EMU_SYMBOLIZE_H
#define EMU_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

struct mm;

/* " <func+0xoff> (file)", " (file+0xoff)" or "" into @out. */
void symbolize(struct mm *mm, uint64_t pc, char *out, size_t len);

#endif
