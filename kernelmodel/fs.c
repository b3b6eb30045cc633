#include "kernelmodel/fs.h"
#include "kernelmodel/rr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fs *fs_alloc_initial(void)
{
	struct fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->cwd_fd < 0) {
		free(fs);
		return NULL;
	}
	mode_t m = umask(022);
	umask(m);
	fs->umask = m;
	fs->refcount = 1; /* the first task's */
	return fs;
}

struct fs *fs_get(struct fs *fs)
{
	fs->refcount++;
	return fs;
}

void fs_put(struct fs *fs)
{
	if (!fs || --fs->refcount > 0)
		return;
	close(fs->cwd_fd);
	free(fs);
}

struct fs *fs_dup(const struct fs *old)
{
	struct fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->cwd_fd = fcntl(old->cwd_fd, F_DUPFD_CLOEXEC, 3);
	if (fs->cwd_fd < 0) {
		free(fs);
		return NULL;
	}
	fs->umask = old->umask;
	fs->refcount = 1; /* the new task's */
	return fs;
}

void fs_set_cwd(struct fs *fs, int dirfd)
{
	close(fs->cwd_fd);
	fs->cwd_fd = dirfd;
}

long fs_getcwd(const struct fs *fs, char *buf, unsigned long size)
{
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fs->cwd_fd);
	long n = RR_SYS(readlink(link, path, sizeof(path) - 1));
	if (n < 0)
		return n;
	rr_bytes(path, (size_t)n);
	path[n] = 0;
	/* A removed cwd reads "/x (deleted)": Linux's getcwd says ENOENT. */
	struct stat st;
	long gone = RR_SYS(fstat(fs->cwd_fd, &st) == 0 && st.st_nlink == 0);
	if (gone)
		return -ENOENT;
	if ((unsigned long)n + 1 > size)
		return -ERANGE;
	memcpy(buf, path, n + 1);
	return n + 1;
}

static char *sysroot; /* absolute, no trailing slash; NULL: none */

int fs_set_sysroot(const char *dir)
{
	char *r = realpath(dir, NULL);
	struct stat st;
	if (!r || stat(r, &st) || !S_ISDIR(st.st_mode)) {
		free(r);
		return -ENOTDIR;
	}
	free(sysroot);
	sysroot = strcmp(r, "/") ? r : NULL;
	if (!sysroot)
		free(r);
	return 0;
}

bool fs_sysroot_path(const char *path, char *out, size_t size)
{
	struct stat st;
	if (sysroot && path[0] == '/' && out != path &&
	    snprintf(out, size, "%s%s", sysroot, path) < (int)size &&
	    !lstat(out, &st))
		return true;
	if (out != path)
		snprintf(out, size, "%s", path);
	return false;
}
