#!/usr/bin/env bash
# idle_cpu.sh [CLONEEMU]: CPU time cloneemu spends while every guest task
# waits (issue #17): `sleep 2` under --clock=host, and `sleep infinity`
# (pause) watched for 2 s then ended by SIGTERM from outside. Prints user
# and system seconds from /proc/PID/stat; the goal is well under 0.1 s.
set -uo pipefail
emu=${1:-$(dirname "$0")/../build/cloneemu}
tck=$(getconf CLK_TCK)
cpu_of() { # PID: user+system seconds so far
	awk -v t="$tck" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"
}
"$emu" --clock=host /bin/sleep 2 & p=$!
sleep 1.9
echo "sleep 2 (--clock=host): $(cpu_of $p) s CPU"
wait $p
"$emu" --clock=host /bin/sleep infinity & p=$!
sleep 2
echo "sleep infinity, 2 s watched: $(cpu_of $p) s CPU"
kill -TERM $p
wait $p
echo "exit status after SIGTERM: $?"
