/* /proc/1: the modeled init. Pid 1 of the initial PID namespace is no task
 * of the model: it is the first guest's parent (getppid 1) and where
 * orphans go, standing for the host's init in cloneemu's PID namespace.
 * Its entry shows that process as a guest sees it natively: a directory
 * with cmdline, comm, stat and status, each the host's /proc/1 file (read
 * only). Nothing else of it is modeled (ENOENT). */
#include "kernelmodel/proc_init.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernelmodel/files.h"

static const char *const init_files[] = {"cmdline", "comm", "stat", "status"};

int proc_init_path(const char *path, const char **rest)
{
	if (strncmp(path, "/proc/1", 7) || (path[7] && path[7] != '/'))
		return 0;
	*rest = path[7] ? path + 8 : path + 7;
	return 1;
}

static bool init_file(const char *rest)
{
	for (size_t i = 0; i < sizeof(init_files) / sizeof(init_files[0]); i++)
		if (!strcmp(rest, init_files[i]))
			return true;
	return false;
}

long proc_init_readlink(const char *rest)
{
	return !*rest || init_file(rest) ? -EINVAL : -ENOENT;
}

int proc_init_open(const char *path, const char *rest, int flags, struct file **out)
{
	if (!*rest) {
		struct dirlist *d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		int r = dirlist_add(d, ".", DT_DIR, 0) | dirlist_add(d, "..", DT_DIR, 0);
		for (size_t i = 0; i < sizeof(init_files) / sizeof(init_files[0]); i++)
			r |= dirlist_add(d, init_files[i], DT_REG, 0);
		if (r || !(*out = file_dir_alloc(d, path))) {
			free(d->e);
			free(d);
			return -ENOMEM;
		}
		return 0;
	}
	if (!init_file(rest))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	char host[64];
	snprintf(host, sizeof(host), "/proc/1/%s", rest);
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!(*out = file_host_alloc(fd, path))) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}
