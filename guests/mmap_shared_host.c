/*
 * mmap_shared_host: a guest and host programs share a file through the
 * guest's MAP_SHARED mapping while the guest runs (tests/e2e/shared_host.sh
 * drives it; run alone it waits for a line on stdin). The guest stores
 * "guest-1" at offset 0 without msync and says "ready"; the script reads the
 * file with the host's od (it must already show the bytes), writes "HOST" at
 * offset 100 with the host's dd and sends a line; the guest must see "HOST"
 * through its mapping, stores "guest-2" at offset 200 and exits without
 * msync or munmap; the script reads that back with od.
 * argv[1]: the directory of shared.dat.
 */
#include "guest_check.h"

#include <fcntl.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	snprintf(path, sizeof(path), "%s/shared.dat", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	need(fd >= 0, 1, "create shared.dat");
	need(ftruncate(fd, 8192) == 0, 2, "ftruncate");
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	need(m != MAP_FAILED, 3, "mmap MAP_SHARED");
	close(fd);
	memcpy(m, "guest-1", 7);
	printf("ready\n");
	fflush(stdout);
	char line[16];
	need(fgets(line, sizeof(line), stdin) != NULL, 4, "a line from the script");
	check(memcmp(m + 100, "HOST", 4) == 0, 5, "the mapping shows what the host's dd wrote");
	memcpy(m + 200, "guest-2", 7);
	return guest_finish();
}
