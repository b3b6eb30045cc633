#!/usr/bin/env bash
# pid_base.sh EMULATOR
#
# --pid-base N: the first guest process is pid N and the next ones follow
# (default 2, after the modeled init); a recording keeps the base, so a
# replay numbers the same way without the option; bad values are usage
# errors (exit 2).
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
pids() { "$emu" "$@" /bin/sh -c 'echo $$; sh -c "echo \$\$"' | tr '\n' ' '; }
check() { # WHAT GOT WANT
	[ "$2" = "$3" ] || { echo "$1: got '$2', want '$3'"; fail=1; }
}
check "default" "$(pids)" "2 3 "
check "--pid-base 500" "$(pids --pid-base 500)" "500 501 "
check "--pid-base=7000 --record" "$(pids --pid-base=7000 --record "$tmp/rec")" "7000 7001 "
check "--replay of it" "$(pids --replay "$tmp/rec")" "7000 7001 "
for bad in 0 1 -5 x 12abc 99999999999999999999 "$(cat /proc/sys/kernel/pid_max)"; do
	"$emu" --pid-base "$bad" /bin/true 2>"$tmp/err"
	st=$?
	[ $st -eq 2 ] && grep -q "pid-base" "$tmp/err" ||
		{ echo "--pid-base '$bad': exit $st, $(cat "$tmp/err")"; fail=1; }
done
[ $fail -eq 0 ] && echo "pid_base: ok"
exit $fail
