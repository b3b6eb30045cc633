#include "kernelmodel/ptrace.h"

#include "kernelmodel/cred.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/task.h"

bool ptrace_may_access(const struct task *t, const struct task *p, unsigned mode)
{
	if (t->tgid == p->tgid)
		return true;
	if (ns_capable(t, p->nsproxy, CAP_SYS_PTRACE))
		return true;
	const struct cred *c = t->cred, *tc = p->cred;
	uint32_t uid = mode & PTRACE_MODE_FSCREDS ? c->fsuid : c->uid;
	uint32_t gid = mode & PTRACE_MODE_FSCREDS ? c->fsgid : c->gid;
	if (uid != tc->euid || uid != tc->suid || uid != tc->uid || gid != tc->egid ||
	    gid != tc->sgid || gid != tc->gid)
		return false;
	return p->mm && p->mm->dumpable == 1 /* SUID_DUMP_USER */;
}
