#!/usr/bin/env bash
# clone3_fallback.sh EMULATOR GUEST MODE
#
# glibc's pthread_create tries clone3 first and falls back to clone when
# the kernel answers ENOSYS. MODE "disabled" runs GUEST under
# `EMULATOR --disable-syscall clone3`, MODE "enabled" under plain EMULATOR;
# both must give the native stdout and exit status (difftest.sh). A trace
# of a second emulated run then shows which path was taken:
#   disabled: clone3 returned ENOSYS and a clone with CLONE_THREAD followed
#   enabled:  clone3 succeeded and no clone carried CLONE_THREAD
# (The trace check only applies to glibc guests; musl never calls clone3,
# so for a .musl or .musl_dyn GUEST only the difftest is done.)
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 EMULATOR GUEST disabled|enabled" >&2
	exit 2
fi
emu=$1
guest=$2
mode=$3
here=$(cd "$(dirname "$0")" && pwd)
difftest=$here/../e2e/difftest.sh

case $mode in
disabled) emu_args="--disable-syscall clone3" ;;
enabled) emu_args="" ;;
*)
	echo "clone3_fallback: unknown mode $mode" >&2
	exit 2
	;;
esac

DIFF_EMU_ARGS=$emu_args "$difftest" "$emu" "$guest" || exit 1

case $guest in
*.musl | *.musl_dyn) exit 0 ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clone3_fallback.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086 # emu_args is meant to split
"$emu" $emu_args --trace="$tmp/trace" "$guest" >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" -ne 0 ]; then
	echo "clone3_fallback: traced run exited $status"
	cat "$tmp/err"
	exit 1
fi

# strace -f's format: a "[pid N] " prefix only while several tasks live,
# clone's arguments as child_stack=..., flags=CLONE_VM|... (older versions
# of the trace gave the flags first, or as a hex number: accept those too).
clone3_enosys=$(grep -cE '(^|\] )clone3\(.*= -1 ENOSYS' "$tmp/trace")
clone3_ok=$(grep -cE '(^|\] )clone3\(.*\) += [0-9]+$' "$tmp/trace")
thread_clones=$(grep -cE '(^|\] )clone\(.*flags=[A-Z_|]*CLONE_THREAD' "$tmp/trace")
while read -r flags; do
	if (((flags & 0x10000) != 0)); then # CLONE_THREAD
		thread_clones=$((thread_clones + 1))
	fi
done < <(sed -n 's/.*\] clone(\(0x[0-9a-f]*\),.*/\1/p' "$tmp/trace")

echo "clone3_fallback: $mode: clone3 ENOSYS $clone3_enosys, clone3 ok $clone3_ok, clone(CLONE_THREAD) $thread_clones"
if [ "$mode" = disabled ]; then
	if [ "$clone3_enosys" -ge 1 ] && [ "$clone3_ok" -eq 0 ] && [ "$thread_clones" -ge 1 ]; then
		exit 0
	fi
	echo "clone3_fallback: want clone3 -> ENOSYS and threads made by clone(CLONE_THREAD)"
else
	if [ "$clone3_ok" -ge 1 ] && [ "$clone3_enosys" -eq 0 ] && [ "$thread_clones" -eq 0 ]; then
		exit 0
	fi
	echo "clone3_fallback: want threads made by a successful clone3 and no clone(CLONE_THREAD)"
fi
grep -E '(^|\] )clone3?\(' "$tmp/trace" | head -n 20
exit 1
