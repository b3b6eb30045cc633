/* struct cred: a task's credentials (include/linux/cred.h, kernel/cred.c),
 * with the rules that change them: the set*id family and groups of
 * kernel/sys.c and kernel/groups.c, capget/capset of kernel/capability.c,
 * and the capability side of security/commoncap.c (uid-change fixups,
 * the capability prctls, execve's new capability sets).
 *
 * A cred is immutable once a task points at it and is shared by reference
 * (clone and fork take the parent's): a change builds a new one with
 * prepare_creds and installs it in the one task making the change with
 * commit_creds, so a thread that calls setuid(2) changes only itself, as in
 * Linux (glibc and musl make setuid process-wide by signalling every thread
 * to make the call too).
 *
 * Ids are kernel ids (the initial user namespace's numbers). In any other
 * user namespace they go through its uid_map and gid_map
 * (kernelmodel/user_namespace.c): unmapped ones read as the overflow id and
 * cannot be set (EINVAL). A task's capabilities count in its own user
 * namespace and, for the owner, in the namespaces it created. */
#ifndef KERNELMODEL_CRED_H
#define KERNELMODEL_CRED_H

#include <linux/capability.h> /* CAP_* numbers */
#include <stdbool.h>
#include <stdint.h>

struct task;
struct nsproxy;

typedef uint64_t kernel_cap_t; /* bit N: capability N */

#define NGROUPS_MAX_MODEL 65536 /* Linux's NGROUPS_MAX */
#define INVALID_ID 0xffffffffu  /* (uid_t)-1: "unchanged" for set*id */

/* Supplementary groups, shared by the creds that have the same list. */
struct group_info {
	int refcount; /* one per cred holding it */
	int ngroups;
	uint32_t gid[]; /* sorted ascending (groups_sort), duplicates kept */
};

struct cred {
	int refcount; /* one per task pointing at it, plus transient holders */
	uint32_t uid, gid;     /* real */
	uint32_t suid, sgid;   /* saved */
	uint32_t euid, egid;   /* effective */
	uint32_t fsuid, fsgid; /* file system (not yet applied to host files) */
	unsigned securebits;   /* SECBIT_*; SECBIT_KEEP_CAPS is PR_SET_KEEPCAPS */
	kernel_cap_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	struct group_info *group_info;
};

/* Every capability this kernel knows (bits 0..cap_last_cap, the host's
 * /proc/sys/kernel/cap_last_cap): Linux's CAP_VALID_MASK, CAP_FULL_SET. */
kernel_cap_t cap_valid_mask(void);
static inline bool cap_raised(kernel_cap_t c, int cap)
{
	return cap >= 0 && cap < 64 && (c >> cap) & 1;
}

/* The host process's credentials, for the first task: its real, effective,
 * saved and fs ids, groups, its capability sets as capget and prctl report
 * them (not all capabilities: whatever cloneemu really has), securebits;
 * *no_new_privs gets the host's flag. Recorded and replayed (--record).
 * Returns a new cred (refcount 1), or NULL on ENOMEM. */
struct cred *cred_alloc_host(bool *no_new_privs);
/* Take a reference; returns @c. */
struct cred *get_cred(struct cred *c);
/* Drop a reference; the last one frees the cred (and its group list). */
void put_cred(struct cred *c);
/* A private copy of @old to change (refcount 1; the group list is shared
 * until replaced). NULL on ENOMEM. */
struct cred *prepare_creds(const struct cred *old);
/* Install @new as @t's credentials: consumes the caller's reference to
 * @new and drops @t's reference to the old ones. Returns 0. */
int commit_creds(struct task *t, struct cred *new);
/* Throw away a prepared cred that was not committed. */
void abort_creds(struct cred *new);
/* commit_creds for a task that just entered a user namespace it created
 * (unshare): its new capabilities there are no gain (cred_cap_issubset's
 * owner rule), so dumpability stays. */
int commit_creds_userns(struct task *t, struct cred *new);
/* A task entering a new user namespace (clone or unshare CLONE_NEWUSER)
 * holds every capability there and no inheritable or ambient ones
 * (kernel/user_namespace.c set_cred_user_ns). */
void set_cred_user_ns(struct cred *new);

/* Does @t hold @cap in its own user namespace (ns_capable(current_user_ns()))? */
bool capable(const struct task *t, int cap);
/* Does @t hold @cap over the user namespace of @target's namespaces? In
 * its own namespace: its effective set; in the initial one it also holds
 * it over every other (an ancestor); otherwise no. (Namespace owners are
 * not modeled, so the owner-has-all-caps rule does not apply.) */
bool ns_capable(const struct task *t, const struct nsproxy *target, int cap);

/* An id of @t's kernel credentials as @t's user namespace shows it: the
 * id itself, or the overflow id where no map covers it. */
uint32_t from_kuid_munged(const struct task *t, uint32_t kuid);
uint32_t from_kgid_munged(const struct task *t, uint32_t kgid);

/* kernel/sys.c: the set*id calls with Linux's checks (EINVAL for an id
 * that does not map, EPERM without CAP_SETUID/CAP_SETGID), the
 * capability fixups of a uid change (cap_emulate_setxuid, keep-caps,
 * SECBIT_NO_SETUID_FIXUP) and fsuid's file-system capabilities. Each
 * returns 0 or -errno, except setfs[ug]id which return the old fs id. */
long cred_setuid(struct task *t, uint32_t uid);
long cred_setgid(struct task *t, uint32_t gid);
long cred_setreuid(struct task *t, uint32_t ruid, uint32_t euid);
long cred_setregid(struct task *t, uint32_t rgid, uint32_t egid);
long cred_setresuid(struct task *t, uint32_t ruid, uint32_t euid, uint32_t suid);
long cred_setresgid(struct task *t, uint32_t rgid, uint32_t egid, uint32_t sgid);
long cred_setfsuid(struct task *t, uint32_t uid);
long cred_setfsgid(struct task *t, uint32_t gid);
/* setgroups(2) with @n gids (already range-checked: 0..NGROUPS_MAX_MODEL,
 * EPERM checked first by cred_may_setgroups): sorted and installed. */
bool cred_may_setgroups(const struct task *t);
long cred_setgroups(struct task *t, int n, const uint32_t *gids);
/* capset(2)'s rules (cap_capset): -EPERM or 0 with the sets installed. */
long cred_capset(struct task *t, kernel_cap_t effective, kernel_cap_t inheritable,
		 kernel_cap_t permitted);
/* The capability prctls (cap_task_prctl): PR_CAPBSET_READ/DROP,
 * PR_SET/GET_SECUREBITS, PR_SET/GET_KEEPCAPS, PR_CAP_AMBIENT. Returns the
 * result, or -ENOSYS for any other option. */
long cap_task_prctl(struct task *t, int option, uint64_t arg2, uint64_t arg3, uint64_t arg4,
		    uint64_t arg5);

/* kill(2)'s permission (kernel/signal.c kill_ok_by_cred): the sender's
 * real or effective uid is the target's real or saved uid, or the sender
 * has CAP_KILL over the target's user namespace. */
bool kill_ok_by_cred(const struct task *sender, const struct task *target);

/* execve's new credentials for @t running the host file @path (fs/exec.c
 * bprm_fill_uid, security/commoncap.c cap_bprm_creds_from_file): the file's
 * set-user-ID and set-group-ID bits (not on a nosuid mount, not with
 * no_new_privs, not for a "#!" script), its file capabilities
 * (security.capability), root's capabilities, ambient capabilities, and
 * keep-caps cleared. *@secure is AT_SECURE. Returns 0 with a new cred in
 * *@out (the caller commits or aborts it), -EPERM when file capabilities
 * the program needs cannot be granted, -EINVAL (-ERANGE) for a malformed
 * (oversized) security.capability, -ENOMEM. */
int bprm_creds_from_file(struct task *t, const char *path, struct cred **out, bool *secure);

#endif
