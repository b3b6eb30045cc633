#!/usr/bin/env bash
# The real gdb in batch mode against cloneemu --gdb (issue 15): signals,
# fs_base and inferior calls, fork/vfork/exec events with multiprocess,
# watchpoints, info proc mappings. The subject is gdb_subject.c.
#   gdb_session.sh CASE EMULATOR GUEST_DIR
set -uo pipefail
case_=$1 emu=$2 gdir=$3
g=$gdir/tools_gdb_subject.glibc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- gdb:"; cat "$tmp/gdb"; echo "--- cloneemu:"; cat "$tmp/out" "$tmp/e"; exit 1; }
# session MODE gdb-commands...: the subject under cloneemu --gdb, gdb's
# output in $tmp/gdb, cloneemu's exit status in $st.
session() {
	local mode=$1
	shift
	local port=$((20000 + RANDOM % 20000))
	local prog=${prog:-$g}
	"$emu" --gdb "$port" "$prog" "$mode" >"$tmp/out" 2>"$tmp/e" &
	local pid=$!
	for _ in $(seq 100); do grep -qs waiting "$tmp/e" && break; sleep 0.1; done
	local args=()
	for c in "$@"; do args+=(-ex "$c"); done
	timeout 120 gdb -batch -nx -ex 'set breakpoint pending on' -ex "target remote :$port" "${args[@]}" \
		"$prog" >"$tmp/gdb" 2>&1
	wait "$pid"
	st=$?
	! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/e" || fail "sanitizer report"
}
has() { grep -Eq -- "$1" "$tmp/gdb" || fail "${2:-gdb did not say: $1}"; }

case $case_ in
segv)
	session segv continue bt continue
	has '^Program received signal SIGSEGV, Segmentation fault\.'
	has '^0x[0-9a-f]+ in segv \(p=0x0\) at .*gdb_subject\.c:[0-9]+'
	has '^#1 .* in main '
	has '^Program terminated with signal SIGSEGV, Segmentation fault\.'
	[ "$st" = 139 ] || fail "cloneemu exit status $st, not 139"
	;;
signals)
	# SIGUSR1 discarded (signal 0), SIGUSR2 passed to its handler.
	session signals continue 'signal 0' continue
	has '^Program received signal SIGUSR1, User defined signal 1\.'
	has '^Program received signal SIGUSR2, User defined signal 2\.'
	has 'exited normally'
	grep -q '^usr1 0 usr2 1$' "$tmp/out" || fail "handlers: $(cat "$tmp/out")"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	;;
signal_other)
	# "signal SIGUSR2" at the SIGUSR1 stop: the USR2 handler runs instead.
	session signals continue 'signal SIGUSR2' continue
	has 'exited normally'
	grep -q '^usr1 0 usr2 2$' "$tmp/out" || fail "handlers: $(cat "$tmp/out")"
	;;
fsbase_call)
	session watch 'break store' continue 'p $fs_base != 0' 'p/x $gs_base' 'p (int)getpid() == mypid' \
		'p child_work(20)' 'info registers fs_base' continue
	has '^\$1 = 1$' 'fs_base reads 0'
	has '^\$2 = 0x0$' 'gs_base'
	has '^\$3 = 1$' 'getpid() from gdb differs from the guest'"'"'s'
	has '^\$4 = 40$' 'inferior call of child_work'
	has '^fs_base +0x[0-9a-f]+ +[0-9]+' 'info registers fs_base'
	has 'exited normally'
	grep -q '^watched 2$' "$tmp/out" || fail "the program's own run changed"
	;;
fork_child)
	session fork 'set follow-fork-mode child' 'break child_work' continue 'bt 1' 'info inferiors' continue
	has '^\[Attaching after Thread [0-9]+\.[0-9]+ fork to child Thread ([0-9]+)\.[0-9]+\]'
	has '^\[New inferior 2 \(process [0-9]+\)\]'
	has '^\[Detaching after fork from parent process [0-9]+\]'
	has 'hit Breakpoint 1, child_work \(x=1\)'
	has '^\* 2 +process [0-9]+ '
	has '^\[Inferior 2 \(process [0-9]+\) exited with code 03\]'
	grep -q '^child status 3$' "$tmp/out" || fail "the parent's wait"
	;;
fork_both)
	# Both processes stay under gdb; each is its own inferior.
	session fork 'set detach-on-fork off' 'set schedule-multiple on' 'break child_work' continue \
		'info inferiors' 'info threads' continue 'inferior 1' continue
	has '^\[New inferior 2 \(process [0-9]+\)\]'
	has 'hit Breakpoint 1\.2, child_work \(x=1\)|hit Breakpoint 1, child_work \(x=1\)'
	has '^  1 +process [0-9]+ '
	has '^\* 2 +process [0-9]+ '
	has '^\[Inferior 2 \(process [0-9]+\) exited with code 03\]'
	has '^\[Inferior 1 \(process [0-9]+\) exited normally\]'
	;;
fork_hold)
	# Following the child with detach-on-fork off, gdb resumes the child
	# only: the parent stays stopped (after_fork still 0) until resumed.
	session fork 'set detach-on-fork off' 'set follow-fork-mode child' 'break child_work' continue \
		'inferior 1' 'p after_fork' 'set schedule-multiple on' continue 'inferior 1' continue
	has 'hit Breakpoint 1\.2, child_work \(x=1\)'
	has '^\$1 = 0$' 'the parent ran while gdb held it'
	has '^\[Inferior 2 \(process [0-9]+\) exited with code 03\]'
	has '^\[Inferior 1 \(process [0-9]+\) exited normally\]'
	grep -q '^child status 3$' "$tmp/out" || fail "the parent's wait"
	;;
vfork_exec)
	session vfork 'set follow-fork-mode child' 'catch exec' continue 'info inferiors' continue
	has '^\[Attaching after Thread [0-9.]+ vfork to child Thread [0-9.]+\]'
	has "hit Catchpoint 1 \\(exec'd /usr/bin/true\\)"
	has '^\[Inferior 2 \(process [0-9]+\) exited normally\]'
	;;
exec)
	session exec 'catch exec' continue 'break store' continue 'bt 1' continue
	has '^process [0-9]+ is executing new program: .*tools_gdb_subject\.glibc$'
	has "Catchpoint 1 \\(exec'd .*tools_gdb_subject\\.glibc\\), .* in _start \\(\\)"
	has 'Breakpoint 2, store \(v=1\)'
	has 'exited normally'
	;;
watch)
	session watch 'break store' continue 'watch watched' continue continue continue
	has '^Hardware watchpoint 2: watched$'
	grep -A3 '^Hardware watchpoint 2: watched$' "$tmp/gdb" | tr '\n' ' ' |
		grep -q 'Old value = 0 New value = 1' || fail "first write"
	has '^Old value = 1$'
	has '^New value = 2$'
	has '^store \(v=1\) at .*gdb_subject\.c:3[23]$'
	has 'exited normally'
	grep -q '^watched 2$' "$tmp/out" || fail "the program's own run changed"
	;;
dynamic)
	# A dynamic program: gdb finds ld.so's base in the auxv (qXfer:auxv),
	# reads the libraries through vFile and stops in libc's write.
	prog=/bin/echo session hi 'break write' continue 'bt 1' 'info sharedlibrary' continue
	has '^Breakpoint 1, .*write \(fd=1, buf=0x[0-9a-f]+, nbytes=3\)'
	has 'Yes .*/libc\.so\.6$' 'libc not among the shared libraries'
	has 'exited normally'
	grep -q '^hi$' "$tmp/out" || fail "echo's output"
	;;
proc_mappings)
	session watch 'break main' continue 'info proc mappings' continue
	has '^process [0-9]+$'
	has '^ +0x400000 +0x[0-9a-f]+ +0x[0-9a-f]+ +0x0 +r--p +.*tools_gdb_subject\.glibc$'
	has 'r-xp +.*tools_gdb_subject\.glibc$'
	has 'rw-p +\[stack\]$'
	has 'exited normally'
	;;
*)
	fail "unknown case $case_"
	;;
esac
echo "ok: $case_"
