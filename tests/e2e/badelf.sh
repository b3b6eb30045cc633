#!/usr/bin/env bash
# badelf.sh EMULATOR MKBADELF GUEST_DIR CASE
#
# Feeds cloneemu one program it must refuse and checks how it refuses:
#   - exit status 127 for a missing file or interpreter and 126 for anything
#     else that cannot run (the shell's "not found" / "cannot execute"),
#   - nothing on stdout (the guest never ran),
#   - exactly one line on stderr, matching the case's reason (below; case
#     insensitive), which also rules out sanitizer reports from cloneemu-asan.
# The malformed files come from mkbadelf (see mkbadelf.c) in a temp dir.
set -uo pipefail

if [ $# -ne 4 ]; then
	echo "usage: $0 EMULATOR MKBADELF GUEST_DIR CASE" >&2
	exit 2
fi
emu=$1 mkbadelf=$2 guests=$3 case=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# A neutral name, and the path is cut out of stderr before the reason is
# matched, so neither can supply the keyword ("bad.elf32" contains "32").
want_status=126
prog=$tmp/prog
opts=()
# set_interp PATH: a copy of the dynamic hello whose PT_INTERP names PATH
# (at most as long as the original path; Linux reads up to the first NUL).
set_interp() {
	INTERP=$1 perl -0777 -pe 's{/lib64/ld-linux-x86-64\.so\.2\0}{$ENV{INTERP} . ("\0" x (28 - length $ENV{INTERP}))}e' \
		"$guests/hello.dynamic" >"$prog" || exit 2
	chmod +x "$prog"
}
# sysroot_interp FILE: a sysroot whose /lib64/ld-linux-x86-64.so.2 is FILE.
sysroot_interp() {
	mkdir -p "$tmp/root/lib64" && cp "$1" "$tmp/root/lib64/ld-linux-x86-64.so.2" &&
		chmod +x "$tmp/root/lib64/ld-linux-x86-64.so.2" || exit 2
	cp "$guests/hello.dynamic" "$prog" || exit 2
	opts=(--sysroot "$tmp/root")
}
case $case in
missing)
	prog=$tmp/missing/prog
	want_status=127
	reason='no such file|not found|does not exist|cannot open|ENOENT'
	;;
interp_missing)
	want_status=127
	set_interp /nonexistent/ld-x.so
	# The message must name the interpreter the binary asks for.
	reason='interpreter /nonexistent/ld-x\.so: no such file'
	;;
interp_not_elf)
	echo 'not a loader, but a text file longer than the 64 bytes of an ELF header' >"$tmp/text"
	sysroot_interp "$tmp/text"
	reason='interpreter .*/lib64/ld-linux-x86-64\.so\.2: not an ELF'
	;;
interp_elf32)
	"$mkbadelf" elf32 "$tmp/e32" "$guests/hello.glibc" || exit 2
	sysroot_interp "$tmp/e32"
	reason='interpreter .*/lib64/ld-linux-x86-64\.so\.2: .*(32|class)'
	;;
i386)
	# The 52-byte header of a 32-bit x86 executable (ELFCLASS32, EM_386).
	printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000\001\000\000\000\000\200\004\010\064\000\000\000\000\000\000\000\000\000\000\000\064\000\040\000\000\000\050\000\000\000\000\000' >"$prog"
	chmod +x "$prog"
	reason='32-bit x86 is not supported'
	;;
script_loop)
	# Six "#!" levels: Linux stops at five (ELOOP).
	for i in 1 2 3 4 5 6; do printf '#!%s\n' "$tmp/s$((i + 1))" >"$tmp/s$i"; chmod +x "$tmp/s$i"; done
	printf '#!/bin/sh\n' >"$tmp/s7"
	chmod +x "$tmp/s7"
	cp "$tmp/s1" "$prog"
	reason='nested too deep'
	;;
script_missing_interp)
	want_status=127
	printf '#!/nonexistent/shell -x\necho no\n' >"$prog"
	chmod +x "$prog"
	reason='/nonexistent/shell: no such file'
	;;
empty) reason='empty|too short|truncat|short|ELF|format' ;;
text | random) reason='ELF|magic|format|not an? ' ;;
truncated) reason='truncat|too short|short|header' ;;
elf32) reason='32|class|64-bit|ELF64' ;;
bigendian) reason='endian|big|MSB|byte order|data encoding' ;;
aarch64) reason='machine|architecture|x86.64|aarch64|183' ;;
phdrs_past_eof) reason='program header|phdr|past|beyond|end of file|EOF|truncat|outside' ;;
overlapping_load) reason='overlap' ;;
absurd_vaddr | vaddr_overflow) reason='address|range|vaddr|overflow|wrap|segment|too (large|high|big)|invalid' ;;
*)
	echo "badelf: unknown case $case" >&2
	exit 2
	;;
esac

case $case in
missing | interp_* | script_* | i386) ;;
*)
	"$mkbadelf" "$case" "$prog" "$guests/hello.glibc" || exit 2
	chmod +x "$prog"
	;;
esac

ulimit -c 0
{
	timeout -k 5 60 env -i PATH=/usr/bin:/bin HOME=/root LANG=C \
		${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
		"$emu" ${opts[@]+"${opts[@]}"} "$prog" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
} 2>/dev/null

fail=0
if [ "$status" -ne "$want_status" ]; then
	echo "badelf $case: exit status $status, want $want_status"
	fail=1
fi
if [ -s "$tmp/out" ]; then
	echo "badelf $case: unexpected stdout:"
	head -c 2000 "$tmp/out"
	fail=1
fi
lines=$(wc -l <"$tmp/err")
if [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" != '\n' ]; then
	echo "badelf $case: stderr should be exactly one line, got $lines newline(s)"
	fail=1
elif ! sed "s|$prog||g" "$tmp/err" | grep -qiE -- "$reason"; then
	echo "badelf $case: stderr does not give the reason (want /$reason/)"
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "--- stderr:"
	head -c 4000 "$tmp/err"
	exit 1
fi
echo "badelf $case: status $status; stderr: $(cat "$tmp/err")"
exit 0
