#!/usr/bin/env bash
# go_difftest.sh EMULATOR PACKAGE_DIR OUTDIR [GO]
#
# Builds the pure-Go program in PACKAGE_DIR (CGO_ENABLED=0) with the go
# binary GO into OUTDIR, then runs it natively and under EMULATOR with
# difftest.sh: stdout and exit status must match (DIFF_EMU_ARGS passes
# options to the emulator). GO empty: `go` from PATH; a toolchain unpacked
# somewhere (not installed) gets its GOROOT from where the binary lies.
# Exits 77 (ctest: skipped) when there is no such toolchain. The
# build needs no network (GOPROXY=off, GOFLAGS=-mod=mod) and keeps its
# caches beside OUTDIR.
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 EMULATOR PACKAGE_DIR OUTDIR [GO]" >&2
	exit 2
fi
emu=$1
pkg=$(cd "$2" && pwd) || exit 2
out=$3
go=${4:-}
name=$(basename "$pkg")
here=$(cd "$(dirname "$0")" && pwd)

[ -n "$go" ] || go=$(command -v go || true)
if [ -z "$go" ] || [ ! -x "$go" ]; then
	echo "go_difftest: no Go toolchain ${go:+at $go }for $name (apt-get install golang-go; scripts/setup.sh fetches the newest): skipped"
	exit 77
fi
goroot=$(cd "$(dirname "$(readlink -f "$go")")/.." && pwd)
[ -d "$goroot/src/runtime" ] && export GOROOT=$goroot

mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
shared=$(dirname "$out")/go_cache_$name
mkdir -p "$shared/home" "$shared/gopath" "$shared/build" || exit 2
echo "go_difftest: $name with $("$go" version)"
if ! (cd "$pkg" &&
	env HOME="$shared/home" GOCACHE="$shared/build" GOPATH="$shared/gopath" \
		GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on CGO_ENABLED=0 GOTOOLCHAIN=local \
		"$go" build -o "$out/$name" .); then
	echo "go_difftest: go build of $name failed"
	exit 1
fi

DIFF_TIMEOUT=${DIFF_TIMEOUT:-200} exec "$here/difftest.sh" "$emu" "$out/$name"
