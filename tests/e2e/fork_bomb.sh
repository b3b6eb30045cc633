#!/usr/bin/env bash
# fork_bomb.sh EMULATOR
#
# A fork bomb inside the emulator meets the modeled threads-max (derived
# from --mem as Linux derives it from RAM: 64 MiB / 128 KiB = 512 tasks):
# fork fails with EAGAIN, the program carries on and exits normally, and
# cloneemu's own memory stays bounded. Run only under the emulator.
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/bomb.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int p[2], n = 0, err = 0;
	if (pipe(p))
		return 2;
	for (;;) { /* every child waits; nothing ends but EAGAIN */
		pid_t c = fork();
		if (c < 0) { err = errno; break; }
		if (c == 0) { char b; close(p[1]); _exit(read(p[0], &b, 1) < 0); }
		n++;
	}
	close(p[1]);
	while (wait(NULL) > 0)
		;
	printf("fork failed with %s after %d children\n", err == EAGAIN ? "EAGAIN" : strerror(err), n);
	return err == EAGAIN ? 0 : 1;
}
C
gcc -O1 -static -o "$tmp/bomb" "$tmp/bomb.c" || exit 2
/usr/bin/time -f "%M" -o "$tmp/rss" "$emu" --mem 64 "$tmp/bomb" >"$tmp/out" 2>"$tmp/err"
status=$?
rss=$(tail -1 "$tmp/rss")
out=$(cat "$tmp/out")
echo "fork_bomb: $out; status $status; cloneemu peak RSS ${rss} KiB"
case $out in
"fork failed with EAGAIN after 511 children") ;;
*) echo "fork_bomb: want EAGAIN after 511 children (threads-max 512)"; cat "$tmp/err"; exit 1 ;;
esac
[ "$status" -eq 0 ] || exit 1
# 512 tasks of a small static program: well under 256 MiB.
[ "$rss" -lt 262144 ] || { echo "fork_bomb: cloneemu used ${rss} KiB"; exit 1; }
