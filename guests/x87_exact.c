/*
 * x87_exact: the x87 instructions whose results Unicorn 2.1 computes
 * through a host double (FPREM, FPREM1, F2XM1, FYL2X, FYL2XP1, FPTAN,
 * FSIN, FCOS, FSINCOS, FPATAN) or with softfloat but without the status
 * flags (FSCALE, FXTRACT, FSQRT, FRNDINT), on generated operands, natively
 * and under cloneemu. Every case loads a whole FPU state with FRSTOR
 * (control word with a random rounding mode, precision and sometimes
 * unmasked exceptions; random condition codes, TOP and sticky flags; eight
 * registers, some empty), runs the instruction and stores the state with
 * FNSAVE (in the sequences at the end, the next instruction goes on from
 * that state); the line shows the status word (C0-C3, TOP, exception flags, ES),
 * the tag word and every register in full 80 bits. FNSAVE does not wait,
 * so an unmasked exception shows as ES without a SIGFPE.
 *
 * Operands: a fixed-seed generator over normal numbers of every exponent
 * range, plus the edge cases (signed zeros, denormals and pseudo-denormals,
 * unnormals, infinities, quiet and signalling NaNs, the largest and
 * smallest normals, multiples of pi, 2^63 and beyond), every pair of them
 * for the two-operand instructions, and FPREM/FPREM1 run to completion (the
 * loop of fmodl) over huge exponent differences.
 *
 * Nothing here depends on the libc, so the four builds print the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct fpimg {
	uint32_t cw, sw, tw, fip, fcs, fdp, fds;
	uint8_t st[8][10];
} __attribute__((packed));

_Static_assert(sizeof(struct fpimg) == 108, "FNSAVE's 32-bit image is 108 bytes");

typedef void (*run_fn)(struct fpimg *);

#define INSN(name, text)                                                                  \
	static void run_##name(struct fpimg *img)                                          \
	{                                                                                  \
		__asm__ volatile("frstor %0\n\t" text "\n\tfnsave %0" : "+m"(*img) : : "memory"); \
	}

INSN(fprem, "fprem")
INSN(fprem1, "fprem1")
INSN(fscale, "fscale")
INSN(fxtract, "fxtract")
INSN(f2xm1, "f2xm1")
INSN(fyl2x, "fyl2x")
INSN(fyl2xp1, "fyl2xp1")
INSN(fptan, "fptan")
INSN(fsin, "fsin")
INSN(fcos, "fcos")
INSN(fsincos, "fsincos")
INSN(fpatan, "fpatan")
INSN(fsqrt, "fsqrt")
INSN(frndint, "frndint")

/* fmodl's and remainderl's loop: repeat while C2 says "partial". */
#define LOOP(name, insn)                                                              \
	static void run_##name(struct fpimg *img)                                      \
	{                                                                              \
		__asm__ volatile("frstor %0\n\t"                                       \
				 "movl $100000, %%ecx\n"                               \
				 "1:\t" insn "\n\t"                                    \
				 "fnstsw %%ax\n\t"                                     \
				 "testb $4, %%ah\n\t"                                  \
				 "jz 2f\n\t"                                           \
				 "decl %%ecx\n\t"                                      \
				 "jnz 1b\n"                                            \
				 "2:\tfnsave %0"                                       \
				 : "+m"(*img)                                          \
				 :                                                     \
				 : "eax", "ecx", "cc", "memory");                      \
	}

LOOP(fprem_loop, "fprem")
LOOP(fprem1_loop, "fprem1")

/* An 80-bit value: sign+exponent and the 64-bit significand (J bit 63). */
struct f80 {
	uint16_t se;
	uint64_t m;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const struct f80 edges[] = {
	{0x0000, 0},                     /* +0 */
	{0x8000, 0},                     /* -0 */
	{0x3fff, 0x8000000000000000ull}, /* 1 */
	{0xbfff, 0x8000000000000000ull}, /* -1 */
	{0x4000, 0xc90fdaa22168c235ull}, /* pi */
	{0x3fff, 0xc90fdaa22168c235ull}, /* pi/2 */
	{0xc001, 0xc90fdaa22168c235ull}, /* -2pi */
	{0x0000, 0x0000000000000001ull}, /* smallest denormal */
	{0x8000, 0x7fffffffffffffffull}, /* largest negative denormal */
	{0x0000, 0x8000000000000001ull}, /* pseudo-denormal */
	{0x0001, 0x8000000000000000ull}, /* smallest normal */
	{0x7ffe, 0xffffffffffffffffull}, /* largest normal */
	{0xfffe, 0xffffffffffffffffull}, /* most negative normal */
	{0x403e, 0x8000000000000000ull}, /* 2^63 */
	{0x403e, 0xffffffffffffffffull}, /* 2^64 - 1 */
	{0x4040, 0x8000000000000001ull}, /* just above 2^65 */
	{0x3ffe, 0x8000000000000000ull}, /* 0.5 */
	{0xbffe, 0xb504f333f9de6484ull}, /* -sqrt(2)/2 */
	{0x3fff, 0x4000000000000000ull}, /* unnormal */
	{0x7fff, 0x8000000000000000ull}, /* +inf */
	{0xffff, 0x8000000000000000ull}, /* -inf */
	{0x7fff, 0xc000000000000000ull}, /* quiet NaN */
	{0xffff, 0xc000000000000000ull}, /* the indefinite */
	{0x7fff, 0x8000000000000001ull}, /* signalling NaN */
	{0x7fff, 0x0000000000000000ull}, /* pseudo-infinity */
	{0x400c, 0xa000000000000000ull}, /* 5120: FSCALE's large exponent */
	{0xc00c, 0xa000000000000000ull}, /* -5120 */
	{0x3ffe, 0xffffffffffffffffull}, /* just below 1 */
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

/* A normal number with a biased exponent in [lo, hi] (and a random sign). */
static struct f80 normal(unsigned lo, unsigned hi)
{
	struct f80 v;
	v.se = (uint16_t)(lo + below(hi - lo + 1));
	if (rnd() & 1)
		v.se |= 0x8000;
	v.m = rnd() | 0x8000000000000000ull;
	if (below(4) == 0) /* few significant bits: exact quotients and halfway cases */
		v.m &= ~0ull << (1 + below(63));
	return v;
}

/* An operand for instruction @kind ('t' trigonometric, 'e' 2^x-1, 'l'
 * logarithm, 's' scale, 'g' anything). */
static struct f80 operand(char kind)
{
	unsigned r = below(16);
	if (r < 3)
		return edges[below(NEDGES)];
	if (r < 4) { /* denormal */
		struct f80 v = {(uint16_t)((rnd() & 1) << 15), rnd() >> below(64)};
		return v;
	}
	switch (kind) {
	case 't':
		return r < 12 ? normal(0x3ff0, 0x4008) : normal(0x3f00, 0x4045);
	case 'e':
		return r < 12 ? normal(0x3fe0, 0x3ffe) : normal(0x3f00, 0x4010);
	case 'l':
		return r < 12 ? normal(0x3fc0, 0x4040) : normal(0x0001, 0x7ffe);
	case 's':
		return r < 12 ? normal(0x3fff, 0x4010) : normal(0x3f00, 0x401f);
	default:
		return r < 10 ? normal(0x3fc0, 0x4040) : normal(0x0001, 0x7ffe);
	}
}

static void put(struct fpimg *img, int i, struct f80 v)
{
	memcpy(img->st[i], &v.m, 8);
	memcpy(img->st[i] + 8, &v.se, 2);
}

/* A state around ST0 = @a, ST1 = @b. */
static void setup(struct fpimg *img, struct f80 a, struct f80 b)
{
	memset(img, 0, sizeof(*img));
	static const uint32_t pcs[] = {0x000, 0x200, 0x300, 0x300, 0x300};
	uint32_t cw = 0x40 | pcs[below(5)] | (below(4) << 10) | 0x3f;
	if (below(10) == 0)
		cw &= ~(rnd() & 0x3f); /* some exceptions unmasked */
	img->cw = 0xffff0000u | cw;
	unsigned top = below(8);
	uint32_t sw = (top << 11) | (rnd() & 0x4700);
	if (below(4) == 0)
		sw |= rnd() & 0x3f & cw; /* sticky flags of masked exceptions only */
	img->sw = 0xffff0000u | sw;
	uint32_t tw = 0;
	for (int i = 0; i < 8; i++) {
		int empty;
		if (i == 0)
			empty = below(30) == 0;
		else if (i == 1)
			empty = below(30) == 0;
		else
			empty = below(3) != 0;
		put(img, i, i == 0 ? a : i == 1 ? b : operand('g'));
		if (empty) /* ST(i) is physical register (top + i) & 7 */
			tw |= 3u << (2 * ((top + i) & 7));
	}
	img->tw = 0xffff0000u | tw;
}

static void hex80(const uint8_t *p, char *out)
{
	uint16_t se;
	uint64_t m;
	memcpy(&m, p, 8);
	memcpy(&se, p + 8, 2);
	sprintf(out, "%04x:%016llx", se, (unsigned long long)m);
}

static unsigned long cases;

static void one(const char *name, run_fn fn, struct fpimg *img)
{
	char a[24], b[24];
	hex80(img->st[0], a);
	hex80(img->st[1], b);
	printf("%s cw=%04x sw=%04x tw=%04x st0=%s st1=%s ->", name, img->cw & 0xffff,
	       img->sw & 0xffff, img->tw & 0xffff, a, b);
	fn(img);
	printf(" sw=%04x tw=%04x", img->sw & 0xffff, img->tw & 0xffff);
	for (int i = 0; i < 8; i++) {
		char v[24];
		hex80(img->st[i], v);
		printf(" %s", v);
	}
	printf("\n");
	cases++;
}

struct insn {
	const char *name;
	run_fn fn;
	char kind0, kind1; /* operand kinds of ST0 and ST1 ('-': not used) */
};

static const struct insn insns[] = {
	{"fprem", run_fprem, 'g', 'g'},
	{"fprem1", run_fprem1, 'g', 'g'},
	{"fscale", run_fscale, 'g', 's'},
	{"fxtract", run_fxtract, 'g', '-'},
	{"f2xm1", run_f2xm1, 'e', '-'},
	{"fyl2x", run_fyl2x, 'l', 'g'},
	{"fyl2xp1", run_fyl2xp1, 'e', 'g'},
	{"fptan", run_fptan, 't', '-'},
	{"fsin", run_fsin, 't', '-'},
	{"fcos", run_fcos, 't', '-'},
	{"fsincos", run_fsincos, 't', '-'},
	{"fpatan", run_fpatan, 'g', 'g'},
	{"fsqrt", run_fsqrt, 'g', '-'},
	{"frndint", run_frndint, 'g', '-'},
};
#define NINSNS (sizeof(insns) / sizeof(insns[0]))

int main(void)
{
	struct fpimg img;
	for (size_t k = 0; k < NINSNS; k++) {
		const struct insn *in = &insns[k];
		/* The edge cases, alone or in every pair. */
		for (size_t i = 0; i < NEDGES; i++) {
			if (in->kind1 == '-') {
				setup(&img, edges[i], operand('g'));
				one(in->name, in->fn, &img);
				continue;
			}
			for (size_t j = 0; j < NEDGES; j++) {
				setup(&img, edges[i], edges[j]);
				one(in->name, in->fn, &img);
			}
		}
		/* Generated operands. */
		for (int n = 0; n < 400; n++) {
			setup(&img, operand(in->kind0), operand(in->kind1 == '-' ? 'g' : in->kind1));
			one(in->name, in->fn, &img);
		}
	}
	/* FPREM/FPREM1 partial remainders (C2 set) and fmodl's loop to the end:
	 * exponent differences from 0 to 16,000. */
	for (int n = 0; n < 300; n++) {
		unsigned eb = 0x3f00 + below(0x200);
		unsigned diff = n < 100 ? below(130) : n < 200 ? below(2000) : below(16000);
		unsigned ea = eb + diff > 0x7ffe ? 0x7ffe : eb + diff;
		struct f80 a = normal(ea, ea), b = normal(eb, eb);
		setup(&img, a, b);
		one("fprem", run_fprem, &img);
		setup(&img, a, b);
		one("fprem1", run_fprem1, &img);
		/* The loops run FPREM again after a fault: keep exceptions masked
		 * (an unmasked one would be delivered there, natively). */
		setup(&img, a, b);
		img.cw |= 0x3f;
		one("fprem_loop", run_fprem_loop, &img);
		setup(&img, a, b);
		img.cw |= 0x3f;
		one("fprem1_loop", run_fprem1_loop, &img);
	}
	/* Sequences: each instruction starts from the state the one before
	 * left (stack pushes and pops, C0-C3 and sticky flags carried over). */
	for (int n = 0; n < 300; n++) {
		setup(&img, operand('g'), operand('g'));
		img.cw |= 0x3f; /* after an unmasked one, the next would trap natively */
		for (int k = 0; k < 4; k++) {
			const struct insn *in = &insns[below(NINSNS)];
			one(in->name, in->fn, &img);
		}
	}
	printf("%lu cases\n", cases);
	return 0;
}
