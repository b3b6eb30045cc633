#include "kernelmodel/ipc/msg.h"

#include <errno.h>
#include <limits.h>
#include <linux/msg.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/cred.h"
#include "kernelmodel/ipc/util.h"
#include "kernelmodel/mm.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/task.h"

struct msg_msg {
	struct msg_msg *next;
	long m_type;
	size_t m_ts; /* message text size */
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm;
	struct ipc_namespace *ns;
	int64_t stime, rtime, ctime;
	unsigned long cbytes, qnum, qbytes;
	int lspid, lrpid; /* global tgids */
	struct msg_msg *head, **tail;
};

enum { SEARCH_ANY = 1, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

static struct ipc_ids *msg_ids(struct ipc_namespace *ns)
{
	return &ns->ids[IPC_MSG_IDS];
}

void msg_init_ns(struct ipc_namespace *ns)
{
	ns->msg_ctlmax = MSGMAX;
	ns->msg_ctlmnb = MSGMNB;
	ns->msg_ctlmni = MSGMNI;
	ns->msg_bytes = 0;
	ns->msg_hdrs = 0;
}

static void free_msg(struct msg_msg *m)
{
	ipc_mem_uncharge(sizeof(*m) + m->m_ts);
	free(m);
}

static void freeque(struct msg_queue *msq)
{
	ipc_sleepers_removed(msq);
	ipc_rmid(msg_ids(msq->ns), &msq->perm);
	while (msq->head) {
		struct msg_msg *m = msq->head;
		msq->head = m->next;
		msq->ns->msg_hdrs--;
		msq->ns->msg_bytes -= (long)m->m_ts;
		free_msg(m);
	}
	free(msq);
}

void msg_exit_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = msg_ids(ns);
	for (int i = 0; i <= ids->max_idx && i < ids->cap; i++)
		if (ids->entries[i])
			freeque((struct msg_queue *)ids->entries[i]);
}

static int newque(struct task *t, struct ipc_namespace *ns, int key, int msgflg, long arg)
{
	(void)arg;
	struct msg_queue *msq = calloc(1, sizeof(*msq));
	if (!msq)
		return -ENOMEM;
	msq->ns = ns;
	msq->ctime = ipc_real_seconds();
	msq->qbytes = ns->msg_ctlmnb;
	msq->tail = &msq->head;
	int id = ipc_addid(msg_ids(ns), &msq->perm, (int)ns->msg_ctlmni, t, key, msgflg);
	if (id < 0)
		free(msq);
	return id;
}

long ksys_msgget(struct task *t, int key, int msgflg)
{
	static const struct ipc_ops ops = {newque, NULL};
	struct ipc_namespace *ns = task_ipc_ns(t);
	return ipcget(t, ns, msg_ids(ns), &ops, key, msgflg, 0);
}

static struct msg_queue *msq_obtain_object_check(struct ipc_namespace *ns, int id)
{
	return (struct msg_queue *)ipc_obtain_object_check(msg_ids(ns), id);
}

static bool msg_fits_inqueue(const struct msg_queue *msq, size_t msgsz)
{
	return msgsz + msq->cbytes <= msq->qbytes && 1 + msq->qnum <= msq->qbytes;
}

static long msgsnd_once(struct task *t, int msqid, uint64_t msgp, uint64_t msgsz, int msgflg)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	long mtype;
	if (t->restarting) {
		int st = ipc_sleep_status(t);
		if (st)
			return st;
	}
	if (copy_from_guest(t->mm, &mtype, msgp, sizeof(mtype)))
		return -EFAULT;
	if (msgsz > ns->msg_ctlmax || (long)msgsz < 0 || msqid < 0)
		return -EINVAL;
	if (mtype < 1)
		return -EINVAL;
	if (ipc_mem_charge(sizeof(struct msg_msg) + msgsz))
		return -ENOMEM;
	struct msg_msg *m = malloc(sizeof(*m) + msgsz);
	if (!m) {
		ipc_mem_uncharge(sizeof(struct msg_msg) + msgsz);
		return -ENOMEM;
	}
	m->next = NULL;
	m->m_type = mtype;
	m->m_ts = msgsz;
	long err;
	if (copy_from_guest(t->mm, m->text, msgp + sizeof(long), msgsz)) {
		err = -EFAULT;
		goto out;
	}
	struct msg_queue *msq = msq_obtain_object_check(ns, msqid);
	if (!msq) {
		err = -EINVAL;
		goto out;
	}
	if (ipcperms(t, ns, &msq->perm, 0222)) {
		err = -EACCES;
		goto out;
	}
	if (!msg_fits_inqueue(msq, msgsz)) {
		/* Queue full: wait, unless told not to. */
		if (msgflg & IPC_NOWAIT) {
			err = -EAGAIN;
			goto out;
		}
		free_msg(m);
		ipc_sleep_record(t, msq, -1, false);
		return sleep_on(t, msq, "msgsnd");
	}
	msq->lspid = t->tgid;
	msq->stime = ipc_real_seconds();
	*msq->tail = m;
	msq->tail = &m->next;
	msq->cbytes += msgsz;
	msq->qnum++;
	ns->msg_bytes += (long)msgsz;
	ns->msg_hdrs++;
	wake_up(msq);
	ipc_sleep_cancel(t);
	return 0;
out:
	ipc_sleep_cancel(t);
	free_msg(m);
	return err;
}

static int convert_mode(long *msgtyp, int msgflg)
{
	if (msgflg & MSG_COPY)
		return SEARCH_NUMBER;
	/* Find a message of the right type; msgtyp 0: the first. */
	if (*msgtyp == 0)
		return SEARCH_ANY;
	if (*msgtyp < 0) {
		*msgtyp = *msgtyp == LONG_MIN ? LONG_MAX : -*msgtyp;
		return SEARCH_LESSEQUAL;
	}
	if (msgflg & MSG_EXCEPT)
		return SEARCH_NOTEQUAL;
	return SEARCH_EQUAL;
}

static bool testmsg(const struct msg_msg *m, long type, int mode)
{
	switch (mode) {
	case SEARCH_ANY:
	case SEARCH_NUMBER:
		return true;
	case SEARCH_LESSEQUAL:
		return m->m_type <= type;
	case SEARCH_EQUAL:
		return m->m_type == type;
	case SEARCH_NOTEQUAL:
		return m->m_type != type;
	}
	return false;
}

/* find_msg: the link pointing at the message to take, or NULL. */
static struct msg_msg **find_msg(struct msg_queue *msq, long *msgtyp, int mode)
{
	struct msg_msg **found = NULL;
	long count = 0;
	for (struct msg_msg **pp = &msq->head; *pp; pp = &(*pp)->next) {
		struct msg_msg *m = *pp;
		if (!testmsg(m, *msgtyp, mode))
			continue;
		if (mode == SEARCH_LESSEQUAL && m->m_type != 1) {
			*msgtyp = m->m_type - 1;
			found = pp;
		} else if (mode == SEARCH_NUMBER) {
			if (*msgtyp == count)
				return pp;
		} else {
			return pp;
		}
		count++;
	}
	return found;
}

static long msgrcv_once(struct task *t, int msqid, uint64_t msgp, uint64_t bufsz, long msgtyp,
			int msgflg)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	if (t->restarting) {
		int st = ipc_sleep_status(t);
		if (st)
			return st;
	}
	if (msqid < 0 || (long)bufsz < 0)
		return -EINVAL;
	if ((msgflg & MSG_COPY) && ((msgflg & MSG_EXCEPT) || !(msgflg & IPC_NOWAIT)))
		return -EINVAL;
	int mode = convert_mode(&msgtyp, msgflg);
	struct msg_queue *msq = msq_obtain_object_check(ns, msqid);
	long err;
	if (!msq) {
		err = -EINVAL;
		goto out;
	}
	if (ipcperms(t, ns, &msq->perm, 0444)) {
		err = -EACCES;
		goto out;
	}
	struct msg_msg **pp = find_msg(msq, &msgtyp, mode);
	if (!pp) {
		if (msgflg & IPC_NOWAIT) {
			err = -ENOMSG;
			goto out;
		}
		ipc_sleep_record(t, msq, -1, false);
		return sleep_on(t, msq, "msgrcv");
	}
	struct msg_msg *m = *pp;
	if (bufsz < m->m_ts && !(msgflg & MSG_NOERROR)) {
		err = -E2BIG;
		goto out;
	}
	size_t n = m->m_ts < bufsz ? m->m_ts : bufsz;
	if (msgflg & MSG_COPY) {
		/* A copy, the queue untouched (bounded by MSGMAX as Linux's). */
		if (n > ns->msg_ctlmax)
			n = ns->msg_ctlmax;
		if (copy_to_guest(t->mm, msgp, &m->m_type, sizeof(long)) ||
		    copy_to_guest(t->mm, msgp + sizeof(long), m->text, n))
			err = -EFAULT;
		else
			err = (long)n;
		goto out;
	}
	/* Unlinked first: a bad buffer loses the message, as in Linux. */
	*pp = m->next;
	if (msq->tail == &m->next)
		msq->tail = pp;
	msq->qnum--;
	msq->rtime = ipc_real_seconds();
	msq->lrpid = t->tgid;
	msq->cbytes -= m->m_ts;
	ns->msg_bytes -= (long)m->m_ts;
	ns->msg_hdrs--;
	wake_up(msq);
	if (copy_to_guest(t->mm, msgp, &m->m_type, sizeof(long)) ||
	    copy_to_guest(t->mm, msgp + sizeof(long), m->text, n))
		err = -EFAULT;
	else
		err = (long)n;
	free_msg(m);
out:
	ipc_sleep_cancel(t);
	return err;
}

long ksys_msgsnd(struct task *t, int msqid, uint64_t msgp, uint64_t msgsz, int msgflg)
{
	long r = msgsnd_once(t, msqid, msgp, msgsz, msgflg);
	if (r != -EKBLOCK)
		ipc_sleep_cancel(t); /* whatever ended the call, it no longer waits */
	return r;
}

long ksys_msgrcv(struct task *t, int msqid, uint64_t msgp, uint64_t bufsz, long msgtyp, int msgflg)
{
	long r = msgrcv_once(t, msqid, msgp, bufsz, msgtyp, msgflg);
	if (r != -EKBLOCK)
		ipc_sleep_cancel(t);
	return r;
}

static void fill_msqid(const struct task *t, const struct msg_queue *msq, struct msqid64_ds *p)
{
	memset(p, 0, sizeof(*p));
	kernel_to_ipc64_perm(t, &msq->perm, &p->msg_perm);
	p->msg_stime = msq->stime;
	p->msg_rtime = msq->rtime;
	p->msg_ctime = msq->ctime;
	p->msg_cbytes = msq->cbytes;
	p->msg_qnum = msq->qnum;
	p->msg_qbytes = msq->qbytes;
	p->msg_lspid = ipc_pid_vnr(t, msq->lspid);
	p->msg_lrpid = ipc_pid_vnr(t, msq->lrpid);
}

long ksys_msgctl(struct task *t, int msqid, int cmd, uint64_t buf)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct msqid64_ds m64;
	int err;
	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO: {
		struct msginfo mi;
		memset(&mi, 0, sizeof(mi));
		mi.msgmni = (int)ns->msg_ctlmni;
		mi.msgmax = (int)ns->msg_ctlmax;
		mi.msgmnb = (int)ns->msg_ctlmnb;
		mi.msgssz = MSGSSZ;
		mi.msgseg = MSGSEG;
		if (cmd == MSG_INFO) {
			mi.msgpool = msg_ids(ns)->in_use;
			mi.msgmap = ns->msg_hdrs > INT_MAX ? INT_MAX : (int)ns->msg_hdrs;
			mi.msgtql = ns->msg_bytes > INT_MAX ? INT_MAX : (int)ns->msg_bytes;
		} else {
			mi.msgmap = MSGMAP;
			mi.msgpool = MSGPOOL;
			mi.msgtql = MSGTQL;
		}
		int max_idx = ipc_get_maxidx(msg_ids(ns));
		if (copy_to_guest(t->mm, buf, &mi, sizeof(mi)))
			return -EFAULT;
		return max_idx < 0 ? 0 : max_idx;
	}
	case MSG_STAT:
	case MSG_STAT_ANY:
	case IPC_STAT: {
		struct msg_queue *msq =
			cmd == IPC_STAT ? msq_obtain_object_check(ns, msqid)
					: (struct msg_queue *)ipc_obtain_object_idr(msg_ids(ns), msqid);
		if (!msq)
			return -EINVAL;
		if (cmd != MSG_STAT_ANY && ipcperms(t, ns, &msq->perm, 0444))
			return -EACCES;
		fill_msqid(t, msq, &m64);
		if (copy_to_guest(t->mm, buf, &m64, sizeof(m64)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : msq->perm.id;
	}
	case IPC_SET:
		if (copy_from_guest(t->mm, &m64, buf, sizeof(m64)))
			return -EFAULT;
		/* fall through */
	case IPC_RMID: {
		struct kern_ipc_perm *p = ipcctl_obtain_check(t, ns, msg_ids(ns), msqid, &err);
		if (!p)
			return err;
		struct msg_queue *msq = (struct msg_queue *)p;
		if (cmd == IPC_RMID) {
			freeque(msq);
			return 0;
		}
		if (m64.msg_qbytes > ns->msg_ctlmnb && !ipc_capable(t, ns, CAP_SYS_RESOURCE))
			return -EPERM;
		if ((err = ipc_update_perm(t, &m64.msg_perm, p)))
			return err;
		msq->qbytes = m64.msg_qbytes;
		msq->ctime = ipc_real_seconds();
		wake_up(msq); /* senders may fit now */
		return 0;
	}
	default:
		return -EINVAL;
	}
}

void sysvipc_msg_show(const struct task *t, FILE *out)
{
	struct ipc_ids *ids = msg_ids(task_ipc_ns(t));
	fputs("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
	      "      stime      rtime      ctime\n",
	      out);
	for (int i = 0; i <= ids->max_idx; i++) {
		struct msg_queue *msq = (struct msg_queue *)ids->entries[i];
		if (!msq)
			continue;
		fprintf(out,
			"%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu %10llu %10llu\n",
			msq->perm.key, msq->perm.id, msq->perm.mode, msq->cbytes, msq->qnum,
			ipc_pid_vnr(t, msq->lspid), ipc_pid_vnr(t, msq->lrpid),
			from_kuid_munged(t, msq->perm.uid), from_kgid_munged(t, msq->perm.gid),
			from_kuid_munged(t, msq->perm.cuid), from_kgid_munged(t, msq->perm.cgid),
			(unsigned long long)msq->stime, (unsigned long long)msq->rtime,
			(unsigned long long)msq->ctime);
	}
}
