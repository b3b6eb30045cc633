#!/usr/bin/env bash
# system_traced.sh EMULATOR GUEST
#
# GUEST (a static program calling system(), popen() and posix_spawn()) runs
# under EMULATOR with --trace: the host's /bin/sh must run inside the
# emulator, so the trace must show a child task's execve of /bin/sh and,
# since that shell is dynamically linked, the same task opening libc.so.6
# (its ld.so at work) and running the command's syscalls.
set -uo pipefail
emu=$(realpath "$1") guest=$(realpath "$2")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
env -i PATH=/usr/bin:/bin "$emu" --trace="$tmp/trace" "$guest" >"$tmp/out" 2>"$tmp/err"
status=$?
fail=0
if [ "$status" -ne 0 ]; then
	echo "system_traced: the guest exited $status"
	fail=1
fi
# The first task that execs /bin/sh, and what it does after.
pid=$(grep -m1 -E '^\[pid +[0-9]+\] execve\("/bin/sh"' "$tmp/trace" | sed -E 's/^\[pid +([0-9]+)\].*/\1/')
if [ -z "$pid" ]; then
	echo "system_traced: no execve(\"/bin/sh\", ...) in the trace"
	fail=1
elif ! grep -qE "^\[pid +$pid\] openat\(.*\"/lib/x86_64-linux-gnu/libc\.so\.6\"" "$tmp/trace"; then
	echo "system_traced: pid $pid ran /bin/sh but its ld.so did not open libc.so.6"
	fail=1
fi
if ! grep -q '^from system: 42$' "$tmp/out"; then
	echo "system_traced: the shell's output is missing"
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	echo "--- trace (first 40 lines of pid ${pid:-?}):"
	grep -E "^\[pid +${pid:-x}\]" "$tmp/trace" | head -40
	echo "--- stderr:"
	head -20 "$tmp/err"
	exit 1
fi
echo "system_traced: pid $pid execve'd /bin/sh and its ld.so opened libc.so.6"
