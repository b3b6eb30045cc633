/*
 * argv_env: prints argc, every argv entry, and the environment entries whose
 * names start with "CE_", sorted, so the host's own environment does not
 * matter. Checks that the loader built argv/envp on the initial stack the way
 * the kernel does (argv[argc] == NULL, envp right after it, environ == envp).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv, char **envp)
{
	char *picked[256];
	size_t n = 0;

	if (argv[argc] != NULL)
		return 10;
	if (envp != argv + argc + 1)
		return 11;
	if (environ != envp)
		return 12;

	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));

	for (char **e = envp; *e; e++) {
		if (strncmp(*e, "CE_", 3) != 0)
			continue;
		if (n == sizeof(picked) / sizeof(picked[0]))
			return 13;
		picked[n++] = *e;
	}
	qsort(picked, n, sizeof(picked[0]), cmp_str);
	printf("CE_ vars: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("env [%s]\n", picked[i]);

	/* getenv() must agree with the raw envp walk. */
	const char *a = getenv("CE_A");
	printf("getenv(CE_A)=%s\n", a ? a : "(unset)");
	return 0;
}
