#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs what apex needs, builds it and runs apex-named in the
# foreground, serving the zones in zones/ on 127.0.0.1 and ::1, port 5300,
# with metrics and health on http://127.0.0.1:8053/. From another terminal:
#   dig @127.0.0.1 -p 5300 www.example.com
#   curl http://127.0.0.1:8053/metrics
#   sudo build/ctl/apex-ctl status
set -eu
cd "$(dirname "$0")/.."
sh etc/install-deps.sh build
# The unprivileged user the child processes run as.
if ! getent passwd apex >/dev/null; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin apex
fi
[ -x configure ] || autoreconf -fi
mkdir -p build
[ -f build/Makefile ] || (cd build && ../configure)
make -C build -j"$(nproc)"
build/named/apex-named -C -c etc/named.conf.example
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
exec $SUDO build/named/apex-named -g -c etc/named.conf.example
