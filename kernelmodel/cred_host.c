/* Host file operations under the guest's credentials (cred_host.h). */
#include "kernelmodel/cred_host.h"

#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/rr.h"
#include "kernelmodel/task.h"

#define CAPBIT(c) (1ull << (c))
/* The capabilities that decide file-system permission checks: what an
 * fsuid change drops or raises (CAP_FS_SET). */
#define CAP_FS_SET                                                                                 \
	(CAPBIT(CAP_CHOWN) | CAPBIT(CAP_MKNOD) | CAPBIT(CAP_DAC_OVERRIDE) |                        \
	 CAPBIT(CAP_DAC_READ_SEARCH) | CAPBIT(CAP_FOWNER) | CAPBIT(CAP_FSETID) |                   \
	 CAPBIT(CAP_MAC_OVERRIDE) | CAPBIT(CAP_LINUX_IMMUTABLE))

static enum { UNPROBED, DISABLED, ENABLED } state;
/* cloneemu's own capability sets, read once. */
static uint64_t host_effective, host_permitted, host_inheritable;

/* What the host thread has now. */
static struct {
	uint32_t fsuid, fsgid;
	uint64_t fs_caps;
	int ngroups;
	uint32_t *gids;
	int room;
} applied;

static int host_capget(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int host_capset_effective(uint64_t eff)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
		{(uint32_t)eff, (uint32_t)host_permitted, (uint32_t)host_inheritable},
		{(uint32_t)(eff >> 32), (uint32_t)(host_permitted >> 32),
		 (uint32_t)(host_inheritable >> 32)},
	};
	return (int)syscall(SYS_capset, &h, d);
}

static void probe(void)
{
	state = DISABLED;
	if (host_capget(&host_effective, &host_permitted, &host_inheritable))
		return;
	if (!(host_effective & CAPBIT(CAP_SETUID)) || !(host_effective & CAPBIT(CAP_SETGID)))
		return;
	int n = (int)syscall(SYS_getgroups, 0, NULL);
	if (n < 0)
		return;
	applied.gids = malloc(((size_t)n + 1) * sizeof(uint32_t));
	if (!applied.gids)
		return;
	applied.room = n + 1;
	applied.ngroups = (int)syscall(SYS_getgroups, n, applied.gids);
	if (applied.ngroups != n)
		return;
	applied.fsuid = (uint32_t)syscall(SYS_setfsuid, -1);
	applied.fsgid = (uint32_t)syscall(SYS_setfsgid, -1);
	applied.fs_caps = host_effective & CAP_FS_SET;
	state = ENABLED;
}

bool host_creds_applied(void)
{
	if (state == UNPROBED && !rr_replaying)
		probe();
	return state == ENABLED;
}

static void apply(const struct cred *c, bool initial_ns)
{
	if (state != ENABLED && !host_creds_applied())
		return;
	/* Capabilities count on host files only in the initial user
	 * namespace, and only those cloneemu itself has. */
	uint64_t fs_caps = initial_ns ? c->cap_effective & CAP_FS_SET & host_permitted : 0;
	const struct group_info *gi = c->group_info;
	bool same_groups = gi->ngroups == applied.ngroups &&
			   !memcmp(gi->gid, applied.gids, (size_t)gi->ngroups * sizeof(uint32_t));
	if (same_groups && c->fsuid == applied.fsuid && c->fsgid == applied.fsgid &&
	    fs_caps == applied.fs_caps)
		return;
	if (!same_groups) {
		if (gi->ngroups >= applied.room) {
			uint32_t *g = realloc(applied.gids, ((size_t)gi->ngroups + 1) * sizeof(uint32_t));
			if (!g)
				return;
			applied.gids = g;
			applied.room = gi->ngroups + 1;
		}
		if (syscall(SYS_setgroups, gi->ngroups, gi->gid) == 0) {
			memcpy(applied.gids, gi->gid, (size_t)gi->ngroups * sizeof(uint32_t));
			applied.ngroups = gi->ngroups;
		}
	}
	if (c->fsgid != applied.fsgid) {
		syscall(SYS_setfsgid, c->fsgid);
		applied.fsgid = (uint32_t)syscall(SYS_setfsgid, -1);
	}
	if (c->fsuid != applied.fsuid) {
		syscall(SYS_setfsuid, c->fsuid);
		applied.fsuid = (uint32_t)syscall(SYS_setfsuid, -1);
	}
	/* setfsuid raised or dropped CAP_FS_SET by itself; set exactly the
	 * guest's, keeping every other capability cloneemu runs with. */
	if (host_capset_effective((host_effective & ~CAP_FS_SET) | fs_caps) == 0)
		applied.fs_caps = fs_caps;
	else
		applied.fs_caps = ~0ull; /* unknown: try again next time */
}

static bool in_initial_ns(const struct task *t)
{
	return !t->nsproxy || ns_initial_user(t->nsproxy);
}

void host_override_creds(const struct task *t)
{
	if (t->cred && !rr_replaying)
		apply(t->cred, in_initial_ns(t));
}

bool host_override_access_creds(const struct task *t)
{
	if (!t->cred || rr_replaying || !host_creds_applied())
		return false;
	/* fs/open.c access_override_creds: the real ids, and root's
	 * permitted capabilities or none. */
	struct cred c = *t->cred;
	c.fsuid = c.uid;
	c.fsgid = c.gid;
	if (!(c.securebits & (1u << 2) /* SECURE_NO_SETUID_FIXUP */))
		c.cap_effective = c.uid == 0 ? c.cap_permitted : 0;
	apply(&c, in_initial_ns(t));
	return true;
}
