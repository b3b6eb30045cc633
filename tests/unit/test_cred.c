/* Unit tests for kernelmodel/cred.c: the copy-on-change life cycle (a
 * change reaches one task only), the set*id rules of kernel/sys.c and the
 * capability effects of security/commoncap.c, on tasks built by hand, so
 * they do not depend on who runs the tests (the differential guests
 * cred_*.c compare the same rules with the host kernel, as root). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <cmocka.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"

#define FULL_SET cap_valid_mask()
#define BIT(c) (1ull << (c))

/* A task in the initial namespaces whose credentials are all @uid, with
 * every capability when @uid is 0 and none otherwise. */
static struct task *new_task(uint32_t uid)
{
	struct task *t = task_alloc();
	assert_non_null(t);
	t->nsproxy = nsproxy_alloc_initial();
	assert_non_null(t->nsproxy);
	struct cred *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->group_info = calloc(1, sizeof(struct group_info));
	assert_non_null(c->group_info);
	c->group_info->refcount = 1;
	c->refcount = 1;
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = uid;
	c->cap_bset = FULL_SET;
	if (uid == 0)
		c->cap_permitted = c->cap_effective = FULL_SET;
	t->cred = c;
	return t;
}

static void shared_cred_changes_only_the_caller(void **state)
{
	(void)state;
	struct task *a = new_task(0), *b = task_alloc();
	b->nsproxy = nsproxy_get(a->nsproxy);
	b->cred = get_cred(a->cred); /* as clone shares it */
	assert_int_equal(a->cred->refcount, 2);
	assert_int_equal(cred_setresuid(a, 1000, 1000, 1000), 0);
	assert_ptr_not_equal(a->cred, b->cred);
	assert_int_equal(a->cred->uid, 1000);
	assert_int_equal(b->cred->uid, 0);
	assert_int_equal(b->cred->refcount, 1);
	assert_int_equal(a->cred->refcount, 1);
	/* The group list is shared until one of them replaces it. */
	assert_ptr_equal(a->cred->group_info, b->cred->group_info);
	task_put(a);
	task_put(b);
}

static void setresuid_from_root_drops_capabilities(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cred_setresuid(t, 1000, 1000, 1000), 0);
	assert_int_equal(t->cred->fsuid, 1000);
	assert_int_equal(t->cred->cap_permitted, 0);
	assert_int_equal(t->cred->cap_effective, 0);
	assert_int_equal(t->cred->cap_bset, FULL_SET);
	/* Unprivileged now: only our own ids. */
	assert_int_equal(cred_setuid(t, 0), -EPERM);
	assert_int_equal(cred_setreuid(t, INVALID_ID, 0), -EPERM);
	assert_int_equal(cred_setuid(t, INVALID_ID), -EINVAL);
	assert_int_equal(cred_setresuid(t, INVALID_ID, INVALID_ID, INVALID_ID), 0);
	assert_int_equal(cred_setuid(t, 1000), 0);
	task_put(t);
}

static void keepcaps_keeps_permitted_but_not_effective(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cap_task_prctl(t, PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
	assert_int_equal(cap_task_prctl(t, PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	assert_int_equal(cred_setresuid(t, 1000, 1000, 1000), 0);
	assert_int_equal(t->cred->cap_permitted, FULL_SET);
	assert_int_equal(t->cred->cap_effective, 0);
	/* Back to euid 0 (CAP_SETUID made effective first): effective = permitted. */
	assert_int_equal(cred_capset(t, BIT(CAP_SETUID), 0, FULL_SET), 0);
	assert_int_equal(cred_setresuid(t, 0, 0, 0), 0);
	assert_int_equal(t->cred->cap_effective, FULL_SET);
	task_put(t);
}

static void seteuid_only_clears_and_restores_effective(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cred_setreuid(t, INVALID_ID, 1000), 0);
	/* setreuid with euid != old ruid moves the saved uid along. */
	assert_int_equal(t->cred->suid, 1000);
	assert_int_equal(t->cred->cap_permitted, FULL_SET);
	assert_int_equal(t->cred->cap_effective, 0);
	assert_int_equal(cred_setreuid(t, INVALID_ID, 0), 0);
	assert_int_equal(t->cred->cap_effective, FULL_SET);
	task_put(t);
}

static void fsuid_change_drops_and_raises_fs_capabilities(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cred_setfsuid(t, 1000), 0);
	assert_false(cap_raised(t->cred->cap_effective, CAP_CHOWN));
	assert_false(cap_raised(t->cred->cap_effective, CAP_LINUX_IMMUTABLE));
	assert_true(cap_raised(t->cred->cap_effective, CAP_KILL));
	assert_int_equal(cred_setfsuid(t, 0), 1000);
	assert_int_equal(t->cred->cap_effective, FULL_SET);
	task_put(t);
}

static void no_setuid_fixup_keeps_every_set(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cap_task_prctl(t, PR_SET_SECUREBITS, 1 << 2, 0, 0, 0), 0);
	assert_int_equal(cred_setresuid(t, 1000, 1000, 1000), 0);
	assert_int_equal(t->cred->cap_effective, FULL_SET);
	task_put(t);
}

static void capset_follows_cap_capset(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	uint64_t all = FULL_SET, no_raw = all & ~BIT(CAP_NET_RAW);
	assert_int_equal(cred_capset(t, all, 0, no_raw), -EPERM); /* eff > prm */
	assert_int_equal(cred_capset(t, no_raw, 0, no_raw), 0);
	assert_int_equal(cred_capset(t, all, 0, all), -EPERM); /* prm grows */
	/* Without CAP_SETPCAP, inheritable stays within permitted. */
	assert_int_equal(cred_capset(t, no_raw & ~BIT(CAP_SETPCAP), 0, no_raw), 0);
	assert_int_equal(cred_capset(t, 0, BIT(CAP_NET_RAW), no_raw), -EPERM);
	assert_int_equal(cred_capset(t, 0, BIT(CAP_KILL), no_raw), 0);
	/* Ambient needs permitted and inheritable, and follows them. */
	assert_int_equal(cap_task_prctl(t, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0),
			 0);
	assert_int_equal(cap_task_prctl(t, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0),
			 -EPERM);
	assert_int_equal(cred_capset(t, 0, 0, no_raw), 0);
	assert_int_equal(t->cred->cap_ambient, 0);
	task_put(t);
}

static void locked_securebits_cannot_change(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	assert_int_equal(cap_task_prctl(t, PR_SET_SECUREBITS, 1 << 5, 0, 0, 0), 0);
	assert_int_equal(cap_task_prctl(t, PR_SET_KEEPCAPS, 1, 0, 0, 0), -EPERM);
	assert_int_equal(cap_task_prctl(t, PR_SET_SECUREBITS, 0, 0, 0, 0), -EPERM);
	assert_int_equal(cap_task_prctl(t, PR_SET_SECUREBITS, (1 << 5) | (1 << 20), 0, 0, 0),
			 -EPERM);
	assert_int_equal(cap_task_prctl(t, PR_CAPBSET_READ, 63, 0, 0, 0), -EINVAL);
	assert_int_equal(cap_task_prctl(t, PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0), 0);
	assert_int_equal(cap_task_prctl(t, PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0), 0);
	assert_int_equal(cap_task_prctl(t, PR_SET_NAME, 0, 0, 0, 0), -ENOSYS);
	task_put(t);
}

static void setgroups_sorts_and_shares_nothing_with_the_old_list(void **state)
{
	(void)state;
	struct task *t = new_task(0);
	struct group_info *old = t->cred->group_info;
	uint32_t g[] = {30, 10, 20, 10};
	assert_true(cred_may_setgroups(t));
	assert_int_equal(cred_setgroups(t, 4, g), 0);
	assert_ptr_not_equal(t->cred->group_info, old);
	assert_int_equal(t->cred->group_info->ngroups, 4);
	assert_int_equal(t->cred->group_info->gid[0], 10);
	assert_int_equal(t->cred->group_info->gid[1], 10);
	assert_int_equal(t->cred->group_info->gid[3], 30);
	uint32_t bad[] = {INVALID_ID};
	assert_int_equal(cred_setgroups(t, 1, bad), -EINVAL);
	task_put(t);
}

static void kill_permission_compares_real_and_saved_uids(void **state)
{
	(void)state;
	struct task *root = new_task(0), *user = new_task(1000), *other = new_task(2000);
	assert_true(kill_ok_by_cred(root, user)); /* CAP_KILL */
	assert_false(kill_ok_by_cred(user, root));
	assert_false(kill_ok_by_cred(user, other));
	/* A set-user-ID process (saved uid 1000) is ours to signal. */
	assert_int_equal(cred_setresuid(other, INVALID_ID, INVALID_ID, 1000), -EPERM);
	struct cred *c = prepare_creds(other->cred);
	c->suid = 1000;
	commit_creds(other, c);
	assert_true(kill_ok_by_cred(user, other));
	task_put(root);
	task_put(user);
	task_put(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_cred_changes_only_the_caller),
		cmocka_unit_test(setresuid_from_root_drops_capabilities),
		cmocka_unit_test(keepcaps_keeps_permitted_but_not_effective),
		cmocka_unit_test(seteuid_only_clears_and_restores_effective),
		cmocka_unit_test(fsuid_change_drops_and_raises_fs_capabilities),
		cmocka_unit_test(no_setuid_fixup_keeps_every_set),
		cmocka_unit_test(capset_follows_cap_capset),
		cmocka_unit_test(locked_securebits_cannot_change),
		cmocka_unit_test(setgroups_sorts_and_shares_nothing_with_the_old_list),
		cmocka_unit_test(kill_permission_compares_real_and_saved_uids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
