/* User namespaces and their id maps (user_namespace.h), after
 * kernel/user_namespace.c. */
#include "kernelmodel/user_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/task.h"

#define PAGE_SIZE_MODEL 4096

struct user_namespace init_user_ns = {
	.uid_map = {1, {{0, 0, 4294967295u}}},
	.gid_map = {1, {{0, 0, 4294967295u}}},
	.flags = USERNS_SETGROUPS_ALLOWED,
};

struct user_namespace *task_user_ns(const struct task *t)
{
	if (!t || !t->nsproxy || !t->nsproxy->ns[NS_USER]->userns)
		return &init_user_ns;
	return t->nsproxy->ns[NS_USER]->userns;
}

/* ---- the maps ---- */

static uint32_t map_id_range_down(const struct uid_gid_map *map, uint32_t id, uint32_t count)
{
	uint32_t last = id + count - 1;
	for (uint32_t i = 0; i < map->nr_extents; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		uint32_t efirst = e->first, elast = e->first + e->count - 1;
		if (id >= efirst && id <= elast && last >= efirst && last <= elast)
			return id - efirst + e->lower_first;
	}
	return (uint32_t)-1;
}

static uint32_t map_id_up(const struct uid_gid_map *map, uint32_t id)
{
	for (uint32_t i = 0; i < map->nr_extents; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		if (id >= e->lower_first && id <= e->lower_first + e->count - 1)
			return id - e->lower_first + e->first;
	}
	return (uint32_t)-1;
}

uint32_t make_kuid(const struct user_namespace *ns, uint32_t id)
{
	return map_id_range_down(&ns->uid_map, id, 1);
}

uint32_t make_kgid(const struct user_namespace *ns, uint32_t id)
{
	return map_id_range_down(&ns->gid_map, id, 1);
}

uint32_t from_kuid(const struct user_namespace *ns, uint32_t kid)
{
	return map_id_up(&ns->uid_map, kid);
}

uint32_t from_kgid(const struct user_namespace *ns, uint32_t kid)
{
	return map_id_up(&ns->gid_map, kid);
}

/* ---- life cycle ---- */

int user_ns_may_create(const struct task *t, const struct cred *cred)
{
	const struct user_namespace *parent = task_user_ns(t);
	if (parent->level > 32)
		return -ENOSPC;
	/* Not from inside a chroot (current_chrooted). */
	if (t->fs && t->fs->root)
		return -EPERM;
	/* The creator needs a mapping in the parent namespace. */
	if (from_kuid(parent, cred->euid) == (uint32_t)-1 ||
	    from_kgid(parent, cred->egid) == (uint32_t)-1)
		return -EPERM;
	return 0;
}

int user_ns_create(struct ns_common *common, struct ns_common *parent_common,
		   const struct cred *cred)
{
	struct user_namespace *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	struct user_namespace *parent = parent_common->userns ? parent_common->userns : &init_user_ns;
	ns->parent = parent;
	ns->parent_common = parent_common;
	parent_common->refcount++;
	ns->level = parent->level + 1;
	ns->owner = cred->euid;
	ns->group = cred->egid;
	ns->flags = parent->flags; /* USERNS_SETGROUPS_ALLOWED is inherited */
	ns->parent_could_setfcap = cap_raised(cred->cap_effective, CAP_SETFCAP);
	common->userns = ns;
	return 0;
}

struct ns_common *user_ns_free(struct user_namespace *ns)
{
	if (!ns || ns == &init_user_ns)
		return NULL;
	struct ns_common *parent = ns->parent_common;
	free(ns);
	return parent;
}

/* ---- capabilities across namespaces (security/commoncap.c cap_capable) ---- */

bool cap_capable_ns(const struct cred *cred, const struct user_namespace *cred_ns,
		    const struct user_namespace *target, int cap)
{
	const struct user_namespace *ns = target;
	for (;;) {
		if (ns == cred_ns)
			return cap_raised(cred->cap_effective, cap);
		if (!ns || ns->level <= cred_ns->level)
			return false;
		/* The owner of a namespace in its parent holds every capability. */
		if (ns->parent == cred_ns && ns->owner == cred->euid)
			return true;
		ns = ns->parent;
	}
}

bool userns_may_setgroups(const struct user_namespace *ns)
{
	return ns->gid_map.nr_extents != 0 && (ns->flags & USERNS_SETGROUPS_ALLOWED);
}

/* ---- /proc/<pid>/uid_map, gid_map, setgroups ---- */

int proc_id_map_show(const struct task *reader, const struct task *target, bool gid, char *buf,
		     size_t len)
{
	const struct user_namespace *ns = task_user_ns(target);
	const struct user_namespace *lower_ns = task_user_ns(reader);
	const struct uid_gid_map *map = gid ? &ns->gid_map : &ns->uid_map;
	if (lower_ns == ns && lower_ns->parent)
		lower_ns = lower_ns->parent;
	size_t n = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < map->nr_extents && n < len; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		uint32_t lower = gid ? from_kgid(lower_ns, e->lower_first)
				     : from_kuid(lower_ns, e->lower_first);
		int w = snprintf(buf + n, len - n, "%10u %10u %10u\n", e->first, lower, e->count);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return n < len ? (int)n : (int)len - 1;
}

int proc_setgroups_show(const struct task *target, char *buf, size_t len)
{
	const struct user_namespace *ns = task_user_ns(target);
	return snprintf(buf, len, "%s\n", (ns->flags & USERNS_SETGROUPS_ALLOWED) ? "allow" : "deny");
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	return p;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* simple_strtoul(..., 10): digits, wrapping silently as the kernel's does. */
static uint32_t parse_u32(const char **p)
{
	unsigned long v = 0;
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (unsigned long)(*(*p)++ - '0');
	return (uint32_t)v;
}

static bool mappings_overlap(const struct uid_gid_map *map, const struct uid_gid_extent *e)
{
	uint32_t ul = e->first + e->count - 1, ll = e->lower_first + e->count - 1;
	for (uint32_t i = 0; i < map->nr_extents; i++) {
		const struct uid_gid_extent *p = &map->extent[i];
		uint32_t pul = p->first + p->count - 1, pll = p->lower_first + p->count - 1;
		if (p->first <= ul && pul >= e->first)
			return true;
		if (p->lower_first <= ll && pll >= e->lower_first)
			return true;
	}
	return false;
}

static bool verify_root_map(const struct cred *opener_cred, const struct user_namespace *opener_ns,
			    const struct user_namespace *map_ns, const struct uid_gid_map *new_map)
{
	bool maps_root = false;
	for (uint32_t i = 0; i < new_map->nr_extents; i++)
		if (new_map->extent[i].lower_first == 0)
			maps_root = true;
	if (!maps_root)
		return true;
	if (map_ns == opener_ns)
		return opener_ns->parent_could_setfcap;
	return cap_capable_ns(opener_cred, opener_ns, map_ns->parent, CAP_SETFCAP);
}

static bool new_idmap_permitted(const struct task *writer, const struct cred *opener_cred,
				const struct user_namespace *opener_ns,
				const struct user_namespace *ns, int cap_setid,
				const struct uid_gid_map *new_map)
{
	if (cap_setid == CAP_SETUID && !verify_root_map(opener_cred, opener_ns, ns, new_map))
		return false;
	/* One id, the opener's own: no privilege needed. */
	if (new_map->nr_extents == 1 && new_map->extent[0].count == 1 &&
	    ns->owner == opener_cred->euid) {
		uint32_t id = new_map->extent[0].lower_first;
		if (cap_setid == CAP_SETUID) {
			if (make_kuid(ns->parent, id) == opener_cred->euid)
				return true;
		} else if (!(ns->flags & USERNS_SETGROUPS_ALLOWED) &&
			   make_kgid(ns->parent, id) == opener_cred->egid) {
			return true;
		}
	}
	/* Otherwise CAP_SETUID/CAP_SETGID over the parent, for the writer
	 * and the opener alike. */
	return cap_capable_ns(writer->cred, task_user_ns(writer), ns->parent, cap_setid) &&
	       cap_capable_ns(opener_cred, opener_ns, ns->parent, cap_setid);
}

long proc_id_map_write(const struct task *writer, const struct cred *opener_cred,
		       struct user_namespace *opener_ns, struct user_namespace *ns, bool gid,
		       const char *kbuf, size_t count, uint64_t pos)
{
	if (!ns->parent)
		return -EPERM;
	if (opener_ns != ns && opener_ns != ns->parent)
		return -EPERM;
	if (pos != 0 || count >= PAGE_SIZE_MODEL)
		return -EINVAL;
	struct uid_gid_map *map = gid ? &ns->gid_map : &ns->uid_map;
	const struct uid_gid_map *parent_map = gid ? &ns->parent->gid_map : &ns->parent->uid_map;
	/* Only one successful write. */
	if (map->nr_extents != 0)
		return -EPERM;
	/* Adjusting namespace settings requires capabilities on the target. */
	if (!cap_capable_ns(opener_cred, opener_ns, ns, CAP_SYS_ADMIN))
		return -EPERM;
	struct uid_gid_map *new_map = calloc(1, sizeof(*new_map));
	char *text = malloc(count + 1);
	long ret = -ENOMEM;
	if (!new_map || !text)
		goto out;
	memcpy(text, kbuf, count);
	text[count] = 0;
	ret = -EINVAL;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next) {
			*next++ = 0;
			if (!*next)
				next = NULL;
		}
		struct uid_gid_extent e;
		const char *p = skip_spaces(line);
		e.first = parse_u32(&p);
		if (!is_space(*p))
			goto out;
		p = skip_spaces(p);
		e.lower_first = parse_u32(&p);
		if (!is_space(*p))
			goto out;
		p = skip_spaces(p);
		e.count = parse_u32(&p);
		if (*p && !is_space(*p))
			goto out;
		p = skip_spaces(p);
		if (*p)
			goto out;
		if (e.first == (uint32_t)-1 || e.lower_first == (uint32_t)-1)
			goto out;
		if (e.first + e.count <= e.first || e.lower_first + e.count <= e.lower_first)
			goto out;
		if (mappings_overlap(new_map, &e))
			goto out;
		if (new_map->nr_extents + 1 == UID_GID_MAP_MAX_EXTENTS && next)
			goto out;
		if (new_map->nr_extents == UID_GID_MAP_MAX_EXTENTS)
			goto out;
		new_map->extent[new_map->nr_extents++] = e;
	}
	if (new_map->nr_extents == 0)
		goto out;
	ret = -EPERM;
	if (!new_idmap_permitted(writer, opener_cred, opener_ns, ns, gid ? CAP_SETGID : CAP_SETUID,
				 new_map))
		goto out;
	/* The lower ids from the parent's numbers to kernel ids. */
	for (uint32_t i = 0; i < new_map->nr_extents; i++) {
		struct uid_gid_extent *e = &new_map->extent[i];
		uint32_t lower = map_id_range_down(parent_map, e->lower_first, e->count);
		if (lower == (uint32_t)-1)
			goto out;
		e->lower_first = lower;
	}
	*map = *new_map;
	ret = (long)count;
out:
	free(new_map);
	free(text);
	return ret;
}

long proc_setgroups_write(struct user_namespace *ns, const char *kbuf, size_t count,
			  uint64_t pos)
{
	char buf[8];
	if (pos != 0 || count >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, kbuf, count);
	buf[count] = 0;
	bool allow;
	const char *p = buf;
	if (!strncmp(p, "allow", 5)) {
		p += 5;
		allow = true;
	} else if (!strncmp(p, "deny", 4)) {
		p += 4;
		allow = false;
	} else {
		return -EINVAL;
	}
	if (*skip_spaces(p))
		return -EINVAL;
	if (allow) {
		/* Enabling setgroups after it was disabled is not allowed. */
		if (!(ns->flags & USERNS_SETGROUPS_ALLOWED))
			return -EPERM;
	} else {
		/* Nor disabling it once gid_map was written. */
		if (ns->gid_map.nr_extents != 0)
			return -EPERM;
		ns->flags &= ~USERNS_SETGROUPS_ALLOWED;
	}
	return (long)count;
}

/* ---- the open files (proc_uid_map_operations, proc_setgroups_operations) ---- */

struct idmap_file {
	enum idmap_kind kind;
	struct ns_common *ns;        /* the target's user namespace (a reference) */
	struct ns_common *opener_ns; /* the opener's (a reference) */
	struct cred *opener_cred;    /* f_cred (a reference) */
	uint64_t pos;
};

static void ns_ref(struct ns_common *c)
{
	c->refcount++;
}

/* Drop a user namespace reference taken here (nsproxy.c frees it). */
static void ns_unref(struct ns_common *c)
{
	while (c && --c->refcount == 0) {
		struct ns_common *parent = user_ns_free(c->userns);
		free(c);
		c = parent;
	}
}

static int idmap_text(const struct idmap_file *m, const struct task *reader, char *buf, size_t len)
{
	const struct user_namespace *ns = m->ns->userns ? m->ns->userns : &init_user_ns;
	if (m->kind == IDMAP_SETGROUPS)
		return snprintf(buf, len, "%s\n",
				(ns->flags & USERNS_SETGROUPS_ALLOWED) ? "allow" : "deny");
	const struct user_namespace *lower_ns = task_user_ns(reader);
	const struct uid_gid_map *map = m->kind == IDMAP_GID ? &ns->gid_map : &ns->uid_map;
	if (lower_ns == ns && lower_ns->parent)
		lower_ns = lower_ns->parent;
	size_t n = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < map->nr_extents && n + 34 < len; i++) {
		const struct uid_gid_extent *e = &map->extent[i];
		uint32_t lower = m->kind == IDMAP_GID ? from_kgid(lower_ns, e->lower_first)
						      : from_kuid(lower_ns, e->lower_first);
		n += (size_t)snprintf(buf + n, len - n, "%10u %10u %10u\n", e->first, lower, e->count);
	}
	return (int)n;
}

static long idmap_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct idmap_file *m = f->priv;
	size_t len = UID_GID_MAP_MAX_EXTENTS * 34 + 1;
	char *text = malloc(len);
	if (!text)
		return -ENOMEM;
	size_t n = (size_t)idmap_text(m, t, text, len);
	long r = simple_read_from_buffer(t, buf, count, &m->pos, text, n);
	free(text);
	return r;
}

static long idmap_write(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct idmap_file *m = f->priv;
	struct user_namespace *ns = m->ns->userns ? m->ns->userns : &init_user_ns;
	struct user_namespace *opener_ns = m->opener_ns->userns ? m->opener_ns->userns : &init_user_ns;
	if (m->kind == IDMAP_SETGROUPS ? count >= 8 : (m->pos != 0 || count >= PAGE_SIZE_MODEL)) {
		/* Too long: EINVAL before reading it (the map kinds check EPERM
		 * cases first, as proc_uid_map_write does). */
		if (m->kind != IDMAP_SETGROUPS && (!ns->parent || (opener_ns != ns && opener_ns != ns->parent)))
			return -EPERM;
		return -EINVAL;
	}
	char kbuf[PAGE_SIZE_MODEL];
	if (copy_from_guest(t->mm, kbuf, buf, count))
		return -EFAULT;
	long r = m->kind == IDMAP_SETGROUPS
			 ? proc_setgroups_write(ns, kbuf, count, m->pos)
			 : proc_id_map_write(t, m->opener_cred, opener_ns, ns, m->kind == IDMAP_GID,
					     kbuf, count, m->pos);
	if (r > 0)
		m->pos += (uint64_t)r;
	return r;
}

static short idmap_poll(struct task *t, struct file *f)
{
	(void)t;
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static uint64_t idmap_gen(struct file *f)
{
	(void)f;
	return 0;
}

static void idmap_release(struct file *f)
{
	struct idmap_file *m = f->priv;
	ns_unref(m->ns);
	ns_unref(m->opener_ns);
	put_cred(m->opener_cred);
	free(m);
}

static const struct anon_file_ops idmap_fops[] = {
	[IDMAP_UID] = {"uid_map", idmap_read, idmap_write, idmap_poll, idmap_gen, NULL, NULL,
		       idmap_release},
	[IDMAP_GID] = {"gid_map", idmap_read, idmap_write, idmap_poll, idmap_gen, NULL, NULL,
		       idmap_release},
	[IDMAP_SETGROUPS] = {"setgroups", idmap_read, idmap_write, idmap_poll, idmap_gen, NULL,
			     NULL, idmap_release},
};

int proc_idmap_open(struct task *opener, struct task *target, enum idmap_kind kind, int flags,
		    struct file **out)
{
	struct ns_common *c = target->nsproxy ? target->nsproxy->ns[NS_USER] : NULL;
	struct ns_common *oc = opener->nsproxy ? opener->nsproxy->ns[NS_USER] : NULL;
	if (!c || !oc)
		return -ENOENT; /* a zombie has no namespaces left */
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	if (writing) {
		/* The file is 0644, owned by the task's euid while it is
		 * dumpable, else by root. */
		uint32_t owner = target->mm && target->mm->dumpable == 1 ? target->cred->euid : 0;
		if (opener->cred->fsuid != owner && !capable(opener, CAP_DAC_OVERRIDE))
			return -EACCES;
		if (kind == IDMAP_SETGROUPS &&
		    !cap_capable_ns(opener->cred, task_user_ns(opener), task_user_ns(target),
				    CAP_SYS_ADMIN))
			return -EPERM;
	}
	struct idmap_file *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->kind = kind;
	m->ns = c;
	m->opener_ns = oc;
	m->opener_cred = get_cred(opener->cred);
	ns_ref(c);
	ns_ref(oc);
	struct file *f = anon_inode_getfile(&idmap_fops[kind], m, 0);
	if (!f) {
		idmap_release(&(struct file){.priv = m});
		return -ENOMEM;
	}
	f->flags = (flags & O_ACCMODE) | (flags & O_NONBLOCK);
	*out = f;
	return 0;
}
