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
	free(fs->root);
	free(fs->proc_cwd);
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
	if (old->root && !(fs->root = strdup(old->root))) {
		close(fs->cwd_fd);
		free(fs);
		return NULL;
	}
	if (old->proc_cwd && !(fs->proc_cwd = strdup(old->proc_cwd))) {
		close(fs->cwd_fd);
		free(fs->root);
		free(fs);
		return NULL;
	}
	fs->refcount = 1; /* the new task's */
	return fs;
}

void fs_set_cwd(struct fs *fs, int dirfd)
{
	close(fs->cwd_fd);
	fs->cwd_fd = dirfd;
	free(fs->proc_cwd);
	fs->proc_cwd = NULL;
}

int fs_set_proc_cwd(struct fs *fs, const char *path)
{
	char *p = strdup(path);
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!p || fd < 0) {
		free(p);
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	fs_set_cwd(fs, fd);
	fs->proc_cwd = p;
	return 0;
}

long fs_getcwd(const struct fs *fs, char *buf, unsigned long size)
{
	char link[64], path[4096];
	if (fs->proc_cwd) {
		size_t len = strlen(fs->proc_cwd);
		if (len + 1 > size)
			return -ERANGE;
		memcpy(buf, fs->proc_cwd, len + 1);
		return (long)len + 1;
	}
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

int fs_set_root(struct fs *fs, const char *hostdir)
{
	char *r = strcmp(hostdir, "/") ? strdup(hostdir) : NULL;
	if (strcmp(hostdir, "/") && !r)
		return -ENOMEM;
	free(fs->root);
	fs->root = r;
	return 0;
}

/* Collapse "//", "." and ".." of @p (absolute when it starts with '/') in
 * place; ".." never goes above the start. Returns the number of leading
 * ".." a relative path keeps. */
static int normalize(char *p)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s", p);
	bool abs = src[0] == '/';
	char *base = p + abs, *out = base, *in = src + abs;
	int ups = 0;
	if (abs)
		p[0] = '/';
	while (*in) {
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - seg);
		while (*in == '/')
			in++;
		if (!len || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (out > base + 3 * ups) { /* drop the last real component */
				out--;
				while (out > base + 3 * ups && out[-1] != '/')
					out--;
				continue;
			}
			if (abs)
				continue; /* ".." of the root is the root */
			memcpy(out, "../", 3);
			out += 3;
			ups++;
			continue;
		}
		memcpy(out, seg, len);
		out += len;
		*out++ = '/';
	}
	size_t srclen = strlen(src);
	bool dir = srclen && src[srclen - 1] == '/'; /* a trailing slash says "a directory" */
	if (out > base && out[-1] == '/' && !dir)
		out--;
	if (out == p)
		*out++ = '.';
	*out = 0;
	return ups;
}

int fs_root_path(const struct fs *fs, char *path, size_t size)
{
	if (!fs->root)
		return 0;
	char tmp[4096];
	if (path[0] != '/') {
		if (!strstr(path, ".."))
			return 0; /* stays below the cwd or dirfd */
		snprintf(tmp, sizeof(tmp), "%s", path);
		if (!normalize(tmp)) {
			snprintf(path, size, "%s", tmp);
			return 0;
		}
		/* It climbs: from the cwd, as a path inside the root. */
		char cwd[4096];
		if (fs_getcwd(fs, cwd, sizeof(cwd)) < 0)
			return 0;
		fs_root_cwd(fs, cwd, sizeof(cwd));
		if (cwd[0] != '/')
			return 0; /* the cwd is outside the root: the host's view */
		if (snprintf(tmp, sizeof(tmp), "%s/%s", cwd, path) >= (int)sizeof(tmp))
			return -ENAMETOOLONG;
	} else if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	normalize(tmp);
	if (snprintf(path, size, "%s%s", fs->root, strcmp(tmp, "/") ? tmp : "") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

void fs_root_cwd(const struct fs *fs, char *cwd, size_t size)
{
	if (!fs->root)
		return;
	size_t n = strlen(fs->root);
	if (!strncmp(cwd, fs->root, n) && (cwd[n] == '/' || !cwd[n])) {
		memmove(cwd, cwd + n, strlen(cwd + n) + 1);
		if (!cwd[0])
			strcpy(cwd, "/");
		return;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "(unreachable)%s", cwd);
	snprintf(cwd, size, "%s", tmp);
}

static char *exec_root; /* the exec'ing task's root, during execve */

void fs_set_exec_root(const char *root)
{
	free(exec_root);
	exec_root = root ? strdup(root) : NULL;
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

bool fs_has_sysroot(void)
{
	return sysroot != NULL;
}

bool fs_sysroot_path(const char *path, char *out, size_t size)
{
	struct stat st;
	/* A chrooted execve: the interpreter lives under the task's root. */
	size_t rootlen = exec_root ? strlen(exec_root) : 0;
	if (exec_root && path[0] == '/' && out != path &&
	    !(!strncmp(path, exec_root, rootlen) && path[rootlen] == '/')) { /* not yet under it */
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s", path);
		normalize(tmp);
		snprintf(out, size, "%s%s", exec_root, tmp);
		return true;
	}
	if (sysroot && path[0] == '/' && out != path &&
	    snprintf(out, size, "%s%s", sysroot, path) < (int)size &&
	    !lstat(out, &st))
		return true;
	if (out != path)
		snprintf(out, size, "%s", path);
	return false;
}
