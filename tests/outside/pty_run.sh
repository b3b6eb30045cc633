#!/usr/bin/env bash
# pty_run.sh EMULATOR PROGRAM [ARGS...]: PROGRAM as the session leader of a
# new pty (pty_run.py), natively and under EMULATOR: the same output and
# exit status.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 EMULATOR PROGRAM [ARGS...]" >&2; exit 2; }
emu=$1; shift
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pty_run.XXXXXX") || exit 2
fail=0
timeout -k 5 100 python3 "$here/pty_run.py" "$@" >"$tmp/native" 2>&1 || fail=1
timeout -k 5 100 python3 "$here/pty_run.py" "$emu" "$@" >"$tmp/emu" 2>&1 || fail=1
if ! cmp -s "$tmp/native" "$tmp/emu"; then
	echo "pty_run: output differs (native vs emulated):"
	diff "$tmp/native" "$tmp/emu"
	fail=1
fi
echo "--- under the emulator:"; cat "$tmp/emu"
rm -rf "$tmp"
exit $fail
