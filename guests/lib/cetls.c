/* libcetls.so: a shared object with thread-local state, for dlopen_tls.c.
 * No libc calls, so glibc's and musl's loaders can both load it. */
static __thread long counter = 100;
static __thread char tag[16];

long cetls_bump(long by)
{
	counter += by;
	return counter;
}

char *cetls_tag(char c)
{
	for (int i = 0; i < 15; i++)
		tag[i] = c;
	return tag;
}
