#!/usr/bin/env bash
# deadlock_report.sh EMULATOR SUBJECT: deadlock_subject.c under EMULATOR must
# end in the deadlock report (exit 125) naming each task's wait — the
# parent's wait4 for its child, the child's read of the pipe — its pc with
# the function symbol, and the child's frame-pointer backtrace into main.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 EMULATOR SUBJECT" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/deadlock_report.XXXXXX") || exit 2
timeout -k 5 60 "$1" "$2" >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
fail=0
[ $st -eq 125 ] || { echo "deadlock_report: exit $st, want 125"; fail=1; }
check() { # REGEX WHAT
	grep -qE "$1" "$tmp/err" || { echo "deadlock_report: the report lacks $2"; fail=1; }
}
check 'in wait: wait4 for child [0-9]+ at pc 0x[0-9a-f]+ <[a-z_0-9]+\+0x[0-9a-f]+>' "the parent's wait4 and pc"
check 'in pipe read: read on fd 3, pipe:\[[0-9]+\] read end at pc 0x[0-9a-f]+ <[a-z_0-9]+\+0x[0-9a-f]+>' "the child's pipe read and pc"
check '#1 0x[0-9a-f]+ <main\+0x[0-9a-f]+>' "the child's backtrace into main"
grep -qx waiting "$tmp/out" || { echo "deadlock_report: stdout before the deadlock is missing"; fail=1; }
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/err"; then
	echo "deadlock_report: sanitizer report"; fail=1
fi
echo "--- stderr:"; cat "$tmp/err"
rm -rf "$tmp"
exit $fail
