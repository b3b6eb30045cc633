/* inotify on a private temporary directory: the guest's own create,
 * write, close, rename, delete, mkdir/rmdir; a watch on a file
 * (IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED), IN_ONESHOT, IN_MASK_ADD,
 * IN_MASK_CREATE, IN_ONLYDIR, rm_watch's IN_IGNORED, FIONREAD, a short
 * read, errno cases. Events are printed with names, never wds' values. */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define EXPECT_ERR(call, want, code, what)                                                 \
	do {                                                                               \
		long r_ = (call);                                                          \
		int e_ = errno;                                                            \
		expect_errno(r_, e_, want, code, what);                                    \
	} while (0)

static int wd_dir, wd_file;
static uint32_t last_cookie;

static const char *names(uint32_t m, char *buf)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} t[] = {{IN_ACCESS, "ACCESS"},     {IN_MODIFY, "MODIFY"},
		 {IN_ATTRIB, "ATTRIB"},     {IN_CLOSE_WRITE, "CLOSE_WRITE"},
		 {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"},
		 {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"},
		 {IN_CREATE, "CREATE"},     {IN_DELETE, "DELETE"},
		 {IN_DELETE_SELF, "DELETE_SELF"}, {IN_MOVE_SELF, "MOVE_SELF"},
		 {IN_IGNORED, "IGNORED"},   {IN_ISDIR, "ISDIR"}};
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (m & t[i].bit) {
			if (buf[0])
				strcat(buf, "|");
			strcat(buf, t[i].name);
		}
	return buf;
}

/* Print every queued event: which watch, what, name, cookie relation. */
static int drain(int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	int n = 0;
	struct pollfd p = {fd, POLLIN, 0};
	while (poll(&p, 1, 0) == 1) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		for (char *q = buf; q < buf + r;) {
			struct inotify_event *e = (struct inotify_event *)q;
			char m[256];
			const char *who = e->wd == wd_dir ? "dir" : e->wd == wd_file ? "file" : "other";
			const char *ck = "";
			if (e->mask & IN_MOVED_FROM) {
				last_cookie = e->cookie;
				ck = e->cookie ? " cookie" : " NO-COOKIE";
			} else if (e->mask & IN_MOVED_TO) {
				ck = e->cookie == last_cookie ? " same-cookie" : " OTHER-COOKIE";
			}
			printf("  %s %s %s%s\n", who, names(e->mask, m), e->len ? e->name : "-", ck);
			q += sizeof(*e) + e->len;
			n++;
		}
	}
	return n;
}

int main(void)
{
	char dir[] = "/tmp/inotify_self_XXXXXX";
	need(mkdtemp(dir) != NULL, 1, "mkdtemp");
	char a[PATH_MAX], b[PATH_MAX], sub[PATH_MAX];
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	need(fd >= 0, 2, "inotify_init1");
	uint32_t m = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM |
		     IN_MOVED_TO | IN_ATTRIB;
	wd_dir = inotify_add_watch(fd, dir, m);
	check(wd_dir >= 1, 3, "watch the directory");
	expect_eq(inotify_add_watch(fd, dir, m), wd_dir, 4, "same inode, same wd");
	int n = 0;
	expect_eq(ioctl(fd, FIONREAD, &n), 0, 5, "FIONREAD");
	expect_eq(n, 0, 6, "nothing queued");

	puts("create, write twice, close:");
	int f = open(a, O_CREAT | O_WRONLY, 0600);
	write(f, "x", 1);
	write(f, "y", 1);
	close(f);
	ioctl(fd, FIONREAD, &n);
	check(n > 0 && n % 16 == 0, 7, "FIONREAD counts whole events");
	drain(fd);

	puts("chmod, truncate, ftruncate, fchmod:");
	chmod(a, 0644);
	truncate(a, 1);
	f = open(a, O_WRONLY);
	ftruncate(f, 0);
	fchmod(f, 0600);
	close(f);
	drain(fd);

	puts("watch the file too, rename, unlink:");
	wd_file = inotify_add_watch(fd, a, IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
	check(wd_file > wd_dir, 8, "a new wd");
	rename(a, b);
	unlink(b);
	drain(fd);

	puts("mkdir, rmdir:");
	mkdir(sub, 0700);
	rmdir(sub);
	drain(fd);

	puts("IN_ONESHOT:");
	int w1 = inotify_add_watch(fd, dir, IN_CREATE | IN_ONESHOT);
	expect_eq(w1, wd_dir, 9, "mask replaced on the same watch");
	close(open(a, O_CREAT | O_WRONLY, 0600));
	close(open(b, O_CREAT | O_WRONLY, 0600));
	drain(fd);

	puts("IN_MASK_ADD and rm_watch:");
	wd_dir = inotify_add_watch(fd, dir, IN_DELETE);
	check(wd_dir > wd_file, 10, "a new watch after the oneshot one went");
	expect_eq(inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_ADD), wd_dir, 11, "mask add");
	EXPECT_ERR(inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_CREATE), EEXIST, 12,
		   "IN_MASK_CREATE on a watched inode");
	unlink(a);
	close(open(a, O_CREAT | O_WRONLY, 0600));
	expect_eq(inotify_rm_watch(fd, wd_dir), 0, 13, "rm_watch");
	unlink(a);
	unlink(b);
	drain(fd);
	EXPECT_ERR(inotify_rm_watch(fd, wd_dir), EINVAL, 14, "rm_watch again");

	/* A read buffer smaller than the first event. */
	wd_dir = inotify_add_watch(fd, dir, IN_CREATE);
	close(open(a, O_CREAT | O_WRONLY, 0600));
	char small[16];
	EXPECT_ERR(read(fd, small, sizeof(small)), EINVAL, 15, "buffer too small for the event");
	drain(fd);
	unlink(a);

	/* errno cases */
	EXPECT_ERR(inotify_init1(0x10), EINVAL, 20, "bad init flag");
	EXPECT_ERR(inotify_add_watch(fd, a, IN_CREATE), ENOENT, 21, "no such path");
	close(open(a, O_CREAT | O_WRONLY, 0600));
	EXPECT_ERR(inotify_add_watch(fd, a, IN_CREATE | IN_ONLYDIR), ENOTDIR, 22, "IN_ONLYDIR");
	EXPECT_ERR(inotify_add_watch(fd, dir, 0), EINVAL, 23, "empty mask");
	EXPECT_ERR(inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL,
		   24, "MASK_ADD with MASK_CREATE");
	EXPECT_ERR(inotify_add_watch(1234, dir, IN_CREATE), EBADF, 25, "bad fd");
	EXPECT_ERR(inotify_add_watch(0, dir, IN_CREATE), EINVAL, 26, "not an inotify fd");
	EXPECT_ERR(inotify_add_watch(fd, (char *)8, IN_CREATE), EFAULT, 27, "bad path pointer");
	char link[64], path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t l = readlink(path, link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	check(!strcmp(link, "anon_inode:inotify"), 28, "fd link %s", link);
	unlink(a);
	rmdir(dir);
	return guest_finish();
}
