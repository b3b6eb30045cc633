/* nsfs files and setns(2): see nsfs.h. */
#include "kernelmodel/nsfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/ipc/namespace.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"
#include "kernelmodel/user_namespace.h"
#include "kernelmodel/uts.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define SETNS_FLAGS                                                                                \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWTIME | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWCGROUP)
#ifndef CAP_SYS_CHROOT
#define CAP_SYS_CHROOT 18
#endif
#ifndef CAP_SYS_ADMIN
#define CAP_SYS_ADMIN 21
#endif

const char *const proc_ns_names[] = {"cgroup", "ipc",  "mnt",  "net",  "pid", "pid_for_children",
				     "time",   "time_for_children", "user", "uts"};
const unsigned proc_ns_count = sizeof(proc_ns_names) / sizeof(proc_ns_names[0]);

/* An open nsfs file: the namespace it pins (one of the pointers, two for
 * IPC, whose objects and identity are separate in the model). */
struct ns_file {
	uint64_t type; /* CLONE_NEW* (proc_ns_operations' type) */
	uint64_t inum;
	uint64_t owner_inum; /* the owning user namespace (0: the initial one) */
	struct ns_common *common;
	struct uts_namespace *uts;
	struct pid_namespace *pid;
	struct ipc_namespace *ipc;
};

/* What one namespace of a task is: the nsfs file's fields, borrowed. */
static int ns_of(const struct task *t, const struct nsproxy *ns, uint64_t type, bool for_children,
		 struct ns_file *out)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	switch (type) {
	case CLONE_NEWUTS:
		out->uts = ns->uts;
		out->inum = ns->uts->inum;
		out->owner_inum = ns->uts->owner_user_inum;
		return 0;
	case CLONE_NEWPID:
		out->pid = for_children ? ns->pid_ns_for_children : t->pid_ns;
		out->inum = out->pid->inum;
		out->owner_inum = out->pid->owner_user_inum;
		return 0;
	case CLONE_NEWIPC:
		out->ipc = ns->ipc_ns;
		out->common = ns->ns[NS_IPC];
		break;
	case CLONE_NEWNS:
		out->common = ns->ns[NS_MNT];
		break;
	case CLONE_NEWNET:
		out->common = ns->ns[NS_NET];
		break;
	case CLONE_NEWCGROUP:
		out->common = ns->ns[NS_CGROUP];
		break;
	case CLONE_NEWTIME:
		out->common = for_children ? ns->time_for_children : ns->ns[NS_TIME];
		break;
	case CLONE_NEWUSER:
		out->common = ns->ns[NS_USER];
		break;
	default:
		return -EINVAL;
	}
	out->inum = out->common->inum;
	out->owner_inum = out->common->owner_inum;
	return 0;
}

static const struct {
	const char *name, *type;
	uint64_t flag;
	bool for_children;
} ns_entries[] = {
	{"cgroup", "cgroup", CLONE_NEWCGROUP, false}, {"ipc", "ipc", CLONE_NEWIPC, false},
	{"mnt", "mnt", CLONE_NEWNS, false},	      {"net", "net", CLONE_NEWNET, false},
	{"pid", "pid", CLONE_NEWPID, false},	      {"pid_for_children", "pid", CLONE_NEWPID, true},
	{"time", "time", CLONE_NEWTIME, false},	      {"time_for_children", "time", CLONE_NEWTIME, true},
	{"user", "user", CLONE_NEWUSER, false},	      {"uts", "uts", CLONE_NEWUTS, false},
};

static int lookup(const struct task *target, const char *name, struct ns_file *nf, const char **type)
{
	const struct nsproxy *ns = target->nsproxy;
	if (!ns)
		return -ENOENT; /* a zombie: its namespaces are gone */
	for (size_t i = 0; i < sizeof(ns_entries) / sizeof(ns_entries[0]); i++) {
		if (strcmp(name, ns_entries[i].name))
			continue;
		ns_of(target, ns, ns_entries[i].flag, ns_entries[i].for_children, nf);
		/* A pid namespace nobody has entered yet has no inode to show. */
		if (nf->pid && ns_entries[i].for_children && nf->pid != target->pid_ns &&
		    !nf->pid->child_reaper)
			return -ENOENT;
		*type = ns_entries[i].type;
		return 0;
	}
	return -ENOENT;
}

int proc_ns_link(const struct task *target, const char *name, char *buf, uint64_t *inum)
{
	struct ns_file nf;
	const char *type;
	int r = lookup(target, name, &nf, &type);
	if (r)
		return r;
	*inum = nf.inum;
	snprintf(buf, 64, "%s:[%llu]", type, (unsigned long long)nf.inum);
	return 0;
}

static void nsfs_release(struct file *f)
{
	struct ns_file *nf = f->priv;
	if (nf->uts)
		uts_put(nf->uts);
	if (nf->pid)
		pid_ns_put(nf->pid);
	if (nf->ipc)
		put_ipc_ns(nf->ipc);
	if (nf->common)
		ns_common_put(nf->common);
	free(nf);
}

static void nsfs_stat(struct file *f, struct stat *st)
{
	const struct ns_file *nf = f->priv;
	st->st_mode = S_IFREG | 0444;
	st->st_ino = nf->inum;
	st->st_dev = NSFS_DEV;
	st->st_uid = 0; /* nsfs inodes belong to root */
	st->st_gid = 0;
}

static struct file *nsfs_file(const struct ns_file *src, const char *type, int flags);
static int nsfs_reopen(struct file *f, int flags, struct file **out);

static const struct anon_file_ops nsfs_file_operations = {
	.name = "nsfs",
	.release = nsfs_release,
	.stat = nsfs_stat,
	.reopen = nsfs_reopen,
};

static const char *type_name(uint64_t type)
{
	for (size_t i = 0; i < sizeof(ns_entries) / sizeof(ns_entries[0]); i++)
		if (ns_entries[i].flag == type)
			return ns_entries[i].type;
	return "?";
}

/* open of /proc/<pid>/fd/N of an nsfs file: the same namespace again. */
static int nsfs_reopen(struct file *f, int flags, struct file **out)
{
	const struct ns_file *nf = f->priv;
	*out = nsfs_file(nf, type_name(nf->type), flags);
	return *out ? 0 : -ENOMEM;
}

bool file_is_nsfs(const struct file *f)
{
	return f->kind == FILE_ANON && f->aops == &nsfs_file_operations;
}

#define INIT_USER_INUM 0xEFFFFFFDu /* nsproxy.c's initial user namespace */

/* A new nsfs file pinning @src's namespace (takes references). */
static struct file *nsfs_file(const struct ns_file *src, const char *type, int flags)
{
	struct ns_file *nf = malloc(sizeof(*nf));
	if (!nf)
		return NULL;
	*nf = *src;
	if (nf->uts)
		uts_get(nf->uts);
	if (nf->pid)
		pid_ns_get(nf->pid);
	if (nf->ipc)
		get_ipc_ns(nf->ipc);
	if (nf->common)
		ns_common_get(nf->common);
	struct file *f = anon_inode_getfile(&nsfs_file_operations, nf, 0);
	if (!f) {
		struct file tmp = {.priv = nf};
		nsfs_release(&tmp);
		return NULL;
	}
	char link[64];
	snprintf(link, sizeof(link), "%s:[%llu]", type, (unsigned long long)nf->inum);
	char *path = strdup(link);
	if (!path) {
		file_put(f);
		return NULL;
	}
	free(f->path);
	f->path = path; /* /proc/<pid>/fd/N reads "net:[...]" */
	f->flags = (flags & O_ACCMODE) | O_LARGEFILE;
	f->ino = nf->inum;
	return f;
}

int proc_ns_open(const struct task *target, const char *name, int flags, struct file **out)
{
	struct ns_file nf;
	const char *type;
	int r = lookup(target, name, &nf, &type);
	if (r)
		return r;
	if ((flags & O_ACCMODE) != O_RDONLY && !(flags & O_PATH))
		return -EACCES; /* 0444: even root may not write (nsfs has no write) */
	*out = nsfs_file(&nf, type, flags);
	return *out ? 0 : -ENOMEM;
}

/* ---- setns (kernel/nsproxy.c) ---- */

/* struct nsset: the namespaces and credentials being assembled. */
struct nsset {
	uint64_t flags;
	struct nsproxy *nsproxy; /* a private copy of the caller's */
	struct cred *cred;       /* a prepared copy when CLONE_NEWUSER */
	struct ns_common *user;  /* the user namespace the new cred lives in */
	bool fs_to_root;         /* mnt: root and cwd become the namespace's root */
};

/* ns_capable(owner, cap) for the nsset's credentials: over the user
 * namespace with inode @owner_inum. Owners on the caller's chain of user
 * namespaces (its own or an ancestor) are exact; an owner below the
 * caller's namespace is judged by the caller's effective set there (the
 * ancestor rule), without the owner-of-the-child exception. */
static bool nsset_capable(const struct nsset *s, const struct cred *cred, uint64_t owner_inum,
			  int cap)
{
	if (!owner_inum)
		owner_inum = INIT_USER_INUM;
	const struct user_namespace *mine = s->user->userns ? s->user->userns : &init_user_ns;
	for (const struct ns_common *c = s->user; c; c = c->userns ? c->userns->parent_common : NULL)
		if (c->inum == owner_inum)
			return cap_capable_ns(cred, mine, c->userns ? c->userns : &init_user_ns, cap);
	return cap_capable_ns(cred, mine, mine, cap);
}

static bool single_threaded(const struct task *t)
{
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p != t && p->tgid == t->tgid && task_is_alive(p))
			return false;
	return true;
}

static void swap_common(struct ns_common **slot, struct ns_common *c)
{
	ns_common_get(c);
	ns_common_put(*slot);
	*slot = c;
}

/* proc_ns_operations->install for one namespace @nf into @s. */
static long ns_install(struct task *t, struct nsset *s, const struct ns_file *nf)
{
	const struct cred *cred = s->cred ? s->cred : t->cred;
	bool admin = nsset_capable(s, cred, nf->owner_inum, CAP_SYS_ADMIN) &&
		     nsset_capable(s, cred, s->user->inum, CAP_SYS_ADMIN);
	struct nsproxy *ns = s->nsproxy;
	switch (nf->type) {
	case CLONE_NEWUSER: /* userns_install */
		if (nf->common == s->user)
			return -EINVAL;
		if (!single_threaded(t) || t->fs->refcount != 1)
			return -EINVAL;
		if (!cap_capable_ns(cred, s->user->userns ? s->user->userns : &init_user_ns,
				    nf->common->userns, CAP_SYS_ADMIN))
			return -EPERM;
		set_cred_user_ns(s->cred);
		swap_common(&ns->ns[NS_USER], nf->common);
		s->user = nf->common;
		return 0;
	case CLONE_NEWNS: /* mntns_install */
		if (!admin || !nsset_capable(s, cred, s->user->inum, CAP_SYS_CHROOT))
			return -EPERM;
		/* Only setns(CLONE_NEWNS) alone works on the task's own fs. */
		if (s->flags == CLONE_NEWNS && t->fs->refcount != 1)
			return -EINVAL;
		swap_common(&ns->ns[NS_MNT], nf->common);
		s->fs_to_root = true;
		return 0;
	case CLONE_NEWPID: { /* pidns_install */
		if (!admin)
			return -EPERM;
		const struct pid_namespace *active = t->pid_ns, *anc = nf->pid;
		if (anc->level < active->level)
			return -EINVAL;
		while (anc->level > active->level)
			anc = anc->parent;
		if (anc != active)
			return -EINVAL;
		pid_ns_put(ns->pid_ns_for_children);
		ns->pid_ns_for_children = pid_ns_get(nf->pid);
		return 0;
	}
	case CLONE_NEWTIME: /* timens_install */
		if (!single_threaded(t))
			return -EUSERS;
		if (!admin)
			return -EPERM;
		swap_common(&ns->ns[NS_TIME], nf->common);
		swap_common(&ns->time_for_children, nf->common);
		return 0;
	default:
		break;
	}
	if (!admin)
		return -EPERM;
	switch (nf->type) {
	case CLONE_NEWUTS:
		uts_put(ns->uts);
		ns->uts = uts_get(nf->uts);
		return 0;
	case CLONE_NEWIPC:
		exit_sem(t); /* ditch the old namespace's semaphore undos */
		swap_common(&ns->ns[NS_IPC], nf->common);
		put_ipc_ns(ns->ipc_ns);
		ns->ipc_ns = get_ipc_ns(nf->ipc);
		return 0;
	case CLONE_NEWNET:
		swap_common(&ns->ns[NS_NET], nf->common);
		return 0;
	case CLONE_NEWCGROUP:
		swap_common(&ns->ns[NS_CGROUP], nf->common);
		return 0;
	default:
		return -EINVAL;
	}
}

/* validate_nsset: a process's namespaces named by @s->flags, user first. */
static long install_from_task(struct task *t, struct nsset *s, struct task *tsk)
{
	static const uint64_t order[] = {CLONE_NEWUSER, CLONE_NEWNS,	 CLONE_NEWUTS, CLONE_NEWIPC,
					 CLONE_NEWPID,	CLONE_NEWCGROUP, CLONE_NEWNET, CLONE_NEWTIME};
	if (!tsk || !tsk->nsproxy || !task_is_alive(tsk))
		return -ESRCH;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(s->flags & order[i]))
			continue;
		struct ns_file nf;
		ns_of(tsk, tsk->nsproxy, order[i], false, &nf);
		long r = ns_install(t, s, &nf);
		if (r)
			return r;
	}
	return 0;
}

long do_setns(struct task *t, struct file *f, uint64_t flags)
{
	const struct ns_file *nf = NULL;
	if (file_is_nsfs(f)) {
		nf = f->priv;
		if (flags && flags != nf->type)
			return -EINVAL;
		flags = nf->type;
	} else if (f->kind == FILE_PIDFD) {
		if (!flags || (flags & ~(uint64_t)SETNS_FLAGS))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	struct nsset s = {.flags = flags, .user = t->nsproxy->ns[NS_USER]};
	s.nsproxy = copy_namespaces(0, t->nsproxy, t->pid_ns);
	if (!s.nsproxy)
		return -ENOMEM;
	if ((flags & CLONE_NEWUSER) && !(s.cred = prepare_creds(t->cred))) {
		nsproxy_put(s.nsproxy);
		return -ENOMEM;
	}
	long r = nf ? ns_install(t, &s, nf) : install_from_task(t, &s, f->task);
	if (r) {
		abort_creds(s.cred);
		nsproxy_put(s.nsproxy);
		return r;
	}
	/* commit_nsset */
	if (s.fs_to_root) {
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root >= 0) {
			fs_set_root(t->fs, "/");
			fs_set_cwd(t->fs, root);
		}
	}
	if (s.cred)
		commit_creds_userns(t, s.cred);
	nsproxy_put(t->nsproxy);
	t->nsproxy = s.nsproxy;
	return 0;
}

/* ---- ioctls (fs/nsfs.c ns_ioctl) ---- */

#define NSIO 0xb7
#define NS_GET_USERNS_ ((NSIO << 8) | 0x1)
#define NS_GET_PARENT_ ((NSIO << 8) | 0x2)
#define NS_GET_NSTYPE_ ((NSIO << 8) | 0x3)
#define NS_GET_OWNER_UID_ ((NSIO << 8) | 0x4)

/* open_related_ns: a new close-on-exec descriptor on @nf. */
static long open_related(struct task *t, const struct ns_file *nf)
{
	struct file *f = nsfs_file(nf, type_name(nf->type), O_RDONLY);
	if (!f)
		return -ENOMEM;
	long fd = files_install(t->files, f, 0, true);
	file_put(f);
	return fd;
}

/* The user namespace @inum (0: the initial one) if it is @t's own or an
 * ancestor (current_in_userns), else NULL. */
static struct ns_common *user_ns_on_chain(const struct task *t, uint64_t inum)
{
	if (!inum)
		inum = INIT_USER_INUM;
	for (struct ns_common *c = t->nsproxy->ns[NS_USER]; c;
	     c = c->userns ? c->userns->parent_common : NULL)
		if (c->inum == inum)
			return c;
	return NULL;
}

static long user_ns_fd(struct task *t, struct ns_common *c)
{
	if (!c)
		return -EPERM;
	struct ns_file nf = {.type = CLONE_NEWUSER, .inum = c->inum, .owner_inum = c->owner_inum,
			     .common = c};
	return open_related(t, &nf);
}

long nsfs_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	const struct ns_file *nf = f->priv;
	switch (req) {
	case NS_GET_NSTYPE_:
		return (long)nf->type;
	case NS_GET_USERNS_:
		if (nf->type != CLONE_NEWUSER)
			return user_ns_fd(t, user_ns_on_chain(t, nf->owner_inum));
		/* a user namespace's owner is its parent */
		__attribute__((fallthrough));
	case NS_GET_PARENT_:
		if (nf->type == CLONE_NEWUSER) {
			const struct user_namespace *u = nf->common->userns;
			return user_ns_fd(t, u && u->parent_common
						     ? user_ns_on_chain(t, u->parent_common->inum)
						     : NULL);
		}
		if (nf->type == CLONE_NEWPID) {
			/* pidns_get_parent: the active namespace or below it. */
			struct pid_namespace *parent = nf->pid->parent, *p = parent;
			while (p && p != t->pid_ns)
				p = p->parent;
			if (!p)
				return -EPERM;
			struct ns_file pf = {.type = CLONE_NEWPID, .inum = parent->inum,
					     .owner_inum = parent->owner_user_inum, .pid = parent};
			return open_related(t, &pf);
		}
		return -EINVAL;
	case NS_GET_OWNER_UID_: {
		if (nf->type != CLONE_NEWUSER)
			return -EINVAL;
		const struct user_namespace *u = nf->common->userns ? nf->common->userns : &init_user_ns;
		uint32_t uid = from_kuid_munged(t, u->owner);
		return copy_to_guest(t->mm, arg, &uid, sizeof(uid)) ? -EFAULT : 0;
	}
	default:
		return -ENOTTY;
	}
}
