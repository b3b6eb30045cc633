#!/usr/bin/env bash
# sysroot.sh EMULATOR
#
# -L/--sysroot DIR (and CLONEEMU_LD_PREFIX=DIR) take the ELF interpreter and
# every absolute path that exists under DIR from DIR, as qemu-user's -L does:
#   - a sysroot with its own copies of ld.so and libc.so.6 and an extra
#     /etc file: /bin/cat run with it maps both copies (its /proc/self/maps
#     names them) and reads the sysroot's file; paths the sysroot lacks
#     (/bin/cat itself, /etc/ld.so.cache) come from the machine
#   - the same through CLONEEMU_LD_PREFIX
#   - a sysroot that is not a directory is a usage error (status 2)
set -uo pipefail
emu=$(realpath "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/lib64" "$root/lib/x86_64-linux-gnu" "$root/etc" || exit 2
cp /lib64/ld-linux-x86-64.so.2 "$root/lib64/" || exit 2
cp /lib/x86_64-linux-gnu/libc.so.6 "$root/lib/x86_64-linux-gnu/" || exit 2
echo "only in the sysroot" >"$root/etc/ce-sysroot-marker"
fail=0

check_run() { # LABEL ENV-ASSIGNMENT|- EMULATOR-OPTIONS...
	local label=$1 envv=$2
	shift 2
	local envs=(PATH=/usr/bin:/bin)
	[ "$envv" != - ] && envs+=("$envv")
	env -i "${envs[@]}" "$emu" "$@" /bin/cat /etc/ce-sysroot-marker /proc/self/maps \
		>"$tmp/out" 2>"$tmp/err"
	local st=$?
	if [ $st -ne 0 ]; then
		echo "sysroot $label: exit status $st"; cat "$tmp/err"; fail=1; return
	fi
	grep -q '^only in the sysroot$' "$tmp/out" || { echo "sysroot $label: the sysroot's /etc file was not read"; fail=1; }
	grep -q " $root/lib64/ld-linux-x86-64.so.2\$" "$tmp/out" ||
		{ echo "sysroot $label: the interpreter is not the sysroot's"; fail=1; }
	grep -q " $root/lib/x86_64-linux-gnu/libc.so.6\$" "$tmp/out" ||
		{ echo "sysroot $label: libc.so.6 is not the sysroot's"; fail=1; }
	grep -q ' /usr/bin/cat$' "$tmp/out" || { echo "sysroot $label: /bin/cat is not the machine's"; fail=1; }
	[ $fail -eq 0 ] && echo "sysroot $label: ld.so, libc and /etc file from $root"
	[ $fail -eq 0 ] || { echo "--- output:"; head -30 "$tmp/out"; }
}
check_run --sysroot - --sysroot "$root"
check_run -L - -L "$root"
check_run CLONEEMU_LD_PREFIX "CLONEEMU_LD_PREFIX=$root"

env -i "$emu" --sysroot "$tmp/nonexistent" /bin/true >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -ne 2 ] || ! grep -q 'not a directory' "$tmp/err"; then
	echo "sysroot: a missing sysroot gave status $st: $(cat "$tmp/err")"
	fail=1
fi
exit $fail
