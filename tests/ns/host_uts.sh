#!/usr/bin/env bash
# host_uts.sh EMULATOR GUEST
#
# GUEST (tests/ns/uts_initial.c) calls sethostname and setdomainname in the
# initial UTS namespace. Under EMULATOR that namespace is a model object:
# the guest must see its new names, and the host's names must not change.
#
# Belt and braces: everything runs inside `unshare --uts`, so even an
# emulator that wrongly passed the calls through would rename only a
# throw-away namespace; the check compares that namespace's names before
# and after, which is what a pass-through would have changed.
#
# Exit 0 on success, 1 on a failed check, 77 (skip) without unshare(1) or
# the privilege to make a UTS namespace.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 EMULATOR GUEST" >&2
	exit 2
fi
emu=$1
guest=$2

if ! command -v unshare >/dev/null || ! unshare --uts true 2>/dev/null; then
	echo "host_uts: cannot make a UTS namespace here; skipped"
	exit 77
fi

# Inside the throw-away namespace: names before, the emulated run, names after.
exec unshare --uts bash -c '
	emu=$1 guest=$2
	host_before=$(uname -n)
	dom_before=$(cat /proc/sys/kernel/domainname)
	out=$("$emu" "$guest" 2>&1)
	status=$?
	host_after=$(uname -n)
	dom_after=$(cat /proc/sys/kernel/domainname)
	fail=0
	if [ "$status" -ne 0 ]; then
		echo "host_uts: the guest failed under the emulator (status $status):"
		echo "$out"
		fail=1
	fi
	if [ "$out" != "nodename cloneemu-initial-ns
domainname cloneemu.invalid" ]; then
		echo "host_uts: unexpected guest output:"
		echo "$out"
		fail=1
	fi
	if [ "$host_before" != "$host_after" ]; then
		echo "host_uts: the host nodename changed: $host_before -> $host_after"
		fail=1
	fi
	if [ "$dom_before" != "$dom_after" ]; then
		echo "host_uts: the host domainname changed: $dom_before -> $dom_after"
		fail=1
	fi
	[ "$fail" -eq 0 ] && echo "host_uts: the guest renamed its own namespace; the host kept its names"
	exit "$fail"
' host_uts "$emu" "$guest"
