#!/usr/bin/env bash
# cloneemu --trace against the real strace: the same guest (strace_subject.c)
# runs natively under `strace -f` and under `cloneemu --trace`; the lines
# that must agree (data, execve, mmap flags, errno names, signal and exit
# lines, wait statuses) are picked from both, addresses and pids
# normalized, and compared. Also --trace-only, --summary, -s, a killed run
# keeping its trace, and the command-line checks.
#   strace_compare.sh CASE EMULATOR GUEST_DIR
# CASE: compare, trace_only, summary, strsize, killed, cli, tty
set -uo pipefail
case_=$1 emu=$(realpath "$2") gdir=$(realpath "$3")
g=$gdir/strace_subject
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cetrace.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
cp "$g" ./strace_subject || exit 2
fail() { echo "FAIL: $*"; exit 1; }
# Descriptors the test runner leaves open would shift the native run's fds.
for fd in $(ls /proc/$$/fd); do
	[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
done
command -v strace >/dev/null || fail "strace is not installed (apt-get install strace)"

# Run natively under strace and under cloneemu, same environment and argv.
native() { env -i A=1 B=2 strace -f "$@" ./strace_subject >native.out 2>native.trace; }
emulated() { env -i A=1 B=2 "$emu" "$@" ./strace_subject >emu.out 2>emu.err; }

# Lines without the [pid N] prefix, hex addresses and pids made generic,
# strace's "Process N attached" notes dropped, the padding before " = "
# made one space (it depends on the prefix's width).
normalize() {
	sed -E -e 's/^\[pid +[0-9]+\] //' \
		-e 's/strace: Process [0-9]+ attached//' \
		-e 's/0x[0-9a-f]{5,}/ADDR/g' \
		-e 's/si_pid=[0-9]+/si_pid=PID/' \
		-e 's/\{pid=[0-9]+,/{pid=PID,/' \
		-e 's/^(kill|wait4)\([0-9]+/\1(PID/' \
		-e 's/^(clone3?\(.*\)) += [0-9]+$/\1 = PID/' \
		-e 's/parent_tid=\[[0-9]+\]/parent_tid=[PID]/' \
		-e 's/\) += (-?[0-9]+)$/) = \1/' \
		-e 's/\) += /) = /' "$1"
}

compare() {
	native || fail "native strace run failed: $(tail -3 native.trace)"
	emulated --trace=emu.trace || fail "cloneemu run failed: $(cat emu.err)"
	cmp -s native.out emu.out || { diff native.out emu.out; fail "guest output differs"; }
	# strace writes "clone(...SIGCHLD" and ", child_tidptr=...) = N" on two
	# lines when the child attaches in between: join them back.
	sed -i -E ':a;/attached$/{N;s/strace: Process [0-9]+ attached\n//;ba}' native.trace
	normalize native.trace >n.norm
	normalize emu.trace >e.norm
	local bad=0
	# Each pattern picks lines (in order) that must be identical.
	while IFS= read -r pat; do
		[ -n "$pat" ] || continue
		grep -E -- "$pat" n.norm >n.sel
		grep -E -- "$pat" e.norm >e.sel
		if [ ! -s n.sel ]; then
			echo "pattern matches nothing natively: $pat"
			bad=1
		elif ! cmp -s n.sel e.sel; then
			echo "--- differs for pattern: $pat"
			diff n.sel e.sel
			bad=1
		fi
	done <<'EOF'
^execve\(
^write\((1|3), 
^openat\(
^lseek\(
^read\(3, "0
^close\(
^unlink\(
^mmap\(NULL, 8192, 
^munmap\(
^rt_sigaction\(SIGUSR1, 
^kill\(
^--- SIG
^rt_sigreturn\(
^alarm\(
^pause\(\) 
^poll\(
^pselect6\(
^epoll_
^ioctl\(3, 
^prctl\(
^flock\(
^fadvise64\(
^memfd_create\(
^rt_sigtimedwait\(
^socket\(
^bind\(
^getsockname\(
^socketpair\(
^setsockopt\(
^getsockopt\(
^sendmsg\(
^recvmsg\(
^pipe2\(
^\+\+\+ 
EOF
	# Wait statuses, and the first part of lines that another task's line
	# may cut ("<unfinished ...>"), depending on the host's scheduling.
	for pat in '\[\{W[^]]*\}\]' '^exit_group\([0-9]+' '^clone\(child_stack=NULL, flags=[A-Z_|]+' \
		'^clone3\(\{flags=[A-Z_|]+' ' => \{parent_tid=\[PID\]\}, 88\)' \
		'^clock_nanosleep\(CLOCK_REALTIME, 0, \{tv_sec=0, tv_nsec=2000000\},'; do
		grep -oE "$pat" n.norm >n.sel
		grep -oE "$pat" e.norm >e.sel
		cmp -s n.sel e.sel || { echo "--- differs for $pat"; diff n.sel e.sel; bad=1; }
	done
	# Alignment: a short line before any fork is byte-identical, padding
	# included (" = " at column 40).
	grep -F 'lseek(3, 0, SEEK_SET)' native.trace >n.sel
	grep -F 'lseek(3, 0, SEEK_SET)' emu.trace >e.sel
	cmp -s n.sel e.sel || { diff n.sel e.sel; bad=1; }
	# "<unfinished ...>" and "<... read resumed>" pair up for the child's read.
	grep -qE '^\[pid +[0-9]+\] read\(3,  <unfinished \.\.\.>$' emu.trace || { echo "no unfinished read"; bad=1; }
	grep -qE '^\[pid +[0-9]+\] <\.\.\. read resumed>"wake", 16\) += 4$' emu.trace || { echo "no resumed read"; bad=1; }
	[ "$bad" = 0 ] || { echo "--- cloneemu's trace:"; cat emu.trace; fail "traces differ"; }
	echo "$(wc -l <e.norm) lines traced; the selected ones match strace -f"
}

# The names of the syscalls a trace shows, sorted, one a line.
names() { grep -oE '^(\[pid +[0-9]+\] )?[a-z0-9_]+\(' "$1" | sed -E 's/^\[pid +[0-9]+\] //; s/\($//' | sort -u; }

trace_only() {
	native -e trace=%process || fail "native run"
	emulated --trace=emu.trace --trace-only=%process || fail "cloneemu run: $(cat emu.err)"
	names native.trace >n.names
	names emu.trace >e.names
	cmp -s n.names e.names || { diff n.names e.names; fail "%process: other syscalls than strace's"; }
	grep -q '^+++ exited with 0 +++' emu.trace || fail "exit lines are not filtered out"
	# A negation of a class and a name.
	native -e 'trace=!%file,write,brk' || fail "native run"
	emulated --trace=emu.trace '--trace-only=!%file,write,brk' || fail "cloneemu run"
	grep -Eq '^(\[pid +[0-9]+\] )?(write|openat|unlink|execve|brk)\(' emu.trace &&
		fail "negated syscalls traced: $(grep -E '(write|openat|unlink|execve|brk)\(' emu.trace | head -3)"
	for s in mmap lseek read close kill pipe2 clone wait4; do
		grep -q "$s(" emu.trace || fail "$s missing under !%file,write,brk"
		grep -q "$s(" native.trace || fail "$s missing natively"
	done
	# Bad sets are usage errors.
	"$emu" --trace-only=nosuchcall ./strace_subject >/dev/null 2>err
	[ $? = 2 ] || fail "unknown syscall name accepted"
	grep -q "invalid system call 'nosuchcall'" err || fail "message: $(cat err)"
	"$emu" --trace-only=%nosuchclass ./strace_subject >/dev/null 2>err
	[ $? = 2 ] || fail "unknown class accepted"
	echo "%process: $(tr '\n' ' ' <e.names)"
}

summary() {
	native -c -o native.sum || fail "native run"
	emulated --summary || fail "cloneemu run: $(cat emu.err)"
	grep -q '^% time     seconds  usecs/call     calls    errors syscall$' emu.err || fail "no header: $(cat emu.err)"
	grep -q '^------ ----------- ----------- --------- --------- ----------------$' emu.err || fail "no rule"
	# calls and errors columns for the guest's own syscalls (the libc's start
	# differs: cloneemu has no rseq), as "name calls errors".
	row() { awk -v s="$2" '$NF == s { e = (NF == 6) ? $5 : 0; print s, $4, e }' "$1"; }
	for s in write openat read lseek close unlink munmap kill pipe2 clone wait4 execve clock_nanosleep exit_group; do
		n=$(row native.sum "$s") e=$(row emu.err "$s")
		# exit_group never returns: strace -c has no row for it.
		[ -n "$n" ] || [ "$s" = exit_group ] || fail "strace -c has no $s row"
		[ "$n" = "$e" ] || fail "row $s: strace -c says '$n', cloneemu '$e'"
	done
	total=$(awk '$NF == "total" { print $4 }' emu.err)
	lines=$(awk 'NR > 2 && $NF != "total" && $1 !~ /^-/ { s += $4 } END { print s }' emu.err)
	[ "$total" = "$lines" ] || fail "total calls $total, rows add up to $lines"
	# --summary alone prints no trace lines.
	grep -q 'write(' emu.err && fail "--summary printed trace lines"
	echo "summary rows agree with strace -c; total $total calls"
}

strsize() {
	native -s 8 || fail "native run"
	emulated --trace=emu.trace -s 8 || fail "cloneemu run"
	n=$(grep -F 'read(3, "0' native.trace) e=$(grep -F 'read(3, "0' emu.trace)
	[ "$n" = "$e" ] || fail "-s 8: strace '$n', cloneemu '$e'"
	native -s 100 || fail "native run"
	emulated --trace=emu.trace --string-limit 100 || fail "cloneemu run"
	n=$(grep -F 'read(3, "0' native.trace) e=$(grep -F 'read(3, "0' emu.trace)
	[ "$n" = "$e" ] || fail "--string-limit 100: strace -s 100 '$n', cloneemu '$e'"
	case $e in *'\0\1\0027\377\"\\\t\177~", 64) = 51') ;; *) fail "the binary tail: $e" ;; esac
	"$emu" -s -3 ./strace_subject >/dev/null 2>&1
	[ $? = 2 ] || fail "-s -3 accepted"
	echo "ok: $n"
}

killed() {
	# The guest prints, then sleeps in read(0) on a FIFO nobody writes:
	# kill -9 cloneemu and look at what the trace file kept.
	mkfifo in || fail "mkfifo"
	exec 3<>in
	"$emu" --trace=emu.trace ./strace_subject block <in >emu.out 2>emu.err &
	pid=$!
	for _ in $(seq 100); do grep -q blocking emu.out 2>/dev/null && break; sleep 0.1; done
	grep -q blocking emu.out || fail "the guest did not start"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	exec 3>&-
	grep -q '^write(1, "blocking\\n", 9) *= 9$' emu.trace || { cat emu.trace; fail "the trace lost its lines"; }
	grep -q '^execve("./strace_subject", \["./strace_subject", "block"\]' emu.trace || fail "no execve line"
	# The call it sleeps in is there too, as strace writes it.
	[ "$(tail -n 1 emu.trace)" = 'read(0, ' ] || fail "the sleeping read is missing: $(tail -2 emu.trace)"
	echo "killed run kept $(wc -l <emu.trace) lines"
}

cli() {
	"$emu" --seed -1 ./strace_subject >/dev/null 2>err
	[ $? = 2 ] || fail "--seed -1 accepted"
	grep -q -- '--seed wants a number' err || fail "message: $(cat err)"
	"$emu" --seed 99999999999999999999999 ./strace_subject >/dev/null 2>err
	[ $? = 2 ] || fail "an overflowing --seed accepted"
	"$emu" --seed 18446744073709551615 ./strace_subject exec >out 2>err || fail "the largest seed refused"
	"$emu" --graph /nonexistent/dir/g.dot ./strace_subject exec >out 2>err
	[ $? = 2 ] || fail "--graph into a missing directory: not a usage error"
	[ -s out ] && fail "the guest ran although --graph cannot be written"
	grep -q 'cannot create /nonexistent/dir/g.dot' err || fail "message: $(cat err)"
	(umask 027 && "$emu" --graph g.dot ./strace_subject exec >out 2>err) || fail "--graph run"
	[ "$(stat -c %a g.dot)" = 640 ] || fail "--graph file mode $(stat -c %a g.dot) under umask 027"
	grep -q '^digraph' g.dot || fail "empty graph"
	(umask 027 && "$emu" --trace=t.trace ./strace_subject exec >out 2>err) || fail "--trace run"
	[ "$(stat -c %a t.trace)" = 640 ] || fail "--trace file mode $(stat -c %a t.trace)"
	"$emu" --trace=/nonexistent/dir/t ./strace_subject exec >out 2>err
	[ $? = 2 ] || fail "--trace into a missing directory"
	"$emu" --replay /nonexistent/rec ./strace_subject exec >out 2>err
	[ $? = 2 ] || fail "--replay of a missing file: not a usage error"
	grep -q 'cannot read /nonexistent/rec: No such file or directory' err || fail "message: $(cat err)"
	"$emu" --help >help || fail "--help"
	for s in '0-255' '128+N' '  2 ' '  124 ' '  125 ' '  126 ' '  127 ' "'quit'"; do
		grep -qF -- "$s" help || fail "--help does not list exit status '$s'"
	done
	printf 'until nosuchcall\nquit\n' >cmds
	"$emu" --step=cmds ./strace_subject exec >out 2>err
	st=$?
	grep -q "until: no syscall named 'nosuchcall'" err || fail "until with an unknown name: $(cat err)"
	[ "$st" = 137 ] || fail "quit: status $st, want 137 as --help says"
	printf 'until write\ncontinue\n' >cmds
	"$emu" --step=cmds ./strace_subject exec >out 2>err || fail "until write"
	grep -q 'about to make syscall write' err || fail "until write did not stop"
	echo "ok: command-line checks"
}

# Terminal ioctls (termios, window size) under a pty made by script(1).
tty() {
	command -v script >/dev/null || fail "script(1) is not installed (util-linux)"
	script -qec "strace -e trace=ioctl ./strace_subject tty" /dev/null </dev/null >native.trace 2>&1 ||
		fail "native run: $(cat native.trace)"
	script -qec "'$emu' --trace-only=ioctl --trace ./strace_subject tty" /dev/null </dev/null >emu.trace 2>&1 ||
		fail "cloneemu run: $(cat emu.trace)"
	# strace names TCSETSW after an OSS alias too.
	tr -d '\r' <native.trace | grep '^ioctl(0' | sed -E 's/SNDCTL_TMR_[A-Z]+ or //' >n.sel
	tr -d '\r' <emu.trace | grep '^ioctl(0' >e.sel
	[ -s n.sel ] || fail "no ioctl lines natively"
	cmp -s n.sel e.sel || { diff n.sel e.sel; fail "terminal ioctls differ"; }
	grep -q 'TCGETS, {c_iflag=' e.sel || fail "termios not decoded"
	echo "$(wc -l <e.sel) terminal ioctls match strace"
}

case $case_ in
compare) compare ;;
tty) tty ;;
trace_only) trace_only ;;
summary) summary ;;
strsize) strsize ;;
killed) killed ;;
cli) cli ;;
*) fail "unknown case $case_" ;;
esac
