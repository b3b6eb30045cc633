/*
 * strtod_edge: decimal to binary conversion on the hard cases, natively and
 * under cloneemu. musl's strtod and strtof round through fmodl (the x87
 * FPREM loop) on every decimal input that is not a short integer, so an
 * inexact FPREM shows up here as a wrong last bit; glibc's strtod is
 * integer code and checks the rest of the path.
 *
 *   - fixed strings: halfway and just-off-halfway cases, the limits of
 *     double and float (overflow, the smallest denormals and half of them),
 *     long digit strings, hex floats, inf and nan
 *   - generated (fixed seed): the exact decimal expansion of the midpoint
 *     between a random double and the next one (ties to even), the same
 *     with a trailing 1 (rounds up), and of the long double just below the
 *     midpoint (rounds down); likewise for floats
 *
 * Results are printed as bits (strtold's as its 80 bits) with errno.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixed[] = {
	"0.1", "0.3", "1e23", "8.5e-323", "123456789012345678901234567890",
	"9007199254740993", "9007199254740993.0000000000000000000000001", "9007199254740995",
	"1.00000000000000011102230246251565404236316680908203125",
	"1.00000000000000011102230246251565404236316680908203124",
	"1.00000000000000011102230246251565404236316680908203126",
	"2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
	"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
	"2.47032822920623272088e-324", "1.7976931348623157e308", "1.7976931348623158e308",
	"1.7976931348623159e308", "1e308", "1e309", "1e-320", "1e-400", "5e-324",
	"7.2057594037927933e16", "3.4028235677973366e38", "3.4028235677973362e38",
	"1.17549435e-38", "1.1754942e-38", "7.006492321624085e-46", "1.401298464324817e-45",
	"0.000000000000000000000000000000000000000000001", "-0", "-0.0e99", "0x1.8p3",
	"0x1.fffffffffffff8p1023", "0x1p-1075", "0x1.00000000000008p0", "inf", "-infinity", "nan",
	"1e-4951", "1.18973149535723176502e4932", "1.18973149535723176508e4932",
	"3.64519953188247460253e-4951", "1.82259976594123730126e-4951",
	"6.103515625e-05", "4.4501477170144023e-308", "179769313486231580793728971405301e276",
	"0.500000000000000000000000000000000000000000000000000000000000000000000000001",
	"1448997445238699", "1e+22", "1e-22", "2.98023223876953125E-8",
	"89255.0e-22", "3.0540915e-312", "1.1125369292536007e-308",
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void convert(const char *s)
{
	errno = 0;
	double d = strtod(s, NULL);
	int ed = errno;
	errno = 0;
	float f = strtof(s, NULL);
	int ef = errno;
	errno = 0;
	long double l = strtold(s, NULL);
	int el = errno;
	uint64_t db;
	uint32_t fb;
	uint64_t lm = 0;
	uint16_t le = 0;
	memcpy(&db, &d, 8);
	memcpy(&fb, &f, 4);
	memcpy(&lm, &l, 8);
	memcpy(&le, (char *)&l + 8, 2);
	size_t n = strlen(s);
	printf("%.40s%s (%zu): d=%016llx/%d f=%08x/%d ld=%04x:%016llx/%d\n", s, n > 40 ? "..." : "", n,
	       (unsigned long long)db, ed, fb, ef, le, (unsigned long long)lm, el);
}

/* A random finite positive double: any exponent, denormals included. */
static double random_double(void)
{
	uint64_t b = rnd() & 0x7fffffffffffffffull;
	if ((b >> 52) == 0x7ff)
		b &= ~(1ull << 62);
	if (rnd() % 8 == 0)
		b &= 0x000fffffffffffffull; /* denormal */
	double d;
	memcpy(&d, &b, 8);
	return d;
}

static float random_float(void)
{
	uint32_t b = (uint32_t)rnd() & 0x7fffffffu;
	if ((b >> 23) == 0xff)
		b &= ~(1u << 30);
	if (rnd() % 8 == 0)
		b &= 0x007fffffu;
	float f;
	memcpy(&f, &b, 4);
	return f;
}

static char buf[6000];

/* The long double next to positive normal @x towards zero (nextafterl is
 * in glibc's libm, which static guests do not link). */
static long double below_ld(long double x)
{
	uint64_t m;
	uint16_t se;
	memcpy(&m, &x, 8);
	memcpy(&se, (char *)&x + 8, 2);
	if (m == 0x8000000000000000ull && se > 1) {
		m = ~0ull;
		se--;
	} else {
		m--;
	}
	memcpy(&x, &m, 8);
	memcpy((char *)&x + 8, &se, 2);
	return x;
}

static double next_double(double d)
{
	uint64_t b;
	memcpy(&b, &d, 8);
	b++;
	memcpy(&d, &b, 8);
	return d;
}

static float next_float(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	b++;
	memcpy(&f, &b, 4);
	return f;
}

/* The midpoint above @x (exact in long double), printed exactly, then
 * converted as it is, with a trailing 1, and just below it. */
static void around(long double x, long double next)
{
	long double mid = (x + next) / 2;
	snprintf(buf, sizeof(buf) - 2, "%.*Le", 1100, mid);
	/* Cut the zeros after the last digit that matters, keep "e...". */
	char *e = strchr(buf, 'e');
	char exp[16];
	snprintf(exp, sizeof(exp), "%s", e);
	char *z = e;
	while (z > buf && z[-1] == '0')
		z--;
	if (z[-1] == '.')
		z++;
	strcpy(z, exp);
	convert(buf);
	/* Digits after the last significant one push it above the midpoint. */
	memmove(z + 3, z, strlen(z) + 1);
	memcpy(z, "001", 3);
	convert(buf);
	snprintf(buf, sizeof(buf), "%.*Le", 1100, below_ld(mid));
	e = strchr(buf, 'e');
	snprintf(exp, sizeof(exp), "%s", e);
	z = e;
	while (z > buf && z[-1] == '0')
		z--;
	strcpy(z, exp);
	convert(buf);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		convert(fixed[i]);
	for (int i = 0; i < 150; i++) {
		double d = random_double();
		around(d, next_double(d));
	}
	for (int i = 0; i < 150; i++) {
		float f = random_float();
		around(f, next_float(f));
	}
	/* Short decimals of random doubles: what programs usually parse. */
	for (int i = 0; i < 300; i++) {
		double d = random_double();
		snprintf(buf, sizeof(buf), "%.*g", 1 + (int)(rnd() % 20), d);
		convert(buf);
	}
	return 0;
}
