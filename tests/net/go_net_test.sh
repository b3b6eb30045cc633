#!/usr/bin/env bash
# go_net_test.sh EMULATOR OUTDIR [GO]
#
# Builds tests/net/go_net (net/http, TCP over ::1, UDP; pure Go) with
# CGO_ENABLED=0 into OUTDIR, then runs it natively and under EMULATOR with
# difftest.sh (stdout and exit status must match). cloneemu gets
# -E GOMAXPROCS=4; natively the program sets 4 itself.
#
# Exits 77 (ctest: skipped) when no Go toolchain is installed. GO is the
# go binary CMake found; if empty, `go` from PATH. The build needs no
# network (GOPROXY=off, GOFLAGS=-mod=mod) and keeps its caches in OUTDIR.
set -uo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 EMULATOR OUTDIR [GO]" >&2
	exit 2
fi
emu=$1
out=$2
go=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "$go" ] || [ ! -x "$go" ]; then
	go=$(command -v go || true)
fi
if [ -z "$go" ]; then
	echo "go_net_test: no Go toolchain (apt-get install golang-go): skipped"
	exit 77
fi

mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
shared=$(dirname "$out")/go_cache
mkdir -p "$shared/home" "$shared/gopath" "$shared/build" || exit 2
echo "go_net_test: $("$go" version)"
if ! (cd "$here/go_net" &&
	env HOME="$shared/home" GOCACHE="$shared/build" GOPATH="$shared/gopath" \
		GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on CGO_ENABLED=0 GOTOOLCHAIN=local \
		"$go" build -o "$out/go_net" .); then
	echo "go_net_test: go build failed"
	exit 1
fi

DIFF_EMU_ARGS="-E GOMAXPROCS=4" DIFF_TIMEOUT=${DIFF_TIMEOUT:-200} \
	exec "$here/../e2e/difftest.sh" "$emu" "$out/go_net"
