/* signalfd (fs/signalfd.c): reading takes pending signals of the reader. */
#ifndef KERNELMODEL_SIGNALFD_H
#define KERNELMODEL_SIGNALFD_H

#include <stdint.h>

struct file;
struct task;

/* A new signalfd for @mask (SIGKILL/SIGSTOP already removed), O_NONBLOCK
 * in @flags; NULL on ENOMEM. */
struct file *signalfd_file_create(uint64_t mask, int flags);
/* signalfd on an existing descriptor: 0, or -EINVAL if @f is not one. */
int signalfd_set_mask(struct file *f, uint64_t mask);
/* A signal was queued for @t (signalfd_notify): pollers may wake. */
void signalfd_notify(struct task *t, int sig);

#endif
