#!/usr/bin/env bash
# proc_containment.sh EMULATOR
#
# No spelling of a /proc path reaches the emulator's own /proc entries: a
# guest that opens /proc/self/mem, /proc/self/cmdline or /proc/self/fd by
# any path sees the modeled /proc, never cloneemu's memory, command line or
# descriptors. Through each spelling, dd reads its own memory at
# 0x555555554000, where the layout of seed 0 puts a PIE's ELF header
# (cloneemu's own memory has nothing there, or not that).
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
ln -s /proc/self selflink
script='
elf() {
	m=$(dd if="$1" bs=1 skip=$((0x555555554000)) count=4 2>/dev/null | od -An -c | tr -d " \n")
	if [ "$m" = "177ELF" ]; then echo "guest memory: $2"; else echo "NOT the guest memory ($m): $2"; fi
}
for p in /proc/self/mem /./proc/self/mem //proc/self/mem /tmp/../proc/self/mem \
	selflink/mem ./selflink/../self/mem /proc/thread-self/mem; do
	elf "$p" "$p"
done
cd /proc && elf self/mem "self/mem from /proc"
cd "$1"
for p in /./proc/self/cmdline selflink/cmdline; do tr "\0" " " <"$p" | head -c 11; echo; done
ls /./proc/self/fd | wc -l
'
env -i PATH=/usr/bin:/bin "$emu" /bin/sh -c "$script" sh "$tmp" >"$tmp/out" 2>&1
status=$?
cat >"$tmp/want" <<'WANT'
guest memory: /proc/self/mem
guest memory: /./proc/self/mem
guest memory: //proc/self/mem
guest memory: /tmp/../proc/self/mem
guest memory: selflink/mem
guest memory: ./selflink/../self/mem
guest memory: /proc/thread-self/mem
guest memory: self/mem from /proc
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
echo "proc_containment: every spelling of /proc/self/mem is the guest's memory; cmdline and fd are the guest's"
