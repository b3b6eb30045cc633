#!/usr/bin/env bash
# rr_signal.sh EMULATOR SUBJECT MODE: a signal from outside under --record
# (SUBJECT MODE waits for it, see outside_subject.c), then --replay of the
# recording with nobody sending anything: the replay delivers the signal at
# the recorded scheduler step, so stdout and exit status are the same.
set -uo pipefail
set -m
[ $# -eq 3 ] || { echo "usage: $0 EMULATOR SUBJECT MODE" >&2; exit 2; }
emu=$1 subject=$2 mode=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rr_signal.XXXXXX") || exit 2
fail=0
sig=TERM
case $mode in suspend) sig=USR1 ;; waitinfo) sig=USR2 ;; default) sig=INT ;; esac
"$emu" --record "$tmp/rec" "$subject" "$mode" >"$tmp/rec.out" 2>"$tmp/rec.err" </dev/null &
pid=$!
for _ in $(seq 400); do
	grep -qx ready "$tmp/rec.out" && break
	sleep 0.05
done
kill -$sig $pid
wait $pid
echo $? >"$tmp/rec.status"
timeout -k 5 60 "$emu" --replay "$tmp/rec" "$subject" "$mode" >"$tmp/rep.out" 2>"$tmp/rep.err" </dev/null
echo $? >"$tmp/rep.status"
if ! cmp -s "$tmp/rec.out" "$tmp/rep.out" || ! cmp -s "$tmp/rec.status" "$tmp/rep.status"; then
	echo "rr_signal: the replay differs from the recording"
	diff "$tmp/rec.out" "$tmp/rep.out"
	echo "status recorded $(cat "$tmp/rec.status"), replayed $(cat "$tmp/rep.status")"
	fail=1
fi
if ! grep -q '^got ' "$tmp/rec.out" && [ "$mode" != default ]; then
	echo "rr_signal: the recorded run did not get the signal"; fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|diverged' "$tmp/rec.err" "$tmp/rep.err"; then
	echo "rr_signal: errors:"; cat "$tmp/rec.err" "$tmp/rep.err"; fail=1
fi
echo "--- replayed stdout (status $(cat "$tmp/rep.status")):"; cat "$tmp/rep.out"
echo "--- replay stderr:"; head -n 20 "$tmp/rep.err"
rm -rf "$tmp"
exit $fail
