#!/usr/bin/env bash
# vclock_mtime.sh EMULATOR
#
# Under the virtual clock (the default) files carry the guest's time, as
# Linux stamps them with current_time(): a file written after `sleep 50`
# is 50 s newer than one written before (the host's clock has moved by a
# fraction of that), no file is newer than the guest's "now", touch(1)
# stamps the guest's time, and make sees no clock skew.
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
printf 'all: b\nb: a\n\tcp a b\na:\n\techo a > a\n' >Makefile
script='
echo x > f; sleep 50; echo y > g; : > h; touch t; sleep 1
printf "%s\n" 1 2 3 > w; truncate -s 1 w
now=$(date +%s)
fm=$(stat -c %Y f); gm=$(stat -c %Y g); hm=$(stat -c %Y h); tm=$(stat -c %Y t); wm=$(stat -c %Y w)
[ $((gm - fm)) -ge 50 ] && echo "written after sleep 50: 50 s newer" || echo "FAILED: g-f = $((gm - fm))"
for x in $gm $hm $tm $wm; do [ "$x" -le "$now" ] || echo "FAILED: a file at $x is newer than now ($now)"; done
[ "$tm" -ge "$gm" ] && echo "touch stamps the guest time" || echo "FAILED: touch $tm < g $gm"
make -s 2>&1; make 2>&1
'
env -i PATH=/usr/bin:/bin "$emu" /bin/sh -c "$script" >"$tmp/out" 2>&1
status=$?
cat >"$tmp/want" <<'WANT'
written after sleep 50: 50 s newer
touch stamps the guest time
make: Nothing to be done for 'all'.
WANT
if [ $status -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/want"; then
	echo "vclock_mtime: status $status; output:"
	cat "$tmp/out"
	exit 1
fi
echo "vclock_mtime: files carry the guest's time; make saw no clock skew"
