#!/usr/bin/env bash
# vclock_mtime.sh EMULATOR
#
# Under the virtual clock (the default) files carry the guest's time, as
# Linux stamps them with current_time(): a file written after `sleep 50`
# is 50 s newer than one written before (the host's clock has moved by a
# fraction of that), no file is newer than the guest's "now", touch(1)
# stamps the guest's time, and make sees no clock skew. A directory made
# before the sleep and given a new entry after it carries the later time
# (Linux's current_time() in the directory operations), as do a directory,
# a symlink and a FIFO made after the sleep.
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
printf 'all: b\nb: a\n\tcp a b\na:\n\techo a > a\n' >Makefile
script='
echo x > f; mkdir d1 d2 d3 d4; : > d2/x; : > d3/x; sleep 50; echo y > g; : > h; touch t
: > d1/new; rm d2/x; mv d3/x d4/y; mkdir nd; ln -s f sl; mkfifo ff; sleep 1
printf "%s\n" 1 2 3 > w; truncate -s 1 w
now=$(date +%s)
fm=$(stat -c %Y f); gm=$(stat -c %Y g); hm=$(stat -c %Y h); tm=$(stat -c %Y t); wm=$(stat -c %Y w)
[ $((gm - fm)) -ge 50 ] && echo "written after sleep 50: 50 s newer" || echo "FAILED: g-f = $((gm - fm))"
for x in d1 d2 d3 d4 nd ff; do m=$(stat -c %Y $x); [ $((m - fm)) -ge 50 ] && [ "$m" -le "$now" ] || echo "FAILED: $x at $m, f at $fm, now $now"; done
m=$(stat -c %Y . ); [ "$m" -ge "$gm" ] || echo "FAILED: cwd at $m, g at $gm"
m=$(find sl -printf "%T@"); [ "${m%.*}" -ge "$gm" ] || echo "FAILED: symlink at $m"
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
