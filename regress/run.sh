#!/bin/sh
# SPDX-License-Identifier: ISC
# The whole test suite: installs what it needs, builds apex twice (plain,
# and with AddressSanitizer and UndefinedBehaviorSanitizer), runs the unit
# tests of both, then the regression suites that start real servers on
# loopback. Exits non-zero on the first failing stage.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc)

stage() { printf '\n=== %s ===\n' "$*"; }

stage "dependencies"
sh etc/install-deps.sh test

# Builds go to build/ and build-asan/; an in-tree build would stop them.
[ ! -f config.status ] || make distclean >/dev/null

stage "build (-Werror)"
autoreconf -fi
mkdir -p build build-asan
(cd build && ../configure --enable-werror >/dev/null && make -j"$jobs")

stage "unit tests and configuration checks"
(cd build && make -j"$jobs" check) || {
	cat build/regress/unit/*.log build/regress/conf/*.log; exit 1; }

stage "make distcheck: the tarball builds and passes its tests"
(cd build && make -j"$jobs" distcheck >/dev/null) || {
	echo "distcheck failed"; exit 1; }

stage "build with ASan and UBSan"
(cd build-asan && ../configure --enable-werror --enable-asan >/dev/null &&
    make -j"$jobs")

stage "unit tests under ASan and UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && make -j"$jobs" check) || {
	cat build-asan/regress/unit/*.log; exit 1; }

stage "differential test against BIND 9"
/usr/bin/python3 regress/bind/compare.py --apex "$top/build/named/apex-named"

stage "differential test against BIND 9, apex under ASan and UBSan"
/usr/bin/python3 regress/bind/compare.py --minimal no-auth-recursive \
    --apex "$top/build-asan/named/apex-named"

stage "address match lists beside BIND 9"
/usr/bin/python3 regress/acl/run.py --apex "$top/build/named/apex-named"
/usr/bin/python3 regress/acl/run.py --apex "$top/build-asan/named/apex-named"

stage "DNSSEC through a validating resolver (unbound) and delv"
/usr/bin/python3 regress/dnssec/run.py --apex "$top/build/named/apex-named"
/usr/bin/python3 regress/dnssec/run.py --apex "$top/build-asan/named/apex-named"

stage "the running server: TCP, UDP, pid file, signals"
/usr/bin/python3 regress/serve/run.py --apex "$top/build/named/apex-named"
/usr/bin/python3 regress/serve/run.py --apex "$top/build-asan/named/apex-named"

stage "response rate limiting: a UDP flood, slips, TCP, exempt clients, log-only"
/usr/bin/python3 regress/rrl/run.py --apex "$top/build/named/apex-named"
/usr/bin/python3 regress/rrl/run.py --apex "$top/build-asan/named/apex-named"

stage "bounds of every listener: slow, idle and greedy clients"
/usr/bin/python3 regress/limits/run.py --build "$top/build"
/usr/bin/python3 regress/limits/run.py --build "$top/build-asan"

stage "the service: privileges, sandboxes, reloads, apex-ctl, metrics, logs"
/usr/bin/python3 regress/service/run.py --build "$top/build"
/usr/bin/python3 regress/service/run.py --build "$top/build-asan"

stage "BIND's rndc against apex and BIND 9: every command, keys, allow, read-only, forged messages"
/usr/bin/python3 regress/rndc/run.py --build "$top/build"
/usr/bin/python3 regress/rndc/run.py --build "$top/build-asan"

stage "BIND configurations unchanged: Debian's default zones, transfer-source, notify-source, secondaries in memory"
/usr/bin/python3 regress/bindconf/run.py --build "$top/build"
/usr/bin/python3 regress/bindconf/run.py --build "$top/build-asan"

stage "a corpus of BIND authoritative configurations: named-checkconf and named beside apex"
/usr/bin/python3 regress/conf/corpus.py --apex "$top/build/named/apex-named"

stage "privilege separation: keep-lists, secrets, a compromised worker"
/usr/bin/python3 regress/privsep/run.py --build "$top/build"
/usr/bin/python3 regress/privsep/run.py --build "$top/build-asan"

stage "zone transfers with BIND, Knot, NSD and apex itself"
/usr/bin/python3 regress/xfr/run.py --build "$top/build"
/usr/bin/python3 regress/xfr/run.py --build "$top/build-asan"

stage "dynamic update (RFC 2136) with TSIG beside BIND 9: prerequisites, policy, durability, secondaries"
/usr/bin/python3 regress/update/run.py --build "$top/build"
/usr/bin/python3 regress/update/run.py --build "$top/build-asan"

stage "ACME DNS-01: certbot and lego update a hidden primary, pebble asks its secondaries"
/usr/bin/python3 regress/acme/run.py --build "$top/build"

stage "signing on the primary: dnssec-policy, validation, secondaries, rollovers, the parent's DS, faults, updates"
/usr/bin/python3 regress/sign/run.py --build "$top/build"
/usr/bin/python3 regress/sign/run.py --build "$top/build-asan" --quick
/usr/bin/python3 regress/sign/update.py --build "$top/build"
/usr/bin/python3 regress/sign/update.py --build "$top/build-asan"
# A CSK and an algorithm rollover with the parent's DS, NSEC to NSEC3,
# a full key directory: about four minutes, plain build only.
/usr/bin/python3 regress/sign/rollover.py --build "$top/build"

stage "faults: a worker and apex-xferd killed, a full disk, broken reloads"
/usr/bin/python3 regress/faults/run.py --build "$top/build"
/usr/bin/python3 regress/faults/run.py --build "$top/build-asan"

stage "fuzzing every parser of untrusted input"
sh regress/fuzz/run.sh

# Last: while the package is installed the user apex exists, and the
# children of any other apex-named would run as it.
stage "the Debian package: build, lintian, install, serve, remove, purge"
sh regress/deb/run.sh

stage "all tests passed"
