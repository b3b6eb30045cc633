#!/usr/bin/env bash
# cli.sh EMULATOR CASE [VERSION]: cloneemu's own command line, no guest run.
#   help            --help: usage on stdout, exit 0, nothing on stderr
#   version         --version: VERSION (the project version) on stdout, exit 0
#   no_program      no PROGRAM: usage error, exit 2, message on stderr, empty stdout
#   unknown_option  an option cloneemu does not have: exit 2, message on stderr
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 EMULATOR CASE [VERSION]" >&2
	exit 2
fi
emu=$1 case=$2 version=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

case $case in
help) args=(--help) ;;
version) args=(--version) ;;
no_program) args=() ;;
unknown_option) args=(--no-such-option-xyzzy /bin/true) ;;
*)
	echo "cli: unknown case $case" >&2
	exit 2
	;;
esac

timeout -k 5 60 "$emu" "${args[@]}" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?

fail() {
	echo "cli $case: $*"
	echo "--- status $status; stdout:"
	head -c 2000 "$tmp/out"
	echo "--- stderr:"
	head -c 2000 "$tmp/err"
	exit 1
}

case $case in
help)
	[ "$status" -eq 0 ] || fail "exit status $status, want 0"
	grep -qi 'usage' "$tmp/out" || fail "no usage text on stdout"
	[ ! -s "$tmp/err" ] || fail "unexpected stderr"
	;;
version)
	[ "$status" -eq 0 ] || fail "exit status $status, want 0"
	if [ -n "$version" ]; then
		grep -qF -- "$version" "$tmp/out" || fail "stdout does not contain version $version"
	else
		grep -qE '[0-9]+\.[0-9]+' "$tmp/out" || fail "no version number on stdout"
	fi
	[ ! -s "$tmp/err" ] || fail "unexpected stderr"
	;;
no_program | unknown_option)
	[ "$status" -eq 2 ] || fail "exit status $status, want 2 (usage error)"
	[ -s "$tmp/err" ] || fail "no message on stderr"
	[ ! -s "$tmp/out" ] || fail "unexpected stdout"
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/err"; then
		fail "sanitizer report"
	fi
	;;
esac
echo "cli $case: ok (status $status)"
