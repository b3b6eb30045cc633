/* System V shared memory (ipc/shm.c): a segment is a shmem object
 * (kernelmodel/shmem.c, the pages of anonymous MAP_SHARED) that shmat maps
 * into the caller's mm. Its attach count is the shmem's VMA references,
 * so fork (mm_dup), exec and exit (mm_put), munmap and mremap keep it
 * exact; IPC_RMID while attached marks it SHM_DEST and the last detach
 * destroys it. */
#ifndef KERNELMODEL_IPC_SHM_H
#define KERNELMODEL_IPC_SHM_H

#include <stdint.h>
#include <stdio.h>

struct task;

long ksys_shmget(struct task *t, int key, uint64_t size, int shmflg);
/* do_shmat: the address of the new mapping or -errno. */
long do_shmat(struct task *t, int shmid, uint64_t addr, int shmflg);
long ksys_shmdt(struct task *t, uint64_t addr);
long ksys_shmctl(struct task *t, int shmid, int cmd, uint64_t buf);
/* /proc/sysvipc/shm as @t sees it. */
void sysvipc_shm_show(const struct task *t, FILE *out);

#endif
