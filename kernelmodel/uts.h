/* struct uts_namespace: hostname, domainname and the kernel identity that
 * uname(2) reports. CLONE_NEWUTS copies it; otherwise shared. */
#ifndef KERNELMODEL_UTS_H
#define KERNELMODEL_UTS_H

#include <sys/utsname.h>

struct uts_namespace {
	int refcount;
	struct utsname name;
	unsigned long inum;
	unsigned long owner_user_inum; /* the user namespace that owns it */
};

/* The initial namespace, initialised from the host's uname. */
struct uts_namespace *uts_alloc_initial(void);
struct uts_namespace *uts_get(struct uts_namespace *ns);
void uts_put(struct uts_namespace *ns);
/* CLONE_NEWUTS: a copy of @old with its own identity (refcount 1). */
struct uts_namespace *uts_copy(const struct uts_namespace *old);

#endif
