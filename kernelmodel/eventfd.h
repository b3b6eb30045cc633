/* eventfd (fs/eventfd.c): a 64-bit counter behind a file. */
#ifndef KERNELMODEL_EVENTFD_H
#define KERNELMODEL_EVENTFD_H

struct file;

#define EFD_SEMAPHORE_MODEL 1

/* A new eventfd file with @count and @flags (EFD_SEMAPHORE, O_NONBLOCK;
 * checked by the caller), refcount 1; NULL on ENOMEM. */
struct file *eventfd_file_create(unsigned int count, int flags);

#endif
