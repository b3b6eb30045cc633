/* Credentials: struct cred and its copy-on-change life cycle
 * (kernel/cred.c), the set*id and groups rules (kernel/sys.c,
 * kernel/groups.c), and the capability rules of security/commoncap.c. The
 * comments name the Linux function each piece mirrors. */
#include "kernelmodel/cred.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kernelmodel/fs.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "kernelmodel/user_namespace.h"

/* Bits newer than some <linux/securebits.h> (Linux 6.14). */
#ifndef SECURE_EXEC_RESTRICT_FILE
#define SECURE_EXEC_RESTRICT_FILE 8
#define SECURE_EXEC_DENY_INTERACTIVE 10
#endif
#define SECBITS_ALL                                                                                \
	(SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS | SECBIT_NO_CAP_AMBIENT_RAISE | \
	 (1u << SECURE_EXEC_RESTRICT_FILE) | (1u << SECURE_EXEC_DENY_INTERACTIVE))
#define SECBITS_ALL_LOCKS (SECBITS_ALL << 1)
/* Advisory bits user space enforces on itself: no privilege needed. */
#define SECBITS_UNPRIVILEGED                                                                       \
	((1u << SECURE_EXEC_RESTRICT_FILE) | (1u << SECURE_EXEC_DENY_INTERACTIVE))

#define CAPBIT(c) (1ull << (c))
/* The capabilities an fsuid change drops or raises (CAP_FS_SET). */
#define CAP_FS_SET                                                                                 \
	(CAPBIT(CAP_CHOWN) | CAPBIT(CAP_MKNOD) | CAPBIT(CAP_DAC_OVERRIDE) |                        \
	 CAPBIT(CAP_DAC_READ_SEARCH) | CAPBIT(CAP_FOWNER) | CAPBIT(CAP_FSETID) |                   \
	 CAPBIT(CAP_MAC_OVERRIDE) | CAPBIT(CAP_LINUX_IMMUTABLE))

/* ---- the host's view: capability count and overflow ids ---- */

static int cap_last_cap = -1;
static long overflowuid = -1, overflowgid = -1;

static long read_host_number(const char *path, long fallback)
{
	long v = fallback;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = fallback;
		fclose(f);
	}
	return v;
}

kernel_cap_t cap_valid_mask(void)
{
	if (cap_last_cap < 0) /* before cred_alloc_host: the kernel's own */
		cap_last_cap = (int)read_host_number("/proc/sys/kernel/cap_last_cap", CAP_LAST_CAP);
	return cap_last_cap >= 63 ? ~0ull : CAPBIT(cap_last_cap + 1) - 1;
}

static bool cap_number_valid(uint64_t cap)
{
	cap_valid_mask();
	return cap <= (uint64_t)cap_last_cap;
}

uint32_t from_kuid_munged(const struct task *t, uint32_t kuid)
{
	uint32_t id = from_kuid(task_user_ns(t), kuid);
	if (id != (uint32_t)-1)
		return id;
	if (overflowuid < 0)
		overflowuid = read_host_number("/proc/sys/kernel/overflowuid", 65534);
	return (uint32_t)overflowuid;
}

uint32_t from_kgid_munged(const struct task *t, uint32_t kgid)
{
	uint32_t id = from_kgid(task_user_ns(t), kgid);
	if (id != (uint32_t)-1)
		return id;
	if (overflowgid < 0)
		overflowgid = read_host_number("/proc/sys/kernel/overflowgid", 65534);
	return (uint32_t)overflowgid;
}

/* make_kuid + uid_valid: turn *@id, a uid of @t's user namespace, into
 * the kernel id; false when it maps to none. */
static bool to_kuid(const struct task *t, uint32_t *id)
{
	*id = *id == INVALID_ID ? INVALID_ID : make_kuid(task_user_ns(t), *id);
	return *id != INVALID_ID;
}

static bool to_kgid(const struct task *t, uint32_t *id)
{
	*id = *id == INVALID_ID ? INVALID_ID : make_kgid(task_user_ns(t), *id);
	return *id != INVALID_ID;
}

/* The kernel id of the namespace's root (make_kuid(ns, 0)), INVALID_ID
 * where 0 does not map. */
static uint32_t root_kuid(const struct task *t)
{
	return make_kuid(task_user_ns(t), 0);
}

/* ---- life cycle (kernel/cred.c) ---- */

static struct group_info *groups_alloc(int n)
{
	struct group_info *gi = malloc(sizeof(*gi) + (size_t)n * sizeof(uint32_t));
	if (!gi)
		return NULL;
	gi->refcount = 1;
	gi->ngroups = n;
	return gi;
}

static void put_group_info(struct group_info *gi)
{
	if (gi && --gi->refcount == 0)
		free(gi);
}

static int gid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* What the host reports about cloneemu itself, as one recorded blob. */
struct host_creds {
	uint32_t ids[8]; /* r e s fs uid, r e s fs gid */
	uint32_t securebits, no_new_privs;
	int32_t cap_last_cap, ngroups;
	uint64_t caps[5]; /* inheritable permitted effective bounding ambient */
};

static void read_host_creds(struct host_creds *h)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	memset(h, 0, sizeof(*h));
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	/* setfs[ug]id with an invalid id changes nothing and returns the old. */
	uint32_t fsu = (uint32_t)syscall(SYS_setfsuid, -1);
	uint32_t fsg = (uint32_t)syscall(SYS_setfsgid, -1);
	uint32_t ids[8] = {r, e, s, fsu, gr, ge, gs, fsg};
	memcpy(h->ids, ids, sizeof(ids));
	int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	h->securebits = sb < 0 ? 0 : (uint32_t)sb;
	h->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	h->cap_last_cap = (int32_t)read_host_number("/proc/sys/kernel/cap_last_cap", CAP_LAST_CAP);
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (!syscall(SYS_capget, &hdr, d)) {
		h->caps[0] = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
		h->caps[1] = d[0].permitted | (uint64_t)d[1].permitted << 32;
		h->caps[2] = d[0].effective | (uint64_t)d[1].effective << 32;
	}
	for (int c = 0; c <= h->cap_last_cap && c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			h->caps[3] |= CAPBIT(c);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			h->caps[4] |= CAPBIT(c);
	}
	int n = getgroups(0, NULL);
	h->ngroups = n < 0 ? 0 : n;
}

struct cred *cred_alloc_host(bool *no_new_privs)
{
	struct host_creds h;
	if (!rr_replaying)
		read_host_creds(&h);
	rr_bytes(&h, sizeof(h));
	struct cred *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	int n = h.ngroups > NGROUPS_MAX_MODEL ? NGROUPS_MAX_MODEL : h.ngroups;
	gid_t *g = malloc(((size_t)n + 1) * sizeof(gid_t));
	if (!g || !(c->group_info = groups_alloc(n))) {
		free(g);
		free(c);
		return NULL;
	}
	if (!rr_replaying && getgroups(n, g) != n)
		memset(g, 0, (size_t)n * sizeof(gid_t));
	rr_bytes(g, (size_t)n * sizeof(gid_t));
	for (int i = 0; i < n; i++)
		c->group_info->gid[i] = g[i];
	free(g);
	qsort(c->group_info->gid, (size_t)n, sizeof(uint32_t), gid_cmp);
	c->refcount = 1; /* the first task's */
	c->uid = h.ids[0];
	c->euid = h.ids[1];
	c->suid = h.ids[2];
	c->fsuid = h.ids[3];
	c->gid = h.ids[4];
	c->egid = h.ids[5];
	c->sgid = h.ids[6];
	c->fsgid = h.ids[7];
	c->securebits = h.securebits;
	cap_last_cap = h.cap_last_cap;
	c->cap_inheritable = h.caps[0];
	c->cap_permitted = h.caps[1];
	c->cap_effective = h.caps[2];
	c->cap_bset = h.caps[3];
	c->cap_ambient = h.caps[4];
	*no_new_privs = h.no_new_privs;
	return c;
}

struct cred *get_cred(struct cred *c)
{
	c->refcount++;
	return c;
}

void put_cred(struct cred *c)
{
	if (!c || --c->refcount > 0)
		return;
	put_group_info(c->group_info);
	free(c);
}

struct cred *prepare_creds(const struct cred *old)
{
	struct cred *new = malloc(sizeof(*new));
	if (!new)
		return NULL;
	*new = *old;
	new->refcount = 1; /* the caller's, until commit_creds hands it to a task */
	new->group_info->refcount++;
	return new;
}

/* fs.suid_dumpable: what a process becomes after an id change. */
static int suid_dumpable(void)
{
	static long v = -1;
	if (v < 0)
		v = read_host_number("/proc/sys/fs/suid_dumpable", 0);
	return (int)v;
}

int commit_creds(struct task *t, struct cred *new)
{
	struct cred *old = t->cred;
	/* Dumpability changes: a changed effective or fs id, or capabilities
	 * not a subset of the old ones, make the process non-dumpable (per
	 * fs.suid_dumpable) and clear the parent-death signal. */
	if (old && (old->euid != new->euid || old->egid != new->egid || old->fsuid != new->fsuid ||
		    old->fsgid != new->fsgid || (new->cap_permitted & ~old->cap_permitted))) {
		if (t->mm)
			t->mm->dumpable = suid_dumpable();
		t->pdeath_signal = 0;
	}
	t->cred = new;
	put_cred(old);
	return 0;
}

void abort_creds(struct cred *new)
{
	put_cred(new);
}

int commit_creds_userns(struct task *t, struct cred *new)
{
	struct cred *old = t->cred;
	t->cred = new;
	put_cred(old);
	return 0;
}

void set_cred_user_ns(struct cred *new)
{
	new->securebits = 0; /* SECUREBITS_DEFAULT */
	new->cap_inheritable = 0;
	new->cap_permitted = cap_valid_mask();
	new->cap_effective = cap_valid_mask();
	new->cap_ambient = 0;
	new->cap_bset = cap_valid_mask();
}

bool capable(const struct task *t, int cap)
{
	return cap_raised(t->cred->cap_effective, cap);
}

bool ns_capable(const struct task *t, const struct nsproxy *target, int cap)
{
	const struct user_namespace *ns = target && target->ns[NS_USER]->userns
						  ? target->ns[NS_USER]->userns
						  : &init_user_ns;
	return cap_capable_ns(t->cred, task_user_ns(t), ns, cap);
}

/* ---- uid changes and capabilities (security/commoncap.c) ---- */

/* cap_emulate_setxuid: leaving root (all of r/e/s uid non-zero) clears
 * permitted and effective unless keep-caps, and always ambient; euid
 * leaving 0 clears effective, euid becoming 0 raises it to permitted. */
static void cap_emulate_setxuid(const struct task *t, struct cred *new, const struct cred *old)
{
	uint32_t root = root_kuid(t);
	if ((old->uid == root || old->euid == root || old->suid == root) &&
	    (new->uid != root && new->euid != root && new->suid != root)) {
		if (!(old->securebits & SECBIT_KEEP_CAPS)) {
			new->cap_permitted = 0;
			new->cap_effective = 0;
		}
		/* Pre-ambient programs expect setresuid to nonroot followed
		 * by exec to drop capabilities. */
		new->cap_ambient = 0;
	}
	if (old->euid == root && new->euid != root)
		new->cap_effective = 0;
	if (old->euid != root && new->euid == root)
		new->cap_effective = new->cap_permitted;
}

enum setid_kind { SETID_RE, SETID_ID, SETID_RES, SETID_FS };

/* cap_task_fix_setuid: unless SECBIT_NO_SETUID_FIXUP, capabilities follow
 * [res]uid changes, and an fsuid leaving (entering) 0 drops (raises) the
 * file-system capabilities in the effective set. */
static void cap_task_fix_setuid(const struct task *t, struct cred *new, const struct cred *old,
				enum setid_kind kind)
{
	if (old->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (kind != SETID_FS) {
		cap_emulate_setxuid(t, new, old);
		return;
	}
	uint32_t root = root_kuid(t);
	if (old->fsuid == root && new->fsuid != root)
		new->cap_effective &= ~CAP_FS_SET;
	if (old->fsuid != root && new->fsuid == root)
		new->cap_effective |= new->cap_permitted & CAP_FS_SET;
}

/* ---- set*id (kernel/sys.c) ---- */

/* prepare_creds for @t, or NULL (ENOMEM). */
static struct cred *prepare_task_creds(struct task *t)
{
	return prepare_creds(t->cred);
}

long cred_setregid(struct task *t, uint32_t rgid, uint32_t egid)
{
	if ((rgid != INVALID_ID && !to_kgid(t, &rgid)) ||
	    (egid != INVALID_ID && !to_kgid(t, &egid)))
		return -EINVAL;
	const struct cred *old = t->cred;
	bool priv = capable(t, CAP_SETGID);
	if (rgid != INVALID_ID && old->gid != rgid && old->egid != rgid && !priv)
		return -EPERM;
	if (egid != INVALID_ID && old->gid != egid && old->egid != egid && old->sgid != egid &&
	    !priv)
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (rgid != INVALID_ID)
		new->gid = rgid;
	if (egid != INVALID_ID)
		new->egid = egid;
	if (rgid != INVALID_ID || (egid != INVALID_ID && egid != old->gid))
		new->sgid = new->egid;
	new->fsgid = new->egid;
	return commit_creds(t, new);
}

long cred_setgid(struct task *t, uint32_t gid)
{
	if (!to_kgid(t, &gid))
		return -EINVAL;
	const struct cred *old = t->cred;
	bool priv = capable(t, CAP_SETGID);
	if (!priv && gid != old->gid && gid != old->sgid)
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (priv)
		new->gid = new->egid = new->sgid = new->fsgid = gid;
	else
		new->egid = new->fsgid = gid;
	return commit_creds(t, new);
}

long cred_setreuid(struct task *t, uint32_t ruid, uint32_t euid)
{
	if ((ruid != INVALID_ID && !to_kuid(t, &ruid)) ||
	    (euid != INVALID_ID && !to_kuid(t, &euid)))
		return -EINVAL;
	const struct cred *old = t->cred;
	bool priv = capable(t, CAP_SETUID);
	if (ruid != INVALID_ID && old->uid != ruid && old->euid != ruid && !priv)
		return -EPERM;
	if (euid != INVALID_ID && old->uid != euid && old->euid != euid && old->suid != euid &&
	    !priv)
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (ruid != INVALID_ID)
		new->uid = ruid;
	if (euid != INVALID_ID)
		new->euid = euid;
	if (ruid != INVALID_ID || (euid != INVALID_ID && euid != old->uid))
		new->suid = new->euid;
	new->fsuid = new->euid;
	cap_task_fix_setuid(t, new, old, SETID_RE);
	return commit_creds(t, new);
}

long cred_setuid(struct task *t, uint32_t uid)
{
	if (!to_kuid(t, &uid))
		return -EINVAL;
	const struct cred *old = t->cred;
	bool priv = capable(t, CAP_SETUID);
	if (!priv && uid != old->uid && uid != old->suid)
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (priv)
		new->suid = new->uid = uid;
	new->fsuid = new->euid = uid;
	cap_task_fix_setuid(t, new, old, SETID_ID);
	return commit_creds(t, new);
}

/* Is @id one of @a, @b, @c (the old real, effective, saved ids)? */
static bool one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

long cred_setresuid(struct task *t, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	if ((ruid != INVALID_ID && !to_kuid(t, &ruid)) ||
	    (euid != INVALID_ID && !to_kuid(t, &euid)) ||
	    (suid != INVALID_ID && !to_kuid(t, &suid)))
		return -EINVAL;
	const struct cred *old = t->cred;
	/* Nothing would change: done, without a permission check. */
	if ((ruid == INVALID_ID || ruid == old->uid) &&
	    (euid == INVALID_ID || (euid == old->euid && euid == old->fsuid)) &&
	    (suid == INVALID_ID || suid == old->suid))
		return 0;
	bool ruid_new = ruid != INVALID_ID && !one_of(ruid, old->uid, old->euid, old->suid);
	bool euid_new = euid != INVALID_ID && !one_of(euid, old->uid, old->euid, old->suid);
	bool suid_new = suid != INVALID_ID && !one_of(suid, old->uid, old->euid, old->suid);
	if ((ruid_new || euid_new || suid_new) && !capable(t, CAP_SETUID))
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (ruid != INVALID_ID)
		new->uid = ruid;
	if (euid != INVALID_ID)
		new->euid = euid;
	if (suid != INVALID_ID)
		new->suid = suid;
	new->fsuid = new->euid;
	cap_task_fix_setuid(t, new, old, SETID_RES);
	return commit_creds(t, new);
}

long cred_setresgid(struct task *t, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	if ((rgid != INVALID_ID && !to_kgid(t, &rgid)) ||
	    (egid != INVALID_ID && !to_kgid(t, &egid)) ||
	    (sgid != INVALID_ID && !to_kgid(t, &sgid)))
		return -EINVAL;
	const struct cred *old = t->cred;
	if ((rgid == INVALID_ID || rgid == old->gid) &&
	    (egid == INVALID_ID || (egid == old->egid && egid == old->fsgid)) &&
	    (sgid == INVALID_ID || sgid == old->sgid))
		return 0;
	bool rgid_new = rgid != INVALID_ID && !one_of(rgid, old->gid, old->egid, old->sgid);
	bool egid_new = egid != INVALID_ID && !one_of(egid, old->gid, old->egid, old->sgid);
	bool sgid_new = sgid != INVALID_ID && !one_of(sgid, old->gid, old->egid, old->sgid);
	if ((rgid_new || egid_new || sgid_new) && !capable(t, CAP_SETGID))
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	if (rgid != INVALID_ID)
		new->gid = rgid;
	if (egid != INVALID_ID)
		new->egid = egid;
	if (sgid != INVALID_ID)
		new->sgid = sgid;
	new->fsgid = new->egid;
	return commit_creds(t, new);
}

long cred_setfsuid(struct task *t, uint32_t uid)
{
	const struct cred *old = t->cred;
	long old_fsuid = from_kuid_munged(t, old->fsuid);
	if (!to_kuid(t, &uid))
		return old_fsuid;
	if (!(one_of(uid, old->uid, old->euid, old->suid) || uid == old->fsuid ||
	      capable(t, CAP_SETUID)) ||
	    uid == old->fsuid)
		return old_fsuid;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return old_fsuid;
	new->fsuid = uid;
	cap_task_fix_setuid(t, new, old, SETID_FS);
	commit_creds(t, new);
	return old_fsuid;
}

long cred_setfsgid(struct task *t, uint32_t gid)
{
	const struct cred *old = t->cred;
	long old_fsgid = from_kgid_munged(t, old->fsgid);
	if (!to_kgid(t, &gid))
		return old_fsgid;
	if (!(one_of(gid, old->gid, old->egid, old->sgid) || gid == old->fsgid ||
	      capable(t, CAP_SETGID)) ||
	    gid == old->fsgid)
		return old_fsgid;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return old_fsgid;
	new->fsgid = gid;
	commit_creds(t, new);
	return old_fsgid;
}

/* ---- supplementary groups (kernel/groups.c) ---- */

/* may_setgroups: CAP_SETGID, and a user namespace that allows setgroups
 * (one without a gid_map never does). */
bool cred_may_setgroups(const struct task *t)
{
	return capable(t, CAP_SETGID) && userns_may_setgroups(task_user_ns(t));
}

long cred_setgroups(struct task *t, int n, const uint32_t *gids)
{
	struct group_info *gi = groups_alloc(n);
	if (!gi)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		gi->gid[i] = gids[i];
		if (!to_kgid(t, &gi->gid[i])) {
			put_group_info(gi);
			return -EINVAL;
		}
	}
	qsort(gi->gid, (size_t)n, sizeof(uint32_t), gid_cmp);
	struct cred *new = prepare_task_creds(t);
	if (!new) {
		put_group_info(gi);
		return -ENOMEM;
	}
	put_group_info(new->group_info);
	new->group_info = gi; /* our reference passes to the cred */
	return commit_creds(t, new);
}

/* in_group_p: the fsgid or a supplementary group. */
static bool in_group_p(const struct cred *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return true;
	const struct group_info *gi = c->group_info;
	int lo = 0, hi = gi->ngroups;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (gid > gi->gid[mid])
			lo = mid + 1;
		else if (gid < gi->gid[mid])
			hi = mid;
		else
			return true;
	}
	return false;
}

/* ---- capset and the capability prctls ---- */

long cred_capset(struct task *t, kernel_cap_t effective, kernel_cap_t inheritable,
		 kernel_cap_t permitted)
{
	const struct cred *old = t->cred;
	/* New inheritable capabilities must be permitted ones, unless the
	 * caller has CAP_SETPCAP, and never outside the bounding set. */
	if (!capable(t, CAP_SETPCAP) &&
	    (inheritable & ~(old->cap_inheritable | old->cap_permitted)))
		return -EPERM;
	if (inheritable & ~(old->cap_inheritable | old->cap_bset))
		return -EPERM;
	if (permitted & ~old->cap_permitted)
		return -EPERM;
	if (effective & ~permitted)
		return -EPERM;
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	new->cap_effective = effective;
	new->cap_inheritable = inheritable;
	new->cap_permitted = permitted;
	/* Ambient capabilities must stay permitted and inheritable. */
	new->cap_ambient &= permitted & inheritable;
	return commit_creds(t, new);
}

/* PR_SET_SECUREBITS: locked bits stay, locks stay, only known bits, and
 * CAP_SETPCAP for anything but the advisory exec bits (Linux 6.14). */
static long set_securebits(struct task *t, uint64_t bits)
{
	const struct cred *old = t->cred;
	uint64_t cur = old->securebits;
	if ((((cur & SECBITS_ALL_LOCKS) >> 1) & (cur ^ bits)) ||
	    (cur & SECBITS_ALL_LOCKS & ~bits) ||
	    (bits & ~(uint64_t)(SECBITS_ALL_LOCKS | SECBITS_ALL)))
		return -EPERM;
	if (!capable(t, CAP_SETPCAP)) {
		uint64_t changed = cur ^ bits;
		if (!changed) /* for legacy reasons, a non-change is refused */
			return -EPERM;
		if (changed & ~(uint64_t)(SECBITS_UNPRIVILEGED | SECBITS_UNPRIVILEGED << 1))
			return -EPERM;
	}
	struct cred *new = prepare_task_creds(t);
	if (!new)
		return -ENOMEM;
	new->securebits = (unsigned)bits;
	return commit_creds(t, new);
}

long cap_task_prctl(struct task *t, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
		    uint64_t arg5)
{
	const struct cred *old = t->cred;
	struct cred *new;
	switch (option) {
	case PR_CAPBSET_READ:
		if (!cap_number_valid(arg2))
			return -EINVAL;
		return cap_raised(old->cap_bset, (int)arg2);
	case PR_CAPBSET_DROP:
		if (!capable(t, CAP_SETPCAP))
			return -EPERM;
		if (!cap_number_valid(arg2))
			return -EINVAL;
		if (!(new = prepare_task_creds(t)))
			return -ENOMEM;
		new->cap_bset &= ~CAPBIT(arg2);
		return commit_creds(t, new);
	case PR_SET_SECUREBITS:
		return set_securebits(t, arg2);
	case PR_GET_SECUREBITS:
		return old->securebits;
	case PR_GET_KEEPCAPS:
		return !!(old->securebits & SECBIT_KEEP_CAPS);
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		if (old->securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		if (!(new = prepare_task_creds(t)))
			return -ENOMEM;
		if (arg2)
			new->securebits |= SECBIT_KEEP_CAPS;
		else
			new->securebits &= ~SECBIT_KEEP_CAPS;
		return commit_creds(t, new);
	case PR_CAP_AMBIENT:
		if (arg2 == PR_CAP_AMBIENT_CLEAR_ALL) {
			if (arg3 | arg4 | arg5)
				return -EINVAL;
			if (!(new = prepare_task_creds(t)))
				return -ENOMEM;
			new->cap_ambient = 0;
			return commit_creds(t, new);
		}
		if (!cap_number_valid(arg3) || arg4 || arg5)
			return -EINVAL;
		if (arg2 == PR_CAP_AMBIENT_IS_SET)
			return cap_raised(old->cap_ambient, (int)arg3);
		if (arg2 != PR_CAP_AMBIENT_RAISE && arg2 != PR_CAP_AMBIENT_LOWER)
			return -EINVAL;
		if (arg2 == PR_CAP_AMBIENT_RAISE &&
		    (!cap_raised(old->cap_permitted, (int)arg3) ||
		     !cap_raised(old->cap_inheritable, (int)arg3) ||
		     (old->securebits & SECBIT_NO_CAP_AMBIENT_RAISE)))
			return -EPERM;
		if (!(new = prepare_task_creds(t)))
			return -ENOMEM;
		if (arg2 == PR_CAP_AMBIENT_RAISE)
			new->cap_ambient |= CAPBIT(arg3);
		else
			new->cap_ambient &= ~CAPBIT(arg3);
		return commit_creds(t, new);
	default:
		return -ENOSYS;
	}
}

/* ---- signals ---- */

bool kill_ok_by_cred(const struct task *sender, const struct task *target)
{
	const struct cred *c = sender->cred, *tc = target->cred;
	return c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid ||
	       c->uid == tc->uid || ns_capable(sender, target->nsproxy, CAP_KILL);
}

/* ---- execve (fs/exec.c, security/commoncap.c) ---- */

/* security.capability's layout: VFS_CAP_* from <linux/capability.h>. */
#ifndef VFS_CAP_REVISION_3
#define VFS_CAP_REVISION_3 0x03000000
#endif

struct vfs_caps {
	uint32_t magic_etc;
	kernel_cap_t permitted, inheritable;
};

/* get_vfs_caps_from_disk: security.capability of @path. 0, -ENODATA (none,
 * or one that does not count here), -EINVAL (malformed), -ERANGE (too big). */
static int get_vfs_caps_from_disk(const char *path, struct vfs_caps *out)
{
	uint8_t raw[24];
	memset(out, 0, sizeof(*out));
	ssize_t size = getxattr(path, "security.capability", raw, sizeof(raw));
	if (size < 0)
		return errno == ERANGE ? -ERANGE : -ENODATA;
	if (size < 4)
		return -EINVAL;
	uint32_t w[6] = {0};
	memcpy(w, raw, (size_t)size);
	out->magic_etc = w[0];
	uint32_t rootid = 0;
	unsigned words;
	switch (w[0] & VFS_CAP_REVISION_MASK) {
	case VFS_CAP_REVISION_1:
		if (size != 12)
			return -EINVAL;
		words = 1;
		break;
	case VFS_CAP_REVISION_2:
		if (size != 20)
			return -EINVAL;
		words = 2;
		break;
	case VFS_CAP_REVISION_3:
		if (size != 24)
			return -EINVAL;
		words = 2;
		rootid = w[5];
		break;
	default:
		return -EINVAL;
	}
	/* rootid_owns_currentns: the capabilities belong to the root of the
	 * task's namespace or an ancestor's; with no id maps only the initial
	 * namespace's root (kernel id 0) qualifies. */
	if (rootid != 0)
		return -ENODATA;
	for (unsigned i = 0; i < words; i++) {
		out->permitted |= (kernel_cap_t)w[1 + 2 * i] << (32 * i);
		out->inheritable |= (kernel_cap_t)w[2 + 2 * i] << (32 * i);
	}
	out->permitted &= cap_valid_mask();
	out->inheritable &= cap_valid_mask();
	return 0;
}

/* get_file_caps + bprm_caps_from_vfs_caps: pP' = (X & fP) | (pI & fI). */
static int get_file_caps(const char *path, bool nosuid, struct cred *new, bool *effective,
			 bool *has_fcap)
{
	new->cap_permitted = 0;
	if (nosuid)
		return 0;
	struct vfs_caps vc;
	int rc = get_vfs_caps_from_disk(path, &vc);
	if (rc == -ENODATA)
		return 0;
	if (rc)
		return rc;
	if (vc.magic_etc & VFS_CAP_FLAGS_EFFECTIVE)
		*effective = true;
	if (vc.magic_etc & VFS_CAP_REVISION_MASK)
		*has_fcap = true;
	new->cap_permitted =
		(new->cap_bset & vc.permitted) | (new->cap_inheritable & vc.inheritable);
	/* A program that asks for capabilities to be effective at once but
	 * cannot get all of its forced ones must not run. */
	if ((vc.permitted & ~new->cap_permitted) && *effective) {
		new->cap_permitted = 0;
		return -EPERM;
	}
	return 0;
}

/* check_unsafe_exec's LSM_UNSAFE_SHARE: the fs struct (cwd, umask) is
 * shared with a task outside the thread group. */
static bool fs_shared_outside(const struct task *t)
{
	if (!t->fs)
		return false;
	int n_fs = 1;
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p != t && p->tgid == t->tgid && p->fs == t->fs && task_is_alive(p))
			n_fs++;
	return t->fs->refcount > n_fs;
}

/* Does the file start with "#!"? (Linux ignores a script's own set-ID bits
 * and capabilities: its interpreter is what runs.) */
static bool is_script(const char *path)
{
	char magic[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool r = pread(fd, magic, 2, 0) == 2 && magic[0] == '#' && magic[1] == '!';
	close(fd);
	return r;
}

int bprm_creds_from_file(struct task *t, const char *path, struct cred **out, bool *secure)
{
	const struct cred *old = t->cred;
	struct stat st;
	struct statvfs sv;
	bool script = is_script(path);
	bool nosuid = script || (!statvfs(path, &sv) && (sv.f_flag & ST_NOSUID));
	bool unsafe_nnp = t->no_new_privs;
	bool unsafe = unsafe_nnp || fs_shared_outside(t);
	struct cred *new = prepare_creds(old);
	if (!new)
		return -ENOMEM;

	/* bprm_fill_uid: set-user-ID and set-group-ID (with group execute)
	 * files, where ids map and privileges may grow. */
	if (!nosuid && !unsafe_nnp && !stat(path, &st) && (st.st_mode & (S_ISUID | S_ISGID)) &&
	    from_kuid(task_user_ns(t), st.st_uid) != INVALID_ID &&
	    from_kgid(task_user_ns(t), st.st_gid) != INVALID_ID) {
		if (st.st_mode & S_ISUID)
			new->euid = st.st_uid;
		if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			new->egid = st.st_gid;
	}

	/* cap_bprm_creds_from_file */
	bool effective = false, has_fcap = false;
	int rc = get_file_caps(path, nosuid, new, &effective, &has_fcap);
	if (rc) {
		abort_creds(new);
		return rc;
	}
	uint32_t root = root_kuid(t);
	/* handle_privileged_root: root gets its bounding set (and its
	 * inheritable capabilities), effective when the euid is 0. */
	if (!(old->securebits & SECBIT_NOROOT) &&
	    !(has_fcap && new->uid != root && new->euid == root)) {
		if (new->euid == root || new->uid == root)
			new->cap_permitted = old->cap_bset | old->cap_inheritable;
		if (new->euid == root)
			effective = true;
	}
	bool gained = (new->cap_permitted & ~old->cap_permitted) != 0;
	bool id_changed = new->euid != old->euid || !in_group_p(old, new->egid);
	/* A set-ID or capability-gaining exec with no_new_privs or a shared
	 * fs struct gets no more than the caller had. */
	if ((id_changed || gained) && unsafe) {
		if (!capable(t, CAP_SETUID) || unsafe_nnp) {
			new->euid = new->uid;
			new->egid = new->gid;
		}
		new->cap_permitted &= old->cap_permitted;
	}
	new->suid = new->fsuid = new->euid;
	new->sgid = new->fsgid = new->egid;
	/* File capabilities or set-ID cancel ambient ones. */
	if (has_fcap || id_changed)
		new->cap_ambient = 0;
	new->cap_permitted |= new->cap_ambient;
	new->cap_effective = effective ? new->cap_permitted : new->cap_ambient;
	new->securebits &= ~SECBIT_KEEP_CAPS;
	*secure = id_changed || new->euid != old->uid || new->egid != old->gid ||
		  (new->uid != root &&
		   (effective || (new->cap_permitted & ~new->cap_ambient) != 0));
	*out = new;
	return 0;
}
