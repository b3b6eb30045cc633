#!/usr/bin/env bash
# realprog_case.sh: the host's real, dynamically linked programs as guests.
# Runs one script from a case file under the host's /bin/sh (dash) or
# /bin/bash, natively and under the emulator, through tests/e2e/difftest.sh
# (same fixed environment, same fresh scratch cwd, stdout + exit status
# compared). Every program the script starts (coreutils, make, gcc, git,
# python3, ...) runs under the emulator too.
#
#   realprog_case.sh --list CASEFILE
#       prints "NAME SHELL" for every case and every shell it applies to
#       (tests/realprogs/CMakeLists.txt registers realprogs_<SHELL>_<NAME>)
#   realprog_case.sh EMULATOR SHELL CASEFILE NAME
#       runs case NAME with SHELL (dash or bash); exit status as difftest.sh
#
# Case file format (realprogs_cases.txt), as tests/e2e/shell_case.sh's: one
# case per line,
#   NAME  SHELLS  SCRIPT...
# NAME is [A-Za-z0-9_]+, SHELLS is "both", "dash" or "bash", and SCRIPT is
# the rest of the line, passed to `sh -c` / `bash -c` as is. A line ending in
# a backslash continues on the next one (joined with a newline, for
# here-documents and longer scripts). Blank lines and lines starting with #
# are skipped.
#
# The environment is difftest.sh's (PATH=/usr/bin:/bin, HOME=/root, LANG=C);
# a case that needs another HOME sets it itself.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
difftest=$here/../e2e/difftest.sh
dash=${REALPROG_DASH:-/bin/sh}
bash=${REALPROG_BASH:-/bin/bash}

# read_cases FILE: prints "NAME<TAB>SHELLS<TAB>SCRIPT" with continuation
# lines joined, the newlines inside SCRIPT written as \x01 (one record per line).
read_cases() {
	local line joined=""
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -n "$joined" ]; then
			joined+=$'\x01'
		elif [[ $line =~ ^[[:space:]]*(#|$) ]]; then
			continue
		fi
		if [[ $line == *\\ ]]; then
			joined+=${line%\\}
			continue
		fi
		joined+=$line
		local name shells script
		read -r name shells script <<<"$joined"
		printf '%s\t%s\t%s\n' "$name" "$shells" "$script"
		joined=""
	done <"$1"
}

shells_of() {
	case $1 in
	both) echo dash bash ;;
	dash | bash) echo "$1" ;;
	*) echo "realprog_case: bad SHELLS field '$1'" >&2; return 1 ;;
	esac
}

if [ "${1:-}" = --list ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --list CASEFILE" >&2; exit 2; }
	read_cases "$2" | while IFS=$'\t' read -r name shells _; do
		if ! [[ $name =~ ^[A-Za-z0-9_]+$ ]]; then
			echo "realprog_case: bad case name '$name'" >&2
			exit 1
		fi
		for s in $(shells_of "$shells"); do
			echo "$name $s"
		done
	done
	exit
fi

if [ $# -ne 4 ]; then
	echo "usage: $0 EMULATOR dash|bash CASEFILE NAME   or   $0 --list CASEFILE" >&2
	exit 2
fi
emu=$1 shell=$2 casefile=$3 want=$4

script=""
found=0
while IFS=$'\t' read -r name shells body; do
	if [ "$name" = "$want" ]; then
		script=${body//$'\x01'/$'\n'}
		found=1
		break
	fi
done < <(read_cases "$casefile")
if [ "$found" -ne 1 ]; then
	echo "realprog_case: no case '$want' in $casefile" >&2
	exit 2
fi

case $shell in
dash) exec "$difftest" "$emu" "$dash" -c "$script" ;;
bash) exec "$difftest" "$emu" "$bash" -c "$script" ;;
*)
	echo "realprog_case: unknown shell '$shell'" >&2
	exit 2
	;;
esac
