#!/usr/bin/env bash
# shared_host.sh EMULATOR GUEST: coherence of a guest's MAP_SHARED file
# mapping with host programs, while the guest runs and after it exits
# (guests/mmap_shared_host.c says what each side does). The sequence runs
# once natively and once under EMULATOR; the transcripts (what the host's od
# saw, the guest's stdout, its exit status) must be identical.
set -uo pipefail
if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR GUEST" >&2
	exit 2
fi
emu=$1
guest=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shared_host.XXXXXX") || exit 2
trap 'exec 3>&- 2>/dev/null; rm -rf "$tmp"' EXIT

# transcript NAME [EMULATOR]: one run, its transcript on stdout, the
# guest's stderr in $tmp/NAME.err.
transcript() {
	local dir=$tmp/scratch fifo=$tmp/in out=$tmp/out err=$tmp/$1.err
	shift
	rm -rf "$dir" "$fifo"
	mkdir "$dir" && mkfifo "$fifo" || exit 2
	timeout -k 5 100 "$@" "$guest" "$dir" <"$fifo" >"$out" 2>"$err" &
	local pid=$!
	exec 3>"$fifo"
	local i
	for i in $(seq 1 1000); do
		grep -q '^ready' "$out" && break
		sleep 0.1
	done
	echo "host od while the guest runs: $(od -An -c -N 7 "$dir/shared.dat" | tr -s ' ')"
	printf HOST | dd of="$dir/shared.dat" bs=1 seek=100 conv=notrunc status=none
	echo go >&3
	exec 3>&-
	wait "$pid"
	echo "guest status $?"
	echo "host od after its exit: $(od -An -c -j 200 -N 7 "$dir/shared.dat" | tr -s ' ')"
	cat "$out"
}

native=$(transcript native)
emulated=$(transcript emulated "$emu")
if [ "$native" = "$emulated" ]; then
	exit 0
fi
diff -u <(printf '%s\n' "$native") <(printf '%s\n' "$emulated")
echo "--- native stderr:"
cat "$tmp/native.err"
echo "--- emulator stderr:"
cat "$tmp/emulated.err"
exit 1
