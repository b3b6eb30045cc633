#!/usr/bin/env bash
# pty_jobs.sh EMULATOR SHELL...: tests/outside/pty_jobs.py's interactive
# session (background job, jobs, kill %1, a foreground cat, ^Z, bg, fg, ^C)
# natively and under EMULATOR; the outcome lines must be the same.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 EMULATOR SHELL [ARGS...]" >&2; exit 2; }
emu=$1; shift
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pty_jobs.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
timeout -k 5 150 python3 "$here/pty_jobs.py" "$@" >"$tmp/native" 2>"$tmp/native.err" || {
	echo "pty_jobs: the native session failed"; cat "$tmp/native.err"; exit 1; }
fail=0
timeout -k 5 150 python3 "$here/pty_jobs.py" "$emu" "$@" >"$tmp/emu" 2>"$tmp/emu.err" || {
	echo "pty_jobs: the emulated session failed"; cat "$tmp/emu.err"; fail=1; }
if ! cmp -s "$tmp/native" "$tmp/emu"; then
	echo "pty_jobs: outcomes differ (native vs emulated):"
	diff "$tmp/native" "$tmp/emu"
	fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/emu" "$tmp/emu.err"; then
	echo "pty_jobs: sanitizer report"
	fail=1
fi
echo "--- outcome under the emulator:"; cat "$tmp/emu"
exit $fail
