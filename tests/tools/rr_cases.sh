#!/usr/bin/env bash
# rr_cases.sh CASE EMULATOR GUEST_DIR [GO]
#
# Reproducibility without holes (issue 15):
#   entropy_seed  the TSC, RDRAND/RDSEED, getrandom, AT_RANDOM and
#                 /dev/urandom: the same --seed gives byte-identical output
#                 and --trace, another seed other bytes; --random=host and
#                 --clock=host are the host's, recorded and replayed
#   go_seed       the same for a Go program (built with GO, .deps/go)
#   go_replay     a Go program recorded, replayed with its input file gone
#   busybox       busybox wc, ls -l and date recorded, replayed with the
#                 input files removed: same output and trace
#   changed_exe   a replay against a changed executable is refused, naming it
#   epoch         the wall clock: without --epoch it starts at the host's time
#                 (same-seed runs differ there and only there), --epoch=S
#                 fixes it (C clocks, a shell running date: identical output
#                 and trace), recorded and replayed; bad values refused
#   rust_seed     same-seed runs of a Rust program (rustc, Debian's) identical
#   programs      git status (which chdirs into the repository), sqlite3 and
#                 python3 recorded, replayed with their files removed
#
# Same-seed runs use --epoch (the wall clock's start), which a Go or Rust
# runtime and the C subject read.
set -uo pipefail
case_=$1 emu=$2 gdir=$3 go=${4:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rr_cases.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# Record, change the world with "$1", replay: output and trace must match.
record_replay() {
	local change=$1
	shift
	"$emu" --record "$tmp/rec" --trace="$tmp/t1" "$@" >"$tmp/o1" </dev/null || fail "recording run of $*"
	eval "$change"
	"$emu" --replay "$tmp/rec" --trace="$tmp/t2" "$@" >"$tmp/o2" 2>"$tmp/e2" 0<&- ||
		{ cat "$tmp/e2"; fail "replay of $*"; }
	cmp -s "$tmp/o1" "$tmp/o2" || { diff "$tmp/o1" "$tmp/o2"; fail "replayed output of $* differs"; }
	cmp -s "$tmp/t1" "$tmp/t2" || { diff "$tmp/t1" "$tmp/t2" | head; fail "replayed trace of $* differs"; }
}

epoch=1700000000 # 2023-11-14 22:13:20 UTC

# Two runs with --seed 3 identical (output and trace), --seed 4 different
# (SAME_SEED_ONLY=1: only the first two, for programs that read no
# randomness).
same_seed() {
	"$emu" --seed 3 --epoch=$epoch --trace="$tmp/s1" "$@" >"$tmp/p1" </dev/null || fail "seed 3 run of $*"
	"$emu" --seed 3 --epoch=$epoch --trace="$tmp/s2" "$@" >"$tmp/p2" </dev/null || fail "second seed 3 run"
	cmp -s "$tmp/p1" "$tmp/p2" || { diff "$tmp/p1" "$tmp/p2"; fail "same seed, other output"; }
	cmp -s "$tmp/s1" "$tmp/s2" || { diff "$tmp/s1" "$tmp/s2" | head; fail "same seed, other trace"; }
	[ -z "${SAME_SEED_ONLY:-}" ] || return 0
	"$emu" --seed 4 --epoch=$epoch --trace="$tmp/s3" "$@" >"$tmp/p3" </dev/null || fail "seed 4 run"
	cmp -s "$tmp/s1" "$tmp/s3" && fail "seeds 3 and 4 gave the same trace"
	cmp -s "$tmp/p1" "$tmp/p3" && fail "seeds 3 and 4 gave the same output"
}

build_go() {
	[ -n "$go" ] && [ -x "$go" ] || { echo "no Go toolchain at '$go': skipped"; exit 77; }
	local root
	root=$(cd "$(dirname "$(readlink -f "$go")")/.." && pwd)
	[ -d "$root/src/runtime" ] && export GOROOT=$root
	local cache=$gdir/../go_cache_rr
	mkdir -p "$cache/home" "$cache/gopath" "$cache/build"
	(cd "$(dirname "$0")/go_rr" &&
		env HOME="$cache/home" GOCACHE="$cache/build" GOPATH="$cache/gopath" \
			GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on CGO_ENABLED=0 GOTOOLCHAIN=local \
			"$go" build -o "$tmp/go_rr" .) || fail "go build"
	mkdir "$tmp/in"
	printf 'one two three\nfour five\n\nsix\n' >"$tmp/in/words.txt"
	touch "$tmp/in/other"
}

case $case_ in
entropy_seed)
	s=$gdir/tools_entropy_subject
	same_seed "$s"
	grep -q '^rdrand64 [0-9a-f]\{16\} cf 1$' "$tmp/p1" || { cat "$tmp/p1"; fail "no RDRAND"; }
	grep -q '^rdseed64 [0-9a-f]\{16\} cf 1$' "$tmp/p1" || fail "no RDSEED"
	grep -q '(later: 1)' "$tmp/p1" || fail "the TSC did not advance"
	# The default stream does not depend on the host: a recording of it
	# replays; the host's bytes (--random=host --clock=host) do, recorded.
	"$emu" --random=host "$s" >"$tmp/h1" && "$emu" --random=host "$s" >"$tmp/h2" || fail "host runs"
	cmp -s "$tmp/h1" "$tmp/h2" && fail "--random=host gave the same bytes twice"
	record_replay : "$s"
	record_replay : --random=host --clock=host "$s"
	grep -q '^getrandom 8' "$tmp/o1" || fail "output"
	"$emu" --random=dice "$s" >/dev/null 2>"$tmp/e"
	[ $? = 2 ] && grep -q 'random wants' "$tmp/e" || fail "--random=dice accepted"
	;;
go_seed)
	build_go
	same_seed -E GOMAXPROCS=4 "$tmp/go_rr" "$tmp/in/words.txt"
	grep -q '^lines 5 words 6 size 29 dir \[other words.txt\]$' "$tmp/p1" || { cat "$tmp/p1"; fail "go output"; }
	grep -q '^now 2023-11-14T22:13:20\.' "$tmp/p1" || { cat "$tmp/p1"; fail "go's time.Now is not --epoch's"; }
	;;
epoch)
	s=$gdir/tools_entropy_subject
	# Without --epoch the wall clock is the host's at the start (make needs
	# file times and now to agree): two same-seed runs differ in it, and in
	# nothing else.
	"$emu" --seed 3 "$s" >"$tmp/h1" && "$emu" --seed 3 "$s" >"$tmp/h2" || fail "runs without --epoch"
	cmp -s "$tmp/h1" "$tmp/h2" && fail "two runs without --epoch read the same wall clock"
	diff <(grep -v '^realtime ' "$tmp/h1") <(grep -v '^realtime ' "$tmp/h2") ||
		fail "runs without --epoch differ beyond the wall clock"
	host=$(date +%s)
	read -r _ rt _ < <(grep '^realtime ' "$tmp/h1")
	[ "${rt%.*}" -le "$host" ] && [ "${rt%.*}" -ge $((host - 60)) ] || fail "the wall clock $rt is not the host's ($host)"
	# --epoch: C clocks, RDTSC, getrandom (the subject), then a shell running date.
	same_seed "$s"
	grep -q "^realtime $epoch\.[0-9]\{9\} time $epoch gettimeofday $epoch\.[0-9]\{6\}$" "$tmp/p1" ||
		{ cat "$tmp/p1"; fail "the clocks do not start at --epoch"; }
	grep -q '^monotonic 1000\.' "$tmp/p1" || { cat "$tmp/p1"; fail "the monotonic clock moved with --epoch"; }
	SAME_SEED_ONLY=1 same_seed /bin/sh -c 'export TZ=UTC0 LC_ALL=C; date; date +%s.%N; sleep 0.25; date +%s.%N'
	[ "$(sed -n 1p "$tmp/p1")" = "$(TZ=UTC0 LC_ALL=C date -d @$epoch)" ] || { cat "$tmp/p1"; fail "date does not print --epoch's time"; }
	grep -q "^$((epoch)).[0-9]\{9\}$" "$tmp/p1" && grep -q "^$((epoch)).2[5-9][0-9]\{7\}$" "$tmp/p1" ||
		{ cat "$tmp/p1"; fail "date +%s.%N before and after sleep 0.25"; }
	# Recorded and replayed, with and without --epoch.
	record_replay : --epoch=$epoch "$s"
	grep -q "^realtime $epoch\." "$tmp/o2" || fail "replayed wall clock"
	record_replay 'sleep 0.1' "$s"
	# Bad values and --clock=host are refused (exit 2).
	for bad in -1 x 1e9 4102444801 99999999999999999999 ''; do
		"$emu" --epoch="$bad" "$s" >/dev/null 2>"$tmp/e"
		[ $? = 2 ] && grep -q 'epoch wants' "$tmp/e" || fail "--epoch='$bad' accepted"
	done
	"$emu" --epoch=5 --clock=host "$s" >/dev/null 2>"$tmp/e"
	[ $? = 2 ] && grep -q 'clock=host' "$tmp/e" || fail "--epoch with --clock=host accepted"
	"$emu" --epoch=0 "$s" | grep -q '^realtime 0\.' || fail "--epoch=0"
	;;
programs)
	for p in git sqlite3 python3; do
		command -v $p >/dev/null || { echo "no $p: skipped"; exit 77; }
	done
	git init -q "$tmp/repo" && (cd "$tmp/repo" && echo a >a && git add a &&
		git -c user.name=u -c user.email=u@h commit -qm init && echo b >b && echo c >>a) ||
		fail "making the repository"
	record_replay 'rm -rf "$tmp/repo"' "$(command -v git)" -C "$tmp/repo" status --short
	[ "$(cat "$tmp/o1")" = "$(printf ' M a\n?? b')" ] || { cat "$tmp/o1"; fail "git status output"; }
	sqlite3 "$tmp/db" 'create table t(x); insert into t values (1),(2),(3);' || fail "sqlite3"
	record_replay 'rm -f "$tmp/db"' "$(command -v sqlite3)" "$tmp/db" 'select sum(x), count(*), random() from t;'
	grep -q '^6|3|' "$tmp/o1" || { cat "$tmp/o1"; fail "sqlite3 output"; }
	printf 'import os, random, time\nprint(open(os.path.join(os.path.dirname(__file__), "in.txt")).read().upper(), random.random(), time.time())\n' >"$tmp/s.py"
	echo hello >"$tmp/in.txt"
	record_replay 'rm -f "$tmp/s.py" "$tmp/in.txt"' "$(command -v python3)" "$tmp/s.py"
	grep -q '^HELLO' "$tmp/o1" || { cat "$tmp/o1"; fail "python3 output"; }
	;;
rust_seed)
	rustc=/usr/bin/rustc
	[ -x "$rustc" ] || rustc=$(command -v rustc) || { echo "no rustc: skipped"; exit 77; }
	"$rustc" -O -C target-feature=+crt-static -o "$tmp/rust_rr" "$(dirname "$0")/rust_rr/main.rs" ||
		fail "rustc"
	mkdir "$tmp/in"
	printf 'one two three\nfour five\n\nsix\n' >"$tmp/in/words.txt"
	same_seed "$tmp/rust_rr" "$tmp/in/words.txt"
	grep -q '^words 6 order \[' "$tmp/p1" && grep -q "^now $epoch\.[0-9]\{9\} slept true$" "$tmp/p1" ||
		{ cat "$tmp/p1"; fail "rust output"; }
	record_replay 'rm -rf "$tmp/in"' "$tmp/rust_rr" "$tmp/in/words.txt"
	;;
go_replay)
	build_go
	record_replay 'rm -rf "$tmp/in"' -E GOMAXPROCS=4 "$tmp/go_rr" "$tmp/in/words.txt"
	grep -q '^lines 5 words 6 size 29' "$tmp/o1" || { cat "$tmp/o1"; fail "go output"; }
	;;
busybox)
	bb=$(command -v busybox) || { echo "no busybox: skipped"; exit 77; }
	mkdir "$tmp/in"
	printf 'alpha beta\ngamma\n' >"$tmp/in/a.txt"
	printf 'delta\n' >"$tmp/in/b.txt"
	record_replay 'rm -rf "$tmp/in"' "$bb" wc "$tmp/in/a.txt" "$tmp/in/b.txt"
	grep -q ' 3 .* total' "$tmp/o1" || { cat "$tmp/o1"; fail "wc output"; }
	mkdir "$tmp/in" && printf 'x\n' >"$tmp/in/a.txt" && ln -s a.txt "$tmp/in/link"
	record_replay 'rm -rf "$tmp/in"' "$bb" ls -l "$tmp/in"
	grep -q 'link -> a.txt' "$tmp/o1" || { cat "$tmp/o1"; fail "ls -l output"; }
	record_replay 'sleep 1.1' "$bb" date
	record_replay 'sleep 1.1' --clock=host "$bb" date +%s.%N
	;;
changed_exe)
	cp "$gdir/tools_entropy_subject" "$tmp/prog"
	"$emu" --record "$tmp/rec" "$tmp/prog" >/dev/null || fail "recording run"
	printf 'x' >>"$tmp/prog"
	"$emu" --replay "$tmp/rec" "$tmp/prog" >/dev/null 2>"$tmp/e"
	st=$?
	[ "$st" = 124 ] || fail "replay against a changed executable: status $st, want 124"
	grep -q "replay refused: $tmp/prog is not the file the recording ran: its contents differ" "$tmp/e" ||
		{ cat "$tmp/e"; fail "no refusal naming the file"; }
	rm "$tmp/prog"
	"$emu" --replay "$tmp/rec" "$tmp/prog" >/dev/null 2>"$tmp/e"
	st=$?
	[ "$st" = 124 ] && grep -q "replay refused: $tmp/prog .*cannot be loaded now" "$tmp/e" ||
		{ cat "$tmp/e"; fail "missing executable: status $st"; }
	;;
*)
	echo "unknown case $case_" >&2
	exit 2
	;;
esac
echo PASS
