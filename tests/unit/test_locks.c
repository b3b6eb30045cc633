/* Unit tests for kernelmodel/locks.c: the range arithmetic of
 * posix_lock_inode (cut, merge, replace, list order), flock conversion,
 * release by owner, and the waiter bookkeeping behind EDEADLK, on files
 * and tasks built by hand (the differential guests locks_*.c compare the
 * same behaviour with the host kernel). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernelmodel/files.h"
#include "kernelmodel/locks.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

/* Two open files of one host inode, one of another. */
static struct file f1 = {.refcount = 1, .kind = FILE_HOST, .host_fd = -1, .dev = 1, .ino = 42};
static struct file f2 = {.refcount = 1, .kind = FILE_HOST, .host_fd = -1, .dev = 1, .ino = 42};
static struct file other = {.refcount = 1, .kind = FILE_HOST, .host_fd = -1, .dev = 1, .ino = 43};

/* Owners: descriptor tables (only their addresses matter). */
static struct files *A, *B, *C;
static struct task *t1, *t2;

static struct task *new_task(int tid)
{
	struct task *t = task_alloc();
	assert_non_null(t);
	t->tid = t->tgid = tid;
	sched_add(t);
	return t;
}

static int setup(void **state)
{
	(void)state;
	A = files_alloc(64);
	B = files_alloc(64);
	C = files_alloc(64);
	t1 = new_task(10);
	t2 = new_task(11);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct files *owners[] = {A, B, C};
	for (int i = 0; i < 3; i++) {
		locks_remove_posix(&f1, owners[i]);
		locks_remove_posix(&other, owners[i]);
	}
	locks_remove_file(&f1);
	locks_remove_file(&f2);
	locks_remove_file(&other);
	files_put(A);
	files_put(B);
	files_put(C);
	sched_remove(t1);
	sched_remove(t2);
	return 0;
}

static long setlk(struct task *t, struct file *f, const void *owner, int type, int64_t start,
		  int64_t end, bool wait)
{
	struct file_lock req = {.flags = FL_POSIX, .type = type, .start = start, .end = end,
				.owner = owner, .pid = t->tgid};
	return posix_lock_file(t, f, &req, wait);
}

/* An OFD lock through @f (owned by it). */
static long setlk_ofd(struct task *t, struct file *f, int type, int64_t start, int64_t end,
		      bool wait)
{
	struct file_lock req = {.flags = FL_POSIX | FL_OFDLCK, .type = type, .start = start,
				.end = end, .owner = f, .pid = t->tgid};
	return posix_lock_file(t, f, &req, wait);
}

/* F_GETLK from @owner for [start, end] of @type: "unlocked" or
 * "R|W start-end". */
static const char *getlk(const void *owner, int type, int64_t start, int64_t end)
{
	static char buf[64];
	struct file_lock req = {.flags = FL_POSIX, .type = type, .start = start, .end = end,
				.owner = owner};
	posix_test_lock(&f1, &req);
	if (req.type == F_UNLCK)
		return "unlocked";
	int n = snprintf(buf, sizeof(buf), "%c %lld-", req.type == F_WRLCK ? 'W' : 'R',
			 (long long)req.start);
	if (req.end == OFFSET_MAX)
		snprintf(buf + n, sizeof(buf) - n, "EOF");
	else
		snprintf(buf + n, sizeof(buf) - n, "%lld", (long long)req.end);
	return buf;
}

static void count_one(void *arg, const struct file_lock *fl, uint64_t dev, uint64_t ino)
{
	(void)fl;
	(void)dev;
	(void)ino;
	++*(int *)arg;
}

static int nr_locks(void)
{
	int n = 0;
	assert_int_equal(locks_for_each(count_one, &n), 0);
	return n;
}

static void unlock_in_the_middle_cuts_a_lock_in_two(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 0, 99, false), 0);
	assert_int_equal(setlk(t1, &f1, A, F_UNLCK, 40, 59, false), 0);
	assert_int_equal(nr_locks(), 2);
	assert_string_equal(getlk(B, F_WRLCK, 0, OFFSET_MAX), "W 0-39");
	assert_string_equal(getlk(B, F_WRLCK, 40, 59), "unlocked");
	assert_string_equal(getlk(B, F_RDLCK, 45, 70), "W 60-99");
	assert_string_equal(getlk(A, F_WRLCK, 0, OFFSET_MAX), "unlocked"); /* its own */
}

static void adjacent_locks_of_one_type_merge(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 10, 29, false), 0);
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 0, 9, false), 0);
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 30, OFFSET_MAX, false), 0);
	assert_int_equal(nr_locks(), 1);
	assert_string_equal(getlk(B, F_WRLCK, 5, 5), "R 0-EOF");
	/* An unlock to EOF leaves the head. */
	assert_int_equal(setlk(t1, &f1, A, F_UNLCK, 20, OFFSET_MAX, false), 0);
	assert_string_equal(getlk(B, F_WRLCK, 0, OFFSET_MAX), "R 0-19");
}

static void another_type_inside_makes_three_pieces(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 0, 99, false), 0);
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 20, 29, false), 0);
	assert_int_equal(nr_locks(), 3);
	assert_string_equal(getlk(B, F_RDLCK, 0, OFFSET_MAX), "W 0-19");
	assert_string_equal(getlk(B, F_RDLCK, 20, OFFSET_MAX), "W 30-99");
	assert_string_equal(getlk(B, F_WRLCK, 20, 29), "R 20-29");
	/* Covering all three with one type makes one lock again. */
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 0, 99, false), 0);
	assert_int_equal(nr_locks(), 1);
}

static void a_new_owner_goes_to_the_end_of_the_list(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 50, 59, false), 0);
	assert_int_equal(setlk(t2, &f1, B, F_RDLCK, 0, 9, false), 0);
	/* F_GETLK reports the first conflict in list order, not by offset. */
	assert_string_equal(getlk(C, F_WRLCK, 0, OFFSET_MAX), "R 50-59");
	assert_int_equal(setlk(t1, &f1, C, F_WRLCK, 0, 0, false), -EAGAIN);
	assert_int_equal(setlk(t1, &f1, C, F_RDLCK, 0, 0, false), 0);
}

static void closing_releases_only_that_owner_on_that_inode(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 0, 9, false), 0);
	assert_int_equal(setlk(t2, &f1, B, F_RDLCK, 0, 9, false), 0);
	assert_int_equal(setlk(t1, &other, A, F_RDLCK, 0, 9, false), 0);
	assert_int_equal(setlk_ofd(t1, &f1, F_RDLCK, 20, 29, false), 0); /* OFD */
	assert_int_equal(flock_lock_file(t1, &f1, F_RDLCK, false), 0);
	assert_int_equal(nr_locks(), 5);
	locks_remove_posix(&f2, A); /* another file of the same inode */
	assert_int_equal(nr_locks(), 4);
	assert_string_equal(getlk(C, F_WRLCK, 0, 9), "R 0-9"); /* B's */
	locks_remove_file(&f1); /* its OFD and flock locks */
	assert_int_equal(nr_locks(), 2);
}

static void flock_conversion_unlocks_first(void **state)
{
	(void)state;
	assert_int_equal(flock_lock_file(t1, &f1, F_RDLCK, false), 0);
	assert_int_equal(flock_lock_file(t2, &f2, F_RDLCK, false), 0);
	assert_int_equal(flock_lock_file(t2, &f2, F_RDLCK, false), 0); /* no-op */
	assert_int_equal(nr_locks(), 2);
	assert_int_equal(flock_lock_file(t2, &f2, F_WRLCK, false), -EAGAIN);
	assert_int_equal(nr_locks(), 1); /* f2's shared lock is gone */
	assert_int_equal(flock_lock_file(t1, &f1, F_WRLCK, false), 0);
	/* flock locks and POSIX locks do not see each other. */
	assert_int_equal(setlk(t2, &f2, B, F_WRLCK, 0, OFFSET_MAX, false), 0);
}

static void a_wait_that_closes_a_cycle_is_edeadlk(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 0, 0, false), 0);
	assert_int_equal(setlk(t2, &f1, B, F_WRLCK, 1, 1, false), 0);
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 1, 1, true), -EKBLOCK);
	assert_int_equal(t1->state, TASK_INTERRUPTIBLE);
	assert_int_equal(setlk(t2, &f1, B, F_WRLCK, 0, 0, true), -EDEADLK);
	/* OFD requests are not checked: they just wait. */
	assert_int_equal(setlk_ofd(t2, &f2, F_WRLCK, 0, 0, true), -EKBLOCK);
	wake_task(t2);
	/* A woken waiter no longer counts. */
	wake_task(t1);
	assert_int_equal(setlk(t2, &f1, B, F_WRLCK, 0, 0, true), -EKBLOCK);
	wake_task(t2);
}

static void a_release_wakes_the_waiters(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_WRLCK, 0, 99, false), 0);
	assert_int_equal(setlk(t2, &f1, B, F_RDLCK, 50, 50, true), -EKBLOCK);
	assert_int_equal(setlk(t1, &f1, A, F_UNLCK, 0, 9, false), 0); /* not the byte it wants */
	assert_int_equal(t2->state, TASK_RUNNING);                    /* woken anyway, retries */
	assert_int_equal(setlk(t2, &f1, B, F_RDLCK, 50, 50, true), -EKBLOCK);
	assert_int_equal(setlk(t1, &f1, A, F_RDLCK, 0, 99, false), 0); /* a downgrade */
	assert_int_equal(t2->state, TASK_RUNNING);
	assert_int_equal(setlk(t2, &f1, B, F_RDLCK, 50, 50, true), 0);
	assert_int_equal(flock_lock_file(t1, &f1, F_WRLCK, false), 0);
	assert_int_equal(flock_lock_file(t2, &f2, F_RDLCK, true), -EKBLOCK);
	locks_remove_file(&f1);
	assert_int_equal(t2->state, TASK_RUNNING);
}

static void unlocking_without_locks_is_a_no_op(void **state)
{
	(void)state;
	assert_int_equal(setlk(t1, &f1, A, F_UNLCK, 0, OFFSET_MAX, false), 0);
	assert_int_equal(flock_lock_file(t1, &f1, F_UNLCK, false), 0);
	assert_int_equal(nr_locks(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unlock_in_the_middle_cuts_a_lock_in_two, setup, teardown),
		cmocka_unit_test_setup_teardown(adjacent_locks_of_one_type_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(another_type_inside_makes_three_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_owner_goes_to_the_end_of_the_list, setup, teardown),
		cmocka_unit_test_setup_teardown(closing_releases_only_that_owner_on_that_inode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(flock_conversion_unlocks_first, setup, teardown),
		cmocka_unit_test_setup_teardown(a_wait_that_closes_a_cycle_is_edeadlk, setup, teardown),
		cmocka_unit_test_setup_teardown(a_release_wakes_the_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(unlocking_without_locks_is_a_no_op, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
