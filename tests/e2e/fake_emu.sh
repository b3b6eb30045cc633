#!/usr/bin/env bash
# fake_emu.sh [--status-plus-one] PROGRAM [ARGS...]: a stand-in "emulator"
# that just runs PROGRAM natively, for testing difftest.sh itself. With
# --status-plus-one it lies about the exit status, which difftest must catch.
if [ "${1:-}" = --status-plus-one ]; then
	shift
	"$@"
	exit $(($? + 1))
fi
exec "$@"
