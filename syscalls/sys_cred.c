/* Credentials: the get/set id family, groups, capget/capset. The rules
 * live in kernelmodel/cred.c; these decode and copy. */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "syscalls/sys.h"

SYS(getuid)
{
	return from_kuid_munged(t, t->cred->uid);
}

SYS(geteuid)
{
	return from_kuid_munged(t, t->cred->euid);
}

SYS(getgid)
{
	return from_kgid_munged(t, t->cred->gid);
}

SYS(getegid)
{
	return from_kgid_munged(t, t->cred->egid);
}

static long put_three_ids(struct task *t, const uint64_t *a, uint32_t r, uint32_t e, uint32_t s)
{
	if (put_guest(t->mm, a[0], &r, 4) || put_guest(t->mm, a[1], &e, 4) ||
	    put_guest(t->mm, a[2], &s, 4))
		return -EFAULT;
	return 0;
}

SYS(getresuid)
{
	const struct cred *c = t->cred;
	return put_three_ids(t, a, from_kuid_munged(t, c->uid), from_kuid_munged(t, c->euid),
			     from_kuid_munged(t, c->suid));
}

SYS(getresgid)
{
	const struct cred *c = t->cred;
	return put_three_ids(t, a, from_kgid_munged(t, c->gid), from_kgid_munged(t, c->egid),
			     from_kgid_munged(t, c->sgid));
}

SYS(setuid)
{
	return cred_setuid(t, (uint32_t)a[0]);
}

SYS(setgid)
{
	return cred_setgid(t, (uint32_t)a[0]);
}

SYS(setreuid)
{
	return cred_setreuid(t, (uint32_t)a[0], (uint32_t)a[1]);
}

SYS(setregid)
{
	return cred_setregid(t, (uint32_t)a[0], (uint32_t)a[1]);
}

SYS(setresuid)
{
	return cred_setresuid(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
}

SYS(setresgid)
{
	return cred_setresgid(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
}

SYS(setfsuid)
{
	return cred_setfsuid(t, (uint32_t)a[0]);
}

SYS(setfsgid)
{
	return cred_setfsgid(t, (uint32_t)a[0]);
}

/* getgroups(2): the count with size 0, else EINVAL if they do not fit. */
SYS(getgroups)
{
	int size = (int)a[0];
	const struct group_info *gi = t->cred->group_info;
	if (size < 0)
		return -EINVAL;
	if (!size)
		return gi->ngroups;
	if (gi->ngroups > size)
		return -EINVAL;
	for (int i = 0; i < gi->ngroups; i++) {
		uint32_t g = from_kgid_munged(t, gi->gid[i]);
		if (copy_to_guest(t->mm, a[1] + 4 * (uint64_t)i, &g, 4))
			return -EFAULT;
	}
	return gi->ngroups;
}

SYS(setgroups)
{
	int n = (int)a[0];
	if (!cred_may_setgroups(t))
		return -EPERM;
	if ((unsigned)n > NGROUPS_MAX_MODEL)
		return -EINVAL;
	uint32_t *g = malloc(((size_t)n + 1) * sizeof(uint32_t));
	if (!g)
		return -ENOMEM;
	long r = n && copy_from_guest(t->mm, g, a[1], (size_t)n * 4) ? -EFAULT
								   : cred_setgroups(t, n, g);
	free(g);
	return r;
}

/* cap_validate_magic: the number of 32-bit words a header's version
 * moves (v1: 1; v2, v3: 2); an unknown version gets v3 written back and
 * EINVAL, so a caller can learn the kernel's preferred version. */
static long cap_validate_magic(struct task *t, uint64_t header, unsigned *tocopy)
{
	uint32_t version;
	if (copy_from_guest(t->mm, &version, header, 4))
		return -EFAULT;
	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		*tocopy = _LINUX_CAPABILITY_U32S_1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*tocopy = _LINUX_CAPABILITY_U32S_3;
		return 0;
	default:
		version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_guest(t->mm, header, &version, 4))
			return -EFAULT;
		return -EINVAL;
	}
}

SYS(capget)
{
	unsigned tocopy;
	long r = cap_validate_magic(t, a[0], &tocopy);
	if (!a[1] || r)
		return !a[1] && r == -EINVAL ? 0 : r; /* NULL data: a version probe */
	int32_t pid;
	if (copy_from_guest(t->mm, &pid, a[0] + 4, 4))
		return -EFAULT;
	if (pid < 0)
		return -EINVAL;
	const struct task *p = t;
	if (pid && pid != task_pid_nr_ns(t, t->pid_ns) &&
	    !(p = find_task_by_pid_ns(pid, t->pid_ns)))
		return -ESRCH;
	const struct cred *c = p->cred;
	struct __user_cap_data_struct d[2] = {
		{(uint32_t)c->cap_effective, (uint32_t)c->cap_permitted,
		 (uint32_t)c->cap_inheritable},
		{(uint32_t)(c->cap_effective >> 32), (uint32_t)(c->cap_permitted >> 32),
		 (uint32_t)(c->cap_inheritable >> 32)},
	};
	/* A v1 caller gets the low 32 capabilities only. */
	return copy_to_guest(t->mm, a[1], d, tocopy * sizeof(d[0])) ? -EFAULT : 0;
}

SYS(capset)
{
	unsigned tocopy;
	long r = cap_validate_magic(t, a[0], &tocopy);
	if (r)
		return r;
	int32_t pid;
	if (copy_from_guest(t->mm, &pid, a[0] + 4, 4))
		return -EFAULT;
	/* Only the caller's own capabilities can be set. */
	if (pid && pid != task_pid_nr_ns(t, t->pid_ns))
		return -EPERM;
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (copy_from_guest(t->mm, d, a[1], tocopy * sizeof(d[0])))
		return -EFAULT;
	kernel_cap_t valid = cap_valid_mask();
	kernel_cap_t eff = (d[0].effective | (kernel_cap_t)d[1].effective << 32) & valid;
	kernel_cap_t perm = (d[0].permitted | (kernel_cap_t)d[1].permitted << 32) & valid;
	kernel_cap_t inh = (d[0].inheritable | (kernel_cap_t)d[1].inheritable << 32) & valid;
	return cred_capset(t, eff, inh, perm);
}
