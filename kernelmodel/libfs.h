/* Helpers of simple files, as Linux's fs/libfs.c. */
#ifndef KERNELMODEL_LIBFS_H
#define KERNELMODEL_LIBFS_H

#include <stddef.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct task;

/* simple_read_from_buffer: up to @count of the @avail bytes at @from,
 * starting at *@pos, into @t's @buf; *@pos moves on by what was read.
 * 0 at or past the end; -EFAULT when @buf cannot take the bytes (all or
 * nothing, as every caller had it). */
long simple_read_from_buffer(struct task *t, gva_t buf, size_t count, uint64_t *pos,
			     const void *from, size_t avail);

/* What a guest wrote to a small text file: at most @size - 1 of the
 * @count bytes at @buf, NUL-terminated in @text (proc_sys_call_handler's
 * memdup_user_nul, cut to what the parsers read). 0 or -EFAULT. */
int copy_from_guest_nul(struct task *t, char *text, size_t size, gva_t buf, size_t count);

#endif
