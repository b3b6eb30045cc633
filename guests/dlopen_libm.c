/*
 * dlopen_libm: loading a shared object at run time. In a dynamic program
 * ld.so opens libm.so.6 through /etc/ld.so.cache (or its search path),
 * mmaps it over a reserved range with MAP_FIXED, applies RELRO with
 * mprotect and resolves symbols; a static glibc program does the same with
 * its built-in loader. musl has no libm.so.6 and static musl cannot load
 * at all: then the failure is what is printed, natively and emulated alike.
 *
 *   - dlopen("libm.so.6", RTLD_NOW): cos, sqrt and ldexp by dlsym give
 *     the right values; dladdr names the object that holds cos
 *   - dlopen of a missing object fails and dlerror says so
 *   - dlsym of a missing symbol fails; dlclose succeeds
 */
#include "guest_check.h"

#include <dlfcn.h>
#include <math.h>

int main(void)
{
	void *m = dlopen("libm.so.6", RTLD_NOW);
	if (!m) {
		printf("dlopen libm.so.6 failed\n");
		return guest_finish();
	}
	double (*cosp)(double) = (double (*)(double))dlsym(m, "cos");
	double (*sqrtp)(double) = (double (*)(double))dlsym(m, "sqrt");
	double (*ldexpp)(double, int) = (double (*)(double, int))dlsym(m, "ldexp");
	need(cosp && sqrtp && ldexpp, 2, "dlsym cos, sqrt, ldexp");
	printf("cos(0.5) = %.12f\n", cosp(0.5));
	printf("sqrt(2) = %.12f\n", sqrtp(2.0));
	printf("ldexp(0.75, 10) = %.1f\n", ldexpp(0.75, 10));
#ifdef __GLIBC__ /* musl finds glibc's libm.so.6 on its path, but dladdr does not know it */
	Dl_info info;
	check(dladdr((void *)cosp, &info) && info.dli_fname && strstr(info.dli_fname, "libm"), 3,
	      "dladdr names libm for cos");
#endif
	check(dlsym(m, "no_such_symbol_here") == NULL && dlerror() != NULL, 4,
	      "dlsym of a missing symbol fails with a dlerror message");
	check(dlopen("libcloneemu-missing.so.9", RTLD_NOW) == NULL && dlerror() != NULL, 5,
	      "dlopen of a missing object fails with a dlerror message");
	check(dlclose(m) == 0, 6, "dlclose");
	return guest_finish();
}
