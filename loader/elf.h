/* The ELF loader: validates an x86_64 ELF64 program (ET_EXEC, PIE or
 * static-PIE ET_DYN), maps its PT_LOAD segments and those of its PT_INTERP
 * interpreter into an mm as Linux's load_elf_binary() does, and lays out
 * the initial stack exactly as create_elf_tables() does. */
#ifndef LOADER_ELF_H
#define LOADER_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct elf_load_info {
	gva_t entry;      /* AT_ENTRY: the program's e_entry + load_bias */
	gva_t start;      /* where the task starts: the interpreter's entry, or entry */
	gva_t interp_base; /* AT_BASE: the interpreter's load bias, 0 without one */
	gva_t load_bias;  /* 0 for ET_EXEC */
	gva_t phdr;       /* AT_PHDR: address of the program headers in memory */
	uint16_t phnum, phent;
	gva_t end_data;   /* highest p_vaddr+p_memsz + bias: brk starts at PAGE_ALIGN of it */
	bool exec_stack;  /* PT_GNU_STACK has PF_X */
	char interp[PATH_MAX]; /* PT_INTERP's path, "" for a static program */
};

/* Parameters of the initial stack. Strings are host strings. */
struct exec_stack_params {
	int argc;
	char *const *argv;
	int envc;
	char *const *envp;
	const char *execfn;    /* AT_EXECFN string: the path given to execve */
	const char *platform;  /* AT_PLATFORM string: "x86_64" */
	uint64_t uid, euid, gid, egid, secure;
	uint64_t hwcap;        /* AT_HWCAP: CPUID.1:EDX, as Linux reports */
	uint64_t hwcap2;       /* AT_HWCAP2 */
	uint64_t clktck;       /* AT_CLKTCK: 100 */
	uint64_t minsigstksz;  /* AT_MINSIGSTKSZ */
	uint8_t random[16];    /* AT_RANDOM bytes */
};

/* Load an ELF image held in memory into @mm (which should be empty): map each
 * PT_LOAD with its permissions, copy file bytes, zero the bss, set
 * mm->start_brk/brk. The interpreter is not loaded: its path is left in
 * info->interp. Returns 0, or -ENOEXEC with a one-line reason in @err (not
 * ELF, wrong class/data/machine/type, truncated headers, overlapping or
 * absurd segments, a malformed PT_INTERP). */
int elf_load_image(struct mm *mm, const void *image, size_t size, struct elf_load_info *info,
		   char *err, size_t errlen);

/* Load the program @path as above and then its interpreter (PT_INTERP, looked
 * up under the sysroot: fs_sysroot_path()), which info->start then points
 * into. Also -ENOENT (missing), -EACCES (not a regular file or not
 * executable; a directory too, like execve); for the interpreter the same,
 * and -ELIBBAD when it is not an x86_64 ELF. The message names the file. */
int elf_load_file(struct mm *mm, const char *path, struct elf_load_info *info, char *err,
		  size_t errlen);

/* Seed of the address-space layout: 0 = Linux's layout without
 * randomization (setarch -R); otherwise the mmap base and a PIE's base move
 * by offsets drawn from the seed, the same for the same seed. */
void elf_set_layout_seed(uint64_t seed);
/* The next load is unrandomized whatever the seed: the task execs with
 * personality ADDR_NO_RANDOMIZE (Linux clears PF_RANDOMIZE). */
void elf_set_no_randomize(bool no_randomize);

/* The next load's RLIMIT_STACK (the execing task's; default 8 MiB): the
 * top of its mmap area, its argument limit (E2BIG) and its stack. */
void elf_set_stack_limit(uint64_t rlim);

/* Map the stack VMA (what the strings take plus 128 KiB, at most the stack
 * limit, up to STACK_TOP; a VMA_GROWSDOWN mapping that grows on faults
 * below it), executable only
 * if info->exec_stack) and write argc/argv/envp/auxv/strings as Linux does.
 * Stores the initial RSP (16-byte aligned, pointing at argc) in *sp and sets
 * mm->start_stack, arg_start/arg_end, env_start/env_end. Returns 0 or -errno
 * (-E2BIG when the strings do not fit). */
int elf_setup_stack(struct mm *mm, const struct elf_load_info *info,
		    const struct exec_stack_params *p, gva_t *sp);

#endif
