#!/usr/bin/env bash
# private_shm.sh EMULATOR
#
# Each run has an empty /dev/shm of its own (so two runs whose guests name
# files after their deterministic pids do not collide): a file a guest
# creates there, under any spelling of the path, is not on the host's
# /dev/shm and is gone after the run; the host's files are not seen. With
# --host-shm the guest shares the host's /dev/shm. Needs CAP_SYS_ADMIN
# (a mount namespace); without it cloneemu keeps the host's (skip, 77).
set -uo pipefail
emu=$(realpath "$1")
[ "$(id -u)" = 0 ] || { echo "private_shm: not root, skipped"; exit 77; }
name=ce_private_shm.$$
host=/dev/shm/$name.host
echo host >"$host" && trap 'rm -f "$host" /dev/shm/$name.*' EXIT
fail=0
out=$("$emu" /bin/sh -c "
	echo guest >/dev/shm/$name.a; echo guest >/./dev/shm/../shm/$name.b
	cd /dev && echo guest >shm/$name.c
	ls /dev/shm | grep -c $name; cat $host 2>/dev/null || echo 'no host file'")
[ "$out" = "3
no host file" ] || { echo "private run saw: $out"; fail=1; }
for f in a b c; do
	[ ! -e /dev/shm/$name.$f ] || { echo "/dev/shm/$name.$f reached the host"; fail=1; }
done
out=$("$emu" --host-shm /bin/sh -c "cat $host; echo guest >/dev/shm/$name.d")
[ "$out" = host ] && [ -e /dev/shm/$name.d ] || { echo "--host-shm: saw '$out', wrote: $(ls /dev/shm | grep -c $name.d)"; fail=1; }
[ $fail -eq 0 ] && echo "private_shm: ok"
exit $fail
