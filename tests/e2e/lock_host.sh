#!/usr/bin/env bash
# lock_host.sh EMULATOR GUEST: file locks between a guest and a host process
# (python3's fcntl), both ways (guests/lock_host.c says what the guest
# does). The sequence runs once natively and once under EMULATOR; the
# transcripts (what the host saw, the guest's stdout, its exit status) must
# be identical. Skipped (77) without python3.
set -uo pipefail
if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR GUEST" >&2
	exit 2
fi
emu=$1
guest=$2
command -v python3 >/dev/null || exit 77
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lock_host.XXXXXX") || exit 2
trap 'exec 3>&- 4>&- 2>/dev/null; rm -rf "$tmp"' EXIT

# The host side. hold FILE: a POSIX write lock on 0-9 and a shared flock
# lock until stdin closes. probe FILE: what a host process can take now.
helper='
import fcntl, os, struct, sys
f = open(sys.argv[2], "r+")
if sys.argv[1] == "hold":
    fcntl.lockf(f, fcntl.LOCK_EX, 10, 0)
    fl = os.open(sys.argv[2], os.O_RDONLY)
    fcntl.flock(fl, fcntl.LOCK_SH)
    print("held", flush=True)
    sys.stdin.read()
    os.close(fl) # the flock lock goes first, the POSIX one at exit
    sys.exit(0)
def try_(what, fn):
    try:
        fn()
        print("host:", what, "granted")
    except OSError:
        print("host:", what, "refused")
try_("lockf write 0-9", lambda: fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0))
try_("lockf read 20-29", lambda: fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB, 10, 20))
try_("lockf write 20-29", lambda: fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 20))
def flock(op):
    fd = os.open(sys.argv[2], os.O_RDONLY)
    try:
        fcntl.flock(fd, op | fcntl.LOCK_NB)
    finally:
        os.close(fd)
try_("flock shared", lambda: flock(fcntl.LOCK_SH))
try_("flock exclusive", lambda: flock(fcntl.LOCK_EX))
g = open(sys.argv[2], "r+")
l = fcntl.fcntl(g, fcntl.F_GETLK, struct.pack("hhxxxxqqixxxx", fcntl.F_WRLCK, 0, 0, 100, 0))
t, w, s, n, p = struct.unpack("hhxxxxqqixxxx", l)
print("host: F_GETLK", "unlocked" if t == fcntl.F_UNLCK else "type %d start %d len %d" % (t, s, n))
'

# until PATTERN FILE: wait (10 s at most) for a line in FILE.
until_line() {
	local i
	for i in $(seq 1 100); do
		grep -q "^$1" "$2" && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$1'"
	return 1
}

transcript() {
	local dat=$tmp/lock.dat hfifo=$tmp/hold gfifo=$tmp/in hout=$tmp/hold.out out=$tmp/out
	local err=$tmp/$1.err
	shift
	rm -f "$dat" "$hfifo" "$gfifo" "$hout" "$out"
	head -c 200 /dev/zero >"$dat" && mkfifo "$hfifo" "$gfifo" || exit 2
	python3 -c "$helper" hold "$dat" <"$hfifo" >"$hout" 2>&1 &
	local hpid=$!
	exec 4>"$hfifo"
	until_line held "$hout"
	timeout -k 5 60 "$@" "$guest" "$dat" <"$gfifo" >"$out" 2>"$err" 4>&- &
	local gpid=$!
	exec 3>"$gfifo"
	until_line waiting "$out"
	sleep 0.3 # the guest is asleep in F_SETLKW by now, or gets there later
	exec 4>&-
	wait "$hpid"
	until_line holding "$out"
	echo "while the guest holds its locks:"
	python3 -c "$helper" probe "$dat"
	echo go >&3
	until_line released "$out"
	echo "after the guest closed the file:"
	python3 -c "$helper" probe "$dat"
	echo go >&3
	exec 3>&-
	wait "$gpid"
	echo "guest status $?"
	cat "$out"
}

native=$(transcript native)
[ -n "${LOCK_HOST_SHOW:-}" ] && printf "%s\n" "$native"
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
