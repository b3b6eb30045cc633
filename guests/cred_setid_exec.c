/*
 * cred_setid_exec: execve of set-user-ID and set-group-ID programs (fs/exec.c
 * bprm_fill_uid, security/commoncap.c cap_bprm_creds_from_file), as root.
 * Copies of this program in the scratch directory (the cwd), owned by
 * uid/gid 1000, are executed and report what they run with:
 *
 *   - mode 04755: euid (and saved uid) 1000, ruid 0; root's bounding set
 *     as permitted (ruid 0) but nothing effective (euid not 0); AT_EUID
 *     1000 and AT_SECURE 1
 *   - mode 02755: egid 1000, AT_SECURE 1
 *   - mode 02745 (no group execute): the set-group-ID bit is ignored
 *   - with PR_SET_NO_NEW_PRIVS the set-user-ID bit is ignored, and the flag
 *     survives the execve
 *   - a plain copy run as root: nothing changes, AT_SECURE 0
 */
#include "cred_check.h"

#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>

static int report(const char *how)
{
	printf("%s: AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu AT_SECURE %lu nnp %d\n", how,
	       getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID),
	       getauxval(AT_SECURE), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	print_ids(how);
	print_caps(how);
	return guest_finish();
}

/* ./name: a copy of this program with @mode, owned by 1000:1000. */
static void make_copy(const char *name, mode_t mode)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	need(in >= 0 && out >= 0, 91, "open the copy");
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		need(write_full(out, buf, (size_t)n) == (size_t)n, 92, "write the copy");
	close(in);
	close(out);
	/* chown clears set-ID bits, so the mode comes after it. */
	need(chown(name, 1000, 1000) == 0, 93, "chown the copy");
	need(chmod(name, mode) == 0, 94, "chmod the copy");
}

static void run(const char *name, int nnp)
{
	pid_t pid = guest_fork();
	if (pid == 0) {
		if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(95);
		char path[64];
		snprintf(path, sizeof(path), "./%s", name);
		execl(path, name, nnp ? "nnp" : name, (char *)NULL);
		_exit(96);
	}
	char what[80];
	snprintf(what, sizeof(what), "%s%s ran", name, nnp ? " with no_new_privs" : "");
	expect_status(pid, "exited 0", 1, what);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return report(argv[1]);
	if (!need_root())
		return guest_finish();
	make_copy("plain", 0755);
	make_copy("suid", 04755);
	make_copy("sgid", 02755);
	make_copy("sgid_noexec", 02745);
	run("plain", 0);
	run("suid", 0);
	run("sgid", 0);
	run("sgid_noexec", 0);
	run("suid", 1);
	return guest_finish();
}
