#!/usr/bin/env bash
# go_http_test.sh EMULATOR OUTDIR GOROOT
#
# Builds tests/threads/go_http (net/http on loopback) with the Go toolchain
# at GOROOT (scripts/setup.sh unpacks Debian trixie's newest Go under
# .deps/go: Go >= 1.23 needs eventfd at start-up), CGO_ENABLED=0, then runs
# it natively and under EMULATOR with difftest.sh.
#
# Exits 77 (ctest: skipped) when that toolchain is not there. The build
# needs no network (GOPROXY=off) and keeps its caches beside OUTDIR.
set -uo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 EMULATOR OUTDIR GOROOT" >&2
	exit 2
fi
emu=$1
out=$2
goroot=$3
here=$(cd "$(dirname "$0")" && pwd)
go=$goroot/bin/go
if [ ! -x "$go" ]; then
	echo "go_http_test: no Go toolchain at $goroot (scripts/setup.sh fetches it): skipped"
	exit 77
fi

mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
shared=$(dirname "$out")/go_http_cache
mkdir -p "$shared/home" "$shared/gopath" "$shared/build" || exit 2
echo "go_http_test: $(GOROOT=$goroot "$go" version)"
if ! (cd "$here/go_http" &&
	env GOROOT="$goroot" HOME="$shared/home" GOCACHE="$shared/build" GOPATH="$shared/gopath" \
		GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on CGO_ENABLED=0 GOTOOLCHAIN=local \
		"$go" build -o "$out/go_http" .); then
	echo "go_http_test: go build failed"
	exit 1
fi

DIFF_TIMEOUT=${DIFF_TIMEOUT:-200} exec "$here/../e2e/difftest.sh" "$emu" "$out/go_http"
