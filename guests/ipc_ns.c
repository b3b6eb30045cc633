/*
 * ipc_ns: IPC namespaces isolate System V objects (root only: unshare and
 * clone with CLONE_NEWIPC need CAP_SYS_ADMIN).
 *   - after unshare(CLONE_NEWIPC) the ids and keys of the old namespace
 *     are gone (EINVAL, ENOENT), the /proc/sysvipc files list nothing, the limits
 *     read Linux's defaults; what is made inside is not seen outside;
 *   - a child made with clone(CLONE_NEWIPC) starts empty too, and its
 *     parent keeps seeing its own objects;
 *   - the namespace's SHMMNI bound: the 4097th segment is ENOSPC; limits
 *     written to /proc/sys/kernel (sem, msgmni, msgmnb) bound semget, semop
 *     (E2BIG), msgget and new queues' msg_qbytes in that namespace only;
 *   - an attachment made before unshare keeps working;
 *   - POSIX message queue names are per namespace too;
 *   - a segment still attached when its namespace goes (the only task
 *     unshares again) stays usable until its last detach; so do open
 *     message queues, named or already unlinked.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define EXPECT_ERR(call, want, code, what)                                  \
	do {                                                                \
		long r_ = (long)(call);                                     \
		expect_errno(r_, errno, want, code, what);                  \
	} while (0)

static int lines(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int n = 0, ch;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

static int shm_id, sem_id, msg_id;
static key_t key;

static int in_clone(void *arg)
{
	(void)arg;
	int code = 0;
	if (shmctl(shm_id, IPC_STAT, &(struct shmid_ds){0}) != -1 || errno != EINVAL)
		code |= 1;
	if (shmget(key, 0, 0) != -1 || errno != ENOENT)
		code |= 2;
	if (lines("/proc/sysvipc/shm") != 1)
		code |= 4;
	if (shmget(key, 4096, IPC_CREAT | 0600) < 0)
		code |= 8;
	return code;
}

int main(void)
{
	key = 0x1c000000 | (getpid() & 0xffffff);
	shm_id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	sem_id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	msg_id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	need(shm_id >= 0 && sem_id >= 0 && msg_id >= 0, 1, "objects in the first namespace");
	char *p = shmat(shm_id, NULL, 0);
	need(p != (void *)-1, 2, "shmat");
	strcpy(p, "before");
	char mqname[64];
	snprintf(mqname, sizeof(mqname), "/cloneemu-ipcns-%d", (int)getpid());
	mqd_t mq = mq_open(mqname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	need(mq != (mqd_t)-1, 13, "mq_open in the first namespace");

	pid_t c = guest_fork();
	if (c == 0) {
		if (unshare(CLONE_NEWIPC) != 0)
			_exit(100);
		int code = 0;
		if (shmctl(shm_id, IPC_STAT, &(struct shmid_ds){0}) != -1 || errno != EINVAL)
			code |= 1;
		if (semctl(sem_id, 0, GETVAL) != -1 || errno != EINVAL)
			code |= 2;
		if (msgctl(msg_id, IPC_STAT, &(struct msqid_ds){0}) != -1 || errno != EINVAL)
			code |= 4;
		if (shmget(key, 0, 0) != -1 || errno != ENOENT)
			code |= 8;
		if (lines("/proc/sysvipc/shm") != 1 || lines("/proc/sysvipc/sem") != 1 ||
		    lines("/proc/sysvipc/msg") != 1)
			code |= 16;
		if (strcmp(p, "before"))
			code |= 32; /* the old attachment still maps the segment */
		strcpy(p, "from the new namespace");
		if (mq_open(mqname, O_RDWR) != (mqd_t)-1 || errno != ENOENT)
			code |= 128; /* the queue's name stays in the old namespace */
		mqd_t own = mq_open(mqname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
		if (own == (mqd_t)-1 || mq_send(own, "x", 1, 0) != 0)
			code |= 256;
		/* Objects made here stay here. */
		if (shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600) < 0)
			code |= 64;
		_exit(code);
	}
	expect_status(c, "exited 0", 3,
		      "after unshare: old ids EINVAL, key ENOENT, /proc/sysvipc empty, attachment kept, "
		      "mq name unknown");
	struct mq_attr ma;
	check(mq_getattr(mq, &ma) == 0 && ma.mq_curmsgs == 0, 14,
	      "our queue did not get the child's message");
	check(!strcmp(p, "from the new namespace"), 4, "write through the old attachment seen");
	struct shmid_ds ds;
	expect_eq(shmctl(shm_id, IPC_STAT, &ds), 0, 5, "ours is still here");
	expect_eq((long)ds.shm_segsz, 4096, 6, "the key still names our 4096-byte segment");
	expect_eq(ds.shm_nattch, 1, 7, "one attachment (the child's went at exit)");

	/* A namespace that goes while one of its segments is attached. */
	c = guest_fork();
	if (c == 0) {
		if (unshare(CLONE_NEWIPC) != 0)
			_exit(100);
		int id = shmget(IPC_PRIVATE, 8192, 0600);
		char *a = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
		if (a == (void *)-1)
			_exit(1);
		strcpy(a + 4096, "orphan");
		mqd_t oq = mq_open("/orphan-a", O_RDWR | O_CREAT, 0600, NULL);
		mqd_t oq2 = mq_open("/orphan-b", O_RDWR | O_CREAT, 0600, NULL);
		if (oq == (mqd_t)-1 || oq2 == (mqd_t)-1 || mq_unlink("/orphan-a") != 0)
			_exit(6);
		if (unshare(CLONE_NEWIPC) != 0) /* the first one has no task left */
			_exit(2);
		char mb[8192];
		unsigned pr;
		if (mq_send(oq, "q", 1, 3) || mq_receive(oq, mb, sizeof(mb), &pr) != 1 || pr != 3 ||
		    mq_send(oq2, "r", 1, 0) || mq_close(oq) || mq_close(oq2))
			_exit(7); /* open queues outlive their namespace */
		if (mq_open("/orphan-b", O_RDWR) != (mqd_t)-1 || errno != ENOENT)
			_exit(8);
		if (shmctl(id, IPC_STAT, &(struct shmid_ds){0}) != -1 || errno != EINVAL)
			_exit(3);
		if (strcmp(a + 4096, "orphan"))
			_exit(4);
		if (shmdt(a) != 0)
			_exit(5);
		_exit(0);
	}
	expect_status(c, "exited 0", 16, "an orphaned attachment works until shmdt");

	/* clone(CLONE_NEWIPC). */
	long t = raw_clone(CLONE_NEWIPC | SIGCHLD, NULL, NULL, NULL, 0, in_clone, NULL);
	check(t > 0, 8, "clone(CLONE_NEWIPC)");
	if (t > 0)
		expect_status((pid_t)t, "exited 0", 9, "the clone child starts empty");
	expect_eq(shmget(key, 0, 0), shm_id, 10, "our key still finds ours");

	/* Limits in a new namespace, and SHMMNI. */
	c = guest_fork();
	if (c == 0) {
		if (unshare(CLONE_NEWIPC) != 0)
			_exit(100);
		char buf[128];
		read_line("/proc/sys/kernel/shmmni", buf, sizeof(buf));
		if (strcmp(buf, "4096"))
			_exit(1);
		read_line("/proc/sys/kernel/sem", buf, sizeof(buf));
		if (strcmp(buf, "32000\t1024000000\t500\t32000"))
			_exit(2);
		read_line("/proc/sys/kernel/msgmnb", buf, sizeof(buf));
		if (strcmp(buf, "16384"))
			_exit(3);
		read_line("/proc/sys/kernel/shmmax", buf, sizeof(buf));
		if (strcmp(buf, "18446744073692774399"))
			_exit(4);
		int i = 0;
		while (i < 5000 && shmget(IPC_PRIVATE, 1, 0600) >= 0)
			i++;
		int e = errno;
		if (i != 4096 || e != ENOSPC)
			_exit(5);
		FILE *w = fopen("/proc/sys/kernel/sem", "w");
		if (!w || fputs("4 8 2 2\n", w) < 0 || fclose(w))
			_exit(6);
		if (semget(IPC_PRIVATE, 5, 0600) != -1 || errno != EINVAL)
			_exit(7); /* more than SEMMSL */
		int s1 = semget(IPC_PRIVATE, 4, 0600);
		if (s1 < 0 || semget(IPC_PRIVATE, 4, 0600) < 0)
			_exit(8);
		if (semget(IPC_PRIVATE, 1, 0600) != -1 || errno != ENOSPC)
			_exit(9); /* SEMMNS and SEMMNI used up */
		struct sembuf three[3] = {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}};
		if (semop(s1, three, 3) != -1 || errno != E2BIG)
			_exit(10); /* more than SEMOPM */
		w = fopen("/proc/sys/kernel/msgmni", "w");
		if (!w || fputs("1", w) < 0 || fclose(w))
			_exit(11);
		w = fopen("/proc/sys/kernel/msgmnb", "w");
		if (!w || fputs("100", w) < 0 || fclose(w))
			_exit(12);
		int q1 = msgget(IPC_PRIVATE, 0600);
		struct msqid_ds mds;
		if (q1 < 0 || msgctl(q1, IPC_STAT, &mds) || mds.msg_qbytes != 100)
			_exit(13);
		if (msgget(IPC_PRIVATE, 0600) != -1 || errno != ENOSPC)
			_exit(14);
		_exit(0);
	}
	expect_status(c, "exited 0", 11,
		      "new namespace: default limits, 4096 segments then ENOSPC, written limits bind");
	char buf[64];
	read_line("/proc/sys/kernel/msgmni", buf, sizeof(buf));
	check(strcmp(buf, "1") != 0, 15, "our namespace's msgmni is untouched");

	EXPECT_ERR(raw_clone(CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, NULL, NULL, NULL, 0, in_clone,
			     NULL) == -EINVAL ? (errno = EINVAL, -1) : 0,
		   EINVAL, 12, "CLONE_NEWIPC|CLONE_SYSVSEM");

	mq_close(mq);
	mq_unlink(mqname);
	shmdt(p);
	shmctl(shm_id, IPC_RMID, NULL);
	semctl(sem_id, 0, IPC_RMID);
	msgctl(msg_id, IPC_RMID, NULL);
	return guest_finish();
}
