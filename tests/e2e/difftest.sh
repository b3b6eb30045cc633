#!/usr/bin/env bash
# difftest.sh EMULATOR GUEST [ARGS...]
#
# Runs GUEST natively and then under EMULATOR, with the same arguments, the
# same small fixed environment, the same working directory and the same
# stdin, and compares stdout byte for byte and the exit status (as bash's $?
# reports it: 128+N for a fatal signal N, which is also what cloneemu exits
# with). Exits 0 only if both match; otherwise prints a unified diff of
# stdout, both statuses and the emulator's stderr, and exits 1.
#
# Each run gets the same freshly made, empty scratch directory, which is
# also its cwd; the token @TMP@ in ARGS is replaced by its path. An argument
# that is exactly @EMPTY@ becomes the empty string (CMake cannot pass one).
#
# Knobs (environment):
#   DIFF_STDIN      file to feed on stdin (default /dev/null)
#   DIFF_EMU_ARGS   extra emulator options, word-split, e.g. "--strace"
#   DIFF_TIMEOUT    seconds allowed per run (default 100)
# ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS, when set, are passed to the
# emulator process only (the guests print no variables but CE_*).
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 EMULATOR GUEST [ARGS...]" >&2
	exit 2
fi
emu=$1
guest=$2
shift 2

abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}
emu=$(abspath "$emu")
guest=$(abspath "$guest")
stdin=$(abspath "${DIFF_STDIN:-/dev/null}")
timeout_s=${DIFF_TIMEOUT:-100}
read -r -a emu_args <<<"${DIFF_EMU_ARGS:-}"

for f in "$emu" "$guest" "$stdin"; do
	if [ ! -e "$f" ]; then
		echo "difftest: $f does not exist" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/difftest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
scratch=$tmp/scratch

args=()
for a in "$@"; do
	if [ "$a" = @EMPTY@ ]; then
		a=
	fi
	args+=("${a//@TMP@/$scratch}")
done

guest_env=(PATH=/usr/bin:/bin HOME=/root LANG=C CE_A=alpha "CE_B=beta gamma")
emu_env=("${guest_env[@]}")
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	if [ -n "${!v+set}" ]; then
		emu_env+=("$v=${!v}")
	fi
done

# Aborting guests must not leave core files behind or take time writing them.
ulimit -c 0

# run NAME COMMAND...: runs COMMAND in a fresh scratch dir; sets $status.
# The braces catch bash's "Killed"/"Aborted" job notices for signalled runs.
run() {
	local name=$1
	shift
	rm -rf "$scratch"
	mkdir "$scratch" || exit 2
	{
		(cd "$scratch" && exec timeout -k 5 "$timeout_s" env -i "$@") \
			<"$stdin" >"$tmp/$name.out" 2>"$tmp/$name.err"
		status=$?
	} 2>/dev/null
	if [ "$status" -eq 124 ]; then
		echo "difftest: $name run timed out after ${timeout_s}s" >&2
	fi
}

run native "${guest_env[@]}" "$guest" "${args[@]}"
native_status=$status
run emu "${emu_env[@]}" "$emu" "${emu_args[@]}" "$guest" "${args[@]}"
emu_status=$status

fail=0
if ! cmp -s "$tmp/native.out" "$tmp/emu.out"; then
	echo "difftest: stdout differs (native vs emulated):"
	diff -u --label "native stdout" --label "emulated stdout" "$tmp/native.out" "$tmp/emu.out" |
		head -n 200
	fail=1
fi
if [ "$native_status" != "$emu_status" ]; then
	echo "difftest: exit status differs: native $native_status, emulated $emu_status"
	fail=1
fi
# A sanitizer report means an emulator bug even if the guest's output survived.
if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
	"$tmp/emu.err"; then
	echo "difftest: sanitizer report in the emulator's stderr"
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "difftest: guest: $guest ${args[*]@Q}"
	echo "difftest: status native $native_status, emulated $emu_status"
	echo "--- emulator stderr (last 50 lines):"
	tail -n 50 "$tmp/emu.err"
	exit 1
fi
echo "difftest: $(basename "$guest") ${args[*]@Q}: stdout ($(wc -c <"$tmp/native.out") bytes) and status $native_status match"
exit 0
