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
	# What a new user does first: gcc hello.c (dynamically linked), then
	# run it natively and under cloneemu; then a static musl guest.
	gcc -o build/hello guests/hello.c
	echo "== native:";   build/hello; echo "   exit $?"
	echo "== cloneemu ./hello (gcc, dynamically linked):"; build/cloneemu build/hello; echo "   exit $?"
	echo "== cloneemu (static musl guest):";  build/cloneemu build/guests/hello.musl;  echo "   exit $?"
	;;
test)
	# A failed test runs once more (a flake passes, a bug fails twice; ctest
	# prints both tries).
	ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300 --repeat until-pass:2
	;;
*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
