/*
 * shm_open_results: the test-harness pattern of issue 12. A results page
 * in /dev/shm (shm_open, ftruncate, mmap MAP_SHARED, the descriptor closed
 * at once) is written by 4 forked children, each into its own slot and
 * under a process-shared mutex into a common counter, and read by the
 * parent after they exit; a process that opens the object by name sees the
 * same page and its stores reach the parent; O_EXCL on an existing name is
 * EEXIST; after shm_unlink the name is gone (ENOENT) but the mapping lives.
 * argv[1]: a scratch directory, only to make the object's name unique
 * (guest pids repeat between runs of the emulator).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

struct results {
	pthread_mutex_t mu;
	int counter;
	int slot[4];
	char note[32];
};

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	uint32_t h = 2166136261u;
	for (const char *p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	char name[64];
	snprintf(name, sizeof(name), "/cloneemu_results_%08x_%d", (unsigned)h, (int)getpid());
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	need(fd >= 0, 1, "shm_open O_CREAT|O_EXCL");
	need(ftruncate(fd, (off_t)page) == 0, 2, "ftruncate to a page");
	struct results *r = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(r != MAP_FAILED, 3, "mmap MAP_SHARED");
	close(fd);
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	need(pthread_mutex_init(&r->mu, &ma) == 0, 4, "a process-shared mutex in the page");

	pid_t pids[4];
	for (int i = 0; i < 4; i++) {
		pids[i] = guest_fork();
		if (pids[i] == 0) {
			r->slot[i] = 100 + i;
			for (int k = 0; k < 25; k++) {
				pthread_mutex_lock(&r->mu);
				r->counter++;
				pthread_mutex_unlock(&r->mu);
				if (k % 5 == 0)
					sched_yield();
			}
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++)
		expect_status(pids[i], "exited 0", 5, "a child wrote its results");
	check(r->slot[0] == 100 && r->slot[1] == 101 && r->slot[2] == 102 && r->slot[3] == 103, 6,
	      "the parent reads every child's slot");
	expect_eq(r->counter, 100, 7, "the counter under the shared mutex");

	/* a process that opens the object by name */
	pid_t pid = guest_fork();
	if (pid == 0) {
		int cfd = shm_open(name, O_RDWR, 0);
		struct results *cr = cfd < 0 ? MAP_FAILED
					     : mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (cr == MAP_FAILED)
			_exit(2);
		if (cr->counter != 100)
			_exit(3);
		strcpy(cr->note, "by name");
		_exit(0);
	}
	expect_status(pid, "exited 0", 8, "a process opened the object by name and saw the counter");
	check(!strcmp(r->note, "by name"), 9, "its store reached the parent");

	errno = 0;
	long e = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	expect_errno(e, errno, EEXIST, 10, "shm_open O_EXCL of an existing name");
	need(shm_unlink(name) == 0, 11, "shm_unlink");
	errno = 0;
	e = shm_open(name, O_RDWR, 0);
	expect_errno(e, errno, ENOENT, 12, "shm_open after shm_unlink");
	r->counter++;
	expect_eq(r->counter, 101, 13, "the mapping outlives the name");
	munmap(r, page);
	return guest_finish();
}
