/* Futex wait queues (kernel/futex). A waiter is keyed by (mm, address) for
 * private memory, and by physical address for MAP_SHARED memory, so two
 * processes sharing a page wake each other. Waiters queue in FIFO order. */
#ifndef KERNELMODEL_FUTEX_H
#define KERNELMODEL_FUTEX_H

#include <stdbool.h>
#include <stdint.h>

#include "kernelmodel/mm.h"

struct task;

struct futex_key {
	uintptr_t mm;   /* the mm for private keys, 0 for shared ones */
	uint64_t addr;  /* the guest address, or the physical address */
};

/* The key of @uaddr in @mm (@private: FUTEX_PRIVATE_FLAG). 0 or -EFAULT. */
int futex_key(struct mm *mm, gva_t uaddr, bool private, struct futex_key *key);
/* Queue @t on @key (it then sleeps; the caller puts it to sleep). */
void futex_queue(struct task *t, const struct futex_key *key, uint32_t bitset);
/* Remove @t from its queue if it is on one (timeout, signal, exit). */
void futex_unqueue(struct task *t);
/* Wake up to @n waiters on @key whose bitset meets @bitset. Returns how many. */
int futex_wake(const struct futex_key *key, int n, uint32_t bitset);
/* Wake @nwake waiters on @from, move up to @nrequeue more to @to.
 * Returns woken + requeued. */
int futex_requeue(const struct futex_key *from, const struct futex_key *to, int nwake,
		  int nrequeue);

#endif
