/* /proc/<pid>/{mounts,mountinfo,mountstats} (fs/proc_namespace.c). The
 * model has one file system, the host's as cloneemu sees it, which every
 * mount namespace of the model shares: the table is cloneemu's own, read
 * from the host. What the model adds is the task's root: a chrooted task's
 * mount points read relative to its root, and mounts outside the root are
 * left out, as show_vfsmnt/show_mountinfo/show_vfsstat skip what
 * seq_path_root() cannot reach from it. */
#include "kernelmodel/proc_mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmodel/fs.h"
#include "kernelmodel/task.h"

/* The mount point field of a line: its index among the space-separated
 * fields of each file. */
static int mountpoint_field(const char *which)
{
	if (!strcmp(which, "mounts"))
		return 1; /* "dev mnt type opts 0 0" */
	if (!strcmp(which, "mountinfo"))
		return 4; /* "id parent maj:min root mnt opts ..." */
	return 4;         /* mountstats: "device dev mounted on mnt with fstype t" */
}

/* Unescape seq_file's octal escapes (\040 for a space) of @s into @out. */
static void unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
}

/* Writes @line with its mount point @mp (escaped, [mp, mp + n)) made
 * relative to @root; returns false when it lies outside @root. */
static bool show_line(FILE *out, const char *line, const char *mp, size_t n, const char *root)
{
	if (!root) {
		fputs(line, out);
		return true;
	}
	char path[4096];
	unescape(mp, n, path, sizeof(path));
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (strncmp(path, root, rl) || (path[rl] != '/' && path[rl] != 0))
		return false;
	/* The escaped spelling of the part under the root: the escaped
	 * field minus the escaped root, which has no characters to escape
	 * when it matched byte for byte; else count raw characters. */
	const char *tail = mp;
	size_t skipped = 0;
	while (skipped < rl && tail < mp + n) {
		if (*tail == '\\' && tail + 3 < mp + n)
			tail += 4;
		else
			tail++;
		skipped++;
	}
	fwrite(line, 1, (size_t)(mp - line), out);
	if (tail == mp + n || *tail != '/')
		fputc('/', out);
	fwrite(tail, 1, (size_t)(mp + n - tail), out);
	fputs(mp + n, out);
	return true;
}

int proc_mounts_show(const struct task *target, const char *which, FILE *out)
{
	char hp[64];
	snprintf(hp, sizeof(hp), "/proc/self/%s", which);
	FILE *in = fopen(hp, "r");
	if (!in)
		return -ENOENT;
	const char *root = target->fs ? target->fs->root : NULL;
	int field = mountpoint_field(which);
	char *line = NULL;
	size_t cap = 0;
	bool skipping = false;
	while (getline(&line, &cap, in) > 0) {
		/* mountstats: a mount's statistics follow its "device" line
		 * indented; they go with it. */
		if (!strcmp(which, "mountstats") && strncmp(line, "device ", 7)) {
			if (!skipping)
				fputs(line, out);
			continue;
		}
		const char *p = line;
		for (int i = 0; i < field && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p) {
			fputs(line, out);
			continue;
		}
		size_t n = strcspn(p, " \n");
		skipping = !show_line(out, line, p, n, root);
	}
	free(line);
	fclose(in);
	return 0;
}
