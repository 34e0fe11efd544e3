#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the Debian 12 packages apex needs: "build" for building and
# running it, "test" for the whole test suite (BIND, Knot and NSD tools,
# dnsperf, dnspython, clang for the fuzzers, the ACME test CA pebble and
# the ACME clients certbot and lego, strace, and debhelper, dpkg-dev and
# lintian for the Debian package). Idempotent.
set -eu
what=${1:-build}
build="build-essential autoconf automake libtool pkg-config libevent-dev
libldns-dev libssl-dev libseccomp-dev libknot-dev check bind9-dnsutils"
test="bind9 bind9-utils knot knot-dnsutils nsd ldnsutils dnsperf
python3-dnspython clang prometheus unbound pebble certbot
python3-certbot-dns-rfc2136 lego strace debhelper dpkg-dev lintian"
pkgs=$build
[ "$what" = test ] && pkgs="$build $test"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Packages may start daemons (bind9, knot, nsd); the tests use their own
# ports and configurations.
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi
