/* Thousands of POSIX record locks on one file (stress-ng --fcntl and
 * --lockf): every other byte write-locked, then some unlocked, some made
 * read locks, a range across many of them rewritten; a child (another
 * owner) asks F_GETLK at a few places. cloneemu re-synced the host's
 * mirror of the locks at every operation in time quadratic in the locks:
 * minutes for this. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 3000

static int setlk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, F_SETLK, &fl);
}

int main(void)
{
	char path[] = "locks_many.XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	int fails = 0;
	for (int i = 0; i < N; i++)
		fails += setlk(fd, F_WRLCK, 2 * i, 1) != 0;
	for (int i = 0; i < N; i += 3)
		fails += setlk(fd, F_UNLCK, 2 * i, 1) != 0;
	for (int i = 1; i < N; i += 3)
		fails += setlk(fd, F_RDLCK, 2 * i, 1) != 0;
	fails += setlk(fd, F_WRLCK, 1000, 1000) != 0; /* bytes 1000..1999, one lock */
	printf("set: %d failed\n", fails);
	fflush(stdout);
	if (fork() == 0) {
		static const off_t at[] = {0, 1, 2, 3, 4, 6, 1000, 1999, 2000, 2002, 5998, 6000};
		for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = at[i], .l_len = 1};
			fcntl(fd, F_GETLK, &fl);
			printf("byte %5ld: %s", (long)at[i],
			       fl.l_type == F_UNLCK ? "free\n" : fl.l_type == F_RDLCK ? "read" : "write");
			if (fl.l_type != F_UNLCK)
				printf(" lock %ld+%ld\n", (long)fl.l_start, (long)fl.l_len);
		}
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	return 0;
}
