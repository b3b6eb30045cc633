/*
 * fuzz_loader: libFuzzer target for the ELF loader. Each input is an
 * executable image handed to elf_load_image() on a fresh mm, as execve
 * would after reading the file: whatever the bytes, the loader must map it
 * or refuse it with an errno and a message, never crash, read out of
 * bounds or leak (ASan+UBSan). A loaded image also gets its stack set up.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernelmodel/frame.h"
#include "kernelmodel/mm.h"
#include "loader/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (frames_init(64 << 20))
			return 0;
		ready = 1;
	}
	struct mm *mm = mm_alloc();
	if (!mm)
		return 0;
	struct elf_load_info info;
	char err[256] = "";
	memset(&info, 0, sizeof(info));
	if (!elf_load_image(mm, data, size, &info, err, sizeof(err))) {
		char *argv[] = {"fuzz", NULL}, *envp[] = {"A=b", NULL};
		struct exec_stack_params p = {.argc = 1, .argv = argv, .envc = 1, .envp = envp,
					      .execfn = "fuzz", .platform = "x86_64", .clktck = 100,
					      .minsigstksz = 2048};
		gva_t sp;
		elf_setup_stack(mm, &info, &p, &sp);
	}
	mm_put(mm);
	return 0;
}
