/* The guests' randomness (drivers/char/random.c): getrandom(2), AT_RANDOM,
 * reads of /dev/urandom and /dev/random, and RDRAND/RDSEED. By default it
 * comes from a generator seeded by the run's --seed (ChaCha20, keyed from
 * the seed), so the same seed gives the same bytes, in a replay too; with
 * --random=host it is the host's getrandom(2), recorded and replayed. */
#ifndef KERNELMODEL_RANDOM_H
#define KERNELMODEL_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Before the first task: the generator's key from @seed; @host: use the
 * host's randomness instead. The choice is part of a recording. */
void random_init(uint64_t seed, bool host);
bool random_from_host(void);
/* @len random bytes for a guest (the host's, recorded, or the seeded stream). */
void get_random_bytes(void *buf, size_t len);
/* Is this character device (st_rdev) /dev/random (1:8) or /dev/urandom (1:9)? */
bool random_chrdev(uint64_t rdev);

#endif
