#include "kernelmodel/random.h"

#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "kernelmodel/rr.h"

static struct {
	bool host;
	uint32_t key[8];
	uint64_t counter;   /* ChaCha20 block counter */
	uint8_t block[64];  /* the current block's keystream */
	unsigned used;      /* bytes of it handed out */
} rng = {.used = 64};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void random_init(uint64_t seed, bool host)
{
	uint8_t h = host;
	rr_bytes(&h, sizeof(h));
	rng.host = h;
	uint64_t x = seed;
	for (int i = 0; i < 8; i += 2) {
		uint64_t v = splitmix64(&x);
		rng.key[i] = (uint32_t)v;
		rng.key[i + 1] = (uint32_t)(v >> 32);
	}
	rng.counter = 0;
	rng.used = sizeof(rng.block);
}

bool random_from_host(void)
{
	return rng.host;
}

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                                             \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), a += b, d ^= a,         \
	 d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

/* One ChaCha20 block (RFC 8439) of the key at the counter, nonce 0. */
static void chacha_block(void)
{
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	memcpy(in + 4, rng.key, sizeof(rng.key));
	in[12] = (uint32_t)rng.counter;
	in[13] = (uint32_t)(rng.counter >> 32);
	uint32_t x[16];
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];
		rng.block[4 * i] = (uint8_t)v;
		rng.block[4 * i + 1] = (uint8_t)(v >> 8);
		rng.block[4 * i + 2] = (uint8_t)(v >> 16);
		rng.block[4 * i + 3] = (uint8_t)(v >> 24);
	}
	rng.counter++;
	rng.used = 0;
}

void get_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	if (rng.host) {
		while (len) {
			long r = RR_SYS(getrandom(p, len > 256 ? 256 : len, 0));
			if (r <= 0) {
				memset(p, 0x5a, len); /* cannot happen on Linux >= 3.17 */
				return;
			}
			rr_bytes(p, (size_t)r);
			p += r;
			len -= (size_t)r;
		}
		return;
	}
	while (len) {
		if (rng.used == sizeof(rng.block))
			chacha_block();
		size_t n = sizeof(rng.block) - rng.used;
		if (n > len)
			n = len;
		memcpy(p, rng.block + rng.used, n);
		rng.used += (unsigned)n;
		p += n;
		len -= n;
	}
}

bool random_chrdev(uint64_t rdev)
{
	return rdev == makedev(1, 8) || rdev == makedev(1, 9);
}
