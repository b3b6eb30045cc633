#!/usr/bin/env bash
# envopts.sh EMULATOR ARGV_ENV_GUEST
#
# cloneemu's -E VAR=VAL and -U VAR (as in qemu-user) change the guest's
# environment. Runs the guest natively with the change made by env(1) and
# under cloneemu with "-E CE_C=added -U CE_A" (and a -E that overrides an
# existing variable), then compares stdout and exit status.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR ARGV_ENV_GUEST" >&2
	exit 2
fi
emu=$1 guest=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/envopts.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

base=(PATH=/usr/bin:/bin HOME=/root LANG=C CE_A=alpha "CE_B=beta gamma")
san=()
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!v+set}" ] && san+=("$v=${!v}")
done

# Natively: drop CE_A, add CE_C, and replace CE_B.
env -i PATH=/usr/bin:/bin HOME=/root LANG=C CE_B=replaced CE_C=added \
	"$guest" x </dev/null >"$tmp/native.out" 2>/dev/null
native=$?
timeout -k 5 100 env -i "${base[@]}" "${san[@]}" \
	"$emu" -E CE_C=added -U CE_A -E CE_B=replaced "$guest" x \
	</dev/null >"$tmp/emu.out" 2>"$tmp/emu.err"
emu_status=$?

fail=0
if ! cmp -s "$tmp/native.out" "$tmp/emu.out"; then
	echo "envopts: stdout differs:"
	diff -u --label native --label emulated "$tmp/native.out" "$tmp/emu.out"
	fail=1
fi
if [ "$native" -ne "$emu_status" ]; then
	echo "envopts: exit status native $native, emulated $emu_status"
	fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/emu.err"; then
	echo "envopts: sanitizer report"
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	echo "--- emulator stderr:"
	tail -n 50 "$tmp/emu.err"
	exit 1
fi
echo "envopts: ok"
cat "$tmp/native.out"
