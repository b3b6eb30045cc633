#!/usr/bin/env bash
# chaos.sh CASE EMULATOR DIR LIBC SRCDIR: --chaos, explore and diagnose on
# the race guests (tests/chaos/CMakeLists.txt lists the cases).
set -uo pipefail
if [ $# -ne 5 ]; then
	echo "usage: $0 CASE EMULATOR DIR LIBC SRCDIR" >&2
	exit 2
fi
case=$1 emu=$2 dir=$3 libc=$4 src=$5
act=$dir/race_check_act.$libc
counter=$dir/race_counter.$libc
free=$dir/race_free.$libc
shared=$dir/race_shared_counter.$libc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaos.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "chaos $case ($libc): $*"
	exit 1
}

# explore_out PROGRAM RUNS [OPTION]: explore's stdout in $tmp/explore,
# status in $st.
explore_out() {
	"$emu" explore --runs "$2" --jobs 2 --timeout 120 ${3:-} -- "$1" >"$tmp/explore" 2>"$tmp/explore.err"
	st=$?
}

# first_failing: the --chaos flag and seed of explore's first failing run.
first_failing() {
	read -r flag seed < <(sed -n 's/^  replay: [^ ]* \(--chaos[^ ]*\) --seed \([0-9]*\) -- .*/\1 \2/p' \
		"$tmp/explore" | head -n 1)
	[ -n "${seed:-}" ] || { cat "$tmp/explore"; fail "no replay line"; }
}

# The plain build next to EMULATOR: under cloneemu-asan, explore runs with
# it (a hundred ASan runs would take minutes) and ASan replays what it found.
plain=$(dirname "$emu")/cloneemu
[ -x "$plain" ] || plain=$emu

# same_as_plain PROGRAM: the first failing seed of explore's output runs
# under EMULATOR and under the plain build: same exit, stdout and trace.
same_as_plain() {
	# -U _: bash puts the command's path in $_, which would move the stack.
	"$emu" -U _ "$flag" --seed "$seed" --trace="$tmp/trace.emu" -- "$1" >"$tmp/out.emu" 2>/dev/null
	s1=$?
	"$plain" -U _ "$flag" --seed "$seed" --trace="$tmp/trace.plain" -- "$1" >"$tmp/out.plain" 2>/dev/null
	s2=$?
	[ "$s1" -eq 1 ] && [ "$s2" -eq 1 ] || fail "seed $seed: exit $s1 under $emu, $s2 under $plain"
	sed -E -i 's/getrandom\("[^"]*"/getrandom("..."/' "$tmp/trace.emu" "$tmp/trace.plain"
	cmp -s "$tmp/out.emu" "$tmp/out.plain" || fail "seed $seed: another output"
	cmp -s "$tmp/trace.emu" "$tmp/trace.plain" || fail "seed $seed: another trace"
}

case $case in
asan_same_schedule)
	# ASan build, same schedules: the check-then-act race and a split
	# counter++ found by the plain build fail the same way under ASan.
	"$plain" explore --runs 100 --jobs 2 --stop-after=1 -- "$act" >"$tmp/explore"
	first_failing
	same_as_plain "$act"
	"$plain" explore --runs 20 --jobs 2 --stop-after=1 -- "$counter" >"$tmp/explore"
	first_failing
	same_as_plain "$counter"
	;;
asan_explore_race_free)
	"$emu" explore --runs 4 --jobs 2 --timeout 200 -- "$free" >"$tmp/explore"
	st=$?
	[ "$st" -eq 0 ] || { cat "$tmp/explore"; fail "explore exited $st"; }
	grep -qx 'explore: 4 runs, 0 failed' "$tmp/explore" || fail "$(tail -n 1 "$tmp/explore")"
	;;
explore_finds_check_act)
	explore_out "$act" 100
	[ "$st" -eq 1 ] || { cat "$tmp/explore" "$tmp/explore.err"; fail "explore exited $st, not 1"; }
	grep -Eq '^seed [0-9]+: exit 1$' "$tmp/explore" || fail "no 'seed S: exit 1' line"
	grep -Eq '^explore: 100 runs, [1-9][0-9]* failed$' "$tmp/explore" || fail "no summary"
	grep -Eq "^  replay: .* --chaos=steps=[0-9]+ --seed [0-9]+ -- $act\$" "$tmp/explore" ||
		fail "no replay command"
	;;
seed_reproduces)
	explore_out "$act" 100 --stop-after=1
	first_failing
	for i in 1 2 3; do
		"$emu" "$flag" --seed "$seed" --trace="$tmp/trace.$i" -- "$act" >"$tmp/out.$i" 2>/dev/null
		s=$?
		[ "$s" -eq 1 ] || fail "run $i of seed $seed exited $s, not 1"
		grep -qx 'winners 2' "$tmp/out.$i" || fail "run $i: $(cat "$tmp/out.$i")"
		# getrandom's bytes come from the host (a recording keeps them).
		sed -E -i 's/getrandom\("[^"]*"/getrandom("..."/' "$tmp/trace.$i"
		cmp -s "$tmp/trace.1" "$tmp/trace.$i" || fail "run $i: another trace"
	done
	[ -s "$tmp/trace.1" ] || fail "empty trace"
	"$emu" "$flag" --seed "$seed" --record "$tmp/rec" -- "$act" >"$tmp/rec.out" 2>/dev/null
	s=$?
	[ "$s" -eq 1 ] || fail "--record: exit $s"
	"$emu" --replay "$tmp/rec" -- "$act" >"$tmp/rep.out" 2>"$tmp/rep.err"
	s=$?
	[ "$s" -eq 1 ] || { cat "$tmp/rep.err"; fail "--replay: exit $s"; }
	cmp -s "$tmp/rec.out" "$tmp/rep.out" || fail "--replay: other output"
	;;
no_seed_sweep_finds_counter)
	# Preemption between blocks never splits the add: without --chaos
	# every seed counts right.
	for s in 0 1 2 3 4 5 6 7; do
		out=$("$emu" --seed "$s" "$counter")
		r=$?
		[ "$r" -eq 0 ] && [ "$out" = "counter 4000" ] || fail "--seed $s: $out (exit $r)"
	done
	;;
explore_finds_counter)
	explore_out "$counter" 20 --stop-after=1
	[ "$st" -eq 1 ] || { cat "$tmp/explore"; fail "explore exited $st, not 1"; }
	first_failing
	out=$("$emu" "$flag" --seed "$seed" "$counter")
	r=$?
	[ "$r" -eq 1 ] || fail "seed $seed: exit $r"
	n=${out#counter }
	[ "$n" -lt 4000 ] || fail "seed $seed: $out (no update lost)"
	;;
explore_finds_shared_counter)
	# Change points at touches of a page two processes map (MAP_SHARED):
	# before they were drawn there, 0 of 20 runs lost an update.
	for s in 1 2 3; do
		out=$("$emu" --seed "$s" "$shared") || fail "--seed $s without --chaos: $out"
	done
	explore_out "$shared" 20 "--chaos=shared --stop-after=1"
	[ "$st" -eq 1 ] || { cat "$tmp/explore"; fail "explore exited $st, not 1"; }
	first_failing
	out=$("$emu" "$flag" --seed "$seed" "$shared")
	r=$?
	[ "$r" -eq 1 ] || fail "seed $seed: exit $r"
	n=${out#counter }
	[ "$n" -lt 4000 ] || fail "seed $seed: $out (no update lost)"
	;;
explore_race_free)
	explore_out "$free" 30
	[ "$st" -eq 0 ] || { cat "$tmp/explore"; fail "explore exited $st"; }
	grep -qx 'explore: 30 runs, 0 failed' "$tmp/explore" || fail "$(tail -n 1 "$tmp/explore")"
	;;
expect_output)
	printf 'winners 1 counter 999\n' >"$tmp/expected"
	"$emu" explore --runs 3 --jobs 2 --expect-output "$tmp/expected" -- "$free" >"$tmp/explore"
	st=$?
	[ "$st" -eq 1 ] || fail "explore exited $st, not 1"
	n=$(grep -c "^seed [0-9]*: exit 0, output differs at line 1: 'winners 1 counter 1000', expected 'winners 1 counter 999'\$" "$tmp/explore")
	[ "$n" -eq 3 ] || { cat "$tmp/explore"; fail "$n differing lines, not 3"; }
	printf 'winners 1 counter 1000\n' >"$tmp/expected"
	"$emu" explore --runs 3 --jobs 2 --expect-output "$tmp/expected" -- "$free" >"$tmp/explore"
	st=$?
	[ "$st" -eq 0 ] || { cat "$tmp/explore"; fail "right output: explore exited $st"; }
	;;
diagnose_names_lines)
	# The first of the failing seeds whose failure one preemption explains
	# (with many change points some failures need two).
	explore_out "$act" 100 --stop-after=3
	check=$(grep -n 'RACE_CHECK' "$src/race_check_act.c" | cut -d: -f1)
	act_line=$(grep -n 'RACE_ACT' "$src/race_check_act.c" | cut -d: -f1)
	ok=0
	while read -r flag seed; do
		"$emu" diagnose --seed "$seed" "$flag" -- "$act" >"$tmp/diag" 2>&1 || continue
		grep -A2 '^racing pair on 0x' "$tmp/diag" >"$tmp/pair"
		grep -Eq "^  task [0-9]+ read  worker at race_check_act.c:$check( |\$)" "$tmp/pair" ||
			{ cat "$tmp/diag"; fail "no check at line $check"; }
		grep -Eq "^  task [0-9]+ wrote worker at race_check_act.c:$act_line( |\$)" "$tmp/pair" ||
			{ cat "$tmp/diag"; fail "no act at line $act_line"; }
		grep -q '^failing order (exit 1)' "$tmp/diag" || fail "no failing order"
		grep -q '^passing order (.*exit 0' "$tmp/diag" || fail "no passing order"
		ok=1
		break
	done < <(sed -n 's/^  replay: [^ ]* \(--chaos[^ ]*\) --seed \([0-9]*\) -- .*/\1 \2/p' "$tmp/explore")
	[ "$ok" -eq 1 ] || { cat "$tmp/explore" "$tmp/diag"; fail "diagnose explained none of the failing seeds"; }
	;;
calls_preempted)
	# Preempted at blocks entered by chained direct calls while a code
	# hook exists: every one of these crashed (a call ran twice).
	calls=$dir/calls_threads.$libc
	for s in 1 2 3; do
		out=$("$emu" --chaos --seed "$s" -- "$calls" 2>&1)
		r=$?
		[ "$r" -eq 0 ] && [ "$out" = "fib 46368 75025" ] || fail "--chaos --seed $s: $out (exit $r)"
	done
	for rev in off ''; do # gdb's breakpoints as bounded hooks; reverse's hook
		port=$((20000 + RANDOM % 20000))
		CLONEEMU_REVERSE=$rev "$emu" --gdb "$port" "$calls" >"$tmp/out" 2>"$tmp/err" &
		pid=$!
		for _ in $(seq 200); do grep -q waiting "$tmp/err" && break; sleep 0.05; done
		timeout 120 gdb -batch -nx -ex "target remote :$port" -ex 'break abort' -ex continue \
			"$calls" >"$tmp/gdb" 2>&1
		wait "$pid"
		r=$?
		[ "$r" -eq 0 ] && [ "$(cat "$tmp/out")" = "fib 46368 75025" ] ||
			{ cat "$tmp/gdb"; fail "under gdb (CLONEEMU_REVERSE=$rev): $(cat "$tmp/out") (exit $r)"; }
	done
	;;
*)
	echo "chaos.sh: unknown case $case" >&2
	exit 2
	;;
esac
exit 0
