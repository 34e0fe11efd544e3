#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs what apex needs, builds it and runs apex-named in the
# foreground, serving the zones in zones/ on 127.0.0.1 and ::1, port 5300.
# Try it from another terminal:  dig @127.0.0.1 -p 5300 www.example.com
set -eu
cd "$(dirname "$0")/.."
sh etc/install-deps.sh build
[ -x configure ] || autoreconf -fi
mkdir -p build
[ -f build/Makefile ] || (cd build && ../configure)
make -C build -j"$(nproc)"
build/named/apex-named -C -c etc/named.conf.example
exec build/named/apex-named -g -c etc/named.conf.example
