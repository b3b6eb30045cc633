#include "kernelmodel/uts.h"

#include <stdlib.h>

struct uts_namespace *uts_alloc_initial(void)
{
	struct uts_namespace *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	uname(&ns->name);
	ns->refcount = 1; /* the first task's */
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
