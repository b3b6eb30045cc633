#!/usr/bin/env bash
# Install everything cloneemu needs to build and test, on Debian 12 as root.
# Idempotent: packages already present are not fetched again.
#
# Unicorn >= 2.1 comes from Debian trixie (bookworm ships 2.0.1, whose guest
# stores take a slow path; see docs/DESIGN.md). We do not touch the system's
# apt sources: a private apt configuration under .deps/apt downloads the two
# trixie .debs (libunicorn2t64 depends only on libc6 >= 2.34) from the
# mirror the system's own sources name, which dpkg then installs. Once
# everything is installed, nothing is fetched: set-up works offline.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(cmake make gcc pkg-config libcapstone-dev libelf-dev libcmocka-dev
      musl-tools manpages-dev clang libclang-rt-14-dev busybox-static bash-static qemu-user qemu-user-static strace golang-go graphviz rustc
      # tests/realprogs: the host's own dynamic programs run as guests
      dash bash coreutils diffutils findutils grep sed mawk gzip tar xz-utils bzip2 file
      perl python3 git libc6-dev binutils patch bc openssl sqlite3 jq zip unzip zstd
      # tests/stress: stress-ng under cloneemu
      stress-ng)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Debian archive the system itself uses (a local mirror, a proxy, a
# snapshot), from its apt sources in either format: the URI of the first
# "deb" source whose suites include the release (not -security, -updates).
# deb.debian.org when none is found.
debian_mirror() {
	local release uri
	release=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v rel="$release" '
		/^[ \t]*$/ { if (deb && suite && uri != "") { print uri; exit } deb = suite = 0; uri = ""; next }
		/^Types:/ { deb = ($0 ~ /(^|[ \t])deb([ \t]|$)/) }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == rel) suite = 1 }
		END { if (deb && suite && uri != "") print uri }' | head -n1)
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v rel="$release" '
			$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
				if ($(i + 1) == rel) { print $i; exit } }')
	fi
	echo "${uri:-http://deb.debian.org/debian}"
}

# A private apt configuration for Debian trixie under .deps/apt (the
# system's sources stay as they are); $d is its directory.
d="$here/.deps/apt"
trixie_apt() {
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie main" \
		>"$d/sources.list"
	cat >"$d/apt.conf" <<CONF
Dir::Etc::SourceList "$d/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$d/lists";
Dir::Cache "$d/cache";
Acquire::Languages "none";
APT::Sandbox::User "root";
CONF
}

if ! pkg-config --atleast-version=2.1 unicorn 2>/dev/null; then
	echo "setup: fetching Unicorn 2.1 (libunicorn2t64, libunicorn-dev) from Debian trixie"
	trixie_apt
	APT_CONFIG="$d/apt.conf" apt-get update -qq
	(cd "$d/debs" && APT_CONFIG="$d/apt.conf" apt-get download -qq libunicorn2t64 libunicorn-dev)
	dpkg -i "$d"/debs/libunicorn2t64_*.deb "$d"/debs/libunicorn-dev_*.deb >/dev/null
	pkg-config --atleast-version=2.1 unicorn || { echo "setup: Unicorn 2.1 install failed" >&2; exit 1; }
fi
# Go >= 1.23 programs need eventfd at start-up; bookworm's golang-go is 1.19.
# The newest Go Debian has (trixie's golang-1.24) is unpacked, not
# installed, under .deps/go for tests/threads' go_http test; without it
# (offline) that test is skipped.
go_new="$here/.deps/go/usr/lib/go-1.24/bin/go"
if [ ! -x "$go_new" ]; then
	echo "setup: fetching Go 1.24 (golang-1.24-go, golang-1.24-src) from Debian trixie into .deps/go"
	trixie_apt
	mkdir -p "$here/.deps/go"
	if (APT_CONFIG="$d/apt.conf" apt-get update -qq &&
		cd "$d/debs" && APT_CONFIG="$d/apt.conf" apt-get download -qq golang-1.24-go golang-1.24-src); then
		for deb in "$d"/debs/golang-1.24-go_*.deb "$d"/debs/golang-1.24-src_*.deb; do
			dpkg -x "$deb" "$here/.deps/go"
		done
	fi
	[ -x "$go_new" ] || echo "setup: no Go 1.24 (threads_go_http will be skipped)"
fi
echo "setup: unicorn $(pkg-config --modversion unicorn), capstone $(pkg-config --modversion capstone), libelf $(pkg-config --modversion libelf), cmocka $(pkg-config --modversion cmocka)"
