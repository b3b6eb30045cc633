#!/usr/bin/env bash
# Benchmarks: each bench/*.c guest runs natively, under qemu-x86_64 and under
# cloneemu, RUNS times each (pinned to one CPU); the table shows medians of
# wall time, the ratios and peak memory (max RSS). A benchmark, not a test:
# it never fails on a number.
#   bench/run.sh [BUILD_DIR] [NAME...]     (RUNS=5 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shift || true
runs=${RUNS:-5}
emu="$build/cloneemu"
[ -x "$emu" ] || { echo "bench: build cloneemu first ($emu)" >&2; exit 1; }
command -v qemu-x86_64 >/dev/null || { echo "bench: qemu-x86_64 missing (apt-get install qemu-user)" >&2; exit 1; }
out="$build/bench"
mkdir -p "$out"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$here"/*.c; do names+=("$(basename "$f" .c)"); done
fi
pin="taskset -c 0"

# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# run CMD RUNS times; print "median_seconds max_rss_kib"
measure() {
	local times=() rss=0 t r
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M" -o "$out/.time" $pin "$@" >"$out/.stdout" 2>/dev/null || true
		read -r t r <"$out/.time"
		times+=("$t")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$rss"
}

printf '%-10s %9s %9s %9s %10s %10s %10s %10s %10s\n' bench native_s qemu_s emu_s emu/qemu emu/native \
	native_MiB qemu_MiB emu_MiB
for n in "${names[@]}"; do
	gcc -static -O2 -o "$out/$n" "$here/$n.c" -lpthread
	read -r tn rn < <(measure "$out/$n")
	read -r tq rq < <(measure qemu-x86_64 "$out/$n")
	read -r te re < <(measure "$emu" "$out/$n")
	awk -v n="$n" -v tn="$tn" -v tq="$tq" -v te="$te" -v rn="$rn" -v rq="$rq" -v re="$re" 'BEGIN {
		printf "%-10s %9.3f %9.3f %9.3f %10.2f %10.2f %10.1f %10.1f %10.1f\n", n, tn, tq, te,
			(tq > 0 ? te / tq : 0), (tn > 0 ? te / tn : 0), rn / 1024, rq / 1024, re / 1024 }'
done
