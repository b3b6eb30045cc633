/*
 * sysv_msg: System V message queues (msgget/msgsnd/msgrcv/msgctl, ipc/msg.c).
 *   - FIFO per type; msgtyp 0 (first), > 0 (that type), < 0 (lowest type
 *     up to |msgtyp|), MSG_EXCEPT, MSG_NOERROR truncation, MSG_COPY by
 *     position (needs IPC_NOWAIT), IPC_STAT's qnum/cbytes/qbytes/lspid;
 *   - a blocking msgrcv woken by another process's msgsnd; a msgsnd
 *     blocked on a full queue (msg_qbytes lowered with IPC_SET) woken by a
 *     msgrcv; IPC_RMID wakes a waiting receiver with EIDRM;
 *   - errno cases: ENOMSG, E2BIG, EINVAL (mtype 0, size > MSGMAX, bad
 *     flags), EFAULT, EPERM (raising msg_qbytes as uid 1000), EACCES.
 */
#include "guest_check.h"

#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#define EXPECT_ERR(call, want, code, what)                                  \
	do {                                                                \
		long r_ = (long)(call);                                     \
		expect_errno(r_, errno, want, code, what);                  \
	} while (0)

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m {
	long mtype;
	char text[64];
};

static int q;

static int snd(long type, const char *text, int flg)
{
	struct m b = {type, ""};
	strcpy(b.text, text);
	return msgsnd(q, &b, strlen(text) + 1, flg);
}

/* Receives into a fresh buffer; returns "type:text" or the errno name. */
static const char *rcv(long type, int flg, size_t sz)
{
	static char out[96];
	struct m b;
	memset(&b, 0, sizeof(b));
	ssize_t n = msgrcv(q, &b, sz, type, flg);
	if (n < 0)
		return errno == ENOMSG ? "ENOMSG" : errno_name(errno);
	snprintf(out, sizeof(out), "%ld:%.*s(%zd)", b.mtype, (int)n, b.text, n);
	return out;
}

static void expect_rcv(long type, int flg, size_t sz, const char *want, int code, const char *what)
{
	const char *got = rcv(type, flg, sz);
	check(!strcmp(got, want), code, "%s: %s%s%s", what, got, strcmp(got, want) ? " want " : "",
	      strcmp(got, want) ? want : "");
}

/* Until @pid sleeps (state S in /proc/<pid>/stat). */
static void wait_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100000; i++) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = 0;
		char *s = strrchr(buf, ')');
		if (s && s[1] == ' ' && s[2] == 'S')
			return;
		sched_yield();
	}
}

static unsigned long qnum(void)
{
	struct msqid_ds ds;
	return msgctl(q, IPC_STAT, &ds) == 0 ? ds.msg_qnum : 999;
}

int main(void)
{
	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	need(q >= 0, 1, "msgget");
	struct msqid_ds ds;
	expect_eq(msgctl(q, IPC_STAT, &ds), 0, 2, "IPC_STAT");
	expect_eq((long)ds.msg_qbytes, 16384, 3, "msg_qbytes is MSGMNB");
	expect_eq((long)ds.msg_qnum, 0, 4, "empty");

	snd(3, "three", 0);
	snd(1, "one", 0);
	snd(2, "two", 0);
	snd(1, "uno", 0);
	expect_eq(msgctl(q, IPC_STAT, &ds), 0, 5, "IPC_STAT");
	check(ds.msg_qnum == 4 && ds.msg_cbytes == 6 + 4 + 4 + 4, 6, "qnum 4, cbytes 18");
	expect_eq(ds.msg_lspid, getpid(), 7, "msg_lspid");
	expect_rcv(2, MSG_COPY | IPC_NOWAIT, 64, "2:two(4)", 8, "MSG_COPY position 2");
	EXPECT_ERR(msgrcv(q, &(struct m){0}, 64, 9, MSG_COPY | IPC_NOWAIT), ENOMSG, 9,
		   "MSG_COPY past the end");
	EXPECT_ERR(msgrcv(q, &(struct m){0}, 64, 0, MSG_COPY), EINVAL, 10, "MSG_COPY without IPC_NOWAIT");
	EXPECT_ERR(msgrcv(q, &(struct m){0}, 64, 1, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL, 11,
		   "MSG_COPY with MSG_EXCEPT");
	expect_eq(qnum(), 4, 12, "MSG_COPY leaves the queue alone");
	expect_rcv(1, 0, 64, "1:one(4)", 13, "type 1 first");
	expect_rcv(1, MSG_EXCEPT, 64, "3:three(6)", 14, "MSG_EXCEPT 1");
	expect_rcv(-5, 0, 64, "1:uno(4)", 15, "lowest type <= 5");
	EXPECT_ERR(msgrcv(q, &(struct m){0}, 2, 0, 0), E2BIG, 16, "too small without MSG_NOERROR");
	expect_eq(qnum(), 1, 17, "E2BIG leaves the message");
	expect_rcv(0, MSG_NOERROR, 2, "2:tw(2)", 18, "MSG_NOERROR truncates");
	expect_rcv(0, IPC_NOWAIT, 64, "ENOMSG", 19, "empty with IPC_NOWAIT");
	expect_rcv(7, IPC_NOWAIT, 64, "ENOMSG", 20, "no such type");

	/* A blocking msgrcv woken by another process. */
	pid_t c = guest_fork();
	if (c == 0) {
		const char *got = rcv(5, 0, 64);
		_exit(strcmp(got, "5:five(5)") ? 1 : 0);
	}
	wait_asleep(c);
	snd(4, "four", 0);
	snd(5, "five", 0);
	expect_status(c, "exited 0", 21, "receiver woken by type 5");
	expect_rcv(0, IPC_NOWAIT, 64, "4:four(5)", 22, "type 4 still queued");
	expect_eq(msgctl(q, IPC_STAT, &ds), 0, 23, "IPC_STAT");
	expect_eq(ds.msg_lrpid, getpid(), 24, "msg_lrpid is the last receiver");

	/* A blocking msgsnd on a full queue. */
	ds.msg_qbytes = 10;
	expect_eq(msgctl(q, IPC_SET, &ds), 0, 25, "IPC_SET msg_qbytes 10");
	expect_eq(snd(1, "12345678", 0), 0, 26, "9 bytes fit");
	EXPECT_ERR(snd(1, "ab", IPC_NOWAIT), EAGAIN, 27, "full: EAGAIN with IPC_NOWAIT");
	c = guest_fork();
	if (c == 0)
		_exit(snd(2, "ab", 0) == 0 ? 0 : 1);
	wait_asleep(c);
	expect_rcv(0, 0, 64, "1:12345678(9)", 28, "receive makes room");
	expect_status(c, "exited 0", 29, "sender woken");
	expect_rcv(0, 0, 64, "2:ab(3)", 30, "its message");

	/* Errors. */
	EXPECT_ERR(snd(0, "x", 0), EINVAL, 31, "mtype 0");
	struct m big;
	big.mtype = 1;
	EXPECT_ERR(msgsnd(q, &big, 8193, 0), EINVAL, 32, "size > MSGMAX");
	EXPECT_ERR(msgsnd(q, (void *)8, 4, 0), EFAULT, 33, "bad msgp");
	EXPECT_ERR(msgsnd(-1, &big, 4, 0), EINVAL, 34, "msqid -1");
	EXPECT_ERR(msgrcv(q, &big, (size_t)-1, 0, IPC_NOWAIT), EINVAL, 35, "negative size");
	EXPECT_ERR(msgctl(q, 77, &ds), EINVAL, 36, "unknown command");
	EXPECT_ERR(msgctl(q, IPC_STAT, (void *)8), EFAULT, 37, "IPC_STAT bad buffer");
	snd(9, "lost", 0);
	EXPECT_ERR(msgrcv(q, (void *)8, 64, 0, 0), EFAULT, 38, "bad receive buffer");
	expect_eq(qnum(), 0, 39, "the message was taken anyway");
	struct msginfo mi;
	check(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0, 40, "IPC_INFO");
	check(mi.msgmax == 8192 && mi.msgmnb == 16384 && mi.msgmni == 32000, 41,
	      "MSGMAX 8192, MSGMNB 16384, MSGMNI 32000");

	/* Another user. */
	c = guest_fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		int code = 0;
		if (snd(1, "x", IPC_NOWAIT) != -1 || errno != EACCES)
			code |= 1;
		if (msgctl(q, IPC_STAT, &ds) != -1 || errno != EACCES)
			code |= 2;
		if (msgctl(q, IPC_RMID, NULL) != -1 || errno != EPERM)
			code |= 4;
		_exit(code);
	}
	expect_status(c, "exited 0", 42, "uid 1000: msgsnd, IPC_STAT EACCES, IPC_RMID EPERM");
	expect_eq(msgctl(q, IPC_STAT, &ds), 0, 43, "IPC_STAT");
	ds.msg_perm.mode = 0666;
	ds.msg_qbytes = 100;
	expect_eq(msgctl(q, IPC_SET, &ds), 0, 44, "IPC_SET mode 0666");
	c = guest_fork();
	if (c == 0) {
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		struct msqid_ds d2;
		if (msgctl(q, IPC_STAT, &d2) != 0)
			_exit(1);
		d2.msg_qbytes = 20000;
		if (msgctl(q, IPC_SET, &d2) != -1 || errno != EPERM)
			_exit(2);
		_exit(snd(1, "hi", 0) == 0 ? 0 : 3);
	}
	expect_status(c, "exited 0", 45, "uid 1000: IPC_SET not owner EPERM, send ok");

	/* EIDRM for a waiting receiver. */
	c = guest_fork();
	if (c == 0) {
		struct m b;
		ssize_t n = msgrcv(q, &b, sizeof(b.text), 99, 0);
		_exit(n == -1 && errno == EIDRM ? 0 : 1);
	}
	wait_asleep(c);
	expect_eq(msgctl(q, IPC_RMID, NULL), 0, 46, "IPC_RMID");
	expect_status(c, "exited 0", 47, "waiting receiver got EIDRM");
	EXPECT_ERR(msgctl(q, IPC_STAT, &ds), EINVAL, 48, "gone");
	return guest_finish();
}
