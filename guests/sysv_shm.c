/*
 * sysv_shm: System V shared memory (shmget/shmat/shmdt/shmctl, ipc/shm.c).
 *   - a segment attached before fork is shared with the child: the child's
 *     write is seen by the parent; shm_nattch counts the child's inherited
 *     attachment, and drops back when the child detaches, exits or execs;
 *   - IPC_RMID while attached is deferred: IPC_STAT still works and shows
 *     SHM_DEST, the data stays, and the last shmdt destroys it (EINVAL);
 *   - SHM_RDONLY (a write is SIGSEGV, mprotect(PROT_WRITE) EACCES), SHM_RND,
 *     SHM_REMAP, shmdt of a fragment left by munmap;
 *   - the key rules (IPC_CREAT|IPC_EXCL, a bigger size, ENOENT) and errno
 *     cases (EINVAL, EFAULT, ENOMEM for more than memory unless
 *     SHM_NORESERVE), IPC_INFO, /proc/sysvipc/shm's line;
 *   - permissions after dropping to uid 1000: EACCES to attach, EPERM to
 *     remove another user's segment.
 * Only IPC_PRIVATE and a pid-derived key are used, so parallel native runs
 * do not meet.
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define SEG 10000

/* The call first, then errno (argument evaluation order is unspecified). */
#define EXPECT_ERR(call, want, code, what)                                  \
	do {                                                                \
		long r_ = (long)(call);                                     \
		expect_errno(r_, errno, want, code, what);                  \
	} while (0)

static unsigned long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) != 0)
		return 999;
	return ds.shm_nattch;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "exec-child")) {
		/* After exec: only the parent's attachment is left. */
		printf("exec child: nattch %lu\n", nattch(atoi(argv[2])));
		return 0;
	}
	int id = shmget(IPC_PRIVATE, SEG, IPC_CREAT | 0600);
	need(id >= 0, 1, "shmget");
	struct shmid_ds ds;
	expect_eq(shmctl(id, IPC_STAT, &ds), 0, 2, "IPC_STAT");
	expect_eq((long)ds.shm_segsz, SEG, 3, "shm_segsz");
	expect_eq(ds.shm_nattch, 0, 4, "nattch before attach");
	expect_eq(ds.shm_perm.mode & 0777, 0600, 5, "mode");
	expect_eq(ds.shm_cpid, getpid(), 6, "shm_cpid is the creator");
	expect_eq(ds.shm_perm.uid, geteuid(), 7, "uid");
	expect_eq(ds.shm_lpid, 0, 8, "no lpid yet");

	char *p = shmat(id, NULL, 0);
	need(p != (void *)-1, 9, "shmat");
	expect_eq(((uintptr_t)p & 4095), 0, 10, "attach address page aligned");
	expect_eq(nattch(id), 1, 11, "nattch after attach");
	expect_eq(p[SEG - 1], 0, 12, "segment starts zeroed");
	strcpy(p, "parent");

	/* Inherited across fork, shared both ways. */
	pid_t c = guest_fork();
	if (c == 0) {
		int ok = nattch(id) == 2 && !strcmp(p, "parent");
		strcpy(p, "child wrote");
		if (shmdt(p) != 0)
			_exit(3);
		_exit(ok ? (nattch(id) == 1 ? 0 : 2) : 1);
	}
	expect_status(c, "exited 0", 13, "child saw 2 attachments, then 1 after its shmdt");
	check(!strcmp(p, "child wrote"), 14, "parent sees the child's write");
	expect_eq(nattch(id), 1, 15, "nattch back to 1");

	/* Dropped at exit without shmdt. */
	int gate[2];
	need(pipe(gate) == 0, 16, "pipe");
	c = guest_fork();
	if (c == 0) {
		char b;
		close(gate[1]);
		void *q = shmat(id, NULL, 0);
		if (q == (void *)-1)
			_exit(1);
		read(gate[0], &b, 1);
		_exit(0);
	}
	close(gate[0]);
	/* The child has 2 (inherited + own) once it attached. */
	for (int i = 0; i < 100000 && nattch(id) != 3; i++)
		sched_yield();
	expect_eq(nattch(id), 3, 17, "child's inherited and own attachments");
	close(gate[1]);
	expect_status(c, "exited 0", 18, "child exits attached");
	expect_eq(nattch(id), 1, 19, "exit dropped both");

	/* Dropped at exec. */
	c = guest_fork();
	if (c == 0) {
		char ids[16];
		snprintf(ids, sizeof(ids), "%d", id);
		execl("/proc/self/exe", argv[0], "exec-child", ids, (char *)NULL);
		_exit(127);
	}
	expect_status(c, "exited 0", 20, "exec child");

	/* shmdt errors, and of a fragment. */
	EXPECT_ERR(shmdt(p + 1), EINVAL, 21, "shmdt unaligned");
	EXPECT_ERR(shmdt(p + 8192), EINVAL, 22, "shmdt inside, not at a start");
	char *q = shmat(id, NULL, 0);
	need(q != (void *)-1, 23, "second shmat");
	expect_eq(nattch(id), 2, 24, "two attachments in one process");
	expect_eq(munmap(q, 4096), 0, 25, "munmap the first page");
	expect_eq(shmdt(q), 0, 26, "shmdt of the fragment left at offset 1 page");
	expect_eq(nattch(id), 1, 27, "fragment detached");
	EXPECT_ERR(shmdt(q), EINVAL, 28, "nothing left to detach");

	/* /proc/sysvipc/shm has our line. */
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	need(f != NULL, 29, "open /proc/sysvipc/shm");
	char line[512];
	int found = 0, header = 0;
	if (fgets(line, sizeof(line), f))
		header = strstr(line, "key      shmid perms") != NULL;
	while (fgets(line, sizeof(line), f)) {
		int k, i2, n;
		unsigned mode;
		unsigned long sz;
		if (sscanf(line, "%d %d %o %lu %*d %*d %d", &k, &i2, &mode, &sz, &n) == 5 && i2 == id)
			found = sz == SEG && mode == 0600 && n == 1 && k == 0;
	}
	fclose(f);
	check(header, 30, "/proc/sysvipc/shm header");
	check(found, 31, "/proc/sysvipc/shm line: key 0, mode 600, size, nattch 1");

	/* Deferred removal. */
	expect_eq(shmctl(id, IPC_RMID, NULL), 0, 32, "IPC_RMID while attached");
	expect_eq(shmctl(id, IPC_STAT, &ds), 0, 33, "IPC_STAT after IPC_RMID");
	expect_eq(ds.shm_perm.mode & 01000, 01000, 34, "SHM_DEST set");
	check(!strcmp(p, "child wrote"), 35, "data still there");
	c = guest_fork();
	if (c == 0)
		_exit(nattch(id) == 2 ? 0 : 1);
	expect_status(c, "exited 0", 36, "a marked segment is still inherited");
	expect_eq(shmdt(p), 0, 37, "last shmdt");
	EXPECT_ERR(shmctl(id, IPC_STAT, &ds), EINVAL, 38, "destroyed at the last detach");

	/* SHM_RDONLY, SHM_RND, SHM_REMAP. */
	id = shmget(IPC_PRIVATE, 8192, 0600);
	need(id >= 0, 39, "shmget 2");
	char *w = shmat(id, NULL, 0);
	char *r = shmat(id, NULL, SHM_RDONLY);
	need(w != (void *)-1 && r != (void *)-1, 40, "attach rw and ro");
	w[100] = 42;
	expect_eq(r[100], 42, 41, "read-only view sees the write");
	EXPECT_ERR(mprotect(r, 4096, PROT_READ | PROT_WRITE), EACCES, 42,
		     "mprotect(PROT_WRITE) of an SHM_RDONLY attach");
	c = guest_fork();
	if (c == 0) {
		r[0] = 1;
		_exit(0);
	}
	expect_status(c, "killed by signal 11", 43, "write through SHM_RDONLY");
	char *area = mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(area != MAP_FAILED, 44, "mmap area");
	EXPECT_ERR(shmat(id, area + 100, 0), EINVAL, 45, "unaligned without SHM_RND");
	EXPECT_ERR(shmat(id, area, 0), EINVAL, 46, "over a mapping without SHM_REMAP");
	EXPECT_ERR(shmat(id, NULL, SHM_REMAP), EINVAL, 47, "SHM_REMAP without address");
	char *rnd = shmat(id, area + 100, SHM_RND | SHM_REMAP);
	check(rnd == area, 48, "SHM_RND rounds down, SHM_REMAP replaces");
	expect_eq(rnd[100], 42, 49, "the segment is there");
	expect_eq(shmdt(w), 0, 50, "shmdt rw");
	expect_eq(shmdt(r), 0, 51, "shmdt ro");
	expect_eq(shmdt(rnd), 0, 52, "shmdt remapped");
	expect_eq(nattch(id), 0, 53, "no attachments");

	/* Keys. */
	key_t key = 0x5e000000 | (getpid() & 0xffffff);
	int k1 = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	need(k1 >= 0, 54, "shmget key");
	EXPECT_ERR(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST, 55, "IPC_EXCL");
	expect_eq(shmget(key, 100, 0), k1, 56, "same key, smaller size");
	expect_eq(shmget(key, 0, IPC_CREAT), k1, 57, "IPC_CREAT finds it");
	EXPECT_ERR(shmget(key, 8192, 0), EINVAL, 58, "bigger than the segment");
	EXPECT_ERR(shmget(key ^ 0x10000000, 4096, 0), ENOENT, 59, "no such key");
	EXPECT_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL, 60, "size 0");
	EXPECT_ERR(shmget(IPC_PRIVATE, 1ul << 40, 0600), ENOMEM, 76, "1 TiB: more than memory");
	int nr = shmget(IPC_PRIVATE, 1ul << 40, SHM_NORESERVE | 0600);
	check(nr >= 0, 77, "1 TiB with SHM_NORESERVE");
	expect_eq(shmctl(nr, IPC_RMID, NULL), 0, 78, "removed");

	/* Errors. */
	EXPECT_ERR(shmat(-1, NULL, 0), EINVAL, 61, "shmat id -1");
	EXPECT_ERR(shmat(id + 1000 * 32768, NULL, 0), EINVAL, 62, "shmat stale id");
	EXPECT_ERR(shmctl(id, 99, &ds), EINVAL, 63, "unknown command");
	EXPECT_ERR(shmctl(id, IPC_STAT, (void *)8), EFAULT, 64, "IPC_STAT to a bad buffer");
	EXPECT_ERR(shmctl(id, IPC_SET, (void *)8), EFAULT, 65, "IPC_SET from a bad buffer");
	struct shminfo info;
	check(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0, 66, "IPC_INFO");
	expect_eq((long)info.shmmin, 1, 67, "shmmin");
	expect_eq((long)info.shmmni, 4096, 68, "shmmni");
	check(info.shmmax == 18446744073692774399ul, 69, "shmmax default");

	/* Permissions as another user. */
	expect_eq(shmctl(id, IPC_STAT, &ds), 0, 70, "IPC_STAT for IPC_SET");
	ds.shm_perm.mode = 0644;
	expect_eq(shmctl(id, IPC_SET, &ds), 0, 71, "IPC_SET mode 0644");
	c = guest_fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		int code = 0;
		if ((long)shmat(id, NULL, 0) != -1 || errno != EACCES)
			code |= 1;
		void *ro = shmat(id, NULL, SHM_RDONLY);
		if (ro == (void *)-1 || ((char *)ro)[100] != 42)
			code |= 2;
		if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
			code |= 4;
		if (shmctl(k1, IPC_STAT, &ds) != -1 || errno != EACCES)
			code |= 8;
		if (shmctl(id, IPC_STAT, &ds) != 0)
			code |= 16;
		_exit(code);
	}
	expect_status(c, "exited 0", 72,
		      "uid 1000: rw attach EACCES, ro attach ok, IPC_RMID EPERM, 0600 IPC_STAT EACCES");
	expect_eq(shmctl(id, IPC_RMID, NULL), 0, 73, "IPC_RMID");
	expect_eq(shmctl(k1, IPC_RMID, NULL), 0, 74, "IPC_RMID key");
	EXPECT_ERR(shmctl(id, IPC_RMID, NULL), EINVAL, 75, "IPC_RMID twice");
	return guest_finish();
}
