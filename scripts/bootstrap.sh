#!/usr/bin/env bash
# The README's two quick-start commands:
#   scripts/bootstrap.sh demo   set up, build, run a demo guest under cloneemu
#   scripts/bootstrap.sh test   set up, build, run the whole ctest suite
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
what=${1:-demo}
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
case "$what" in
demo)
	echo "== native:";   build/guests/hello.glibc; echo "   exit $?"
	echo "== cloneemu (glibc guest):"; build/cloneemu build/guests/hello.glibc; echo "   exit $?"
	echo "== cloneemu (musl guest):";  build/cloneemu build/guests/hello.musl;  echo "   exit $?"
	;;
test)
	ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300
	;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
