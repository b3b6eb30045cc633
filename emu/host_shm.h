#ifndef EMU_HOST_SHM_H
#define EMU_HOST_SHM_H

/* Give this run an empty /dev/shm of its own (a tmpfs in a private host
 * mount namespace). 0, or -errno when cloneemu may not (then the host's
 * /dev/shm stays). */
int private_dev_shm(void);

#endif
