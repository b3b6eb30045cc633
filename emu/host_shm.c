/* A private /dev/shm for each run. Guests name POSIX shared memory, named
 * semaphores and scratch files in /dev/shm after their pid, and guest pids
 * are deterministic: two concurrent runs would share (and clobber) each
 * other's files. When cloneemu may (CAP_SYS_ADMIN), it moves itself into a
 * host mount namespace of its own, with mount propagation cut, and mounts
 * an empty tmpfs on /dev/shm there: every spelling of the path reaches it,
 * and it vanishes with the run. --host-shm keeps the host's. */
#include "emu/host_shm.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>

int private_dev_shm(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"))
		return -errno;
	return 0;
}
