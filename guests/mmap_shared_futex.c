/*
 * mmap_shared_futex: a futex word in a MAP_SHARED file page is one futex
 * for every process that maps the page (Linux keys it by the page, not by
 * the address): a forked child waiting on it is woken by the parent; a
 * child that opened and mapped the file itself, at another address, is
 * woken by the parent too; FUTEX_WAIT with a stale value is EAGAIN. Also a
 * process-shared pthread mutex and condition variable in the file page,
 * used by parent and child. argv[1]: a scratch directory (default /tmp).
 */
#include "guest_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

static long futex(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Wake one waiter on @w, retrying until somebody was there (bounded):
 * the word stays 0, so the waiter cannot leave FUTEX_WAIT any other way. */
static long wake_one(uint32_t *w)
{
	for (int i = 0; i < 200000; i++) {
		long r = futex(w, FUTEX_WAKE, 1);
		if (r != 0)
			return r;
		usleep(50);
	}
	return 0;
}

/* Sleep in FUTEX_WAIT on @w (which is 0): 0 when a FUTEX_WAKE ended it. */
static int wait_for_wake(uint32_t *w)
{
	return futex(w, FUTEX_WAIT, 0) == 0 ? 0 : 1;
}

struct shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int turn;
};

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/mmap_shared_futex.%d.dat", dir, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, 1, "create data file");
	need(ftruncate(fd, (off_t)(2 * page)) == 0, 2, "ftruncate");
	unsigned char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 3, "mmap MAP_SHARED");
	uint32_t *w = (uint32_t *)(m + 64);

	errno = 0;
	long r = futex(w, FUTEX_WAIT, 5);
	expect_errno(r, errno, EAGAIN, 4, "FUTEX_WAIT with a stale value");

	/* a forked child waits, the parent wakes it */
	pid_t pid = guest_fork();
	if (pid == 0)
		_exit(wait_for_wake(w));
	check(wake_one(w) == 1, 5, "FUTEX_WAKE reaches a forked child waiting on the file page");
	expect_status(pid, "exited 0", 6, "the child was woken");

	/* a child with its own mapping of the file, at another address */
	uint32_t *w2 = (uint32_t *)(m + page + 128);
	pid = guest_fork();
	if (pid == 0) {
		int cfd = open(path, O_RDWR);
		/* a spacer first, so that the address differs from the parent's */
		void *spacer = mmap(NULL, 16 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned char *cm = cfd < 0 ? MAP_FAILED
					    : mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		if (cm == MAP_FAILED || spacer == MAP_FAILED)
			_exit(2);
		uint32_t *cw = (uint32_t *)(cm + page + 128);
		if ((void *)cw == (void *)w2)
			_exit(3);
		_exit(wait_for_wake(cw));
	}
	check(wake_one(w2) == 1, 7, "FUTEX_WAKE reaches a process that mapped the file itself");
	expect_status(pid, "exited 0", 8, "that child was woken, at another address");

	/* process-shared mutex and condition variable in the file */
	struct shared *s = (struct shared *)(m + 512);
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	need(pthread_mutex_init(&s->mu, &ma) == 0 && pthread_cond_init(&s->cv, &ca) == 0, 9,
	     "process-shared mutex and condvar");
	s->turn = 0;
	pid = guest_fork();
	if (pid == 0) {
		for (int i = 0; i < 50; i++) {
			pthread_mutex_lock(&s->mu);
			while (s->turn % 2 != 1)
				pthread_cond_wait(&s->cv, &s->mu);
			s->turn++;
			pthread_cond_broadcast(&s->cv);
			pthread_mutex_unlock(&s->mu);
		}
		_exit(0);
	}
	for (int i = 0; i < 50; i++) {
		pthread_mutex_lock(&s->mu);
		while (s->turn % 2 != 0)
			pthread_cond_wait(&s->cv, &s->mu);
		s->turn++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	expect_status(pid, "exited 0", 10, "ping-pong of 100 turns through a condvar in the file");
	expect_eq(s->turn, 100, 11, "both processes took their 50 turns");

	munmap(m, 2 * page);
	close(fd);
	unlink(path);
	return guest_finish();
}
