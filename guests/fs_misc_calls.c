/*
 * fs_misc_calls: sync(2), syncfs, sync_file_range, fsync/fdatasync on
 * every kind of descriptor, fallocate(2), fstatfs/statfs of pseudo file
 * systems, close_range(2), the error cases of name_to_handle_at and
 * open_by_handle_at (as root and as nobody).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define EXPECT_ERRNO(call, want, code, what)                                                        \
	do {                                                                                       \
		errno = 0;                                                                         \
		long r_ = (call);                                                                  \
		expect_errno(r_, errno, want, code, what);                                         \
	} while (0)

static long fs_type(int fd)
{
	struct statfs s;
	return fstatfs(fd, &s) ? -errno : (long)s.f_type;
}

int main(void)
{
	int file = open("data", O_CREAT | O_RDWR, 0644);
	int ro = open("data", O_RDONLY);
	int p[2], sv[2];
	need(file >= 0 && ro >= 0 && pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, 1,
	     "set-up");
	int ep = epoll_create1(0);

	sync();
	printf("ok: sync returns\n");
	expect_eq(syncfs(file), 0, 2, "syncfs(file)");
	expect_eq(syncfs(p[0]), 0, 3, "syncfs(pipe)");
	expect_eq(syncfs(sv[0]), 0, 4, "syncfs(socket)");
	EXPECT_ERRNO(syncfs(999), EBADF, 5, "syncfs(999)");
	expect_eq(sync_file_range(file, 0, 0, SYNC_FILE_RANGE_WRITE), 0, 6, "sync_file_range(file)");
	EXPECT_ERRNO(sync_file_range(p[1], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE, 7,
		     "sync_file_range(pipe)");
	EXPECT_ERRNO(sync_file_range(p[1], 0, 0, 0x80), EINVAL, 8, "sync_file_range bad flags");
	EXPECT_ERRNO(sync_file_range(file, -1, 0, 0), EINVAL, 9, "sync_file_range negative offset");
	EXPECT_ERRNO(sync_file_range(999, 0, 0, 0), EBADF, 10, "sync_file_range(999)");
	expect_eq(fsync(file), 0, 11, "fsync(file)");
	EXPECT_ERRNO(fsync(p[0]), EINVAL, 12, "fsync(pipe)");
	EXPECT_ERRNO(fdatasync(sv[0]), EINVAL, 13, "fdatasync(socket)");
	EXPECT_ERRNO(fsync(ep), EINVAL, 14, "fsync(epoll)");

	/* fallocate */
	struct stat st;
	expect_eq(fallocate(file, 0, 0, 8192), 0, 20, "fallocate 8192");
	fstat(file, &st);
	expect_eq(st.st_size, 8192, 21, "size 8192");
	expect_eq(fallocate(file, FALLOC_FL_KEEP_SIZE, 0, 65536), 0, 22, "fallocate KEEP_SIZE");
	fstat(file, &st);
	expect_eq(st.st_size, 8192, 23, "size kept");
	EXPECT_ERRNO(fallocate(file, 0, 0, 0), EINVAL, 24, "fallocate len 0");
	EXPECT_ERRNO(fallocate(file, 0, -1, 10), EINVAL, 25, "fallocate negative offset");
	EXPECT_ERRNO(fallocate(ro, 0, 0, 10), EBADF, 26, "fallocate read-only");
	EXPECT_ERRNO(fallocate(p[1], 0, 0, 10), ESPIPE, 27, "fallocate pipe write end");
	EXPECT_ERRNO(fallocate(p[0], 0, 0, 10), EBADF, 28, "fallocate pipe read end");
	EXPECT_ERRNO(fallocate(p[1], 0, 0, 0), EINVAL, 29, "fallocate pipe len 0");
	EXPECT_ERRNO(fallocate(sv[0], 0, 0, 10), ENODEV, 30, "fallocate socket");
	EXPECT_ERRNO(fallocate(999, 0, 0, 10), EBADF, 31, "fallocate(999)");

	/* pseudo file systems */
	expect_eq(fs_type(p[0]), 0x50495045, 40, "pipe on pipefs");
	expect_eq(fs_type(sv[0]), 0x534f434b, 41, "socket on sockfs");
	expect_eq(fs_type(ep), 0x09041934, 42, "epoll on anon_inodefs");
	int proc = open("/proc/self", O_RDONLY | O_DIRECTORY);
	expect_eq(fs_type(proc), 0x9fa0, 43, "/proc/self on proc");
	int status = open("/proc/self/status", O_RDONLY);
	expect_eq(fs_type(status), 0x9fa0, 44, "/proc/self/status on proc");
	struct statfs sf;
	expect_eq(statfs("/proc", &sf) == 0 ? (long)sf.f_type : -1, 0x9fa0, 45, "statfs /proc");
	if (statfs("/dev/shm", &sf) == 0)
		expect_eq((long)sf.f_type, 0x01021994, 46, "statfs /dev/shm is tmpfs");
	else
		printf("ok: no /dev/shm\n");
	expect_eq(fs_type(999), -EBADF, 47, "fstatfs(999)");

	/* close_range */
	int base = dup(file);
	for (int i = 0; i < 4; i++)
		dup2(file, base + i);
	EXPECT_ERRNO(syscall(SYS_close_range, base + 2, base + 1, 0), EINVAL, 50, "first > last");
	EXPECT_ERRNO(syscall(SYS_close_range, base, base, 1), EINVAL, 51, "unknown flag");
	expect_eq(syscall(SYS_close_range, base, base + 1, CLOSE_RANGE_CLOEXEC), 0, 52,
		  "CLOSE_RANGE_CLOEXEC");
	check(fcntl(base, F_GETFD) == FD_CLOEXEC && fcntl(base + 1, F_GETFD) == FD_CLOEXEC &&
		      fcntl(base + 2, F_GETFD) == 0,
	      53, "two marked close-on-exec, the third not");
	expect_eq(syscall(SYS_close_range, base + 1, ~0U, 0), 0, 54, "close from base+1 to ~0U");
	check(fcntl(base, F_GETFD) == FD_CLOEXEC, 55, "base stays open");
	errno = 0;
	check(fcntl(base + 1, F_GETFD) == -1 && errno == EBADF && fcntl(base + 3, F_GETFD) == -1, 56,
	      "the rest are closed");
	expect_eq(syscall(SYS_close_range, base, base, CLOSE_RANGE_UNSHARE), 0, 57,
		  "CLOSE_RANGE_UNSHARE");
	check(fcntl(base, F_GETFD) == -1, 58, "closed with UNSHARE");
	expect_eq(syscall(SYS_close_range, 5000, 6000, 0), 0, 59, "a range past the table");

	/* name_to_handle_at: errors only (handles are the file system's) */
	struct {
		unsigned bytes;
		int type;
		unsigned char h[128];
	} fh = {128, 0, {0}};
	int mnt;
	EXPECT_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "data", &fh, &mnt, 0x8000), EINVAL, 60,
		     "name_to_handle_at bad flag");
	EXPECT_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "nothing", &fh, &mnt, 0), ENOENT, 61,
		     "name_to_handle_at missing file");

	/* open_by_handle_at: Linux's order of checks (the anchor, the
	 * header, CAP_DAC_READ_SEARCH, the bytes); a handle no file system
	 * knows is stale. Run as root, then as nobody. */
	memset(fh.h, 0x5a, sizeof(fh.h));
	fh.bytes = 8;
	fh.type = 1;
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), ESTALE, 62,
		     "open_by_handle_at unknown handle");
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, 999, &fh, O_RDONLY), EBADF, 63,
		     "open_by_handle_at bad mount fd");
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, (void *)8, O_RDONLY), EFAULT, 64,
		     "open_by_handle_at bad pointer");
	fh.bytes = 0;
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EINVAL, 65,
		     "open_by_handle_at empty handle");
	fh.bytes = 129;
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EINVAL, 66,
		     "open_by_handle_at handle over MAX_HANDLE_SZ");
	fh.bytes = 8;
	fh.type = -1;
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EINVAL, 67,
		     "open_by_handle_at negative type");
	fh.type = 0x40001;
	EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EINVAL, 68,
		     "open_by_handle_at unknown type flag");
	fh.type = 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EPERM, 70,
			     "nobody: open_by_handle_at needs CAP_DAC_READ_SEARCH");
		EXPECT_ERRNO(syscall(SYS_open_by_handle_at, 999, &fh, O_RDONLY), EBADF, 71,
			     "nobody: the mount fd is checked first");
		fh.bytes = 0;
		EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), EINVAL, 72,
			     "nobody: then the header");
		fflush(stdout);
		_exit(guest_first_fail);
	}
	int ws = 0;
	pid_t w = waitpid(pid, &ws, 0);
	check(w == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, 73, "the nobody child: %s",
	      status_str(ws));
	return guest_finish();
}
