/* x87: long double arithmetic through the x87 instructions Unicorn
 * computes in double and cloneemu runs on the host FPU (emu/x87.c): per
 * iteration fmodl's FPREM loop, FSIN, FCOS, FPATAN, FYL2X, F2XM1, FSCALE,
 * FSQRT and FRNDINT, with the ordinary FADD/FMUL between them (about 20
 * x87 instructions, 9 of them the exact ones). No libm: static glibc has
 * none without -lm, so the instructions are written out. */
#include <stdio.h>

static long double fmodl_(long double x, long double y)
{
	long double r;
	__asm__("1:\tfprem\n\tfnstsw %%ax\n\ttestb $4, %%ah\n\tjnz 1b\n\tfstp %%st(1)"
		: "=t"(r) : "0"(x), "u"(y) : "ax", "cc", "st(1)");
	return r;
}

#define UNARY(name, insn)                                                   \
	static long double name(long double x)                               \
	{                                                                    \
		__asm__(insn : "+t"(x));                                     \
		return x;                                                    \
	}
UNARY(sin_, "fsin")
UNARY(cos_, "fcos")
UNARY(sqrt_, "fsqrt")
UNARY(rint_, "frndint")
UNARY(exp2m1_, "f2xm1")

static long double atan2_(long double y, long double x)
{
	long double r;
	__asm__("fpatan" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
	return r;
}

static long double ylog2x_(long double y, long double x)
{
	long double r;
	__asm__("fyl2x" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
	return r;
}

static long double scale_(long double x, long double n)
{
	__asm__("fscale" : "+t"(x) : "u"(n));
	return x;
}

int main(void)
{
	long double acc = 0, x = 1.25L;
	for (int i = 0; i < 300000; i++) {
		long double big = scale_(x, 40 + (i & 63));
		long double r = fmodl_(big, 3.14159265358979323846L);
		long double s = sin_(r) + cos_(r * 0.5L);
		long double a = atan2_(s, 1.5L + r);
		long double l = ylog2x_(0.75L, 2.0L + a * a);
		long double e = exp2m1_(l * 0.25L);
		acc += sqrt_(1.0L + e * e) + rint_(r * 16) / 1024;
		x = 1.0L + (x * 1.0001L - rint_(x));
	}
	printf("x87: %.15Lg\n", acc);
	return 0;
}
