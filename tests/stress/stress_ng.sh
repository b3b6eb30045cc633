#!/usr/bin/env bash
# stress_ng.sh EMULATOR CASEFILE NAME
#
# Runs Debian's stress-ng under EMULATOR with the stressors of case NAME
# (stress_cases.txt: "NAME  STRESSOR... [--OPTION VALUE]..."), each stressor one
# instance, all at once, for one second of the guest's clock, with
# --verify --metrics-brief, in a fresh scratch directory. Passes when the
# emulator exits 0 within STRESS_TIMEOUT seconds (default 200), stress-ng
# says "successful run completed", prints no fail:/error:/WARNING/skipping
# line, and every stressor of the case did at least one bogo op.
# Exits 77 (skipped) when /usr/bin/stress-ng is missing.
#   stress_ng.sh --list CASEFILE     prints the case names
set -uo pipefail

cases() { grep -vE '^[[:space:]]*(#|$)' "$1"; }
if [ "${1:-}" = --list ]; then
	cases "$2" | awk '{print $1}'
	exit 0
fi
[ $# -eq 3 ] || { echo "usage: $0 EMULATOR CASEFILE NAME | --list CASEFILE" >&2; exit 2; }
emu=$1 casefile=$2 name=$3
sng=${STRESS_NG:-/usr/bin/stress-ng}
[ -x "$sng" ] || { echo "stress_ng.sh: $sng not installed: skipped"; exit 77; }
line=$(cases "$casefile" | awk -v n="$name" '$1 == n')
[ -n "$line" ] || { echo "stress_ng.sh: no case $name in $casefile" >&2; exit 2; }
read -r -a opts <<<"${line#"$name"}"
# Plain words are stressors (one instance each); what starts with -- is
# passed on with the word after it (a stressor's option and its value).
stressors=() args=()
for ((i = 0; i < ${#opts[@]}; i++)); do
	case ${opts[i]} in
	--*) args+=("${opts[i]}" "${opts[i + 1]}"); i=$((i + 1)) ;;
	*) stressors+=("${opts[i]}"); args+=("--${opts[i]}" 1) ;;
	esac
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ce-stress.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch" || exit 1
timeout -k 10 "${STRESS_TIMEOUT:-200}" "$emu" "$sng" "${args[@]}" -t 1 --metrics-brief --verify \
	--temp-path "$scratch" >out 2>&1
rc=$?
fail=0
report() { echo "FAIL: $*"; fail=1; }
[ $rc -eq 0 ] || report "exit status $rc (124: timed out)"
grep -q "successful run completed" out || report "no 'successful run completed'"
if grep -E "fail:|error:|WARNING|skipping" out; then report "stress-ng reported the lines above"; fi
for s in "${stressors[@]}"; do
	ops=$(awk -v s="$s" '$2 == "metrc:" && $4 == s && $5 ~ /^[0-9]+$/ {print $5; exit}' out)
	[ -n "$ops" ] && [ "$ops" -gt 0 ] || report "stressor $s: no bogo ops (${ops:-no metrics line})"
done
if [ $fail -ne 0 ]; then
	echo "--- stress-ng ${args[*]} under $emu:"
	cat out
	exit 1
fi
grep "metrc:" out | tail -n +3
exit 0
