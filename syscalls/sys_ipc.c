/* System V IPC (ipc/syscall.c's x86_64 entry points): shmget, shmat,
 * shmdt, shmctl, semget, semop, semtimedop, semctl, msgget, msgsnd,
 * msgrcv, msgctl. They decode and hand over to kernelmodel/ipc/. */
#include "kernelmodel/ipc/msg.h"
#include "kernelmodel/ipc/sem.h"
#include "kernelmodel/ipc/shm.h"
#include "syscalls/sys.h"

SYS(shmget)
{
	return ksys_shmget(t, (int)a[0], a[1], (int)a[2]);
}

SYS(shmat)
{
	return do_shmat(t, (int)a[0], a[1], (int)a[2]);
}

SYS(shmdt)
{
	return ksys_shmdt(t, a[0]);
}

SYS(shmctl)
{
	return ksys_shmctl(t, (int)a[0], (int)a[1], a[2]);
}

SYS(semget)
{
	return ksys_semget(t, (int)a[0], (int)a[1], (int)a[2]);
}

SYS(semop)
{
	return do_semtimedop(t, (int)a[0], a[1], (unsigned)a[2], 0);
}

SYS(semtimedop)
{
	return do_semtimedop(t, (int)a[0], a[1], (unsigned)a[2], a[3]);
}

SYS(semctl)
{
	return ksys_semctl(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}

SYS(msgget)
{
	return ksys_msgget(t, (int)a[0], (int)a[1]);
}

SYS(msgsnd)
{
	return ksys_msgsnd(t, (int)a[0], a[1], a[2], (int)a[3]);
}

SYS(msgrcv)
{
	return ksys_msgrcv(t, (int)a[0], a[1], a[2], (long)a[3], (int)a[4]);
}

SYS(msgctl)
{
	return ksys_msgctl(t, (int)a[0], (int)a[1], a[2]);
}
