#!/usr/bin/env bash
# proc_containment.sh EMULATOR
#
# No spelling of a /proc path reaches the emulator's own /proc entries: a
# guest that opens /proc/self/mem, /proc/self/cmdline or /proc/self/fd by
# any path sees the modeled /proc (which has no mem: ENOENT), never
# cloneemu's memory, command line or descriptors.
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
ln -s /proc/self selflink
script='
for p in /proc/self/mem /./proc/self/mem //proc/self/mem /tmp/../proc/self/mem \
	selflink/mem ./selflink/../selflink/mem /proc/thread-self/mem; do
	if (exec 3<>"$p") 2>/dev/null; then echo "OPENED $p"; else echo "refused $p"; fi
done
cd /proc && if (exec 3<>self/mem) 2>/dev/null; then echo "OPENED self/mem from /proc"; else echo "refused self/mem from /proc"; fi
cd "$1"
for p in /./proc/self/cmdline selflink/cmdline; do tr "\0" " " <"$p" | head -c 11; echo; done
ls /./proc/self/fd | wc -l
'
env -i PATH=/usr/bin:/bin "$emu" /bin/sh -c "$script" sh "$tmp" >"$tmp/out" 2>&1
status=$?
cat >"$tmp/want" <<'WANT'
refused /proc/self/mem
refused /./proc/self/mem
refused //proc/self/mem
refused /tmp/../proc/self/mem
refused selflink/mem
refused ./selflink/../selflink/mem
refused /proc/thread-self/mem
refused self/mem from /proc
/bin/sh -c 
/bin/sh -c 
WANT
# ls of the guest's own fds (0-2, and the one ls reads the directory with).
echo 4 >>"$tmp/want"
if [ $status -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/want"; then
	echo "proc_containment: status $status; output (want on the right):"
	diff "$tmp/out" "$tmp/want"
	exit 1
fi
echo "proc_containment: every spelling of /proc/self/mem was refused; cmdline and fd are the guest's"
