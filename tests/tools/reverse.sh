#!/bin/bash
# Reverse execution with the real gdb in batch mode (emu/reverse.c):
# reverse-stepi comes back to the pc before a stepi, reverse-continue to the
# earlier hits of a breakpoint (the variables hold their earlier values) and
# then to the beginning of the history; running forward again works.
# usage: reverse.sh CASE EMULATOR GUESTDIR
set -uo pipefail
case_=$1 emu=$2 gdir=$3
g=$gdir/tools_reverse_subject.glibc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- gdb:"; cat "$tmp/gdb"; echo "--- cloneemu stderr:"; cat "$tmp/e"; exit 1; }

run_gdb() {
	port=$((20000 + RANDOM % 20000))
	CLONEEMU_REVERSE=${REVERSE_OPTS:-} "$emu" --gdb "$port" "$g" >"$tmp/out" 2>"$tmp/e" &
	pid=$!
	for _ in $(seq 100); do grep -q waiting "$tmp/e" && break; sleep 0.1; done
	local args=()
	for a in "$@"; do args+=(-ex "$a"); done
	timeout 120 gdb -batch -nx -ex "target remote :$port" "${args[@]}" "$g" >"$tmp/gdb" 2>&1
	wait "$pid"
	st=$?
}

case $case_ in
stepi)
	run_gdb 'break step_once' 'continue' 'continue' 'print/x $pc' 'stepi' 'print/x $pc' \
		'reverse-stepi' 'print/x $pc' 'stepi' 'stepi' 'reverse-stepi' 'reverse-stepi' 'print/x $pc' \
		'print counter' 'delete' 'continue'
	grep -q '^\$1 = 0x' "$tmp/gdb" || fail "no pc at the breakpoint"
	pc1=$(sed -n 's/^\$1 = //p' "$tmp/gdb")
	pc2=$(sed -n 's/^\$2 = //p' "$tmp/gdb")
	[ -n "$pc2" ] && [ "$pc1" != "$pc2" ] || fail "stepi did not move ($pc1 -> $pc2)"
	[ "$(sed -n 's/^\$3 = //p' "$tmp/gdb")" = "$pc1" ] || fail "reverse-stepi: pc is not $pc1"
	[ "$(sed -n 's/^\$4 = //p' "$tmp/gdb")" = "$pc1" ] || fail "two reverse-stepi after two stepi: pc is not $pc1"
	grep -q '^\$5 = 1$' "$tmp/gdb" || fail "counter is not 1 at the second hit"
	grep -q 'exited normally' "$tmp/gdb" || fail "no normal exit after going back"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	grep -q '^step 5 total 35$' "$tmp/out" || fail "the guest's output: $(cat "$tmp/out")"
	;;
continue)
	run_gdb 'break step_once' 'continue' 'continue' 'continue' 'print counter' 'print i' \
		'reverse-continue' 'print counter' 'print i' 'reverse-continue' 'print counter' 'print i' \
		'reverse-continue' 'print $pc == &_start' 'continue' 'print i' 'delete' 'continue'
	grep -q '^\$1 = 3$' "$tmp/gdb" && grep -q '^\$2 = 3$' "$tmp/gdb" || fail "third hit"
	grep -q '^\$3 = 1$' "$tmp/gdb" && grep -q '^\$4 = 2$' "$tmp/gdb" ||
		fail "reverse-continue: not back at the second hit (counter 1, i 2)"
	grep -q '^\$5 = 0$' "$tmp/gdb" && grep -q '^\$6 = 1$' "$tmp/gdb" ||
		fail "reverse-continue: not back at the first hit (counter 0, i 1)"
	grep -q 'No more reverse-execution history' "$tmp/gdb" || fail "no beginning of the history"
	grep -q '^\$7 = 1$' "$tmp/gdb" || fail "not at the first instruction"
	grep -q '^\$8 = 1$' "$tmp/gdb" || fail "forward again: not at the first hit"
	grep -q 'exited normally' "$tmp/gdb" || fail "no normal exit"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	;;
step)
	# reverse-next and reverse-step by source line; reverse-finish.
	run_gdb 'break main' 'continue' 'next' 'next' 'next' 'next' 'print total' 'reverse-next' \
		'print total' 'break step_once' 'continue' 'reverse-finish' 'print i' 'reverse-step' \
		'print $pc != 0' 'delete' 'continue'
	grep -q '^\$1 = 1$' "$tmp/gdb" || fail "total after the first step_once"
	grep -q '^\$2 = 0$' "$tmp/gdb" || fail "reverse-next did not undo total += step_once(1)"
	grep -Eq '^0x[0-9a-f]+ in main \(\) at .*reverse_subject.c:27$' "$tmp/gdb" ||
		fail "reverse-finish: not back in main at the call"
	grep -q '^\$3 = 1$' "$tmp/gdb" || fail "reverse-finish: not in main's first iteration"
	grep -q '^\$4 = 1$' "$tmp/gdb" || fail "reverse-step"
	grep -q 'exited normally' "$tmp/gdb" || fail "no normal exit"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	;;
watch)
	# Two watchpoint stops in the history; reverse-continue stops at the
	# watched writes (before them: the old value) and at the breakpoint
	# hit between them. At most 3 checkpoints: the replays cross earlier
	# stops, whose watchpoints they must put back as they were.
	REVERSE_OPTS=max=3,interval=200000
	run_gdb 'break step_once' 'continue' 'watch counter' 'continue' 'continue' 'continue' \
		'print counter' 'reverse-continue' 'print counter' 'reverse-continue' 'print counter' \
		'print i' 'reverse-continue' 'print counter' 'print i' 'delete' 'continue'
	grep -q '^\$1 = 3$' "$tmp/gdb" || fail "counter after the second write"
	grep -A1 '^Old value = 3$' "$tmp/gdb" | grep -q '^New value = 1$' ||
		fail "reverse-continue: no stop at the second write, undone"
	grep -q '^\$2 = 1$' "$tmp/gdb" || fail "counter before the second write"
	grep -q '^\$3 = 1$' "$tmp/gdb" && grep -q '^\$4 = 2$' "$tmp/gdb" ||
		fail "reverse-continue: not back at the second hit (counter 1, i 2)"
	grep -A1 '^Old value = 1$' "$tmp/gdb" | grep -q '^New value = 0$' ||
		fail "reverse-continue: no stop at the first write, undone"
	grep -q '^\$5 = 0$' "$tmp/gdb" && grep -q '^\$6 = 1$' "$tmp/gdb" ||
		fail "not before the first write (counter 0, i 1)"
	grep -q 'exited normally' "$tmp/gdb" || fail "no normal exit"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	;;
*)
	echo "unknown case $case_"
	exit 2
	;;
esac
grep -q 'diverged\|never ran at instruction' "$tmp/e" && fail "the replay diverged"
echo PASS
