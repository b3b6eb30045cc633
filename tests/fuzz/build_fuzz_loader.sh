#!/usr/bin/env bash
# build_fuzz_loader.sh SRCDIR OUT: build tests/fuzz/fuzz_loader.c with clang's
# libFuzzer, ASan and UBSan, over the loader and kernel model sources (a
# static archive, so only what the loader reaches is linked).
set -euo pipefail
src=$1 out=$2
obj=$(dirname "$out")/fuzz_loader_obj
mkdir -p "$obj"
flags=(-std=gnu11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -I"$src" -w)
export obj src
export FLAGS="${flags[*]}"
# Two at a time, like the rest of the build.
printf '%s\n' "$src"/loader/*.c "$src"/kernelmodel/*.c "$src"/kernelmodel/*/*.c |
	xargs -P2 -I{} sh -c 'f={}; o=$obj/$(echo "${f#$src/}" | tr / _).o; clang $FLAGS -fsanitize=fuzzer-no-link -c "$f" -o "$o"'
rm -f "$obj/libce.a"
ar rcs "$obj/libce.a" "$obj"/*.o
clang "${flags[@]}" -fsanitize=fuzzer "$src/tests/fuzz/fuzz_loader.c" "$obj/libce.a" \
	$(pkg-config --libs libelf) -o "$out"
