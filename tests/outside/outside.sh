#!/usr/bin/env bash
# outside.sh EMULATOR SUBJECT CASE
#
# Signals from outside the guest (issue #17): run SUBJECT (outside_subject.c)
# natively and under EMULATOR in the background, wait until it printed
# "ready", send it what CASE says from this shell, and compare stdout and
# exit status. Under the emulator the handler's si_pid must be 0 (the sender
# is outside every guest pid namespace; natively it is this shell's pid).
#
#   term suspend waitinfo spin default ignored   modes of SUBJECT
#   spinkill SIGINT to a guest computing alone
#   spinstop the same guest stopped by SIGTSTP, continued, then SIGTERM
#           (run as pgrp_run.py outside.sh ...: it needs a process group
#           that is not orphaned, or the kernel discards SIGTSTP natively
#           too, as it did under ctest in CI)
#   storm   SIGWINCH (ignored) fired for 2 s while SUBJECT reads an empty
#           pipe, then SIGUSR1
#   stop    /bin/sh -c 'kill -STOP $$': the process stops (so does cloneemu,
#           as /proc shows), and continues on SIGCONT from outside
set -uo pipefail
# Job control: background jobs keep SIGINT's default action (without it a
# non-interactive shell starts them with SIGINT and SIGQUIT ignored).
set -m
[ $# -eq 3 ] || { echo "usage: $0 EMULATOR SUBJECT CASE" >&2; exit 2; }
emu=$1 subject=$2 case=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/outside.XXXXXX") || exit 2

wait_for() { # FILE LINE: until FILE has LINE (20 s at most)
	for _ in $(seq 400); do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "outside: no '$2' in $1 after 20 s"
	return 1
}
wait_state() { # PID STATE: until /proc/PID/stat shows STATE (20 s at most)
	# (no $(seq): with a job stopped by SIGTSTP, bash's command
	# substitution there came back empty at once)
	local i=0 st
	while [ $i -lt 400 ]; do
		read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null
		[ "${st:-}" = "$2" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "outside: pid $1 never reached state $2"
	return 1
}

# run WHO PREFIX...: one run; stdout in $tmp/WHO.out, status in $tmp/WHO.status
run() {
	local who=$1; shift
	local ok=0 feeder=
	case $case in
	stop)
		"$@" /bin/sh -c 'echo ready; kill -STOP $$; echo continued' >"$tmp/$who.out" 2>"$tmp/$who.err" </dev/null &
		;;
	storm) # stdin: a pipe that stays open and empty until killed
		mkfifo "$tmp/$who.fifo"
		sleep 60 >"$tmp/$who.fifo" &
		feeder=$!
		"$@" "$subject" "$case" >"$tmp/$who.out" 2>"$tmp/$who.err" <"$tmp/$who.fifo" &
		;;
	spinstop) # the spinkill guest, stopped and continued first; without
		# job control (with it, bash's next command after the job's stop
		# ended the script), so SIGINT is ignored: SIGTERM ends it
		set +m
		"$@" "$subject" spinkill >"$tmp/$who.out" 2>"$tmp/$who.err" </dev/null &
		;;
	*)
		"$@" "$subject" "$case" >"$tmp/$who.out" 2>"$tmp/$who.err" </dev/null &
		;;
	esac
	local pid=$!
	wait_for "$tmp/$who.out" ready || ok=1
	case $case in
	term|spin) kill -TERM $pid ;;
	suspend) kill -USR1 $pid ;;
	waitinfo) kill -USR2 $pid ;;
	default) kill -INT $pid ;;
	spinkill) sleep 0.5; kill -INT $pid ;;
	spinstop)
		sleep 0.5
		kill -TSTP $pid
		wait_state $pid T || ok=1
		echo "stopped" >>"$tmp/$who.out.side"
		kill -CONT $pid
		sleep 0.3
		kill -TERM $pid ;;
	ignored) kill -TERM $pid; sleep 0.3; kill -USR1 $pid ;;
	storm)
		local end=$((SECONDS + 2))
		while [ $SECONDS -lt $end ]; do kill -WINCH $pid 2>/dev/null; done
		kill -USR1 $pid ;;
	stop)
		wait_state $pid T || ok=1
		echo "stopped" >>"$tmp/$who.out.side"
		kill -CONT $pid ;;
	esac
	( sleep 30; kill -KILL $pid ) >/dev/null 2>&1 &
	local guard=$!
	local st
	# With job control, wait also returns (128 + the signal) when the job
	# stops; it was continued since: wait again for its end.
	for _ in $(seq 100); do
		wait $pid
		st=$?
		case $st in 147|148|149|150) sleep 0.1 ;; *) break ;; esac
	done
	set -m
	echo $st >"$tmp/$who.status"
	[ -z "${feeder:-}" ] || kill $feeder 2>/dev/null
	kill $guard 2>/dev/null
	wait $guard 2>/dev/null
	return $ok
}

fail=0
run native || fail=1
run emu "$emu" || fail=1
if ! cmp -s "$tmp/native.out" "$tmp/emu.out"; then
	echo "outside: stdout differs"; diff "$tmp/native.out" "$tmp/emu.out"; fail=1
fi
if ! cmp -s "$tmp/native.status" "$tmp/emu.status"; then
	echo "outside: status native $(cat "$tmp/native.status"), emulated $(cat "$tmp/emu.status")"; fail=1
fi
if grep -q '^si_pid=' "$tmp/emu.err" && ! grep -qx 'si_pid=0' "$tmp/emu.err"; then
	echo "outside: the handler's si_pid is not 0 under the emulator"; fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/emu.err"; then
	echo "outside: sanitizer report"; fail=1
fi
echo "--- stdout (status $(cat "$tmp/emu.status")):"; cat "$tmp/emu.out"
echo "--- emulator stderr:"; head -n 20 "$tmp/emu.err"
rm -rf "$tmp"
exit $fail
