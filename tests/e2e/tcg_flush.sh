#!/usr/bin/env bash
# tcg_flush.sh EMULATOR: with a 2 MiB translation buffer, /bin/sh running a
# pipeline fills it many times over. Unicorn 2.1.1 crashes when it flushes
# a full buffer in the middle of a run; cloneemu flushes it between runs
# before it fills (emu/cpu_tlb.c, hook_edge). Output must match the native run,
# and --stats must report that the buffer was flushed.
set -uo pipefail
emu=$1
script='echo hi; ls / | sort | head -3; seq 1 50 | tr "\n" + | wc -c'
want=$(env -i PATH=/usr/bin:/bin /bin/sh -c "$script")
err=$(mktemp)
trap 'rm -f "$err"' EXIT
got=$(env -i PATH=/usr/bin:/bin CLONEEMU_TCG_BUFFER_MIB=2 ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
	${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$emu" --stats /bin/sh -c "$script" 2>"$err")
status=$?
fail=0
if [ "$status" -ne 0 ] || [ "$got" != "$want" ]; then
	echo "tcg_flush: status $status; want:"; echo "$want"; echo "got:"; echo "$got"
	fail=1
fi
flushes=$(sed -n 's/.* \([0-9]*\) translation-buffer flushes.*/\1/p' "$err")
if [ -z "$flushes" ] || [ "$flushes" -eq 0 ]; then
	echo "tcg_flush: --stats reports no translation-buffer flush"
	fail=1
fi
if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$err"; then
	echo "tcg_flush: sanitizer report"
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	tail -n 30 "$err"
	exit 1
fi
echo "tcg_flush: output matches, $flushes translation-buffer flushes"
