/*
 * proc_maps_elf: what execve maps for the program and its ELF interpreter,
 * as /proc/self/maps shows it. Linux maps each PT_LOAD as a private mapping
 * of the file (elf_map: the file's offset, device and inode), the bss past
 * the last file page as anonymous memory (vm_brk_flags), and ld.so's RELRO
 * mprotect splits the data segment into a read-only and a writable VMA that
 * do not merge with the read-only segment before them (another file offset).
 *
 *   - every line naming a file: its address relative to the file's first
 *     line, size, permissions, offset, and whether its device:inode are
 *     stat()'s of that path, and the column its name starts in; an
 *     unnamed line that starts where one of the program's ends (its bss)
 *     likewise, and that it ends in a space. Addresses are relative: ASLR
 *     differs. (What ld.so maps after a library's bss depends on where
 *     ld.so's own allocations land, which the vDSO moves: not compared.)
 *   - readlink /proc/self/exe names a mapped file whose maps device:inode
 *     are the ones stat("/proc/self/exe") reports
 *   - MADV_DONTNEED on a written page of the program's initialized data
 *     brings back the file's bytes (a private file mapping), on a written
 *     bss page zeroes
 */
#include "guest_check.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define PAGE 4096

/* One page of initialized data, alone on its page, and one of bss. */
static char data_page[PAGE] __attribute__((aligned(PAGE))) = "file bytes of the data page";
static char bss_page[PAGE] __attribute__((aligned(PAGE)));

struct line {
	unsigned long start, end, off, ino;
	unsigned maj, min;
	char perms[8];
	int name_col; /* where the name starts */
	bool trailing_space; /* an unnamed line ends in one */
	char name[PATH_MAX];
};

static struct line lines[512];
static int nlines;

static void read_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	need(f != NULL, 1, "open /proc/self/maps");
	char buf[PATH_MAX + 256];
	while (nlines < (int)(sizeof(lines) / sizeof(lines[0])) && fgets(buf, sizeof(buf), f)) {
		struct line *l = &lines[nlines];
		int pos = 0;
		if (sscanf(buf, "%lx-%lx %7s %lx %x:%x %lu %n", &l->start, &l->end, l->perms, &l->off,
			   &l->maj, &l->min, &l->ino, &pos) < 7) {
			printf("FAILED: unparsable maps line: %s", buf);
			continue;
		}
		snprintf(l->name, sizeof(l->name), "%s", buf + pos);
		l->name[strcspn(l->name, "\n")] = 0;
		l->name_col = pos;
		size_t len = strlen(buf);
		l->trailing_space = len >= 2 && buf[len - 2] == ' ';
		nlines++;
	}
	fclose(f);
}

/* "dev:ino ok" when the line's device and inode are stat(@path)'s. */
static const char *id_check(const struct line *l, const char *path, char *buf, size_t len)
{
	struct stat st;
	if (stat(path, &st))
		return "stat failed";
	if (major(st.st_dev) == l->maj && minor(st.st_dev) == l->min && st.st_ino == l->ino)
		return "dev:ino ok";
	snprintf(buf, len, "dev:ino %02x:%02x %lu, stat says %02x:%02x %lu", l->maj, l->min, l->ino,
		 major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	return buf;
}

static void print_files(const char *exe)
{
	char why[256];
	for (int i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		if (l->name[0] == '/') {
			/* The first line of this file in the listing. */
			int first = 0;
			while (strcmp(lines[first].name, l->name))
				first++;
			printf("%s +%#lx %#lx %s %08lx %s, name at column %d\n", l->name,
			       l->start - lines[first].start, l->end - l->start, l->perms, l->off,
			       id_check(l, l->name, why, sizeof(why)), l->name_col);
		} else if (!l->name[0] && i > 0 && !strcmp(lines[i - 1].name, exe) &&
			   lines[i - 1].end == l->start) {
			printf("  anonymous after it: %#lx %s %08lx %02x:%02x %lu%s\n", l->end - l->start,
			       l->perms, l->off, l->maj, l->min, l->ino,
			       l->trailing_space ? ", ends in a space" : "");
		}
	}
}

static char exe[PATH_MAX];

static void check_exe(void)
{
	char why[256];
	int found = 0;
	for (int i = 0; i < nlines; i++) {
		if (strcmp(lines[i].name, exe))
			continue;
		found++;
		const char *r = id_check(&lines[i], "/proc/self/exe", why, sizeof(why));
		check(!strcmp(r, "dev:ino ok"), 3, "maps line %d of /proc/self/exe: %s", found, r);
	}
	check(found >= 2, 4, "/proc/self/exe is mapped (%s)", found >= 2 ? "several lines" : "missing");
}

static void check_dontneed(void)
{
	data_page[0] = 'X';
	data_page[100] = 'Y';
	bss_page[0] = 'Z';
	need(madvise(data_page, PAGE, MADV_DONTNEED) == 0, 5, "madvise(data page, MADV_DONTNEED)");
	need(madvise(bss_page, PAGE, MADV_DONTNEED) == 0, 6, "madvise(bss page, MADV_DONTNEED)");
	/* Through a volatile pointer: the compiler knows nothing of madvise. */
	volatile char *d = data_page, *b = bss_page;
	check(!strcmp((const char *)d, "file bytes of the data page") && d[100] == 0, 7,
	      "MADV_DONTNEED on initialized data brings back the file's bytes (got \"%.27s\")",
	      (const char *)d);
	check(b[0] == 0, 8, "MADV_DONTNEED on bss gives zeroes");
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	need(n > 0, 2, "readlink /proc/self/exe");
	exe[n] = 0;
	read_maps();
	print_files(exe);
	check_exe();
	check_dontneed();
	return guest_finish();
}
