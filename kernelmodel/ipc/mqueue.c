#include "kernelmodel/ipc/mqueue.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernelmodel/anon_inodes.h"
#include "kernelmodel/clock.h"
#include "kernelmodel/cred.h"
#include "kernelmodel/files.h"
#include "kernelmodel/fs.h"
#include "kernelmodel/ipc/namespace.h"
#include "kernelmodel/ipc/util.h"
#include "kernelmodel/libfs.h"
#include "kernelmodel/nsproxy.h"
#include "kernelmodel/pid.h"
#include "kernelmodel/sched.h"
#include "kernelmodel/signal.h"
#include "kernelmodel/task.h"

/* Linux's defaults and hard limits (include/linux/ipc_namespace.h). */
#define DFLT_QUEUESMAX 256
#define DFLT_MSG 10
#define DFLT_MSGMAX 10
#define DFLT_MSGSIZE 8192
#define DFLT_MSGSIZEMAX 8192
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 * 1024 * 1024)
#define MQ_PRIO_MAX 32768
#define NAME_MAX_MQ 255
#define PATH_MAX_MQ 4096
#define SI_MESGQ_K (-3)
#define MSG_MSG_SIZE 48   /* sizeof(struct msg_msg) on x86_64 */
#define TREE_NODE_SIZE 48 /* sizeof(struct posix_msg_tree_node) */

/* The guest's struct mq_attr (four longs). */
struct mq_attr_k {
	long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, pad[4];
};

struct mq_msg {
	struct mq_msg *next;
	unsigned prio;
	size_t len;
	char text[];
};

struct mqueue_inode {
	struct mqueue_inode *next;  /* in ns->mq_list until evicted */
	struct ipc_namespace *ns;   /* NULL once its namespace is gone */
	char name[NAME_MAX_MQ + 1];
	bool linked;                /* the name still exists */
	int nopen;                  /* open descriptions */
	uint32_t uid, gid, mode;
	uint32_t user;              /* charged for RLIMIT_MSGQUEUE */
	uint64_t mq_bytes;
	long maxmsg, msgsize, curmsgs;
	uint64_t qsize;             /* bytes queued */
	struct mq_msg *head;        /* priority order, FIFO within one */
	int notify_owner;           /* global tgid; 0: none */
	int notify_kind;            /* SIGEV_NONE or SIGEV_SIGNAL */
	int notify_signo;
	uint64_t notify_value;
	uint64_t gen;               /* readiness changes (EPOLLET) */
};

struct mq_file {
	struct mqueue_inode *info;
	int accmode; /* O_RDONLY, O_WRONLY, O_RDWR (3: neither) */
	uint64_t pos; /* of the QSIZE line */
};

void mq_init_ns(struct ipc_namespace *ns)
{
	ns->mq_queues_count = 0;
	ns->mq_queues_max = DFLT_QUEUESMAX;
	ns->mq_msg_max = DFLT_MSGMAX;
	ns->mq_msgsize_max = DFLT_MSGSIZEMAX;
	ns->mq_msg_default = DFLT_MSG;
	ns->mq_msgsize_default = DFLT_MSGSIZE;
	ns->mq_list = NULL;
}

/* ---- RLIMIT_MSGQUEUE per user (user_struct's mq_bytes) ---- */

static struct {
	uint32_t uid;
	uint64_t bytes;
} *mq_users;
static size_t nmq_users;

static uint64_t *user_bytes(uint32_t uid, bool add)
{
	for (size_t i = 0; i < nmq_users; i++)
		if (mq_users[i].uid == uid)
			return &mq_users[i].bytes;
	if (!add)
		return NULL;
	void *n = realloc(mq_users, (nmq_users + 1) * sizeof(*mq_users));
	if (!n)
		return NULL;
	mq_users = n;
	mq_users[nmq_users].uid = uid;
	mq_users[nmq_users].bytes = 0;
	return &mq_users[nmq_users++].bytes;
}

static void list_del_info(struct mqueue_inode *info)
{
	if (!info->ns)
		return;
	for (struct mqueue_inode **pp = &info->ns->mq_list; *pp; pp = &(*pp)->next)
		if (*pp == info) {
			*pp = info->next;
			break;
		}
}

/* evict: the queue has neither a name nor an open description. */
static void mqueue_evict(struct mqueue_inode *info)
{
	if (info->linked || info->nopen)
		return;
	while (info->head) {
		struct mq_msg *m = info->head;
		info->head = m->next;
		ipc_mem_uncharge(sizeof(*m) + m->len);
		free(m);
	}
	uint64_t *b = user_bytes(info->user, false);
	if (b)
		*b -= info->mq_bytes < *b ? info->mq_bytes : *b;
	if (info->ns) {
		info->ns->mq_queues_count--;
		list_del_info(info);
	}
	wake_up(info);
	free(info);
}

/* mq_exit_ns: the names go; queues still open live on without a namespace. */
void mq_exit_ns(struct ipc_namespace *ns)
{
	while (ns->mq_list) {
		struct mqueue_inode *info = ns->mq_list;
		ns->mq_list = info->next;
		info->linked = false;
		info->ns = NULL;
		mqueue_evict(info);
	}
}

static struct mqueue_inode *mq_lookup(struct ipc_namespace *ns, const char *name)
{
	for (struct mqueue_inode *i = ns->mq_list; i; i = i->next)
		if (i->linked && !strcmp(i->name, name))
			return i;
	return NULL;
}

/* ---- the descriptor ---- */

static void mq_changed(struct mqueue_inode *info)
{
	info->gen++;
	wake_up(info);
	wake_up(&poll_chan);
}

static long mq_status(const struct mqueue_inode *info, const struct task *t, char *buf, size_t n)
{
	int pid = 0;
	if (info->notify_owner) {
		struct task *o = task_find(info->notify_owner);
		pid = o ? task_tgid_nr_ns(o, t->pid_ns) : 0;
	}
	return snprintf(buf, n, "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			(unsigned long long)info->qsize,
			info->notify_owner ? info->notify_kind : 0,
			info->notify_owner && info->notify_kind == SIGEV_SIGNAL ? info->notify_signo : 0,
			pid);
}

static long mq_read(struct task *t, struct file *f, gva_t buf, size_t count)
{
	struct mq_file *mf = f->priv;
	if (mf->accmode != O_RDONLY && mf->accmode != O_RDWR)
		return -EBADF;
	char line[128];
	long len = mq_status(mf->info, t, line, sizeof(line));
	return simple_read_from_buffer(t, buf, count, &mf->pos, line, len > 0 ? (size_t)len : 0);
}

static short mq_poll(struct task *t, struct file *f)
{
	(void)t;
	const struct mqueue_inode *info = ((struct mq_file *)f->priv)->info;
	short re = 0;
	if (info->curmsgs)
		re |= POLLIN | POLLRDNORM;
	if (info->curmsgs < info->maxmsg)
		re |= POLLOUT | POLLWRNORM;
	return re;
}

static uint64_t mq_gen(struct file *f)
{
	return ((struct mq_file *)f->priv)->info->gen;
}

static void mq_release(struct file *f)
{
	struct mq_file *mf = f->priv;
	struct mqueue_inode *info = mf->info;
	info->nopen--;
	free(mf);
	mqueue_evict(info);
}

static const struct anon_file_ops mqueue_fops = {
	.name = "[mqueue]",
	.read = mq_read,
	.poll = mq_poll,
	.gen = mq_gen,
	.release = mq_release,
};

/* The queue behind descriptor @fd, or NULL (-EBADF). */
static struct mq_file *mq_fget(struct task *t, int fd, struct file **fp)
{
	struct file *f = fd >= 0 ? files_lookup(t->files, fd) : NULL;
	if (!f || f->kind != FILE_ANON || f->aops != &mqueue_fops)
		return NULL;
	*fp = f;
	return f->priv;
}

/* ---- names ---- */

/* getname + lookup_one_len: 0, -EFAULT, -ENOENT (""), -ENAMETOOLONG,
 * -EACCES (a '/' in it, ".", ".."). */
static int get_mq_name(struct task *t, uint64_t u_name, char *name)
{
	char buf[PATH_MAX_MQ];
	long n = strncpy_from_guest(t->mm, buf, u_name, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	if (strchr(buf, '/') || !strcmp(buf, ".") || !strcmp(buf, ".."))
		return -EACCES;
	if (n > NAME_MAX_MQ)
		return -ENAMETOOLONG;
	memcpy(name, buf, (size_t)n + 1);
	return 0;
}

static bool in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; c->group_info && i < c->group_info->ngroups; i++)
		if (c->group_info->gid[i] == gid)
			return true;
	return false;
}

/* generic_permission for @acc (4 read, 2 write). */
static int mq_permission(const struct task *t, const struct mqueue_inode *info, int acc)
{
	const struct cred *c = t->cred;
	unsigned mode = info->mode;
	if (c->fsuid == info->uid)
		mode >>= 6;
	else if (in_group(c, info->gid))
		mode >>= 3;
	if ((acc & ~(int)mode & 7) == 0)
		return 0;
	return capable(t, CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

static int mq_attr_ok(const struct task *t, const struct ipc_namespace *ns,
		      const struct mq_attr_k *a)
{
	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (capable(t, CAP_SYS_RESOURCE)) {
		if (a->mq_maxmsg > HARD_MSGMAX || a->mq_msgsize > HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (a->mq_maxmsg > (long)ns->mq_msg_max || a->mq_msgsize > (long)ns->mq_msgsize_max) {
		return -EINVAL;
	}
	return 0;
}

static int mqueue_create(struct task *t, struct ipc_namespace *ns, const char *name, unsigned mode,
			 const struct mq_attr_k *attr, struct mqueue_inode **out)
{
	if (attr) {
		int r = mq_attr_ok(t, ns, attr);
		if (r)
			return r;
	}
	if (ns->mq_queues_count >= ns->mq_queues_max && !capable(t, CAP_SYS_RESOURCE))
		return -ENOSPC;
	long maxmsg = attr ? attr->mq_maxmsg : (long)ns->mq_msg_default;
	long msgsize = attr ? attr->mq_msgsize : (long)ns->mq_msgsize_default;
	long tree = maxmsg < MQ_PRIO_MAX ? maxmsg : MQ_PRIO_MAX;
	uint64_t mq_bytes = (uint64_t)maxmsg * MSG_MSG_SIZE + (uint64_t)tree * TREE_NODE_SIZE +
			    (uint64_t)maxmsg * (uint64_t)msgsize;
	uint32_t user = t->cred->uid;
	uint64_t *ub = user_bytes(user, true);
	if (!ub)
		return -ENOMEM;
	rlim_t lim = t->signal->rlim[RLIMIT_MSGQUEUE].rlim_cur;
	if (*ub + mq_bytes < *ub || (lim != RLIM_INFINITY && *ub + mq_bytes > lim))
		return -EMFILE;
	struct mqueue_inode *info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;
	*ub += mq_bytes;
	info->mq_bytes = mq_bytes;
	info->user = user;
	info->ns = ns;
	strcpy(info->name, name);
	info->linked = true;
	info->uid = t->cred->fsuid;
	info->gid = t->cred->fsgid;
	info->mode = mode & ~t->fs->umask & 07777;
	info->maxmsg = maxmsg;
	info->msgsize = msgsize;
	info->next = ns->mq_list;
	ns->mq_list = info;
	ns->mq_queues_count++;
	*out = info;
	return 0;
}

long do_mq_open(struct task *t, uint64_t u_name, int oflag, unsigned mode, uint64_t u_attr)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	struct mq_attr_k attr, *ap = NULL;
	char name[NAME_MAX_MQ + 1];
	if (u_attr) {
		memset(&attr, 0, sizeof(attr));
		if (copy_from_guest(t->mm, &attr, u_attr, 4 * sizeof(long)))
			return -EFAULT;
		ap = &attr;
	}
	int r = get_mq_name(t, u_name, name);
	if (r)
		return r;
	struct mqueue_inode *info = mq_lookup(ns, name);
	if (!info) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		if ((r = mqueue_create(t, ns, name, mode, (oflag & O_CREAT) ? ap : NULL, &info)))
			return r;
	} else {
		static const int oflag2acc[3] = {4, 2, 6};
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		if ((oflag & O_ACCMODE) == (O_RDWR | O_WRONLY))
			return -EINVAL;
		if ((r = mq_permission(t, info, oflag2acc[oflag & O_ACCMODE])))
			return r;
	}
	struct mq_file *mf = calloc(1, sizeof(*mf));
	if (!mf)
		return -ENOMEM;
	mf->info = info;
	mf->accmode = oflag & O_ACCMODE;
	struct file *f = anon_inode_getfile(&mqueue_fops, mf, oflag & O_NONBLOCK);
	if (!f) {
		free(mf);
		return -ENOMEM;
	}
	f->flags = (oflag & O_ACCMODE) | (oflag & O_NONBLOCK);
	info->nopen++;
	int fd = files_install(t->files, f, 0, oflag & O_CLOEXEC);
	file_put(f); /* the table holds it now (or nobody: released) */
	return fd;
}

long do_mq_unlink(struct task *t, uint64_t u_name)
{
	struct ipc_namespace *ns = task_ipc_ns(t);
	char name[NAME_MAX_MQ + 1];
	int r = get_mq_name(t, u_name, name);
	if (r)
		return r;
	struct mqueue_inode *info = mq_lookup(ns, name);
	if (!info)
		return -ENOENT;
	/* Only the owner or CAP_FOWNER removes a queue (the root is sticky);
	 * the host kernel says EACCES to anyone else. */
	if (t->cred->fsuid != info->uid && !capable(t, CAP_FOWNER))
		return -EACCES;
	info->linked = false; /* it stays on the list (and counted) until evicted */
	mqueue_evict(info);
	return 0;
}

/* prepare_timeout: an absolute CLOCK_REALTIME time as a deadline. */
static int prepare_timeout(struct task *t, uint64_t u_ts, uint64_t *deadline)
{
	struct {
		int64_t tv_sec, tv_nsec;
	} ts;
	*deadline = 0;
	if (!u_ts)
		return 0;
	if (copy_from_guest(t->mm, &ts, u_ts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	*deadline = clock_to_sched(CLOCK_REALTIME, timespec_to_ns((uint64_t)ts.tv_sec,
								 (uint64_t)ts.tv_nsec));
	if (!*deadline)
		*deadline = 1; /* in the past: expired */
	return 0;
}

/* __do_notify: a message reached an empty queue nobody waits on. */
static void do_notify(struct task *t, struct mqueue_inode *info)
{
	if (!info->notify_owner || info->curmsgs != 1)
		return;
	if (info->notify_kind == SIGEV_SIGNAL && info->notify_signo) {
		struct task *o = task_find(info->notify_owner);
		if (o && task_is_alive(o)) {
			struct ksiginfo si = {
				.signo = info->notify_signo,
				.code = SI_MESGQ_K,
				.pid = task_tgid_nr_ns(t, o->pid_ns),
				.uid = (int)t->cred->uid,
				.value = info->notify_value,
			};
			send_group_signal(o, info->notify_signo, &si);
		}
	}
	info->notify_owner = 0;
}

static bool queue_has_receiver_waiting(const struct mqueue_inode *info)
{
	for (struct task *p = task_next(NULL); p; p = task_next(p))
		if (p->state == TASK_INTERRUPTIBLE && p->wait_chan == info && p->wait_why &&
		    !strcmp(p->wait_why, "mq_timedreceive"))
			return true;
	return false;
}

long do_mq_timedsend(struct task *t, int mqdes, uint64_t u_msg, uint64_t msg_len, unsigned prio,
		     uint64_t u_abs_timeout)
{
	uint64_t deadline;
	int r = prepare_timeout(t, u_abs_timeout, &deadline);
	if (r)
		return r;
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	struct file *f;
	struct mq_file *mf = mq_fget(t, mqdes, &f);
	if (!mf || (mf->accmode != O_WRONLY && mf->accmode != O_RDWR))
		return -EBADF;
	struct mqueue_inode *info = mf->info;
	if (msg_len > (uint64_t)info->msgsize)
		return -EMSGSIZE;
	if (ipc_mem_charge(sizeof(struct mq_msg) + msg_len))
		return -ENOMEM;
	struct mq_msg *m = malloc(sizeof(*m) + msg_len);
	if (!m) {
		ipc_mem_uncharge(sizeof(struct mq_msg) + msg_len);
		return -ENOMEM;
	}
	if (copy_from_guest(t->mm, m->text, u_msg, msg_len)) {
		ipc_mem_uncharge(sizeof(*m) + msg_len);
		free(m);
		return -EFAULT;
	}
	if (info->curmsgs == info->maxmsg) {
		ipc_mem_uncharge(sizeof(*m) + msg_len);
		free(m);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (deadline && now_ns() >= deadline)
			return -ETIMEDOUT;
		return sleep_until(t, info, deadline, "mq_timedsend");
	}
	m->prio = prio;
	m->len = msg_len;
	struct mq_msg **pp = &info->head;
	while (*pp && (*pp)->prio >= prio)
		pp = &(*pp)->next;
	m->next = *pp;
	*pp = m;
	info->curmsgs++;
	info->qsize += msg_len;
	/* A receiver already waiting takes it (pipelined_send); otherwise
	 * a registered process hears about the first message. */
	if (!queue_has_receiver_waiting(info))
		do_notify(t, info);
	mq_changed(info);
	return 0;
}

long do_mq_timedreceive(struct task *t, int mqdes, uint64_t u_msg, uint64_t msg_len,
			uint64_t u_prio, uint64_t u_abs_timeout)
{
	uint64_t deadline;
	int r = prepare_timeout(t, u_abs_timeout, &deadline);
	if (r)
		return r;
	struct file *f;
	struct mq_file *mf = mq_fget(t, mqdes, &f);
	if (!mf || (mf->accmode != O_RDONLY && mf->accmode != O_RDWR))
		return -EBADF;
	struct mqueue_inode *info = mf->info;
	if (msg_len < (uint64_t)info->msgsize)
		return -EMSGSIZE;
	if (!info->curmsgs) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (deadline && now_ns() >= deadline)
			return -ETIMEDOUT;
		return sleep_until(t, info, deadline, "mq_timedreceive");
	}
	struct mq_msg *m = info->head;
	info->head = m->next;
	info->curmsgs--;
	info->qsize -= m->len;
	mq_changed(info);
	long ret = (long)m->len;
	unsigned prio = m->prio;
	if ((u_prio && copy_to_guest(t->mm, u_prio, &prio, sizeof(prio))) ||
	    copy_to_guest(t->mm, u_msg, m->text, m->len))
		ret = -EFAULT;
	ipc_mem_uncharge(sizeof(*m) + m->len);
	free(m);
	return ret;
}

long do_mq_notify(struct task *t, int mqdes, uint64_t u_notification)
{
	struct {
		uint64_t value;
		int signo, notify;
		int tid;
		char pad[44];
	} n;
	if (u_notification) {
		if (copy_from_guest(t->mm, &n, u_notification, sizeof(n)))
			return -EFAULT;
		if (n.notify != SIGEV_NONE && n.notify != SIGEV_SIGNAL && n.notify != SIGEV_THREAD)
			return -EINVAL;
		if (n.notify == SIGEV_SIGNAL && (n.signo < 0 || n.signo > 64)) /* valid_signal */
			return -EINVAL;
		if (n.notify == SIGEV_THREAD) {
			/* Needs a netlink socket, which the model does not have:
			 * the descriptor is never one (README). */
			struct file *sf = n.signo >= 0 ? files_lookup(t->files, n.signo) : NULL;
			if (!sf)
				return -EBADF;
			return sf->kind == FILE_SOCKET ? -EINVAL : -ENOTSOCK;
		}
	}
	struct file *f;
	struct mq_file *mf = mq_fget(t, mqdes, &f);
	if (!mf)
		return -EBADF;
	struct mqueue_inode *info = mf->info;
	if (!u_notification) {
		if (info->notify_owner == t->tgid) {
			info->notify_owner = 0;
			mq_changed(info);
		}
		return 0;
	}
	if (info->notify_owner) {
		struct task *o = task_find(info->notify_owner);
		if (o && task_is_alive(o))
			return -EBUSY;
		info->notify_owner = 0; /* its process is gone */
	}
	info->notify_kind = n.notify;
	info->notify_signo = n.notify == SIGEV_SIGNAL ? n.signo : 0;
	info->notify_value = n.value;
	info->notify_owner = t->tgid;
	return 0;
}

long do_mq_getsetattr(struct task *t, int mqdes, uint64_t u_new, uint64_t u_old)
{
	struct mq_attr_k nw, old;
	if (u_new) {
		memset(&nw, 0, sizeof(nw));
		if (copy_from_guest(t->mm, &nw, u_new, 4 * sizeof(long)))
			return -EFAULT;
		if (nw.mq_flags & ~(long)O_NONBLOCK)
			return -EINVAL;
	}
	struct file *f;
	struct mq_file *mf = mq_fget(t, mqdes, &f);
	if (!mf)
		return -EBADF;
	struct mqueue_inode *info = mf->info;
	memset(&old, 0, sizeof(old));
	old.mq_flags = f->flags & O_NONBLOCK;
	old.mq_maxmsg = info->maxmsg;
	old.mq_msgsize = info->msgsize;
	old.mq_curmsgs = info->curmsgs;
	if (u_new) {
		if (nw.mq_flags & O_NONBLOCK)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
	}
	if (u_old && copy_to_guest(t->mm, u_old, &old, 4 * sizeof(long)))
		return -EFAULT;
	return 0;
}
