#!/usr/bin/env bash
# deadlock.sh EMULATOR GUEST
#
# GUEST is thread_deadlock (guests/thread_deadlock.c); with the argument
# `deadlock` its two threads take two mutexes in opposite order and every
# task ends up asleep on a futex nobody can wake. EMULATOR must notice,
# print a report naming the deadlock on stderr and exit with status 125,
# quickly (the run is given 60 s; natively the program would hang). The
# guest's first line must have been printed, and the report must say for
# the two threads which futex word each waits on and at which pc.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR GUEST" >&2
	exit 2
fi
emu=$1
guest=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/deadlock.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

timeout -k 5 60 "$emu" "$guest" deadlock >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
fail=0
if [ "$status" -eq 124 ]; then
	echo "deadlock: the emulator was still running after 60 s"
	fail=1
elif [ "$status" -ne 125 ]; then
	echo "deadlock: exit status $status, want 125"
	fail=1
fi
if ! grep -qi deadlock "$tmp/err"; then
	echo "deadlock: no deadlock report on stderr"
	fail=1
fi
# The report names each task's wait and where it is (issue #17).
if [ "$(grep -c 'in futex: futex word 0x[0-9a-f]* (FUTEX_WAIT.*) at pc 0x' "$tmp/err")" -lt 2 ]; then
	echo "deadlock: the report does not name the two threads' futex words and pcs"
	fail=1
fi
if ! grep -qx 'locking in opposite order' "$tmp/out"; then
	echo "deadlock: the guest's stdout before the deadlock is missing"
	fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$tmp/err"; then
	echo "deadlock: sanitizer report in the emulator's stderr"
	fail=1
fi
echo "--- stdout:"
cat "$tmp/out"
echo "--- stderr (first 20 lines):"
head -n 20 "$tmp/err"
exit "$fail"
