#!/usr/bin/env bash
# shell_case.sh: real shells as guests. Runs one script from a case file
# under busybox sh or bash-static, natively and under the emulator, through
# difftest.sh (same environment, scratch cwd, stdout + exit status compared).
#
#   shell_case.sh --list CASEFILE
#       prints "NAME SHELL" for every case and every shell it applies to
#       (ce_shell_tests in tests/CeTests.cmake registers PREFIX_<SHELL>_<NAME>)
#   shell_case.sh EMULATOR SHELL CASEFILE NAME
#       runs case NAME with SHELL (busybox or bash); exit status as difftest.sh
#
# Case file format (tests/e2e/shell_cases.txt, tests/signals/
# shell_signal_cases.txt): one case per line,
#   NAME  SHELLS  SCRIPT...
# NAME is [A-Za-z0-9_]+, SHELLS is "both", "busybox" or "bash", and SCRIPT is
# the rest of the line, passed to `sh -c` / `bash -c` as is. A line ending in
# a backslash continues on the next one (joined with a newline, for
# here-documents). Blank lines and lines starting with # are skipped.
#
# busybox: /bin/busybox sh -c SCRIPT. busybox sh runs its own applets (seq,
# sort, ...) in forked children, so PATH does not matter.
# bash: /bin/bash-static -c SCRIPT, with PATH starting at a directory of
# symlinks to busybox (seq, sort, sh, ...), because the host's coreutils are
# dynamically linked and cloneemu runs static programs only. The symlink
# directory's path is never printed by the cases.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
busybox=${SHELL_CASE_BUSYBOX:-/bin/busybox}
bash_static=${SHELL_CASE_BASH:-/bin/bash-static}

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
	both) echo busybox bash ;;
	busybox | bash) echo "$1" ;;
	*) echo "shell_case: bad SHELLS field '$1'" >&2; return 1 ;;
	esac
}

if [ "${1:-}" = --list ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --list CASEFILE" >&2; exit 2; }
	read_cases "$2" | while IFS=$'\t' read -r name shells _; do
		if ! [[ $name =~ ^[A-Za-z0-9_]+$ ]]; then
			echo "shell_case: bad case name '$name'" >&2
			exit 1
		fi
		for s in $(shells_of "$shells"); do
			echo "$name $s"
		done
	done
	exit
fi

if [ $# -ne 4 ]; then
	echo "usage: $0 EMULATOR busybox|bash CASEFILE NAME   or   $0 --list CASEFILE" >&2
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
	echo "shell_case: no case '$want' in $casefile" >&2
	exit 2
fi

case $shell in
busybox)
	exec "$here/difftest.sh" "$emu" "$busybox" sh -c "$script"
	;;
bash)
	bbdir=$(mktemp -d "${TMPDIR:-/tmp}/shell_case_bb.XXXXXX") || exit 2
	trap 'rm -rf "$bbdir"' EXIT
	for applet in [ awk basename cat chmod cmp cp cut diff dirname echo env expr false grep head id kill setsid timeout \
		ln ls mkdir mv od printf pwd readlink rev rm rmdir sed seq sh sleep sort stat tail tee \
		test touch tr true uname uniq wc xargs yes; do
		ln -s "$busybox" "$bbdir/$applet"
	done
	"$here/difftest.sh" "$emu" "$bash_static" -c "PATH=$bbdir:\$PATH
$script"
	exit
	;;
*)
	echo "shell_case: unknown shell '$shell'" >&2
	exit 2
	;;
esac
