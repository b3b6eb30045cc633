#!/usr/bin/env bash
# determinism.sh EMULATOR GUEST
#
# GUEST is thread_race (guests/thread_race.c): 4 threads append to a shared
# log in whatever order the scheduler lets them; with --hash it prints a
# hash of that order. Checks, all under EMULATOR:
#   1. the same --seed twice, each with --trace=FILE: traces and stdouts
#      are byte-identical (the promise: same binary, input and seed, same
#      run)
#   2. tracing does not perturb scheduling: the same seed without --trace
#      prints the same stdout
#   3. seeds 0..5: every run is correct (status 0, no FAILED line, the
#      right entry count), whatever the interleaving
#   4. the seeds are not all the same interleaving: at least 2 distinct
#      hashes among seeds 0..5 (otherwise --seed would change nothing)
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR GUEST" >&2
	exit 2
fi
emu=$1
guest=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/determinism.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fail=0

# run NAME ARGS...: stdout to NAME.out, stderr to NAME.err, status checked.
run() {
	local name=$1
	shift
	timeout -k 5 100 "$emu" "$@" >"$name.out" 2>"$name.err"
	local status=$?
	if [ "$status" -ne 0 ]; then
		echo "determinism: '$emu $*' exited $status"
		tail -n 20 "$name.err"
		fail=1
	fi
}

run a --seed 1 --trace="$tmp/a.trace" "$guest" --hash
run b --seed 1 --trace="$tmp/b.trace" "$guest" --hash
# getrandom hands out the host's random bytes (README: not yet from the
# seed), and the trace shows data as strace does: those bytes may differ.
sed -i -E 's/(getrandom\()"[^"]*"(\.\.\.)?/\1"<host random>"/' a.trace b.trace
if ! cmp -s a.trace b.trace; then
	echo "determinism: --seed 1 traces differ between two runs:"
	diff a.trace b.trace | head -n 20
	fail=1
fi
if ! cmp -s a.out b.out; then
	echo "determinism: --seed 1 stdouts differ between two runs:"
	diff a.out b.out
	fail=1
fi
if [ ! -s a.trace ]; then
	echo "determinism: the trace is empty"
	fail=1
fi

run c --seed 1 "$guest" --hash
if ! cmp -s a.out c.out; then
	echo "determinism: --seed 1 with and without --trace differ:"
	diff a.out c.out
	fail=1
fi

declare -A hashes=()
for seed in 0 1 2 3 4 5; do
	run "s$seed" --seed "$seed" "$guest" --hash
	if grep -q FAILED "s$seed.out" || ! grep -q '^ok: log entries == 1200$' "s$seed.out"; then
		echo "determinism: --seed $seed gave a wrong result:"
		cat "s$seed.out"
		fail=1
	fi
	h=$(sed -n 's/^interleaving hash //p' "s$seed.out")
	echo "determinism: --seed $seed: interleaving hash ${h:-none}"
	if [ -n "$h" ]; then
		hashes[$h]=1
	fi
done
if [ "${#hashes[@]}" -lt 2 ]; then
	echo "determinism: seeds 0..5 all gave the same interleaving"
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	exit 1
fi
echo "determinism: same seed -> identical trace ($(wc -l <a.trace) lines) and stdout; ${#hashes[@]} interleavings over 6 seeds, all correct"
