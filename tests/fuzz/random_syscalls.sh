#!/usr/bin/env bash
# random_syscalls.sh EMULATOR GUEST SEED CHILDREN CALLS
#
# Runs the random-syscall guest under EMULATOR in a throw-away directory
# and fails when cloneemu itself does not survive it: an exit status other
# than the guest's 0, a sanitizer report (cloneemu-asan), an internal error
# or a hang (ctest's timeout). What the children did is the guest's
# business. Needs root (the children drop to nobody): 77 otherwise.
set -uo pipefail
emu=$(realpath "$1") guest=$(realpath "$2")
[ "$(id -u)" = 0 ] || { echo "random_syscalls: not root, skipped"; exit 77; }
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
# What the children create lands on a 64 MiB tmpfs of a private mount
# namespace: bounded, and gone with it.
unshare -m --propagation private sh -c '
	mkdir "$1/work" && mount -t tmpfs -o size=64m,mode=1777 none "$1/work" && cd "$1/work" &&
	exec "$2" "$3" "$4" "$5" "$6"' - "$dir" "$emu" "$guest" "$3" "$4" "$5" </dev/null >"$dir/.out" 2>"$dir/.err"
st=$?
fail=0
[ $st -eq 0 ] || { echo "cloneemu exited $st"; fail=1; }
if grep -aE "AddressSanitizer|LeakSanitizer|runtime error:|cloneemu: internal|Assertion .* failed" "$dir/.err" >/dev/null; then
	echo "cloneemu reported:"; grep -aE -A30 "AddressSanitizer|LeakSanitizer|runtime error:|cloneemu: internal|Assertion" "$dir/.err" | head -60
	fail=1
fi
grep -a "^random_syscalls:" "$dir/.out" || { echo "no summary line from the guest"; tail -5 "$dir/.err"; fail=1; }
exit $fail
