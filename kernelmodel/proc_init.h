/* /proc/1, the modeled init: see proc_init.c. */
#ifndef KERNELMODEL_PROC_INIT_H
#define KERNELMODEL_PROC_INIT_H

struct file;

/* Is @path (normalised) /proc/1 or under it? 1 with *@rest the part after
 * "/proc/1/" ("" for the directory), else 0. */
int proc_init_path(const char *path, const char **rest);
/* open of /proc/1/@rest: 0 with *@out, or -errno. */
int proc_init_open(const char *path, const char *rest, int flags, struct file **out);
/* readlink of /proc/1/@rest: none of its entries is a link (-EINVAL), or
 * -ENOENT. */
long proc_init_readlink(const char *rest);

#endif
