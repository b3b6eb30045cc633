#!/usr/bin/env bash
# vclock_settime.sh EMULATOR
#
# Setting the clock under the virtual clock: clock_settime and
# settimeofday move the guests' realtime clock (never the host's), a
# TFD_TIMER_CANCEL_ON_SET timerfd reports ECANCELED, and date -s works.
# Not differential: natively the guest would set the machine's clock.
set -uo pipefail
emu=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
gcc -static -O1 -o "$tmp/settime" "$here/vclock_settime.c" || exit 2
host_before=$(date +%s)
{ "$emu" "$tmp/settime"; echo "status $?"
  "$emu" /bin/sh -c 'date -u -s @1700000000 >/dev/null; date -u +%Y-%m-%d'; echo "status $?"
  "$emu" --clock=host /bin/sh -c 'date -s @1700000000 >/dev/null 2>&1; echo "host clock: $?"'
} >"$tmp/out" 2>&1
cat >"$tmp/want" <<'WANT'
before: EAGAIN
clock_settime: 0
now >= 2000000000: yes
poll: 1
read: ECANCELED
again: EAGAIN
without CANCEL_ON_SET: EAGAIN
settimeofday: 0
gettimeofday near 1500000000: yes
CLOCK_MONOTONIC: -1 Invalid argument
bad nsec: -1 Invalid argument
bad usec: -1 Invalid argument
status 0
2023-11-14
status 0
host clock: 1
WANT
host_after=$(date +%s)
if [ $((host_after - host_before)) -gt 60 ] || [ "$host_after" -lt "$host_before" ]; then
	echo "FAILED: the host's clock moved ($host_before -> $host_after)"
	exit 1
fi
diff -u "$tmp/want" "$tmp/out" && echo "ok: vclock_settime"
