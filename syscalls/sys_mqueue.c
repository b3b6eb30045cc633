/* POSIX message queues (ipc/mqueue.c's syscalls, which glibc's and musl's
 * mq_* functions call with the name's leading '/' already stripped). */
#include "kernelmodel/ipc/mqueue.h"
#include "syscalls/sys.h"

SYS(mq_open)
{
	return do_mq_open(t, a[0], (int)a[1], (unsigned)a[2], a[3]);
}

SYS(mq_unlink)
{
	return do_mq_unlink(t, a[0]);
}

SYS(mq_timedsend)
{
	return do_mq_timedsend(t, (int)a[0], a[1], a[2], (unsigned)a[3], a[4]);
}

SYS(mq_timedreceive)
{
	return do_mq_timedreceive(t, (int)a[0], a[1], a[2], a[3], a[4]);
}

SYS(mq_notify)
{
	return do_mq_notify(t, (int)a[0], a[1]);
}

SYS(mq_getsetattr)
{
	return do_mq_getsetattr(t, (int)a[0], a[1], a[2]);
}
