/*
 * uts_initial: sethostname and setdomainname in the *initial* UTS
 * namespace. Run natively as root this would rename the machine, so it is
 * not a guest (guests/ are also run natively): host_uts.sh runs it only
 * under cloneemu, whose UTS namespaces are model objects, and checks that
 * the host's names did not change.
 *
 * Prints what the guest sees afterwards; exit 0 when both calls succeeded
 * and uname() reports the new names, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	static const char host[] = "cloneemu-initial-ns";
	static const char domain[] = "cloneemu.invalid";
	struct utsname u;
	int bad = 0;

	if (sethostname(host, strlen(host)) != 0) {
		printf("sethostname: %s\n", strerror(errno));
		bad = 1;
	}
	if (setdomainname(domain, strlen(domain)) != 0) {
		printf("setdomainname: %s\n", strerror(errno));
		bad = 1;
	}
	if (uname(&u) != 0)
		return 1;
	printf("nodename %s\ndomainname %s\n", u.nodename, u.domainname);
	if (strcmp(u.nodename, host) || strcmp(u.domainname, domain))
		bad = 1;
	return bad;
}
