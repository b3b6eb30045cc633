#!/usr/bin/env bash
# rr_net.sh EMULATOR GUEST...: each guest (a network guest: host sockets,
# host netlink, a modeled network namespace) is run with --record, then
# with --replay of that log; both must exit 0 with the same stdout (a
# replay makes no host socket call: results, bytes, addresses and
# readiness come from the log).
set -uo pipefail
emu=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail=0
for g in "$@"; do
	n=$(basename "$g")
	timeout 120 "$emu" --record "$n.log" "$g" >"$n.rec" 2>"$n.rec.err"
	a=$?
	timeout 120 "$emu" --replay "$n.log" "$g" >"$n.rep" 2>"$n.rep.err"
	b=$?
	if [ $a -ne 0 ] || [ $b -ne 0 ] || ! cmp -s "$n.rec" "$n.rep"; then
		echo "rr_net: $n: record $a, replay $b"
		diff "$n.rec" "$n.rep" | head -20
		tail -5 "$n.rep.err"
		fail=1
	else
		echo "rr_net: $n: replayed ($(wc -l <"$n.rec") lines)"
	fi
done
exit $fail
