/* Unit tests for kernelmodel/sched_policy.c and kernelmodel/ioprio.c on
 * tasks built by hand: the rules an unprivileged user meets with limits a
 * root test run cannot set up (RLIMIT_NICE, RLIMIT_RTPRIO above 0), and
 * sched_fork's reset-on-fork. The differential guests sched_*.c compare
 * the rest with the host kernel, as root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/ioprio.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/sched_policy.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

/* A task in the initial namespaces whose ids are all @uid, with every
 * capability when @uid is 0 and none otherwise, SCHED_NORMAL nice 0 and
 * RLIMIT_NICE/RLIMIT_RTPRIO 0. */
static struct task *new_task(uint32_t uid)
{
	struct task *t = task_alloc();
	assert_non_null(t);
	t->nsproxy = nsproxy_alloc_initial();
	t->signal = signal_alloc();
	assert_non_null(t->nsproxy);
	assert_non_null(t->signal);
	struct cred *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->group_info = calloc(1, sizeof(struct group_info));
	assert_non_null(c->group_info);
	c->group_info->refcount = 1;
	c->refcount = 1;
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->cap_bset = cap_valid_mask();
	if (uid == 0)
		c->cap_permitted = c->cap_effective = cap_valid_mask();
	t->cred = c;
	sched_init_first_task(t); /* the host's affinity, slices and limits */
	memset(&t->sched, 0, offsetof(struct task_sched, cpus_mask));
	t->sched.prio = 120;
	t->ioprio = 0;
	return t;
}

static void set_rlimit(struct task *t, int res, rlim_t cur)
{
	t->signal->rlim[res].rlim_cur = cur;
	t->signal->rlim[res].rlim_max = cur;
}

static void rlimit_nice_allows_lowering_to_its_bound(void **state)
{
	(void)state;
	struct task *t = new_task(1000);
	assert_int_equal(sched_setpriority(t, PRIO_PROCESS, 0, 5), 0);
	assert_int_equal(sched_setpriority(t, PRIO_PROCESS, 0, 4), -EACCES);
	/* RLIMIT_NICE 30 means nice down to 20 - 30 = -10. */
	set_rlimit(t, RLIMIT_NICE, 30);
	assert_int_equal(sched_setpriority(t, PRIO_PROCESS, 0, -10), 0);
	assert_int_equal(sched_setpriority(t, PRIO_PROCESS, 0, -11), -EACCES);
	assert_int_equal(sched_getpriority(t, PRIO_PROCESS, 0), 30);
	assert_int_equal(task_prio(&t->sched), 10);
	struct ksched_attr a = {.size = 56, .sched_nice = -11};
	assert_int_equal(sched_setattr_task(t, t, &a, false), -EPERM);
	a.sched_nice = -10;
	assert_int_equal(sched_setattr_task(t, t, &a, false), 0);
	task_put(t);
}

static void rlimit_rtprio_allows_fifo_up_to_its_bound(void **state)
{
	(void)state;
	struct task *t = new_task(1000);
	struct ksched_attr a = {.size = 56, .sched_policy = SCHED_FIFO, .sched_priority = 5};
	assert_int_equal(sched_setattr_task(t, t, &a, false), -EPERM);
	set_rlimit(t, RLIMIT_RTPRIO, 10);
	assert_int_equal(sched_setattr_task(t, t, &a, false), 0);
	a.sched_priority = 10;
	assert_int_equal(sched_setattr_task(t, t, &a, false), 0);
	a.sched_priority = 11;
	assert_int_equal(sched_setattr_task(t, t, &a, false), -EPERM);
	assert_int_equal(task_prio(&t->sched), -11);
	/* Deadline needs CAP_SYS_NICE whatever the limits. */
	struct ksched_attr d = {.size = 56, .sched_policy = SCHED_DEADLINE,
				.sched_runtime = 1000000, .sched_deadline = 10000000};
	assert_int_equal(sched_setattr_task(t, t, &d, false), -EPERM);
	task_put(t);
}

static void another_users_task_needs_cap_sys_nice(void **state)
{
	(void)state;
	struct task *a = new_task(1000), *b = new_task(1001), *root = new_task(0);
	assert_int_equal(sched_setpriority(a, PRIO_PROCESS, 0, 3), 0);
	struct ksched_attr attr = {.size = 56, .sched_nice = 5};
	assert_int_equal(sched_setattr_task(a, b, &attr, false), -EPERM);
	assert_int_equal(ioprio_set(a, IOPRIO_WHO_PROCESS, 0, 2 << 13 | 3), 0);
	assert_int_equal(a->ioprio, 2 << 13 | 3);
	/* Root's permitted set is not within ours (cap_safe_nice). */
	assert_int_equal(cap_safe_nice(a, root), -EPERM);
	assert_int_equal(cap_safe_nice(root, a), 0);
	assert_int_equal(sched_setattr_task(root, b, &attr, false), 0);
	assert_int_equal(task_nice(&b->sched), 5);
	task_put(a);
	task_put(b);
	task_put(root);
}

static void reset_on_fork_sends_children_back_to_normal(void **state)
{
	(void)state;
	struct task *root = new_task(0), *child = task_alloc();
	assert_non_null(child);
	struct ksched_attr a = {.size = 56, .sched_policy = SCHED_RR, .sched_priority = 30,
				.sched_flags = SCHED_FLAG_RESET_ON_FORK};
	assert_int_equal(sched_setattr_task(root, root, &a, false), 0);
	root->ioprio = 8; /* class NONE with a hint bit: not inherited */
	assert_int_equal(sched_fork(child, root), 0);
	assert_int_equal(child->sched.policy, SCHED_NORMAL);
	assert_int_equal(child->sched.rt_priority, 0);
	assert_false(child->sched.reset_on_fork);
	assert_int_equal(task_prio(&child->sched), 20);
	assert_int_equal(child->ioprio, 0);
	/* A positive nice value and SCHED_BATCH survive, a negative one not. */
	struct ksched_attr b = {.size = 56, .sched_policy = SCHED_BATCH, .sched_nice = 6,
				.sched_flags = SCHED_FLAG_RESET_ON_FORK};
	assert_int_equal(sched_setattr_task(root, root, &b, false), 0);
	assert_int_equal(sched_fork(child, root), 0);
	assert_int_equal(child->sched.policy, SCHED_BATCH);
	assert_int_equal(task_nice(&child->sched), 6);
	b.sched_nice = -6;
	assert_int_equal(sched_setattr_task(root, root, &b, false), 0);
	assert_int_equal(sched_fork(child, root), 0);
	assert_int_equal(task_nice(&child->sched), 0);
	/* A deadline task without the flag cannot fork. */
	struct ksched_attr d = {.size = 56, .sched_policy = SCHED_DEADLINE,
				.sched_runtime = 1000000, .sched_deadline = 10000000};
	int r = sched_setattr_task(root, root, &d, false);
	if (r == 0)
		assert_int_equal(sched_fork(child, root), -EAGAIN);
	task_put(root);
	task_put(child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rlimit_nice_allows_lowering_to_its_bound),
		cmocka_unit_test(rlimit_rtprio_allows_fifo_up_to_its_bound),
		cmocka_unit_test(another_users_task_needs_cap_sys_nice),
		cmocka_unit_test(reset_on_fork_sends_children_back_to_normal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
