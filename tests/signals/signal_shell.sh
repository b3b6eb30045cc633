#!/usr/bin/env bash
# signal_shell.sh: shells' traps and job control as a differential test.
# Runs one script from a case file under bash-static or busybox sh, natively
# and under the emulator, through tests/e2e/difftest.sh (same environment,
# scratch cwd; stdout and exit status compared).
#
#   signal_shell.sh --list CASEFILE
#       prints "NAME SHELL" for every case and every shell it applies to
#   signal_shell.sh EMULATOR SHELL CASEFILE NAME
#       runs case NAME with SHELL (bash or busybox); exit status as difftest.sh
#
# Case file format (shell_signal_cases.txt): one case per line,
#   NAME  SHELLS  SCRIPT...
# NAME is [A-Za-z0-9_]+, SHELLS is "both", "bash" or "busybox", SCRIPT the
# rest of the line. A line ending in a backslash continues on the next one
# (joined with a newline). Blank lines and lines starting with # are skipped.
#
# bash-static gets a PATH that starts with a directory of symlinks to
# busybox (sleep, cut, sh, ...): the host's coreutils are dynamically
# linked and cloneemu runs static programs only. The directory's path never
# reaches stdout. busybox sh finds its applets itself.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
difftest=$here/../e2e/difftest.sh
busybox=${SIGNAL_SHELL_BUSYBOX:-/bin/busybox}
bash_static=${SIGNAL_SHELL_BASH:-/bin/bash-static}

# cases FILE: "NAME<TAB>SHELLS<TAB>SCRIPT" per case, continuation lines
# joined with \x01 standing for the newline.
cases() {
	local line acc=""
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -z "$acc" ] && [[ $line =~ ^[[:space:]]*(#|$) ]]; then
			continue
		fi
		if [[ $line == *\\ ]]; then
			acc+=${line%\\}$'\x01'
			continue
		fi
		acc+=$line
		local name shells script
		read -r name shells script <<<"$acc"
		printf '%s\t%s\t%s\n' "$name" "$shells" "$script"
		acc=""
	done <"$1"
}

expand_shells() {
	case $1 in
	both) echo bash busybox ;;
	bash | busybox) echo "$1" ;;
	*)
		echo "signal_shell: bad SHELLS field '$1'" >&2
		return 1
		;;
	esac
}

if [ "${1:-}" = --list ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --list CASEFILE" >&2; exit 2; }
	cases "$2" | while IFS=$'\t' read -r name shells _; do
		if ! [[ $name =~ ^[A-Za-z0-9_]+$ ]]; then
			echo "signal_shell: bad case name '$name'" >&2
			exit 1
		fi
		for s in $(expand_shells "$shells"); do
			echo "$name $s"
		done
	done
	exit
fi

if [ $# -ne 4 ]; then
	echo "usage: $0 EMULATOR bash|busybox CASEFILE NAME   or   $0 --list CASEFILE" >&2
	exit 2
fi
emu=$1 shell=$2 casefile=$3 want=$4

script="" found=0
while IFS=$'\t' read -r name _ body; do
	if [ "$name" = "$want" ]; then
		script=${body//$'\x01'/$'\n'}
		found=1
		break
	fi
done < <(cases "$casefile")
if [ "$found" -ne 1 ]; then
	echo "signal_shell: no case '$want' in $casefile" >&2
	exit 2
fi

case $shell in
busybox)
	exec "$difftest" "$emu" "$busybox" sh -c "$script"
	;;
bash)
	bin=$(mktemp -d "${TMPDIR:-/tmp}/signal_shell.XXXXXX") || exit 2
	trap 'rm -rf "$bin"' EXIT
	for applet in [ cat cut echo false head kill ls seq sh sleep sort tail test tr true wc; do
		ln -s "$busybox" "$bin/$applet"
	done
	"$difftest" "$emu" "$bash_static" -c "PATH=$bin:\$PATH
$script"
	exit
	;;
*)
	echo "signal_shell: unknown shell '$shell'" >&2
	exit 2
	;;
esac
