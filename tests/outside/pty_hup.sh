#!/usr/bin/env bash
# pty_hup.sh EMULATOR SUBJECT: the terminal of a session goes away
# (pty_hup.py closes the master): the session leader's SIGHUP and SIGCONT,
# natively and under EMULATOR, must be the same.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 EMULATOR SUBJECT" >&2; exit 2; }
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pty_hup.XXXXXX") || exit 2
fail=0
timeout -k 5 90 python3 "$here/pty_hup.py" "$2" "$tmp/native.got" >"$tmp/native" 2>&1 || fail=1
timeout -k 5 90 python3 "$here/pty_hup.py" "$1" "$2" "$tmp/emu.got" >"$tmp/emu" 2>&1 || fail=1
if ! cmp -s "$tmp/native" "$tmp/emu"; then
	echo "pty_hup: differs (native vs emulated):"; diff "$tmp/native" "$tmp/emu"; fail=1
fi
echo "--- under the emulator:"; cat "$tmp/emu"
rm -rf "$tmp"
exit $fail
