#!/usr/bin/env bash
# mem_rlimit_as.sh EMULATOR
#
# Under an address-space limit (ulimit -v) too small for the default 8 GiB
# of guest memory, cloneemu sizes --mem to fit (RLIMIT_AS minus 1.5 GiB for
# Unicorn's code cache and itself), says which size it chose, and runs the
# program; an explicit --mem that does not fit is still refused (126). Not
# for cloneemu-asan: ASan's shadow memory needs more than any such limit.
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
out=$( (ulimit -v 4000000 && "$emu" /bin/sh -c 'echo ran; ls / >/dev/null && echo listed') 2>"$tmp/err")
st=$?
[ $st -eq 0 ] && [ "$out" = "ran
listed" ] || { echo "ulimit -v 4000000: exit $st, output '$out'"; cat "$tmp/err"; fail=1; }
grep -q "RLIMIT_AS is 3906 MiB: guest memory is 2370 MiB (--mem)" "$tmp/err" ||
	{ echo "no word of the size chosen:"; cat "$tmp/err"; fail=1; }
(ulimit -v 4000000 && "$emu" --mem 8192 /bin/true) 2>"$tmp/err"
st=$?
[ $st -eq 126 ] && grep -q "cannot reserve 8192 MiB" "$tmp/err" ||
	{ echo "--mem 8192 under the limit: exit $st, $(cat "$tmp/err")"; fail=1; }
"$emu" /bin/true 2>"$tmp/err" && [ ! -s "$tmp/err" ] ||
	{ echo "without a limit cloneemu said: $(cat "$tmp/err")"; fail=1; }
[ $fail -eq 0 ] && echo "mem_rlimit_as: --mem sized to the address-space limit"
exit $fail
