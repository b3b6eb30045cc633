#include "kernelmodel/uts.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/rr.h"

#include <stdlib.h>

struct uts_namespace *uts_alloc_initial(void)
{
	struct uts_namespace *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	uname(&ns->name);
	rr_bytes(&ns->name, sizeof(ns->name));
	ns->refcount = 1; /* the first task's */
	ns->inum = 0xEFFFFFFEu; /* PROC_UTS_INIT_INO */
	ns->owner_user_inum = 0xEFFFFFFDu; /* the initial user namespace */
	return ns;
}

struct uts_namespace *uts_copy(const struct uts_namespace *old)
{
	struct uts_namespace *ns = malloc(sizeof(*ns));
	if (!ns)
		return NULL;
	*ns = *old;
	ns->refcount = 1;
	ns->inum = ns_alloc_inum();
	return ns;
}

struct uts_namespace *uts_get(struct uts_namespace *ns)
{
	ns->refcount++;
	return ns;
}

void uts_put(struct uts_namespace *ns)
{
	if (ns && --ns->refcount == 0)
		free(ns);
}
