#!/usr/bin/env bash
# Benchmarks: each one runs natively, under qemu-x86_64 and under cloneemu,
# RUNS times each (pinned to one CPU); the table shows medians of wall time,
# the ratios, the target for cloneemu/qemu and peak memory (max RSS of the
# process tree). A benchmark, not a test: it never fails on a number.
#   bench/run.sh [BUILD_DIR] [NAME...]     (RUNS=5 by default)
#   FORMAT=md bench/run.sh ...             rows for README.md's table
# Two kinds:
#  - static: bench/<name>.c, built with gcc -static;
#  - dynamic: host programs as they are (dynamically linked against the
#    host's glibc), see DYNAMIC below. A start-up benchmark runs its program
#    REPS times in a row in one timed process (bench/dyn/repeat.c) and shows
#    the time of one run.
# qemu-user emulates only the process it starts: the children a program
# forks and execs run natively under qemu (no binfmt_misc for x86_64 on an
# x86_64 host), and under cloneemu they are emulated.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shift || true
runs=${RUNS:-5}
format=${FORMAT:-text}
emu="$build/cloneemu"
[ -x "$emu" ] || { echo "bench: build cloneemu first ($emu)" >&2; exit 1; }
command -v qemu-x86_64 >/dev/null || { echo "bench: qemu-x86_64 missing (apt-get install qemu-user)" >&2; exit 1; }
out="$build/bench"
mkdir -p "$out"
pin="taskset -c 0"

declare -A what target
what[cpu]="FNV hash over 64 MiB + fib(30)";                target[cpu]=2.0
what[syscall]="1,000,000 getppid";                         target[syscall]=1.0
what[spawn]="2,000 pthread create+join";                   target[spawn]=0.5
what[fork_heap]="64 MiB heap, 200 forks, 1 page written each"; target[fork_heap]=1.0
what[forkexec]="200 fork+execve";
what[futex]="100,000 round trips, 2 threads";              target[futex]=1.0
what[pipe]="50,000 round trips, 2 processes";              target[pipe]=1.0
what[unix_pingpong]="50,000 round trips over an AF_UNIX socketpair, 2 processes"; target[unix_pingpong]=1.0
what[tcp_pingpong]="20,000 round trips over TCP on 127.0.0.1, 2 processes"
what[mmap]="100,000 map+touch+unmap of 64 KiB";
what[mmap_shared]="200 MAP_SHARED map+write every page+unmap of a 4 MiB /dev/shm file";
what[scale_fork]="10,000 processes alive at once, then reaped"
what[scale_thread]="10,000 threads alive at once, then joined"
what[x87]="300,000 rounds of fmodl, fsin, fcos, fpatan, fyl2x, f2xm1, fscale, fsqrt, frndint (long double)"

# Dynamic benchmarks, in table order.
DYNAMIC=(hello_dyn python_loop pipeline20 forkexec_dyn)
what[hello_dyn]="start-up of a dynamic hello (one run of ${HELLO_REPS:-200})"; target[hello_dyn]=2.0
what[python_loop]="python3 -c: sum of i*i for 2M"
what[pipeline20]="sh -c: seq 1 20000, 18 cat, wc -l in one pipeline (20 processes)"
what[forkexec_dyn]="forkexec built dynamically: 200 fork+execve"
py='s = 0
for i in range(2000000):
    s += i * i
print(s)'
pipeline="seq 1 20000$(for _ in $(seq 18); do printf ' | cat'; done) | wc -l"

# Sets reps and cmd (the guest command line) for benchmark $1, building
# what it needs.
prepare() {
	reps=1
	case "$1" in
	hello_dyn)
		gcc -O2 -o "$out/hello_dyn" "$here/dyn/hello.c"
		reps=${HELLO_REPS:-200}
		cmd=("$out/hello_dyn") ;;
	python_loop) cmd=(/usr/bin/python3 -c "$py") ;;
	pipeline20) cmd=(/bin/sh -c "$pipeline") ;;
	forkexec_dyn)
		gcc -O2 -o "$out/forkexec_dyn" "$here/forkexec.c"
		cmd=("$out/forkexec_dyn") ;;
	*)
		[ -f "$here/$1.c" ] || { echo "bench: no benchmark $1" >&2; return 1; }
		gcc -static -O2 -o "$out/$1" "$here/$1.c" -lpthread
		cmd=("$out/$1") ;;
	esac
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$here"/*.c; do names+=("$(basename "$f" .c)"); done
	names+=("${DYNAMIC[@]}")
fi
gcc -O2 -o "$out/repeat" "$here/dyn/repeat.c"

# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# run CMD RUNS times (each time $reps runs in a row); print
# "median_seconds_per_run max_rss_kib"
measure() {
	local times=() rss=0 t0 t1 r
	local rep=()
	[ "$reps" -gt 1 ] && rep=("$out/repeat" "$reps")
	for _ in $(seq "$runs"); do
		t0=$EPOCHREALTIME
		/usr/bin/time -f "%M" -o "$out/.time" $pin "${rep[@]}" "$@" >"$out/.stdout" 2>/dev/null || true
		t1=$EPOCHREALTIME
		read -r r <"$out/.time"
		times+=("$(awk -v a="$t0" -v b="$t1" -v n="$reps" 'BEGIN {print (b - a) / n}')")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$rss"
}

if [ "$format" = md ]; then
	echo "| bench | what | native s | qemu s | cloneemu s | cloneemu/qemu | target | cloneemu/native | native MiB | qemu MiB | cloneemu MiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
else
	printf '%-12s %9s %9s %9s %9s %7s %10s %9s %9s %9s  %s\n' bench native_s qemu_s emu_s \
		emu/qemu target emu/native nat_MiB qemu_MiB emu_MiB what
fi
for n in "${names[@]}"; do
	prepare "$n" || continue
	read -r tn rn < <(measure "${cmd[@]}")
	read -r tq rq < <(measure qemu-x86_64 "${cmd[@]}")
	read -r te re < <(measure "$emu" "${cmd[@]}")
	awk -v n="$n" -v w="${what[$n]:-}" -v tg="${target[$n]:-}" -v f="$format" \
		-v tn="$tn" -v tq="$tq" -v te="$te" -v rn="$rn" -v rq="$rq" -v re="$re" 'BEGIN {
		# 3 significant digits at least: start-up times are milliseconds
		d = (tn < 0.1 || tq < 0.1 || te < 0.1) ? 4 : 3
		fmt = f == "md" ? "%." d "f" : "%9." d "f"
		q = tq > 0 ? te / tq : 0; nat = tn > 0 ? te / tn : 0
		tgs = tg == "" ? "" : "<= " sprintf("%.1f", tg)
		if (f == "md")
			printf "| %s | %s | " fmt " | " fmt " | " fmt " | %.2f | %s | %.2f | %.1f | %.1f | %.1f |\n",
				n, w, tn, tq, te, q, tgs, nat, rn / 1024, rq / 1024, re / 1024
		else
			printf "%-12s " fmt " " fmt " " fmt " %9.2f %7s %10.2f %9.1f %9.1f %9.1f  %s\n",
				n, tn, tq, te, q, tgs, nat, rn / 1024, rq / 1024, re / 1024, w
	}'
done
