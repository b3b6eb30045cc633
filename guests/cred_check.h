/*
 * cred_check.h: helpers for the credential guests (cred_*.c), on top of
 * guest_check.h. musl ships no <linux/capability.h>, so the capability ABI
 * (capget/capset headers, capability numbers, securebits) is spelled out
 * here, as the kernel's uapi headers define it.
 *
 * Capability sets print as hex. They are the same natively and under
 * cloneemu when cloneemu gives its guest its own real sets, whatever they
 * are on the machine running the tests.
 */
#ifndef CRED_CHECK_H
#define CRED_CHECK_H

#include "guest_check.h"

#include <grp.h>
#include <stdint.h>
#include <sys/prctl.h>

#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_RAW 13
#define CAP_SYS_ADMIN 21
#define CAP_BIT(c) (1ull << (c))

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NO_SETUID_FIXUP (1 << 2)
#define SECBIT_KEEP_CAPS (1 << 4)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

struct capsets {
	uint64_t eff, prm, inh;
};

/* capget(pid) with a v3 header: 0, or -1 with errno. */
static GUEST_UNUSED int caps_of(int pid, struct capsets *c)
{
	struct cap_header h = {CAP_V3, pid};
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static GUEST_UNUSED struct capsets my_caps(void)
{
	struct capsets c;
	need(caps_of(0, &c) == 0, 92, "capget");
	return c;
}

/* capset with a v3 header for ourselves: 0, or -1 with errno. */
static GUEST_UNUSED int set_caps(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct cap_header h = {CAP_V3, 0};
	struct cap_data d[2] = {
		{(uint32_t)eff, (uint32_t)prm, (uint32_t)inh},
		{(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32)},
	};
	return (int)syscall(SYS_capset, &h, d);
}

static GUEST_UNUSED void print_caps(const char *what)
{
	struct capsets c = my_caps();
	printf("%s: eff %llx prm %llx inh %llx\n", what, (unsigned long long)c.eff,
	       (unsigned long long)c.prm, (unsigned long long)c.inh);
}

/* The lines of /proc/<pid>/status whose key starts with one of @keys
 * ("Uid", "Cap", ...), printed as they are. */
static GUEST_UNUSED void print_status(const char *path, const char *const *keys, int nkeys)
{
	char line[512];
	FILE *f = fopen(path, "r");
	if (!f) {
		check(0, 93, "open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f))
		for (int i = 0; i < nkeys; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				printf("%s: %s", path, line);
	fclose(f);
}

/* getresuid/getresgid/fsuid/fsgid and the groups, on one line. */
static GUEST_UNUSED void print_ids(const char *what)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[64];
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	/* setfs[ug]id(-1) changes nothing and returns the current value. */
	long fsu = syscall(SYS_setfsuid, -1), fsg = syscall(SYS_setfsgid, -1);
	int n = getgroups(64, g);
	printf("%s: uid %u %u %u fs %ld gid %u %u %u fs %ld groups", what, r, e, s, fsu, gr, ge,
	       gs, fsg);
	for (int i = 0; i < n; i++)
		printf(" %u", g[i]);
	printf("%s\n", n < 0 ? " (error)" : "");
}

/* Run the rest only as root: native and emulated see the same ids, so a
 * non-root run prints the same skip line both ways. */
static GUEST_UNUSED int need_root(void)
{
	if (geteuid() == 0 && (my_caps().eff & CAP_BIT(CAP_SETUID)))
		return 1;
	printf("skip: not root with CAP_SETUID\n");
	return 0;
}

#endif
