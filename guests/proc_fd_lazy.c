/* /proc/self/fd is listed when it is read, not when it is opened
 * (fs/proc/fd.c proc_readfd_common): descriptors opened after opendir show
 * up, closed ones go, rewinddir lists again. Then many descriptors and many
 * opens of the directory at once (stress-ng --open): each open must not
 * keep a copy of the table (cloneemu kept one per open: 4 GB for 10,000). */
#include <dirent.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int fds[20000];

/* The descriptors listed (sorted into fds); returns how many. */
static int list(DIR *d)
{
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < 20000;)
		if (e->d_name[0] != '.')
			fds[n++] = atoi(e->d_name);
	qsort(fds, n, sizeof(int), cmp);
	return n;
}

static bool listed(int n, int fd)
{
	return bsearch(&fd, fds, n, sizeof(int), cmp) != NULL;
}

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	int base = list(d); /* what the caller left open, and the directory */
	rewinddir(d);
	int a = open("/dev/null", O_RDONLY), b = dup(a), c = dup(a);
	int n = list(d);
	printf("opened after opendir: %d more, listed: %d %d %d\n", n - base, listed(n, a),
	       listed(n, b), listed(n, c));
	close(b);
	rewinddir(d);
	n = list(d);
	printf("after close, rewinddir: %d more, listed: %d %d %d\n", n - base, listed(n, a),
	       listed(n, b), listed(n, c));
	closedir(d);
	close(a);
	close(c);

	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
	setrlimit(RLIMIT_NOFILE, &rl);
	int want = (int)rl.rlim_cur / 2 - 16, opened = 0;
	for (int i = 0; i < want; i++)
		opened += dup(0) >= 0;
	int dirs = 0, last = -1;
	for (int i = 0; i < want; i++) {
		int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			break;
		dirs++;
		last = fd;
	}
	d = fdopendir(last);
	n = d ? list(d) : -1;
	printf("%s: %d duplicates and %d opens of the directory, listed %s\n",
	       opened == want && dirs == want ? "all opened" : "some failed", opened, dirs,
	       n == base - 1 + opened + dirs ? "all" : "not all");
	return 0;
}
