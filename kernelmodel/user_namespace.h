/* User namespaces (kernel/user_namespace.c): the id maps that translate a
 * namespace's uids and gids to the model's kernel ids (the initial
 * namespace's numbers, which are the host's), the namespace's parent,
 * level and owner, and the setgroups switch.
 *
 * A task's user namespace is its nsproxy's NS_USER (struct ns_common),
 * whose userns points here. A new namespace has no maps: its ids read as
 * the overflow id and no id can be set until /proc/<pid>/uid_map and
 * gid_map are written, once each, with map_write's rules. */
#ifndef KERNELMODEL_USER_NAMESPACE_H
#define KERNELMODEL_USER_NAMESPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cred;
struct ns_common;
struct task;

#define UID_GID_MAP_MAX_EXTENTS 340
#define USERNS_SETGROUPS_ALLOWED 1u

struct uid_gid_extent {
	uint32_t first, lower_first, count; /* lower_first: a kernel id */
};

struct uid_gid_map {
	uint32_t nr_extents;
	struct uid_gid_extent extent[UID_GID_MAP_MAX_EXTENTS];
};

struct user_namespace {
	struct uid_gid_map uid_map, gid_map;
	struct user_namespace *parent; /* NULL: the initial namespace */
	struct ns_common *parent_common; /* the parent's ns_common (a reference) */
	int level;
	uint32_t owner, group; /* the creator's euid and egid (kernel ids) */
	unsigned flags;        /* USERNS_SETGROUPS_ALLOWED */
	bool parent_could_setfcap;
};

extern struct user_namespace init_user_ns;

/* The user namespace of @t (the initial one before it has namespaces). */
struct user_namespace *task_user_ns(const struct task *t);

/* create_user_ns's checks for a task with @cred in @t's namespace: the
 * nesting limit (-ENOSPC), the creator's ids mapped there (-EPERM). */
int user_ns_may_create(const struct task *t, const struct cred *cred);
/* Attach a new user namespace to @common (a fresh NS_USER), child of
 * @parent_common, created by @cred (its euid/egid own it; its effective
 * CAP_SETFCAP is parent_could_setfcap). 0 or -ENOMEM. */
int user_ns_create(struct ns_common *common, struct ns_common *parent_common,
		   const struct cred *cred);
/* Free @ns (not the initial one); returns its parent's ns_common, whose
 * reference the caller drops. */
struct ns_common *user_ns_free(struct user_namespace *ns);

/* make_kuid/make_kgid: the kernel id of @id in @ns, or (uint32_t)-1. */
uint32_t make_kuid(const struct user_namespace *ns, uint32_t id);
uint32_t make_kgid(const struct user_namespace *ns, uint32_t id);
/* from_kuid/from_kgid: @kid as @ns shows it, or (uint32_t)-1 unmapped. */
uint32_t from_kuid(const struct user_namespace *ns, uint32_t kid);
uint32_t from_kgid(const struct user_namespace *ns, uint32_t kid);

/* cap_capable: does a task with @cred, in @cred_ns, hold @cap over
 * @target (its own namespace: its effective set; an ancestor's owner of
 * the child on the way: everything)? */
bool cap_capable_ns(const struct cred *cred, const struct user_namespace *cred_ns,
		    const struct user_namespace *target, int cap);
/* userns_may_setgroups: gid_map written and setgroups not denied. */
bool userns_may_setgroups(const struct user_namespace *ns);

/* The /proc/<pid>/{uid_map,gid_map,setgroups} files of @target's
 * namespace as @reader sees them. */
int proc_id_map_show(const struct task *reader, const struct task *target, bool gid, char *buf,
		     size_t len);
int proc_setgroups_show(const struct task *target, char *buf, size_t len);
/* open of those files for writing (and reading): a file on @target's user
 * namespace remembering the opener's credentials (f_cred); the file's
 * owner and, for setgroups, CAP_SYS_ADMIN over the namespace are checked
 * (EACCES, EPERM). 0 with *@out, or -errno. */
struct file;
enum idmap_kind { IDMAP_UID, IDMAP_GID, IDMAP_SETGROUPS };
int proc_idmap_open(struct task *opener, struct task *target, enum idmap_kind kind, int flags,
		    struct file **out);
/* Writes to those files by @writer through a file opened with
 * @opener_cred in @opener_ns (map_write, proc_setgroups_write): the count,
 * or -EINVAL/-EPERM/-EFAULT as Linux. @pos is the file offset. */
long proc_id_map_write(const struct task *writer, const struct cred *opener_cred,
		       struct user_namespace *opener_ns, struct user_namespace *ns, bool gid,
		       const char *kbuf, size_t count, uint64_t pos);
long proc_setgroups_write(struct user_namespace *ns, const char *kbuf, size_t count,
			  uint64_t pos);

#endif
