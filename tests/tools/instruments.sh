#!/usr/bin/env bash
# Checks of cloneemu's instruments on a small fork+thread guest.
#   instruments.sh CASE EMULATOR GUEST_DIR
# CASE: trace, trace_json, inspect, graph, step, gdb, seed_trace, inspect_exit,
# graph_exit, inspect_deadlock, inspect_at_end, timeline, timeline_killed,
# timeline_cli
set -uo pipefail
case_=$1 emu=$2 gdir=$3
g=$gdir/tools_subject.glibc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# The syscall number of the subject's getppid() marker (thread and child alive).
marker() {
	"$emu" --trace="$tmp/m" "$g" >/dev/null || fail "guest failed"
	grep -n 'getppid()' "$tmp/m" | head -1 | cut -d: -f1
}

case $case_ in
trace)
	"$emu" --trace="$tmp/t" "$g" >/dev/null || fail "guest failed"
	grep -Eq '^(\[pid +[0-9]+\] )?clone\(child_stack=NULL, flags=CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID\|SIGCHLD' "$tmp/t" ||
		fail "fork's clone not decoded"
	grep -q 'clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD' "$tmp/t" ||
		fail "pthread_create's clone3 not decoded"
	grep -q 'wait4(.*  <unfinished ...>' "$tmp/t" || fail "no unfinished wait4"
	grep -Eq '<\.\.\. wait4 resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == [0-9]+\}\], 0, NULL\) += [0-9]' "$tmp/t" ||
		fail "no resumed wait4"
	grep -q 'openat(AT_FDCWD, "/nonexistent/file", O_RDONLY) = -1 ENOENT (No such file or directory)' "$tmp/t" ||
		fail "error result not decoded"
	grep -Eq '^(\[pid +[0-9]+\] )?exit_group\(0\) += \?$' "$tmp/t" || fail "exit_group"
	grep -Eq '^(\[pid +[0-9]+\] )?\+\+\+ exited with 0 \+\+\+$' "$tmp/t" || fail "no exit line"
	;;
trace_json)
	"$emu" --trace="$tmp/t" --trace-format=json "$g" >/dev/null || fail "guest failed"
	python3 - "$tmp/t" <<'PY' || exit 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines, "empty"
events = [l for l in lines if "event" in l]
lines = [l for l in lines if "event" not in l]
for l in lines:
    assert {"vtime", "pid", "tid", "syscall", "args", "raw"} <= l.keys(), l
    assert all(isinstance(v, int) for v in l["raw"]), l
for e in events:
    assert {"vtime", "pid", "tid"} <= e.keys(), e
exits = [e for e in events if e["event"] == "exit"]
assert len(exits) == 3 and all(e["status"] == 0 for e in exits), events
sig = [e for e in events if e["event"] == "signal"]
assert sig and sig[0]["signal"] == "SIGCHLD" and "CLD_EXITED" in sig[0]["siginfo"], events
names = [l["syscall"] for l in lines]
assert "clone" in names and "clone3" in names and "wait4" in names, names
err = [l for l in lines if l["syscall"] == "openat" and l.get("errno") == "ENOENT"]
assert err and err[0]["ret"] == -1, "no ENOENT openat"
assert err[0]["args"] == ["AT_FDCWD", '"/nonexistent/file"', "O_RDONLY"], err[0]
w = [l for l in lines if l["syscall"] == "wait4" and "ret" in l]
assert w and w[0]["args"][1] == "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]", w
assert any(l.get("blocked") for l in lines), "no blocked call"
vt = [l["vtime"] for l in lines]
assert vt == sorted(vt), "virtual time goes backwards"
print("json ok:", len(lines), "lines")
PY
	;;
inspect)
	"$emu" --inspect-at "$(marker)" "$g" >/dev/null 2>"$tmp/e" || fail "guest failed"
	grep -q 'cloneemu: tasks' "$tmp/e" || fail "no task list"
	grep -Eq '^  mm#1 refs 2: [0-9]+ [0-9]+ ' "$tmp/e" || { cat "$tmp/e"; fail "threads do not share mm#1"; }
	grep -Eq '^  mm#2 refs 1: [0-9]+ ' "$tmp/e" || fail "the forked child has no mm of its own"
	grep -Eq 'nsproxy#1 refs 3' "$tmp/e" || fail "namespaces not shared by all three"
	;;
graph)
	"$emu" --inspect-at "$(marker)" --graph "$tmp/g.dot" "$g" >/dev/null 2>&1 || fail "guest failed"
	grep -q '^digraph cloneemu' "$tmp/g.dot" || fail "not a digraph"
	dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" || fail "dot cannot render it"
	grep -q '<svg' "$tmp/g.svg" || fail "no svg"
	grep -q 'mm#1' "$tmp/g.svg" || fail "svg lacks the objects"
	;;
inspect_exit)
	# At exit: every task of the run with its exit status, and the pipe
	# data went through from the main thread to the thread and the child.
	"$emu" --inspect "$g" >/dev/null 2>"$tmp/e" || fail "guest failed"
	grep -q 'every task of the run' "$tmp/e" || { cat "$tmp/e"; fail "no task list"; }
	[ "$(grep -Ec '^  tid [0-9]+ pid [0-9]+ ppid [0-9]+ ended +tools_subject.g exited with 0 at ' "$tmp/e")" = 3 ] ||
		{ cat "$tmp/e"; fail "not three tasks that exited with 0"; }
	grep -Eq '^  pipe:\[[0-9]+\]: tid ([0-9]+) \(pid \1, tools_subject.g\) wrote 2 -> tid [0-9]+ \(pid \1, tools_subject.g\) read 1, tid [0-9]+ \(pid [0-9]+, tools_subject.g\) read 1$' "$tmp/e" ||
		{ cat "$tmp/e"; fail "no data edge through the pipe"; }
	# A socketpair between a parent and its child: data both ways.
	"$emu" --inspect --graph "$tmp/s.dot" "$g" socket >/dev/null 2>"$tmp/e" || fail "socket run"
	grep -Eq '^  socket:\[[0-9]+\]: tid ([0-9]+) \(pid \1, tools_subject.g\) wrote 4 -> tid [0-9]+ \(pid [0-9]+, tools_subject.g\) read 4$' "$tmp/e" ||
		{ cat "$tmp/e"; fail "no socket edge child -> parent"; }
	grep -Eq '^  socket:\[[0-9]+\]: tid ([0-9]+) \(pid \1, tools_subject.g\) wrote 2 -> tid [0-9]+ \(pid [0-9]+, tools_subject.g\) read 2$' "$tmp/e" ||
		{ cat "$tmp/e"; fail "no socket edge parent -> child"; }
	grep -Eq '^  task2 -> task1 \[color=blue, label="socket:\[[0-9]+\]\\n4 B"\]' "$tmp/s.dot" ||
		{ cat "$tmp/s.dot"; fail "graph: no socket edge"; }
	# A thread's execve replaces its leader, which never goes through
	# exit (de_thread): it is listed as replaced, and its track ends.
	"$emu" --inspect --timeline "$tmp/x.json" "$gdir/thread_exec_exit.glibc" >/dev/null 2>"$tmp/e" ||
		fail "thread_exec_exit"
	grep -Eq '^  tid ([0-9]+) pid \1 ppid [0-9]+ ended +thread_exec_exi replaced by an exec in its thread group at ' "$tmp/e" ||
		{ cat "$tmp/e"; fail "the replaced leader"; }
	grep -Eq '^  tid [0-9]+ pid [0-9]+ ppid [0-9]+ ended +exe +exited with 42 at ' "$tmp/e" ||
		{ cat "$tmp/e"; fail "the exec'd thread under its new comm"; }
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/x.json" --tasks 5 --need execve || fail "exec timeline"
	;;
graph_exit)
	"$emu" --graph "$tmp/g.dot" "$g" >/dev/null 2>&1 || fail "guest failed"
	cat "$tmp/g.dot"
	[ "$(grep -c 'shape=box' "$tmp/g.dot")" = 3 ] || fail "not three task nodes"
	[ "$(grep -c 'exited with 0' "$tmp/g.dot")" = 3 ] || fail "exit statuses missing"
	[ "$(grep -c 'subgraph cluster_pid' "$tmp/g.dot")" = 2 ] || fail "not two thread groups"
	grep -q 'tid [0-9]*\\ntools_subject.g' "$tmp/g.dot" || fail "tasks not labeled with their comm"
	# The pipe from the parent's main thread to the child process.
	child=$(grep -E '^  task[0-9]+ -> task1 \[style=dashed, label="parent"\]' "$tmp/g.dot" | awk '{print $1}')
	[ -n "$child" ] || fail "no parent edge"
	grep -Eq "^  task1 -> $child \[color=blue, label=\"pipe:\[[0-9]+\]\\\\n1 B\"\]" "$tmp/g.dot" ||
		fail "no pipe edge from the parent to the child"
	dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" || fail "dot cannot render it"
	grep -q 'pipe:\[' "$tmp/g.svg" || fail "svg lacks the pipe"
	;;
inspect_deadlock)
	timeout 60 "$emu" --inspect --graph "$tmp/g.dot" "$g" deadlock >/dev/null 2>"$tmp/e"
	st=$?
	[ "$st" = 125 ] || { cat "$tmp/e"; fail "status $st, want 125"; }
	sed -n '/^cloneemu: at the deadlock:/,$p' "$tmp/e" >"$tmp/d"
	[ -s "$tmp/d" ] || { cat "$tmp/e"; fail "--inspect said nothing at the deadlock"; }
	grep -Eq '^  tid ([0-9]+) pid \1 ppid 1 sleeping +tools_subject.g +\[wait: wait4 for child [0-9]+\]' "$tmp/d" ||
		{ cat "$tmp/d"; fail "the main thread's wait4"; }
	[ "$(grep -Ec 'sleeping +tools_subject.g +\[pipe read: read on fd 3, pipe:\[[0-9]+\] read end\]' "$tmp/d")" = 2 ] ||
		{ cat "$tmp/d"; fail "the thread's and the child's pipe reads"; }
	grep -Eq '^  pid [0-9]+ fd 4: pipe:\[[0-9]+\] write end$' "$tmp/d" || fail "open pipe ends"
	grep -q 'wait4 for child' "$tmp/g.dot" || fail "graph lacks the waits"
	grep -Eq 'style=dotted.*label="pipe:\[[0-9]+\] open"' "$tmp/g.dot" || fail "graph lacks the open pipe"
	;;
inspect_at_end)
	"$emu" --inspect-at 1000000 --graph "$tmp/g.dot" "$g" >/dev/null 2>"$tmp/e" || fail "guest failed"
	grep -Eq '^cloneemu: --inspect-at 1000000: the run ended after [0-9]+ syscalls; the graph shows the end of the run$' "$tmp/e" ||
		{ cat "$tmp/e"; fail "no word on the syscall never reached"; }
	grep -q 'exited with 0' "$tmp/g.dot" || fail "graph not written at the end"
	;;
timeline)
	"$emu" --timeline "$tmp/t.json" "$g" >/dev/null 2>"$tmp/e" || { cat "$tmp/e"; fail "guest failed"; }
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/t.json" --tasks 3 --need running \
		--need blocked --need clone --need clone3 --need wait4 --need write --need read \
		--need 'clone (thread)' --need 'clone (process)' --need exit --need SIGCHLD \
		--need wakeup || fail "timeline"
	python3 - "$tmp/t.json" <<'PY' || fail "timeline contents"
import json, sys
ev = json.load(open(sys.argv[1]))
names = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert names == {"tools_subject.g"}, names
blocked = [e for e in ev if e["ph"] == "B" and e["name"] == "blocked"]
# pthread_join sleeps on a futex until the thread exits, waitpid until
# the child does: each exit is where a wake-up arrow starts.
assert any(e["args"]["on"] == "futex" for e in blocked), blocked
assert any(e["args"]["on"] == "wait" for e in blocked), blocked
s = {(e["tid"], e["ts"]) for e in ev if e["ph"] == "s" and e["name"] == "wakeup"}
x = {(e["tid"], e["ts"]) for e in ev if e["ph"] == "i" and e["name"] == "exit"}
assert len(s & x) >= 2, (s, x)
exits = [e for e in ev if e["ph"] == "i" and e["name"] == "exit"]
assert len(exits) == 3 and all(e["args"]["status"] == "exited with 0" for e in exits), exits
print("contents ok")
PY
	# The virtual clock: the same run gives the same timeline; and the
	# timeline's hooks pass --trace's exit and signal lines on unchanged.
	"$emu" --timeline "$tmp/t2.json" --trace="$tmp/tr2" "$g" >/dev/null || fail "second run"
	cmp -s "$tmp/t.json" "$tmp/t2.json" || { diff "$tmp/t.json" "$tmp/t2.json" | head; fail "two runs, two timelines"; }
	"$emu" --trace="$tmp/tr1" "$g" >/dev/null || fail "traced run"
	sed -i -E 's/(getrandom\()"[^"]*"(\.\.\.)?/\1"<host random>"/' "$tmp/tr1" "$tmp/tr2"
	cmp -s "$tmp/tr1" "$tmp/tr2" || { diff "$tmp/tr1" "$tmp/tr2" | head; fail "--timeline changed the trace"; }
	grep -q '^+++ exited with 0 +++$' "$tmp/tr2" || fail "no exit line with --timeline"
	# A number x86_64 has no syscall for is named as strace names it
	# (bad_pointer makes syscall 1000; its stdout must not be /dev/null,
	# which takes a write from a bad pointer).
	"$emu" --timeline "$tmp/u.json" "$gdir/bad_pointer.glibc" >"$tmp/u.out" 2>&1
	grep -q '"ph":"B","name":"syscall_0x3e8"' "$tmp/u.json" ||
		fail "syscall 1000 is not syscall_0x3e8 in the timeline"
	# Job control: a child stopped by SIGSTOP until SIGCONT.
	"$emu" --timeline "$tmp/s.json" "$gdir/wait_stop_cont.glibc" >/dev/null || fail "wait_stop_cont"
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/s.json" --need stopped --need SIGCONT ||
		fail "stop/continue timeline"
	grep -q '"ph":"B","name":"stopped","cat":"stopped",.*"args":{"by":"SIGSTOP"}' "$tmp/s.json" ||
		fail "no stopped slice"
	;;
timeline_killed)
	# A run killed while it waits for stdin keeps its events up to there.
	mkfifo "$tmp/in"
	"$emu" --timeline "$tmp/t.json" "$g" stdin <"$tmp/in" >"$tmp/out" 2>&1 &
	pid=$!
	exec 3>"$tmp/in"
	for _ in $(seq 100); do grep -q subject "$tmp/out" && break; sleep 0.1; done
	sleep 0.5
	kill -9 "$pid"
	wait "$pid"
	exec 3>&-
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/t.json" --killed --tasks 3 --need exit \
		--need read || fail "killed run's timeline"
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/t.json" >/dev/null && fail "a killed run's file looks finished"
	;;
timeline_cli)
	"$emu" --timeline /nonexistent/dir/t.json "$g" >"$tmp/out" 2>"$tmp/e"
	st=$?
	[ "$st" = 2 ] || fail "--timeline into a missing directory: status $st, want 2"
	[ -s "$tmp/out" ] && fail "the guest ran although --timeline cannot be written"
	grep -q 'cloneemu: --timeline: cannot create /nonexistent/dir/t.json: No such file or directory' "$tmp/e" ||
		fail "message: $(cat "$tmp/e")"
	(umask 027 && "$emu" --timeline "$tmp/t.json" "$g" >/dev/null) || fail "--timeline run"
	[ "$(stat -c %a "$tmp/t.json")" = 640 ] || fail "--timeline file mode $(stat -c %a "$tmp/t.json") under umask 027"
	(umask 077 && "$emu" --graph "$tmp/g.dot" "$g" >/dev/null) || fail "--graph run"
	[ "$(stat -c %a "$tmp/g.dot")" = 600 ] || fail "--graph file mode under umask 077"
	# Names are JSON and Graphviz strings whatever bytes they hold: quotes,
	# a backslash, a control character, UTF-8 (kept) and a UTF-8 sequence
	# cut by the 15-byte comm (escaped).
	weird=$(printf 'q"\\\001é--ééééé')
	cp "$g" "$tmp/$weird"
	e=$(realpath "$emu")
	(cd "$tmp" && "$e" --timeline t3.json --graph g3.dot "./$weird" >/dev/null) || fail "weird name run"
	python3 "$(dirname "$0")/timeline_check.py" "$tmp/t3.json" --tasks 3 || fail "weird name timeline"
	python3 - "$tmp/t3.json" <<'PY' || fail "weird name in the timeline"
import json, sys
names = {e["args"]["name"] for e in json.load(open(sys.argv[1], encoding="utf-8")) if e["name"] in ("thread_name", "process_name")}
assert names == {'q"\\\x01é--ééé\xc3'}, names
PY
	dot -Tsvg "$tmp/g3.dot" -o "$tmp/g3.svg" || fail "weird name graph"
	"$emu" --help >"$tmp/help" || fail "--help"
	grep -q -- '--timeline FILE' "$tmp/help" || fail "--help lacks --timeline"
	grep -q '^cloneemu explore: 0 every run passed, 1 a run failed, 2 usage error' "$tmp/help" ||
		fail "--help lacks explore's exit statuses"
	grep -q '^cloneemu diagnose: 0 the racing accesses were found, 1 not' "$tmp/help" ||
		fail "--help lacks diagnose's exit statuses"
	;;
step)
	printf 'step 2\nregs\nuntil clone\ntasks\nnewtask\ntasks\nmaps\nmem 0x400000 4\ncontinue\n' >"$tmp/cmds"
	"$emu" --step="$tmp/cmds" "$g" >"$tmp/out" 2>"$tmp/e" || fail "guest failed"
	grep -q '^(cloneemu) step 2' "$tmp/e" || fail "commands not echoed"
	grep -q 'about to make syscall clone' "$tmp/e" || fail "until clone did not stop there"
	grep -q '0x400000: 7f 45 4c 46' "$tmp/e" || fail "memory dump"
	grep -q 'r-xp' "$tmp/e" || fail "maps"
	grep -Eq '^  0x[0-9a-f]+: [a-z]+' "$tmp/e" || fail "no disassembly"
	[ "$(grep -c 'cloneemu: tasks' "$tmp/e")" -ge 2 ] || fail "tasks"
	;;
gdb)
	port=$((20000 + RANDOM % 20000))
	"$emu" --gdb "$port" "$g" >"$tmp/out" 2>"$tmp/e" &
	pid=$!
	for _ in $(seq 50); do grep -q waiting "$tmp/e" && break; sleep 0.1; done
	timeout 60 gdb -batch -nx -ex "target remote :$port" -ex 'break thread_fn' -ex 'continue' \
		-ex 'info threads' -ex 'bt 1' -ex 'print counter' -ex 'print fds[0] >= 3' -ex 'stepi' -ex 'delete' -ex 'continue' \
		"$g" >"$tmp/gdb" 2>&1
	wait "$pid"
	st=$?
	grep -q 'hit Breakpoint 1, thread_fn' "$tmp/gdb" || { cat "$tmp/gdb"; fail "breakpoint"; }
	[ "$(grep -c 'Thread [0-9]' "$tmp/gdb")" -ge 2 ] || fail "threads not listed"
	grep -q '^\$1 = 41' "$tmp/gdb" || { cat "$tmp/gdb"; fail "memory read"; }
	grep -q '^\$2 = 1' "$tmp/gdb" || fail "expression"
	grep -q 'exited normally' "$tmp/gdb" || fail "no exit report"
	[ "$st" = 0 ] || fail "cloneemu exit status $st"
	;;
record_replay)
	r=$gdir/tools_rr_subject.glibc
	echo "original data" >"$tmp/data"
	printf 'one\ntwo\nthree\n' | "$emu" --record "$tmp/rec" --trace="$tmp/t1" "$r" "$tmp/data" \
		>"$tmp/o1" || fail "recording run"
	# The outside world changes: stdin closed, the file rewritten.
	echo "changed data" >"$tmp/data"
	"$emu" --replay "$tmp/rec" --trace="$tmp/t2" "$r" "$tmp/data" >"$tmp/o2" 0<&- ||
		fail "replay run"
	grep -q 'lines 3 .* file \[original data\]' "$tmp/o1" || { cat "$tmp/o1"; fail "recorded output"; }
	cmp -s "$tmp/o1" "$tmp/o2" || { diff "$tmp/o1" "$tmp/o2"; fail "replay output differs"; }
	cmp -s "$tmp/t1" "$tmp/t2" || { diff "$tmp/t1" "$tmp/t2" | head; fail "replay trace differs"; }
	# A second recording differs (random bytes), so the test can fail.
	printf 'one\n' | "$emu" --record "$tmp/rec2" "$r" "$tmp/data" >"$tmp/o3" || fail "second run"
	cmp -s "$tmp/o1" "$tmp/o3" && fail "two recordings gave the same output"
	;;
record_replay_dynamic)
	# Dynamic programs: ld.so opens, fstats and maps the libraries (an
	# open+fstat pattern), the shell forks and execs, a directory is read.
	echo "original data" >"$tmp/data"
	mkdir "$tmp/dir" && touch "$tmp/dir/b" "$tmp/dir/a"
	script='read -r l; echo "stdin: $l"; cat "$1" | tr a-z A-Z; ls "$2"; /usr/bin/python3 -c "import os; print(sorted(os.listdir(\"$2\")), os.stat(\"$1\").st_size)"'
	echo "from stdin" | "$emu" --record "$tmp/rec" --trace="$tmp/t1" /bin/sh -c "$script" sh "$tmp/data" "$tmp/dir" \
		>"$tmp/o1" || fail "recording run"
	echo "changed data, longer" >"$tmp/data"
	rm -r "$tmp/dir"
	"$emu" --replay "$tmp/rec" --trace="$tmp/t2" /bin/sh -c "$script" sh "$tmp/data" "$tmp/dir" \
		>"$tmp/o2" 0<&- || fail "replay run"
	grep -q '^ORIGINAL DATA$' "$tmp/o1" || { cat "$tmp/o1"; fail "recorded output"; }
	cmp -s "$tmp/o1" "$tmp/o2" || { diff "$tmp/o1" "$tmp/o2"; fail "replay output differs"; }
	cmp -s "$tmp/t1" "$tmp/t2" || { diff "$tmp/t1" "$tmp/t2" | head; fail "replay trace differs"; }
	;;
replay_divergence)
	r=$gdir/tools_rr_subject.glibc
	printf 'x\n' | "$emu" --record "$tmp/rec" "$r" >/dev/null || fail "recording run"
	"$emu" --replay "$tmp/rec" "$g" >/dev/null 2>"$tmp/e"
	st=$?
	[ "$st" = 124 ] || fail "replaying another program: status $st, want 124"
	grep -q "replay refused: $g is not the file the recording ran" "$tmp/e" ||
		{ cat "$tmp/e"; fail "no refusal naming the program"; }
	# A recording whose first write(1, ...) went to fd 2: the replay's
	# write differs, and the report shows both calls with task and pc.
	python3 - "$tmp/rec" "$tmp/rec2" <<'PY' || fail "patching the recording"
import struct, sys
d = open(sys.argv[1], "rb").read()
out = bytearray(d)
i = d.index(b"\n") + 1
while i < len(d) and d[i] != ord("e"):
    n = struct.unpack_from("<I", d, i + 1)[0]
    p = i + 5
    if d[i] == ord("s"):
        tid, nr, pc, a0 = struct.unpack_from("<qqqq", d, p)
        if nr == 1 and a0 == 1:
            struct.pack_into("<q", out, p + 24, 2)
            break
    i = p + n
else:
    sys.exit("no write(1, ...) recorded")
open(sys.argv[2], "wb").write(out)
PY
	"$emu" --replay "$tmp/rec2" "$r" >/dev/null 2>"$tmp/e"
	st=$?
	[ "$st" = 124 ] || fail "a diverging replay: status $st, want 124"
	grep -Eq 'replay diverged at event [0-9]+: the syscall differs: recorded task 2 at pc 0x[0-9a-f]+: write\(0x2, 0x[0-9a-f]+, 0x[0-9a-f]+, .*; replayed task 2 at pc 0x[0-9a-f]+: write\(0x1, ' "$tmp/e" ||
		{ cat "$tmp/e"; fail "the divergence report lacks the syscall, both values, task or pc"; }
	;;
seed_trace)
	"$emu" --seed 3 --trace="$tmp/a" "$g" >"$tmp/oa" || fail "run a"
	"$emu" --seed 3 --trace="$tmp/b" "$g" >"$tmp/ob" || fail "run b"
	# getrandom's bytes come from the seeded stream: no masking needed.
	cmp -s "$tmp/a" "$tmp/b" || fail "same seed, different traces"
	cmp -s "$tmp/oa" "$tmp/ob" || fail "same seed, different output"
	;;
*)
	fail "unknown case $case_"
	;;
esac
echo "ok: $case_"
