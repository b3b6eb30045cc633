#!/usr/bin/env bash
# fuzz_loader.sh FUZZER RUNS SEED_FILE...
#
# Runs the loader's libFuzzer target (fuzz_loader.c) RUNS times with a fixed
# seed from the given ELF files as its starting corpus (copied, since
# libFuzzer adds what it finds), after replaying every input kept in
# tests/fuzz/loader_regressions/. A crash, a sanitizer report or a leak
# fails the test; libFuzzer names the input that did it: keep it in
# loader_regressions/ once fixed.
set -uo pipefail
fuzzer=$1 runs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d) && trap 'rm -rf "$dir"' EXIT
mkdir "$dir/corpus"
cp "$@" "$dir/corpus/"
cd "$dir"
if compgen -G "$here/loader_regressions/*" >/dev/null; then
	"$fuzzer" "$here"/loader_regressions/* 2>"$dir/regress.log" ||
		{ echo "a kept input fails again:"; tail -40 "$dir/regress.log"; exit 1; }
fi
"$fuzzer" -runs="$runs" -seed=1 -max_len=65536 -artifact_prefix="$dir/" corpus 2>"$dir/fuzz.log"
st=$?
tail -3 "$dir/fuzz.log"
if [ $st -ne 0 ]; then
	grep -A40 -E "ERROR|runtime error|SUMMARY" "$dir/fuzz.log" | head -60
	for a in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
		[ -e "$a" ] && echo "input: $(base64 -w0 "$a" | head -c 2000)"
	done
fi
exit $st
