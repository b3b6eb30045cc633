/*
 * dlopen_tls: LD_LIBRARY_PATH and thread-local storage of a module loaded
 * at run time. The guest re-executes itself with LD_LIBRARY_PATH naming
 * lib/ next to it (where guests/CMakeLists.txt puts libcetls.so), so the
 * interpreter of a dynamic guest (or a static glibc's built-in loader)
 * finds the object by that path alone; static musl cannot load it and says
 * so, natively and emulated alike.
 *
 *   - dlopen("libcetls.so") by name succeeds only through LD_LIBRARY_PATH
 *     (without it: fails)
 *   - its __thread counter starts at 100 in every thread (the module's TLS
 *     initialisation image) and each thread's bumps stay its own
 *   - a __thread buffer of the module has a distinct address per thread
 */
#include "guest_check.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>

extern char **environ;

static long (*bump)(long);
static char *(*tagf)(char);

static void *worker(void *arg)
{
	long id = (long)arg;
	long v = 0;
	for (int i = 0; i < 1000; i++)
		v = bump(id);
	char *tag = tagf('a' + id);
	return (void *)(v == 100 + 1000 * id && tag[0] == 'a' + id ? tag : NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		void *h = dlopen("libcetls.so", RTLD_NOW);
		check(h == NULL, 2, "without LD_LIBRARY_PATH dlopen(\"libcetls.so\") fails");
		char dir[PATH_MAX], env[PATH_MAX + 32];
		snprintf(dir, sizeof(dir), "%s", argv[0]);
		snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s/lib", dirname(dir));
		char *envp[] = {env, NULL};
		char *args[] = {argv[0], "child", NULL};
		fflush(stdout);
		execve(argv[0], args, envp);
		need(0, 3, "re-exec with LD_LIBRARY_PATH");
	}
	void *h = dlopen("libcetls.so", RTLD_NOW);
	if (!h) {
		printf("dlopen libcetls.so failed (no dynamic loading)\n");
		return guest_finish();
	}
	check(1, 4, "with LD_LIBRARY_PATH dlopen(\"libcetls.so\") succeeds");
	bump = (long (*)(long))dlsym(h, "cetls_bump");
	tagf = (char *(*)(char))dlsym(h, "cetls_tag");
	need(bump && tagf, 5, "dlsym");
	expect_eq(bump(0), 100, 6, "the module's TLS starts at its initial value");
	pthread_t th[4];
	void *ret[4];
	for (long i = 0; i < 4; i++)
		need(pthread_create(&th[i], NULL, worker, (void *)(i + 1)) == 0, 7, "pthread_create");
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], &ret[i]);
	int ok = 1;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			if (!ret[i] || ret[i] == ret[j])
				ok = 0;
	check(ok, 8, "4 threads: own counters from 100, own tag buffers");
	expect_eq(bump(1), 101, 9, "the main thread's counter was not touched by the others");
	return guest_finish();
}
