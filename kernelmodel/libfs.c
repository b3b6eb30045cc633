#include "kernelmodel/libfs.h"

#include <errno.h>

#include "kernelmodel/task.h"

long simple_read_from_buffer(struct task *t, gva_t buf, size_t count, uint64_t *pos,
			     const void *from, size_t avail)
{
	if (*pos >= avail || !count)
		return 0;
	if (count > avail - *pos)
		count = (size_t)(avail - *pos);
	if (copy_to_guest(t->mm, buf, (const char *)from + *pos, count))
		return -EFAULT;
	*pos += count;
	return (long)count;
}

int copy_from_guest_nul(struct task *t, char *text, size_t size, gva_t buf, size_t count)
{
	size_t n = count < size - 1 ? count : size - 1;
	if (copy_from_guest(t->mm, text, buf, n))
		return -EFAULT;
	text[n] = 0;
	return 0;
}
